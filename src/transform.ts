// The one way to declare a transform. Checks the metadata eagerly so a malformed transform
// fails at load time with its id, not in the middle of a run.
import type { ForeignTool, Transform, TransformMeta } from './types.js';

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SEVERITIES = new Set(['critical', 'high', 'medium', 'low']);
const SEED = /^\d{3}#\d+$/;

/** How each tool spells its check ids (a misspelt id would never match a suppression). */
const EQUIVALENT_ID: Record<ForeignTool, RegExp> = {
  'cfn-lint': /^[EWI]\d{4}$/,
  cfn_nag: /^[FW]\d+$/,
  checkov: /^CKV2?_[A-Z0-9]+_\d+$/,
  'control-tower': /^CT\.[A-Z0-9]+(\.[A-Z0-9]+)*\.PR\.\d+$/,
};

function equivalentProblems(meta: TransformMeta): string[] {
  const list: unknown = meta.equivalents;
  if (list === undefined) return [];
  if (!Array.isArray(list)) return ['equivalents must be a list'];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of list as unknown[]) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push('an equivalent must be { tool, id, source }');
      continue;
    }
    const { tool, id, source, note, reportOnly } = entry as Record<string, unknown>;
    const pattern = typeof tool === 'string' && Object.hasOwn(EQUIVALENT_ID, tool) ? EQUIVALENT_ID[tool as ForeignTool] : undefined;
    if (!pattern) {
      problems.push(`equivalent tool "${String(tool)}" is not one of ${Object.keys(EQUIVALENT_ID).join(', ')}`);
      continue;
    }
    if (typeof id !== 'string' || !pattern.test(id)) problems.push(`equivalent ${String(tool)} id "${String(id)}" is not spelt as ${String(tool)} spells its ids`);
    let url: URL | undefined;
    try {
      url = typeof source === 'string' ? new URL(source) : undefined;
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') problems.push(`equivalent ${String(tool)} ${String(id)} needs an https source`);
    if (note !== undefined && (typeof note !== 'string' || !note)) problems.push(`equivalent ${String(tool)} ${String(id)} has an empty note`);
    if (reportOnly !== undefined && reportOnly !== true) problems.push(`equivalent ${String(tool)} ${String(id)}: reportOnly is true or absent`);
    const key = `${String(tool)} ${String(id)}`;
    if (seen.has(key)) problems.push(`equivalent ${key} is listed twice`);
    seen.add(key);
  }
  return problems;
}

export function defineTransform<Options extends Record<string, unknown> = Record<string, unknown>>(
  transform: Transform<Options>,
): Transform<Options> {
  const { meta } = transform;
  const problems: string[] = [];
  if (!ID.test(meta.id)) problems.push('id must be kebab-case');
  if (!meta.title) problems.push('title is required');
  if (!SEVERITIES.has(meta.severity)) problems.push(`unknown severity "${meta.severity}"`);
  if (meta.safety !== 'safe' && meta.safety !== 'unsafe') problems.push(`unknown safety "${meta.safety}"`);
  for (const seed of meta.seeds) if (!SEED.test(seed)) problems.push(`seed reference "${seed}" is not like 000#4`);
  for (const section of ['## Why', '## Fix', '## Fix safety']) {
    if (!meta.docs.includes(section)) problems.push(`docs lack a "${section}" section`);
  }
  const schema = meta.optionsSchema as { additionalProperties?: unknown; properties?: Record<string, unknown> } | undefined;
  if (schema) {
    if (schema.additionalProperties !== false) problems.push('optionsSchema must set additionalProperties: false');
    for (const key of Object.keys(meta.defaultOptions)) {
      if (!schema.properties || !Object.hasOwn(schema.properties, key)) problems.push(`optionsSchema lacks the default option "${key}"`);
    }
  } else if (Object.keys(meta.defaultOptions).length > 0) {
    problems.push('a transform with options needs an optionsSchema');
  }
  problems.push(...equivalentProblems(meta));
  if (problems.length) throw new Error(`transform ${meta.id || '(no id)'}: ${problems.join('; ')}`);
  return transform;
}
