import { describe, expect, it } from 'vitest';
import { optionProblems } from '../../src/engine/config.js';
import { expectIdempotent, runTransform, transformById } from '../harness.js';

const instance = (props: Record<string, unknown>) => ({ Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.t3.micro', ...props } } } });

describe('rds-backup-retention', () => {
  it('sets seven days where the default one day applies, and raises short periods', () => {
    const missing = runTransform('rds-backup-retention', instance({ Engine: 'mysql' }));
    expect(missing.ids).toEqual(['defaultRetention']);
    expect(missing.template.Resources.Db.Properties.BackupRetentionPeriod).toBe(7);
    expectIdempotent('rds-backup-retention', missing);
    const short = runTransform('rds-backup-retention', instance({ Engine: 'postgres', BackupRetentionPeriod: '2' }), { options: { days: 35 } });
    expect(short.ids).toEqual(['shortRetention']);
    expect(short.template.Resources.Db.Properties.BackupRetentionPeriod).toBe(35);
  });

  it('turns a long enough period written as text into a number', () => {
    const r = runTransform('rds-backup-retention', instance({ Engine: 'mysql', BackupRetentionPeriod: '10' }));
    expect(r.ids).toEqual(['numberAsText']);
    expect(r.template.Resources.Db.Properties.BackupRetentionPeriod).toBe(10);
  });

  it('reports backups turned off', () => {
    const r = runTransform('rds-backup-retention', instance({ Engine: 'mysql', BackupRetentionPeriod: 0 }));
    expect(r.ids).toEqual(['backupsOff']);
    expect(r.changed).toBe(false);
  });

  it('leaves members, replicas, Aurora, other engines and computed values alone', () => {
    for (const props of [
      { Engine: 'aurora-mysql', DBClusterIdentifier: { Ref: 'C' } },
      { Engine: 'mysql', DBClusterIdentifier: 'multi-az' },
      { Engine: 'mysql', SourceDBInstanceIdentifier: 'primary' },
      { Engine: 'aurora-postgresql' },
      { Engine: 'db2-se' },
      { Engine: 'mysql', BackupRetentionPeriod: { Ref: 'Days' } },
      { Engine: 'mysql', BackupRetentionPeriod: 14 },
    ]) {
      const r = runTransform('rds-backup-retention', instance(props));
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('refuses a days option below the control minimum', () => {
    expect(optionProblems(transformById('rds-backup-retention'), { days: 3 })).toHaveLength(1);
    expect(optionProblems(transformById('rds-backup-retention'), { days: 30 })).toEqual([]);
  });
});
