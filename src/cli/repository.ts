import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * The name of the project a folder belongs to, for transforms that tag resources with it
 * (standard-tags' `Project`): the `name` of the nearest package.json up to the repository root
 * (without its npm scope), else the repository name of the git remote (`origin`, else the first
 * one). Undefined outside a repository that names itself: a file or folder name says nothing
 * reliable about the project, so it is never used.
 *
 * `cache` maps folders to their answer; one run asks once per folder.
 */
export function repositoryProject(dir: string, cache: Map<string, string | null> = new Map()): string | undefined {
  const seen: string[] = [];
  let answer: string | null = null;
  for (let current = resolve(dir); ; ) {
    const cached = cache.get(current);
    if (cached !== undefined) {
      answer = cached;
      break;
    }
    seen.push(current);
    const fromPackage = packageName(join(current, 'package.json'));
    if (fromPackage) {
      answer = fromPackage;
      break;
    }
    const gitConfig = gitConfigPath(join(current, '.git'));
    if (gitConfig !== undefined) {
      // The repository root: nothing above it belongs to this project.
      answer = remoteRepositoryName(gitConfig) ?? null;
      break;
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const d of seen) cache.set(d, answer);
  return answer ?? undefined;
}

/** The unscoped `name` of a package.json, if the file exists and names a package. */
function packageName(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
    if (typeof name !== 'string') return undefined;
    const unscoped = name.replace(/^@[^/]+\//, '').trim();
    return unscoped === '' ? undefined : unscoped;
  } catch {
    return undefined;
  }
}

/**
 * The config file of the repository whose `.git` is at `dotGit`: a folder, or (worktrees and
 * submodules) a file `gitdir: <path>` whose folder may point at the shared one with `commondir`.
 */
function gitConfigPath(dotGit: string): string | undefined {
  let isDir: boolean;
  try {
    isDir = statSync(dotGit).isDirectory();
  } catch {
    return undefined;
  }
  if (isDir) return join(dotGit, 'config');
  try {
    const match = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!match) return undefined;
    const gitDir = isAbsolute(match[1]!) ? match[1]! : resolve(dirname(dotGit), match[1]!);
    let common = gitDir;
    try {
      const rel = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
      common = isAbsolute(rel) ? rel : resolve(gitDir, rel);
    } catch {
      // No commondir: the folder holds its own config.
    }
    return join(common, 'config');
  } catch {
    return undefined;
  }
}

/** The repository name in the url of remote `origin` (else the first remote) of a git config file. */
function remoteRepositoryName(configFile: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch {
    return undefined;
  }
  const urls = new Map<string, string>();
  let remote: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[\s*([^\s\]]+)(?:\s+"([^"]*)")?\s*\]$/.exec(line);
    if (section) {
      remote = section[1]!.toLowerCase() === 'remote' ? section[2] : undefined;
      continue;
    }
    const url = /^url\s*=\s*(.+)$/i.exec(line);
    if (remote !== undefined && url && !urls.has(remote)) urls.set(remote, url[1]!.replace(/^"(.*)"$/, '$1').trim());
  }
  const url = urls.get('origin') ?? urls.values().next().value;
  if (url === undefined) return undefined;
  // https://host/owner/name.git, git@host:owner/name.git, /path/to/name.git, ssh://.../name
  const name = url.replace(/[/\\]+$/, '').split(/[/\\:]/).pop()!.replace(/\.git$/i, '');
  return name === '' ? undefined : name;
}
