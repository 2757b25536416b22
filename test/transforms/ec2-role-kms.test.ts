import { describe, expect, it } from 'vitest';
import transform from '../../transforms/ec2-role-kms.js';
import { deepFreeze } from '../../src/cfn/template.js';
import { actionPatternMatches, bucketByArn, keyOf, keyPolicyDelegatesToIam, roleCanDecrypt } from '../../src/cfn/kms.js';
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
