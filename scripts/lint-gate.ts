// The cfn-lint gate: what tapfix writes must not give the AWS CloudFormation linter an error the
// input did not have. Every corpus template is fixed (unsafe fixes on, every default transform;
// then once more with every transform enabled, the off-by-default ones too), inputs and outputs are linted with cfn-lint, and
// each output's errors are compared with its input's by rule, resource and message.
//   node dist/scripts/lint-gate.js [corpusDir] [--work dir] [--jobs n] [--batch n] [--only a,b] [--verbose]
// Exit 1 when an output has a new error (or cfn-lint is missing or fails), 0 otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fixText } from '../src/engine/fix.js';
import { loadTransforms } from '../src/engine/registry.js';
import { packageRoot } from '../src/paths.js';
import { corpusTemplates, readRegionFile } from './corpus-files.js';

/** Rules whose answer depends on today's date (deprecated runtimes, AMI paths), not on the fix. */
const DATE_DEPENDENT_RULES = new Set(['W2531', 'W1030', 'W3691']);

const args = process.argv.slice(2);
const valueFlags = ['--work', '--jobs', '--batch', '--only'];
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const corpus = resolve(args.find((a, i) => !a.startsWith('--') && !valueFlags.includes(args[i - 1] ?? '')) ?? join(packageRoot, '..', 'shared', 'corpus'));
const jobs = Math.max(1, Number(flag('--jobs') ?? availableParallelism()));
const batchSize = Math.max(1, Number(flag('--batch') ?? 40));
const only = flag('--only')?.split(',');
const verbose = args.includes('--verbose');
const keepWork = flag('--work') !== undefined;
const work = resolve(flag('--work') ?? mkdtempSync(join(tmpdir(), 'tapfix-lint-gate-')));

interface LintProblem {
  rule: string;
  level: string;
  resource: string;
  message: string;
  line: number;
}

interface CfnLintMatch {
  Filename: string;
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location: { Path?: unknown[]; Start: { LineNumber: number } };
}

const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
if (version.error || version.status !== 0) {
  console.error('lint gate: cfn-lint is not on PATH (install it with `pip install cfn-lint`); the gate cannot run');
  process.exit(1);
}
console.log(`lint gate: ${version.stdout.trim()}, corpus ${corpus}`);

/** Message text without the parts that change when a fix adds a name or moves a line. */
function normalizeMessage(message: string): string {
  return message
    .replace(/ is not one of \[.*?\](?= |$)/g, ' is not one of [...]')
    .replace(/\s*\(line \d+\)/g, '')
    .replace(/\[(\s*'[^']*',?)+\s*\]/g, '[...]');
}

function problemKey(p: LintProblem): string {
  return `${p.rule}\u0000${p.level}\u0000${p.resource}\u0000${normalizeMessage(p.message)}`;
}

function lintBatch(files: string[], region: string): Promise<Map<string, LintProblem[]>> {
  return new Promise((done, fail) => {
    const child = spawn('cfn-lint', ['--format', 'json', '--regions', region, '--', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', fail);
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8');
      let matches: CfnLintMatch[];
      try {
        matches = JSON.parse(text || '[]') as CfnLintMatch[];
      } catch {
        fail(new Error(`cfn-lint exited ${code} without JSON output: ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`));
        return;
      }
      const byFile = new Map<string, LintProblem[]>(files.map((f) => [resolve(f), []]));
      for (const m of matches) {
        if (DATE_DEPENDENT_RULES.has(m.Rule.Id)) continue;
        const path = m.Location.Path ?? [];
        const resource = path[0] === 'Resources' && typeof path[1] === 'string' ? path[1] : String(path[0] ?? '');
        const list = byFile.get(resolve(m.Filename));
        if (!list) continue;
        list.push({ rule: m.Rule.Id, level: m.Level, resource, message: m.Message, line: m.Location.Start.LineNumber });
      }
      done(byFile);
    });
  });
}

/** Lints every file (grouped by region, `batchSize` files per call, `jobs` calls at a time). */
async function lintAll(files: ReadonlyArray<{ path: string; region: string }>): Promise<Map<string, LintProblem[]>> {
  const batches: Array<{ region: string; files: string[] }> = [];
  const byRegion = new Map<string, string[]>();
  for (const f of files) byRegion.set(f.region, [...(byRegion.get(f.region) ?? []), f.path]);
  for (const [region, list] of [...byRegion].sort()) {
    for (let i = 0; i < list.length; i += batchSize) batches.push({ region, files: list.slice(i, i + batchSize) });
  }
  const results = new Map<string, LintProblem[]>();
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      for (const [file, problems] of await lintBatch(batch.files, batch.region)) results.set(file, problems);
      finished++;
      if (process.stderr.isTTY) process.stderr.write(`\rcfn-lint: ${finished}/${batches.length} batches`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, batches.length) }, worker));
  if (process.stderr.isTTY) process.stderr.write('\n');
  return results;
}

