import { describe, expect, it } from 'vitest';
import type { JsonObject, Template } from '../src/types.js';
import { deepFreeze } from '../src/cfn/template.js';
import { actionPatternMatches, policyDocumentsOfRole, roleByArn, rolesIn, statementAllows, statementViews } from '../src/cfn/iam.js';
import {
  actionsCloudWatchLacks,
  keyOf,
  keyPolicyAdditionOps,
  keyPolicyAllowsPrincipal,
  keyPolicyDelegatesToIam,
  keyUses,
  roleCanDecrypt,
  trailLogKeyStatements,
} from '../src/cfn/kms.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { refersTo } from '../src/cfn/expressions.js';
import { dimension, watchedMetrics } from '../src/cfn/alarms.js';

const t = (resources: Record<string, unknown>): Template => deepFreeze({ Resources: resources }) as unknown as Template;

const template = t({
  Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' }] } } },
  Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/app', TargetKeyId: { Ref: 'Key' } } },
  Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyDocument: { Statement: { Effect: 'Allow', Action: 'KMS:Decr*', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } } } }] } },
  Other: { Type: 'AWS::IAM::Role' },
  Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'Other' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } } },
  Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { KmsKeyId: 'alias/app' } },
  Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'Alias' } } },
});

describe('kms keys', () => {
  it('resolves key ids, ARNs and aliases to the template key, and nothing else', () => {
    expect(keyOf(template, { Ref: 'Key' })).toBe('Key');
    expect(keyOf(template, { 'Fn::GetAtt': ['Key', 'KeyId'] })).toBe('Key');
    expect(keyOf(template, { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}' })).toBe('Key');
    expect(keyOf(template, { Ref: 'Alias' })).toBe('Key');
    expect(keyOf(template, 'arn:aws:kms:eu-west-1:111122223333:alias/app')).toBe('Key');
    // A plain string is a literal, not a reference.
    expect(keyOf(template, '${Key}')).toBeUndefined();
    expect(keyOf(template, { Ref: 'Role' })).toBeUndefined();
  });

  it('lists who uses each key, by reference or by alias name', () => {
    expect([...(keyUses(template).users.get('Key') ?? [])].sort()).toEqual(['Alias', 'Role', 'Secret', 'Topic']);
  });

  it('tells whether a role may decrypt with the key', () => {
    expect(roleCanDecrypt(template, 'Role', 'Key')).toBe(true);
    expect(roleCanDecrypt(template, 'Other', 'Key')).toBe(false);
  });
});

describe('key policies', () => {
  const policy = (template.Resources['Key'] as { Properties: { KeyPolicy: JsonObject } }).Properties.KeyPolicy;

  it('reads what the policy lets principals do', () => {
    expect(keyPolicyDelegatesToIam(policy)).toBe(true);
    expect(keyPolicyDelegatesToIam({ Statement: [] })).toBe(false);
    expect(keyPolicyAllowsPrincipal(policy, 'arn:aws:iam::111122223333:root', 'kms:Decrypt')).toBe(true);
    expect(keyPolicyAllowsPrincipal(policy, { 'Fn::GetAtt': ['Role', 'Arn'] }, 'kms:Decrypt')).toBe(false);
    expect(actionsCloudWatchLacks(policy)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(actionsCloudWatchLacks({ Statement: { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' } })).toEqual([]);
  });

  it('appends statements with unique Sids', () => {
    expect(keyPolicyAdditionOps(template, 'Key', [{ Sid: 'root', Effect: 'Allow' }])).toEqual([
      { op: 'add', path: '/Resources/Key/Properties/KeyPolicy/Statement/-', value: { Sid: 'root2', Effect: 'Allow' } },
    ]);
  });
});

describe('iam statement matching and role lookup', () => {
  it('matches action patterns case-insensitively with wildcards, Allow only', () => {
    expect(actionPatternMatches('kms:Generate*', 'kms:GenerateDataKey')).toBe(true);
    expect(actionPatternMatches('kms:?ecrypt', 'KMS:DECRYPT')).toBe(true);
    expect(actionPatternMatches('kms:Decrypt', 'kms:Encrypt')).toBe(false);
    const [allow, deny] = statementViews({ Statement: [{ Effect: 'Allow', Action: ['s3:Get*'] }, { Effect: 'Deny', Action: '*' }] });
    expect(statementAllows(allow!, 's3:GetObject')).toBe(true);
    expect(statementAllows(deny!, 's3:GetObject')).toBe(false);
  });

  it('finds roles by Ref and ARN, and the documents that apply to them', () => {
    expect(rolesIn(template, [{ Ref: 'Role' }, { Ref: 'Key' }, 'Other'])).toEqual(['Role']);
    expect(roleByArn(template, { 'Fn::GetAtt': ['Role', 'Arn'] })).toBe('Role');
    expect(roleByArn(template, { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/path/${Other}' })).toBe('Other');
    expect(policyDocumentsOfRole(template, 'Other')).toHaveLength(1);
    expect(policyDocumentsOfRole(template, 'Role')).toHaveLength(1);
  });
});

describe('skipsTransform', () => {
  it('reads Metadata.tapfix.skip, by id or all', () => {
    const r = (skip: unknown) => ({ Metadata: { tapfix: { skip } } }) as never;
    expect(skipsTransform(r(['lambda-alarms']), 'lambda-alarms')).toBe(true);
    expect(skipsTransform(r(['all']), 'lambda-alarms')).toBe(true);
    expect(skipsTransform(r(['other']), 'lambda-alarms')).toBe(false);
    expect(skipsTransform(r('lambda-alarms'), 'lambda-alarms')).toBe(true); // one id as a plain string
    expect(skipsTransform(undefined, 'lambda-alarms')).toBe(false);
  });
});

describe('refersTo and watched metrics', () => {
  it('refersTo compares Sub text, attributes included', () => {
    expect(refersTo({ Ref: 'Fn' }, 'Fn')).toBe(true);
    expect(refersTo({ 'Fn::GetAtt': ['Fn', 'Arn'] }, 'Fn.Arn')).toBe(true);
    expect(refersTo('${Fn}', 'Fn')).toBe(false);
  });

  it('lists the metric of plain alarms and each MetricStat of metric-math alarms', () => {
    const alarms = t({
      Plain: { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Fn' } }] } },
      Math: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'e', Expression: 'm1' }, { Id: 'm1', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5XXError' } } }] } },
    });
    const metrics = watchedMetrics(alarms);
    expect(metrics.map((m) => [m.alarmId, m.metricName])).toEqual([
      ['Plain', 'Errors'],
      ['Math', undefined],
      ['Math', '5XXError'],
    ]);
    expect(dimension(metrics[0]!, 'FunctionName')).toEqual({ name: 'FunctionName', value: { Ref: 'Fn' }, pointer: '/Resources/Plain/Properties/Dimensions/0' });
  });
});

describe('keys tapfix creates', () => {
  it('rotate, delegate to the account and deny grants that are not for AWS resources', async () => {
    const { createdKeyProperties } = await import('../src/cfn/kms.js');
    const service = { Sid: 'AllowLogs', Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' };
    const props = createdKeyProperties('Key for logs', [service]) as any;
    expect(props.EnableKeyRotation).toBe(true);
    expect(props.KeyPolicy.Statement.map((s: any) => s.Sid)).toEqual(['EnableIAMPolicies', 'AllowLogs', 'DenyGrantsExceptForAwsResources']);
    expect(props.KeyPolicy.Statement[2]).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:CreateGrant',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
  });
});

describe('trailLogKeyStatements', () => {
  it('scopes CloudTrail by trail ARN and by the CloudTrail encryption context, and lets it describe the key', () => {
    const t = deepFreeze({
      Parameters: { Name: { Type: 'String' } },
      Resources: { A: { Type: 'AWS::CloudTrail::Trail', Properties: { TrailName: { Ref: 'Name' } } }, B: { Type: 'AWS::CloudTrail::Trail', Properties: { TrailName: { 'Fn::GetAtt': ['X', 'Y'] } } } },
    } as unknown as Template);
    const [encrypt, describe_] = trailLogKeyStatements(t, ['A']);
    expect(encrypt).toMatchObject({ Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey*' });
    expect(encrypt!['Condition']).toEqual({
      StringLike: {
        'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/${Name}' },
        'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*' },
      },
    });
    expect(describe_).toMatchObject({ Action: 'kms:DescribeKey' });
    // A name that is not known without the trail (a GetAtt) falls back to every trail of the account.
    const [other] = trailLogKeyStatements(t, ['B']);
    expect((other!['Condition'] as JsonObject)['StringLike']).toMatchObject({ 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/*' } });
  });
});
