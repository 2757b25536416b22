import { describe, expect, it } from 'vitest';
import transform from '../../transforms/ec2-role-kms.js';
import { deepFreeze } from '../../src/cfn/template.js';
import { actionPatternMatches, bucketByArn, keyOf, keyPolicyAllowsPrincipal, keyPolicyDelegatesToIam, roleCanDecrypt } from '../../src/cfn/kms.js';
import type { Template } from '../../src/types.js';

const t = deepFreeze({
  Resources: {
    Key: { Type: 'AWS::KMS::Key' },
    Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/data', TargetKeyId: { 'Fn::GetAtt': ['Key', 'KeyId'] } } },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'my-data' } },
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: { Effect: 'Allow', Action: 'kms:De*', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/data' } } } }] },
    },
  },
}) as unknown as Template;

describe('kms helpers', () => {
  it('resolves key references in every form', () => {
    expect(keyOf(t, { Ref: 'Key' })).toBe('Key');
    expect(keyOf(t, { 'Fn::GetAtt': ['Key', 'Arn'] })).toBe('Key');
    expect(keyOf(t, { 'Fn::GetAtt': 'Key.KeyId' })).toBe('Key');
    expect(keyOf(t, { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}' })).toBe('Key');
    expect(keyOf(t, { Ref: 'Alias' })).toBe('Key');
    expect(keyOf(t, 'alias/data')).toBe('Key');
    expect(keyOf(t, { 'Fn::Sub': 'arn:aws:kms:${AWS::Region}:${AWS::AccountId}:alias/data' })).toBe('Key');
    expect(keyOf(t, 'alias/other')).toBeUndefined();
    expect(keyOf(t, { Ref: 'Bucket' })).toBeUndefined();
    expect(keyOf(t, { 'Fn::ImportValue': 'k' })).toBeUndefined();
  });

  it('resolves bucket ARNs in every form', () => {
    expect(bucketByArn(t, { 'Fn::GetAtt': ['Bucket', 'Arn'] })).toEqual({ bucket: 'Bucket', objects: false });
    expect(bucketByArn(t, { 'Fn::Sub': '${Bucket.Arn}/*' })).toEqual({ bucket: 'Bucket', objects: true });
    expect(bucketByArn(t, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/uploads/*' })).toEqual({ bucket: 'Bucket', objects: true });
    expect(bucketByArn(t, { 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'Bucket' }, '/*']] })).toEqual({ bucket: 'Bucket', objects: true });
    expect(bucketByArn(t, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] })).toEqual({ bucket: 'Bucket', objects: true });
    expect(bucketByArn(t, { 'Fn::Sub': ['arn:aws:s3:::${Name}/*', { Name: { Ref: 'Bucket' } }] })).toEqual({ bucket: 'Bucket', objects: true });
    expect(bucketByArn(t, 'arn:aws-cn:s3:::my-data/*')).toEqual({ bucket: 'Bucket', objects: true });
    expect(bucketByArn(t, 'arn:aws:s3:::my-data-2/*')).toBeUndefined();
    expect(bucketByArn(t, 'arn:aws:s3:::*')).toBeUndefined();
  });

  it('matches IAM action wildcards case-insensitively', () => {
    expect(actionPatternMatches('s3:Get*', 's3:GetObject')).toBe(true);
    expect(actionPatternMatches('S3:GETOBJECT', 's3:GetObject')).toBe(true);
    expect(actionPatternMatches('*', 'kms:Decrypt')).toBe(true);
    expect(actionPatternMatches('s3:GetObjectVersion', 's3:GetObject')).toBe(false);
    expect(actionPatternMatches('s3:Get?bject', 's3:GetObject')).toBe(true);
  });

  it('knows when a key policy lets IAM grant access', () => {
    const root = (AWS: unknown) => ({ Statement: [{ Effect: 'Allow', Principal: { AWS }, Action: 'kms:*', Resource: '*' }] });
    expect(keyPolicyDelegatesToIam(undefined)).toBe(true);
    expect(keyPolicyDelegatesToIam(root({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }))).toBe(true);
    expect(keyPolicyDelegatesToIam(root({ 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root']] }))).toBe(true);
    expect(keyPolicyDelegatesToIam(root({ Ref: 'AWS::AccountId' }))).toBe(true);
    expect(keyPolicyDelegatesToIam(root('arn:aws:iam::123456789012:role/Admin'))).toBe(false);
  });

  it('counts a kms:Decrypt grant written through the alias ARN', () => {
    expect(roleCanDecrypt(t, 'Role', 'Key')).toBe(true);
  });
});

describe('ec2-role-kms', () => {
  it('extends its own policy instead of adding a second one', () => {
    const template = {
      Resources: {
        K1: { Type: 'AWS::KMS::Key' },
        K2: { Type: 'AWS::KMS::Key' },
        B2: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'K2' } } }] } } },
        R: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Policies: [
              { PolicyName: 'read', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': '${B2.Arn}/*' } }] } },
              { PolicyName: 'KmsAccessForEncryptedData', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['K1', 'Arn'] } }] } },
            ],
          },
        },
        F: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['R', 'Arn'] } } },
      },
    };
    const findings = transform.check({ template: deepFreeze(template) as unknown as Template, options: { policyName: 'KmsAccessForEncryptedData', allRoles: true }, region: undefined, filePath: undefined, format: 'json' });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.fix!.ops).toEqual([
      { op: 'add', path: '/Resources/R/Properties/Policies/1/PolicyDocument/Statement/-', value: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['K2', 'Arn'] } } },
    ]);
  });
});

describe('ec2-role-kms: Auto Scaling service-linked roles', () => {
  const check = (template: unknown) =>
    transform.check({ template: deepFreeze(template) as unknown as Template, options: { policyName: 'KmsAccessForEncryptedData', allRoles: true }, region: undefined, filePath: undefined, format: 'json' });
  const root = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
  const launchTemplate = (keyId: unknown) => ({
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: { LaunchTemplateData: { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, KmsKeyId: keyId } }] } },
  });
  const group = (extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::AutoScaling::AutoScalingGroup',
    Properties: { MinSize: '1', MaxSize: '2', LaunchTemplate: { LaunchTemplateId: { Ref: 'LT' }, Version: '$Latest' }, ...extra },
  });
  const slr = (suffix: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling${suffix}` });

  it('adds for a second group only the role it lacks, under a Sid of its own', () => {
    const granted = { Sid: 'AllowAutoScalingServiceLinkedRoleUseOfKey', Effect: 'Allow', Principal: { AWS: slr('') }, Action: 'kms:*', Resource: '*' };
    const findings = check({
      Resources: {
        Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [root, granted] } } },
        LT: launchTemplate({ 'Fn::GetAtt': ['Key', 'Arn'] }),
        Default: group(),
        Custom: group({ ServiceLinkedRoleARN: slr('_custom') }),
      },
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('Auto Scaling group Custom (launch template LT) launches');
    expect(findings[0]!.message).toContain('service-linked role AWSServiceRoleForAutoScaling_custom use the key and create grants');
    const added = findings[0]!.fix!.ops.map((op) => (op as { value: { Sid: string; Principal: unknown } }).value);
    expect(added.map((s) => [s.Sid, s.Principal])).toEqual([
      ['AllowAutoScalingServiceLinkedRoleUseOfKey2', { AWS: slr('_custom') }],
      ['AllowAutoScalingServiceLinkedRoleGrants', { AWS: slr('_custom') }],
    ]);
  });

  it('reports without a fix a role ARN built from a resource that waits for the key', () => {
    const findings = check({
      Resources: {
        Key: { Type: 'AWS::KMS::Key' },
        Role: { Type: 'AWS::IAM::ServiceLinkedRole', DependsOn: 'Key', Properties: { AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'app' } },
        LT: launchTemplate({ Ref: 'Key' }),
        G: group({ ServiceLinkedRoleARN: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/${Role}' } }),
      },
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.fix).toBeUndefined();
  });

  it('leaves groups that opt out, launch configurations and odd shapes alone', () => {
    expect(
      check({
        Resources: {
          Key: { Type: 'AWS::KMS::Key' },
          LT: launchTemplate({ Ref: 'Key' }),
          G: { ...group(), Metadata: { tapfix: { skip: ['ec2-role-kms'] } } },
          LC: { Type: 'AWS::AutoScaling::LaunchConfiguration', Properties: { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true } }] } },
          G2: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { LaunchConfigurationName: { Ref: 'LC' } } },
          G3: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { LaunchTemplate: { LaunchTemplateId: { 'Fn::GetAtt': ['LT', 'LatestVersionNumber'] } } } },
          G4: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MixedInstancesPolicy: { LaunchTemplate: { Overrides: 'x' } } } },
          G5: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: [] },
          LT2: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { BlockDeviceMappings: [null, { Ebs: 'x' }] } } },
          G6: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { LaunchTemplate: { LaunchTemplateId: { Ref: 'LT2' } } } },
        },
      }),
    ).toEqual([]);
  });

  it('recognises the role however its ARN is written, and any principal', () => {
    const policy = (AWS: unknown) => ({ Statement: [{ Effect: 'Allow', Principal: { AWS }, Action: 'kms:CreateGrant', Resource: '*' }] });
    const role = slr('');
    expect(keyPolicyAllowsPrincipal(policy('arn:aws-us-gov:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling'), role, 'kms:CreateGrant')).toBe(true);
    expect(keyPolicyAllowsPrincipal(policy({ 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling']] }), role, 'kms:CreateGrant')).toBe(true);
    expect(keyPolicyAllowsPrincipal(policy('*'), role, 'kms:CreateGrant')).toBe(true);
    expect(keyPolicyAllowsPrincipal(policy({ 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:root' }), role, 'kms:CreateGrant')).toBe(false);
    expect(keyPolicyAllowsPrincipal(policy(slr('_other')), role, 'kms:CreateGrant')).toBe(false);
    expect(keyPolicyAllowsPrincipal(policy(role), role, 'kms:Decrypt')).toBe(false);
  });
});
