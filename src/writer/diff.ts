// Structural diff between the value the source tree describes and the patched value. The
// patcher is copy-on-write, so untouched subtrees are the same objects and cost nothing here.
import type { JsonValue } from '../types.js';
import type { ArrayNode, ObjectNode, PropNode, SourceNode, TagNode } from '../template/tree.js';

export type Slot =
  | { kind: 'root' }
  | { kind: 'prop'; parent: ObjectNode; prop: PropNode }
  | { kind: 'item'; parent: ArrayNode; index: number }
  /** The content of a YAML short-form intrinsic, right after its tag (`!If [...]`). */
  | { kind: 'tagged'; tag: TagNode; outer: Slot };

export interface ObjectChange {
  node: ObjectNode;
  slot: Slot;
  /** Indices of props that disappear. */
  removed: number[];
  /** New keys in the new value's order; appended after the last prop unless `before` says otherwise. */
  added: Array<[string, JsonValue]>;
  /** For a new key: the index of the kept prop to insert it before (template sections only). */
  before?: Map<string, number>;
}

export interface ArrayChange {
  node: ArrayNode;
  slot: Slot;
  removed: number[];
  /** Values inserted after old item `after` (-1: before the first item). */
  inserted: Array<{ after: number; values: JsonValue[] }>;
}

/** What a format writer must turn into text edits. */
export interface ChangeSink {
  replace(node: SourceNode, slot: Slot, value: JsonValue): void;
  object(change: ObjectChange): void;
  array(change: ArrayChange): void;
}

export function isPlainObject(v: unknown): v is Record<string, JsonValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

import { deepEqual } from '../cfn/values.js';
export { deepEqual };

export function diffValue(node: SourceNode, slot: Slot, before: JsonValue, after: JsonValue, sink: ChangeSink): void {
  if (before === after) return;
  switch (node.kind) {
    case 'tag': {
      const inner = isPlainObject(after) ? singleArg(after, node.fn) : undefined;
      // The tag fixes the content's kind (a tagged scalar always loads as a string): a value of
      // another kind replaces the whole tagged node.
      const kind = node.inner.kind;
      const fits =
        (kind === 'scalar' && typeof inner === 'string') ||
        (kind === 'array' && Array.isArray(inner)) ||
        (kind === 'object' && isPlainObject(inner));
      if (!node.atomic && fits && inner !== undefined && isPlainObject(before) && singleArg(before, node.fn) !== undefined) {
        // Same intrinsic: edit inside it, so `!If [...]` keeps its tag and layout.
        diffValue(node.inner, { kind: 'tagged', tag: node, outer: slot }, (before as Record<string, JsonValue>)[node.fn]!, inner, sink);
        return;
      }
      break;
    }
    case 'object':
      if (isPlainObject(before) && isPlainObject(after)) return diffObject(node, slot, before, after, sink);
      break;
    case 'array':
      if (Array.isArray(before) && Array.isArray(after)) return diffArray(node, slot, before, after, sink);
      break;
    default:
      break;
  }
  if (!deepEqual(before, after)) sink.replace(node, slot, after);
}

function singleArg(v: Record<string, JsonValue>, fn: string): JsonValue | undefined {
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === fn ? v[fn] : undefined;
}

function diffObject(
  node: ObjectNode,
  slot: Slot,
  before: Record<string, JsonValue>,
  after: Record<string, JsonValue>,
  sink: ChangeSink,
): void {
  const removed: number[] = [];
  node.props.forEach((prop, index) => {
    if (!Object.hasOwn(after, prop.key)) removed.push(index);
  });
  const added: Array<[string, JsonValue]> = [];
  for (const key of Object.keys(after)) if (!Object.hasOwn(before, key)) added.push([key, after[key]!]);
  // A list item most of whose keys are new, gone or different reads better written anew.
  let rewritten = false;
  if (slot.kind === 'item' && node.props.length > 1) {
    const same = node.props.filter((p) => Object.hasOwn(after, p.key) && deepEqual(before[p.key], after[p.key])).length;
    rewritten = node.props.length + added.length - same > same;
  }
  if (rewritten || (removed.length === node.props.length && (added.length > 0 || removed.length > 0))) {
    // Nothing of the old mapping (or too little of an old list item) survives: render it whole.
    sink.replace(node, slot, after);
    return;
  }
  node.props.forEach((prop, index) => {
    if (Object.hasOwn(after, prop.key)) {
      diffValue(prop.value, { kind: 'prop', parent: node, prop }, before[prop.key]!, after[prop.key]!, sink);
    }
  });
  if (removed.length || added.length) {
    if (slot.kind === 'root') {
      // New sections among themselves in conventional order; other keys keep theirs, after them.
      const rank = (key: string) => (SECTION_ORDER.includes(key) ? SECTION_ORDER.indexOf(key) : SECTION_ORDER.length);
      added.sort((a, b) => rank(a[0]) - rank(b[0]));
    }
    const before = slot.kind === 'root' ? sectionPositions(node, removed, added) : undefined;
    sink.object({ node, slot, removed, added, ...(before?.size ? { before } : {}) });
  }
}

/** CloudFormation's conventional order of template sections. */
const SECTION_ORDER = ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Transform', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Resources', 'Outputs'];

/** New template sections go before the first kept section that conventionally follows them. */
function sectionPositions(node: ObjectNode, removed: number[], added: Array<[string, JsonValue]>): Map<string, number> {
  const positions = new Map<string, number>();
  for (const [key] of added) {
    const rank = SECTION_ORDER.indexOf(key);
    if (rank < 0) continue;
    const index = node.props.findIndex((p, i) => !removed.includes(i) && SECTION_ORDER.indexOf(p.key) > rank);
    if (index >= 0) positions.set(key, index);
  }
  return positions;
}

