import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const db = (type: 'DBInstance' | 'DBCluster', props: Record<string, unknown>) => ({ Type: `AWS::RDS::${type}`, Properties: props });

describe('rds-copy-tags-to-snapshot', () => {
  it('copies tags on instances outside clusters and on clusters', () => {
    const r = runTransform('rds-copy-tags-to-snapshot', {
      Resources: {
        Ora: db('DBInstance', { Engine: 'oracle-ee-cdb' }),
        MultiAz: db('DBCluster', { Engine: 'mysql', DBClusterInstanceClass: 'db.m6gd.large' }),
        Aurora: db('DBCluster', { Engine: 'aurora-mysql' }),
      },
    });
    expect(r.ids).toEqual(['noCopyTags', 'noCopyTags', 'noCopyTags']);
    for (const id of ['Ora', 'MultiAz', 'Aurora']) expect(r.template.Resources[id].Properties.CopyTagsToSnapshot).toBe(true);
    expectIdempotent('rds-copy-tags-to-snapshot', r);
  });

  it('reports false, turns the text "true" into the boolean', () => {
    const r = runTransform('rds-copy-tags-to-snapshot', {
      Resources: { Off: db('DBInstance', { Engine: 'mysql', CopyTagsToSnapshot: 'false' }), Text: db('DBInstance', { Engine: 'mysql', CopyTagsToSnapshot: 'True' }) },
    });
    expect(r.ids).toEqual(['copyTagsOff', 'booleanAsText']);
    expect(r.template.Resources.Off.Properties.CopyTagsToSnapshot).toBe('false');
    expect(r.template.Resources.Text.Properties.CopyTagsToSnapshot).toBe(true);
    expectIdempotent('rds-copy-tags-to-snapshot', r);
  });

  it('leaves cluster members, unknown engines and computed values alone', () => {
    for (const resource of [
      db('DBInstance', { Engine: 'aurora-mysql', DBClusterIdentifier: { Ref: 'C' } }),
      db('DBInstance', { Engine: 'aurora-postgresql' }),
      db('DBInstance', { Engine: 'mysql', DBClusterIdentifier: 'multi-az' }),
      db('DBInstance', { Engine: 'custom-oracle-ee' }),
      db('DBInstance', { SourceDBInstanceIdentifier: 'primary' }),
      db('DBCluster', { Engine: { 'Fn::If': ['C', 'aurora-mysql', 'aurora-postgresql'] } }),
      db('DBInstance', { Engine: 'mysql', CopyTagsToSnapshot: { Ref: 'Copy' } }),
    ]) {
      const r = runTransform('rds-copy-tags-to-snapshot', { Resources: { Db: resource } });
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });
});
