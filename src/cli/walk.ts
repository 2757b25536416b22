// Finding templates: directory walks and globs that honour .gitignore and .tapfixignore (gitignore
// syntax, nested files apply to their subtree), skip node_modules, .git, cdk.out and hidden entries,
// and follow symlinks only inside the walk's root (loops end: each real directory is walked once).
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

export const TEMPLATE_EXTENSIONS = /\.(json|ya?ml|template)$|\.cfn\.[a-z]+$/i;
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', 'cdk.out']);
export const IGNORE_FILES = ['.gitignore', '.tapfixignore'] as const;

export interface CollectOptions {
  /** Base for relative globs and the ignore root outside a git repository. Default: process.cwd(). */
  cwd?: string;
  /** Read .gitignore / .tapfixignore (default true). */
  useIgnoreFiles?: boolean;
  /** Apply ignore files to paths named on the command line too (for pre-commit, which names every staged file). */
  forceExclude?: boolean;
  /** Absolute directories never walked into (e.g. the --output-dir). */
  exclude?: readonly string[];
}

export interface Collected {
  /** Absolute paths, sorted, without duplicates. */
  files: string[];
  /** Named paths that do not exist. */
  missing: string[];
  /** Globs that matched no file. */
  unmatched: string[];
  /** Named paths left out because an ignore file excludes them (only with forceExclude). */
  ignored: string[];
  /** Files found by a walk or a glob rather than named: a file there that does not parse and
   *  shows no sign of CloudFormation is not taken for a broken template. */
  discovered: Set<string>;
  /** Where each input starts (a named directory, a glob's static base, a named file's folder). */
  bases: string[];
}

