// Where the package lives, whether it runs from source (vitest) or compiled (dist/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The directory holding package.json (walking up from this module). */
export const packageRoot: string = (() => {
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'data'))) return dir;
    if (dirname(dir) === dir) throw new Error(`tapfix: cannot find the package root above ${here}`);
  }
})();

/** True when running compiled JavaScript from dist/ (the bundle, dist/cli.cjs, included). */
export const compiled: boolean = /\.[cm]?js$/.test(import.meta.url);

/** Directory of the transform modules: transforms/*.ts from source, dist/transforms/*.js compiled. */
export const transformsDir: string = compiled ? join(packageRoot, 'dist', 'transforms') : join(packageRoot, 'transforms');
