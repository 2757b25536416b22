// Turns the patched template into the new file text and proves it: parsing the text must give
// exactly the patched template, or nothing is written.
import type { JsonValue } from '../types.js';
import type { ParsedJson } from '../template/json.js';
import type { ParsedYaml } from '../template/yaml.js';
import { parseJsonValue } from '../template/json.js';
import { parseYamlValue } from '../template/yaml.js';
import { deepEqual } from './diff.js';
import { applyTextEdits } from './edits.js';
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
  const edits = parsed.format === 'json' ? jsonEdits(parsed, after) : yamlEdits(parsed, after);
  if (edits.length === 0) return (parsed.bom ? '\uFEFF' : '') + parsed.body;
  return (parsed.bom ? '\uFEFF' : '') + applyTextEdits(parsed.body, edits);
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
  const text = renderText(parsed, after);
  verifyText(parsed.format, text, after);
  return text;
}
