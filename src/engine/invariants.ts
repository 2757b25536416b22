// What every fix must keep true, checked before anything is written:
// - no reference the fixes introduce points at nothing (Ref, GetAtt, Sub, DependsOn, Condition);
// - every resource property a fix adds exists in the CloudFormation resource spec;
// - no fix closes a dependency cycle among resources. That one is checked as each transform's
//   fixes are taken (applyFixes in fix.ts), so that a refused fix leaves the others in place.
import type { JsonValue, Operation, Template } from '../types.js';
import { danglingReferences, isIntrinsic, parseSubVariables, type Reference } from '../cfn/template.js';
import { propertyPathExists, resourceSpec } from '../cfn/spec.js';
import { getAt, pointer as makePointer } from '../cfn/pointer.js';
import { parsePointer } from './patch.js';

export interface InvariantProblem {
  message: string;
  pointer: string;
  transforms: string[];
}

/** Why a fix was left out when it builds on one refused for closing a dependency cycle. */
export const DEPENDS_ON_REFUSED = 'it builds on a fix refused because it would create a dependency cycle';

/** References in `after` that point at nothing and had no counterpart in `before`. */
export function newDanglingReferences(before: Template, after: Template): Reference[] {
  const key = (r: Reference) => `${r.kind}:${r.target}:${r.attribute ?? ''}`;
  const existing = new Set(danglingReferences(before).map(key));
  return danglingReferences(after).filter((ref) => !existing.has(key(ref)));
}

/**
 * False when the operations cannot close a new dependency cycle, so that the graph need not be
 * built: no string they write into Resources (a Ref, GetAtt, Sub variable or DependsOn, or any
 * other text) names a resource of `after`. A new cycle runs through a new dependency R -> T: either
 * an operation wrote R's reference to T, or T is a resource it added (an old dangling reference
 * now reaching it) and wrote T's own references, which carry the cycle on. Errs on the side of
 * true: whole-section writes, moves, copies and removals inside a Fn::Sub (a variable map losing
 * a name) count.
 */
export function mayCloseCycle(after: Template, ops: readonly Operation[]): boolean {
  const resources = after.Resources ?? {};
  const isResource = (name: string) => Object.prototype.hasOwnProperty.call(resources, name);
  const namesResource = (s: string) => isResource(s) || isResource(s.split('.')[0]!) || parseSubVariables(s).some((v) => isResource(v.split('.')[0]!));
  const writes = (v: unknown): boolean => {
    if (typeof v === 'string') return namesResource(v);
    if (v === null || typeof v !== 'object') return false;
    return Array.isArray(v) ? v.some(writes) : Object.entries(v).some(([k, x]) => namesResource(k) || writes(x));
  };
  for (const op of ops) {
    if (op.op === 'test' || !(op.path === '/Resources' || op.path.startsWith('/Resources/') || op.path === '')) continue;
    if (op.op === 'move' || op.op === 'copy' || op.path === '' || op.path === '/Resources') return true;
    if (op.op === 'remove') {
      if (op.path.includes('/Fn::Sub/')) return true;
      continue;
    }
    if (writes(op.value)) return true;
  }
  return false;
}

export function checkInvariants(
  before: Template,
  after: Template,
  applied: ReadonlyArray<{ transform: string; ops: Operation[] }>,
): InvariantProblem[] {
  const problems: InvariantProblem[] = [];
  const owners = (pointer: string) => {
    const ids = applied
      .filter(({ ops }) => ops.some((op) => pointer === op.path || pointer.startsWith(op.path + '/') || op.path.startsWith(pointer + '/')))
      .map((a) => a.transform);
    return [...new Set(ids.length ? ids : applied.map((a) => a.transform))];
  };

  for (const ref of newDanglingReferences(before, after)) {
    const transforms = owners(ref.pointer);
    problems.push({
      message: `internal error: fix from ${transforms.join(', ')} adds a ${ref.kind} to "${ref.target}", which does not exist; the file is left as it is`,
      pointer: ref.pointer,
      transforms,
    });
  }

  for (const { transform, ops } of applied) {
    for (const op of ops) {
      if (op.op === 'remove' || op.op === 'test') continue;
      const segments = parsePointer(op.path);
      if (segments[0] !== 'Resources' || segments.length < 2) continue;
      const id = segments[1]!;
      const resource = after.Resources?.[id];
      if (!resource || typeof resource.Type !== 'string') continue;
      const type = resource.Type;
      if (segments.length === 2 && !type.startsWith('Custom::') && !resourceSpec(type)) {
        problems.push({ message: `internal error: fix from ${transform} adds a resource of unknown type ${type}`, pointer: op.path, transforms: [transform] });
        continue;
      }
      // Below Properties: the path itself, then every key inside the value it put there.
      const propertyPath = segments.length === 2 ? [] : segments[2] === 'Properties' ? segments.slice(3) : undefined;
      if (!propertyPath) continue;
      const at = makePointer('Resources', id, 'Properties', ...propertyPath.map((s) => (s === '-' ? '0' : s)));
      const value = segments.length === 2 ? (resource.Properties as JsonValue | undefined) : getAt(after, at);
      if (value === undefined) continue;
      const normalized = propertyPath.map((s) => (s === '-' ? '0' : s));
      const unknown = unknownProperty(type, normalized, value);
      if (unknown) {
        problems.push({
          message: `internal error: fix from ${transform} sets ${type} property ${unknown.join('.')}, which the resource spec does not define`,
          pointer: makePointer('Resources', id, 'Properties', ...unknown),
          transforms: [transform],
        });
      }
    }
  }
  return problems;
}

/** The first property path at or below `path` that the spec does not know, or undefined. */
function unknownProperty(type: string, path: string[], value: JsonValue): string[] | undefined {
  if (path.some((s) => s.startsWith('Fn::') || s === 'Ref')) return undefined;
  if (path.length > 0) {
    const exists = propertyPathExists(type, path);
    if (exists === undefined) return undefined; // type unknown to the spec (Custom::, third party)
    if (!exists) return path;
  }
  if (value === null || typeof value !== 'object' || isIntrinsic(value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unknownProperty(type, [...path, String(i)], value[i]!);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value as Record<string, JsonValue>)) {
    const found = unknownProperty(type, [...path, k], v);
    if (found) return found;
  }
  return undefined;
}
