import { describe, expect, it } from 'vitest';
import { logsKeyStatement } from '../../src/cfn/kms.js';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'log-group-kms';
const group = (properties?: unknown, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Logs::LogGroup',
  ...(properties === undefined ? {} : { Properties: properties }),
  ...extra,
});
const logsKey = (extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::KMS::Key',
  Properties: { KeyPolicy: { Version: '2012-10-17', Statement: [logsKeyStatement()] }, ...extra },
});

describe('log-group-kms', () => {
  it('adds one key for every unencrypted group, which the groups refer to by GetAtt', () => {
    const r = runTransform(ID, { Resources: { A: group({ RetentionInDays: 365 }), B: group(), C: group({}, { Condition: 'X' }) }, Conditions: { X: { 'Fn::Equals': ['a', 'b'] } } });
    expect(r.ids).toEqual(['noKmsKey', 'noKmsKey', 'noKmsKey']);
    const arn = { 'Fn::GetAtt': ['LogGroupKey', 'Arn'] };
    expect(r.template.Resources.A.Properties).toEqual({ RetentionInDays: 365, KmsKeyId: arn });
    expect(r.template.Resources.B.Properties).toEqual({ KmsKeyId: arn });
    expect(r.template.Resources.C.Properties).toEqual({ KmsKeyId: arn });
    const key = r.template.Resources.LogGroupKey;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Condition).toBeUndefined();
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(logsKeyStatement());
    expect(Object.keys(r.template.Resources).filter((id) => r.template.Resources[id].Type === 'AWS::KMS::Key')).toEqual(['LogGroupKey']);
    expectIdempotent(ID, r);
  });

  it('uses a template key that already lets CloudWatch Logs use it', () => {
    const r = runTransform(ID, { Resources: { TeamKey: logsKey(), A: group({}) } });
    expect(r.template.Resources.A.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['TeamKey', 'Arn'] });
    expect(r.template.Resources.LogGroupKey).toBeUndefined();
  });

  it('does not use a conditional key, or one whose policy names particular groups', () => {
    const named = logsKey();
    named.Properties.KeyPolicy.Statement[0] = { ...logsKeyStatement(), Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:111111111111:log-group:one' } } };
    const r = runTransform(ID, { Conditions: { X: { 'Fn::Equals': ['a', 'b'] } }, Resources: { Cond: { ...logsKey(), Condition: 'X' }, Named: named, A: group({}) } });
    expect(r.template.Resources.A.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['LogGroupKey', 'Arn'] });
  });

  it('reports a group its key depends on (the reference would be a cycle)', () => {
    const key = logsKey({ Description: { 'Fn::Sub': 'key of ${A}' } });
    const r = runTransform(ID, { Resources: { Key: key, A: group({}) } });
    expect(r.ids).toEqual(['keyDependsOnGroup']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.changed).toBe(false);
  });

  it('leaves encrypted, computed and opted-out groups alone, and adds no key for them', () => {
    const r = runTransform(ID, {
      Conditions: { X: { 'Fn::Equals': ['a', 'b'] } },
      Resources: {
        A: group({ KmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/x' }),
        B: group({ KmsKeyId: { 'Fn::If': ['X', 'arn:aws:kms:us-east-1:111111111111:key/x', { Ref: 'AWS::NoValue' }] } }),
        C: group({ 'Fn::If': ['X', {}, {}] }),
        D: group({}, { Metadata: { tapfix: { skip: [ID] } } }),
        E: group({}, { Metadata: { checkov: { skip: [{ id: 'CKV_AWS_158' }] } } }),
      },
    });
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  Key: # shared', '    Type: AWS::KMS::Key', '    Properties:', '      KeyPolicy:', '        Version: "2012-10-17"', '        Statement:', '          - Effect: Allow', "            Principal: {Service: !Sub 'logs.${AWS::Region}.amazonaws.com'}", '            Action: [kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*]', "            Resource: '*'", '            Condition:', '              ArnLike:', "                kms:EncryptionContext:aws:logs:arn: !Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*'", '  Logs:', '    Type: AWS::Logs::LogGroup', '    Properties:', '      RetentionInDays: 365 # a year', ''].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml.replace('365 # a year\n', '365 # a year\n      KmsKeyId: !GetAtt Key.Arn\n'));
  });
});
