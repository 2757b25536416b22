// scripts/controls.ts, the AWS Control Tower controls as the controls gate and the seed test run
// them: real cfn-guard (fetched by test/global-setup.ts into .cache/cfnguard/) on small templates.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTransforms } from '../src/engine/registry.js';
import type { JsonValue } from '../src/types.js';
import {
  checkFolder,
  checkTemplates,
  controlExceptions,
  controlRules,
  ensureControlsPackage,
  exceptionFor,
  parseTemplate,
  resolveParameterDefaults,
  resourceOrigins,
  violationsOfReport,
  type ControlsPackage,
} from '../scripts/controls.js';

let pkg: ControlsPackage;
beforeAll(() => {
  pkg = ensureControlsPackage();
});

const bucket = (properties?: JsonValue): JsonValue => ({ Type: 'AWS::S3::Bucket', ...(properties === undefined ? {} : { Properties: properties }) });
const template = (resources: Record<string, JsonValue>, extra: Record<string, JsonValue> = {}): JsonValue => ({ AWSTemplateFormatVersion: '2010-09-09', ...extra, Resources: resources });

async function check(t: JsonValue, controls: string[]) {
  return (await checkTemplates(new Map([['t', t]]), { controls, pkg })).get('t');
}

describe('the package', () => {
  it('has the control-tower rules and a cfn-guard for this machine, each rule naming its control', () => {
    const rules = controlRules(pkg);
    expect(rules.length).toBeGreaterThan(200);
    const versioning = rules.find((r) => r.control === 'CT.S3.PR.11')!;
    expect(versioning.file).toMatch(/s3[/\\]ct-s3-pr-11\.guard$/);
    expect(versioning.ruleNames).toEqual(['s3_bucket_versioning_enabled_check']);
    expect(versioning.reportsOn).toEqual(['AWS::S3::Bucket']);
    expect(new Set(rules.map((r) => r.control)).size).toBe(rules.length);
    expect(rules.find((r) => r.control === 'CT.LAMBDA.PR.2')!.looksUpById).toBe(true);
  });
});

