// Edits inside comma-separated containers: JSON objects/arrays and YAML flow collections.
import { isBlank, lineIndentOf, type TextEdit } from './edits.js';

export interface FlowEntry {
  start: number;
  end: number;
}

export interface FlowChange {
  /** Container range including its brackets. */
  start: number;
  end: number;
  entries: FlowEntry[];
  removed: readonly number[];
  /** Rendered entries to insert after entry `after` (-1: before the first). */
  inserted: ReadonlyArray<{ after: number; texts: string[] }>;
}

export interface FlowLayout {
  multiline: boolean;
  /** Indentation of entries when multiline. */
  itemIndent: string;
}

export function flowLayout(text: string, start: number, end: number, entries: FlowEntry[], indentUnit: string): FlowLayout {
  const multiline = text.slice(start, end).includes('\n');
  if (!multiline) return { multiline, itemIndent: '' };
  const last = entries[entries.length - 1];
  const itemIndent = last && isBlank(text, lineStartOfFast(text, last.start), last.start)
    ? lineIndentOf(text, last.start)
    : lineIndentOf(text, start) + indentUnit;
  return { multiline, itemIndent };
}

function lineStartOfFast(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Edits for removals and insertions; the caller guarantees at least one entry survives. */
export function flowEdits(change: FlowChange, layout: FlowLayout, eol: string): TextEdit[] {
  const edits: TextEdit[] = [];
  const { entries } = change;
  const removed = new Set(change.removed);
  const sep = layout.multiline ? eol + layout.itemIndent : ' ';
  // Maximal runs of removed entries: delete from the end of the kept entry before the run
  // (taking the run's leading commas), or for a run at the start, up to the next kept entry.
  for (let i = 0; i < entries.length; i++) {
    if (!removed.has(i)) continue;
    let j = i;
    while (j + 1 < entries.length && removed.has(j + 1)) j++;
    if (i > 0) {
      edits.push({ offset: entries[i - 1]!.end, length: entries[j]!.end - entries[i - 1]!.end, content: '' });
    } else {
      const next = entries[j + 1]!;
      edits.push({ offset: entries[0]!.start, length: next.start - entries[0]!.start, content: '' });
    }
    i = j;
  }
  for (const { after, texts } of change.inserted) {
    if (texts.length === 0) continue;
    if (after < 0) {
      edits.push({ offset: entries[0]!.start, length: 0, content: texts.join(',' + sep) + ',' + sep });
    } else {
      edits.push({ offset: entries[after]!.end, length: 0, content: texts.map((t) => ',' + sep + t).join('') });
    }
  }
  return edits;
}
