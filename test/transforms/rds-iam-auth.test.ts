import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const db = (type: 'DBInstance' | 'DBCluster', props: Record<string, unknown>) => ({ Type: `AWS::RDS::${type}`, Properties: props });

describe('rds-iam-auth', () => {
  it('turns IAM authentication on for instances and Aurora clusters', () => {
    const r = runTransform('rds-iam-auth', {
      Resources: {
        My: db('DBInstance', { Engine: 'mysql' }),
        Maria: db('DBInstance', { Engine: 'mariadb', EngineVersion: '10.11.8' }),
        Pg: db('DBCluster', { Engine: 'aurora-postgresql' }),
      },
    });
    expect(r.ids).toEqual(['noIamAuth', 'noIamAuth', 'noIamAuth']);
    for (const id of ['My', 'Maria', 'Pg']) expect(r.template.Resources[id].Properties.EnableIAMDatabaseAuthentication).toBe(true);
    expectIdempotent('rds-iam-auth', r);
  });

  it('reports an explicit false, as a boolean or a string', () => {
    const r = runTransform('rds-iam-auth', {
      Resources: { A: db('DBInstance', { Engine: 'postgres', EnableIAMDatabaseAuthentication: false }), B: db('DBCluster', { Engine: 'aurora-mysql', EnableIAMDatabaseAuthentication: 'False' }) },
    });
    expect(r.ids).toEqual(['iamAuthOff', 'iamAuthOff']);
    expect(r.changed).toBe(false);
  });

  it('leaves unsupported engines, versions, members and computed values alone', () => {
    for (const resource of [
      db('DBInstance', { Engine: 'oracle-ee' }),
      db('DBInstance', { Engine: 'sqlserver-ex' }),
      db('DBInstance', { Engine: 'mariadb', EngineVersion: '10.5.25' }),
      db('DBInstance', { Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: 'C' } }),
      db('DBInstance', { Engine: 'postgres', DBClusterIdentifier: 'multi-az' }),
      db('DBCluster', { Engine: 'aurora-mysql', EngineMode: 'serverless' }),
      db('DBCluster', { Engine: 'postgres' }),
      db('DBInstance', { Engine: 'mysql', EnableIAMDatabaseAuthentication: { Ref: 'UseIam' } }),
      db('DBInstance', { Engine: { 'Fn::If': ['C', 'mysql', 'oracle-ee'] } }),
    ]) {
      const r = runTransform('rds-iam-auth', { Resources: { Db: resource } });
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('keeps YAML comments', () => {
    const yaml = ['Resources:', '  Db: # orders', '    Type: AWS::RDS::DBInstance', '    Properties:', "      Engine: 'postgres'", ''].join('\n');
    const r = runTransform('rds-iam-auth', yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + '      EnableIAMDatabaseAuthentication: true\n');
  });
});
