// Golden files: golden/<id>/<case>.input.(json|yaml) -> <case>.output.(json|yaml), byte for byte.
// `valid-*` cases must produce no finding at all. Every case must be idempotent and its output
// must parse to exactly the template that applying the reported operations gives.
// Set TAPFIX_UPDATE_GOLDEN=1 to write missing outputs locally (then read them before committing);
// in CI a missing output fails.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixText } from '../src/engine/fix.js';
import { applyOperations } from '../src/engine/patch.js';
import { loadTransforms } from '../src/engine/registry.js';
import { parseSource } from '../src/template/load.js';
import type { Transform } from '../src/types.js';

const goldenDir = join(import.meta.dirname, '..', 'golden');
const transforms = await loadTransforms();
const byId = new Map(transforms.map((t) => [t.meta.id, t]));
const update = process.env['TAPFIX_UPDATE_GOLDEN'] === '1' && !process.env['CI'];

interface CaseOptions {
  /** Options for the transform under test (or per id for pipeline cases). */
  options?: Record<string, unknown>;
  settings?: Record<string, { options?: Record<string, unknown> }>;
  /** Defaults to true: goldens show unsafe fixes too. */
  unsafe?: boolean;
  region?: string;
  /** The project the file's repository names, as the CLI finds it (TransformContext.project). */
  project?: string;
  /** Pipeline cases: which transforms to run (default: every transform enabled by default). */
  only?: string[];
  enable?: string[];
}

function casesOf(dir: string) {
  return readdirSync(dir)
    .filter((f) => /\.input\.(json|ya?ml)$/.test(f))
    .sort()
    .map((f) => {
      const name = f.replace(/\.input\.(json|ya?ml)$/, '');
      const ext = f.slice(f.lastIndexOf('.') + 1);
      return { name, input: join(dir, f), output: join(dir, `${name}.output.${ext}`), optionsFile: join(dir, `${name}.options.json`) };
    });
}

function runCase(selected: readonly Transform[], text: string, file: string, opts: CaseOptions) {
  const settings: Record<string, { options?: Record<string, unknown> }> = { ...(opts.settings ?? {}) };
  if (opts.options && selected.length === 1) settings[selected[0]!.meta.id] = { options: opts.options };
  return fixText(text, { transforms: selected, settings, unsafe: opts.unsafe ?? true, region: opts.region, project: opts.project, filePath: file });
}

const folders = existsSync(goldenDir) ? readdirSync(goldenDir).filter((d) => !d.startsWith('.')).sort() : [];

for (const folder of folders) {
  const dir = join(goldenDir, folder);
  describe(`golden/${folder}`, () => {
    const isPipeline = folder === 'pipeline';
    it('names an existing transform', () => {
      expect(isPipeline || byId.has(folder), `no transforms/${folder}.ts for golden/${folder}`).toBe(true);
    });
    for (const c of casesOf(dir)) {
      it(c.name, () => {
        const opts: CaseOptions = existsSync(c.optionsFile) ? JSON.parse(readFileSync(c.optionsFile, 'utf8')) : {};
        const selected = isPipeline
          ? transforms.filter((t) =>
              opts.only ? opts.only.includes(t.meta.id) : t.meta.enabledByDefault !== false || (opts.enable ?? []).includes(t.meta.id),
            )
          : [byId.get(folder)!].filter(Boolean);
        const input = readFileSync(c.input, 'utf8');
        const result = runCase(selected, input, c.input, opts);
        expect(result.errors, 'errors').toEqual([]);

        if (c.name.startsWith('valid-')) {
          expect(result.findings.map((f) => `${f.pointer}: ${f.message}`), 'a valid-* case must have no finding').toEqual([]);
          expect(result.output).toBe(input);
          return;
        }
        expect(result.findings.length, 'a failing case must have findings').toBeGreaterThan(0);
        if (!existsSync(c.output)) {
          if (update) writeFileSync(c.output, result.output);
          else throw new Error(`missing ${c.output} (run with TAPFIX_UPDATE_GOLDEN=1 locally, then review it)`);
        }
        expect(result.output).toBe(readFileSync(c.output, 'utf8'));

        // The text says exactly what the patch says.
        const format = result.format;
        const patched = applyOperations(parseSource(format, input).value, result.operations);
        expect(parseSource(format, result.output).value).toEqual(patched);

        // A second run finds nothing left to fix.
        const again = runCase(selected, result.output, c.input, opts);
        expect(again.errors).toEqual([]);
        expect(again.operations, 'second run must apply nothing').toEqual([]);
        expect(again.output).toBe(result.output);
      });
    }
  });
}

describe('golden folders', () => {
  it('every transform has JSON and YAML cases, including a valid-* case', () => {
    const missing: string[] = [];
    for (const t of transforms) {
      const dir = join(goldenDir, t.meta.id);
      if (!existsSync(dir)) {
        missing.push(`${t.meta.id}: no golden folder`);
        continue;
      }
      const cases = casesOf(dir);
      if (!cases.some((c) => c.input.endsWith('.json'))) missing.push(`${t.meta.id}: no JSON case`);
      if (!cases.some((c) => /\.ya?ml$/.test(c.input))) missing.push(`${t.meta.id}: no YAML case`);
      if (!cases.some((c) => c.name.startsWith('valid-'))) missing.push(`${t.meta.id}: no valid-* case`);
      if (!cases.some((c) => !c.name.startsWith('valid-'))) missing.push(`${t.meta.id}: no failing case`);
    }
    expect(missing).toEqual([]);
  });
});
