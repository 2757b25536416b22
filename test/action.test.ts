// The GitHub Action: action.yml's run step is scripts/action.sh fed by environment variables, so
// this runs the same script the way the runner does (GITHUB_ACTION_PATH = this checkout).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { NEEDS_BUCKET_KEY } from './fixtures.js';

const root = join(import.meta.dirname, '..');
const action = load(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default: string }>;
  runs: { using: string; steps: Array<{ id?: string; run?: string; env?: Record<string, string> }> };
};
const TEMPLATE = NEEDS_BUCKET_KEY;

function runAction(inputs: Record<string, string>, cwd: string) {
  const step = action.runs.steps.find((s) => s.id === 'tapfix')!;
  const env: Record<string, string> = { ...process.env, GITHUB_ACTION_PATH: root, GITHUB_STEP_SUMMARY: join(cwd, 'summary.md'), GITHUB_OUTPUT: join(cwd, 'output.txt'), NO_COLOR: '1' };
  // ${{ inputs.x }} as the runner expands it: the given input, else its default.
  for (const [name, expression] of Object.entries(step.env!)) {
    const input = /^\$\{\{ inputs\.([a-z-]+) \}\}$/.exec(expression)![1]!;
    env[name] = inputs[input] ?? action.inputs[input]!.default;
  }
  const r = spawnSync('bash', ['-c', step.run!], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

describe('GitHub Action', () => {
  it('is a composite action whose tapfix step runs scripts/action.sh', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.runs.steps.find((s) => s.id === 'tapfix')!.run).toBe('bash "$GITHUB_ACTION_PATH/scripts/action.sh"');
  });

  it('check mode fails on pending fixes and writes SARIF, the job summary and the output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapfix-action-'));
    writeFileSync(join(dir, 'stack.yaml'), TEMPLATE);
    const r = runAction({ args: '--only s3-bucket-key' }, dir);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(join(dir, 'tapfix.sarif'), 'utf8'));
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['s3-bucket-key']);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/s3-bucket-key/);
    expect(readFileSync(join(dir, 'output.txt'), 'utf8')).toBe('sarif-file=tapfix.sarif\n');
    expect(readFileSync(join(dir, 'stack.yaml'), 'utf8')).toBe(TEMPLATE);
  }, 60_000);

  it('write mode fixes in place; SARIF then lists only what is left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapfix-action-'));
    writeFileSync(join(dir, 'stack.yaml'), TEMPLATE);
    const r = runAction({ mode: 'write', paths: 'stack.yaml', args: '--only s3-bucket-key', 'sarif-file': 'out/t.sarif' }, dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'stack.yaml'), 'utf8')).toMatch(/BucketKeyEnabled: true/);
    expect(JSON.parse(readFileSync(join(dir, 'out', 't.sarif'), 'utf8')).runs[0].results).toEqual([]);
    expect(runAction({ mode: 'fix' }, dir).code).toBe(2);
  }, 60_000);
});
