// tapfix.config.json checked against what tapfix knows: the top-level fields, the transform ids,
// and each transform's options against the JSON Schema in its meta. A typo is an error at the
// file's line and column, never silently ignored.
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { Transform } from '../types.js';
import { ajvClass } from '../on-demand.js';

export interface ConfigProblem {
  message: string;
  line: number;
  col: number;
}

/** The fields of tapfix.config.json, with the JSON type each takes. */
const TOP_LEVEL: Record<string, 'boolean' | 'string' | 'object'> = {
  // Editors read it to complete and check the file (data/tapfix.config.schema.json).
  $schema: 'string',
  unsafe: 'boolean',
  region: 'string',
  allowJsonc: 'boolean',
  foreignSuppressions: 'boolean',
  transforms: 'object',
};

const ENTRY_KEYS = new Set(['enabled', 'options']);

// Loaded when a config first sets options (src/on-demand.ts).
let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(transform: Transform): ValidateFunction | undefined {
  const schema = transform.meta.optionsSchema;
  if (!schema) return undefined;
  let validate = compiled.get(schema);
  if (!validate) {
    ajv ??= new (ajvClass())({ allErrors: true, strict: true, allowUnionTypes: true });
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Problems in `options` for `transform` (unknown names, wrong types, values out of range),
 * each with the JSON path below `options` it concerns.
 */
export function optionProblems(transform: Transform, options: unknown): Array<{ path: Array<string | number>; message: string }> {
  const validate = validatorOf(transform);
  if (!validate) {
    const known = new Set(Object.keys(transform.meta.defaultOptions));
    if (options === null || typeof options !== 'object' || Array.isArray(options)) return [{ path: [], message: 'options must be an object' }];
    return Object.keys(options)
      .filter((k) => !known.has(k))
      .map((k) => ({ path: [k], message: `unknown option "${k}" for ${transform.meta.id}${known.size ? ` (known: ${[...known].join(', ')})` : ' (it takes none)'}` }));
  }
  if (validate(options)) return [];
  // One problem per value: a wrong type also fails the enum next to it; the first says it best.
  const seen = new Set<string>();
  return (validate.errors ?? [])
    .map((e) => describeError(transform, e))
    .filter((p) => {
      const key = JSON.stringify(p.path);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function describeError(transform: Transform, e: ErrorObject): { path: Array<string | number>; message: string } {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const id = transform.meta.id;
  if (e.keyword === 'additionalProperties') {
    const name = String((e.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys((transform.meta.optionsSchema as { properties?: object }).properties ?? {});
    return { path: [...path, name], message: `unknown option "${name}" for ${id}${known.length ? ` (known: ${known.join(', ')})` : ' (it takes none)'}` };
  }
  const where = path.length ? `option ${path.join('.')}` : 'options';
  return { path, message: `${id}: ${where} ${e.message ?? 'is invalid'}` };
}

const FIELD_DESCRIPTIONS: Record<string, string> = {
  $schema: 'The JSON Schema of this file, for editors: ./node_modules/tapfix/data/tapfix.config.schema.json',
  unsafe: 'Apply unsafe fixes too (they may replace resources or change behaviour), as --unsafe does.',
  region: 'Target region of the templates below this folder, unless --region says otherwise.',
  allowJsonc: 'Process JSON templates that hold comments or trailing commas (they are kept).',
  foreignSuppressions: 'Leave resources alone that suppress an equivalent cfn-lint, cfn_nag or checkov check (default true).',
  transforms: 'Per transform id: "on", "off", true, false, or { "enabled", "options" }.',
};

/**
 * The JSON Schema (draft 7) of tapfix.config.json for editors: the fields, every transform id, and
 * each transform's options schema. Written to data/tapfix.config.schema.json by `npm run gen:docs`;
 * the checks of validateConfigText stay the authority (they also locate problems).
 */
export function configSchema(transforms: readonly Transform[]): Record<string, unknown> {
  const sorted = [...transforms].sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
  const entry = (t: Transform) => ({
    description: `${t.meta.title}${t.meta.enabledByDefault === false ? ' (off by default)' : ''}. docs/rules/${t.meta.id}.md`,
    anyOf: [
      { type: 'boolean' },
      { enum: ['on', 'off'] },
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          enabled: { type: 'boolean' },
          options: t.meta.optionsSchema ?? { type: 'object', additionalProperties: false, properties: {} },
        },
      },
    ],
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'tapfix.config.json',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(
      Object.entries(TOP_LEVEL).map(([key, type]) => [
        key,
        key === 'transforms'
          ? { type, description: FIELD_DESCRIPTIONS[key], additionalProperties: false, properties: Object.fromEntries(sorted.map((t) => [t.meta.id, entry(t)])) }
          : { type, description: FIELD_DESCRIPTIONS[key] },
      ]),
    ),
  };
}

/** Every problem of a config file's text, located; [] when it is valid. */
export function validateConfigText(text: string, transforms: readonly Transform[]): ConfigProblem[] {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const at = (node: Node | undefined): { line: number; col: number } => lineCol(text, node?.offset ?? 0);
  if (errors.length || !root) return [{ message: 'not valid JSON (comments and trailing commas are allowed)', ...lineCol(text, errors[0]?.offset ?? 0) }];
  if (root.type !== 'object') return [{ message: 'the config must be a JSON object', ...at(root) }];
  const problems: ConfigProblem[] = [];
  const byId = new Map(transforms.map((t) => [t.meta.id, t]));
  for (const property of root.children ?? []) {
    const [keyNode, valueNode] = property.children ?? [];
    const key = String(keyNode?.value);
    const expected = TOP_LEVEL[key];
    if (!expected) {
      problems.push({ message: `unknown field "${key}" (known: ${Object.keys(TOP_LEVEL).filter((k) => k !== '$schema').join(', ')})`, ...at(keyNode) });
      continue;
    }
    if (valueNode?.type !== expected) {
      problems.push({ message: `"${key}" must be a${expected === 'object' ? 'n' : ''} ${expected}`, ...at(valueNode) });
      continue;
    }
    if (key !== 'transforms') continue;
    for (const entry of valueNode.children ?? []) {
      const [idNode, settingNode] = entry.children ?? [];
      const id = String(idNode?.value);
      const transform = byId.get(id);
      if (!transform) {
        problems.push({ message: `unknown transform id "${id}"${suggest(id, [...byId.keys()])} (see tapfix --list)`, ...at(idNode) });
        continue;
      }
      if (settingNode?.type === 'boolean' || (settingNode?.type === 'string' && (settingNode.value === 'on' || settingNode.value === 'off'))) continue;
      if (settingNode?.type !== 'object') {
        problems.push({ message: `transforms.${id} must be "on", "off", true, false or { "enabled", "options" }`, ...at(settingNode) });
        continue;
      }
      for (const field of settingNode.children ?? []) {
        const [fieldKey, fieldValue] = field.children ?? [];
        const name = String(fieldKey?.value);
        if (!ENTRY_KEYS.has(name)) problems.push({ message: `unknown field "${name}" in transforms.${id} (known: enabled, options)`, ...at(fieldKey) });
        else if (name === 'enabled' && fieldValue?.type !== 'boolean') problems.push({ message: `transforms.${id}.enabled must be a boolean`, ...at(fieldValue) });
      }
      const optionsNode = findNodeAtLocation(settingNode, ['options']);
      if (!optionsNode) continue;
      for (const problem of optionProblems(transform, nodeValue(optionsNode))) {
        const node = locate(optionsNode, problem.path);
        problems.push({ message: problem.message, ...at(node) });
      }
    }
  }
  return problems;
}

/** The node for `path` below `node`, or the deepest node that exists on the way (a key when it names one). */
function locate(node: Node, path: ReadonlyArray<string | number>): Node {
  let current = node;
  for (const step of path) {
    const next = findNodeAtLocation(current, [step]);
    if (!next) break;
    current = next;
  }
  if (current !== node && current.parent?.type === 'property') return current.parent.children?.[0] ?? current;
  return current;
}

function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries((node.children ?? []).map((p) => [String(p.children?.[0]?.value), p.children?.[1] ? nodeValue(p.children[1]) : null]));
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

/** ` (did you mean "x"?)` for a near miss (edit distance at most 2), else ''. */
function suggest(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
