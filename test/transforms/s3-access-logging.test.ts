import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 's3-access-logging';
const bucket = (properties?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::S3::Bucket',
  ...extra,
  ...(properties ? { Properties: properties } : {}),
});
const kms = { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] };
const alb = (logBucket: string) => ({
  Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  Properties: { LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { Ref: logBucket } }] },
});

describe('s3-access-logging', () => {
  it('creates one access-log bucket and its policy, and points every data bucket at it', () => {
    const r = runTransform(ID, { Resources: { A: bucket(), B: bucket({ VersioningConfiguration: { Status: 'Enabled' } }) } }, { options: { expirationDays: 30, noncurrentExpirationDays: 7 } });
    expect(r.ids).toEqual(['addLogBucket', 'noAccessLogging', 'noAccessLogging']);
    const resources = r.template.Resources;
    expect(resources.A.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: 'AccessLogsBucket' }, LogFilePrefix: 'A/' });
    expect(resources.B.Properties).toEqual({ VersioningConfiguration: { Status: 'Enabled' }, LoggingConfiguration: { DestinationBucketName: { Ref: 'AccessLogsBucket' }, LogFilePrefix: 'B/' } });
    expect(resources.AccessLogsBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
    expect(resources.AccessLogsBucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 7 } });
    expect(resources.AccessLogsBucket.Properties.LoggingConfiguration).toBeUndefined();
    const [grant, deny] = resources.AccessLogsBucketPolicy.Properties.PolicyDocument.Statement;
    expect(grant.Condition.ArnLike['aws:SourceArn']).toEqual([{ 'Fn::GetAtt': ['A', 'Arn'] }, { 'Fn::GetAtt': ['B', 'Arn'] }]);
    // The TLS deny in the form Control Tower's CT.S3.PR.8 recognises (a Join, not a Sub, for the objects).
    expect(deny).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [{ 'Fn::GetAtt': ['AccessLogsBucket', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['AccessLogsBucket', 'Arn'] }, '/*']] }],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expectIdempotent(ID, r);
  });

  it('adds a bucket created later to the log policy aws:SourceArn list, and never logs the log bucket', () => {
    const once = runTransform(ID, { Resources: { A: bucket() } });
    const later = { ...once.template, Resources: { ...once.template.Resources, B: bucket() } };
    const twice = runTransform(ID, later);
    expect(twice.ids).toEqual(['noLoggingGrant', 'noAccessLogging']);
    const policy = twice.template.Resources.AccessLogsBucketPolicy;
    expect(policy.Properties.PolicyDocument.Statement[0].Condition.ArnLike['aws:SourceArn']).toEqual([{ 'Fn::GetAtt': ['A', 'Arn'] }, { 'Fn::GetAtt': ['B', 'Arn'] }]);
    expect(Object.keys(twice.template.Resources).filter((id) => id.startsWith('AccessLogsBucket'))).toEqual(['AccessLogsBucket', 'AccessLogsBucketPolicy']);
    expectIdempotent(ID, twice);
  });

  it('uses S3AccessLogsBucket when AccessLogsBucket names something else', () => {
    const r = runTransform(ID, { Resources: { AccessLogsBucket: { Type: 'AWS::SNS::Topic' }, A: bucket() } });
    expect(r.template.Resources.S3AccessLogsBucket.Type).toBe('AWS::S3::Bucket');
    expect(r.template.Resources.S3AccessLogsBucketPolicy.Properties.Bucket).toEqual({ Ref: 'S3AccessLogsBucket' });
  });

  it('reuses the bucket others already log into, and grants it in the policy it has', () => {
    const r = runTransform(ID, {
      Resources: {
        Logs: bucket(),
        LogsPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Logs' }, PolicyDocument: { Statement: [] } } },
        Old: bucket({ LoggingConfiguration: { DestinationBucketName: { Ref: 'Logs' }, LogFilePrefix: 'old/' } }),
        New: bucket(),
      },
    });
    expect(r.ids).toEqual(['noLoggingGrant', 'noAccessLogging']);
    expect(r.template.Resources.AccessLogsBucket).toBeUndefined();
    expect(r.template.Resources.New.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: 'Logs' });
    const [grant] = r.template.Resources.LogsPolicy.Properties.PolicyDocument.Statement;
    expect(grant).toMatchObject({ Principal: { Service: 'logging.s3.amazonaws.com' }, Resource: { 'Fn::Sub': '${Logs.Arn}/*' } });
    expect(grant.Condition.ArnLike['aws:SourceArn']).toEqual([{ 'Fn::GetAtt': ['Old', 'Arn'] }, { 'Fn::GetAtt': ['New', 'Arn'] }]);
    expectIdempotent(ID, r);
  });

  it('gives a reused log bucket without a policy one with the grant and the TLS deny', () => {
    const r = runTransform(ID, { Resources: { Logs: bucket(), Old: bucket({ LoggingConfiguration: { DestinationBucketName: { Ref: 'Logs' } } }) } });
    expect(r.ids).toEqual(['noLoggingGrant']);
    const statements = r.template.Resources.LogsPolicy.Properties.PolicyDocument.Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(['AllowS3ServerAccessLogs', 'DenyInsecureTransport']);
    expect(statements[1].Resource[1]).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Logs', 'Arn'] }, '/*']] });
  });

  it('reports a log bucket whose policy it cannot extend', () => {
    const r = runTransform(ID, {
      Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
      Resources: {
        Logs: bucket(),
        LogsPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Logs' }, PolicyDocument: { 'Fn::If': ['C', {}, {}] } } },
        Old: bucket({ LoggingConfiguration: { DestinationBucketName: { Ref: 'Logs' } } }),
      },
    });
    expect(r.ids).toEqual(['logPolicyNotEditable']);
    expect(r.changed).toBe(false);
  });

  it('moves a bucket that logs into itself or into the CloudTrail bucket, keeping its prefix', () => {
    const r = runTransform(ID, {
      Resources: {
        Self: bucket({ LoggingConfiguration: { LogFilePrefix: 'self/' } }),
        Audit: bucket(),
        Data: bucket({ LoggingConfiguration: { DestinationBucketName: { Ref: 'Audit' } } }),
        Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { IsLogging: true, S3BucketName: { Ref: 'Audit' } } },
      },
    });
    expect(r.ids).toEqual(['addLogBucket', 'logsIntoItself', 'noAccessLogging', 'logsIntoTrailBucket']);
    expect(r.template.Resources.Self.Properties.LoggingConfiguration).toEqual({ LogFilePrefix: 'self/', DestinationBucketName: { Ref: 'AccessLogsBucket' } });
    expect(r.template.Resources.Data.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: 'AccessLogsBucket' }, LogFilePrefix: 'Data/' });
    // The audit trail's bucket gets access logging too.
    expect(r.template.Resources.Audit.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: 'AccessLogsBucket' });
    expectIdempotent(ID, r);
  });

  it('creates nothing when every bucket that needs logging opts out', () => {
    const r = runTransform(ID, { Resources: { A: bucket(undefined, { Metadata: { tapfix: { skip: ['all'] } } }) } });
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('leaves buckets logging into a bucket outside the template alone', () => {
    const r = runTransform(ID, { Resources: { A: bucket({ LoggingConfiguration: { DestinationBucketName: { 'Fn::ImportValue': 'logs' } } }) } });
    expect(r.findings).toEqual([]);
  });
});

describe('s3-access-logging log bucket encryption', () => {
  it('moves an SSE-KMS load balancer log bucket to SSE-S3 even when no bucket needs logging, as an unsafe fix', () => {
    const t = { Resources: { AlbLogs: bucket({ BucketEncryption: kms }), Alb: alb('AlbLogs') } };
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['kmsLogBucket']);
    expect(r.findings[0]!.safety).toBe('unsafe');
    expect(r.template.Resources.AlbLogs.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(runTransform(ID, t, { unsafe: false }).findings[0]!.fix).toBe('held');
  });

  it('moves an SSE-KMS access-log bucket to SSE-S3, dropping its key', () => {
    const r = runTransform(ID, {
      Resources: {
        Key: { Type: 'AWS::KMS::Key' },
        Logs: bucket({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { Ref: 'Key' } } }] } }),
        LogsPolicy: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: {
            Bucket: { Ref: 'Logs' },
            PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: { 'Fn::Sub': '${Logs.Arn}/*' } }] },
          },
        },
      },
    });
    expect(r.ids).toEqual(['kmsLogBucket']);
    expect(r.template.Resources.Logs.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
  });
});

describe('s3-access-logging on a LogDeliveryWrite bucket', () => {
  const elbBucket = (props: Record<string, unknown>) => ({ Resources: { AlbLogs: bucket({ AccessControl: 'LogDeliveryWrite', ...props }), Alb: alb('AlbLogs') } });

  it('drops the ACL on a load balancer log bucket and enforces the bucket owner: ELB delivers through the bucket policy', () => {
    const r = runTransform(ID, elbBucket({}));
    expect(r.ids).toEqual(['logDeliveryAclUnneeded']);
    expect(r.template.Resources.AlbLogs.Properties).toEqual({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
    // It is a load balancer log bucket, not an access-log bucket: no bucket is pointed at it, none is created.
    expect(r.template.Resources.AccessLogsBucket).toBeUndefined();
    expectIdempotent(ID, r);
  });

  it('keeps the ACL, with ACLs enabled, on a load balancer log bucket that CloudFront also logs into', () => {
    const t = elbBucket({});
    const r = runTransform(ID, {
      Resources: {
        ...t.Resources,
        Cdn: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Logging: { Bucket: { 'Fn::GetAtt': ['AlbLogs', 'DomainName'] } } } } },
      },
    });
    expect(r.ids).toEqual(['logDeliveryAclWithoutAcls']);
    expect(r.template.Resources.AlbLogs.Properties).toEqual({ AccessControl: 'LogDeliveryWrite', OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } });
  });

  it('enables ACLs in the one ownership rule a bucket has, and reports rules it cannot read', () => {
    const cdn = (b: string) => ({ Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Logging: { Bucket: { 'Fn::GetAtt': [b, 'DomainName'] } } } } });
    const r = runTransform(ID, {
      Resources: {
        One: bucket({ AccessControl: 'LogDeliveryWrite', OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }),
        Odd: bucket({ AccessControl: 'LogDeliveryWrite', OwnershipControls: { Rules: { 'Fn::If': ['C', [], []] } } }),
        CdnOne: cdn('One'),
        CdnOdd: cdn('Odd'),
      },
    });
    expect(r.ids).toEqual(['logDeliveryAclWithoutAcls', 'logDeliveryAclWithoutAcls']);
    expect(r.findings.map((f) => f.fix)).toEqual(['applied', 'none']);
    expect(r.template.Resources.One.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerPreferred' }]);
  });
});
