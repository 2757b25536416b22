// The command line as users run it: the real bin/tapfix on temporary files (needs the build:
// `npm ci` or `npm run build`).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { NEEDS_BUCKET_KEY } from './fixtures.js';

const bin = join(import.meta.dirname, '..', 'bin', 'tapfix');
if (!existsSync(join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js'))) {
  throw new Error('dist/ is missing: run npm run build (npm ci does it) before the CLI tests');
}

function tapfix(args: string[], options: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd, input: options.input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const NEEDS_FIX = NEEDS_BUCKET_KEY;
const FIXED = NEEDS_FIX.replace('aws:kms  # our key\n', 'aws:kms  # our key\n            BucketKeyEnabled: true\n');
const CLEAN = '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue"}\n  }\n}\n';
const BROKEN = '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue"\n  }\n}\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tapfix-cli-'));
  writeFileSync(join(dir, 'stack.yaml'), NEEDS_FIX);
  writeFileSync(join(dir, 'clean.json'), CLEAN);
  chmodSync(join(dir, 'stack.yaml'), 0o640);
});

const only = ['--only', 's3-bucket-key'];

describe('tapfix CLI', () => {
  it('previews findings and a diff without touching the file', () => {
    const r = tapfix(['stack.yaml', ...only], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stack.yaml\n  7:13     medium   s3-bucket-key');
    expect(r.stdout).toContain('+            BucketKeyEnabled: true');
    expect(r.stderr).toMatch(/1 file, 1 would change, 0 unchanged/);
    expect(readFileSync(join(dir, 'stack.yaml'), 'utf8')).toBe(NEEDS_FIX);
  });

  it('lists findings top to bottom, whatever order the transforms ran in', () => {
    // retain-stateful runs before s3-bucket-key and finds lines 2 and 9; s3-bucket-key finds line 7.
    writeFileSync(join(dir, 'two.yaml'), NEEDS_FIX + '  Queue:\n    Type: AWS::SQS::Queue\n');
    const r = tapfix(['two.yaml', '--only', 's3-bucket-key,retain-stateful', '--no-diff'], { cwd: dir });
    const lines = r.stdout.split('\n').filter((l) => /^ {2}\d+:\d+/.test(l));
    expect(lines.map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual([
      '2:3 critical retain-stateful',
      '7:13 medium s3-bucket-key',
      '9:3 high retain-stateful',
    ]);
  });

  it('writes fixes atomically, keeps the mode, and never touches unchanged files', () => {
    const cleanBefore = statSync(join(dir, 'clean.json')).mtimeMs;
    const r = tapfix(['.', '--write', ...only], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'stack.yaml'), 'utf8')).toBe(FIXED);
    expect(statSync(join(dir, 'stack.yaml')).mode & 0o777).toBe(0o640);
    expect(statSync(join(dir, 'clean.json')).mtimeMs).toBe(cleanBefore);
    const again = tapfix(['.', '--check', ...only], { cwd: dir });
    expect(again.code).toBe(0);
  });

  it('--check exits 1 when fixes are pending', () => {
    expect(tapfix(['stack.yaml', '--check', ...only], { cwd: dir }).code).toBe(1);
    expect(tapfix(['clean.json', '--check', ...only], { cwd: dir }).code).toBe(0);
  });

  it('reports a broken file as file:line:col, exits 2, leaves it byte-identical and still fixes the rest', () => {
    writeFileSync(join(dir, 'broken.json'), BROKEN);
    const r = tapfix(['.', '--write', ...only], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.json:\d+:\d+: invalid JSON/);
    expect(readFileSync(join(dir, 'broken.json'), 'utf8')).toBe(BROKEN);
    expect(readFileSync(join(dir, 'stack.yaml'), 'utf8')).toBe(FIXED);
  });

  it('prints a diff that git apply accepts', () => {
    const r = tapfix(['stack.yaml', '--format', 'diff', ...only], { cwd: dir });
    expect(r.code).toBe(0);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    writeFileSync(join(dir, 'change.diff'), r.stdout);
    execFileSync('git', ['apply', 'change.diff'], { cwd: dir });
    expect(readFileSync(join(dir, 'stack.yaml'), 'utf8')).toBe(FIXED);
  });

  it('prints the JSON Patch and a JSON report', () => {
    const patch = JSON.parse(tapfix(['stack.yaml', '--format', 'patch', ...only], { cwd: dir }).stdout);
    expect(patch).toEqual([
      { op: 'add', path: '/Resources/Data/Properties/BucketEncryption/ServerSideEncryptionConfiguration/0/BucketKeyEnabled', value: true },
    ]);
    const report = JSON.parse(tapfix(['.', '--format', 'json', ...only], { cwd: dir }).stdout);
    const files = report.files as Array<{ file: string; status: string }>;
    expect(files.map((f) => [f.file, f.status])).toEqual([
      ['clean.json', 'unchanged'],
      ['stack.yaml', 'changed'],
    ]);
  });

  it('fixes standard input for editors', () => {
    const r = tapfix(['--stdin', '--stdin-filepath', 'x.yaml', '--write', ...only], { cwd: dir, input: NEEDS_FIX });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(FIXED);
  });

  it('follows tapfix.config.json and rejects unknown transform ids', () => {
    writeFileSync(join(dir, 'tapfix.config.json'), '{\n  // bucket keys are handled elsewhere\n  "transforms": {"s3-bucket-key": "off"}\n}\n');
    const report = JSON.parse(tapfix(['stack.yaml', '--format', 'json'], { cwd: dir }).stdout);
    const ids = (report.files[0].findings as Array<{ transform: string }>).map((f) => f.transform);
    expect(ids).not.toContain('s3-bucket-key');
    const r = tapfix(['stack.yaml', '--only', 'no-such-rule'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown transform id\(s\): no-such-rule/);
  });

  it('lists transforms and skips files that are not templates', () => {
    expect(tapfix(['--list']).stdout).toMatch(/s3-bucket-key\s+medium\s+safe\s+Enable S3 Bucket Keys/);
    writeFileSync(join(dir, 'package.json'), '{"name": "x"}\n');
    const r = tapfix(['package.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/skipped \(not a CloudFormation template: no Resources section\)/);
  });
});

describe('command-line conventions', () => {
  it('stops writing quietly when its reader goes away (| head), and still writes files and exits as it would have', async () => {
    // Enough output to fill a pipe (64 KB) long before the run ends.
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, `copy${i}.yaml`), NEEDS_FIX);
    const full = tapfix(['.', '--format', 'json', '--jobs', '1'], { cwd: dir });
    expect(full.stdout.length).toBeGreaterThan(200_000);
    const closedEarly = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, '.', '--format', 'json', '--jobs', '1', '--write'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // Like head: read the first chunk, then close the pipe.
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(closedEarly.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(closedEarly.code).toBe(full.code);
    // --write went on to the end: every copy is fixed, the last one too.
    const fixed = readFileSync(join(dir, 'copy0.yaml'), 'utf8');
    expect(fixed).not.toBe(NEEDS_FIX);
    for (let i = 1; i < 40; i++) expect(readFileSync(join(dir, `copy${i}.yaml`), 'utf8'), `copy${i}.yaml`).toBe(fixed);
  });

  it('--only, --skip and --enable take one value each and never swallow a path', () => {
    const r = tapfix(['--only', 's3-bucket-key', 'stack.yaml', '--skip', 'standard-tags', 'clean.json', '--enable', 'single-instance'], { cwd: dir });
    expect(r.stderr).not.toMatch(/unknown transform/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stack\.yaml/);
    expect(r.stderr).toMatch(/2 files, 1 would change, 1 unchanged/);
    // Comma-separated and repeated values add up.
    const both = tapfix(['--only', 's3-bucket-key,s3-enforce-tls', '--only', 'ami-from-ssm', '--print-config', 'stack.yaml'], { cwd: dir });
    const enabled = Object.entries(JSON.parse(both.stdout).transforms as Record<string, { enabled: boolean }>).filter(([, t]) => t.enabled).map(([id]) => id);
    expect(enabled.sort()).toEqual(['ami-from-ssm', 's3-bucket-key', 's3-enforce-tls']);
    expect(tapfix(['stack.yaml', '--only'], { cwd: dir }).code).toBe(2);
  });

  it('-h prints the help with the exit codes, --version the version', () => {
    const help = tapfix(['-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\n\s+0\s+clean/);
    expect(help.stdout).toMatch(/1\s+--check: fixes are pending/);
    const version = tapfix(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).version);
  });

  it('skips named files that are not CloudFormation (pre-commit names every staged file)', () => {
    writeFileSync(join(dir, 'k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Service\n');
    writeFileSync(join(dir, 'chart.yaml'), 'replicas: {{ .Values.replicas }}\n');
    writeFileSync(join(dir, 'broken.yaml'), BROKEN);
    const r = tapfix(['--check', 'k8s.yaml', 'chart.yaml', 'stack.yaml', '--only', 's3-bucket-key'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/3 files, 1 would change, 0 unchanged, 2 skipped \(not templates\), 0 errors/);
    // A file that mentions CloudFormation and does not parse is still an error.
    const broken = tapfix(['--check', 'broken.yaml'], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^broken\.yaml:\d+:\d+: /m);
  });

  it('--format patch: a bare patch for one named file, an object keyed by path for a folder or glob', () => {
    const one = JSON.parse(tapfix(['stack.yaml', '--format', 'patch', ...only], { cwd: dir }).stdout);
    expect(Array.isArray(one)).toBe(true);
    const folder = JSON.parse(tapfix(['.', '--format', 'patch', ...only], { cwd: dir }).stdout);
    expect(Object.keys(folder)).toContain('stack.yaml');
    const glob = JSON.parse(tapfix(['*.yaml', '--format', 'patch', ...only], { cwd: dir }).stdout);
    expect(Object.keys(glob)).toEqual(['stack.yaml']);
    expect(glob['stack.yaml']).toEqual(one);
  });
});

describe('tapfix skip entries', () => {
  const SKIPS = `Metadata:
  tapfix:
    skip: s3-bucket-keys
Resources:
  Data:
    Type: AWS::S3::Bucket
    Metadata:
      tapfix:
        skip: all
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
  Other:
    Type: AWS::S3::Bucket
    Metadata:
      tapfix:
        skip: [s3-bucket-key]
`;

  it('accepts a plain string, warns on unknown ids and, when asked, on skips that suppress nothing', () => {
    writeFileSync(join(dir, 'skips.yaml'), SKIPS);
    const r = tapfix(['skips.yaml', ...only], { cwd: dir });
    expect(r.code).toBe(0);
    // `skip: all` as a plain string keeps Data unchanged.
    expect(r.stderr).toMatch(/1 file, 0 would change, 1 unchanged/);
    expect(r.stderr).toMatch(/^skips\.yaml:3:5: warning: tapfix skip of the template names "s3-bucket-keys", which is not a transform id/m);
    expect(r.stderr).not.toMatch(/unused/);
    const unused = tapfix(['skips.yaml', ...only, '--report-unused-skips'], { cwd: dir });
    expect(unused.code).toBe(0);
    expect(unused.stderr).toMatch(/^skips\.yaml:19:16: warning: tapfix skip of resource Other for "s3-bucket-key" is unused/m);
    expect(unused.stderr).not.toMatch(/resource Data/);
    const json = JSON.parse(tapfix(['skips.yaml', ...only, '--report-unused-skips', '--format', 'json'], { cwd: dir }).stdout);
    expect(json.files[0].warnings.map((w: { line: number }) => w.line)).toEqual([3, 19]);
  });
});

describe('what became of each finding', () => {
  const HELD = `${NEEDS_FIX}  Server:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0123456789abcdef0
      InstanceType: t3.micro
`;
  const run = ['--only', 's3-bucket-key,ami-from-ssm', '--region', 'us-east-1'];

  it('says fixable on a dry run and fixed after --write, in text, JSON and SARIF', () => {
    writeFileSync(join(dir, 'held.yaml'), HELD);
    const dry = tapfix(['held.yaml', ...run, '--no-diff'], { cwd: dir });
    expect(dry.stdout).toMatch(/s3-bucket-key .*\(fixable: --write applies it\)/);
    expect(dry.stdout).toMatch(/ami-from-ssm .*\(unsafe fix held back: --unsafe applies it\)/);
    const dryJson = JSON.parse(tapfix(['held.yaml', ...run, '--format', 'json'], { cwd: dir }).stdout);
    expect(dryJson.files[0].findings.map((f: { transform: string; fix: string }) => `${f.transform} ${f.fix}`).sort()).toEqual(['ami-from-ssm held', 's3-bucket-key fixable']);
    const drySarif = JSON.parse(tapfix(['held.yaml', ...run, '--format', 'sarif'], { cwd: dir }).stdout);
    expect(drySarif.runs[0].results.map((r: { ruleId: string; properties: { fix: string } }) => `${r.ruleId} ${r.properties.fix}`).sort()).toEqual(['ami-from-ssm held', 's3-bucket-key fixable']);
    expect(drySarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 's3-bucket-key').fixes).toHaveLength(1);

    const sarif = JSON.parse(tapfix(['held.yaml', ...run, '--write', '--format', 'sarif'], { cwd: dir }).stdout);
    // Only what is still wrong in the file after the run.
    expect(sarif.runs[0].results.map((r: { ruleId: string; properties: { fix: string } }) => `${r.ruleId} ${r.properties.fix}`)).toEqual(['ami-from-ssm held']);
    writeFileSync(join(dir, 'held.yaml'), HELD);
    const written = tapfix(['held.yaml', ...run, '--write'], { cwd: dir });
    expect(written.stdout).toMatch(/s3-bucket-key .*\(fixed\)/);
    writeFileSync(join(dir, 'held.yaml'), HELD);
    const json = JSON.parse(tapfix(['held.yaml', ...run, '--write', '--format', 'json'], { cwd: dir }).stdout);
    expect(json.files[0].findings.map((f: { transform: string; fix: string }) => `${f.transform} ${f.fix}`).sort()).toEqual(['ami-from-ssm held', 's3-bucket-key fixed']);
  });

  it('--fail-on exits 1 while findings of that severity or higher remain: fixable ones on a dry run, held or unfixable ones after --write', () => {
    writeFileSync(join(dir, 'held.yaml'), HELD);
    const severities = JSON.parse(tapfix(['held.yaml', ...run, '--format', 'json'], { cwd: dir }).stdout).files[0].findings.map((f: { transform: string; severity: string }) => `${f.transform} ${f.severity}`);
    expect(severities.sort()).toEqual(['ami-from-ssm high', 's3-bucket-key medium']);
    expect(tapfix(['held.yaml', ...run, '--fail-on', 'medium'], { cwd: dir }).code).toBe(1);
    expect(tapfix(['held.yaml', '--only', 's3-bucket-key', '--fail-on', 'high'], { cwd: dir }).code).toBe(0);
    // After --write the fixed finding is gone; the held-back unsafe one (high) still fails the gate.
    const written = tapfix(['held.yaml', ...run, '--write', '--fail-on', 'critical'], { cwd: dir });
    expect(written.code).toBe(0);
    const again = tapfix(['held.yaml', ...run, '--fail-on', 'high'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/1 finding of severity high or higher remains \(--fail-on high\)/);
    expect(tapfix(['held.yaml', ...run, '--fail-on', 'bogus'], { cwd: dir }).code).toBe(2);
  });
});

describe('compact, JUnit, --list --format json and --output-file', () => {
  it('--format compact prints one line per finding, for editors and grep', () => {
    writeFileSync(join(dir, 'k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\n---\nkind: Service\n');
    const r = tapfix(['stack.yaml', 'k8s.yaml', ...only, '--format', 'compact'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('stack.yaml:7:13: medium s3-bucket-key Bucket Data uses SSE-KMS without an S3 Bucket Key (fixable: --write applies it)\n');
  });

  it('--format junit writes a suite per file, a failed case per finding left', () => {
    writeFileSync(join(dir, 'broken.json'), BROKEN);
    const r = tapfix(['stack.yaml', 'clean.json', 'broken.json', ...only, '--format', 'junit', '-o', 'reports/tapfix.xml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const xml = readFileSync(join(dir, 'reports', 'tapfix.xml'), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="tapfix" tests="3" failures="1" errors="1">/);
    expect(xml).toMatch(/<testsuite name="stack.yaml" tests="1" failures="1" errors="0">\n\s+<testcase classname="stack.yaml" name="s3-bucket-key stack.yaml:7:13"><failure type="medium" message="Bucket Data uses SSE-KMS/);
    expect(xml).toMatch(/<testsuite name="clean.json" tests="1" failures="0" errors="0">/);
    expect(xml).toMatch(/<testsuite name="broken.json" tests="1" failures="0" errors="1">/);
  });

  it('--list --format json gives every transform sorted by id with options and equivalents; text has a header', () => {
    const list = JSON.parse(tapfix(['--list', '--format', 'json']).stdout) as Array<{ id: string; enabledByDefault: boolean; options: { schema: unknown }; equivalents: unknown[] }>;
    const ids = list.map((t) => t.id);
    expect(ids).toEqual([...ids].sort());
    expect(list.find((t) => t.id === 'single-instance')!.enabledByDefault).toBe(false);
    expect(list.find((t) => t.id === 'standard-tags')!.options.schema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(tapfix(['--list']).stdout.split('\n')[0]).toMatch(/^ID\s+SEVERITY\s+SAFETY\s+TITLE$/);
    expect(tapfix(['--list', '--format', 'sarif']).code).toBe(2);
  });
});

describe('--baseline', () => {
  it('records the findings of a run, then reports, fixes and fails on only new ones', () => {
    const base = ['stack.yaml', ...only, '--baseline', 'ci/tapfix-baseline.json'];
    const created = tapfix([...base, '--create-baseline'], { cwd: dir });
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/baseline of 1 finding in 1 file written to ci\/tapfix-baseline\.json/);
    const baseline = JSON.parse(readFileSync(join(dir, 'ci', 'tapfix-baseline.json'), 'utf8'));
    expect(baseline).toEqual({
      tapfixBaseline: 1,
      files: { '../stack.yaml': ['s3-bucket-key /Resources/Data/Properties/BucketEncryption/ServerSideEncryptionConfiguration/0 noBucketKey'] },
    });
    // Known findings: nothing reported, nothing pending, the file untouched.
    const known = tapfix([...base, '--check', '--fail-on', 'low'], { cwd: dir });
    expect(known.code).toBe(0);
    expect(known.stderr).toMatch(/1 finding in the baseline left out/);
    // A new bucket with the same defect is reported and fixed; the known one is left as it is.
    writeFileSync(join(dir, 'stack.yaml'), NEEDS_FIX + NEEDS_FIX.replace('Resources:\n', '').replace(/Data:/, 'Logs:'));
    const fresh = tapfix([...base, '--write', '--format', 'json'], { cwd: dir });
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout).files[0].findings.map((f: { pointer: string }) => f.pointer)).toEqual([
      '/Resources/Logs/Properties/BucketEncryption/ServerSideEncryptionConfiguration/0',
    ]);
    expect(readFileSync(join(dir, 'stack.yaml'), 'utf8').match(/BucketKeyEnabled/g)).toHaveLength(1);
    expect(tapfix(['stack.yaml', '--create-baseline'], { cwd: dir }).code).toBe(2);
    writeFileSync(join(dir, 'bad.json'), '{"files": []}');
    expect(tapfix(['stack.yaml', '--baseline', 'bad.json'], { cwd: dir }).stderr).toMatch(/is not a tapfix baseline/);
  });
});

describe('--cache', () => {
  it('does not process again a file that a run left as it was, with the same content, version and settings', () => {
    // Outside the folder walked (a .json there would be one more file).
    const cache = ['--cache-location', join(mkdtempSync(join(tmpdir(), 'tapfix-cache-')), 'cache', 'tapfix.json')];
    const first = tapfix(['.', ...only, ...cache], { cwd: dir });
    expect(first.stderr).toMatch(/2 files, 1 would change, 1 unchanged/);
    expect(first.stderr).not.toMatch(/from the cache/);
    const second = tapfix(['.', ...only, ...cache], { cwd: dir });
    expect(second.stderr).toMatch(/2 files, 1 would change, 1 unchanged/);
    expect(second.stderr).toMatch(/1 file taken from the cache \(same content and settings as a run that left it as it was\)/);
    // Fixed in place with nothing left: the new content is clean too.
    expect(tapfix(['.', ...only, ...cache, '--write'], { cwd: dir }).code).toBe(0);
    expect(tapfix(['.', ...only, ...cache], { cwd: dir }).stderr).toMatch(/2 files taken from the cache/);
    // Other content or other settings: processed again.
    writeFileSync(join(dir, 'stack.yaml'), NEEDS_FIX);
    const edited = tapfix(['.', ...only, ...cache], { cwd: dir });
    expect(edited.stderr).toMatch(/2 files, 1 would change, 1 unchanged/);
    expect(edited.stderr).toMatch(/1 file taken from the cache/);
    expect(tapfix(['.', ...only, ...cache, '--unsafe'], { cwd: dir }).stderr).not.toMatch(/from the cache/);
    // --cache alone keeps it in .tapfixcache.
    tapfix(['clean.json', ...only, '--cache'], { cwd: dir });
    expect(JSON.parse(readFileSync(join(dir, '.tapfixcache'), 'utf8')).tapfixCache).toBe(2);
  });

  it('reports from the cache what a file still holds: findings without a fix are not lost', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tapfix-cache-report-'));
    // Tagged but for Project, which nothing here names: one finding, no fix, nothing to change.
    writeFileSync(
      join(folder, 'queue.json'),
      JSON.stringify({
        Parameters: { EnvironmentSuffix: { Type: 'String', Default: 'dev' } },
        Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'Name', Value: 'queue' }, { Key: 'Environment', Value: { Ref: 'EnvironmentSuffix' } }] } } },
      }),
    );
    const args = ['queue.json', '--only', 'standard-tags', '--format', 'json', '--cache', '--fail-on', 'high'];
    const first = tapfix(args, { cwd: folder });
    const second = tapfix(args, { cwd: folder });
    expect(first.code).toBe(1);
    expect(second.code).toBe(1);
    const findings = (out: string) => (JSON.parse(out) as { files: Array<{ findings: unknown[] }> }).files[0]!.findings;
    expect(findings(first.stdout)).toHaveLength(1);
    expect(findings(second.stdout)).toEqual(findings(first.stdout));
    const cached = JSON.parse(readFileSync(join(folder, '.tapfixcache'), 'utf8')) as { entries: Record<string, { result: { findings: Array<{ messageId: string }> } }> };
    expect(Object.values(cached.entries)[0]!.result.findings.map((f) => f.messageId)).toEqual(['projectUnknown']);
  });
});
