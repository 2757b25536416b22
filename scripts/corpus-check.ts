// Corpus check (CI runs it after the tests): every template under ../shared/corpus goes through
// every transform. Fails when anything crashes, when a fix breaks an invariant, when a file that
// cannot be loaded would be touched, or when a second run still finds something to fix.
//   node dist/scripts/corpus-check.js [corpusDir] [--only a,b] [--out dir] [--safe-only] [--verbose]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fixText, type FileResult } from '../src/engine/fix.js';
import { loadTransforms } from '../src/engine/registry.js';
import { parseSource } from '../src/template/load.js';
import { deepEqual } from '../src/writer/diff.js';
import { packageRoot } from '../src/paths.js';
import { corpusTemplates, readRegionFile } from './corpus-files.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const corpus = resolve(args.find((a, i) => !a.startsWith('--') && !['--only', '--out'].includes(args[i - 1] ?? '')) ?? join(packageRoot, '..', 'shared', 'corpus'));
const only = flag('--only')?.split(',');
const outDir = flag('--out');
const unsafe = !args.includes('--safe-only');
const verbose = args.includes('--verbose');

const all = await loadTransforms();
const transforms = only ? all.filter((t) => only.includes(t.meta.id)) : all;
const files = corpusTemplates(corpus);
const counts = { files: files.length, bytes: 0, changed: 0, unchanged: 0, skipped: 0, loadErrors: 0, fixErrors: 0, crashes: 0, notIdempotent: 0, badOutput: 0 };
const perTransform = new Map<string, number>(transforms.map((t) => [t.meta.id, 0]));
const failures: string[] = [];
const started = performance.now();

for (const file of files) {
  const rel = relative(corpus, file);
  const text = readFileSync(file, 'utf8');
  counts.bytes += Buffer.byteLength(text);
  const region = readRegionFile(dirname(file));
  const run = (input: string): FileResult => fixText(input, { transforms, unsafe, region, filePath: file });
  let result: FileResult;
  try {
    result = run(text);
  } catch (error) {
    counts.crashes++;
    failures.push(`${rel}: CRASH ${(error as Error).stack}`);
    continue;
  }
  if (result.status === 'error') {
    if (result.output !== text) {
      counts.badOutput++;
      failures.push(`${rel}: a file with errors would be changed`);
    }
    const internal = result.errors.filter((e) => e.transforms);
    if (internal.length) {
      counts.fixErrors++;
      failures.push(...internal.map((e) => `${rel}:${e.line}:${e.col}: ${e.message}`));
    } else {
      counts.loadErrors++;
      if (verbose) console.log(`load error ${rel}:${result.errors[0]?.line}:${result.errors[0]?.col}: ${result.errors[0]?.message}`);
    }
    continue;
  }
  if (result.status === 'skipped') {
    counts.skipped++;
    if (verbose) console.log(`skipped ${rel}: ${result.skipReason}`);
    continue;
  }
  if (result.status === 'unchanged') {
    counts.unchanged++;
    continue;
  }
  counts.changed++;
  for (const id of new Set(result.applied.map((a) => a.transform))) perTransform.set(id, (perTransform.get(id) ?? 0) + 1);
  // Independent re-checks of what the engine promises.
  try {
    const reparsed = parseSource(result.format, result.output).value;
    if (!deepEqual(reparsed, result.after)) throw new Error('output does not parse to the fixed template');
  } catch (error) {
    counts.badOutput++;
    failures.push(`${rel}: ${(error as Error).message}`);
    continue;
  }
  const again = run(result.output);
  if (again.operations.length > 0 || again.errors.length > 0) {
    counts.notIdempotent++;
    const ids = [...new Set(again.applied.map((a) => a.transform))];
    failures.push(`${rel}: second run ${again.errors.length ? `fails: ${again.errors[0]!.message}` : `still fixes (${ids.join(', ')})`}`);
  }
  if (outDir) {
    const target = join(outDir, rel);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, result.output);
  }
}

const seconds = (performance.now() - started) / 1000;
console.log(`corpus: ${corpus}`);
console.log(`transforms: ${transforms.length} (${unsafe ? 'unsafe fixes included' : 'safe fixes only'})`);
console.log(
  `files ${counts.files} (${(counts.bytes / 1e6).toFixed(1)} MB): changed ${counts.changed}, unchanged ${counts.unchanged}, skipped ${counts.skipped}, load errors ${counts.loadErrors} (reported, untouched)`,
);
console.log(`failures: crashes ${counts.crashes}, fix errors ${counts.fixErrors}, bad output ${counts.badOutput}, not idempotent ${counts.notIdempotent}`);
console.log('templates changed per transform:');
for (const [id, n] of [...perTransform].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) console.log(`  ${id.padEnd(28)} ${n}`);
console.log(`time ${seconds.toFixed(1)} s (${(counts.files / seconds).toFixed(0)} files/s, each fixed file run twice)`);
if (failures.length) {
  console.log(`\n${failures.length} failure(s):`);
  for (const f of failures.slice(0, 200)) console.log(`  ${f}`);
  process.exitCode = 1;
} else {
  console.log('corpus check passed');
}
