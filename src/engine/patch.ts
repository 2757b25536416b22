// RFC 6902 applied copy-on-write: only the containers on a changed path are copied, so the
// result shares every untouched subtree with its input (the writer's diff relies on that) and
// the input, which transforms saw frozen, is never mutated.
import fastJsonPatch from 'fast-json-patch';
import type { JsonValue, Operation } from '../types.js';
import { deepEqual } from '../writer/diff.js';

export class PatchError extends Error {
  constructor(
    message: string,
    readonly operation: Operation,
    readonly index: number,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, JsonValue> | JsonValue[];

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === 'object';
}

function arrayIndex(segment: string, length: number, allowEnd: boolean): number {
  if (allowEnd && segment === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(segment)) throw new Error(`"${segment}" is not an array index`);
  const index = Number(segment);
  if (index > length || (!allowEnd && index === length)) throw new Error(`index ${index} is out of bounds (length ${length})`);
  return index;
}

function getValue(doc: JsonValue, segments: readonly string[]): JsonValue {
  let node: JsonValue = doc;
  for (const s of segments) {
    if (Array.isArray(node)) node = node[arrayIndex(s, node.length, false)]!;
    else if (isContainer(node) && Object.hasOwn(node, s)) node = (node as Record<string, JsonValue>)[s]!;
    else throw new Error(`path not found at "${s}"`);
  }
  return node;
}

/**
 * Containers this batch of operations created: they belong to nobody else yet, so later
 * operations of the same batch change them in place instead of copying them again (copying a
 * 2,000-resource `Resources` map once per operation made big templates quadratic).
 */
type Fresh = Set<object>;

/** Rebuilds the path to the parent of the last segment, copying each container on it once per batch. */
function update(doc: JsonValue, segments: readonly string[], fresh: Fresh, change: (parent: Container, last: string) => void): JsonValue {
  if (segments.length === 0) throw new Error('cannot change the document root');
  const own = (node: JsonValue): Container => {
    if (node !== null && typeof node === 'object' && fresh.has(node)) return node as Container;
    let copy: Container;
    if (Array.isArray(node)) copy = node.slice();
    else if (isContainer(node)) copy = { ...node };
    else throw new Error('path goes through a non-container value');
    fresh.add(copy);
    return copy;
  };
  const root = own(doc);
  let parent: Container = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const s = segments[i]!;
    let child: JsonValue;
    if (Array.isArray(parent)) {
      const index = arrayIndex(s, parent.length, false);
      child = own(parent[index]!);
      parent[index] = child;
    } else {
      if (!Object.hasOwn(parent, s)) throw new Error(`path not found at "${s}"`);
      child = own(parent[s]!);
      parent[s] = child;
    }
    parent = child as Container;
  }
  change(parent, segments[segments.length - 1]!);
  return root;
}

function addValue(doc: JsonValue, segments: readonly string[], value: JsonValue, fresh: Fresh): JsonValue {
  if (segments.length === 0) return value;
  return update(doc, segments, fresh, (parent, last) => {
    if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
    else parent[last] = value;
  });
}

function removeValue(doc: JsonValue, segments: readonly string[], fresh: Fresh): JsonValue {
  return update(doc, segments, fresh, (parent, last) => {
    if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
    else if (Object.hasOwn(parent, last)) delete parent[last];
    else throw new Error(`path not found at "${last}"`);
  });
}

function replaceValue(doc: JsonValue, segments: readonly string[], value: JsonValue, fresh: Fresh): JsonValue {
  if (segments.length === 0) return value;
  return update(doc, segments, fresh, (parent, last) => {
    if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, false)] = value;
    else if (Object.hasOwn(parent, last)) parent[last] = value;
    else throw new Error(`path not found at "${last}"`);
  });
}

/** Checks the operations' shape (RFC 6902 fields and values) without touching a document. */
export function validateOperations(ops: readonly Operation[]): void {
  const error = fastJsonPatch.validate(ops as fastJsonPatch.Operation[]);
  if (error) {
    const index = (error as { index?: number }).index ?? 0;
    throw new PatchError(`invalid operation ${index}: ${error.message.split('\n')[0]}`, ops[index] ?? ops[0]!, index);
  }
}

export function applyOperations(doc: JsonValue, ops: readonly Operation[]): JsonValue {
  validateOperations(ops);
  let current = doc;
  const fresh: Fresh = new Set();
  ops.forEach((op, index) => {
    try {
      const path = parsePointer(op.path);
      switch (op.op) {
        case 'add':
          current = addValue(current, path, op.value, fresh);
          break;
        case 'remove':
          current = removeValue(current, path, fresh);
          break;
        case 'replace':
          current = replaceValue(current, path, op.value, fresh);
          break;
        case 'move': {
          const from = parsePointer(op.from);
          if (op.path.startsWith(op.from + '/')) throw new Error('cannot move a value into itself');
          const value = getValue(current, from);
          current = addValue(removeValue(current, from, fresh), path, value, fresh);
          break;
        }
        case 'copy':
          current = addValue(current, path, getValue(current, parsePointer(op.from)), fresh);
          // The value now sits at two paths: nothing in it may be changed in place any more.
          fresh.clear();
          break;
        case 'test':
          if (!deepEqual(getValue(current, path), op.value)) throw new Error('test failed');
          break;
      }
    } catch (error) {
      if (error instanceof PatchError) throw error;
      throw new PatchError(`operation ${index} (${op.op} ${op.path}): ${(error as Error).message}`, op, index);
    }
  });
  return current;
}
