// Line diffs, fast: the `diff` package's Myers variant (same search, same tie-breaks, so the same
// result as its diffLines and createTwoFilesPatch) run over interned line numbers in typed
// arrays instead of comparing line strings and allocating a path object per step. On files with
// many fixes this is what a dry run spends its time on; test/bulk.test.ts checks the output
// stays byte-identical to the package's own. Myers costs O(N·D) (D: changed lines), so past
// MAX_EXACT_EDITS changed lines (a whole-file rewrite, a generated megabyte template) the search
// stops and a patience diff takes over: still a correct, minimal-looking diff, in O(N log N).
import { formatPatch, type StructuredPatch } from 'diff';
import { LineIndex } from '../template/tree.js';
import type { TextEdit } from '../writer/edits.js';

export interface LineChange {
  count: number;
  added: boolean;
  removed: boolean;
  /** The lines (each with its line break, as in the text). */
  lines: string[];
}

/** Lines with their line breaks, split as diffLines splits them. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  const parts = text.split(/(\n|\r\n)/);
  if (!parts[parts.length - 1]) parts.pop();
  for (let i = 0; i < parts.length; i++) {
    if (i % 2) lines[lines.length - 1] += parts[i];
    else lines.push(parts[i]!);
  }
  return lines.filter((l) => l !== '');
}

const NONE = -9;
const ADD = 1;
const REMOVE = 2;

/** Changed lines past which the exact search gives way to the patience diff. */
export const MAX_EXACT_EDITS = 2000;

interface Run {
  count: number;
  added: boolean;
  removed: boolean;
}

/** The changes between two line lists, as diffLines gives them (common, removed and added runs). */
export function diffLineLists(oldLines: readonly string[], newLines: readonly string[], maxExactEdits = MAX_EXACT_EDITS): LineChange[] {
  const ids = new Map<string, number>();
  const intern = (lines: readonly string[]) => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      let id = ids.get(lines[i]!);
      if (id === undefined) ids.set(lines[i]!, (id = ids.size));
      out[i] = id;
    }
    return out;
  };
  const A = intern(oldLines);
  const B = intern(newLines);
  const runs = myers(A, B, maxExactEdits) ?? patience(A, B);
  let oldPos = 0;
  let newPos = 0;
  return runs.map((c) => {
    let lines: string[];
    if (c.removed) {
      lines = oldLines.slice(oldPos, (oldPos += c.count));
    } else {
      lines = newLines.slice(newPos, (newPos += c.count));
      if (!c.added) oldPos += c.count;
    }
    return { ...c, lines };
  });
}

