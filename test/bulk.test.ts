// Bulk runs as users run them: the real bin/tapfix (dist/, built by test/global-setup.ts) over
// temporary trees mixing templates, broken files, non-templates, ignored folders and symlinks.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { applyPatch, createTwoFilesPatch } from 'diff';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultJobs, inOrder, MIN_BYTES_PER_WORKER, runTasks } from '../src/engine/bulk.js';
import { twoFilesPatch } from '../src/cli/linediff.js';
import { Progress } from '../src/cli/progress.js';
import { applyReplacements, textReplacements } from '../src/cli/replacements.js';
import { applyTextEdits } from '../src/writer/edits.js';
import { collectTemplates, commonRoot } from '../src/cli/walk.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'tapfix');

function tapfix(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ONLY = ['--only', 'retain-stateful'];
const BUCKET_YAML = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Data:\n    Type: AWS::S3::Bucket\n';
const BUCKET_YAML_FIXED = BUCKET_YAML + '    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n';
const BUCKET_JSON = '{\n  "Resources": {\n    "Data": {\n      "Type": "AWS::S3::Bucket"\n    }\n  }\n}\n';
const QUEUE_JSON = '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}\n  }\n}\n';
const BROKEN_JSON = '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue"\n  }\n}\n';
const BROKEN_YAML = 'Resources:\n  Data:\n    Type: AWS::S3::Bucket\n   Properties: {}\n';
const SAM = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://artifacts/app.zip
  Table:
    Type: AWS::Serverless::SimpleTable
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
  Bucket:
    Type: AWS::S3::Bucket
`;

function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** The mixed tree: what each file is for is in its name. */
function makeTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tapfix-bulk-'));
  write(dir, '.gitignore', 'ignored-dir/\n*.generated.yaml\n');
  write(dir, '.tapfixignore', 'fixtures/\n');
  write(dir, 'stacks/app.yaml', BUCKET_YAML);
  write(dir, 'stacks/db.json', BUCKET_JSON);
  write(dir, 'stacks/queue.json', QUEUE_JSON); // already fine
  write(dir, 'stacks/nested/net.template', BUCKET_JSON);
  write(dir, 'stacks/nested/edge.cfn.yml', BUCKET_YAML);
  write(dir, 'stacks/app.generated.yaml', BUCKET_YAML); // .gitignore
  write(dir, 'stacks/sub/.gitignore', 'local.yaml\n');
  write(dir, 'stacks/sub/local.yaml', BUCKET_YAML); // nested .gitignore
  write(dir, 'stacks/sub/kept.yaml', BUCKET_YAML);
  write(dir, 'broken/bad.json', BROKEN_JSON);
  write(dir, 'broken/bad.yaml', BROKEN_YAML);
  write(dir, 'other/settings.yaml', 'name: not a template\nitems: [1, 2]\n');
  write(dir, 'other/package.json', '{"name": "x", "version": "1.0.0"}\n');
  write(dir, 'other/chart.yaml', 'replicas: {{ .Values.replicas }}\n  bad: [\n'); // does not parse, no CloudFormation
  write(dir, 'other/notes.txt', 'Resources: AWS::S3::Bucket\n'); // not a candidate extension
  write(dir, 'ignored-dir/x.yaml', BUCKET_YAML);
  write(dir, 'fixtures/y.yaml', BUCKET_YAML);
  write(dir, 'node_modules/pkg/m.yaml', BUCKET_YAML);
  write(dir, 'cdk.out/Stack.template.json', BUCKET_JSON);
  write(dir, '.hidden/h.yaml', BUCKET_YAML);
  symlinkSync(dir, join(dir, 'stacks', 'loop')); // a loop back to the root
  const outside = mkdtempSync(join(tmpdir(), 'tapfix-outside-'));
  write(outside, 'far.yaml', BUCKET_YAML);
  symlinkSync(outside, join(dir, 'outside-link')); // never followed out of the root
  return dir;
}

const PROCESSED = [
  'broken/bad.json',
  'broken/bad.yaml',
  'other/chart.yaml',
  'other/package.json',
  'other/settings.yaml',
  'stacks/app.yaml',
  'stacks/db.json',
  'stacks/nested/edge.cfn.yml',
  'stacks/nested/net.template',
  'stacks/queue.json',
  'stacks/sub/kept.yaml',
];

describe('finding templates', () => {
  it('walks folders honouring .gitignore, nested .gitignore, .tapfixignore, skipped and hidden folders, and symlinks', () => {
    const dir = makeTree();
    const found = collectTemplates(['.'], { cwd: dir });
    expect(found.files.map((f) => relative(dir, f))).toEqual(PROCESSED);
    expect(found.missing).toEqual([]);
    expect(found.discovered.size).toBe(PROCESSED.length);
    // --no-ignore reads no ignore file (the built-in skips still apply).
    const all = collectTemplates(['.'], { cwd: dir, useIgnoreFiles: false }).files.map((f) => relative(dir, f));
    expect(all).toEqual(expect.arrayContaining(['ignored-dir/x.yaml', 'fixtures/y.yaml', 'stacks/app.generated.yaml', 'stacks/sub/local.yaml']));
    expect(all.some((f) => f.includes('node_modules') || f.includes('cdk.out') || f.includes('.hidden'))).toBe(false);
  });

  it('accepts globs, named files (even ignored ones, unless --force-exclude) and reports what matches nothing', () => {
    const dir = makeTree();
    const glob = collectTemplates(['stacks/**/*.yaml', 'nothing/**/*.json', 'missing.yaml'], { cwd: dir });
    expect(glob.files.map((f) => relative(dir, f))).toEqual(['stacks/app.yaml', 'stacks/sub/kept.yaml']);
    expect(glob.unmatched).toEqual(['nothing/**/*.json']);
    expect(glob.missing.map((f) => relative(dir, f))).toEqual(['missing.yaml']);
    const named = collectTemplates(['ignored-dir/x.yaml'], { cwd: dir });
    expect(named.files.map((f) => relative(dir, f))).toEqual(['ignored-dir/x.yaml']);
    expect(named.discovered.size).toBe(0);
    const forced = collectTemplates(['ignored-dir/x.yaml', 'fixtures/y.yaml', 'stacks/app.yaml'], { cwd: dir, forceExclude: true });
    expect(forced.files.map((f) => relative(dir, f))).toEqual(['stacks/app.yaml']);
    expect(forced.ignored.map((f) => relative(dir, f))).toEqual(['ignored-dir/x.yaml', 'fixtures/y.yaml']);
    // A named folder is walked even when an ignore file above excludes it.
    expect(collectTemplates(['ignored-dir'], { cwd: dir }).files.map((f) => relative(dir, f))).toEqual(['ignored-dir/x.yaml']);
    expect(commonRoot([join(dir, 'a', 'b'), join(dir, 'a', 'c'), join(dir, 'a')])).toBe(join(dir, 'a'));
  });
});

describe('bulk runs', () => {
  let dir: string;
  let jobs1: ReturnType<typeof tapfix>;
  beforeAll(() => {
    dir = makeTree();
    jobs1 = tapfix(['.', ...ONLY, '--jobs', '1'], dir);
  });

  it('counts every kind of file in the summary, reports errors as file:line:col and exits 2', () => {
    expect(jobs1.code).toBe(2);
    expect(jobs1.stderr).toContain('tapfix: 11 files, 5 would change, 1 unchanged, 3 skipped (not templates), 2 errors\n');
    expect(jobs1.stderr).toMatch(/^broken\/bad\.json:6:1: invalid JSON: closing brace expected/m);
    expect(jobs1.stderr).toMatch(/^broken\/bad\.yaml:\d+:\d+: invalid YAML/m);
    expect(jobs1.stderr).toMatch(/fixes per transform \(8 templates scanned\):\n {2}retain-stateful\s+5 in 5 files\n/);
    expect(jobs1.stdout).toContain('+    DeletionPolicy: Retain');
    expect(jobs1.stderr).not.toContain('\r'); // no progress bar when stderr is not a terminal
  });

  it('prints the same output whatever the job count', () => {
    const jobs4 = tapfix(['.', ...ONLY, '--jobs', '4'], dir);
    expect(jobs4).toEqual(jobs1);
    for (const format of ['json', 'sarif', 'markdown', 'patch', 'diff']) {
      const one = tapfix(['.', ...ONLY, '--jobs', '1', '--format', format], dir);
      const four = tapfix(['.', ...ONLY, '--jobs', '4', '--format', format], dir);
      expect(four, format).toEqual(one);
    }
  });

  it('writes fixes, leaves broken and non-template files byte-identical, and a second run has nothing to do', () => {
    const work = mkdtempSync(join(tmpdir(), 'tapfix-bulk-write-'));
    cpSync(dir, work, { recursive: true, verbatimSymlinks: true });
    const before = new Map(PROCESSED.map((p) => [p, readFileSync(join(work, p))]));
    const r = tapfix(['.', ...ONLY, '--write', '--jobs', '2'], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('5 fixed, 1 unchanged, 3 skipped (not templates), 2 errors');
    for (const p of ['broken/bad.json', 'broken/bad.yaml', 'other/chart.yaml', 'other/package.json', 'other/settings.yaml', 'stacks/queue.json']) {
      expect(readFileSync(join(work, p)).equals(before.get(p)!), p).toBe(true);
    }
    expect(readFileSync(join(work, 'stacks/app.yaml'), 'utf8')).toBe(BUCKET_YAML_FIXED);
    expect(readFileSync(join(work, 'ignored-dir/x.yaml'), 'utf8')).toBe(BUCKET_YAML); // ignored: untouched
    expect(readFileSync(join(work, '.hidden/h.yaml'), 'utf8')).toBe(BUCKET_YAML);
    const again = tapfix(['stacks', ...ONLY, '--check'], work);
    expect(again.code).toBe(0);
    expect(readdirSync(join(work, 'stacks')).some((n) => n.startsWith('.tapfix-tmp-'))).toBe(false);
  });

  it('--output-dir writes fixed copies of changed files under the same relative paths, originals untouched', () => {
    const out = mkdtempSync(join(tmpdir(), 'tapfix-bulk-out-'));
    const r = tapfix(['stacks', 'broken', ...ONLY, '--output-dir', out, '--jobs', '2'], dir);
    expect(r.code).toBe(2);
    expect(readFileSync(join(out, 'stacks/app.yaml'), 'utf8')).toBe(BUCKET_YAML_FIXED);
    expect(existsSync(join(out, 'stacks/nested/net.template'))).toBe(true);
    expect(existsSync(join(out, 'stacks/queue.json'))).toBe(false); // unchanged: not copied
    expect(existsSync(join(out, 'broken/bad.json'))).toBe(false);
    expect(readFileSync(join(dir, 'stacks/app.yaml'), 'utf8')).toBe(BUCKET_YAML);
    // One input folder: paths below it.
    const single = mkdtempSync(join(tmpdir(), 'tapfix-bulk-out-'));
    tapfix(['stacks', ...ONLY, '--output-dir', single], dir);
    expect(readFileSync(join(single, 'nested/edge.cfn.yml'), 'utf8')).toBe(BUCKET_YAML_FIXED);
    // The output folder is never walked as input.
    const inside = tapfix(['.', ...ONLY, '--output-dir', 'fixed'], mkdtempCopy(dir));
    expect(inside.stderr).toContain('tapfix: 11 files');
    expect(tapfix(['.', '--write', '--output-dir', 'x'], dir).code).toBe(2);
  });

  it('--report writes the JSON report a migration pull request is built from', () => {
    const reportFile = join(mkdtempSync(join(tmpdir(), 'tapfix-bulk-report-')), 'nested', 'report.json');
    const temp = mkdtempSync(join(tmpdir(), 'tapfix-bulk-tmp-'));
    const r = tapfix(['.', ...ONLY, '--report', reportFile, '--quiet'], dir, { TMPDIR: temp });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(readdirSync(temp)).toEqual([]); // the spool of entries is gone
    const text = readFileSync(reportFile, 'utf8');
    const report = JSON.parse(text);
    // Assembled from per-file pieces as files finish, it reads as one JSON.stringify would write it.
    expect(text).toBe(JSON.stringify(report, null, 2) + '\n');
    expect(Object.keys(report)).toEqual(['reportVersion', 'tool', 'settings', 'totals', 'files']);
    expect(report.tool.name).toBe('tapfix');
    expect(report.settings).toMatchObject({ mode: 'dry-run', unsafe: false, only: ['retain-stateful'] });
    expect(report.totals).toMatchObject({
      files: 11,
      templates: 8,
      changed: 5,
      unchanged: 1,
      skipped: 3,
      errors: 2,
      fixesApplied: 5,
      fixesHeld: 0,
      byTransform: { 'retain-stateful': { findings: 5, applied: 5, held: 0, files: 5 } },
    });
    expect(report.files.map((f: { file: string }) => f.file)).toEqual(PROCESSED);
    const app = report.files.find((f: { file: string }) => f.file === 'stacks/app.yaml');
    expect(app).toMatchObject({ format: 'yaml', status: 'changed', errors: [] });
    expect(app.findings[0]).toMatchObject({ transform: 'retain-stateful', line: 3, col: 3, fix: 'fixable' });
    expect(app.operations.map((o: { path: string }) => o.path)).toEqual(['/Resources/Data/DeletionPolicy', '/Resources/Data/UpdateReplacePolicy']);
    const bad = report.files.find((f: { file: string }) => f.file === 'broken/bad.json');
    expect(bad.status).toBe('error');
    expect(bad.errors[0]).toMatchObject({ line: 6, col: 1 });
    const chart = report.files.find((f: { file: string }) => f.file === 'other/chart.yaml');
    expect(chart).toMatchObject({ status: 'skipped', errors: [] });
    expect(chart.skipReason).toMatch(/does not parse .* and has no AWSTemplateFormatVersion/);
  });

  it('--format sarif is valid SARIF 2.1.0 with one rule per transform, regions and applicable fixes', () => {
    const r = tapfix(['.', ...ONLY, '--format', 'sarif'], dir);
    expect(r.code).toBe(2);
    const log = JSON.parse(r.stdout);
    expect(r.stdout).toBe(JSON.stringify(log, null, 2) + '\n'); // results are spooled, the text is whole
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = log.runs[0];
    const listed = tapfix(['--list'], dir).stdout.trim().split('\n').length - 1; // a header line, then one per transform
    expect(run.tool.driver.rules).toHaveLength(listed);
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === 'retain-stateful');
    expect(rule.shortDescription.text).toBeTruthy();
    expect(rule.help.markdown).toContain('## Why');
    expect(rule.helpUri).toMatch(/docs\/rules\/retain-stateful\.md$/);
    expect(run.results).toHaveLength(5);
    const result = run.results.find((x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => x.locations[0]!.physicalLocation.artifactLocation.uri === 'stacks/app.yaml');
    expect(result.ruleId).toBe('retain-stateful');
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('retain-stateful');
    expect(result.locations[0].physicalLocation.region).toEqual({ startLine: 3, startColumn: 3 });
    // Applying the fix's replacements to the original gives exactly what --write writes.
    const original = readFileSync(join(dir, 'stacks/app.yaml'), 'utf8');
    let fixed = original;
    const replacements = [...result.fixes[0].artifactChanges[0].replacements].sort(
      (a: { deletedRegion: { charOffset: number } }, b: { deletedRegion: { charOffset: number } }) => b.deletedRegion.charOffset - a.deletedRegion.charOffset,
    );
    for (const rep of replacements) {
      const { charOffset, charLength } = rep.deletedRegion;
      fixed = fixed.slice(0, charOffset) + (rep.insertedContent?.text ?? '') + fixed.slice(charOffset + charLength);
    }
    expect(fixed).toBe(BUCKET_YAML_FIXED);
    // Files that could not be processed are tool notifications.
    const notes = run.invocations[0].toolExecutionNotifications;
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(notes.map((n: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => n.locations[0]!.physicalLocation.artifactLocation.uri)).toEqual([
      'broken/bad.json',
      'broken/bad.yaml',
    ]);
  });

  it('--format markdown summarises the run for a pull request', () => {
    const r = tapfix(['.', ...ONLY, '--format', 'markdown'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('## tapfix: CloudFormation fixes');
    expect(r.stdout).toContain('Scanned 11 files (8 templates): **5 would change**, 1 unchanged, 3 skipped (not templates), 2 files with errors.');
    expect(r.stdout).toContain('| `stacks/app.yaml` | 1 | 0 | `retain-stateful` |');
    expect(r.stdout).toContain('### Errors (files left untouched)');
    expect(r.stdout).toMatch(/- `broken\/bad\.json:6:1`: invalid JSON: closing brace expected/);
  });

  it('processes SAM templates, touching only plain CloudFormation resources in them', () => {
    const sam = mkdtempSync(join(tmpdir(), 'tapfix-sam-'));
    write(sam, 'template.yaml', SAM);
    const r = tapfix(['template.yaml', '--format', 'json', '--unsafe'], sam);
    expect(r.code).toBe(0);
    const file = JSON.parse(r.stdout).files[0];
    expect(file.status).toBe('changed');
    const serverless = /^\/Resources\/(Fn|Table|Api)(\/|$)/;
    expect(file.operations.length).toBeGreaterThan(0);
    for (const op of file.operations) expect(op.path, JSON.stringify(op)).not.toMatch(serverless);
    for (const f of file.findings) expect(f.pointer).not.toMatch(serverless);

    // SARIF: the file's fix sits on its first applied result; the others point at it.
    const log = JSON.parse(tapfix(['template.yaml', '--format', 'sarif', '--unsafe'], sam).stdout);
    expect(sarifValidator()(log)).toBe(true);
    const results = log.runs[0].results as Array<{ fixes?: unknown[]; properties: { fix: string; fixedWith?: number } }>;
    const holders = results.map((r, i) => (r.fixes ? i : -1)).filter((i) => i >= 0);
    expect(holders).toHaveLength(1);
    const applied = results.filter((r) => r.properties.fix === 'fixable');
    expect(applied.length).toBeGreaterThan(1);
    for (const r of applied) if (!r.fixes) expect(r.properties.fixedWith).toBe(holders[0]);
  });
});

describe('interrupted runs', () => {
  const COPIES = 300;
  function writeHeavyTree() {
    const dir = mkdtempSync(join(tmpdir(), 'tapfix-kill-'));
    for (let i = 0; i < COPIES; i++) write(dir, `d${String(Math.floor(i / 10)).padStart(2, '0')}/s${String(i % 10)}.yaml`, BUCKET_YAML);
    return dir;
  }
  function filesOf(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => statSync(join(dir, p)).isFile());
  }
  /** Spawns a --write run and signals it once `after` files are written. */
  function interrupt(dir: string, signal: NodeJS.Signals, after: number) {
    return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; written: number }>((resolve) => {
      const child = spawn(process.execPath, [bin, '.', ...ONLY, '--write', '--jobs', '2'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const watched = filesOf(dir).sort().slice(0, after);
      let written = 0;
      const poll = setInterval(() => {
        written = watched.filter((p) => readFileSync(join(dir, p), 'utf8') !== BUCKET_YAML).length;
        if (written >= after) {
          clearInterval(poll);
          child.kill(signal);
        }
      }, 2);
      child.on('exit', (code, sig) => {
        clearInterval(poll);
        resolve({ code, signal: sig, stderr, written });
      });
    });
  }
  function checkEveryFile(dir: string) {
    let fixed = 0;
    for (const p of filesOf(dir).filter((f) => !f.includes('.tapfix-tmp-'))) {
      const text = readFileSync(join(dir, p), 'utf8');
      expect([BUCKET_YAML, BUCKET_YAML_FIXED], p).toContain(text);
      if (text === BUCKET_YAML_FIXED) fixed++;
    }
    return fixed;
  }

  it('SIGKILL mid-run leaves every file either old or new, never half-written', async () => {
    const dir = writeHeavyTree();
    const r = await interrupt(dir, 'SIGKILL', 20);
    expect(r.signal).toBe('SIGKILL');
    const fixed = checkEveryFile(dir);
    expect(fixed).toBeGreaterThanOrEqual(20);
    expect(fixed).toBeLessThan(COPIES); // it really was stopped mid-run
  });

  it('SIGINT finishes the files in progress, removes temporary files and exits 130', async () => {
    const dir = writeHeavyTree();
    const r = await interrupt(dir, 'SIGINT', 20);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('tapfix: interrupted');
    expect(filesOf(dir).filter((p) => p.includes('.tapfix-tmp-'))).toEqual([]);
    const fixed = checkEveryFile(dir);
    expect(fixed).toBeLessThan(COPIES);
    expect(r.stderr).toMatch(new RegExp(`interrupted after ${fixed} of ${COPIES} files`));
  });
});

describe('bulk runner', () => {
  it('reports a task whose worker dies and still runs the rest, results in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapfix-runner-'));
    const handler = join(dir, 'handler.mjs');
    writeFileSync(handler, 'export async function createHandler(data) {\n  return (task) => {\n    if (task === data.crashOn) process.exit(3);\n    return task * 2;\n  };\n}\n');
    const seen: Array<[number, unknown]> = [];
    const run = await runTasks<number, unknown, { crashOn: number }>({
      tasks: [1, 2, 3, 4, 5, 6, 7, 8],
      jobs: 2,
      handlerModule: handler,
      handlerData: { crashOn: 5 },
      onResult: inOrder((index, result) => seen.push([index, result])),
      onCrash: (task, message) => `crashed ${task}: ${message}`,
    });
    expect(run.workers).toBe(2);
    expect(seen.map(([i]) => i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(seen.map(([, r]) => r)).toEqual([2, 4, 6, 8, 'crashed 5: internal error: worker exited with code 3', 12, 14, 16]);
  });
});

describe('bulk runner memory', () => {
  it('runs a task again in the main thread when its worker runs out of memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapfix-runner-'));
    const handler = join(dir, 'handler.mjs');
    writeFileSync(
      handler,
      'export async function createHandler(data) {\n  return (task) => {\n    if (task !== data.big) return task * 2;\n    const keep = [];\n    for (let i = 0; i < 4e6; i++) keep.push({ i });\n    return keep.length;\n  };\n}\n',
    );
    const seen: unknown[] = [];
    await runTasks<number, unknown, { big: number }>({
      tasks: [1, 2, 3, 4],
      jobs: 2,
      handlerModule: handler,
      handlerData: { big: 3 },
      onResult: inOrder((_index, result) => seen.push(result)),
      onCrash: (task, message) => `crashed ${task}: ${message}`,
      workerLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    expect(seen).toEqual([2, 4, 4e6, 8]);
  });
});

describe('output helpers', () => {
  it('line diffs are byte-identical to the diff package', () => {
    const lines = fc.array(fc.constantFrom('a\n', 'b\n', '}\n', '  },\n', 'x: 1\r\n', ''), { maxLength: 30 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const before = a.join('');
        const after = b.join('');
        expect(twoFilesPatch('a/f', 'b/f', before, after, 3)).toBe(createTwoFilesPatch('a/f', 'b/f', before, after, '', '', { context: 3 }));
        expect(applyReplacements(before, textReplacements(before, after))).toBe(after);
      }),
      { numRuns: 300 },
    );
  });

  it('a diff from the edits that made the text applies, and is the same diff where there is no choice', () => {
    const piece = fc.constantFrom('a', 'b', '\n', '\r\n', '}', ' ', 'x: 1', '');
    const text = fc.array(piece, { minLength: 1, maxLength: 30 }).map((p) => p.join(''));
    const edits = fc.array(fc.record({ at: fc.nat(), length: fc.nat({ max: 6 }), content: fc.array(piece, { maxLength: 6 }).map((p) => p.join('')) }), {
      maxLength: 5,
    });
    fc.assert(
      fc.property(text, edits, (before, raw) => {
        // Sorted, non-overlapping edits within the text.
        const chosen: Array<{ offset: number; length: number; content: string }> = [];
        let cursor = 0;
        for (const e of raw.map((r) => ({ ...r, at: r.at % (before.length + 1) })).sort((x, y) => x.at - y.at)) {
          if (e.at < cursor) continue;
          const length = Math.min(e.length, before.length - e.at);
          chosen.push({ offset: e.at, length, content: e.content });
          cursor = e.at + length;
        }
        const after = applyTextEdits(before, chosen);
        const patch = twoFilesPatch('a/f', 'b/f', before, after, 3, chosen);
        if (before === after) return;
        expect(applyPatch(before, patch)).toBe(after);
      }),
      { numRuns: 1000 },
    );
    // One edit in a long file: only its lines are compared, and the hunk is the usual one.
    const before = Array.from({ length: 40 }, (_, i) => `line ${i}\n`).join('');
    const edit = { offset: before.indexOf('line 20'), length: 'line 20'.length, content: 'changed\nadded' };
    const after = applyTextEdits(before, [edit]);
    expect(twoFilesPatch('a/f', 'b/f', before, after, 3, [edit])).toBe(createTwoFilesPatch('a/f', 'b/f', before, after, '', '', { context: 3 }));
  });

  it('draws a progress bar only when enabled', () => {
    let out = '';
    const bar = new Progress((s) => (out += s), 2, true, 80);
    bar.tick(3);
    bar.tick(1);
    expect(out).toMatch(/\r\u001b\[K\[#+\] 2\/2 files, 4 fixes, [\d.]+ files\/s/);
    bar.clear();
    expect(out.endsWith('\r\u001b[K')).toBe(true);
    let none = '';
    new Progress((s) => (none += s), 2, false).tick(1);
    expect(none).toBe('');
  });
});

function mkdtempCopy(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'tapfix-bulk-copy-'));
  cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
  return copy;
}

function sarifValidator() {
  // The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it (rtm.5, draft-04), read by Ajv as draft-07.
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv') as typeof import('ajv').default;
  const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
  const schema = JSON.parse(readFileSync(join(root, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  // The schema's language-code pattern is not valid with the `u` flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('performance changes keep behaviour', () => {
  it('parseJsonValue gives what parseJson gives, duplicate keys and escapes included', async () => {
    const { parseJson, parseJsonValue } = await import('../src/template/json.js');
    const key = fc.constantFrom('a', 'b', 'a\\u0062', 'ab', '"q\\"', 'x\\\\', '');
    const value: fc.Arbitrary<string> = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.constantFrom('1', '"s"', 'null', '"\\\\"', '"a\\"b"'), tie('object'), tie('array')),
      object: fc.array(fc.tuple(key, tie('node') as fc.Arbitrary<string>), { maxLength: 4 }).map((props) => `{${props.map(([k, v]) => `"${k}": ${v}`).join(', ')}}`),
      array: fc.array(tie('node') as fc.Arbitrary<string>, { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
    })).object as fc.Arbitrary<string>;
    fc.assert(
      fc.property(value, fc.boolean(), (text, bom) => {
        const input = (bom ? '\uFEFF' : '') + text;
        const outcome = (f: () => unknown) => {
          try {
            return { value: f() };
          } catch (error) {
            return { error: (error as Error).message };
          }
        };
        expect(outcome(() => parseJsonValue(input))).toEqual(outcome(() => parseJson(input).value));
      }),
      { numRuns: 500 },
    );
  });

  it('applying a batch of operations equals applying them one by one, and never changes its input', async () => {
    const { applyOperations } = await import('../src/engine/patch.js');
    type Doc = Parameters<typeof applyOperations>[0];
    const doc: Doc = Object.freeze({ Resources: Object.freeze({ A: Object.freeze({ Type: 'T', Properties: Object.freeze({ L: Object.freeze([1, 2]) }) }) }) }) as unknown as Doc;
    const ops = [
      { op: 'add', path: '/Resources/B', value: { Type: 'U' } },
      { op: 'add', path: '/Resources/A/Properties/L/-', value: 3 },
      { op: 'copy', from: '/Resources/B', path: '/Resources/C' },
      { op: 'add', path: '/Resources/C/Properties', value: {} },
      { op: 'replace', path: '/Resources/A/Type', value: 'T2' },
      { op: 'move', from: '/Resources/A/Properties/L', path: '/Resources/B/L' },
      { op: 'remove', path: '/Resources/A/Properties' },
      { op: 'test', path: '/Resources/B/Type', value: 'U' },
    ] as const;
    const batch = applyOperations(doc, [...ops]);
    const oneByOne = ops.reduce((d, op) => applyOperations(d, [op]), doc);
    expect(batch).toEqual(oneByOne);
    expect(batch).toEqual({ Resources: { A: { Type: 'T2' }, B: { Type: 'U', L: [1, 2, 3] }, C: { Type: 'U', Properties: {} } } });
    expect((batch as { Resources: { B: object } }).Resources.B).not.toHaveProperty('Properties'); // the copy was not shared
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('declares tapfix-check and tapfix for JSON, YAML and .template files', async () => {
    const { load } = await import('js-yaml');
    const hooks = load(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as Array<Record<string, string>>;
    expect(hooks.map((h) => [h['id'], h['entry'], h['language']])).toEqual([
      ['tapfix-check', 'tapfix --check --force-exclude', 'node'],
      ['tapfix', 'tapfix --write --force-exclude', 'node'],
    ]);
    const files = new RegExp(hooks[0]!['files']!);
    for (const name of ['a.json', 'b.yaml', 'c.yml', 'd.template']) expect(files.test(name), name).toBe(true);
    expect(files.test('e.md')).toBe(false);
  });
});

describe('text spool', () => {
  it('gives back every item, separated, across chunk boundaries that split a character', async () => {
    const { TextSpool } = await import('../src/cli/spool.js');
    const spool = new TextSpool(',');
    // Items of odd sizes with two-, three- and four-byte characters, over two 1 MiB chunks.
    const items = Array.from({ length: 2500 }, (_, i) => `${'é'.repeat(i % 7)}${'x'.repeat(997 + (i % 13))}\u20ac\u{1F600}${i}`);
    items.unshift('a'.repeat((1 << 20) - 1) + '\u00e9'); // its two bytes straddle the first chunk's end
    for (const item of items) spool.add(item);
    expect(spool.count).toBe(items.length);
    const chunks: string[] = [];
    spool.drain((chunk) => chunks.push(chunk));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(items.join(','));
    expect(() => spool.add('late')).toThrow(/already read/);
  });
});

describe('line diff fallback', () => {
  it('past the exact search, the patience diff is still a correct diff', async () => {
    const { diffLineLists, splitLines } = await import('../src/cli/linediff.js');
    const lines = fc.array(fc.constantFrom('a\n', 'b\n', 'c\n', '}\n', 'unique1\n', 'unique2\n', 'x: 1\n'), { maxLength: 40 });
    fc.assert(
      fc.property(lines, lines, fc.integer({ min: 0, max: 4 }), (a, b, max) => {
        const before = a.join('');
        const after = b.join('');
        const changes = diffLineLists(splitLines(before), splitLines(after), max);
        expect(changes.filter((c) => !c.added).flatMap((c) => c.lines).join('')).toBe(before);
        expect(changes.filter((c) => !c.removed).flatMap((c) => c.lines).join('')).toBe(after);
      }),
      { numRuns: 300 },
    );
  });
});

describe('--shard and merge-reports', () => {
  it('three shards cover every file once, and their merged reports equal a single run', () => {
    const dir = makeTree();
    // Reports outside the tree, or the later runs would walk them.
    const out = mkdtempSync(join(tmpdir(), 'tapfix-shards-'));
    const at = (name: string) => join(out, name);
    const full = tapfix(['.', ...ONLY, '--report', at('full.json'), '-q'], dir);
    expect(full.code).toBe(2); // the broken files
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = tapfix(['.', ...ONLY, '--shard', `${i}/3`, '--report', at(`shard-${i}.json`), '-q'], dir);
      expect([0, 2]).toContain(r.code);
      const report = JSON.parse(readFileSync(at(`shard-${i}.json`), 'utf8'));
      expect(report.settings.shard).toBe(`${i}/3`);
      seen.push(...report.files.map((f: { file: string }) => f.file));
    }
    const single = JSON.parse(readFileSync(at('full.json'), 'utf8'));
    expect(seen.sort()).toEqual(single.files.map((f: { file: string }) => f.file).sort());
    const merged = tapfix(['merge-reports', 'shard-1.json', 'shard-2.json', 'shard-3.json', '-o', 'merged.json'], out);
    expect(merged.code).toBe(0);
    expect(JSON.parse(readFileSync(at('merged.json'), 'utf8'))).toEqual(single);
    // Shards of other runs do not mix.
    tapfix(['.', '--only', 's3-bucket-key', '--shard', '1/3', '--report', at('other.json'), '-q'], dir);
    expect(tapfix(['merge-reports', 'shard-2.json', 'other.json'], out).stderr).toMatch(/other settings/);
    expect(tapfix(['.', '--shard', '4/3'], dir).code).toBe(2);
  });
});

describe('defaultJobs: workers only where they pay', () => {
  const MB = 1_000_000;
  it.each([
    // cores, files, bytes, jobs
    [2, 1_041, 23.9 * MB, 1], // two cores: one thread is as fast as two workers, and cheaper
    [2, 100_000, 5_000 * MB, 1],
    [8, 1, 1 * MB, 1], // one file
    [8, 400, 10 * MB, 1], // not enough work to repay a second warm-up
    [8, 1_041, 23.9 * MB, 2],
    [8, 20_000, 500 * MB, 5], // capped by the cores
    [64, 1_041, 23.9 * MB, 2], // capped by the work
    [64, 20_000, 500 * MB, 42],
    [64, 3, 900 * MB, 3], // never more workers than files
  ])('%i cores, %i files, %i bytes: %i', (cores, files, bytes, jobs) => {
    expect(defaultJobs({ files, bytes }, cores)).toBe(jobs);
  });

  it('gives every worker at least MIN_BYTES_PER_WORKER', () => {
    for (const cores of [3, 4, 8, 16, 64, 256]) {
      for (let bytes = 0; bytes < 200 * MB; bytes += 3.7 * MB) {
        const jobs = defaultJobs({ files: 10_000, bytes }, cores);
        if (jobs > 1) expect(bytes / jobs).toBeGreaterThanOrEqual(MIN_BYTES_PER_WORKER);
        expect(jobs).toBeLessThanOrEqual(Math.max(1, cores));
      }
    }
  });
});
