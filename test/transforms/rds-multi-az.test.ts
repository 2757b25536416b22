import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform, transformById } from '../harness.js';

const instance = (props: Record<string, unknown>) => ({ Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.m6g.large', ...props } } } });

describe('rds-multi-az', () => {
  it('is off by default (it doubles the cost)', () => {
    expect(transformById('rds-multi-az').meta.enabledByDefault).toBe(false);
  });

  it('turns Multi-AZ on for standalone instances', () => {
    const r = runTransform('rds-multi-az', instance({ Engine: 'oracle-se2-cdb' }));
    expect(r.ids).toEqual(['singleAz']);
    expect(r.template.Resources.Db.Properties.MultiAZ).toBe(true);
    expectIdempotent('rds-multi-az', r);
  });

  it('reports an explicit false and a pinned Availability Zone', () => {
    const r = runTransform('rds-multi-az', {
      Resources: {
        A: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', MultiAZ: 'false' } },
        B: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', AvailabilityZone: 'eu-west-1a' } },
      },
    });
    expect(r.ids).toEqual(['singleAzByChoice', 'zonePinned']);
    expect(r.changed).toBe(false);
  });

  it('leaves Aurora, members, replicas, single-AZ editions and computed values alone', () => {
    for (const props of [
      { Engine: 'aurora-mysql', DBClusterIdentifier: { Ref: 'C' } },
      { Engine: 'mysql', DBClusterIdentifier: 'multi-az-cluster' },
      { Engine: 'mysql', SourceDBInstanceIdentifier: 'primary' },
      { Engine: 'sqlserver-ex' },
      { Engine: 'sqlserver-web' },
      { Engine: 'mysql', MultiAZ: { 'Fn::If': ['Prod', true, false] } },
      { Engine: 'custom-oracle-ee' },
    ]) {
      const r = runTransform('rds-multi-az', instance(props));
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });
});