function diffArray(node: ArrayNode, slot: Slot, before: JsonValue[], after: JsonValue[], sink: ChangeSink): void {
  const n = before.length;
  const m = after.length;
  // Pairs (old index, new index) of items kept as they are.
  const kept = n === m ? [] : matchItems(before, after);
  const removed: number[] = [];
  const inserted: Array<{ after: number; values: JsonValue[] }> = [];
  const pairs: Array<[number, number]> = [];
  let oi = 0;
  let ni = 0;
  const boundaries = [...kept, [n, m] as [number, number]];
  for (const [ko, kn] of boundaries) {
    // Gap: old items oi..ko-1 against new items ni..kn-1: pair the most alike in order; the
    // rest of the old ones are removed, the rest of the new ones inserted where they stand.
    const gapPairs = alignGap(before, oi, ko, after, ni, kn);
    const pairedOld = new Set(gapPairs.map(([o]) => o));
    for (let k = oi; k < ko; k++) if (!pairedOld.has(k)) removed.push(k);
    let last = oi - 1;
    let cursor = ni;
    const flush = (upTo: number) => {
      if (upTo > cursor) inserted.push({ after: last, values: after.slice(cursor, upTo) });
    };
    for (const [o, w] of gapPairs) {
      flush(w);
      pairs.push([o, w]);
      last = o;
      cursor = w + 1;
    }
    flush(kn);
    if (ko < n) pairs.push([ko, kn]);
    oi = ko + 1;
    ni = kn + 1;
  }
  if (removed.length === n && n > 0 && pairs.length === 0) {
    sink.replace(node, slot, after);
    return;
  }
  if (n === 0) {
    sink.replace(node, slot, after);
    return;
  }
  for (const [o, w] of pairs) {
    diffValue(node.items[o]!, { kind: 'item', parent: node, index: o }, before[o]!, after[w]!, sink);
  }
  if (removed.length || inserted.length) sink.array({ node, slot, removed, inserted });
}

/** How alike two values are: equal members for containers, equality for scalars. */
function similarity(a: JsonValue, b: JsonValue): number {
  if (deepEqual(a, b)) return 1000;
  if (isPlainObject(a) && isPlainObject(b)) {
    // An equal member counts 2; a member present in both counts between 1 and 2 by likeness.
    let score = 0;
    for (const key of Object.keys(a)) {
      if (!Object.hasOwn(b, key)) continue;
      const inner = deepEqual(a[key], b[key]) ? Infinity : similarity(a[key]!, b[key]!);
      score += inner === Infinity ? 2 : 1 + inner / (inner + 1);
    }
    return score;
  }
  // Lists: how many items of one appear anywhere in the other.
  if (Array.isArray(a) && Array.isArray(b)) return a.filter((x) => b.some((y) => deepEqual(x, y))).length;
  return 0;
}

/**
 * Pairs old items [o0, o1) with new items [n0, n1) in order, as many pairs as the shorter side
 * has items, choosing the pairing with the most similarity (a small dynamic programme).
 */
function alignGap(a: JsonValue[], o0: number, o1: number, b: JsonValue[], n0: number, n1: number): Array<[number, number]> {
  const p = o1 - o0;
  const q = n1 - n0;
  const k = Math.min(p, q);
  if (k === 0) return [];
  if (p === q || p * q > 10_000) return Array.from({ length: k }, (_, i) => [o0 + i, n0 + i] as [number, number]);
  // score[i][j]: best total pairing the first i old with the first j new items, where the
  // longer side may skip items and the shorter may not.
  const oldLonger = p > q;
  const NEG = -Infinity;
  const score = Array.from({ length: p + 1 }, () => new Array<number>(q + 1).fill(NEG));
  score[0]![0] = 0;
  for (let i = 0; i <= p; i++) {
    for (let j = 0; j <= q; j++) {
      if (i === 0 && j === 0) continue;
      let best = NEG;
      if (i > 0 && j > 0 && score[i - 1]![j - 1]! > NEG) best = score[i - 1]![j - 1]! + similarity(a[o0 + i - 1]!, b[n0 + j - 1]!);
      if (oldLonger && i > 0) best = Math.max(best, score[i - 1]![j]!);
      if (!oldLonger && j > 0) best = Math.max(best, score[i]![j - 1]!);
      score[i]![j] = best;
    }
  }
  const out: Array<[number, number]> = [];
  let i = p;
  let j = q;
  while (i > 0 && j > 0) {
    if (oldLonger && score[i]![j] === score[i - 1]![j]) i--;
    else if (!oldLonger && score[i]![j] === score[i]![j - 1]) j--;
    else {
      out.unshift([o0 + i - 1, n0 + j - 1]);
      i--;
      j--;
    }
  }
  return out;
}

/** Longest common subsequence of equal items (identity first, then deep equality). */
function matchItems(a: JsonValue[], b: JsonValue[]): Array<[number, number]> {
  const n = a.length;
  const m = b.length;
  if (n * m > 1_000_000) {
    // Too big for a table: match the common prefix and suffix only.
    const out: Array<[number, number]> = [];
    let p = 0;
    while (p < n && p < m && deepEqual(a[p], b[p])) out.push([p, p++]);
    const tail: Array<[number, number]> = [];
    let s = 1;
    while (n - s >= p && m - s >= p && deepEqual(a[n - s], b[m - s])) tail.unshift([n - s, m - s++]);
    return out.concat(tail);
  }
  const eq = (i: number, j: number) => a[i] === b[j] || deepEqual(a[i], b[j]);
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = eq(i, j) ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (eq(i, j)) out.push([i++, j++]);
    else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}
