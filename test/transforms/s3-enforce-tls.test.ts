import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 's3-enforce-tls';
const bucket = (extra: Record<string, unknown> = {}) => ({ Type: 'AWS::S3::Bucket', ...extra });
const policy = (statement: unknown, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::S3::BucketPolicy',
  ...extra,
  Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Statement: statement } },
});
const deny = (sid: string, b = 'B') => ({
  Sid: sid,
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  // The form Control Tower's CT.S3.PR.8 recognises: GetAtt, and a Join of it with "/*".
  Resource: [{ 'Fn::GetAtt': [b, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [b, 'Arn'] }, '/*']] }],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

describe('s3-enforce-tls', () => {
  it('gives a bucket without a policy one that denies plain HTTP, with the bucket Condition', () => {
    const r = runTransform(ID, { Conditions: { C: { 'Fn::Equals': ['a', 'a'] } }, Resources: { B: bucket({ Condition: 'C' }) } });
    expect(r.ids).toEqual(['noPolicy']);
    expect(r.template.Resources.BPolicy).toEqual({
      Type: 'AWS::S3::BucketPolicy',
      Condition: 'C',
      Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Version: '2012-10-17', Statement: [deny('DenyInsecureTransport')] } },
    });
    expectIdempotent(ID, r);
  });

  it('gives two new policies distinct ids', () => {
    const r = runTransform(ID, { Resources: { A: bucket(), APolicy: bucket() } });
    expect(r.ids).toEqual(['noPolicy', 'noPolicy']);
    expect(Object.keys(r.template.Resources)).toEqual(['A', 'APolicy', 'APolicy2', 'APolicyPolicy']);
    expect(r.template.Resources.APolicy2.Properties.Bucket).toEqual({ Ref: 'A' });
    expect(r.template.Resources.APolicyPolicy.Properties.Bucket).toEqual({ Ref: 'APolicy' });
  });

  it.each([
    ['a boolean, in lower case', { bool: { 'AWS:SECURETRANSPORT': false } }],
    ['a one-element list', { Bool: { 'aws:SecureTransport': ['false'] } }],
    ['BoolIfExists', { BoolIfExists: { 'aws:SecureTransport': 'false' } }],
  ])('recognises a TLS deny written with %s', (_, condition) => {
    const r = runTransform(ID, { Resources: { B: bucket(), P: policy([{ Effect: 'Deny', Condition: condition }]) } });
    expect(r.findings).toEqual([]);
  });

  it('recognises the deny whatever form its Resource takes (the one written before, the one written now, a literal)', () => {
    for (const resource of [
      [{ 'Fn::GetAtt': ['B', 'Arn'] }, { 'Fn::Sub': '${B.Arn}/*' }],
      [{ 'Fn::GetAtt': ['B', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['B', 'Arn'] }, '/*']] }],
      ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
    ]) {
      const r = runTransform(ID, { Resources: { B: bucket(), P: policy([{ ...deny('Tls'), Resource: resource }]) } });
      expect(r.findings).toEqual([]);
    }
  });

  it('appends to the policy the bucket has when its only condition-bearing statement is an Allow or a Deny of true', () => {
    for (const statement of [
      { Sid: 'DenyInsecureTransport', Effect: 'Allow', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Sid: 'DenyInsecureTransport', Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
    ]) {
      const r = runTransform(ID, { Resources: { B: bucket(), P: policy([statement]) } });
      expect(r.ids).toEqual(['policyWithoutTlsDeny']);
      // The Sid is taken, so the new statement gets the next one.
      expect(r.template.Resources.P.Properties.PolicyDocument.Statement).toEqual([statement, deny('DenyInsecureTransport2')]);
      expectIdempotent(ID, r);
    }
  });

  it('names the bucket by its name when the bucket waits for the policy', () => {
    const r = runTransform(ID, {
      Parameters: { Name: { Type: 'String' } },
      Resources: {
        B: bucket({ DependsOn: 'P', Properties: { BucketName: { Ref: 'Name' } } }),
        P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Name' }, PolicyDocument: { Statement: [] } } },
      },
    });
    expect(r.ids).toEqual(['policyWithoutTlsDeny']);
    expect(r.template.Resources.P.Properties.PolicyDocument.Statement[0].Resource).toEqual([
      { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${BucketName}', { BucketName: { Ref: 'Name' } }] },
      { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${BucketName}/*', { BucketName: { Ref: 'Name' } }] },
    ]);
  });

  it('holds the fix back on a website bucket unless unsafe fixes are on', () => {
    const t = { Resources: { B: bucket({ Properties: { WebsiteConfiguration: { IndexDocument: 'index.html' } } }) } };
    const held = runTransform(ID, t, { unsafe: false });
    expect(held.ids).toEqual(['noPolicy']);
    expect(held.findings[0]!.fix).toBe('held');
    expect(held.changed).toBe(false);
    expect(runTransform(ID, t).findings[0]!.fix).toBe('applied');
  });

  it('reports what it cannot edit safely', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['policyNotEditable', { B: bucket(), P: policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }) }],
      ['policyNotEditable', { B: bucket(), P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { 'Fn::If': ['C', {}, {}] } } } }],
      ['severalPolicies', { B: bucket(), P: policy([]), Q: policy([]) }],
      ['policyConditionDiffers', { B: bucket(), P: policy([], { Condition: 'C' }) }],
      ['policyUnresolved', { B: bucket(), P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { 'Fn::If': ['C', { Ref: 'B' }, 'x'] }, PolicyDocument: { Statement: [] } } } }],
    ];
    for (const [id, resources] of cases) {
      const r = runTransform(ID, { Conditions: { C: { 'Fn::Equals': ['a', 'b'] } }, Resources: resources });
      expect(r.ids).toEqual([id]);
      expect(r.findings[0]!.fix).toBe('none');
      expect(r.changed).toBe(false);
    }
  });

  it('is quiet about several policies that all deny plain HTTP', () => {
    const r = runTransform(ID, { Resources: { B: bucket(), P: policy([deny('A')]), Q: policy([deny('B')]) } });
    expect(r.findings).toEqual([]);
  });

  it('never throws on odd shapes', () => {
    for (const t of [
      { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { 'Fn::If': ['C', {}, {}] } }, P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: null } } } },
      { Resources: { B: bucket(), P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' } } } } },
      { Resources: { B: bucket(), P: policy([null, 1, 'x', { 'Fn::If': ['C', {}, {}] }]) } },
    ]) {
      expect(() => runTransform(ID, t)).not.toThrow();
    }
  });
});
