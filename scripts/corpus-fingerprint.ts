// Corpus fingerprint: one hash per corpus file over everything a run produces (status, output
// text, findings, operations, errors), for proving that a refactor changes no behaviour.
//   node dist/scripts/corpus-fingerprint.js [corpusDir] [--out file.json] [--compare before.json]
//     [--only a,b] [--safe-only] [--single-instance]
// With --compare, prints every file whose fingerprint differs (and which part differs) and exits 1
// when any does.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fixText, type FileResult } from '../src/engine/fix.js';
import { loadTransforms } from '../src/engine/registry.js';
import { packageRoot } from '../src/paths.js';
import { corpusTemplates, readRegionFile } from './corpus-files.js';

const args = process.argv.slice(2);
const valueFlags = ['--out', '--compare', '--only'];
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const corpus = resolve(args.find((a, i) => !a.startsWith('--') && !valueFlags.includes(args[i - 1] ?? '')) ?? join(packageRoot, '..', 'shared', 'corpus'));
const only = flag('--only')?.split(',');
const unsafe = !args.includes('--safe-only');

const all = await loadTransforms();
const transforms = only
  ? all.filter((t) => only.includes(t.meta.id))
  : all.filter((t) => t.meta.enabledByDefault !== false || (args.includes('--single-instance') && t.meta.id === 'single-instance'));

const hash = (value: unknown) => createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value)).digest('hex').slice(0, 16);

type Parts = Record<'status' | 'output' | 'findings' | 'operations' | 'errors', string>;
const fingerprints: Record<string, Parts> = {};
for (const file of corpusTemplates(corpus)) {
  const rel = relative(corpus, file);
  let result: FileResult;
  try {
    result = fixText(readFileSync(file, 'utf8'), { transforms, unsafe, region: readRegionFile(dirname(file)), filePath: file });
  } catch (error) {
    fingerprints[rel] = { status: hash(`crash ${(error as Error).message}`), output: '', findings: '', operations: '', errors: '' };
    continue;
  }
  fingerprints[rel] = {
    status: hash(result.status),
    output: hash(result.output),
    // messageId names the kind of a finding; adding one is not a change of behaviour.
    findings: hash(result.findings.map(({ messageId: _id, ...finding }) => finding)),
    operations: hash(result.operations),
    errors: hash(result.errors),
  };
}

const out = flag('--out');
if (out) writeFileSync(out, JSON.stringify(fingerprints, null, 1) + '\n');
const total = hash(fingerprints);
console.log(`corpus fingerprint: ${Object.keys(fingerprints).length} files, ${total}`);

const compareWith = flag('--compare');
if (compareWith) {
  const before = JSON.parse(readFileSync(compareWith, 'utf8')) as Record<string, Parts>;
  const differing: string[] = [];
  for (const rel of new Set([...Object.keys(before), ...Object.keys(fingerprints)])) {
    const a = before[rel];
    const b = fingerprints[rel];
    if (!a || !b) {
      differing.push(`${rel}: ${a ? 'missing now' : 'new file'}`);
      continue;
    }
    const parts = (Object.keys(a) as Array<keyof Parts>).filter((k) => a[k] !== b[k]);
    if (parts.length) differing.push(`${rel}: ${parts.join(', ')} differ`);
  }
  for (const line of differing) console.log(line);
  console.log(`${differing.length} file(s) differ from ${compareWith}`);
  if (differing.length) process.exitCode = 1;
}
