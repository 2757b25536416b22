import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const bucket = (rule: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [rule] }, ...extra } } },
});

describe('s3-bucket-key', () => {
  it('enables the Bucket Key on an aws:kms rule, in place', () => {
    const r = runTransform('s3-bucket-key', bucket({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'Key' } } }));
    expect(r.ids).toEqual(['noBucketKey']);
    expect(r.findings[0]!.fix).toBe('applied');
    expect(r.template.Resources.Data.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'Key' } },
      BucketKeyEnabled: true,
    });
    expectIdempotent('s3-bucket-key', r);
  });

  it('reports an explicit false without changing it', () => {
    const r = runTransform('s3-bucket-key', bucket({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: false }));
    expect(r.ids).toEqual(['bucketKeyDisabled']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.changed).toBe(false);
  });

  it('leaves DSSE-KMS, SSE-S3 and computed encryption alone', () => {
    for (const t of [
      bucket({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse' } }),
      bucket({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }),
      { Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { 'Fn::If': ['C', {}, {}] } } } } },
      { Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { 'Fn::If': ['C', {}, {}] } } } },
      { Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: ['odd', null, [1]] } } } } },
    ]) {
      const r = runTransform('s3-bucket-key', t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('fixes each aws:kms rule of a bucket and keeps YAML layout', () => {
    const yaml = [
      'Resources:',
      '  Data:',
      '    Type: AWS::S3::Bucket',
      '    Properties:',
      '      BucketEncryption:',
      '        ServerSideEncryptionConfiguration:',
      '          - ServerSideEncryptionByDefault: # the team key',
      '              SSEAlgorithm: aws:kms',
      '',
    ].join('\n');
    const r = runTransform('s3-bucket-key', yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml.replace('aws:kms\n', 'aws:kms\n            BucketKeyEnabled: true\n'));
  });
});
