// Node built-ins that a run needs only now and then, loaded on first use. Loaded at start-up, as
// an import would, node:crypto costs a run on one file about 6 ms and node:worker_threads 1 to
// 2 ms: a fiftieth of it, for the --cache key, SARIF fingerprints and worker threads.
import { createRequire } from 'node:module';

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
