import { describe, expect, it } from 'vitest';
import { optionProblems } from '../../src/engine/config.js';
import { expectIdempotent, runTransform, transformById } from '../harness.js';

const fn = (props: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  ...extra,
  Properties: { Runtime: 'python3.12', Handler: 'a.b', Role: 'arn:aws:iam::111122223333:role/r', Code: { ZipFile: 'x' }, ...props },
});
const role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } } };
const run = (resources: Record<string, unknown>, rest: Record<string, unknown> = {}) => runTransform('lambda-log-group', { ...rest, Resources: resources });

describe('lambda-log-group', () => {
  it('names the group after FunctionName and makes the function wait for it', () => {
    const r = run({ Role: role, F: fn({ FunctionName: { 'Fn::Sub': '${AWS::StackName}-f' } }, { DependsOn: 'Role' }) });
    expect(r.ids).toEqual(['noLogGroup']);
    expect(r.template.Resources.FLogGroup).toEqual({
      Type: 'AWS::Logs::LogGroup',
      Properties: {
        LogGroupName: { 'Fn::Sub': '/aws/lambda/${AWS::StackName}-f' },
        RetentionInDays: { Ref: 'LogRetentionInDays' },
        KmsKeyId: { 'Fn::GetAtt': ['LogGroupKey', 'Arn'] },
      },
    });
    expect(r.template.Resources.F.DependsOn).toEqual(['Role', 'FLogGroup']);
    expectIdempotent('lambda-log-group', r);
  });

  it('copies a literal FunctionName and appends to a DependsOn list', () => {
    const r = run({ Role: role, F: fn({ FunctionName: 'orders' }, { DependsOn: ['Role'] }) });
    expect(r.template.Resources.FLogGroup.Properties.LogGroupName).toBe('/aws/lambda/orders');
    expect(r.template.Resources.F.DependsOn).toEqual(['Role', 'FLogGroup']);
  });

  it('uses ${Function} without DependsOn when the name is generated (a DependsOn would be a cycle)', () => {
    for (const props of [{}, { FunctionName: { 'Fn::If': ['C', 'x', { Ref: 'AWS::NoValue' }] } }]) {
      const r = run({ F: fn(props) }, { Conditions: { C: { 'Fn::Equals': ['a', 'b'] } } });
      expect(r.ids).toEqual(['noLogGroup']);
      expect(r.template.Resources.FLogGroup.Properties.LogGroupName).toEqual({ 'Fn::Sub': '/aws/lambda/${F}' });
      expect(r.template.Resources.F.DependsOn).toBeUndefined();
    }
  });

  it('adds the retention parameter and the key once for several functions', () => {
    const r = run({ A: fn(), B: fn() });
    expect(r.ids).toEqual(['noLogGroup', 'noLogGroup']);
    expect(Object.keys(r.template.Parameters)).toEqual(['LogRetentionInDays']);
    expect(r.template.Parameters.LogRetentionInDays).toMatchObject({ Type: 'Number', Default: 365 });
    expect(r.template.Parameters.LogRetentionInDays.AllowedValues).toContain(3653);
    expect(r.result.operations.filter((o) => o.path.startsWith('/Parameters'))).toHaveLength(1);
    expect(Object.keys(r.template.Resources)).toEqual(['A', 'B', 'LogGroupKey', 'ALogGroup', 'BLogGroup']);
    expect([r.template.Resources.ALogGroup.Properties.KmsKeyId, r.template.Resources.BLogGroup.Properties.KmsKeyId]).toEqual([
      { 'Fn::GetAtt': ['LogGroupKey', 'Arn'] },
      { 'Fn::GetAtt': ['LogGroupKey', 'Arn'] },
    ]);
  });

  it('encrypts with a key CloudWatch Logs may use for this account and region only, that passes the KMS controls', () => {
    const key = run({ F: fn() }).template.Resources.LogGroupKey;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Condition).toBeUndefined();
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements = key.Properties.KeyPolicy.Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(['EnableIAMPolicies', 'AllowCloudWatchLogs', 'DenyGrantsExceptForAwsResources']);
    expect(statements[1]).toMatchObject({
      Principal: { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } },
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*' } } },
    });
    // The key names no log group (a group refers to its key: naming the group back would be a cycle).
    expect(JSON.stringify(key)).not.toMatch(/FLogGroup|"Ref":"F"/);
  });

  it('uses a key of the template that already lets CloudWatch Logs use it for every log group, and the key cloudtrail-cloudwatch-logs adds', () => {
    const first = run({ F: fn() });
    const key = first.template.Resources.LogGroupKey;
    const again = run({ F: fn(), G: fn(), LogsKey: key });
    expect(again.template.Resources.GLogGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['LogsKey', 'Arn'] });
    expect(Object.keys(again.template.Resources).filter((id) => again.template.Resources[id].Type === 'AWS::KMS::Key')).toEqual(['LogsKey']);
    // A key for particular log groups is not one: a new group could not use it.
    const scoped = JSON.parse(JSON.stringify(key));
    scoped.Properties.KeyPolicy.Statement[1].Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'] = 'arn:aws:logs:us-east-1:111122223333:log-group:app';
    expect(run({ F: fn(), LogsKey: scoped }).template.Resources.FLogGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['LogGroupKey', 'Arn'] });

    const trail = { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: 'audit-111122223333', IsLogging: true } };
    const both = runTransform('lambda-log-group', { Resources: { F: fn(), Trail: trail } }, { with: ['cloudtrail-cloudwatch-logs'] });
    const keys = Object.entries(both.template.Resources as Record<string, { Type: string }>).filter(([, r]) => r.Type === 'AWS::KMS::Key');
    expect(keys.map(([id]) => id)).toEqual(['LogGroupKey']);
    expect(both.template.Resources.FLogGroup.Properties.KmsKeyId).toEqual(both.template.Resources.TrailLogGroup.Properties.KmsKeyId);
  });

  it('takes the retention from the retentionInDays option, and keeps a LogRetentionInDays parameter the template has', () => {
    expect(runTransform('lambda-log-group', { Resources: { F: fn() } }, { options: { retentionInDays: 731 } }).template.Parameters.LogRetentionInDays.Default).toBe(731);
    const own = { Type: 'Number', Default: 90 };
    const r = run({ F: fn() }, { Parameters: { LogRetentionInDays: own } });
    expect(r.template.Parameters.LogRetentionInDays).toEqual(own);
    expect(r.template.Resources.FLogGroup.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
  });

  it('accepts only the retentions CloudWatch Logs accepts as the option', () => {
    expect(optionProblems(transformById('lambda-log-group'), { retentionInDays: 365 })).toEqual([]);
    expect(optionProblems(transformById('lambda-log-group'), { retentionInDays: 366 })).not.toEqual([]);
    expect(optionProblems(transformById('lambda-log-group'), { retention: 365 })).not.toEqual([]);
  });

  it('reports without fixing when LogRetentionInDays is a resource id', () => {
    const r = run({ A: fn(), LogRetentionInDays: { Type: 'AWS::SQS::Queue' } });
    expect(r.ids).toEqual(['retentionParameterTaken']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.changed).toBe(false);
  });

  it('gives the group the function condition', () => {
    const r = run({ F: { ...fn(), Condition: 'On' } }, { Conditions: { On: { 'Fn::Equals': ['a', 'a'] } } });
    expect(r.template.Resources.FLogGroup.Condition).toBe('On');
  });

  it('leaves functions whose group is declared in any form, or that log elsewhere', () => {
    const declared = (name: unknown) => ({ Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: name } });
    for (const resources of [
      { F: fn(), G: declared({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'F' }]] }) },
      { F: fn({ FunctionName: 'orders' }), G: declared('/aws/lambda/orders') },
      { F: fn({ FunctionName: { 'Fn::Sub': 'orders-${AWS::Region}' } }), G: declared({ 'Fn::Join': ['', ['/aws/lambda/orders-', { Ref: 'AWS::Region' }]] }) },
      { F: fn({ LoggingConfig: { LogGroup: 'shared' } }) },
      { F: { Type: 'AWS::Lambda::Function', Properties: { 'Fn::If': ['C', {}, {}] } } },
    ]) {
      const r = run(resources);
      expect(r.findings, JSON.stringify(resources)).toEqual([]);
    }
  });

  it('keeps YAML layout', () => {
    const yaml = [
      'Resources:',
      '  F: # the worker',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      FunctionName: !Sub worker-${AWS::Region}',
      '      Runtime: python3.12',
      '      Handler: a.b',
      '      Role: arn:aws:iam::111122223333:role/r',
      '      Code: {ZipFile: x}',
      '',
    ].join('\n');
    const r = runTransform('lambda-log-group', yaml, { format: 'yaml' });
    expect(r.output).toContain(yaml.slice(yaml.indexOf('Resources:'), yaml.indexOf('      Code')));
    expect(r.output).toContain('      Code: {ZipFile: x}\n    DependsOn: FLogGroup\n  LogGroupKey:\n');
    expect(r.output).toContain('      KmsKeyId: !GetAtt LogGroupKey.Arn\n');
    expect(r.output).toContain('LogGroupName: !Sub /aws/lambda/worker-${AWS::Region}');
    expectIdempotent('lambda-log-group', r);
  });
});
