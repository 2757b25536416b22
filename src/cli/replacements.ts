// The text replacements that turn the original file into the fixed one: the changed line runs
// of a line diff, each as a deleted region (character offset and line/column, both counting
// UTF-16 code units, 1-based lines and columns) and the text inserted there. SARIF fixes are
// built from them.
import { diffTextLines } from './linediff.js';
import { LineIndex } from '../template/tree.js';

export interface TextReplacement {
  /** Offset and length of the deleted text in the original (UTF-16 code units). */
  offset: number;
  length: number;
  startLine: number;
  startColumn: number;
  /** Position just past the deleted text (equal to the start for a pure insertion). */
  endLine: number;
  endColumn: number;
  inserted: string;
}

export function textReplacements(before: string, after: string): TextReplacement[] {
  if (before === after) return [];
  // Only the middle that differs goes through the diff: fixes touch little of a big file.
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  prefix = before.lastIndexOf('\n', prefix - 1) + 1; // whole lines
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  // Keep the suffix to whole lines as well: it starts just after a line break.
  while (suffix > 0 && before.charCodeAt(before.length - suffix - 1) !== 10) suffix--;

  const oldMiddle = before.slice(prefix, before.length - suffix);
  const newMiddle = after.slice(prefix, after.length - suffix);
  const lines = new LineIndex(before);
  const raw: Array<{ offset: number; length: number; inserted: string }> = [];
  let cursor = prefix;
  let pending: { offset: number; length: number; inserted: string } | undefined;
  for (const part of diffTextLines(oldMiddle, newMiddle)) {
    const value = part.lines.join('');
    if (!part.added && !part.removed) {
      if (pending) raw.push(pending);
      pending = undefined;
      cursor += value.length;
      continue;
    }
    pending ??= { offset: cursor, length: 0, inserted: '' };
    if (part.removed) {
      pending.length += value.length;
      cursor += value.length;
    } else {
      pending.inserted += value;
    }
  }
  if (pending) raw.push(pending);
  return raw.map(({ offset, length, inserted }) => {
    const start = lines.position(offset);
    const end = lines.position(offset + length);
    return { offset, length, startLine: start.line, startColumn: start.col, endLine: end.line, endColumn: end.col, inserted };
  });
}

/** Applies replacements to the original text (to check them). */
export function applyReplacements(before: string, replacements: readonly TextReplacement[]): string {
  let out = '';
  let cursor = 0;
  for (const r of [...replacements].sort((a, b) => a.offset - b.offset)) {
    out += before.slice(cursor, r.offset) + r.inserted;
    cursor = r.offset + r.length;
  }
  return out + before.slice(cursor);
}
