import { describe, expect, it } from 'vitest';
import transform from '../../transforms/account-id-pseudo.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { JsonObject, JsonValue, Template } from '../../src/types.js';

const run = (t: JsonObject, options: Record<string, unknown> = {}) =>
  transform.check({ template: deepFreeze(t) as unknown as Template, options, region: undefined, filePath: undefined, format: 'json' });

const withProps = (props: JsonObject): JsonObject => ({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: props } } });
const values = (t: JsonObject, options?: Record<string, unknown>) => run(t, options).flatMap((f) => (f.fix?.ops ?? []).map((o) => ('value' in o ? o.value : undefined)));

describe('account-id-pseudo', () => {
  it('rewrites an ARN account and the partition in a plain string', () => {
    expect(values(withProps({ A: 'arn:aws:iam::210987654321:role/x' }))).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x' }]);
  });

  it('escapes a literal ${ when it wraps a string in Fn::Sub', () => {
    expect(values(withProps({ A: 'arn:aws:iam::210987654321:user/${aws:username}' }))).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/${!aws:username}' },
    ]);
  });

  it('edits an Fn::Sub in place without touching its variables', () => {
    expect(values(withProps({ A: { 'Fn::Sub': ['arn:aws:sqs:${AWS::Region}:210987654321:q-${Key}', { Key: 'k' }] } }))).toEqual([
      'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q-${Key}',
    ]);
  });

  it('uses Ref for a bare id in an account position', () => {
    const t = withProps({ Principal: { AWS: '210987654321' }, Condition: { StringEquals: { 'aws:SourceAccount': ['210987654321'] } } });
    expect(values(t)).toEqual([{ Ref: 'AWS::AccountId' }, { Ref: 'AWS::AccountId' }]);
  });

  it('does not count a bare 12-digit number elsewhere as an account', () => {
    expect(run(withProps({ Name: 'build-210987654321', Count: '210987654321' }))).toEqual([]);
  });

  it('ignores published layer accounts and ELB accounts', () => {
    const t = withProps({
      Layers: ['arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:38'],
      Principal: { AWS: 'arn:aws:iam::127311923021:root' },
    });
    expect(run(t)).toEqual([]);
  });

  it('rewrites the own account in a layer ARN', () => {
    const t = withProps({ Role: 'arn:aws:iam::210987654321:role/x', Layers: ['arn:aws:lambda:us-east-1:210987654321:layer:mine:1'] });
    expect(values(t)).toHaveLength(2);
  });

  it('leaves resource ids and longer numbers alone', () => {
    const t = withProps({ Role: 'arn:aws:iam::210987654321:role/x', Snap: 'snap-210987654321', Long: '2109876543210', Glued: 'x210987654321' });
    expect(run(t).map((f) => f.pointer)).toEqual(['/Resources/R/Properties/Role']);
  });

  it('reports several accounts without fixing, unless the accounts option names them', () => {
    const t = withProps({ A: 'arn:aws:iam::210987654321:root', B: 'arn:aws:sns:us-east-1:135792468013:t' });
    const findings = run(t);
    expect(findings).toHaveLength(2);
    expect(findings.every((f) => f.fix === undefined)).toBe(true);
    expect(run(t, { accounts: ['135792468013'] }).map((f) => f.pointer)).toEqual(['/Resources/R/Properties/B']);
    expect(run(t, { accounts: [] })).toEqual([]);
  });

  it('leaves Parameters, Mappings and intrinsic arguments alone', () => {
    const t: JsonObject = {
      Parameters: { P: { Type: 'String', Default: 'arn:aws:iam::210987654321:root' } },
      Mappings: { M: { a: { b: 'arn:aws:iam::210987654321:root' } } },
      Resources: { R: { Type: 'AWS::IAM::Role', Properties: { X: { 'Fn::ImportValue': 'arn:aws:iam::210987654321:root' } } } },
    };
    expect(run(t)).toEqual([]);
  });

  it('handles Join parts and YAML numbers', () => {
    const t = withProps({
      Principal: { AWS: [210987654321 as unknown as JsonValue, { 'Fn::Join': ['', ['arn:aws:iam::', '210987654321', ':root']] }] },
    });
    expect(run(t).flatMap((f) => f.fix!.ops)).toEqual([
      { op: 'replace', path: '/Resources/R/Properties/Principal/AWS/0', value: { Ref: 'AWS::AccountId' } },
      { op: 'replace', path: '/Resources/R/Properties/Principal/AWS/1/Fn::Join/1/1', value: { Ref: 'AWS::AccountId' } },
    ]);
  });
});
