// Text edits against the original body, applied in one pass.

export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

/**
 * Applies non-overlapping edits in one pass. At equal offsets an insertion goes before a
 * replacement that starts there, and insertions keep the order they were made in.
 */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  return applySortedEdits(text, sortEdits(edits));
}

/** applyTextEdits for edits already in sortEdits order. */
export function applySortedEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let cursor = 0;
  for (const edit of edits) {
    if (edit.offset < cursor) {
      throw new Error(`overlapping edits at offset ${edit.offset} (previous edit ends at ${cursor})`);
    }
    out += text.slice(cursor, edit.offset) + edit.content;
    cursor = edit.offset + edit.length;
  }
  return out + text.slice(cursor);
}

/** Edits in the order they apply: by offset, a pure insertion before a replacement at the same
 *  offset, otherwise as given (the sort is stable). */
export function sortEdits(edits: readonly TextEdit[]): TextEdit[] {
  return edits.slice().sort((a, b) => a.offset - b.offset || a.length - b.length);
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the line break ending the line that holds `offset` (or the text's end). */
export function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  if (nl < 0) return text.length;
  return nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** Offset just past the line break ending the line that holds `offset`. */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** The whitespace that starts the line holding `offset`. */
export function lineIndentOf(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  let end = start;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(start, end);
}

export function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n') return false;
  }
  return true;
}
