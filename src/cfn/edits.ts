// A resource tapfix adds next to another: it shares that resource's Condition, so it exists
// exactly when the resource it serves does. Build it here, add it with a Fixer.
import type { JsonObject, Resource } from '../types.js';

/** `{Type, Condition?, Properties}` for a new resource that shares `like`'s condition. */
export function newResource(type: string, properties: JsonObject, like?: Pick<Resource, 'Condition'>): JsonObject {
  const condition = typeof like?.Condition === 'string' ? like.Condition : undefined;
  return condition ? { Type: type, Condition: condition, Properties: properties } : { Type: type, Properties: properties };
}
