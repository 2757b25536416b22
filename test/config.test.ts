// tapfix.config.json is checked: misspelt transform ids, unknown options and wrong types are errors
// with the config file's line and column; --print-config shows what a run would use.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { configSchema, validateConfigText } from '../src/engine/config.js';
import { loadTransforms } from '../src/engine/registry.js';
import { defineTransform } from '../src/transform.js';

const bin = join(import.meta.dirname, '..', 'bin', 'tapfix');
const all = await loadTransforms();

const withSchema = defineTransform({
  meta: {
    id: 'schema-demo',
    title: 'demo',
    severity: 'low',
    safety: 'safe',
    seeds: [],
    docs: '## Why\n## Fix\n## Fix safety\n',
    defaultOptions: { retention: 365 },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { retention: { type: 'integer', enum: [30, 365] } },
    },
  },
  check: () => [],
});

describe('config validation', () => {
  it('names a misspelt transform id at its line and column, with a suggestion', () => {
    const text = '{\n  // ours\n  "transforms": {\n    "standard-tag": "on",\n  }\n}\n';
    expect(validateConfigText(text, all)).toEqual([
      { message: 'unknown transform id "standard-tag" (did you mean "standard-tags"?) (see tapfix --list)', line: 4, col: 5 },
    ]);
  });

  it('rejects unknown options of a transform that has no schema, using its default option names', () => {
    const text = '{ "transforms": { "az-dynamic": { "options": { "listStyle": "select", "liststyle": "x" } } } }';
    const [problem, ...rest] = validateConfigText(text, all);
    expect(rest).toEqual([]);
    expect(problem!.message).toBe('unknown option "liststyle" for az-dynamic (known: listStyle)');
    expect(problem!.col).toBe(text.indexOf('"liststyle"') + 1);
  });

  it('checks options against the transform schema: wrong type and unknown name', () => {
    const text = '{"transforms": {"schema-demo": {"options": {"retention": "365", "retain": 1}}}}';
    const problems = validateConfigText(text, [withSchema]);
    expect(problems.map((p) => p.message).sort()).toEqual(['schema-demo: option retention must be integer', 'unknown option "retain" for schema-demo (known: retention)']);
    expect(problems.find((p) => p.message.startsWith('schema-demo'))!.col).toBe(text.indexOf('"retention"') + 1);
    expect(validateConfigText('{"transforms": {"schema-demo": {"options": {"retention": 30}}}}', [withSchema])).toEqual([]);
  });

  it('rejects unknown top-level fields, wrong field types and odd transform entries', () => {
    const text = '{"unsafe": "yes", "regoin": "us-east-1", "transforms": {"az-dynamic": {"enable": true}, "retain-stateful": 3}}';
    expect(validateConfigText(text, all).map((p) => p.message)).toEqual([
      '"unsafe" must be a boolean',
      'unknown field "regoin" (known: unsafe, region, allowJsonc, foreignSuppressions, transforms)',
      'unknown field "enable" in transforms.az-dynamic (known: enabled, options)',
      'transforms.retain-stateful must be "on", "off", true, false or { "enabled", "options" }',
    ]);
  });

  it('accepts a valid config', () => {
    const text = '{ "region": "us-west-1", "unsafe": false, "transforms": { "single-instance": "on", "standard-tags": { "options": { "project": "Payments" } } } }';
    expect(validateConfigText(text, all)).toEqual([]);
  });
});

describe('CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tapfix-config-'));
  const template = join(dir, 'stack.json');
  writeFileSync(template, JSON.stringify({ Resources: { B: { Type: 'AWS::S3::Bucket' } } }, null, 2) + '\n');

  it('stops with exit 2 and file:line:col when the config is wrong, leaving the template untouched', () => {
    writeFileSync(join(dir, 'tapfix.config.json'), '{\n  "transforms": {\n    "standard-tags": { "options": { "projct": "X" } }\n  }\n}\n');
    const run = spawnSync('node', [bin, template, '--write'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout + run.stderr).toContain(`tapfix.config.json:3:37: unknown option "projct" for standard-tags`);
  });

  it('--print-config shows the effective configuration for a template', () => {
    writeFileSync(join(dir, 'tapfix.config.json'), '{ "region": "eu-west-1", "transforms": { "single-instance": "on", "standard-tags": { "options": { "project": "Payments" } } } }');
    const run = spawnSync('node', [bin, '--print-config', template], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.configFile).toBe(join(dir, 'tapfix.config.json'));
    expect(printed.region).toBe('eu-west-1');
    expect(printed.transforms['single-instance'].enabled).toBe(true);
    expect(printed.transforms['standard-tags'].options.project).toBe('Payments');
    expect(printed.transforms['az-dynamic'].options).toEqual({ listStyle: 'select' });
  });
});

describe('data/tapfix.config.schema.json', () => {
  it('is up to date (npm run gen:docs) and agrees with the config checks', async () => {
    const all = await loadTransforms();
    const file = join(import.meta.dirname, '..', 'data', 'tapfix.config.schema.json');
    const schema = configSchema(all);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(schema);
    const validate = new Ajv({ strict: false }).compile(schema);
    const good = { $schema: './node_modules/tapfix/data/tapfix.config.schema.json', unsafe: true, transforms: { 'standard-tags': { options: { project: 'Payments' } }, 'single-instance': 'on', 'ami-from-ssm': false } };
    expect(validate(good)).toBe(true);
    expect(validateConfigText(JSON.stringify(good), all)).toEqual([]);
    for (const bad of [{ unsafe: 'yes' }, { transforms: { 'no-such-transform': true } }, { transforms: { 'standard-tags': { options: { projct: 'x' } } } }, { colour: true }]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
      expect(validateConfigText(JSON.stringify(bad), all).length, JSON.stringify(bad)).toBeGreaterThan(0);
    }
  });
});
