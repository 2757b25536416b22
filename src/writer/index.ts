// Turns the patched template into the new file text and proves it: parsing the text must give
// exactly the patched template, or nothing is written.
import type { JsonValue } from '../types.js';
import type { ParsedJson } from '../template/json.js';
import type { ParsedYaml } from '../template/yaml.js';
import { parseJsonValue } from '../template/json.js';
import { parseYamlValue } from '../template/yaml.js';
import { deepEqual } from './diff.js';
import { applySortedEdits, sortEdits, type TextEdit } from './edits.js';
import { jsonEdits } from './json.js';
import { yamlEdits } from './yaml.js';

export class WriterInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriterInvariantError';
  }
}

/** The new text of the file (BOM kept), or the original text when nothing changed. */
export function renderText(parsed: ParsedJson | ParsedYaml, after: JsonValue): string {
  return renderEdits(parsed, after).text;
}

/** The new text and the edits that make it, sorted, with offsets in the whole original text. */
function renderEdits(parsed: ParsedJson | ParsedYaml, after: JsonValue): { text: string; edits: TextEdit[] } {
  const edits = sortEdits(parsed.format === 'json' ? jsonEdits(parsed, after) : yamlEdits(parsed, after));
  const bom = parsed.bom ? '\uFEFF' : '';
  const text = bom + (edits.length === 0 ? parsed.body : applySortedEdits(parsed.body, edits));
  return { text, edits: bom ? edits.map((e) => ({ ...e, offset: e.offset + 1 })) : edits };
}

/** Throws WriterInvariantError unless `text` parses to exactly `expected`. */
export function verifyText(format: 'json' | 'yaml', text: string, expected: JsonValue): void {
  let reparsed: JsonValue;
  try {
    // Checked without building a source tree or reading the style (same errors, same value).
    reparsed = format === 'json' ? parseJsonValue(text) : parseYamlValue(text);
  } catch (error) {
    throw new WriterInvariantError(`the written text does not parse: ${(error as Error).message}`);
  }
  if (!deepEqual(reparsed, expected)) {
    throw new WriterInvariantError('the written text does not parse to the patched template');
  }
}

export function writeFixed(parsed: ParsedJson | ParsedYaml, after: JsonValue): string {
  return writeFixedEdits(parsed, after).text;
}

/** writeFixed, also giving the edits (for a diff of only the lines they touch). */
export function writeFixedEdits(parsed: ParsedJson | ParsedYaml, after: JsonValue): { text: string; edits: TextEdit[] } {
  const rendered = renderEdits(parsed, after);
  verifyText(parsed.format, rendered.text, after);
  return rendered;
}
