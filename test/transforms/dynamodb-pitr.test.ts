import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'dynamodb-pitr';
const KEYS = { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] };
const table = (props: Record<string, unknown>) => ({ Resources: { T: { Type: 'AWS::DynamoDB::Table', Properties: { ...KEYS, ...props } } } });

describe(ID, () => {
  it('turns point-in-time recovery on, safely', () => {
    const r = runTransform(ID, table({ BillingMode: 'PAY_PER_REQUEST' }), { unsafe: false });
    expect(r.ids).toEqual(['noPitr']);
    expect(r.findings[0]!.fix).toBe('applied');
    expect(r.template.Resources.T.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expectIdempotent(ID, r);
  });

  it('completes a specification and turns "true" into the boolean, keeping the recovery period', () => {
    let r = runTransform(ID, table({ PointInTimeRecoverySpecification: { RecoveryPeriodInDays: 14 } }));
    expect(r.ids).toEqual(['noPitr']);
    expect(r.template.Resources.T.Properties.PointInTimeRecoverySpecification).toEqual({ RecoveryPeriodInDays: 14, PointInTimeRecoveryEnabled: true });
    r = runTransform(ID, table({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: 'true' } }));
    expect(r.ids).toEqual(['pitrText']);
    expect(r.template.Resources.T.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('covers every replica of a global table', () => {
    const r = runTransform(ID, {
      Resources: { G: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { ...KEYS, Replicas: [{ Region: 'us-east-1' }, { Region: 'eu-west-1', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }, { 'Fn::If': ['C', { Region: 'x' }, { Ref: 'AWS::NoValue' }] }] } } },
    });
    expect(r.ids).toEqual(['noPitr', 'pitrDisabled']);
    expect(r.template.Resources.G.Properties.Replicas[0]).toEqual({ Region: 'us-east-1', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    expect(r.template.Resources.G.Properties.Replicas[1].PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(false);
    expectIdempotent(ID, r);
  });

  it('reports an explicit false and leaves computed values alone', () => {
    const r = runTransform(ID, table({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }));
    expect(r.ids).toEqual(['pitrDisabled']);
    expect(r.changed).toBe(false);
    for (const t of [
      table({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: { 'Fn::If': ['C', true, false] } } }),
      table({ PointInTimeRecoverySpecification: { 'Fn::If': ['C', { PointInTimeRecoveryEnabled: true }, { Ref: 'AWS::NoValue' }] } }),
      table({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      { Resources: { T: { Type: 'AWS::DynamoDB::Table', Properties: { 'Fn::If': ['C', {}, {}] } } } },
      { Resources: { G: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { ...KEYS, Replicas: { Ref: 'Replicas' } } } } },
    ]) {
      const again = runTransform(ID, t);
      expect(again.findings).toEqual([]);
      expect(again.changed).toBe(false);
    }
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  T:', '    Type: AWS::DynamoDB::Table', '    Properties:', '      BillingMode: PAY_PER_REQUEST # on demand', '      KeySchema: [{AttributeName: id, KeyType: HASH}]', ''].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + '      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n');
  });
});
