// Where the Project tag's value comes from when the template and config do not say: the
// repository the file is in (src/cli/repository.ts), through the real CLI too.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryProject } from '../src/cli/repository.js';

const bin = join(import.meta.dirname, '..', 'bin', 'tapfix');

/** A fresh folder tree: path -> content (a path ending in / is a folder). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tapfix-repo-'));
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    if (path.endsWith('/')) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, content);
    }
  }
  return root;
}

const gitConfig = (remotes: Record<string, string>) =>
  '[core]\n\tbare = false\n' + Object.entries(remotes).map(([name, url]) => `[remote "${name}"]\n\turl = ${url}\n\tfetch = +refs/heads/*:refs/remotes/${name}/*\n`).join('');

describe('repositoryProject', () => {
  it('takes the nearest package.json name, without its npm scope', () => {
    const root = tree({ 'package.json': '{"name": "@acme/billing-infra"}', 'stacks/api/package.json': '{"name": "billing-api"}', 'stacks/db/': '' });
    expect(repositoryProject(join(root, 'stacks/db'))).toBe('billing-infra');
    expect(repositoryProject(join(root, 'stacks/api'))).toBe('billing-api');
  });

  it.each([
    ['git@github.com:acme/payments-stack.git', 'payments-stack'],
    ['https://gitlab.example.com/group/sub/ledger.git/', 'ledger'],
    ['ssh://git@host:2222/team/orders', 'orders'],
    ['/srv/git/inventory.git', 'inventory'],
  ])('takes the repository name of the git remote %s', (url, name) => {
    const root = tree({ '.git/config': gitConfig({ upstream: 'git@host:x/not-this.git', origin: url }), 'infra/': '' });
    expect(repositoryProject(join(root, 'infra'))).toBe(name);
  });

  it('takes the first remote when there is no origin, and a worktree finds the shared config', () => {
    const main = tree({ '.git/config': gitConfig({ mirror: 'https://example.com/acme/catalog.git' }), '.git/worktrees/wt/commondir': '../..\n' });
    expect(repositoryProject(main)).toBe('catalog');
    const worktree = tree({ '.git': `gitdir: ${join(main, '.git/worktrees/wt')}\n`, 'cfn/': '' });
    expect(repositoryProject(join(worktree, 'cfn'))).toBe('catalog');
  });

  it('stops at the repository root: a package.json above it names another project', () => {
    const root = tree({ 'package.json': '{"name": "outer"}', 'repo/.git/config': '[core]\n\tbare = false\n', 'repo/cfn/': '' });
    expect(repositoryProject(join(root, 'repo/cfn'))).toBeUndefined();
  });

  it('ignores a package.json without a usable name and answers from its cache', () => {
    const root = tree({ 'a/package.json': '{"private": true}', 'a/b/package.json': 'not json', '.git/config': gitConfig({ origin: 'git@h:o/site.git' }) });
    const cache = new Map<string, string | null>();
    expect(repositoryProject(join(root, 'a/b'), cache)).toBe('site');
    expect(cache.get(join(root, 'a'))).toBe('site');
    cache.set(join(root, 'a'), 'cached');
    expect(repositoryProject(join(root, 'a/b'), new Map([[join(root, 'a/b'), 'cached']]))).toBe('cached');
  });
});

describe('tapfix on a file in a repository', () => {
  const template = '{\n  "Resources": {\n    "Queue": { "Type": "AWS::SQS::Queue" }\n  }\n}\n';
  const run = (cwd: string, file: string) => {
    const r = spawnSync(process.execPath, [bin, file, '--only', 'standard-tags', '--format', 'json'], { cwd, encoding: 'utf8' });
    return { status: r.status, report: JSON.parse(r.stdout) as { files: Array<{ findings: Array<{ messageId?: string; message: string }>; operations?: unknown }> } };
  };

  it('tags Project with the name its package.json gives', () => {
    const root = tree({ 'package.json': '{"name": "@acme/orders"}', 'cfn/queue.json': template });
    const r = spawnSync(process.execPath, [bin, 'cfn/queue.json', '--only', 'standard-tags', '--format', 'patch'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain('{"Key":"Project","Value":"orders"}');
  });

  it('reports the Project tag, and never invents it from the file name, outside a repository', () => {
    const root = tree({ 'payments-stack.json': template });
    const { report } = run(root, 'payments-stack.json');
    const ids = report.files[0]!.findings.map((f) => f.messageId);
    expect(ids).toContain('projectUnknown');
    expect(JSON.stringify(report)).not.toMatch(/PaymentsStack|payments-stack"/i);
  });
});
