// Builds dist/ once before the tests when it is missing or older than the sources: the CLI tests
// run bin/tapfix (dist/cli.cjs and its code cache dist/cli.cache, bundled from dist/src by scripts/bundle.mjs), and worker threads can only load compiled JavaScript.
// Type errors are for `npm run typecheck`; tsc emits JavaScript all the same, so they do not stop
// the tests here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json') || entry.name.endsWith('.mjs')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const marker = join(root, 'dist', 'cli.cache');
  const sources = Math.max(
    ...['src', 'transforms', 'scripts', 'bin'].map((d) => (existsSync(join(root, d)) ? newestSource(join(root, d)) : 0)),
    statSync(join(root, 'tsconfig.json')).mtimeMs,
  );
  if (existsSync(marker) && statSync(marker).mtimeMs >= sources) return;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) process.stderr.write(`global-setup: tsc reported type errors (dist/ was emitted anyway; see npm run typecheck)\n`);
  const bundle = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, encoding: 'utf8' });
  if (!existsSync(marker) || bundle.status !== 0) throw new Error(`npm run build did not produce dist/: ${run.stdout}${run.stderr}${bundle.stderr}`);
}
