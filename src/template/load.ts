// Picks the parser for a file and decides whether the value is a CloudFormation template.
import type { JsonValue } from '../types.js';
import { parseJson, type ParsedJson } from './json.js';
import { parseYaml, type ParsedYaml } from './yaml.js';

export type Parsed = ParsedJson | ParsedYaml;

/** JSON by extension or by a first significant character of `{`; YAML otherwise. */
export function detectFormat(filePath: string | undefined, text: string): 'json' | 'yaml' {
  const lower = (filePath ?? '').toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  const first = text.replace(/^\uFEFF/, '').match(/\S/)?.[0];
  return first === '{' ? 'json' : 'yaml';
}

export function parseSource(format: 'json' | 'yaml', text: string): Parsed {
  return format === 'json' ? parseJson(text) : parseYaml(text);
}

/** Why a parsed value is not a CloudFormation template, or undefined when it is one. */
export function notATemplateReason(value: JsonValue): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a mapping at the top level';
  const resources = value['Resources'];
  if (resources === null || typeof resources !== 'object' || Array.isArray(resources)) {
    return 'no Resources section';
  }
  const types = Object.values(resources).map((r) =>
    r !== null && typeof r === 'object' && !Array.isArray(r) ? r['Type'] : undefined,
  );
  if (!types.some((t) => typeof t === 'string' && /^(AWS|Custom|Alexa)::|^AWS::Serverless::/.test(t))) {
    return 'no resource of an AWS:: or Custom:: type';
  }
  return undefined;
}
