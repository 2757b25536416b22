import { describe, expect, it } from 'vitest';
import { anonymousOriginBuckets } from '../../src/cfn/cloudfront.js';
import { expectIdempotent, runTransform } from '../harness.js';

const all = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
const bucket = (props?: unknown, extra: Record<string, unknown> = {}) => ({
  Resources: { B: { Type: 'AWS::S3::Bucket', ...(props === undefined ? {} : { Properties: props }) }, ...extra },
});
const policy = (statement: Record<string, unknown>) => ({
  P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...statement }] } } },
});
const distribution = (origin: Record<string, unknown>) => ({
  D: {
    Type: 'AWS::CloudFront::Distribution',
    Properties: { DistributionConfig: { Enabled: true, Origins: [{ Id: 'o', ...origin }], DefaultCacheBehavior: { TargetOriginId: 'o', ViewerProtocolPolicy: 'https-only' } } },
  },
});

describe('s3-block-public-access', () => {
  it('blocks public access on a private bucket, and completes a partial configuration', () => {
    const r = runTransform('s3-block-public-access', bucket(), { unsafe: false });
    expect(r.ids).toEqual(['publicAccessNotBlocked']);
    expect(r.findings[0]!.fix).toBe('applied');
    expect(r.template.Resources.B.Properties.PublicAccessBlockConfiguration).toEqual(all);
    expectIdempotent('s3-block-public-access', r);
    const partial = runTransform('s3-block-public-access', bucket({ PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    expect(partial.template.Resources.B.Properties.PublicAccessBlockConfiguration).toEqual({ IgnorePublicAcls: true, BlockPublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  });

  it('reports buckets that are public on purpose', () => {
    for (const t of [
      bucket({ WebsiteConfiguration: { IndexDocument: 'index.html' } }),
      bucket({ AccessControl: 'PublicRead' }),
      bucket({ AccessControl: 'AuthenticatedRead' }),
      bucket(undefined, policy({ Principal: '*' })),
      bucket(undefined, policy({ Principal: { AWS: '*' }, Condition: { StringLike: { 'aws:Referer': 'https://example.com/*' } } })),
      bucket(undefined, { P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { 'Fn::If': ['C', {}, {}] } } } }),
      bucket(undefined, distribution({ DomainName: { 'Fn::GetAtt': ['B', 'RegionalDomainName'] }, S3OriginConfig: {} })),
      bucket(undefined, distribution({ DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['B', 'WebsiteURL'] }] }] }, CustomOriginConfig: { OriginProtocolPolicy: 'http-only' } })),
      bucket(undefined, distribution({ DomainName: { 'Fn::Sub': '${B}.s3-website-${AWS::Region}.amazonaws.com' }, CustomOriginConfig: { OriginProtocolPolicy: 'http-only' } })),
    ]) {
      const r = runTransform('s3-block-public-access', t);
      expect(r.ids).toEqual(['publicBucket']);
      expect(r.changed).toBe(false);
    }
  });

  it('blocks buckets read through OAC/OAI, service grants, and policies limited by a fixing condition', () => {
    for (const t of [
      bucket(undefined, distribution({ DomainName: { 'Fn::GetAtt': ['B', 'RegionalDomainName'] }, OriginAccessControlId: { Ref: 'Oac' }, S3OriginConfig: { OriginAccessIdentity: '' } })),
      bucket(undefined, distribution({ DomainName: { 'Fn::GetAtt': ['B', 'DomainName'] }, S3OriginConfig: { OriginAccessIdentity: 'origin-access-identity/cloudfront/E123' } })),
      bucket(undefined, policy({ Principal: { Service: 'cloudfront.amazonaws.com' } })),
      bucket(undefined, policy({ Principal: '*', Condition: { StringEquals: { 'AWS:SourceAccount': '111111111111' } } })),
      bucket({ AccessControl: 'LogDeliveryWrite' }),
    ]) {
      const r = runTransform('s3-block-public-access', t);
      expect(r.ids).toEqual(['publicAccessNotBlocked']);
      expect(r.template.Resources.B.Properties.PublicAccessBlockConfiguration).toEqual(all);
    }
  });

  it('finds anonymous CloudFront origins only', () => {
    const t = bucket(undefined, distribution({ DomainName: { 'Fn::GetAtt': ['B', 'RegionalDomainName'] } }));
    expect([...anonymousOriginBuckets(t as never)]).toEqual([['B', ['D']]]);
    const oac = bucket(undefined, distribution({ DomainName: { 'Fn::GetAtt': ['B', 'RegionalDomainName'] }, OriginAccessControlId: 'E1' }));
    expect(anonymousOriginBuckets(oac as never).size).toBe(0);
  });

  it('reports explicit false flags and leaves computed settings alone', () => {
    const off = runTransform('s3-block-public-access', bucket({ PublicAccessBlockConfiguration: { ...all, RestrictPublicBuckets: false } }));
    expect(off.ids).toEqual(['publicAccessAllowed']);
    expect(off.changed).toBe(false);
    for (const t of [bucket({ PublicAccessBlockConfiguration: { 'Fn::If': ['C', all, { Ref: 'AWS::NoValue' }] } }), bucket({ 'Fn::If': ['C', {}, {}] }), bucket({ PublicAccessBlockConfiguration: all })]) {
      const r = runTransform('s3-block-public-access', t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('marks the fix unsafe when software may set object ACLs on the bucket', () => {
    const role = {
      Type: 'AWS::IAM::Role',
      Properties: { Policies: [{ PolicyName: 'up', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: { 'Fn::Sub': '${B.Arn}/*' } }] } }] },
    };
    const r = runTransform('s3-block-public-access', bucket(undefined, { Uploader: role }), { unsafe: false });
    expect(r.ids).toEqual(['publicAccessNotBlocked']);
    expect(r.findings[0]!.fix).toBe('held');
    expect(r.findings[0]!.message).toContain('Uploader');
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  B: # data', '    Type: AWS::S3::Bucket', '    Properties:', '      BucketName: data # fixed', ''].join('\n');
    const r = runTransform('s3-block-public-access', yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + '      PublicAccessBlockConfiguration:\n        BlockPublicAcls: true\n        BlockPublicPolicy: true\n        IgnorePublicAcls: true\n        RestrictPublicBuckets: true\n');
  });
});
