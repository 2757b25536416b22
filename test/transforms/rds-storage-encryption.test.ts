import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const db = (type: 'DBInstance' | 'DBCluster', props: Record<string, unknown>) => ({ Type: `AWS::RDS::${type}`, Properties: props });

describe('rds-storage-encryption', () => {
  it('encrypts instances with one retained stack key, as an unsafe fix', () => {
    const r = runTransform('rds-storage-encryption', {
      Resources: { A: db('DBInstance', { Engine: 'mysql' }), B: db('DBInstance', { Engine: 'sqlserver-ex', StorageEncrypted: 'true' }) },
    });
    expect(r.ids).toEqual(['notEncrypted', 'awsManagedKey']);
    const res = r.template.Resources;
    expect(res.A.Properties).toMatchObject({ StorageEncrypted: true, KmsKeyId: { 'Fn::GetAtt': ['DatabaseKey', 'Arn'] } });
    expect(res.B.Properties).toMatchObject({ StorageEncrypted: 'true', KmsKeyId: { 'Fn::GetAtt': ['DatabaseKey', 'Arn'] } });
    expect(res.DatabaseKey).toMatchObject({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    expect(Object.keys(res)).toHaveLength(3);
    expectIdempotent('rds-storage-encryption', r);
  });

  it('holds the fix back without --unsafe', () => {
    const r = runTransform('rds-storage-encryption', { Resources: { A: db('DBInstance', { Engine: 'postgres' }) } }, { unsafe: false });
    expect(r.ids).toEqual(['notEncrypted']);
    expect(r.changed).toBe(false);
  });

  it('reuses the key another instance names and adds only StorageEncrypted where a key is named', () => {
    const r = runTransform('rds-storage-encryption', {
      Resources: {
        K: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } },
        Old: db('DBInstance', { Engine: 'postgres', KmsKeyId: { 'Fn::GetAtt': ['K', 'Arn'] } }),
        New: db('DBInstance', { Engine: 'postgres' }),
      },
    });
    expect(r.ids).toEqual(['notEncrypted', 'notEncrypted']);
    expect(r.template.Resources.Old.Properties).toEqual({ Engine: 'postgres', KmsKeyId: { 'Fn::GetAtt': ['K', 'Arn'] }, StorageEncrypted: true });
    expect(r.template.Resources.New.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['K', 'Arn'] });
    expect(r.template.Resources.DatabaseKey).toBeUndefined();
  });

  it('encrypts clusters with StorageEncrypted only, and reports an explicit false', () => {
    const r = runTransform('rds-storage-encryption', {
      Resources: { C: db('DBCluster', { Engine: 'aurora-postgresql' }), Off: db('DBCluster', { Engine: 'aurora-mysql', StorageEncrypted: false }) },
    });
    expect(r.ids).toEqual(['notEncrypted', 'notEncryptedByChoice']);
    expect(r.template.Resources.C.Properties).toEqual({ Engine: 'aurora-postgresql', StorageEncrypted: true });
    expect(r.template.Resources.Off.Properties.StorageEncrypted).toBe(false);
  });

  it('leaves members, copies of other databases, old classes and computed values alone', () => {
    for (const resources of [
      { Db: db('DBInstance', { Engine: 'aurora-mysql', DBClusterIdentifier: { Ref: 'C' } }) },
      { Db: db('DBInstance', { Engine: 'mysql', DBSnapshotIdentifier: 'snap' }) },
      { Db: db('DBInstance', { Engine: 'mysql', SourceDBInstanceIdentifier: 'primary' }) },
      { Db: db('DBInstance', { Engine: 'mysql', DBInstanceClass: 'db.m1.small' }) },
      { Db: db('DBInstance', { Engine: 'mysql', StorageEncrypted: { Ref: 'Encrypt' } }) },
      { Db: db('DBInstance', { Engine: 'mysql', KmsKeyId: { 'Fn::If': ['C', 'k', { Ref: 'AWS::NoValue' }] } }) },
      { Db: db('DBCluster', { Engine: 'aurora-mysql', SourceDBClusterIdentifier: 'other' }) },
      { Db: db('DBCluster', { Engine: 'aurora-mysql' }), M: db('DBInstance', { Engine: 'aurora-mysql', DBClusterIdentifier: { Ref: 'Db' }, StorageEncrypted: false }) },
    ]) {
      const r = runTransform('rds-storage-encryption', { Resources: resources });
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });
});
