// File-system side of the CLI: finding templates, config and region files, atomic writes.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync, chmodSync, lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import type { TapfixConfig } from '../engine/select.js';

export const TEMPLATE_EXTENSIONS = /\.(json|ya?ml|template)$|\.cfn\.[a-z]+$/i;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'cdk.out']);

/** Files under the given paths that could be templates, sorted, without duplicates. */
export function collectFiles(paths: readonly string[]): { files: string[]; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  const visitedDirs = new Set<string>();
  const walk = (dir: string, root: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    // Never follow a symlink out of the root, and never loop.
    if (visitedDirs.has(real) || !(real === root || real.startsWith(root + sep))) return;
    visitedDirs.add(real);
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
      const full = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = realpathSync(full);
          if (!(target === root || target.startsWith(root + sep))) continue;
          const st = statSync(full);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) walk(full, root);
      else if (isFile && TEMPLATE_EXTENSIONS.test(entry.name) && !/^tapfix\.config\.json$/.test(entry.name)) files.add(full);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) {
      missing.push(p);
      continue;
    }
    const st = statSync(p);
    if (st.isDirectory()) walk(p, realpathSync(p));
    else files.add(p);
  }
  return { files: [...files].sort(), missing };
}

export class ConfigError extends Error {}

/** The nearest `tapfix.config.json` at or above `dir`, parsed as JSONC. */
export function findConfig(dir: string, cache = new Map<string, { path: string; config: TapfixConfig } | null>()) {
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
      found = { path: candidate, config: readConfig(candidate) };
      break;
    }
    if (dirname(d) === d) break;
  }
  for (const d of chain) cache.set(d, found);
  return found;
}

export function readConfig(path: string): TapfixConfig {
  const errors: ParseError[] = [];
  const value = parseJsonc(readFileSync(path, 'utf8'), errors, { allowTrailingComma: true });
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

/**
 * Replaces `file` with `content` atomically: a temporary file in the same directory is written,
 * flushed, given the original's mode and renamed over it, so a reader (or a crash) sees either
 * the old or the new file, never half of one.
 */
export function writeAtomic(file: string, content: string): void {
  const mode = statSync(file).mode & 0o7777;
  const temp = join(dirname(file), `.tapfix-tmp-${process.pid}-${Date.now().toString(36)}-${basename(file)}`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (error) {
    if (existsSync(temp)) unlinkSync(temp);
    throw error;
  }
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
