// What `npm pack` ships: the CLI, the library, data and docs, the Action; no source maps, no
// build scripts, no tests. And the library loads with import and with require.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('the package', () => {
  it('ships what users run and nothing of the build', () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const [pack] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
    const files = pack!.files.map((f) => f.path);
    for (const needed of ['LICENSE', 'README.md', 'bin/tapfix', 'bin/cli-loader.cjs', 'dist/cli.cjs', 'dist/cli.cache', 'dist/src/cli/main.js', 'dist/src/index.d.ts', 'data/resource-spec.json', 'data/tapfix.config.schema.json', 'docs/rules/s3-bucket-key.md', 'action.yml', 'scripts/action.sh']) {
      expect(files, needed).toContain(needed);
    }
    expect(files.some((f) => /^dist\/transforms\/.+\.js$/.test(f))).toBe(true);
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('dist/scripts/') || f.startsWith('test/') || f.startsWith('golden/') || f.startsWith('src/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.prepack).toBe('npm run build && node scripts/pack-manifest.mjs strip');
    expect(pkg.scripts.postpack).toBe('node scripts/pack-manifest.mjs restore');
  }, 60_000);

  it('packs a package.json without the prepare script, and puts the original back byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapfix-pack-'));
    copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
    const original = readFileSync(join(dir, 'package.json'), 'utf8');
    const hook = (command: string) => execFileSync(process.execPath, [join(root, 'scripts', 'pack-manifest.mjs'), command, dir]);
    hook('strip');
    const packed = readFileSync(join(dir, 'package.json'), 'utf8');
    expect(JSON.parse(original).scripts.prepare).toBe('npm run build');
    expect(JSON.parse(packed).scripts.prepare).toBeUndefined();
    // Only that line goes.
    expect(original.split('\n').filter((line) => !packed.split('\n').includes(line))).toEqual(['    "prepare": "npm run build",']);
    hook('restore');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(original);
    expect(existsSync(join(dir, '.package.json.prepack'))).toBe(false);
  });

  it('the bundled CLI (dist/cli.cjs) holds every transform of the module tree, and loads with its code cache', async () => {
    const { loadTransforms } = await import('../src/engine/registry.js');
    const ids = (await loadTransforms()).map((t) => t.meta.id);
    const listed = spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { bundledCliFile, loadBundledCli } = await import(${JSON.stringify(join(root, 'bin', 'cli-loader.cjs'))});
      const { exports: { main }, cacheUsed } = loadBundledCli(bundledCliFile);
      let out = '';
      await main(['--list', '--format', 'json'], { stdout: (s) => { out += s; }, stderr: () => {}, readStdin: async () => '', cwd: process.cwd(), isTTY: false });
      console.log(JSON.stringify({ ids: JSON.parse(out).map((t) => t.id), cacheUsed }));
    `], { cwd: root, encoding: 'utf8' });
    expect(listed.stderr).toBe('');
    const { ids: bundled, cacheUsed } = JSON.parse(listed.stdout) as { ids: string[]; cacheUsed: boolean };
    expect(bundled).toEqual([...ids].sort());
    expect(cacheUsed).toBe(true);
    expect(readFileSync(join(root, 'bin', 'tapfix'), 'utf8')).toContain('loadBundledCli(bundledCliFile)');
  });

  it('runs the bundle without its code cache when the cache belongs to another build or is damaged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapfix-cache-'));
    const bundle = join(root, 'dist', 'cli.cjs');
    const cache = readFileSync(join(root, 'dist', 'cli.cache'));
    const run = (cacheBytes: Buffer) => {
      writeFileSync(join(dir, 'cli.cache'), cacheBytes);
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', `
        const { loadBundledCli } = await import(${JSON.stringify(join(root, 'bin', 'cli-loader.cjs'))});
        const { exports: { main }, cacheUsed } = loadBundledCli(${JSON.stringify(bundle)}, ${JSON.stringify(join(dir, 'cli.cache'))});
        let out = '';
        const code = await main(['--version'], { stdout: (s) => { out += s; }, stderr: () => {}, readStdin: async () => '', cwd: process.cwd(), isTTY: false });
        console.log(JSON.stringify({ out, code, cacheUsed }));
      `], { cwd: root, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as { out: string; code: number; cacheUsed: boolean };
    };
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    expect(run(cache)).toEqual({ out: `${version}\n`, code: 0, cacheUsed: true });
    // Another build's cache: the id on its first line differs.
    const otherBuild = Buffer.from(cache);
    otherBuild.write('0000000000000000', 'tapfix-code-cache '.length, 'latin1');
    expect(run(otherBuild)).toEqual({ out: `${version}\n`, code: 0, cacheUsed: false });
    // The right id over data V8 rejects.
    const damaged = Buffer.concat([cache.subarray(0, cache.indexOf(0x0a) + 1), Buffer.alloc(4096, 7)]);
    expect(run(damaged)).toEqual({ out: `${version}\n`, code: 0, cacheUsed: false });
  });

  it('loads with import and with require', () => {
    // The package refers to itself by name, as a user's code does once it is installed.
    const node = (...args: string[]) => spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).stdout.trim();
    expect(node('--input-type=module', '-e', "import('tapfix').then((m) => console.log(typeof m.fixTemplate))")).toBe('function');
    expect(node('-e', "console.log(typeof require('tapfix').fixTemplate)")).toBe('function');
  });
});