/** The diff package's search over line ids; undefined when it needs more than `maxEdits` edits. */
function myers(A: Int32Array, B: Int32Array, maxEdits: number): Run[] | undefined {
  const oldLen = A.length;
  const newLen = B.length;

  // Path nodes: one edit (or the start) followed by a run of common lines.
  let capacity = 1024;
  let nodePrev = new Int32Array(capacity);
  let nodeKind = new Uint8Array(capacity);
  let nodeSnake = new Int32Array(capacity);
  let nodes = 0;
  const newNode = (prev: number, kind: number, snake: number) => {
    if (nodes === capacity) {
      capacity *= 2;
      const p = new Int32Array(capacity);
      p.set(nodePrev);
      nodePrev = p;
      const k = new Uint8Array(capacity);
      k.set(nodeKind);
      nodeKind = k;
      const s = new Int32Array(capacity);
      s.set(nodeSnake);
      nodeSnake = s;
    }
    nodePrev[nodes] = prev;
    nodeKind[nodes] = kind;
    nodeSnake[nodes] = snake;
    return nodes++;
  };

  const build = (last: number): Run[] => {
    const chain: number[] = [];
    for (let n = last; n >= 0; n = nodePrev[n]!) chain.push(n);
    chain.reverse();
    const runs: Run[] = [];
    for (const n of chain) {
      const kind = nodeKind[n]!;
      if (kind !== 0) {
        const top = runs[runs.length - 1];
        const added = kind === ADD;
        if (top && top.added === added && top.removed === !added) top.count++;
        else runs.push({ count: 1, added, removed: !added });
      }
      if (nodeSnake[n]! > 0) runs.push({ count: nodeSnake[n]!, added: false, removed: false });
    }
    return runs;
  };

  const span = oldLen + newLen + 2;
  const bestOld = new Int32Array(2 * span + 1).fill(NONE);
  const bestNode = new Int32Array(2 * span + 1);
  const off = span;

  let o = -1;
  let n = -1;
  while (n + 1 < newLen && o + 1 < oldLen && A[o + 1] === B[n + 1]) {
    o++;
    n++;
  }
  const root = newNode(-1, 0, o + 1);
  if (o + 1 >= oldLen && n + 1 >= newLen) return build(root);
  bestOld[off] = o;
  bestNode[off] = root;

  let minDiagonal = -Infinity;
  let maxDiagonal = Infinity;
  const limit = Math.min(oldLen + newLen, maxEdits);
  for (let editLength = 1; editLength <= limit; editLength++) {
    for (let k = Math.max(minDiagonal, -editLength); k <= Math.min(maxDiagonal, editLength); k += 2) {
      const removeOld = bestOld[off + k - 1]!;
      const addOld = bestOld[off + k + 1]!;
      if (removeOld !== NONE) bestOld[off + k - 1] = NONE;
      const canAdd = addOld !== NONE && addOld - k >= 0 && addOld - k < newLen;
      const canRemove = removeOld !== NONE && removeOld + 1 < oldLen;
      if (!canAdd && !canRemove) {
        bestOld[off + k] = NONE;
        continue;
      }
      let base: number;
      let from: number;
      let kind: number;
      if (!canRemove || (canAdd && removeOld < addOld)) {
        base = addOld;
        from = bestNode[off + k + 1]!;
        kind = ADD;
      } else {
        base = removeOld + 1;
        from = bestNode[off + k - 1]!;
        kind = REMOVE;
      }
      o = base;
      n = base - k;
      while (n + 1 < newLen && o + 1 < oldLen && A[o + 1] === B[n + 1]) {
        o++;
        n++;
      }
      const node = newNode(from, kind, o - base);
      if (o + 1 >= oldLen && n + 1 >= newLen) return build(node);
      bestOld[off + k] = o;
      bestNode[off + k] = node;
      if (o + 1 >= oldLen) maxDiagonal = Math.min(maxDiagonal, k - 1);
      if (n + 1 >= newLen) minDiagonal = Math.max(minDiagonal, k + 1);
    }
  }
  return undefined;
}

/** Gaps between anchors this small still get the exact search; larger ones are replaced whole. */
const GAP_EXACT_EDITS = 200;

/**
 * Patience diff: lines that occur once in each side anchor the alignment (their longest
 * increasing run), the common ends are matched, and each gap is diffed the same way.
 */
function patience(A: Int32Array, B: Int32Array): Run[] {
  const runs: Run[] = [];
  const push = (count: number, added: boolean, removed: boolean) => {
    if (count === 0) return;
    const top = runs[runs.length - 1];
    if (top && top.added === added && top.removed === removed) top.count += count;
    else runs.push({ count, added, removed });
  };
  const solve = (a0: number, a1: number, b0: number, b1: number): void => {
    let prefix = 0;
    while (a0 + prefix < a1 && b0 + prefix < b1 && A[a0 + prefix] === B[b0 + prefix]) prefix++;
    push(prefix, false, false);
    a0 += prefix;
    b0 += prefix;
    let suffix = 0;
    while (a1 - suffix > a0 && b1 - suffix > b0 && A[a1 - 1 - suffix] === B[b1 - 1 - suffix]) suffix++;
    a1 -= suffix;
    b1 -= suffix;
    if (a0 === a1 || b0 === b1) {
      push(a1 - a0, false, true);
      push(b1 - b0, true, false);
    } else {
      const anchors = uniqueAnchors(A, B, a0, a1, b0, b1);
      if (anchors.length === 0) {
        const exact = myers(A.subarray(a0, a1), B.subarray(b0, b1), GAP_EXACT_EDITS);
        if (exact) for (const r of exact) push(r.count, r.added, r.removed);
        else {
          push(a1 - a0, false, true);
          push(b1 - b0, true, false);
        }
      } else {
        let pa = a0;
        let pb = b0;
        for (const [ia, ib] of anchors) {
          solve(pa, ia, pb, ib);
          push(1, false, false);
          pa = ia + 1;
          pb = ib + 1;
        }
        solve(pa, a1, pb, b1);
      }
    }
    push(suffix, false, false);
  };
  solve(0, A.length, 0, B.length);
  return runs;
}

