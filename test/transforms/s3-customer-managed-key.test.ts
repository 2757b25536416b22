import { describe, expect, it } from 'vitest';
import transform from '../../transforms/s3-customer-managed-key.js';
import { deepFreeze } from '../../src/cfn/template.js';
import { fixText } from '../../src/engine/fix.js';
import type { Template } from '../../src/types.js';

const run = (t: unknown) => transform.check({ template: deepFreeze(t) as Template, options: { aliasName: 'alias/${AWS::StackName}-s3' }, region: undefined, filePath: undefined, format: 'json' });
const fix = (t: unknown) => {
  const r = fixText(JSON.stringify(t, null, 2), { transforms: [transform], unsafe: true, format: 'json' });
  expect(r.errors).toEqual([]);
  return JSON.parse(r.output) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
};
const aes = { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } };

describe('s3-customer-managed-key', () => {
  it('reuses the key it created when a bucket appears later', () => {
    const once = fix({ Resources: { A: { Type: 'AWS::S3::Bucket', Properties: aes } } });
    once.Resources['B'] = { Type: 'AWS::S3::Bucket' };
    const twice = fix(once);
    const keys = Object.values(twice.Resources).filter((r) => r.Type === 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    expect(JSON.stringify(twice.Resources['B'])).toContain('"S3EncryptionKey","Arn"');
  });

  it('creates one new key when the template uses several keys for S3', () => {
    const kms = (key: string) => ({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: key } } }] } });
    const out = fix({
      Resources: {
        K1: { Type: 'AWS::KMS::Key' },
        K2: { Type: 'AWS::KMS::Key' },
        A: { Type: 'AWS::S3::Bucket', Properties: kms('K1') },
        B: { Type: 'AWS::S3::Bucket', Properties: kms('K2') },
        C: { Type: 'AWS::S3::Bucket', Properties: aes },
        D: { Type: 'AWS::S3::Bucket' },
      },
    });
    expect(out.Resources['S3EncryptionKey']?.Type).toBe('AWS::KMS::Key');
    expect(JSON.stringify(out.Resources['C'])).toContain('S3EncryptionKey');
    expect(JSON.stringify(out.Resources['D'])).toContain('S3EncryptionKey');
  });

  it('creates no key for buckets that opt out with Metadata tapfix skip', () => {
    const t = { Resources: { A: { Type: 'AWS::S3::Bucket', Metadata: { tapfix: { skip: ['s3-customer-managed-key'] } } } } };
    expect(run(t)).toEqual([]);
  });

  it('keeps SSE-S3, without a finding, on a bucket whose policy grants the ELB account through a region mapping', () => {
    const t = {
      Mappings: { ElbLogAccounts: { 'us-west-1': { AccountId: '027434742980' } } },
      Resources: {
        Logs: { Type: 'AWS::S3::Bucket' },
        LogsPolicy: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: {
            Bucket: { Ref: 'Logs' },
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${ElbAccount}:root', { ElbAccount: { 'Fn::FindInMap': ['ElbLogAccounts', { Ref: 'AWS::Region' }, 'AccountId'] } }] } },
                  Action: 's3:PutObject',
                  Resource: { 'Fn::Sub': '${Logs.Arn}/AWSLogs/*' },
                },
              ],
            },
          },
        },
      },
    };
    // Recognised as a load balancer log destination: it stays SSE-S3 (the only encryption those
    // deliveries support), which is right, so there is nothing to fix and nothing to report.
    expect(run(t)).toEqual([]);
    // The same bucket without the policy is moved to a customer managed key.
    expect(run({ Resources: { Logs: { Type: 'AWS::S3::Bucket' } } }).some((f) => f.fix)).toBe(true);
  });

  it('leaves a bucket whose policy requires AES256 uploads, with a report', () => {
    const t = {
      Resources: {
        B: { Type: 'AWS::S3::Bucket' },
        P: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: {
            Bucket: { Ref: 'B' },
            PolicyDocument: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: '*', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } } }] },
          },
        },
      },
    };
    const findings = run(t);
    expect(findings.map((f) => f.fix)).toEqual([undefined]);
    expect(findings[0]!.message).toContain('requires SSE-S3');
  });

  describe('CloudFront origins', () => {
    const distribution = (domain: unknown, extra: Record<string, unknown> = {}, origin: Record<string, unknown> = { OriginAccessControlId: { Ref: 'OAC' } }) => ({
      Type: 'AWS::CloudFront::Distribution',
      ...extra,
      Properties: { DistributionConfig: { Origins: [{ Id: 'o', DomainName: domain, S3OriginConfig: {}, ...origin }], DefaultCacheBehavior: { TargetOriginId: 'o' } } },
    });
    const oac = { Type: 'AWS::CloudFront::OriginAccessControl', Properties: {} };
    const keyStatement = (out: ReturnType<typeof fix>) => {
      const statements = (out.Resources['S3EncryptionKey']!.Properties!['KeyPolicy'] as { Statement: Array<Record<string, unknown>> }).Statement;
      return statements.find((s) => s['Sid'] === 'AllowCloudFrontOriginAccessControl');
    };

    it('names the distribution when its origin is written from the bucket name, every distribution when it names the bucket', () => {
      const byName = fix({
        Parameters: { Name: { Type: 'String' } },
        Resources: { OAC: oac, B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'Name' } } }, D: distribution({ 'Fn::Sub': '${Name}.s3.amazonaws.com' }) },
      });
      expect(keyStatement(byName)?.['Condition']).toEqual({ StringEquals: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${D}' } } });
      const byBucket = fix({ Resources: { OAC: oac, B: { Type: 'AWS::S3::Bucket' }, D: distribution({ 'Fn::GetAtt': ['B', 'DomainName'] }) } });
      expect(keyStatement(byBucket)?.['Condition']).toEqual({ ArnLike: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*' } } });
    });

    it('does not name a distribution the key may exist without', () => {
      const out = fix({
        Parameters: { Name: { Type: 'String' } },
        Conditions: { WithCdn: { 'Fn::Equals': ['a', 'a'] } },
        Resources: { OAC: oac, B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'site-bucket' } }, D: distribution('site-bucket.s3.amazonaws.com', { Condition: 'WithCdn' }) },
      });
      expect(JSON.stringify(keyStatement(out)?.['Condition'])).toContain('distribution/*');
    });

    it('leaves a bucket that one origin reads without origin access control', () => {
      const findings = run({
        Resources: {
          OAC: oac,
          B: { Type: 'AWS::S3::Bucket' },
          D: distribution({ 'Fn::GetAtt': ['B', 'RegionalDomainName'] }),
          Legacy: distribution({ 'Fn::GetAtt': ['B', 'RegionalDomainName'] }, {}, { S3OriginConfig: { OriginAccessIdentity: 'origin-access-identity/cloudfront/E2QWRUHAPOMQZL' } }),
        },
      });
      expect(findings.map((f) => [f.fix, f.message])).toEqual([[undefined, expect.stringContaining('origin of CloudFront distribution Legacy without origin access control')]]);
    });

    it('reports a bucket on a key defined outside the template', () => {
      const findings = run({
        Resources: {
          OAC: oac,
          B: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::ImportValue': 'shared-key' } } }] } } },
          D: distribution({ 'Fn::GetAtt': ['B', 'RegionalDomainName'] }),
        },
      });
      expect(findings.map((f) => [f.fix, f.severity, f.message])).toEqual([[undefined, 'low', expect.stringContaining('KMS key defined outside this template')]]);
    });
  });

  it('never throws on odd shapes', () => {
    const odd = {
      Resources: {
        N: null,
        S: 'text',
        L: [],
        NoType: { Properties: {} },
        B1: { Type: 'AWS::S3::Bucket', Properties: [] },
        B2: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: 'AES256' } },
        B3: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: {} } } },
        B4: { Type: 'AWS::S3::Bucket', Properties: { LoggingConfiguration: { DestinationBucketName: { 'Fn::If': ['C', 'a', 'b'] } } } },
        K: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: '{"Statement": []}' } },
        T: { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: { 'Fn::Join': ['', [{ Ref: 'B1' }]] } } },
        P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B1' }, PolicyDocument: { Statement: 'x' } } },
      },
    };
    expect(() => run(odd)).not.toThrow();
  });
});
