// The one way to declare a transform. Checks the metadata eagerly so a malformed transform
// fails at load time with its id, not in the middle of a run.
import type { Transform } from './types.js';

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SEVERITIES = new Set(['critical', 'high', 'medium', 'low']);
const SEED = /^\d{3}#\d+$/;

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
  if (problems.length) throw new Error(`transform ${meta.id || '(no id)'}: ${problems.join('; ')}`);
  return transform;
}