/** Pairs (old index, new index) of lines unique on both sides, longest run in order on both. */
function uniqueAnchors(A: Int32Array, B: Int32Array, a0: number, a1: number, b0: number, b1: number): Array<[number, number]> {
  const inA = new Map<number, number>(); // id -> index, or -1 when repeated
  for (let i = a0; i < a1; i++) inA.set(A[i]!, inA.has(A[i]!) ? -1 : i);
  const inB = new Map<number, number>();
  for (let j = b0; j < b1; j++) inB.set(B[j]!, inB.has(B[j]!) ? -1 : j);
  const pairs: Array<[number, number]> = [];
  for (let i = a0; i < a1; i++) {
    const j = inB.get(A[i]!);
    if (inA.get(A[i]!) === i && j !== undefined && j >= 0) pairs.push([i, j]);
  }
  // Longest increasing subsequence of new indices (patience sorting).
  const tails: number[] = [];
  const back = new Int32Array(pairs.length).fill(-1);
  for (let p = 0; p < pairs.length; p++) {
    const j = pairs[p]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) back[p] = tails[lo - 1]!;
    tails[lo] = p;
  }
  const out: Array<[number, number]> = [];
  for (let p = tails.length ? tails[tails.length - 1]! : -1; p >= 0; p = back[p]!) out.push(pairs[p]!);
  return out.reverse();
}

export function diffTextLines(before: string, after: string): LineChange[] {
  return diffLineLists(splitLines(before), splitLines(after));
}

/** A run of lines: common, removed or added, read on demand (a file's common runs are long). */
interface Span {
  added: boolean;
  removed: boolean;
  count: number;
  line(i: number): string;
}

function spansOf(changes: readonly LineChange[]): Span[] {
  return changes.map((c) => ({ added: c.added, removed: c.removed, count: c.lines.length, line: (i: number) => c.lines[i]! }));
}

/**
 * The line changes between `before` and `after = before with edits applied` (edits sorted, not
 * overlapping, offsets in `before`), without comparing the untouched lines: each edit marks the
 * lines it touches on both sides, touching groups merge, and only those groups are diffed. The
 * lines between groups are equal by construction. Costs the size of the edits, not of the file.
 */
export function diffFromEdits(before: string, after: string, edits: readonly TextEdit[]): Span[] {
  // LineIndex counts the empty line after a final line break; splitLines (and diffs) do not.
  const lines = (text: string) => {
    const index = new LineIndex(text);
    const count = text === '' ? 0 : index.lineOf(text.length) + (text.endsWith('\n') ? 0 : 1);
    const line = (i: number) => text.slice(index.lineStart(i), index.lineStart(i + 1) ?? text.length);
    return { index, count, line };
  };
  const old = lines(before);
  const neu = lines(after);
  const oldLine = old.line;
  const newLine = neu.line;
  // Line groups [oldFrom, oldTo) / [newFrom, newTo) that edits touch.
  const groups: Array<{ oldFrom: number; oldTo: number; newFrom: number; newTo: number }> = [];
  let delta = 0;
  for (const edit of edits) {
    const newOffset = edit.offset + delta;
    delta += edit.content.length - edit.length;
    const group = {
      oldFrom: old.index.lineOf(edit.offset),
      oldTo: Math.min(old.count, old.index.lineOf(edit.offset + edit.length) + 1),
      newFrom: neu.index.lineOf(newOffset),
      newTo: Math.min(neu.count, neu.index.lineOf(newOffset + edit.content.length) + 1),
    };
    const last = groups[groups.length - 1];
    if (last && group.oldFrom <= last.oldTo) {
      last.oldTo = Math.max(last.oldTo, group.oldTo);
      last.newTo = Math.max(last.newTo, group.newTo);
    } else groups.push(group);
  }
  // Runs as [kind, first line on its side, count]; neighbours of one kind are joined, so each
  // common run is whole (the hunk builder counts context from it).
  const runs: Array<[kind: 'common' | 'removed' | 'added', from: number, count: number]> = [];
  const push = (kind: 'common' | 'removed' | 'added', from: number, count: number) => {
    if (count === 0) return;
    const last = runs[runs.length - 1];
    if (last && last[0] === kind && last[1] + last[2] === from) last[2] += count;
    else runs.push([kind, from, count]);
  };
  let oldPos = 0;
  for (const g of groups) {
    push('common', oldPos, g.oldFrom - oldPos);
    const oldLines: string[] = [];
    for (let i = g.oldFrom; i < g.oldTo; i++) oldLines.push(oldLine(i));
    const newLines: string[] = [];
    for (let i = g.newFrom; i < g.newTo; i++) newLines.push(newLine(i));
    let o = g.oldFrom;
    let n = g.newFrom;
    for (const change of diffLineLists(oldLines, newLines)) {
      const count = change.lines.length;
      if (change.added) push('added', n, count), (n += count);
      else if (change.removed) push('removed', o, count), (o += count);
      else push('common', o, count), (o += count), (n += count);
    }
    oldPos = g.oldTo;
  }
  push('common', oldPos, old.count - oldPos);
  return runs.map(([kind, from, count]) => ({
    added: kind === 'added',
    removed: kind === 'removed',
    count,
    line: kind === 'added' ? (i: number) => newLine(from + i) : (i: number) => oldLine(from + i),
  }));
}

