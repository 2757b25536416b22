// Loads the bundled CLI, dist/cli.cjs (scripts/bundle.mjs), with V8's code cache, dist/cli.cache.
// The cache holds the bytecode of every function a warm-up run over the bundled example
// compiled, so a run on one file neither parses the 1.1 MB bundle nor compiles most of the code
// it runs again: about a sixth of a one-file run. V8 checks the cache against its own version
// and flags and ignores it when they differ; the build id on the first line of both files
// guards against a cache left from another build, which V8's own check (the source's length)
// would not notice. Without a usable cache the bundle is compiled as usual.
// CommonJS, like bin/tapfix (see bin/package.json).
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const BUILD_ID = /^\/\/ tapfix-build ([0-9a-f]{16})\n/;
const CACHE_HEADER = 'tapfix-code-cache ';

/** The build id a bundle's first line names, or undefined. */
function buildIdOf(source) {
  return BUILD_ID.exec(source.slice(0, 64))?.[1];
}

/** `tapfix-code-cache <id>\n` followed by V8's data. */
function codeCacheFile(buildId, data) {
  return Buffer.concat([Buffer.from(`${CACHE_HEADER}${buildId}\n`, 'latin1'), data]);
}

function cachedDataFor(cacheFile, buildId) {
  let bytes;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const header = `${CACHE_HEADER}${buildId}\n`;
  if (buildId === undefined || bytes.length <= header.length || bytes.toString('latin1', 0, header.length) !== header) return undefined;
  return bytes.subarray(header.length);
}

/**
 * Compiles and runs the bundle at `file` (its exports: main) with the code cache at `cacheFile`
 * when it belongs to this build. Returns the module's exports, the vm.Script (for
 * createCachedData) and whether a cache was offered and taken.
 * The bundle is ASCII (esbuild escapes the rest), so it is read as latin1, which needs no decoding.
 */
function loadBundledCli(file, cacheFile = file.replace(/\.cjs$/, '.cache')) {
  const source = readFileSync(file, 'latin1');
  const cachedData = cachedDataFor(cacheFile, buildIdOf(source));
  const wrapper = '(function (exports, require, module, __filename, __dirname) {' + source + '\n})';
  const script = new vm.Script(wrapper, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/** dist/cli.cjs beside this bin/ folder. */
const bundledCliFile = join(__dirname, '..', 'dist', 'cli.cjs');

module.exports = { buildIdOf, codeCacheFile, loadBundledCli, bundledCliFile };
