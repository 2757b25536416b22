import { describe, expect, it } from 'vitest';
import transform from '../../transforms/s3-access-logging.js';
import { deepFreeze } from '../../src/cfn/template.js';
import { fixText } from '../../src/engine/fix.js';
import type { Template } from '../../src/types.js';

const options = { expirationDays: 90, noncurrentExpirationDays: 30 };
const run = (t: unknown) => transform.check({ template: deepFreeze(t) as Template, options, region: undefined, filePath: undefined, format: 'json' });
const fix = (t: unknown) => {
  const r = fixText(JSON.stringify(t, null, 2), { transforms: [transform], unsafe: true, format: 'json' });
  expect(r.errors).toEqual([]);
  return JSON.parse(r.output) as { Resources: Record<string, Record<string, unknown>> };
};

describe('s3-access-logging', () => {
  it('adds a bucket created later to the log policy aws:SourceArn list, and never logs the log bucket', () => {
    const once = fix({ Resources: { A: { Type: 'AWS::S3::Bucket' } } });
    expect(once.Resources['AccessLogsBucket']).toBeDefined();
    once.Resources['B'] = { Type: 'AWS::S3::Bucket' };
    const twice = fix(once);
    const policy = JSON.stringify(twice.Resources['AccessLogsBucketPolicy']);
    expect(policy).toContain('"A","Arn"');
    expect(policy).toContain('"B","Arn"');
    expect(JSON.stringify(twice.Resources['AccessLogsBucket'])).not.toContain('LoggingConfiguration');
    expect(Object.keys(twice.Resources).filter((id) => id.startsWith('AccessLogsBucket'))).toEqual(['AccessLogsBucket', 'AccessLogsBucketPolicy']);
  });

  it('uses S3AccessLogsBucket when AccessLogsBucket names something else', () => {
    const findings = run({ Resources: { AccessLogsBucket: { Type: 'AWS::SNS::Topic' }, A: { Type: 'AWS::S3::Bucket' } } });
    expect(findings[0]!.fix!.ops.map((o) => o.path)).toEqual(['/Resources/S3AccessLogsBucket', '/Resources/S3AccessLogsBucketPolicy']);
  });

  it('creates nothing when every bucket that needs logging opts out', () => {
    expect(run({ Resources: { A: { Type: 'AWS::S3::Bucket', Metadata: { tapfix: { skip: ['all'] } } } } })).toEqual([]);
  });

  it('leaves buckets logging into a bucket outside the template alone', () => {
    expect(run({ Resources: { A: { Type: 'AWS::S3::Bucket', Properties: { LoggingConfiguration: { DestinationBucketName: { 'Fn::ImportValue': 'logs' } } } } } })).toEqual([]);
  });
});

describe('s3-access-logging log bucket encryption', () => {
  it('moves an SSE-KMS load balancer log bucket to SSE-S3 even when no bucket needs logging', () => {
    const t = {
      Resources: {
        AlbLogs: {
          Type: 'AWS::S3::Bucket',
          Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] } },
        },
        Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { LoadBalancerAttributes: [{ Key: 'access_logs.s3.bucket', Value: { Ref: 'AlbLogs' } }] } },
      },
    };
    const findings = run(t);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.fix).toEqual({
      ops: [
        { op: 'replace', path: '/Resources/AlbLogs/Properties/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm', value: 'AES256' },
        { op: 'remove', path: '/Resources/AlbLogs/Properties/BucketEncryption/ServerSideEncryptionConfiguration/0/BucketKeyEnabled' },
      ],
      safety: 'unsafe',
    });
  });
});

describe('s3-access-logging on a load balancer log bucket', () => {
  const elbBucket = (props: Record<string, unknown>) => ({
    Resources: {
      AlbLogs: { Type: 'AWS::S3::Bucket', Properties: { AccessControl: 'LogDeliveryWrite', ...props } },
      Alb: {
        Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        Properties: { LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { Ref: 'AlbLogs' } }] },
      },
    },
  });

  it('drops the LogDeliveryWrite ACL and enforces the bucket owner: ELB delivers through the bucket policy', () => {
    const findings = run(elbBucket({}));
    const acl = findings.find((f) => f.pointer === '/Resources/AlbLogs/Properties/AccessControl')!;
    expect(acl.fix!.ops).toEqual([
      { op: 'remove', path: '/Resources/AlbLogs/Properties/AccessControl' },
      { op: 'add', path: '/Resources/AlbLogs/Properties/OwnershipControls', value: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } },
    ]);
    expect(acl.message).toMatch(/load balancer/);
    expect(acl.message).not.toMatch(/BucketOwnerPreferred/);
    // It is a load balancer log bucket, not an access-log bucket: no bucket is pointed at it.
    expect(fix(elbBucket({})).Resources['AccessLogsBucket']).toBeUndefined();
  });

  it('says the bucket receives load balancer logs, not S3 server access logs', () => {
    const findings = run(elbBucket({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } }));
    const encryption = findings.find((f) => f.pointer === '/Resources/AlbLogs/Properties/BucketEncryption')!;
    expect(encryption.message).toMatch(/^Bucket AlbLogs receives load balancer access logs but/);
  });

  it('keeps the ACL, with ACLs enabled, on a load balancer log bucket that CloudFront also logs into', () => {
    const t = elbBucket({});
    const withCloudFront = {
      Resources: {
        ...t.Resources,
        Cdn: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Logging: { Bucket: { 'Fn::GetAtt': ['AlbLogs', 'DomainName'] } } } } },
      },
    };
    const acl = run(withCloudFront).find((f) => f.pointer === '/Resources/AlbLogs/Properties/AccessControl')!;
    expect(acl.fix!.ops).toEqual([{ op: 'add', path: '/Resources/AlbLogs/Properties/OwnershipControls', value: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } }]);
  });
});
