// Resource-attribute edits for transforms that build operations by hand (new ones use fixer.ts):
// a new resource sharing another's Condition, and DependsOn additions.
import type { JsonObject, Operation, Resource } from '../types.js';
import { pointer } from './pointer.js';

/** The resource's `Condition` name, when it has one. */
export function conditionOf(resource: Resource): string | undefined {
  return typeof resource.Condition === 'string' ? resource.Condition : undefined;
}

/** `{Type, Condition?, Properties}` for a new resource that shares `like`'s condition. */
export function newResource(type: string, properties: JsonObject, like?: Resource): JsonObject {
  const condition = like ? conditionOf(like) : undefined;
  return condition ? { Type: type, Condition: condition, Properties: properties } : { Type: type, Properties: properties };
}

/**
 * Ops making resource `id` depend on `target`, keeping the DependsOn it has (string or list);
 * [] when it already does, undefined when DependsOn is something else (left alone).
 */
export function addDependsOn(resource: Resource, id: string, target: string): Operation[] | undefined {
  const at = pointer('Resources', id, 'DependsOn');
  const current = resource.DependsOn as unknown;
  if (current === undefined) return [{ op: 'add', path: at, value: target }];
  if (typeof current === 'string') return current === target ? [] : [{ op: 'replace', path: at, value: [current, target] }];
  if (Array.isArray(current)) return current.includes(target) ? [] : [{ op: 'add', path: `${at}/-`, value: target }];
  return undefined;
}

/** True when resource `id` depends (DependsOn) on `target`. */
export function dependsOn(resource: Resource, target: string): boolean {
  const d = resource.DependsOn as unknown;
  return d === target || (Array.isArray(d) && d.includes(target));
}
