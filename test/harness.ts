// A RuleTester-like harness: run one transform through the real engine (selection, options merged
// over the defaults and checked against the transform's schema, suppressions, passes to a fixed
// point, invariants, writer) on a template given inline, and look at what came out.
//
//   const r = runTransform('s3-bucket-key', { Resources: { ... } });
//   expect(r.ids).toEqual(['noBucketKey']);
//   expect(r.template.Resources.B.Properties...).toEqual(...);
//   expect(r.output).toBe(expectedText);
import { expect } from 'vitest';
import { loadTransforms } from '../src/engine/registry.js';
import { fixText, type FileResult, type ReportedFinding } from '../src/engine/fix.js';
import { selectTransforms } from '../src/engine/select.js';
import type { JsonValue, Transform } from '../src/types.js';

export interface RunOptions {
  options?: Record<string, unknown>;
  region?: string;
  /** Apply unsafe fixes too (default true, as goldens do, so the fix is seen). */
  unsafe?: boolean;
  /** The text format; a template object is written as 2-space JSON or, for yaml, must be text. */
  format?: 'json' | 'yaml';
  filePath?: string;
  /** The project the file's repository names (TransformContext.project). */
  project?: string;
  /** Other transforms that run in the same pipeline (by id). */
  with?: string[];
}

export interface RunResult {
  result: FileResult;
  findings: ReportedFinding[];
  /** messageId of each finding, in order (the transform's own; '?' when it gives none). */
  ids: string[];
  output: string;
  /** The fixed template (the input when nothing changed). */
  template: any;
  changed: boolean;
}

const all: Transform[] = await loadTransforms();

export function transformById(id: string): Transform {
  const t = all.find((x) => x.meta.id === id);
  if (!t) throw new Error(`no transform ${id}`);
  return t;
}

/** Runs transform `id` (and `with`) through the engine on `input` (a template object or text). */
export function runTransform(id: string, input: unknown, run: RunOptions = {}): RunResult {
  const format = run.format ?? 'json';
  const text = typeof input === 'string' ? input : JSON.stringify(input, null, 2) + '\n';
  const { transforms, settings } = selectTransforms(
    all,
    run.options ? { transforms: { [id]: { enabled: true, options: run.options } } } : {},
    { only: [id, ...(run.with ?? [])] },
  );
  const result = fixText(text, {
    transforms,
    settings,
    unsafe: run.unsafe ?? true,
    region: run.region,
    filePath: run.filePath ?? `template.${format}`,
    project: run.project,
    format,
  });
  if (result.errors.length) throw new Error(`engine errors: ${result.errors.map((e) => e.message).join('; ')}`);
  const findings = result.findings.filter((f) => f.transform === id);
  return {
    result,
    findings,
    ids: findings.map((f) => f.messageId ?? '?'),
    output: result.output,
    template: result.after ?? result.before,
    changed: result.status === 'changed',
  };
}

/** Asserts a second run of the same transform over the output finds nothing to fix. */
export function expectIdempotent(id: string, r: RunResult, run: RunOptions = {}): void {
  const again = runTransform(id, r.output, { ...run, format: r.result.format });
  expect(again.findings.filter((f) => f.fix === 'applied')).toEqual([]);
  expect(again.changed).toBe(false);
}

export type { JsonValue };
