// RFC 6901 JSON pointers: the address format of findings and of RFC 6902 patch operations.
// https://www.rfc-editor.org/rfc/rfc6901 — '~' is written '~0' and '/' is written '~1';
// the whole document is the empty pointer ''.

import type { JsonValue } from '../types.js';

/** Escapes one reference token: `~` -> `~0` first, then `/` -> `~1` (order matters, RFC 6901 §3). */
export function escapePointerSegment(segment: string | number): string {
  const s = String(segment);
  if (!s.includes('~') && !s.includes('/')) return s;
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Reverses {@link escapePointerSegment}: `~1` -> `/` first, then `~0` -> `~` (RFC 6901 §4). */
export function unescapePointerSegment(segment: string): string {
  if (!segment.includes('~')) return segment;
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Builds a pointer from raw (unescaped) segments: `pointer('Resources', 'My/Bucket', 'Properties')`
 * is `/Resources/My~1Bucket/Properties`. No segments gives the root pointer `''`.
 */
export function pointer(...segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) out += '/' + escapePointerSegment(s);
  return out;
}

/** Appends raw segments to an existing pointer. */
export function childPointer(parent: string, ...segments: (string | number)[]): string {
  return parent + pointer(...segments);
}

/** Splits a pointer into its raw (unescaped) segments; `''` is `[]`. Throws on a pointer not starting with `/`. */
export function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new Error(`Invalid JSON pointer ${JSON.stringify(p)}: must be empty or start with "/"`);
  return p.slice(1).split('/').map(unescapePointerSegment);
}

/**
 * The value at `p` inside `value`, or `undefined` when the path does not exist. Only own
 * properties are followed (never the prototype chain); array segments must be canonical
 * decimal indexes (`-` and `01` address nothing).
 */
export function getAt(value: unknown, p: string): JsonValue | undefined {
  let current: unknown = value;
  for (const segment of parsePointer(p)) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      const index = Number(segment);
      if (index >= current.length) return undefined;
      current = current[index];
    } else if (current !== null && typeof current === 'object') {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current as JsonValue | undefined;
}