/** structuredPatch's hunks, from the changes above (or from the edits that made `after`). */
export function structuredLinePatch(
  oldName: string,
  newName: string,
  before: string,
  after: string,
  context: number,
  edits?: readonly TextEdit[],
): StructuredPatch {
  const diff = edits ? diffFromEdits(before, after, edits) : spansOf(diffTextLines(before, after));
  diff.push({ added: false, removed: false, count: 0, line: () => '' });
  const slice = (span: Span, from: number, to: number) => {
    const out: string[] = [];
    for (let i = Math.max(0, from); i < Math.min(span.count, to); i++) out.push(span.line(i));
    return out;
  };
  const contextLines = (lines: string[]) => lines.map((l) => ' ' + l);
  const hunks: StructuredPatch['hunks'] = [];
  let oldRangeStart = 0;
  let newRangeStart = 0;
  let curRange: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < diff.length; i++) {
    const current = diff[i]!;
    const count = current.count;
    if (current.added || current.removed) {
      if (!oldRangeStart) {
        const prev = diff[i - 1];
        oldRangeStart = oldLine;
        newRangeStart = newLine;
        if (prev) {
          curRange = context > 0 ? contextLines(slice(prev, prev.count - context, prev.count)) : [];
          oldRangeStart -= curRange.length;
          newRangeStart -= curRange.length;
        }
      }
      for (let j = 0; j < count; j++) curRange.push((current.added ? '+' : '-') + current.line(j));
      if (current.added) newLine += count;
      else oldLine += count;
    } else {
      if (oldRangeStart) {
        if (count <= context * 2 && i < diff.length - 2) {
          for (const line of contextLines(slice(current, 0, count))) curRange.push(line);
        } else {
          const contextSize = Math.min(count, context);
          for (const line of contextLines(slice(current, 0, contextSize))) curRange.push(line);
          hunks.push({
            oldStart: oldRangeStart,
            oldLines: oldLine - oldRangeStart + contextSize,
            newStart: newRangeStart,
            newLines: newLine - newRangeStart + contextSize,
            lines: curRange,
          });
          oldRangeStart = 0;
          newRangeStart = 0;
          curRange = [];
        }
      }
      oldLine += count;
      newLine += count;
    }
  }
  for (const hunk of hunks) {
    for (let i = 0; i < hunk.lines.length; i++) {
      if (hunk.lines[i]!.endsWith('\n')) {
        hunk.lines[i] = hunk.lines[i]!.slice(0, -1);
      } else {
        hunk.lines.splice(i + 1, 0, '\\ No newline at end of file');
        i++;
      }
    }
  }
  return { oldFileName: oldName, newFileName: newName, oldHeader: '', newHeader: '', hunks };
}

/** createTwoFilesPatch(oldName, newName, before, after, '', '', { context }), faster; given the
 *  edits that made `after`, only the lines they touch are compared. */
export function twoFilesPatch(oldName: string, newName: string, before: string, after: string, context: number, edits?: readonly TextEdit[]): string {
  return formatPatch(structuredLinePatch(oldName, newName, before, after, context, edits));
}
