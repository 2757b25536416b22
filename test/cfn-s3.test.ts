import { describe, expect, it } from 'vitest';
import type { Template } from '../src/types.js';
import { deepFreeze } from '../src/cfn/template.js';
import {
  bucketByArn,
  bucketByDomainName,
  bucketEncryption,
  bucketOfName,
  bucketPoliciesOf,
  bucketPolicyStatements,
  unresolvedPolicies,
} from '../src/cfn/s3.js';

const t = (resources: Record<string, unknown>, parameters?: Record<string, unknown>): Template =>
  deepFreeze({ ...(parameters ? { Parameters: parameters } : {}), Resources: resources }) as unknown as Template;

const buckets = t(
  {
    Data: { Type: 'AWS::S3::Bucket' },
    Logs: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': 'logs-${AWS::AccountId}' } } },
    Named: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'NameParam' } } },
    Literal: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'my-literal-bucket' } },
    Queue: { Type: 'AWS::SQS::Queue' },
  },
  { NameParam: { Type: 'String' } },
);

describe('bucketOfName: the one bucket resolver', () => {
  it('reads a Ref of a bucket in every form resolve() reads', () => {
    expect(bucketOfName(buckets, { Ref: 'Data' })).toBe('Data');
    expect(bucketOfName(buckets, { 'Fn::Sub': '${Data}' })).toBe('Data');
    expect(bucketOfName(buckets, { 'Fn::Sub': '${ Data }' })).toBe('Data');
    // One of the two former resolvers read this one and the other did not: there is one resolver now.
    const joined = { 'Fn::Join': ['', [{ Ref: 'Data' }]] };
    expect(bucketOfName(buckets, joined)).toBe('Data');
  });

  it('never reads a plain string as a reference: "${Data}" outside Fn::Sub is a name', () => {
    expect(bucketOfName(buckets, '${Data}')).toBeUndefined();
    expect(bucketOfName(buckets, '${Data}')).toBeUndefined();
    const dollarNamed = t({ Odd: { Type: 'AWS::S3::Bucket', Properties: { BucketName: '${Data}' } }, Data: { Type: 'AWS::S3::Bucket' } });
    expect(bucketOfName(dollarNamed, '${Data}')).toBe('Odd');
  });

  it('matches a BucketName written in another form that denotes the same string', () => {
    expect(bucketOfName(buckets, { 'Fn::Sub': 'logs-${AWS::AccountId}' })).toBe('Logs');
    expect(bucketOfName(buckets, { 'Fn::Join': ['-', ['logs', { Ref: 'AWS::AccountId' }]] })).toBe('Logs');
    expect(bucketOfName(buckets, 'my-literal-bucket')).toBe('Literal');
    expect(bucketOfName(buckets, { Ref: 'NameParam' })).toBe('Named');
  });

  it('names no bucket for other resources, attributes, unknown values or ambiguous names', () => {
    expect(bucketOfName(buckets, { Ref: 'Queue' })).toBeUndefined();
    expect(bucketOfName(buckets, { 'Fn::GetAtt': ['Data', 'Arn'] })).toBeUndefined();
    expect(bucketOfName(buckets, { 'Fn::ImportValue': 'x' })).toBeUndefined();
    expect(bucketOfName(buckets, undefined)).toBeUndefined();
    expect(bucketOfName(buckets, '')).toBeUndefined();
    const twice = t({ A: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'same' } }, B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'same' } } });
    expect(bucketOfName(twice, 'same')).toBeUndefined();
  });
});

describe('bucketByArn / bucketByDomainName', () => {
  it('reads bucket and object ARNs in GetAtt, Sub and BucketName forms', () => {
    expect(bucketByArn(buckets, { 'Fn::GetAtt': ['Data', 'Arn'] })).toEqual({ bucket: 'Data', objects: false });
    expect(bucketByArn(buckets, { 'Fn::Sub': '${Data.Arn}/*' })).toEqual({ bucket: 'Data', objects: true });
    expect(bucketByArn(buckets, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Data}/logs/*' })).toEqual({ bucket: 'Data', objects: true });
    expect(bucketByArn(buckets, 'arn:aws:s3:::my-literal-bucket')).toEqual({ bucket: 'Literal', objects: false });
    expect(bucketByArn(buckets, { 'Fn::Sub': '${Data.Arn}x' })).toBeUndefined();
    expect(bucketByArn(buckets, { 'Fn::Sub': '${Queue.Arn}' })).toBeUndefined();
  });

  it('reads domain names', () => {
    expect(bucketByDomainName(buckets, { 'Fn::GetAtt': ['Data', 'RegionalDomainName'] })).toBe('Data');
    expect(bucketByDomainName(buckets, { 'Fn::Sub': '${Data}.s3.amazonaws.com' })).toBe('Data');
    expect(bucketByDomainName(buckets, 'my-literal-bucket.s3.eu-west-1.amazonaws.com')).toBe('Literal');
    expect(bucketByDomainName(buckets, 'example.com')).toBeUndefined();
  });
});

describe('bucket encryption and policies', () => {
  const template = t({
    Key: { Type: 'AWS::KMS::Key' },
    Enc: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } }] } } },
    Plain: { Type: 'AWS::S3::Bucket' },
    PolicyA: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Enc' }, PolicyDocument: { Statement: { Effect: 'Deny', Action: 's3:*', Condition: { bool: { 'AWS:SecureTransport': ['false'] } } } } } },
    PolicyB: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { 'Fn::If': ['C', { Ref: 'Plain' }, 'x'] }, PolicyDocument: { Statement: [] } } },
  });

  it('reads the default encryption and the key in the template', () => {
    expect(bucketEncryption(template, template.Resources['Enc'] as never)).toEqual({ state: 'kms', keyId: 'Key', keyRef: { 'Fn::GetAtt': ['Key', 'Arn'] } });
    expect(bucketEncryption(template, template.Resources['Plain'] as never)).toEqual({ state: 'none' });
  });

  it('attaches policies through the one resolver and lists the others', () => {
    expect(bucketPoliciesOf(template, 'Enc').map((e) => [e.id, e.propertiesPointer])).toEqual([['PolicyA', '/Resources/PolicyA/Properties']]);
    expect(bucketPoliciesOf(template, 'Plain')).toEqual([]);
    expect(unresolvedPolicies(template)).toEqual([{ id: 'PolicyB', at: '/Resources/PolicyB/Properties/Bucket' }]);
    expect(bucketPolicyStatements(template, 'Enc')).toEqual([asStatement(template, 'PolicyA')]);
  });
});

function asStatement(template: Template, id: string): Record<string, unknown> {
  return (template.Resources[id] as { Properties: { PolicyDocument: { Statement: Record<string, unknown> } } }).Properties.PolicyDocument.Statement;
}
