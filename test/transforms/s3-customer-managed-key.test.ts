import { describe, expect, it } from 'vitest';
import { createdKeyProperties } from '../../src/cfn/kms.js';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 's3-customer-managed-key';
const aes = { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } };
const kms = (key?: unknown, extra: Record<string, unknown> = {}) => ({
  BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', ...(key === undefined ? {} : { KMSMasterKeyID: key }) }, ...extra }] },
});
const bucket = (properties?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ Type: 'AWS::S3::Bucket', ...extra, ...(properties ? { Properties: properties } : {}) });
const rule = (r: ReturnType<typeof runTransform>, id: string) => r.template.Resources[id].Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
const onKey = (key: string) => ({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] } }, BucketKeyEnabled: true });
const keyStatements = (r: ReturnType<typeof runTransform>, key = 'S3EncryptionKey') => r.template.Resources[key].Properties.KeyPolicy.Statement as Array<Record<string, unknown>>;

describe('s3-customer-managed-key', () => {
  it('adds one retained key with rotation and an alias, and moves every bucket onto it', () => {
    const r = runTransform(ID, { Resources: { A: bucket(aes), B: bucket(), C: bucket(kms(undefined, { BucketKeyEnabled: false })) } });
    expect(r.ids).toEqual(['newKey', 'notCustomerManagedKey', 'notCustomerManagedKey', 'notCustomerManagedKey']);
    const key = r.template.Resources.S3EncryptionKey;
    expect(key).toMatchObject({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    // Built by the one builder of keys tapfix adds: rotation, account root, CT.KMS.PR.3 grant restriction.
    expect(key.Properties).toEqual(createdKeyProperties('Customer managed key for S3 default bucket encryption', []));
    expect(r.template.Resources.S3EncryptionKeyAlias).toEqual({
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: { 'Fn::Sub': 'alias/${AWS::StackName}-s3' }, TargetKeyId: { Ref: 'S3EncryptionKey' } },
    });
    expect(rule(r, 'A')).toEqual(onKey('S3EncryptionKey'));
    expect(rule(r, 'B')).toEqual(onKey('S3EncryptionKey'));
    // An explicit BucketKeyEnabled: false on an aws:kms rule is the author's choice.
    expect(rule(r, 'C')).toEqual({ ...onKey('S3EncryptionKey'), BucketKeyEnabled: false });
    expectIdempotent(ID, r);
  });

  it('names the alias after the aliasName option', () => {
    const r = runTransform(ID, { Resources: { A: bucket() } }, { options: { aliasName: 'alias/${AWS::StackName}-data' } });
    expect(r.template.Resources.S3EncryptionKeyAlias.Properties.AliasName).toEqual({ 'Fn::Sub': 'alias/${AWS::StackName}-data' });
  });

  it('reuses the key it created when a bucket appears later', () => {
    const once = runTransform(ID, { Resources: { A: bucket(aes) } });
    const template = JSON.parse(once.output);
    template.Resources.B = bucket();
    const twice = runTransform(ID, template);
    expect(twice.ids).toEqual(['notCustomerManagedKey']);
    expect(Object.values(twice.template.Resources).filter((r: any) => r.Type === 'AWS::KMS::Key')).toHaveLength(1);
    expect(rule(twice, 'B')).toEqual(onKey('S3EncryptionKey'));
  });

  it('shares the one key the template uses for S3, and creates a new one when it uses several', () => {
    const one = runTransform(ID, { Resources: { K1: { Type: 'AWS::KMS::Key' }, A: bucket(kms({ Ref: 'K1' })), C: bucket(aes) } });
    expect(one.ids).toEqual(['notCustomerManagedKey']);
    expect(rule(one, 'C')).toEqual(onKey('K1'));
    const several = runTransform(ID, {
      Resources: { K1: { Type: 'AWS::KMS::Key' }, K2: { Type: 'AWS::KMS::Key' }, A: bucket(kms({ Ref: 'K1' })), B: bucket(kms({ Ref: 'K2' })), C: bucket(aes), D: bucket() },
    });
    expect(several.ids).toEqual(['newKey', 'notCustomerManagedKey', 'notCustomerManagedKey']);
    expect(rule(several, 'C')).toEqual(onKey('S3EncryptionKey'));
    expect(rule(several, 'D')).toEqual(onKey('S3EncryptionKey'));
  });

  it('does not share a key that is asymmetric, conditional or whose policy does not delegate to IAM', () => {
    for (const key of [
      { Type: 'AWS::KMS::Key', Properties: { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' } },
      { Type: 'AWS::KMS::Key', Properties: { Enabled: false } },
      { Type: 'AWS::KMS::Key', Condition: 'Prod' },
      { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/Admin' }, Action: 'kms:*', Resource: '*' }] } } },
    ]) {
      const r = runTransform(ID, { Conditions: { Prod: { 'Fn::Equals': ['a', 'b'] } }, Resources: { K1: key, A: bucket(kms({ Ref: 'K1' })), C: bucket(aes) } });
      expect(r.ids).toEqual(['newKey', 'notCustomerManagedKey']);
    }
  });

  it('creates no key for buckets that opt out with Metadata tapfix skip', () => {
    const r = runTransform(ID, { Resources: { A: bucket(undefined, { Metadata: { tapfix: { skip: ['s3-customer-managed-key'] } } }) } });
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('leaves computed encryption and properties alone', () => {
    for (const properties of [{ 'Fn::If': ['C', {}, {}] }, { BucketEncryption: { 'Fn::If': ['C', aes.BucketEncryption, { Ref: 'AWS::NoValue' }] } }]) {
      expect(runTransform(ID, { Resources: { A: { Type: 'AWS::S3::Bucket', Properties: properties } } }).changed).toBe(false);
    }
  });

  it('keeps SSE-S3, without a finding, on a bucket whose policy grants the ELB account through a region mapping', () => {
    const t = {
      Mappings: { ElbLogAccounts: { 'us-west-1': { AccountId: '027434742980' } } },
      Resources: {
        Logs: bucket(),
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
    const r = runTransform(ID, t);
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
    // The same bucket without the policy is moved to a customer managed key.
    expect(runTransform(ID, { Resources: { Logs: bucket() } }).ids).toContain('notCustomerManagedKey');
  });

  it('reports a bucket that receives vended logs, and keeps it on SSE-S3', () => {
    const r = runTransform(ID, {
      Resources: {
        Logs: bucket(),
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
        FlowLog: { Type: 'AWS::EC2::FlowLog', Properties: { ResourceId: { Ref: 'Vpc' }, ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 's3', LogDestination: { 'Fn::GetAtt': ['Logs', 'Arn'] } } },
      },
    });
    expect(r.ids).toEqual(['logDestination']);
    expect(r.findings[0]!.severity).toBe('low');
    expect(r.changed).toBe(false);
  });

  it('leaves a bucket whose policy requires AES256 uploads or lets anyone read, with a report', () => {
    const withPolicy = (statement: Record<string, unknown>) => ({
      Resources: { B: bucket(), P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Statement: [statement] } } } },
    });
    for (const statement of [
      { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: '*', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } } },
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: { 'Fn::Sub': '${B.Arn}/*' } },
      { Effect: 'Allow', Principal: { Service: 'firehose.amazonaws.com' }, Action: 's3:*', Resource: { 'Fn::Sub': '${B.Arn}/*' } },
    ]) {
      const r = runTransform(ID, withPolicy(statement));
      expect(r.ids).toEqual(['notMovable']);
      expect(r.findings[0]!.fix).toBe('none');
      expect(r.changed).toBe(false);
    }
    for (const properties of [{ WebsiteConfiguration: { IndexDocument: 'index.html' } }, { AccessControl: 'PublicRead' }, { ReplicationConfiguration: { Role: 'r', Rules: [] } }]) {
      expect(runTransform(ID, { Resources: { B: bucket(properties) } }).ids).toEqual(['notMovable']);
    }
  });

  describe('CloudTrail', () => {
    const trail = { Type: 'AWS::CloudTrail::Trail', Properties: { TrailName: 'audit', IsLogging: true, S3BucketName: { Ref: 'TrailBucket' } } };

    it('grants CloudTrail the new key, scoped to the trail', () => {
      const r = runTransform(ID, { Resources: { TrailBucket: bucket(aes), Trail: trail } });
      expect(r.ids).toEqual(['newKey', 'notCustomerManagedKey']);
      expect(keyStatements(r).find((s) => s['Sid'] === 'AllowCloudTrailToEncryptLogs')?.['Condition']).toEqual({
        StringLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/audit' } },
      });
      // The service statements sit between the account root and the grant restriction.
      expect(keyStatements(r).map((s) => s['Sid'])).toEqual(['EnableIAMPolicies', 'AllowCloudTrailToEncryptLogs', 'AllowCloudTrailToDescribeKey', 'DenyGrantsExceptForAwsResources']);
    });

    it('adds the grant to a template key that already encrypts the trail bucket without it, as a safe fix', () => {
      const r = runTransform(ID, { Resources: { Key: { Type: 'AWS::KMS::Key', Properties: {} }, TrailBucket: bucket(kms({ Ref: 'Key' })), Trail: trail } }, { unsafe: false });
      expect(r.ids).toEqual(['keyLacksServiceGrant']);
      expect(r.findings[0]!.fix).toBe('applied');
      expect(keyStatements(r, 'Key').map((s) => s['Sid'])).toEqual(['EnableIAMPolicies', 'AllowCloudTrailToEncryptLogs', 'AllowCloudTrailToDescribeKey']);
    });

    it('grants a reused key as part of the move, and moves no trail bucket onto a key whose policy cannot be extended', () => {
      const r = runTransform(ID, { Resources: { Key: { Type: 'AWS::KMS::Key' }, Data: bucket(kms({ Ref: 'Key' })), TrailBucket: bucket(aes), Trail: trail } });
      expect(r.ids).toEqual(['keyNeedsServiceGrant', 'notCustomerManagedKey']);
      expect(rule(r, 'TrailBucket')).toEqual(onKey('Key'));
      const root = { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
      const opaque = runTransform(ID, {
        Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
        Resources: {
          Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [root, { 'Fn::If': ['C', root, { Ref: 'AWS::NoValue' }] }] } } },
          Data: bucket(kms({ Ref: 'Key' })),
          TrailBucket: bucket(aes),
          Other: bucket(),
          Trail: trail,
        },
      });
      expect(opaque.ids).toContain('notCustomerManagedKey');
      expect(rule(opaque, 'Other')).toEqual(onKey('Key'));
      const computed = runTransform(ID, {
        Resources: {
          Key: { Type: 'AWS::KMS::Key', Properties: { 'Fn::If': ['C', { EnableKeyRotation: true }, { EnableKeyRotation: false }] } },
          Data: bucket(kms({ Ref: 'Key' })),
          TrailBucket: bucket(aes),
          Trail: trail,
        },
        Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
      });
      // The key's Properties are computed: it can still be shared, but not with the trail bucket.
      expect(computed.ids).toEqual(['keyPolicyNotEditable']);
      expect(computed.changed).toBe(false);
    });
  });

  describe('CloudFront origins', () => {
    const distribution = (domain: unknown, extra: Record<string, unknown> = {}, origin: Record<string, unknown> = { OriginAccessControlId: { Ref: 'OAC' } }) => ({
      Type: 'AWS::CloudFront::Distribution',
      ...extra,
      Properties: { DistributionConfig: { Origins: [{ Id: 'o', DomainName: domain, S3OriginConfig: {}, ...origin }], DefaultCacheBehavior: { TargetOriginId: 'o' } } },
    });
    const oac = { Type: 'AWS::CloudFront::OriginAccessControl', Properties: {} };
    const cloudFrontStatement = (r: ReturnType<typeof runTransform>) => keyStatements(r).find((s) => s['Sid'] === 'AllowCloudFrontOriginAccessControl');

    it('names the distribution when its origin is written from the bucket name, every distribution when it names the bucket', () => {
      const byName = runTransform(ID, {
        Parameters: { Name: { Type: 'String' } },
        Resources: { OAC: oac, B: bucket({ BucketName: { Ref: 'Name' } }), D: distribution({ 'Fn::Sub': '${Name}.s3.amazonaws.com' }) },
      });
      expect(cloudFrontStatement(byName)?.['Condition']).toEqual({ StringEquals: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${D}' } } });
      const byBucket = runTransform(ID, { Resources: { OAC: oac, B: bucket(), D: distribution({ 'Fn::GetAtt': ['B', 'DomainName'] }) } });
      expect(cloudFrontStatement(byBucket)?.['Condition']).toEqual({ ArnLike: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*' } } });
      expect(cloudFrontStatement(byBucket)?.['Action']).toBe('kms:Decrypt');
    });

    it('does not name a distribution the key may exist without', () => {
      const r = runTransform(ID, {
        Conditions: { WithCdn: { 'Fn::Equals': ['a', 'a'] } },
        Resources: { OAC: oac, B: bucket({ BucketName: 'site-bucket' }), D: distribution('site-bucket.s3.amazonaws.com', { Condition: 'WithCdn' }) },
      });
      expect(JSON.stringify(cloudFrontStatement(r)?.['Condition'])).toContain('distribution/*');
    });

    it('leaves a bucket that one origin reads without origin access control', () => {
      const r = runTransform(ID, {
        Resources: {
          OAC: oac,
          B: bucket(),
          D: distribution({ 'Fn::GetAtt': ['B', 'RegionalDomainName'] }),
          Legacy: distribution({ 'Fn::GetAtt': ['B', 'RegionalDomainName'] }, {}, { S3OriginConfig: { OriginAccessIdentity: 'origin-access-identity/cloudfront/E2QWRUHAPOMQZL' } }),
        },
      });
      expect(r.ids).toEqual(['notMovable']);
      expect(r.changed).toBe(false);
    });

    it('reports a bucket on a key defined outside the template', () => {
      const r = runTransform(ID, { Resources: { OAC: oac, B: bucket(kms({ 'Fn::ImportValue': 'shared-key' })), D: distribution({ 'Fn::GetAtt': ['B', 'RegionalDomainName'] }) } });
      expect(r.ids).toEqual(['cloudFrontOutsideKey']);
      expect(r.findings[0]!.severity).toBe('low');
      expect(r.changed).toBe(false);
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
    expect(() => runTransform(ID, odd)).not.toThrow();
  });
});
