import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'account-id-pseudo';
const run = (t: object, options?: Record<string, unknown>) => runTransform(ID, t, options ? { options } : {});
// The values sit in a policy document, a Json property the resource spec does not constrain.
const withProps = (doc: object) => ({ Resources: { R: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc } } } });
const P = '/Resources/R/Properties/PolicyDocument';
const props = (r: ReturnType<typeof run>) => r.template.Resources.R.Properties.PolicyDocument;

describe('account-id-pseudo', () => {
  it('rewrites an ARN account and the partition in a plain string', () => {
    const r = run(withProps({ A: 'arn:aws:iam::210987654321:role/x' }));
    expect(r.ids).toEqual(['hardCodedAccount']);
    expect(props(r).A).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x' });
    expectIdempotent(ID, r);
  });

  it('escapes a literal ${ when it wraps a string in Fn::Sub', () => {
    const r = run(withProps({ A: 'arn:aws:iam::210987654321:user/${aws:username}' }));
    expect(props(r).A).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/${!aws:username}' });
  });

  it('edits an Fn::Sub in place without touching its variables', () => {
    const r = run(withProps({ A: { 'Fn::Sub': ['arn:aws:sqs:${AWS::Region}:210987654321:q-${Key}', { Key: 'k' }] } }));
    expect(r.findings.map((f) => f.pointer)).toEqual([`${P}/A`]);
    expect(props(r).A).toEqual({ 'Fn::Sub': ['arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q-${Key}', { Key: 'k' }] });
  });

  it('uses Ref for a bare id in an account position', () => {
    const r = run(withProps({ Principal: { AWS: '210987654321' }, Condition: { StringEquals: { 'aws:SourceAccount': ['210987654321'] } } }));
    expect(r.ids).toEqual(['hardCodedAccount', 'hardCodedAccount']);
    expect(props(r)).toEqual({ Principal: { AWS: { Ref: 'AWS::AccountId' } }, Condition: { StringEquals: { 'aws:SourceAccount': [{ Ref: 'AWS::AccountId' }] } } });
  });

  it('does not count a bare 12-digit number elsewhere as an account', () => {
    const r = run(withProps({ Name: 'build-210987654321', Count: '210987654321' }));
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('ignores published layer accounts and ELB accounts', () => {
    const r = run(
      withProps({
        Layers: ['arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:38'],
        Principal: { AWS: 'arn:aws:iam::127311923021:root' },
      }),
    );
    expect(r.findings).toEqual([]);
  });

  it('rewrites the own account in a layer ARN', () => {
    const r = run(withProps({ Role: 'arn:aws:iam::210987654321:role/x', Layers: ['arn:aws:lambda:us-east-1:210987654321:layer:mine:1'] }));
    expect(r.ids).toEqual(['hardCodedAccount', 'hardCodedAccount']);
    expect(props(r).Layers).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:us-east-1:${AWS::AccountId}:layer:mine:1' }]);
  });

  it('leaves resource ids and longer numbers alone', () => {
    const r = run(withProps({ Role: 'arn:aws:iam::210987654321:role/x', Snap: 'snap-210987654321', Long: '2109876543210', Glued: 'x210987654321' }));
    expect(r.findings.map((f) => f.pointer)).toEqual([`${P}/Role`]);
    expect(props(r)).toMatchObject({ Snap: 'snap-210987654321', Long: '2109876543210', Glued: 'x210987654321' });
  });

  it('reports several accounts without fixing, unless the accounts option names them', () => {
    const t = withProps({ A: 'arn:aws:iam::210987654321:root', B: 'arn:aws:sns:us-east-1:135792468013:t' });
    const r = run(t);
    expect(r.ids).toEqual(['severalAccounts', 'severalAccounts']);
    expect(r.findings.every((f) => f.fix === 'none')).toBe(true);
    expect(r.changed).toBe(false);
    const named = run(t, { accounts: ['135792468013'] });
    expect(named.findings.map((f) => f.pointer)).toEqual([`${P}/B`]);
    expect(props(named)).toEqual({ A: 'arn:aws:iam::210987654321:root', B: { 'Fn::Sub': 'arn:${AWS::Partition}:sns:us-east-1:${AWS::AccountId}:t' } });
    expect(run(t, { accounts: [] }).findings).toEqual([]);
  });

  it('leaves Parameters, Mappings and intrinsic arguments alone', () => {
    const r = run({
      Parameters: { P: { Type: 'String', Default: 'arn:aws:iam::210987654321:root' } },
      Mappings: { M: { a: { b: 'arn:aws:iam::210987654321:root' } } },
      Resources: { R: { Type: 'AWS::IAM::Role', Properties: { X: { 'Fn::ImportValue': 'arn:aws:iam::210987654321:root' } } } },
    });
    expect(r.findings).toEqual([]);
  });

  it('handles Join parts and YAML numbers', () => {
    const r = run(withProps({ Principal: { AWS: [210987654321, { 'Fn::Join': ['', ['arn:aws:iam::', '210987654321', ':root']] }] } }));
    expect(r.result.operations).toEqual([
      { op: 'replace', path: `${P}/Principal/AWS/0`, value: { Ref: 'AWS::AccountId' } },
      { op: 'replace', path: `${P}/Principal/AWS/1/Fn::Join/1/1`, value: { Ref: 'AWS::AccountId' } },
    ]);
    const yaml = runTransform(ID, 'Resources:\n  R:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Principal:\n          AWS: 210987654321\n', { format: 'yaml' });
    expect(props(yaml).Principal.AWS).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('rewrites output values and exports, and Fn::If branches in their context', () => {
    const r = run({
      Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
      ...withProps({ Principal: { AWS: { 'Fn::If': ['C', '210987654321', { Ref: 'AWS::NoValue' }] } } }),
      Outputs: { O: { Value: 'arn:aws:iam::210987654321:root', Export: { Name: 'x-210987654321' } } },
    });
    expect(r.findings.map((f) => f.pointer)).toEqual([
      `${P}/Principal/AWS/Fn::If/1`,
      '/Outputs/O/Value',
      '/Outputs/O/Export/Name',
    ]);
    expect(r.template.Outputs.O).toEqual({
      Value: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
      Export: { Name: { 'Fn::Sub': 'x-${AWS::AccountId}' } },
    });
  });
});
