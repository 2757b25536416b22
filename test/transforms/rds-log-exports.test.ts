import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const db = (type: 'DBInstance' | 'DBCluster', props: Record<string, unknown>) => ({ Type: `AWS::RDS::${type}`, Properties: props });

describe('rds-log-exports', () => {
  it('exports every log type of the engine', () => {
    const r = runTransform('rds-log-exports', {
      Resources: {
        My: db('DBInstance', { Engine: 'MariaDB' }),
        Express: db('DBInstance', { Engine: 'sqlserver-ex' }),
        Pg: db('DBCluster', { Engine: 'postgres', DBClusterInstanceClass: 'db.m6gd.large' }),
        Aurora: db('DBCluster', { Engine: 'aurora' }),
      },
    });
    expect(r.ids).toEqual(['noLogExports', 'noLogExports', 'noLogExports', 'noLogExports']);
    const exported = (id: string) => r.template.Resources[id].Properties.EnableCloudwatchLogsExports;
    expect(exported('My')).toEqual(['audit', 'error', 'general', 'slowquery']);
    expect(exported('Express')).toEqual(['error']);
    expect(exported('Pg')).toEqual(['postgresql', 'upgrade']);
    expect(exported('Aurora')).toEqual(['audit', 'error', 'general', 'slowquery']);
    expectIdempotent('rds-log-exports', r);
  });

  it('appends the missing types and keeps the author types', () => {
    const r = runTransform('rds-log-exports', { Resources: { Db: db('DBInstance', { Engine: 'postgres', EnableCloudwatchLogsExports: ['iam-db-auth-error', 'upgrade'] }) } });
    expect(r.ids).toEqual(['missingLogTypes']);
    expect(r.template.Resources.Db.Properties.EnableCloudwatchLogsExports).toEqual(['iam-db-auth-error', 'upgrade', 'postgresql']);
    expectIdempotent('rds-log-exports', r);
  });

  it('reports an empty list', () => {
    const r = runTransform('rds-log-exports', { Resources: { Db: db('DBInstance', { Engine: 'mysql', EnableCloudwatchLogsExports: [] }) } });
    expect(r.ids).toEqual(['logExportsOff']);
    expect(r.changed).toBe(false);
  });

  it('leaves cluster members, serverless v1, other engines and computed lists alone', () => {
    for (const resource of [
      db('DBInstance', { Engine: 'aurora-mysql', DBClusterIdentifier: { Ref: 'C' } }),
      db('DBInstance', { Engine: 'mysql', DBClusterIdentifier: 'multi-az' }),
      db('DBCluster', { Engine: 'aurora-mysql', EngineMode: 'serverless' }),
      db('DBInstance', { Engine: 'custom-sqlserver-ee' }),
      db('DBInstance', { Engine: 'db2-se' }),
      db('DBCluster', { Engine: 'neptune' }),
      db('DBInstance', { Engine: 'mysql', EnableCloudwatchLogsExports: { 'Fn::If': ['C', ['error'], []] } }),
      db('DBInstance', { Engine: 'mysql', EnableCloudwatchLogsExports: [{ Ref: 'LogType' }] }),
      db('DBInstance', { Engine: { Ref: 'SqlEngine' } }),
    ]) {
      const r = runTransform('rds-log-exports', {
        Parameters: { SqlEngine: { Type: 'String', Default: 'sqlserver-se', AllowedValues: ['sqlserver-se', 'sqlserver-ex'] } },
        Resources: { Db: resource },
      });
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('keeps a YAML flow list in its style', () => {
    const yaml = [
      'Resources:',
      '  Db:',
      '    Type: AWS::RDS::DBInstance',
      '    Properties:',
      '      Engine: sqlserver-web # licence included',
      '      EnableCloudwatchLogsExports: [error]',
      '',
    ].join('\n');
    const r = runTransform('rds-log-exports', yaml, { format: 'yaml' });
    expect(r.ids).toEqual(['missingLogTypes']);
    expect(r.template.Resources.Db.Properties.EnableCloudwatchLogsExports).toEqual(['error', 'agent']);
    expect(r.output).toContain('# licence included');
    expect(r.output).toContain('EnableCloudwatchLogsExports: [error');
    expectIdempotent('rds-log-exports', r);
  });
});
