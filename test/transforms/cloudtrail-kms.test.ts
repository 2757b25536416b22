import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const trail = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ Type: 'AWS::CloudTrail::Trail', ...extra, Properties: { IsLogging: true, ...props } });

describe('cloudtrail-kms', () => {
  it('adds a key CloudTrail may encrypt with for a trail whose bucket is in the template', () => {
    const r = runTransform('cloudtrail-kms', {
      Resources: { Bucket: { Type: 'AWS::S3::Bucket' }, Trail: trail({ S3BucketName: { Ref: 'Bucket' }, TrailName: 'audit' }) },
    });
    expect(r.ids).toEqual(['noKmsKey']);
    expect(r.template.Resources.Trail.Properties.KMSKeyId).toEqual({ 'Fn::GetAtt': ['TrailKey', 'Arn'] });
    const key = r.template.Resources.TrailKey;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const encrypt = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AllowCloudTrailToEncryptLogs');
    expect(encrypt.Condition.StringLike['aws:SourceArn']).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/audit' });
    expect(encrypt.Condition.StringLike['kms:EncryptionContext:aws:cloudtrail:arn']).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*' });
    expectIdempotent('cloudtrail-kms', r);
  });

  it('gives the key the trail condition', () => {
    const r = runTransform('cloudtrail-kms', {
      Conditions: { On: { 'Fn::Equals': ['a', 'a'] } },
      Resources: { Bucket: { Type: 'AWS::S3::Bucket' }, Trail: trail({ S3BucketName: { Ref: 'Bucket' } }, { Condition: 'On' }) },
    });
    expect(r.template.Resources.TrailKey.Condition).toBe('On');
  });

  it('reports a trail whose bucket is elsewhere and keeps keys the author set', () => {
    const r = runTransform('cloudtrail-kms', {
      Resources: {
        Elsewhere: trail({ S3BucketName: 'org-logs' }),
        Keyed: trail({ S3BucketName: 'org-logs', KMSKeyId: 'alias/aws/s3' }),
        Computed: { Type: 'AWS::CloudTrail::Trail', Properties: { 'Fn::If': ['C', {}, {}] } },
      },
    });
    expect(r.ids).toEqual(['bucketElsewhere']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.changed).toBe(false);
  });

  it('is unsafe: nothing changes without unsafe fixes', () => {
    const r = runTransform('cloudtrail-kms', { Resources: { Bucket: { Type: 'AWS::S3::Bucket' }, Trail: trail({ S3BucketName: { Ref: 'Bucket' } }) } }, { unsafe: false });
    expect(r.changed).toBe(false);
  });
});
