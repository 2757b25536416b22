// Bundles the compiled CLI (dist/src/cli/main.js) and every transform of dist/transforms/ into
// one file, dist/cli.js, which bin/tapfix starts: one file to read and compile instead of a
// hundred modules to resolve and link, which was most of a one-file run's start-up.
// Runs after tsc in `npm run build`. The transforms are still discovered, here, at build time:
// the generated entry imports each file of dist/transforms/ and hands them to provideTransforms,
// which makes the same checks a run from dist/src makes. Worker threads (--jobs) and library
// users load dist/src as before.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const files = readdirSync(join(dist, 'transforms'))
  .filter((f) => f.endsWith('.js') && !f.startsWith('_'))
  .sort();

const entry = [
  "export { main } from './src/cli/main.js';",
  "import { provideTransforms } from './src/engine/registry.js';",
  "import { provideHandler } from './src/engine/bulk.js';",
  "import { createHandler } from './src/cli/job.js';",
  ...files.map((f, i) => `import * as t${i} from './transforms/${f}';`),
  `provideTransforms([${files.map((f, i) => `[${JSON.stringify(f)}, t${i}]`).join(', ')}]);`,
  "provideHandler('src/cli/job', createHandler);",
].join('\n');

await build({
  stdin: { contents: entry, resolveDir: dist, sourcefile: 'cli-entry.js', loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // jsonc-parser's "main" is a UMD build that requires its parts at run time.
  mainFields: ['module', 'main'],
  // CommonJS dependencies that require Node built-ins need a require in an ES module.
  banner: { js: "import { createRequire as __tapfixCreateRequire } from 'node:module';\nconst require = __tapfixCreateRequire(import.meta.url);" },
  outfile: join(dist, 'cli.js'),
  logLevel: 'warning',
  legalComments: 'none',
});
