// File-system side of the CLI: finding templates, config and region files, atomic writes.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync, chmodSync, lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { workerThreads } from '../on-demand.js';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import type { TapfixConfig } from '../engine/select.js';
import { validateConfigText } from '../engine/config.js';
import type { Transform } from '../types.js';
import { collectTemplates, type CollectOptions } from './walk.js';

export { TEMPLATE_EXTENSIONS } from './walk.js';

/** Files under the given paths that could be templates, sorted, without duplicates (see walk.ts). */
export function collectFiles(paths: readonly string[], options: CollectOptions = {}): { files: string[]; missing: string[] } {
  const found = collectTemplates(paths, options);
  return { files: found.files, missing: [...found.missing, ...found.unmatched] };
}

export class ConfigError extends Error {}

/** The nearest `tapfix.config.json` at or above `dir`, parsed as JSONC. */
export function findConfig(dir: string, transforms: readonly Transform[], cache = new Map<string, { path: string; config: TapfixConfig } | null>()) {
  const chain: string[] = [];
  let found: { path: string; config: TapfixConfig } | null = null;
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (cache.has(d)) {
      found = cache.get(d)!;
      break;
    }
    chain.push(d);
    const candidate = join(d, 'tapfix.config.json');
    if (existsSync(candidate)) {
      found = { path: candidate, config: readConfig(candidate, transforms) };
      break;
    }
    if (dirname(d) === d) break;
  }
  for (const d of chain) cache.set(d, found);
  return found;
}

/**
 * Reads and checks a config file: unknown fields, unknown transform ids, unknown options and
 * options of the wrong type are errors naming the file, line and column (all of them at once).
 */
export function readConfig(path: string, transforms: readonly Transform[]): TapfixConfig {
  const text = readFileSync(path, 'utf8');
  const problems = validateConfigText(text, transforms);
  if (problems.length) throw new ConfigError(problems.map((p) => `${path}:${p.line}:${p.col}: ${p.message}`).join('\n'));
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${path}: not a valid JSON(C) object`);
  }
  return value as TapfixConfig;
}

/** A region named by a `region` or `AWS_REGION` file beside the template. */
export function regionBeside(file: string): string | undefined {
  for (const name of ['region', 'AWS_REGION']) {
    const candidate = join(dirname(file), name);
    if (existsSync(candidate)) {
      const region = readFileSync(candidate, 'utf8').trim();
      if (/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return region;
    }
  }
  return undefined;
}

export const TEMP_PREFIX = '.tapfix-tmp-';
let tempCounter = 0;

/**
 * Replaces `file` with `content` atomically: a temporary file in the same directory is written,
 * flushed, given the original's mode and renamed over it, so a reader (or a crash) sees either
 * the old or the new file, never half of one. A symlink is written through (the link stays).
 * `mode` is for a file that does not exist yet (an --output-dir copy). `content` may be a
 * function that writes the text to the temporary file's descriptor (a large report).
 */
export function writeAtomic(file: string, content: string | ((fd: number) => void), options: { mode?: number } = {}): void {
  let target = file;
  let mode = options.mode;
  if (existsSync(file)) {
    target = realpathSync(file);
    mode = statSync(target).mode & 0o7777;
  }
  // The thread id keeps workers' temp names apart.
  const { threadId } = workerThreads();
  const temp = join(dirname(target), `${TEMP_PREFIX}${process.pid}-${threadId}-${(tempCounter++).toString(36)}-${basename(target)}`);
  const fd = openSync(temp, 'wx', mode ?? 0o666);
  try {
    if (typeof content === 'string') writeSync(fd, content);
    else content(fd);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, target);
  } catch (error) {
    if (existsSync(temp)) unlinkSync(temp);
    throw error;
  }
}

/** Removes temporary files this process left in `dir` (after an aborted write). */
export function removeOwnTemps(dir: string, pid = process.pid): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(`${TEMP_PREFIX}${pid}-`)) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {
      // already gone
    }
  }
  return removed;
}

export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