const all = await loadTransforms();
const variants = [
  { name: 'unsafe', transforms: all.filter((t) => t.meta.enabledByDefault !== false) },
  // Every transform, the off-by-default ones (single-instance, detailed monitoring, Multi-AZ...) too.
  { name: 'unsafe+all', transforms: all },
].map((v) => ({ ...v, transforms: only ? v.transforms.filter((t) => only.includes(t.meta.id)) : v.transforms }));

interface Pair {
  rel: string;
  variant: string;
  input: string;
  output: string;
  region: string;
}

const started = performance.now();
const pairs: Pair[] = [];
const inputs = new Map<string, string>(); // input path -> region
let templates = 0;
for (const file of corpusTemplates(corpus)) {
  const rel = relative(corpus, file);
  const text = readFileSync(file, 'utf8');
  // cfn-lint checks region-specific facts; the region file says where the template deploys.
  const region = readRegionFile(dirname(file)) ?? 'us-east-1';
  const outputs = new Set<string>();
  for (const [i, variant] of variants.entries()) {
    const result = fixText(text, { transforms: variant.transforms, unsafe: true, region: readRegionFile(dirname(file)), filePath: file });
    if (i === 0 && (result.status === 'changed' || result.status === 'unchanged')) templates++;
    if (result.status !== 'changed' || outputs.has(result.output)) continue;
    outputs.add(result.output);
    const output = join(work, variant.name, rel);
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, result.output);
    pairs.push({ rel, variant: variant.name, input: file, output, region });
    inputs.set(file, region);
  }
}
const fixSeconds = (performance.now() - started) / 1000;
console.log(`fixed: ${templates} templates loaded, ${pairs.length} outputs changed (${variants.map((v) => v.name).join(', ')}) in ${fixSeconds.toFixed(1)} s`);

const lintStarted = performance.now();
const lint = await lintAll([...[...inputs].map(([path, region]) => ({ path, region })), ...pairs.map((p) => ({ path: p.output, region: p.region }))]);
const lintSeconds = (performance.now() - lintStarted) / 1000;

const count = (list: LintProblem[], level: string) => list.filter((p) => p.level === level).length;
let errorsBefore = 0;
let errorsAfter = 0;
const newErrors: string[] = [];
const newWarnings = new Map<string, number>();
const newErrorsByRule = new Map<string, number>();
const linted = new Set<string>();
for (const pair of pairs) {
  const before = lint.get(resolve(pair.input)) ?? [];
  const after = lint.get(resolve(pair.output)) ?? [];
  if (!linted.has(pair.input)) {
    linted.add(pair.input);
    errorsBefore += count(before, 'Error');
  }
  if (pair.variant === variants[0]!.name) errorsAfter += count(after, 'Error');
  const remaining = new Map<string, number>();
  for (const p of before) remaining.set(problemKey(p), (remaining.get(problemKey(p)) ?? 0) + 1);
  for (const p of after) {
    const key = problemKey(p);
    const left = remaining.get(key) ?? 0;
    if (left > 0) {
      remaining.set(key, left - 1);
      continue;
    }
    if (p.level === 'Error') {
      newErrors.push(`${pair.variant}/${pair.rel}:${p.line}: ${p.rule} [${p.resource}] ${p.message}`);
      newErrorsByRule.set(p.rule, (newErrorsByRule.get(p.rule) ?? 0) + 1);
    } else if (p.level === 'Warning') {
      newWarnings.set(p.rule, (newWarnings.get(p.rule) ?? 0) + 1);
    }
  }
}

console.log(`linted: ${inputs.size} inputs and ${pairs.length} outputs in ${lintSeconds.toFixed(1)} s (${jobs} cfn-lint processes, ${batchSize} files per call)`);
console.log(`errors: ${errorsBefore} in the inputs, ${errorsAfter} in the outputs (${variants[0]!.name}); new errors: ${newErrors.length}`);
const perRule = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r, n]) => `${r} ${n}`).join(', ');
console.log(`new warnings per rule: ${newWarnings.size ? perRule(newWarnings) : 'none'}`);
if (!keepWork) rmSync(work, { recursive: true, force: true });
else console.log(`outputs kept in ${work}`);
if (newErrors.length) {
  console.log(`new errors per rule: ${perRule(newErrorsByRule)}`);
  for (const e of newErrors.slice(0, verbose ? Infinity : 100)) console.log(`  ${e}`);
  if (!verbose && newErrors.length > 100) console.log(`  ... ${newErrors.length - 100} more (--verbose lists all)`);
  console.log('lint gate failed: a fix gave cfn-lint an error its input did not have');
  process.exitCode = 1;
} else {
  console.log('lint gate passed');
}