export function isCandidate(name: string): boolean {
  return TEMPLATE_EXTENSIONS.test(name) && name !== 'tapfix.config.json';
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));
const inside = (root: string, path: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/** Ignore files, loaded once per directory, evaluated from an ignore root down like git does. */
class IgnoreRules {
  private readonly perDir = new Map<string, Ignore | null>();
  private readonly gitRoots = new Map<string, string | null>();

  constructor(
    private readonly enabled: boolean,
    private readonly cwd: string,
  ) {}

  private rulesIn(dir: string): Ignore | null {
    let rules = this.perDir.get(dir);
    if (rules !== undefined) return rules;
    rules = null;
    for (const name of IGNORE_FILES) {
      let text: string;
      try {
        text = readFileSync(join(dir, name), 'utf8');
      } catch {
        continue;
      }
      rules ??= ignore();
      rules.add(text);
    }
    this.perDir.set(dir, rules);
    return rules;
  }

  private gitRootOf(dir: string): string | null {
    const chain: string[] = [];
    let found: string | null = null;
    for (let d = dir; ; d = dirname(d)) {
      const cached = this.gitRoots.get(d);
      if (cached !== undefined) {
        found = cached;
        break;
      }
      chain.push(d);
      if (existsSync(join(d, '.git'))) {
        found = d;
        break;
      }
      if (dirname(d) === d) break;
    }
    for (const d of chain) this.gitRoots.set(d, found);
    return found;
  }

  /** Where rules start for a walk or a named file: the git repository, else cwd, else `start`. */
  rootFor(start: string): string {
    const git = this.gitRootOf(start);
    if (git) return git;
    return inside(this.cwd, start) ? this.cwd : start;
  }

  /** Whether `path` (below `root`) is excluded by the ignore files from `root` down to its folder. */
  ignored(root: string, path: string, isDir: boolean): boolean {
    if (!this.enabled || path === root || !inside(root, path)) return false;
    let state = false;
    // Levels: root, then each folder between root and the path's parent.
    const rel = relative(root, dirname(path));
    const levels = [root];
    if (rel) {
      let d = root;
      for (const part of rel.split(sep)) levels.push((d = join(d, part)));
    }
    for (const level of levels) {
      const rules = this.rulesIn(level);
      if (!rules) continue;
      const r = rules.test(toPosix(relative(level, path)) + (isDir ? '/' : ''));
      if (r.ignored) state = true;
      else if (r.unignored) state = false;
    }
    return state;
  }
}

/** Templates under the given paths (files, directories, globs), sorted, without duplicates. */
export function collectTemplates(paths: readonly string[], options: CollectOptions = {}): Collected {
  const cwd = resolve(options.cwd ?? process.cwd());
  const rules = new IgnoreRules(options.useIgnoreFiles !== false, cwd);
  const excluded = (options.exclude ?? []).map((p) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  });
  const out: Collected = { files: [], missing: [], unmatched: [], ignored: [], discovered: new Set(), bases: [] };
  const files = new Set<string>();

  const add = (file: string, discovered: boolean) => {
    if (!files.has(file) && discovered) out.discovered.add(file);
    else if (!discovered) out.discovered.delete(file);
    files.add(file);
  };

  /** Walks `start`; `accept` filters files by their path relative to `start`. Returns how many it took. */
  const walk = (start: string, accept: (rel: string) => boolean): number => {
    let realRoot: string;
    try {
      realRoot = realpathSync(start);
    } catch {
      return 0;
    }
    let taken = 0;
    const visitedDirs = new Set<string>();
    let ignoreRoot = rules.rootFor(start);
    // A folder named on the command line is walked even when an ignore file above excludes it.
    if (rules.ignored(ignoreRoot, start, true)) ignoreRoot = start;
    const links: Array<[string, string]> = [];
    const visit = (dir: string, real: string) => {
      if (visitedDirs.has(real) || excluded.some((x) => inside(x, real))) return;
      visitedDirs.add(real);
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => byCodeUnit(a.name, b.name));
      for (const entry of entries) {
        const name = entry.name;
        if (name.startsWith('.') || SKIPPED_DIRS.has(name)) continue;
        const full = join(dir, name);
        if (entry.isSymbolicLink()) {
          let target: string;
          let isDir: boolean;
          try {
            target = realpathSync(full);
            isDir = statSync(full).isDirectory();
          } catch {
            continue; // dangling link
          }
          if (!inside(realRoot, target)) continue; // never out of the root
          if (rules.ignored(ignoreRoot, full, isDir)) continue;
          if (isDir) links.push([full, target]);
          else if (isCandidate(name) && accept(relative(start, full))) {
            add(target, true); // listed (and written) as the real file, never replacing the link
            taken++;
          }
          continue;
        }
        if (entry.isDirectory()) {
          if (!rules.ignored(ignoreRoot, full, true)) visit(full, join(real, name));
        } else if (entry.isFile() && isCandidate(name) && accept(relative(start, full)) && !rules.ignored(ignoreRoot, full, false)) {
          add(full, true);
          taken++;
        }
      }
    };
    visit(start, realRoot);
    // Linked folders last, so a folder reachable both ways is listed under its real path.
    while (links.length) {
      const [path, target] = links.shift()!;
      visit(path, target);
    }
    return taken;
  };

  for (const input of paths) {
    const abs = resolve(cwd, input);
    if (existsSync(abs)) {
      const st = statSync(abs);
      if (options.forceExclude) {
        const root = rules.rootFor(st.isDirectory() ? abs : dirname(abs));
        if (rules.ignored(root, abs, st.isDirectory())) {
          out.ignored.push(abs);
          continue;
        }
      }
      if (st.isDirectory()) {
        out.bases.push(abs);
        walk(abs, () => true);
      } else {
        out.bases.push(dirname(abs));
        add(abs, false);
      }
      continue;
    }
    const scan = picomatch.scan(toPosix(input));
    if (!scan.isGlob) {
      out.missing.push(abs);
      continue;
    }
    const base = resolve(cwd, scan.base || '.');
    const matches = picomatch(scan.glob, { dot: false });
    out.bases.push(base);
    const taken = existsSync(base) && statSync(base).isDirectory() ? walk(base, (rel) => matches(toPosix(rel))) : 0;
    if (taken === 0) out.unmatched.push(input);
  }
  out.files = [...files].sort(byCodeUnit);
  return out;
}

/** The deepest folder holding every base: where --output-dir mirrors relative paths from. */
export function commonRoot(bases: readonly string[]): string | undefined {
  if (bases.length === 0) return undefined;
  let root = bases[0]!;
  for (const base of bases.slice(1)) {
    while (!inside(root, base)) {
      const up = dirname(root);
      if (up === root) return root;
      root = up;
    }
  }
  return isAbsolute(root) ? root : resolve(root);
}
