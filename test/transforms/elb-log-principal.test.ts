import { describe, expect, it } from 'vitest';
import transform from '../../transforms/elb-log-principal.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { JsonValue, Template } from '../../src/types.js';

function policyWith(principal: JsonValue, extra: Record<string, JsonValue> = {}): Template {
  return deepFreeze({
    ...extra,
    Resources: {
      B: { Type: 'AWS::S3::Bucket' },
      P: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'B' },
          PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: principal, Action: 's3:PutObject', Resource: '*' }] },
        },
      },
    },
  }) as unknown as Template;
}

const run = (t: Template, region?: string) => transform.check({ template: t, options: {}, region, filePath: undefined, format: 'json' });

describe('elb-log-principal', () => {
  it.each([
    ['bare id', '127311923021'],
    ['arn', 'arn:aws:iam::127311923021:root'],
    ['Sub with partition', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::127311923021:root' }],
    ['Join', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::127311923021:root']] }],
    ['Join with colons', { 'Fn::Join': [':', ['arn', 'aws', 'iam', '', '127311923021', 'root']] }],
  ])('recognises the us-east-1 account written as %s', (_, value) => {
    const findings = run(policyWith({ AWS: value as JsonValue }), 'us-west-1');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('critical');
    expect(findings[0]!.message).toBe('account 127311923021 is the ELB account of us-east-1, not us-west-1: access logs will fail to deliver');
  });

  it('leaves the right account of a known region, other accounts and computed principals alone', () => {
    expect(run(policyWith({ AWS: 'arn:aws:iam::027434742980:root' }), 'us-west-1')).toEqual([]);
    expect(run(policyWith({ AWS: 'arn:aws:iam::111122223333:root' }))).toEqual([]);
    expect(run(policyWith({ AWS: { 'Fn::Sub': 'arn:aws:iam::${AccountParam}:root' } }))).toEqual([]);
    expect(run(policyWith('*'))).toEqual([]);
    expect(run(policyWith({ 'Fn::If': ['C', { AWS: '127311923021' }, { Ref: 'AWS::NoValue' }] }))).toEqual([]);
  });

  it('reuses an identical ElbLogAccounts mapping and picks a fresh name for a different one', () => {
    const first = run(policyWith({ AWS: '127311923021' }));
    const add = first[0]!.fix!.ops[0]!;
    expect(add).toMatchObject({ op: 'add', path: '/Mappings' });
    const table = (add as { value: Record<string, JsonValue> }).value['ElbLogAccounts']!;
    const same = run(policyWith({ AWS: '127311923021' }, { Mappings: { ElbLogAccounts: table } }));
    expect(same[0]!.fix!.ops.map((o) => o.op)).toEqual(['replace']);
    const other = run(policyWith({ AWS: '127311923021' }, { Mappings: { ElbLogAccounts: { 'us-east-1': { AccountId: '1' } } } }));
    expect(other[0]!.fix!.ops[0]).toMatchObject({ op: 'add', path: '/Mappings/ElbLogAccounts2' });
  });

  it('never throws on odd shapes', () => {
    const odd: unknown[] = [
      { Resources: { P: { Type: 'AWS::S3::BucketPolicy' } } },
      { Resources: { P: { Type: 'AWS::S3::BucketPolicy', Properties: { PolicyDocument: 'text' } } } },
      { Resources: { P: { Type: 'AWS::S3::BucketPolicy', Properties: { PolicyDocument: { Statement: [null, 1, 'x', { Effect: 'Allow', Principal: { AWS: [null, {}] } }] } } } } },
      { Resources: { P: { Type: 'AWS::S3::BucketPolicy', Properties: { PolicyDocument: { Statement: { Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', 'x'] } } } } } } } },
      { Resources: [] },
      { Resources: { X: null } },
    ];
    for (const t of odd) expect(() => run(deepFreeze(t) as Template, 'us-west-1')).not.toThrow();
  });
});
