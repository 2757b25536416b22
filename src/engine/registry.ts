// Transforms are discovered from transforms/: no hand-kept index. One file = one transform,
// and its file name must be its id.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Transform } from '../types.js';
import { compiled, transformsDir } from '../paths.js';

let cache: Promise<Transform[]> | undefined;

export function transformFiles(): string[] {
  const ext = compiled ? '.js' : '.ts';
  return readdirSync(transformsDir)
    .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort()
    .map((f) => join(transformsDir, f));
}

async function load(): Promise<Transform[]> {
  const files = transformFiles();
  // Imported together, so that the loader reads and compiles them while it resolves the others.
  const modules = await Promise.all(files.map((file) => import(pathToFileURL(file).href) as Promise<{ default?: Transform }>));
  return checkedTransforms(files.map((file, i) => [basename(file), modules[i]!] as const));
}

/** The transforms of the modules (file name, module), checked and in pipeline order. */
function checkedTransforms(modules: ReadonlyArray<readonly [string, { default?: Transform }]>): Transform[] {
  const transforms: Transform[] = [];
  for (const [file, module] of modules) {
    const transform = module.default;
    const id = file.replace(/\.(ts|js)$/, '');
    if (!transform || typeof transform.check !== 'function') {
      throw new Error(`transforms/${file} must default-export defineTransform({ meta, check })`);
    }
    if (transform.meta.id !== id) {
      throw new Error(`transforms/${file} declares id "${transform.meta.id}"; the file name must be the id`);
    }
    transforms.push(transform);
  }
  return sortTransforms(transforms);
}

/**
 * The transforms of a bundled build (dist/cli.cjs, made by scripts/bundle.mjs from every file of
 * dist/transforms/): given instead of discovered, with the same checks, so that start-up reads one
 * file instead of resolving a hundred modules.
 */
export function provideTransforms(modules: ReadonlyArray<readonly [string, { default?: Transform }]>): void {
  cache = Promise.resolve(checkedTransforms(modules));
}

/** The fixed pipeline order: meta.order (default 100), then id. */
export function sortTransforms(transforms: Transform[]): Transform[] {
  return transforms.slice().sort((a, b) => (a.meta.order ?? 100) - (b.meta.order ?? 100) || byCodeUnits(a.meta.id, b.meta.id));
}

// Ids compared by code units, not localeCompare: the order the transforms run in must not depend on
// the machine's locale (and the first localeCompare loads ICU's collation, a few ms of start-up).
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every transform, loaded once per process. */
export function loadTransforms(): Promise<Transform[]> {
  cache ??= load();
  return cache;
}
