// Modules a run needs only now and then, loaded on first use instead of at start-up, where each
// would cost a run on one file for nothing: node:crypto (about 6 ms; the --cache key and SARIF
// fingerprints), node:worker_threads (1 to 2 ms; worker threads and temp names), and ajv (a fifth
// of the bundled CLI; only a config that sets transform options needs it). ajv stays out of the
// bundle (dist/cli.cjs) and loads from node_modules: it is a dependency.
import { createRequire } from 'node:module';
import type { Ajv } from 'ajv';

const require = createRequire(import.meta.url);

export function workerThreads(): typeof import('node:worker_threads') {
  return require('node:worker_threads') as typeof import('node:worker_threads');
}

/** The SHA-256 of the parts, one after the other, in hex. */
export function sha256Hex(...parts: Array<string | Uint8Array>): string {
  const hash = (require('node:crypto') as typeof import('node:crypto')).createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

export function ajvClass(): typeof Ajv {
  return (require('ajv') as { Ajv: typeof Ajv }).Ajv;
}
