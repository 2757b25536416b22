// npm pack/publish hooks: the packed package.json leaves out the `prepare` script. `prepare`
// builds tapfix on `npm ci` in a clone, but a package installed from the registry or a tarball
// already holds the build, and npm warns about (or blocks) a dependency's `prepare` script.
//   node scripts/pack-manifest.mjs strip [dir]    (prepack: after the build)
//   node scripts/pack-manifest.mjs restore [dir]  (postpack)
// The original bytes are kept beside the file and put back as they were.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [command, dir = process.cwd()] = process.argv.slice(2);
const manifest = join(dir, 'package.json');
const kept = join(dir, '.package.json.prepack');

if (command === 'strip') {
  const text = readFileSync(manifest, 'utf8');
  if (!existsSync(kept)) writeFileSync(kept, text);
  const stripped = text.replace(/^[ \t]*"prepare":[ \t]*"(?:[^"\\]|\\.)*",?[ \t]*\r?\n/m, '');
  JSON.parse(stripped); // still JSON, or nothing is written
  writeFileSync(manifest, stripped);
} else if (command === 'restore') {
  if (existsSync(kept)) renameSync(kept, manifest);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore [dir]');
  process.exit(2);
}
