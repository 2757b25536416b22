import { describe, expect, it } from 'vitest';
import { aclWriters } from '../../src/cfn/s3.js';
import { expectIdempotent, runTransform } from '../harness.js';

const enforced = { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] };
const bucket = (props?: unknown, extra: Record<string, unknown> = {}) => ({
  Resources: { B: { Type: 'AWS::S3::Bucket', ...(props === undefined ? {} : { Properties: props }) }, ...extra },
});
const uploader = {
  Type: 'AWS::IAM::ManagedPolicy',
  Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:PutObjectAcl', Resource: { 'Fn::Sub': '${B.Arn}/*' } }] } },
};

describe('s3-object-ownership', () => {
  it('removes an owner-only ACL and disables ACLs', () => {
    for (const acl of ['Private', 'BucketOwnerFullControl', 'BucketOwnerRead']) {
      const r = runTransform('s3-object-ownership', bucket({ AccessControl: acl, BucketName: 'b' }), { unsafe: false });
      expect(r.ids).toEqual(['ownerOnlyAcl']);
      expect(r.findings[0]!.fix).toBe('applied');
      expect(r.template.Resources.B.Properties).toEqual({ BucketName: 'b', OwnershipControls: enforced });
      expectIdempotent('s3-object-ownership', r);
    }
  });

  it('keeps the ownership setting the author wrote and ACLs on CloudFront log buckets', () => {
    const preferred = { Rules: [{ ObjectOwnership: 'ObjectWriter' }] };
    const kept = runTransform('s3-object-ownership', bucket({ AccessControl: 'Private', OwnershipControls: preferred }));
    expect(kept.template.Resources.B.Properties).toEqual({ OwnershipControls: preferred });
    const cdn = {
      Type: 'AWS::CloudFront::Distribution',
      Properties: { DistributionConfig: { Logging: { Bucket: { 'Fn::GetAtt': ['B', 'DomainName'] } } } },
    };
    const logs = runTransform('s3-object-ownership', bucket({ AccessControl: 'Private' }, { Cdn: cdn }));
    expect(logs.template.Resources.B.Properties).toEqual({});
    const bare = runTransform('s3-object-ownership', bucket(undefined, { Cdn: cdn }));
    expect(bare.findings).toEqual([]);
  });

  it('writes the default ownership on a bucket without Properties', () => {
    const r = runTransform('s3-object-ownership', bucket());
    expect(r.ids).toEqual(['noOwnershipSetting']);
    expect(r.template.Resources.B.Properties).toEqual({ OwnershipControls: enforced });
    expectIdempotent('s3-object-ownership', r);
  });

  it('reports ACLs that grant access and leaves computed ones and ACL-less buckets alone', () => {
    for (const acl of ['PublicRead', 'LogDeliveryWrite', 'AwsExecRead']) {
      const r = runTransform('s3-object-ownership', bucket({ AccessControl: acl }));
      expect(r.ids).toEqual(['aclGrantsAccess']);
      expect(r.changed).toBe(false);
    }
    for (const t of [bucket({ AccessControl: { Ref: 'Acl' } }), bucket({ BucketName: 'b' }), bucket({ 'Fn::If': ['C', {}, {}] })]) {
      const r = runTransform('s3-object-ownership', t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('marks disabling ACLs unsafe when software may set ACLs on the bucket', () => {
    expect(aclWriters(bucket(undefined, { Up: uploader }) as never, 'B')).toEqual(['Up']);
    expect(aclWriters(bucket(undefined, { Up: { ...uploader, Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } } } }) as never, 'B')).toEqual([]);
    const r = runTransform('s3-object-ownership', bucket({ AccessControl: 'Private' }, { Up: uploader }), { unsafe: false });
    expect(r.findings[0]!.fix).toBe('held');
    expect(r.findings[0]!.message).toContain('Up');
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  B: # data', '    Type: AWS::S3::Bucket', '    Properties:', '      AccessControl: Private # legacy', '      BucketName: data', ''].join('\n');
    const r = runTransform('s3-object-ownership', yaml, { format: 'yaml' });
    expect(r.output).toContain('  B: # data\n');
    expect(r.output).not.toContain('AccessControl');
    expect(r.output).toContain('      BucketName: data\n      OwnershipControls:\n        Rules:\n          - ObjectOwnership: BucketOwnerEnforced\n');
  });
});
