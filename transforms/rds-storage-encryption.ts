import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources } from '../src/cfn/query.js';
import { booleanProperty, candidates, databaseKeyArn, DB_INSTANCE, fromSource, inCluster, isAurora } from '../src/cfn/rds.js';
import { resolve, targetOf } from '../src/cfn/values.js';
import type { Finding, Template } from '../src/types.js';

/** Previous-generation classes without storage encryption. */
const UNENCRYPTED_CLASSES = /^db\.(m1|m2|t1)\./;
/** Cluster properties that make a cluster from another one (it inherits the encryption). */
const CLUSTER_SOURCES = ['SnapshotIdentifier', 'SourceDBClusterIdentifier', 'ReplicationSourceIdentifier', 'RestoreType', 'RestoreToTime'];

/** True when an instance of cluster `id` sets StorageEncrypted itself (cfn-lint wants it equal to the cluster's). */
function memberSetsEncryption(t: Template, id: string): boolean {
  return resources(t, DB_INSTANCE).some((view) => targetOf(property(view, 'DBClusterIdentifier')?.value) === id && property(view, 'StorageEncrypted') !== undefined);
}

export default defineTransform({
  meta: {
    id: 'rds-storage-encryption',
    title: 'Encrypt the storage of RDS databases',
    severity: 'high',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.RDS.PR.24', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-24.guard' },
      { tool: 'control-tower', id: 'CT.RDS.PR.30', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-30.guard' },
      { tool: 'control-tower', id: 'CT.RDS.PR.16', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-16.guard' },
      { tool: 'checkov', id: 'CKV_AWS_16', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/RDSEncryption.py' },
      { tool: 'checkov', id: 'CKV_AWS_96', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/AuroraEncryption.py' },
      { tool: 'cfn_nag', id: 'F27', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/RDSDBInstanceStorageEncryptedRule.rb' },
      { tool: 'cfn_nag', id: 'F26', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/RDSDBClusterStorageEncryptedRule.rb' },
    ],
    defaultOptions: {},
    docs: `## Why
An unencrypted database leaves its data, automated backups, snapshots and read replicas readable
to anyone who gets hold of the storage or a shared snapshot. Encryption at rest with a KMS key
you control also makes access auditable (every use of the key is in CloudTrail) and revocable.

## Fix
- \`AWS::RDS::DBInstance\` resources of MySQL, MariaDB, PostgreSQL, Oracle and SQL Server that do not
  belong to a cluster and are not made from another database (read replicas and snapshot or
  point-in-time restores inherit their encryption): \`StorageEncrypted: true\` and, when no key is
  named, \`KmsKeyId: {"Fn::GetAtt": [DatabaseKey, "Arn"]}\` (AWS Control Tower controls
  CT.RDS.PR.24 and CT.RDS.PR.30). One customer managed key serves the stack: the key another
  instance of the template already uses, else a new \`DatabaseKey\` (rotation on, a key policy
  delegating to the account's IAM policies, the CT.KMS.PR.3 grant restriction; RDS uses it
  through grants it creates for the caller). The key has \`DeletionPolicy\` and
  \`UpdateReplacePolicy: Retain\`: final and manual snapshots stay encrypted with it.
- \`AWS::RDS::DBCluster\` resources (Aurora and Multi-AZ DB clusters) not restored or replicated
  from another cluster: \`StorageEncrypted: true\` (CT.RDS.PR.16), with the AWS managed key
  \`aws/rds\` unless the cluster names one. Instances of the cluster follow it. A cluster with an
  instance that sets \`StorageEncrypted\` itself is left alone (cfn-lint wants both equal).

An explicit \`StorageEncrypted: false\` is reported, not changed; computed values, other engines
and the previous-generation classes db.m1, db.m2 and db.t1 (no encryption) are left alone.

## Fix safety
Unsafe: CloudFormation replaces a database whose \`StorageEncrypted\` or \`KmsKeyId\` changes. The
replacement starts empty; the old database is deleted (or snapshotted, with
\`DeletionPolicy: Snapshot\`). For a database in use: take a snapshot, copy it with encryption
under the key, and restore from the copy (\`DBSnapshotIdentifier\`) in the same update; or apply
the fix only to new stacks. A fixed identifier (\`DBInstanceIdentifier\`) makes the replacement
fail until it is changed. Safe for a database that does not exist yet.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const list = candidates(
      template,
      (db) => !['other', 'aurora-mysql', 'aurora-postgresql'].includes(db.family) && !inCluster(db.view) && !fromSource(db.view) && !UNENCRYPTED_CLASSES.test(String(property(db.view, 'DBInstanceClass')?.value ?? '')),
      (db) => db.family !== 'other' && CLUSTER_SOURCES.every((name) => property(db.view, name) === undefined) && !memberSetsEncryption(template, db.view.id),
    );
    for (const { db, view, kind } of list) {
      const encrypted = booleanProperty(view, 'StorageEncrypted');
      const key = property(view, 'KmsKeyId');
      if (encrypted === 'computed' || (key && resolve(key.value).kind === 'unknown')) continue;
      if (encrypted === false) {
        findings.push({ pointer: property(view, 'StorageEncrypted')!.pointer, messageId: 'notEncryptedByChoice', message: `${kind} ${view.id} turns storage encryption off` });
        continue;
      }
      const needsKey = kind === 'DB instance' && !isAurora(db.family) && key === undefined;
      if (encrypted === true && !needsKey) continue;
      if (encrypted === undefined) fx.setProperty(view.id, ['StorageEncrypted'], true);
      if (needsKey) fx.setProperty(view.id, ['KmsKeyId'], databaseKeyArn(fx));
      fx.unsafe();
      findings.push({
        pointer: view.pointer,
        messageId: encrypted === undefined ? 'notEncrypted' : 'awsManagedKey',
        message: encrypted === undefined
          ? `${kind} ${view.id} stores its data unencrypted`
          : `${kind} ${view.id} is encrypted with the AWS managed key aws/rds, not a key of the stack`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