describe('checkTemplates / checkFolder', () => {
  it('flags a bucket without versioning with CT.S3.PR.11 and its logical id, not a versioned one', async () => {
    const found = await check(template({ Plain: bucket(), Versioned: bucket({ VersioningConfiguration: { Status: 'Enabled' } }) }), ['CT.S3.PR.11']);
    expect(found).toEqual([{ control: 'CT.S3.PR.11', logicalId: 'Plain' }]);
  });

  it('flags a wrong value (Suspended) as well as a missing property', async () => {
    const found = await check(template({ Suspended: bucket({ VersioningConfiguration: { Status: 'Suspended' } }) }), ['CT.S3.PR.11']);
    expect(found).toEqual([{ control: 'CT.S3.PR.11', logicalId: 'Suspended' }]);
  });

  it('keeps the violations of each file apart in one call over a folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapfix-controls-test-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify(template({ Alpha: bucket() })));
      writeFileSync(join(dir, 'b.json'), JSON.stringify(template({ Beta: bucket({ VersioningConfiguration: { Status: 'Enabled' } }), Gamma: bucket() })));
      writeFileSync(join(dir, 'c.json'), JSON.stringify(template({ Queue: { Type: 'AWS::SQS::Queue' } })));
      const found = await checkFolder(dir, { controls: ['CT.S3.PR.11'], pkg });
      expect(Object.fromEntries(found)).toEqual({
        'a.json': [{ control: 'CT.S3.PR.11', logicalId: 'Alpha' }],
        'b.json': [{ control: 'CT.S3.PR.11', logicalId: 'Gamma' }],
        'c.json': [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the value a parameter Default gives a Ref, as the hook sees a stack that keeps its defaults', async () => {
    const versioning = (status: string) =>
      template(
        { Data: bucket({ VersioningConfiguration: { Status: { Ref: 'VersioningStatus' } } }) },
        { Parameters: { VersioningStatus: { Type: 'String', Default: status } } },
      );
    expect(await check(versioning('Enabled'), ['CT.S3.PR.11'])).toEqual([]);
    expect(await check(versioning('Suspended'), ['CT.S3.PR.11'])).toEqual([{ control: 'CT.S3.PR.11', logicalId: 'Data' }]);
  });

  it('checks YAML templates parsed with the project loader (short-form tags)', async () => {
    const yaml = [
      'Parameters:',
      '  Status: {Type: String, Default: Enabled}',
      'Resources:',
      '  Logs:',
      '    Type: AWS::S3::Bucket',
      '    Properties:',
      '      VersioningConfiguration:',
      '        Status: !Ref Status',
      '  Other:',
      '    Type: AWS::S3::Bucket',
      '',
    ].join('\n');
    expect(await check(parseTemplate(yaml, 't.yaml'), ['CT.S3.PR.11'])).toEqual([{ control: 'CT.S3.PR.11', logicalId: 'Other' }]);
  });

  it('names the offending resource of a rule over two resource types (bucket policy without TLS)', async () => {
    const policy = (statements: JsonValue[]): JsonValue => ({
      Type: 'AWS::S3::BucketPolicy',
      Properties: { Bucket: { Ref: 'Data' }, PolicyDocument: { Version: '2012-10-17', Statement: statements } },
    });
    const denyHttp: JsonValue = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [{ 'Fn::GetAtt': ['Data', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Data', 'Arn'] }, '/*']] }],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const allowRead: JsonValue = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 's3:GetObject', Resource: { 'Fn::Sub': '${Data.Arn}/*' } };
    expect(await check(template({ Data: bucket(), Policy: policy([allowRead]) }), ['CT.S3.PR.8'])).toEqual([{ control: 'CT.S3.PR.8', logicalId: 'Policy' }]);
    expect(await check(template({ Data: bucket(), Policy: policy([allowRead, denyHttp]) }), ['CT.S3.PR.8'])).toEqual([]);
  });

  it('lets a rule find a resource of a type it does not name when it looks it up by logical id', async () => {
    // CT.LAMBDA.PR.2 accepts a SourceArn that refers to any resource of the stack.
    const permission = (sourceArn: JsonValue): JsonValue => ({
      Type: 'AWS::Lambda::Permission',
      Properties: { Action: 'lambda:InvokeFunction', FunctionName: 'fn', Principal: 'events.amazonaws.com', SourceArn: sourceArn },
    });
    const rule: JsonValue = { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 day)' } };
    expect(await check(template({ Schedule: rule, Invoke: permission({ 'Fn::GetAtt': ['Schedule', 'Arn'] }) }), ['CT.LAMBDA.PR.2'])).toEqual([]);
    expect(await check(template({ Schedule: rule, Invoke: permission({ 'Fn::GetAtt': ['Missing', 'Arn'] }) }), ['CT.LAMBDA.PR.2'])).toEqual([
      { control: 'CT.LAMBDA.PR.2', logicalId: 'Invoke' },
    ]);
  });
});

describe('resolveParameterDefaults', () => {
  it('replaces Refs to parameters with a Default by the value the Default gives, nothing else', () => {
    const t = template(
      {
        R: {
          Type: 'AWS::Test::Thing',
          Properties: {
            Name: { Ref: 'Name' },
            Count: { Ref: 'Count' },
            Zones: { Ref: 'Zones' },
            Image: { Ref: 'Image' },
            Required: { Ref: 'Required' },
            Region: { Ref: 'AWS::Region' },
            Other: { Ref: 'R' },
            Joined: { 'Fn::Join': ['-', [{ Ref: 'Name' }, 'x']] },
          },
        },
      },
      {
        Parameters: {
          Name: { Type: 'String', Default: 'app' },
          Count: { Type: 'Number', Default: '3' },
          Zones: { Type: 'CommaDelimitedList', Default: 'a, b' },
          Image: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami' },
          Required: { Type: 'String' },
        },
      },
    );
    const resolved = resolveParameterDefaults(t) as { Resources: { R: { Properties: JsonValue } } };
    expect(resolved.Resources.R.Properties).toEqual({
      Name: 'app',
      Count: 3,
      Zones: ['a', 'b'],
      Image: { Ref: 'Image' },
      Required: { Ref: 'Required' },
      Region: { Ref: 'AWS::Region' },
      Other: { Ref: 'R' },
      Joined: { 'Fn::Join': ['-', ['app', 'x']] },
    });
    expect((t as { Resources: { R: { Properties: { Name: JsonValue } } } }).Resources.R.Properties.Name).toEqual({ Ref: 'Name' });
  });
});

describe('violationsOfReport', () => {
  it('takes the control from the message, the resource from the value read, never from the expected side', () => {
    const report = [
      {
        name: 'DATA_STDIN[1]',
        not_compliant: [
          {
            Rule: {
              name: 'some_rule',
              messages: { custom_message: null },
              checks: [
                {
                  Rule: {
                    name: 'check',
                    messages: { custom_message: '[CT.X.PR.1]: text\n[FIX]: do' },
                    checks: [
                      { Clause: { Binary: { check: { Resolved: { from: { path: '/Resources/Bad/Properties/P', value: 1 }, to: { path: '/Resources/Good/Properties/P', value: 2 } } } } } },
                      { Block: { unresolved: { traversed_to: { path: '/Resources/Missing', value: { Type: 'AWS::X::Y', path: '/Resources/NotThis' } } } } },
                    ],
                  },
                },
              ],
            },
          },
          { Rule: { name: 'named_only', checks: [] } },
        ],
      },
    ];
    expect(Object.fromEntries(violationsOfReport(report, new Map([['named_only', 'CT.Y.PR.2']])))).toEqual({
      'DATA_STDIN[1]': [
        { control: 'CT.X.PR.1', logicalId: 'Bad' },
        { control: 'CT.X.PR.1', logicalId: 'Missing' },
        { control: 'CT.Y.PR.2', logicalId: '' },
      ],
    });
  });
});

describe('resource origins and exceptions', () => {
  const before: JsonValue = template({ Data: bucket() });
  const applied = [
    { transform: 's3-access-logging', ops: [{ op: 'add', path: '/Resources/DataAccessLogs', value: {} }, { op: 'add', path: '/Resources/Data/Properties', value: {} }] },
    { transform: 'standard-tags', ops: [{ op: 'add', path: '/Resources/DataAccessLogs/Properties/Tags', value: [] }, { op: 'add', path: '/Resources/Data', value: {} }] },
    { transform: 'parameter-groups', ops: [{ op: 'add', path: '/Metadata', value: {} }] },
  ];

  it('tells the transform that added a resource from those that changed it', () => {
    expect(Object.fromEntries(resourceOrigins(applied, before))).toEqual({
      DataAccessLogs: { addedBy: 's3-access-logging', changedBy: ['standard-tags'] },
      Data: { changedBy: ['s3-access-logging', 'standard-tags'] },
    });
  });

  it('reads data/control-exceptions.json: known controls and transforms, AWS documentation for each', async () => {
    const exceptions = controlExceptions();
    const controls = new Set(controlRules(pkg).map((r) => r.control));
    const transforms = new Set((await loadTransforms()).map((t) => t.meta.id));
    for (const e of exceptions) {
      expect(controls.has(e.control), e.control).toBe(true);
      const by = 'addedBy' in e.resources ? e.resources.addedBy : e.resources.changedBy;
      expect(by === '*' ? 'addedBy' in e.resources : transforms.has(by), by).toBe(true);
    }
    const kms = exceptions.find((e) => e.control === 'CT.S3.PR.10')!;
    expect(kms.resources).toEqual({ addedBy: 's3-access-logging' });
    expect(kms.documentation).toBe('https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html');
  });

  it('covers a violation only on a resource the named transform added or changed', () => {
    const exceptions = controlExceptions();
    const origins = resourceOrigins(applied, before);
    const sseKms = (logicalId: string) => ({ control: 'CT.S3.PR.10', logicalId });
    expect(exceptionFor(exceptions, sseKms('DataAccessLogs'), origins.get('DataAccessLogs'))?.control).toBe('CT.S3.PR.10');
    // Data existed: s3-access-logging changed it (a log destination moved to SSE-S3, documented).
    expect(exceptionFor(exceptions, sseKms('Data'), origins.get('Data'))?.resources).toEqual({ changedBy: 's3-access-logging' });
    expect(exceptionFor(exceptions, sseKms('Data'), { changedBy: ['standard-tags'] })).toBeUndefined();
    expect(exceptionFor(exceptions, sseKms('Data'), undefined)).toBeUndefined();
    expect(exceptionFor(exceptions, { control: 'CT.S3.PR.11', logicalId: 'DataAccessLogs' }, origins.get('DataAccessLogs'))).toBeUndefined();
    expect(exceptionFor(exceptions, { control: 'CT.S3.PR.9', logicalId: 'DataAccessLogs' }, origins.get('DataAccessLogs'))?.control).toBe('CT.S3.PR.9');
  });

  it('refuses an exception without a reason or an AWS documentation URL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapfix-exceptions-'));
    try {
      const file = join(dir, 'x.json');
      const entry = { control: 'CT.S3.PR.10', resources: { addedBy: 's3-access-logging' }, reason: 'A reason long enough to say why.', documentation: 'https://docs.aws.amazon.com/x' };
      writeFileSync(file, JSON.stringify({ exceptions: [entry] }));
      expect(controlExceptions(file)).toHaveLength(1);
      writeFileSync(file, JSON.stringify({ exceptions: [{ ...entry, documentation: 'https://example.com/blog' }] }));
      expect(() => controlExceptions(file)).toThrow(/AWS documentation/);
      writeFileSync(file, JSON.stringify({ exceptions: [{ ...entry, reason: '' }] }));
      expect(() => controlExceptions(file)).toThrow(/reason/);
      writeFileSync(file, JSON.stringify({ exceptions: [{ ...entry, resources: 'all' }] }));
      expect(() => controlExceptions(file)).toThrow(/resources/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

afterAll(() => {});
