// Other tools' suppressions: a resource that tells cfn-lint, cfn_nag or checkov to ignore a check
// equivalent to a transform is left alone by that transform, through the engine and the CLI
// (the CLI tests need the build: npm run build).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixText, type FileResult } from '../src/engine/fix.js';
import { loadTransforms } from '../src/engine/registry.js';
import { defineTransform } from '../src/transform.js';
import type { EquivalentCheck, JsonObject } from '../src/types.js';

const all = await loadTransforms();
const bin = join(import.meta.dirname, '..', 'bin', 'tapfix');
if (!existsSync(join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js'))) {
  throw new Error('dist/ is missing: run npm run build (npm ci does it) before the CLI tests');
}

function run(text: string, ids: string[], extra: { foreignSuppressions?: boolean } = {}): FileResult {
  return fixText(text, { transforms: all.filter((t) => ids.includes(t.meta.id)), unsafe: true, filePath: 'stack.yaml', ...extra });
}

/** The template after the run (or as it was, when nothing changed). */
function resources(result: FileResult): Record<string, JsonObject> {
  return ((result.after ?? result.before) as { Resources: Record<string, JsonObject> }).Resources;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tapfix-suppress-'));
});

function tapfix(text: string, args: string[], config?: object) {
  writeFileSync(join(dir, 'stack.yaml'), text);
  if (config) writeFileSync(join(dir, 'tapfix.config.json'), JSON.stringify(config));
  const r = spawnSync(process.execPath, [bin, 'stack.yaml', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CFN_NAG = `Resources:
  Quiet:
    Type: AWS::S3::Bucket
    Metadata:
      cfn_nag:
        rules_to_suppress:
          - id: W35
            reason: served through CloudFront, which logs every request
  Loud:
    Type: AWS::S3::Bucket
`;

const CHECKOV = `Resources:
  Documented:
    Type: AWS::EC2::SecurityGroup
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_23
            comment: the rules are described in the runbook
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
  Admin:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 10.0.0.0/8
`;

const table = (name: string, metadata = '') => `  ${name}:
    Type: AWS::DynamoDB::Table
${metadata}    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
`;
const ignore = (ids: string) => `    Metadata:\n      cfn-lint:\n        config:\n          ignore_checks: [${ids}]\n`;
const CFN_LINT = `Resources:\n${table('Scratch', ignore('I3011'))}${table('Orders')}`;

const subnet = (name: string, zone: string) => `  ${name}:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-0123456789abcdef0
      CidrBlock: 10.0.${zone === 'us-east-1a' ? 0 : 1}.0/24
      AvailabilityZone: ${zone}
`;
const CFN_LINT_TEMPLATE = `Metadata:
  cfn-lint:
    config:
      ignore_checks:
        - W30   # cfn-lint reads a prefix here: W3010 and every other W30xx
Resources:
${subnet('SubnetA', 'us-east-1a')}${subnet('SubnetB', 'us-east-1b')}`;

describe('cfn_nag suppressions', () => {
  it('leave the bucket that suppresses W35 out of s3-access-logging, log bucket policy included', () => {
    const result = run(CFN_NAG, ['s3-access-logging']);
    expect(result.status).toBe('changed');
    expect(result.findings.map((f) => f.pointer)).not.toContain('/Resources/Quiet');
    expect(result.findings.map((f) => f.pointer)).toContain('/Resources/Loud');
    expect(result.suppressed).toEqual([
      { transform: 's3-access-logging', resource: 'Quiet', tool: 'cfn_nag', id: 'W35', pointer: '/Resources/Quiet/Metadata/cfn_nag/rules_to_suppress/0', line: 7, col: 13 },
    ]);
    const after = resources(result);
    expect(after['Quiet']!['Properties']).toBeUndefined();
    expect(after['Loud']!['Properties']).toEqual({ LoggingConfiguration: { DestinationBucketName: { Ref: 'AccessLogsBucket' }, LogFilePrefix: 'Loud/' } });
    // The grant names only the bucket that logs.
    expect(JSON.stringify(after['AccessLogsBucketPolicy'])).not.toContain('Quiet');
  });

  it('create no log bucket when the only bucket suppresses W35', () => {
    const text = CFN_NAG.slice(0, CFN_NAG.indexOf('  Loud:'));
    const result = run(text, ['s3-access-logging']);
    expect(result.status).toBe('unchanged');
    expect(result.findings).toEqual([]);
    expect(result.suppressed.map((s) => `${s.resource} ${s.tool} ${s.id}`)).toEqual(['Quiet cfn_nag W35']);
  });

  it('are reported in the text output once per resource and transform', () => {
    const r = tapfix(CFN_NAG, ['--only', 's3-access-logging', '--no-diff']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}7:13 +skipped +s3-access-logging +Quiet: suppressed by cfn_nag W35\n/);
    expect(r.stdout.match(/skipped/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/s3-access-logging +Bucket Loud has no server access logging/);
  });
});

describe('checkov suppressions', () => {
  it('leave the security group that skips CKV_AWS_23 out of sg-rule-descriptions', () => {
    const result = run(CHECKOV, ['sg-rule-descriptions']);
    expect(result.status).toBe('changed');
    const after = resources(result);
    const rule = (id: string) => ((after[id]!['Properties'] as JsonObject)['SecurityGroupIngress'] as JsonObject[])[0]!;
    expect(rule('Documented')['Description']).toBeUndefined();
    expect(rule('Admin')['Description']).toBe('SSH (tcp/22) from 10.0.0.0/8');
    expect(result.findings.every((f) => f.pointer.startsWith('/Resources/Admin/'))).toBe(true);
    expect(result.suppressed).toMatchObject([{ transform: 'sg-rule-descriptions', resource: 'Documented', tool: 'checkov', id: 'CKV_AWS_23', line: 7 }]);
  });

  it('are reported in the text output', () => {
    const r = tapfix(CHECKOV, ['--only', 'sg-rule-descriptions', '--no-diff']);
    expect(r.stdout).toMatch(/7:13 +skipped +sg-rule-descriptions +Documented: suppressed by checkov CKV_AWS_23\n/);
  });
});

describe('cfn-lint suppressions', () => {
  it('on a resource leave it out of the transform (ids matched exactly)', () => {
    const result = run(CFN_LINT, ['retain-stateful']);
    const after = resources(result);
    expect(after['Scratch']!['DeletionPolicy']).toBeUndefined();
    expect(after['Orders']!['DeletionPolicy']).toBe('Retain');
    expect(result.suppressed).toMatchObject([{ transform: 'retain-stateful', resource: 'Scratch', tool: 'cfn-lint', id: 'I3011', line: 7 }]);

    // On a resource cfn-lint compares whole ids: I30 suppresses nothing there.
    const prefix = run(CFN_LINT.replace('[I3011]', '[I30]'), ['retain-stateful']);
    expect(resources(prefix)['Scratch']!['DeletionPolicy']).toBe('Retain');
    expect(prefix.suppressed).toEqual([]);
  });

  it("in the template's Metadata skip the transform everywhere (ids matched as prefixes)", () => {
    const result = run(CFN_LINT_TEMPLATE, ['az-dynamic']);
    expect(result.status).toBe('unchanged');
    expect(result.findings).toEqual([]);
    expect(result.suppressed).toEqual([
      { transform: 'az-dynamic', tool: 'cfn-lint', id: 'W30', pointer: '/Metadata/cfn-lint/config/ignore_checks/0', line: 5, col: 11 },
    ]);
    const r = tapfix(CFN_LINT_TEMPLATE, ['--only', 'az-dynamic', '--unsafe']);
    expect(r.stdout).toMatch(/5:11 +skipped +az-dynamic +template: suppressed by cfn-lint W30 in the template's Metadata\n/);
    expect(r.stderr).toMatch(/1 file, 0 would change, 1 unchanged/);
  });

  it('are planned exactly like a tapfix skip of the transform', () => {
    const tapfixSkip = CFN_LINT.replace('cfn-lint:\n        config:\n          ignore_checks: [I3011]', 'tapfix:\n        skip: [retain-stateful]');
    expect(run(CFN_LINT, ['retain-stateful']).operations).toEqual(run(tapfixSkip, ['retain-stateful']).operations);
    const nagSkip = CFN_NAG.replace(/cfn_nag:\n.*\n.*\n.*\n/, 'tapfix:\n        skip: [s3-access-logging]\n');
    expect(run(CFN_NAG, ['s3-access-logging']).operations).toEqual(run(nagSkip, ['s3-access-logging']).operations);
  });
});

describe('turning foreign suppressions off', () => {
  const fixesQuiet = (stdout: string) => /^\+ +LogFilePrefix: Quiet\/$/m.test(stdout);

  it('--no-foreign-suppressions applies the fix and reports no skip', () => {
    const r = tapfix(CFN_NAG, ['--only', 's3-access-logging', '--no-foreign-suppressions']);
    expect(fixesQuiet(r.stdout)).toBe(true);
    expect(r.stdout).not.toContain('skipped');
    expect(fixesQuiet(tapfix(CFN_NAG, ['--only', 's3-access-logging']).stdout)).toBe(false);
  });

  it('so does "foreignSuppressions": false in tapfix.config.json, and the engine setting', () => {
    const r = tapfix(CFN_NAG, ['--only', 's3-access-logging'], { foreignSuppressions: false });
    expect(fixesQuiet(r.stdout)).toBe(true);
    const result = run(CFN_NAG, ['s3-access-logging'], { foreignSuppressions: false });
    expect(result.suppressed).toEqual([]);
    expect(resources(result)['Quiet']!['Properties']).toBeDefined();
  });
});

describe('suppressions of checks that are not equivalent', () => {
  it('change nothing: another check, or the right id under another tool', () => {
    const plain = run(CFN_NAG.replace(/    Metadata:\n(.*\n){4}/, ''), ['s3-access-logging']);
    for (const text of [
      CFN_NAG.replace('id: W35', 'id: W51'), // cfn_nag: "S3 bucket should likely have a bucket policy"
      CFN_NAG.replace('cfn_nag:\n        rules_to_suppress:', 'checkov:\n        skip:'), // W35 is not a checkov id
      CFN_NAG.replace(/cfn_nag:\n.*\n.*\n.*\n/, 'cfn-lint:\n        config:\n          ignore_checks: [W35]\n'),
    ]) {
      const result = run(text, ['s3-access-logging']);
      expect(result.suppressed).toEqual([]);
      expect(result.operations).toEqual(plain.operations);
    }
    // A transform with no equivalent (standard-tags) tags the bucket that suppresses W35.
    const tags = run(CFN_NAG, ['standard-tags']);
    expect(tags.suppressed).toEqual([]);
    expect(resources(tags)['Quiet']!['Properties']).toHaveProperty('Tags');
  });
});

describe('machine outputs', () => {
  it('carry the skipped resources: json and --report as `suppressed`, SARIF as in-source suppressions; rules list their equivalents', () => {
    const json = JSON.parse(tapfix(CFN_NAG, ['--only', 's3-access-logging', '-f', 'json', '--report', 'report.json']).stdout);
    const quiet = { transform: 's3-access-logging', resource: 'Quiet', tool: 'cfn_nag', id: 'W35', pointer: '/Resources/Quiet/Metadata/cfn_nag/rules_to_suppress/0', line: 7, col: 13 };
    expect(json.files[0].suppressed).toEqual([quiet]);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).files[0].suppressed).toEqual([quiet]);
    // Files without such a skip keep their shape.
    expect(JSON.parse(tapfix(CHECKOV, ['--only', 's3-access-logging', '-f', 'json']).stdout).files[0]).not.toHaveProperty('suppressed');
    const sarif = JSON.parse(tapfix(CFN_NAG, ['--only', 's3-access-logging', '-f', 'sarif']).stdout);
    const run0 = sarif.runs[0];
    const rule = run0.tool.driver.rules.find((r: { id: string }) => r.id === 's3-access-logging');
    expect(rule.properties.equivalents.map((e: EquivalentCheck) => `${e.tool} ${e.id}`)).toEqual(['cfn_nag W35', 'checkov CKV_AWS_18', 'control-tower CT.S3.PR.2']);
    const skipped = run0.results.filter((r: { suppressions?: unknown }) => r.suppressions);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      ruleId: 's3-access-logging',
      message: { text: 's3-access-logging skipped Quiet: suppressed by cfn_nag W35' },
      suppressions: [{ kind: 'inSource' }],
      locations: [{ physicalLocation: { region: { startLine: 7, startColumn: 13 } } }],
    });
    expect(run0.results.filter((r: { suppressions?: unknown }) => !r.suppressions).length).toBeGreaterThan(0);
  });

  it('--list shows the equivalent checks', () => {
    const r = spawnSync(process.execPath, [bin, '--list'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stdout).toMatch(/^s3-access-logging .* \(equivalent to cfn_nag W35, checkov CKV_AWS_18, control-tower CT.S3.PR.2\)$/m);
  });
});

describe('equivalents in transform metadata', () => {
  const docs = '## Why\nx\n## Fix\nx\n## Fix safety\nx\n## Options\nnone';
  const define = (equivalents: unknown) =>
    defineTransform({ meta: { id: 'probe', title: 'probe', severity: 'low', safety: 'safe', seeds: ['000#1'], docs, defaultOptions: {}, equivalents: equivalents as EquivalentCheck[] }, check: () => [] });
  const source = 'https://example.org/rule';

  it('accept each tool with ids spelt its way', () => {
    expect(() =>
      define([
        { tool: 'cfn-lint', id: 'W3010', source },
        { tool: 'cfn_nag', id: 'W35', source, note: 'narrower' },
        { tool: 'checkov', id: 'CKV_AWS_18', source },
        { tool: 'control-tower', id: 'CT.NETWORK.FIREWALL.PR.1', source },
      ]),
    ).not.toThrow();
  });

  it('refuse unknown tools, misspelt ids, sources that are not https URLs and duplicates', () => {
    expect(() => define({ tool: 'cfn_nag', id: 'W35', source })).toThrow(/transform probe: equivalents must be a list/);
    expect(() => define([{ tool: 'tfsec', id: 'AWS002', source }])).toThrow(/equivalent tool "tfsec" is not one of cfn-lint, cfn_nag, checkov, control-tower/);
    expect(() => define([{ tool: 'cfn-lint', id: 'W35', source }])).toThrow(/cfn-lint id "W35" is not spelt/);
    expect(() => define([{ tool: 'checkov', id: 'ckv_aws_18', source }])).toThrow(/checkov id "ckv_aws_18"/);
    expect(() => define([{ tool: 'control-tower', id: 'CT.S3.2', source }])).toThrow(/control-tower id "CT.S3.2"/);
    expect(() => define([{ tool: 'cfn_nag', id: 'W35', source: 'http://example.org' }])).toThrow(/cfn_nag W35 needs an https source/);
    expect(() => define([{ tool: 'cfn_nag', id: 'W35' }])).toThrow(/needs an https source/);
    expect(() => define([{ tool: 'cfn_nag', id: 'W35', source, note: '' }])).toThrow(/has an empty note/);
    expect(() => define([{ tool: 'cfn_nag', id: 'W35', source }, { tool: 'cfn_nag', id: 'W35', source }])).toThrow(/cfn_nag W35 is listed twice/);
  });

  it('are declared by every transform, with the rule sources on the tools’ repositories', () => {
    for (const t of all) {
      expect(Array.isArray(t.meta.equivalents), `${t.meta.id} declares no equivalents list`).toBe(true);
      for (const e of t.meta.equivalents!) expect(e.source).toMatch(/^https:\/\/github\.com\//);
    }
  });
});
