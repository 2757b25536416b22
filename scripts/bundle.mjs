// Bundles the compiled CLI (dist/src/cli/main.js) and every transform of dist/transforms/ into
// one file, dist/cli.cjs, which bin/tapfix starts: one file to read and compile instead of a
// hundred modules to resolve and link, which was most of a one-file run's start-up. Then it
// writes V8's code cache of that file, dist/cli.cache (see bin/cli-loader.cjs), after a warm-up
// run over examples/, so that the cache holds the functions a run compiles.
// CommonJS because only a vm.Script takes a code cache; import.meta.url becomes the file's URL.
// Runs after tsc in `npm run build`. The transforms are still discovered, here, at build time:
// the generated entry imports each file of dist/transforms/ and hands them to provideTransforms,
// which makes the same checks a run from dist/src makes. Worker threads (--jobs) and library
// users load dist/src as before.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { devNull } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { codeCacheFile, loadBundledCli } from '../bin/cli-loader.cjs';

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

// string-width (under yargs, for --help) makes an Intl.Segmenter when it loads. That loads ICU's
// break rules, about 10 ms of a one-file run, for help text a run never prints. Here the segmenter is
// made on first use instead. The build fails if a new string-width no longer has that line, so
// this cannot silently stop applying.
const SEGMENTER = 'const segmenter = new Intl.Segmenter();';
const lazySegmenter = {
  name: 'lazy-segmenter',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(SEGMENTER)) {
        return { errors: [{ text: `${args.path} no longer has "${SEGMENTER}"; update the lazy-segmenter plugin of scripts/bundle.mjs` }] };
      }
      const lazy = 'let madeSegmenter; const segmenter = { segment: (text) => (madeSegmenter ??= new Intl.Segmenter()).segment(text) };';
      return { contents: source.replace(SEGMENTER, lazy), loader: 'js' };
    });
  },
};

const built = await build({
  plugins: [lazySegmenter],
  // Whitespace and syntax only: names stay, so a stack trace still names functions.
  minifyWhitespace: true,
  minifySyntax: true,
  stdin: { contents: entry, resolveDir: dist, sourcefile: 'cli-entry.js', loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Node 20 has these; left to esbuild, a regular expression literal using them would become a
  // `new RegExp` that is parsed when the bundle loads (string-width's expressions cost about 20 ms
  // of a one-file run) instead of on first use.
  supported: { 'regexp-set-notation': true, 'regexp-unicode-property-escapes': true },
  // jsonc-parser's "main" is a UMD build that requires its parts at run time.
  mainFields: ['module', 'main'],
  define: { 'import.meta.url': '__tapfixModuleUrl' },
  banner: { js: "var __tapfixModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  outfile: join(dist, 'cli.cjs'),
  write: false,
  logLevel: 'warning',
  legalComments: 'none',
});

// The build id ties the code cache to this very bundle (bin/cli-loader.cjs).
const code = built.outputFiles[0].contents;
const buildId = createHash('sha256').update(code).digest('hex').slice(0, 16);
const bundleFile = join(dist, 'cli.cjs');
writeAtomic(bundleFile, Buffer.concat([Buffer.from(`// tapfix-build ${buildId}\n`), code]));
rmSync(join(dist, 'cli.js'), { force: true }); // the ES module bundle of earlier builds

const { exports: cli, script } = loadBundledCli(bundleFile, devNull);
const silent = { stdout() {}, stderr() {}, readStdin: async () => '', cwd: root, isTTY: false };
// The bundled example only: a cache of what a run over golden/ compiles is a fifth bigger, and
// loading it costs a one-file run more than compiling the functions it would add.
for (const argv of [
  ['examples', '--jobs', '1', '-q'],
  ['examples', '--jobs', '1'],
]) {
  await cli.main(argv, silent);
}
process.exitCode = 0;
writeAtomic(join(dist, 'cli.cache'), codeCacheFile(buildId, script.createCachedData()));

function writeAtomic(file, bytes) {
  writeFileSync(file + '.tmp', bytes);
  renameSync(file + '.tmp', file);
}
