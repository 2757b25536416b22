import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const db = (type: 'DBInstance' | 'DBCluster', props: Record<string, unknown>) => ({ Type: `AWS::RDS::${type}`, Properties: props });

describe('rds-deletion-protection', () => {
  it('protects standalone instances and every cluster, whatever its engine', () => {
    const r = runTransform('rds-deletion-protection', {
      Resources: {
        Sql: db('DBInstance', { Engine: 'sqlserver-web' }),
        Any: db('DBCluster', { Engine: { Ref: 'Engine' } }),
        Bare: { Type: 'AWS::RDS::DBCluster' },
      },
      Parameters: { Engine: { Type: 'String' } },
    });
    expect(r.ids).toEqual(['noDeletionProtection', 'noDeletionProtection']);
    expect(r.template.Resources.Sql.Properties.DeletionProtection).toBe(true);
    expect(r.template.Resources.Any.Properties.DeletionProtection).toBe(true);
    expectIdempotent('rds-deletion-protection', r);
  });

  it('reports an explicit false', () => {
    const r = runTransform('rds-deletion-protection', { Resources: { Db: db('DBCluster', { Engine: 'aurora-mysql', DeletionProtection: false }) } });
    expect(r.ids).toEqual(['deletionProtectionOff']);
    expect(r.changed).toBe(false);
  });

  it('leaves members, unknown instance engines and computed values alone', () => {
    for (const resource of [
      db('DBInstance', { Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: 'C' } }),
      db('DBInstance', { Engine: { Ref: 'AWS::NoValue' } }),
      db('DBInstance', { Engine: 'mysql', DeletionProtection: { 'Fn::If': ['Prod', true, false] } }),
      db('DBCluster', { Engine: 'aurora-mysql', DeletionProtection: { Ref: 'Protect' } }),
      { Type: 'AWS::RDS::DBCluster', Properties: { 'Fn::If': ['C', {}, {}] } },
    ]) {
      const r = runTransform('rds-deletion-protection', { Resources: { Db: resource } });
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('keeps YAML layout', () => {
    const yaml = ['Resources:', '  Db:', '    Type: AWS::RDS::DBInstance', '    Properties: {Engine: postgres, DBInstanceClass: db.t3.micro}', ''].join('\n');
    const r = runTransform('rds-deletion-protection', yaml, { format: 'yaml' });
    expect(r.template.Resources.Db.Properties.DeletionProtection).toBe(true);
    expect(r.output).toContain('{Engine: postgres, DBInstanceClass: db.t3.micro, DeletionProtection: true}');
  });
});
