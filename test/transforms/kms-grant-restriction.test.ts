import { describe, expect, it } from 'vitest';
import { directGrantStatements, grantsOnlyForAwsResourcesStatement, keyPolicyRestrictsGrants } from '../../src/cfn/kms.js';
import { expectIdempotent, runTransform } from '../harness.js';

const root = { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
// The statement as the control's rule reads it (golden outputs are checked against the rule itself).
const deny = grantsOnlyForAwsResourcesStatement() as { Condition: { BoolIfExists: Record<string, string> } } & Record<string, unknown>;
const key = (props: unknown, extra: Record<string, unknown> = {}) => ({ Resources: { Key: { Type: 'AWS::KMS::Key', Properties: props }, ...extra } });

describe('kms-grant-restriction', () => {
  it('appends the deny to an existing key policy, safely when nobody creates grants directly', () => {
    const r = runTransform('kms-grant-restriction', key({ KeyPolicy: { Version: '2012-10-17', Statement: [root] } }), { unsafe: false });
    expect(r.ids).toEqual(['grantsUnrestricted']);
    expect(r.findings[0]!.fix).toBe('applied');
    expect(r.template.Resources.Key.Properties.KeyPolicy.Statement).toEqual([root, deny]);
    expectIdempotent('kms-grant-restriction', r);
  });

  it('gives a key without a policy the default account-root statement and the deny', () => {
    const r = runTransform('kms-grant-restriction', { Resources: { Key: { Type: 'AWS::KMS::Key' } } });
    expect(r.ids).toEqual(['grantsUnrestricted']);
    const statements = r.template.Resources.Key.Properties.KeyPolicy.Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(['EnableIAMPolicies', 'DenyGrantsExceptForAwsResources']);
  });

  it('makes the Sid unique when the policy already uses it', () => {
    const r = runTransform('kms-grant-restriction', key({ KeyPolicy: { Statement: [{ ...root, Sid: 'DenyGrantsExceptForAwsResources' }] } }));
    expect(r.template.Resources.Key.Properties.KeyPolicy.Statement[1].Sid).toBe('DenyGrantsExceptForAwsResources2');
  });

  it('marks the fix unsafe when a principal may create grants directly (key policy or IAM policy)', () => {
    const direct = { Sid: 'Workers', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Worker', 'Arn'] } }, Action: ['kms:CreateGrant', 'kms:Decrypt'], Resource: '*' };
    const viaKey = runTransform('kms-grant-restriction', key({ KeyPolicy: { Statement: [root, direct] } }), { unsafe: false });
    expect(viaKey.ids).toEqual(['grantsUnrestrictedWithCallers']);
    expect(viaKey.findings[0]!.fix).toBe('held');
    expect(viaKey.changed).toBe(false);
    expect(viaKey.findings[0]!.message).toContain('Workers');

    const role = {
      Type: 'AWS::IAM::Role',
      Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Create*', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }] } }] },
    };
    const viaRole = runTransform('kms-grant-restriction', key({ KeyPolicy: { Statement: [root] } }, { Worker: role }), { unsafe: true });
    expect(viaRole.ids).toEqual(['grantsUnrestrictedWithCallers']);
    expect(viaRole.findings[0]!.message).toContain('Worker');
    expect(viaRole.findings[0]!.fix).toBe('applied');
  });

  it('does not count grants scoped to AWS resources, service principals or kms:* statements as direct callers', () => {
    const scoped = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/app' }, Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } };
    const service = { Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: ['kms:CreateGrant'], Resource: '*' };
    const admin = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/admin' }, Action: 'kms:*', Resource: '*' };
    const viaEc2 = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } } };
    const slr = { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling' } }, Action: 'kms:CreateGrant', Resource: '*' };
    expect(directGrantStatements({ Statement: [root, scoped, service, admin, viaEc2, slr] })).toEqual([]);
    expect(directGrantStatements({ Statement: [{ ...slr, Principal: { AWS: ['arn:aws:iam::111111111111:role/app', slr.Principal.AWS] } }] })).toHaveLength(1);
    const r = runTransform('kms-grant-restriction', key({ KeyPolicy: { Statement: [root, scoped, service, admin] } }), { unsafe: false });
    expect(r.ids).toEqual(['grantsUnrestricted']);
    expect(r.changed).toBe(true);
  });

  it('recognises the statement only in the shape the control accepts', () => {
    expect(keyPolicyRestrictsGrants({ Statement: [deny] })).toBe(true);
    expect(keyPolicyRestrictsGrants({ Statement: { ...deny, Principal: { AWS: '*' }, Action: ['kms:CreateGrant'], Resource: ['*'] } })).toBe(true);
    expect(keyPolicyRestrictsGrants({ Statement: [{ ...deny, Condition: { Bool: deny.Condition.BoolIfExists } }] })).toBe(false);
    expect(keyPolicyRestrictsGrants({ Statement: [{ ...deny, Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' } } }] })).toBe(false);
    expect(keyPolicyRestrictsGrants({ Statement: [{ ...deny, Action: ['kms:CreateGrant', 'kms:Decrypt'] }] })).toBe(false);
    expect(keyPolicyRestrictsGrants({ Statement: [{ ...deny, Principal: { AWS: 'arn:aws:iam::111111111111:root' } }] })).toBe(false);
  });

  it('leaves keys with the statement alone and reports policies it cannot edit', () => {
    const done = runTransform('kms-grant-restriction', key({ KeyPolicy: { Statement: [root, deny] } }));
    expect(done.findings).toEqual([]);
    for (const props of [{ KeyPolicy: '{"Statement": []}' }, { KeyPolicy: { 'Fn::If': ['C', { Statement: [root] }, { Ref: 'AWS::NoValue' }] } }]) {
      const r = runTransform('kms-grant-restriction', key(props));
      expect(r.ids).toEqual(['keyPolicyNotEditable']);
      expect(r.changed).toBe(false);
    }
    const computed = runTransform('kms-grant-restriction', key({ 'Fn::If': ['C', {}, {}] }));
    expect(computed.findings).toEqual([]);
  });

  it('keeps YAML layout and comments', () => {
    const yaml = [
      'Resources:',
      '  Key: # team key',
      '    Type: AWS::KMS::Key',
      '    Properties:',
      '      KeyPolicy:',
      '        Statement:',
      '          - Effect: Allow # root',
      '            Principal: { AWS: !Ref AWS::AccountId }',
      "            Action: 'kms:*'",
      "            Resource: '*'",
      '',
    ].join('\n');
    const r = runTransform('kms-grant-restriction', yaml, { format: 'yaml' });
    expect(r.output.startsWith(yaml)).toBe(true);
    expect(r.output).toContain("          - Sid: DenyGrantsExceptForAwsResources\n            Effect: Deny\n");
    expectIdempotent('kms-grant-restriction', r);
  });
});
