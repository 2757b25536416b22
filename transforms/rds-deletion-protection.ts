import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { resources } from '../src/cfn/query.js';
import { candidates, DB_CLUSTER, inCluster, isAurora, requireTrue } from '../src/cfn/rds.js';

export default defineTransform({
  meta: {
    id: 'rds-deletion-protection',
    title: 'Protect RDS databases from deletion',
    severity: 'high',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.RDS.PR.13', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-13.guard' },
      { tool: 'control-tower', id: 'CT.RDS.PR.3', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-3.guard' },
      { tool: 'cfn_nag', id: 'F80', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/RDSInstanceDeletionProtectionRule.rb', note: 'flags every non-Aurora instance, cluster members included; this transform leaves members to their cluster' },
    ],
    defaultOptions: {},
    docs: `## Why
A database deleted by a console click, an API call or a stack update that replaces or removes
it is gone with its automated backups. Deletion protection makes RDS refuse every delete until
the setting is turned off first: one deliberate step between a mistake and data loss.

## Fix
Sets \`DeletionProtection: true\` on every \`AWS::RDS::DBCluster\` (AWS Control Tower control
CT.RDS.PR.3, whatever the engine) and on \`AWS::RDS::DBInstance\` resources of MySQL, MariaDB,
PostgreSQL, Oracle and SQL Server that do not belong to a cluster (CT.RDS.PR.13). Instances of a
cluster are left alone: the cluster is protected, and cfn-lint E3682 refuses the property on
Aurora instances. An explicit \`DeletionProtection: false\` is a deliberate choice (a test or
ephemeral stack): it is reported, not changed. Computed values are left alone.

## Fix safety
Safe: an in-place update without interruption. But it changes how the stack is torn down:
deleting the stack, or an update that replaces or removes the database, fails while the
protection is on. Set \`DeletionProtection: false\` (and deploy that) before deleting such a
stack; \`DeletionPolicy: Snapshot\` or \`Retain\` still decides what happens to the data then.

## Options
None.
`,
  },
  check({ template }) {
    const instances = candidates(template, (db) => db.family !== 'other' && !isAurora(db.family) && !inCluster(db.view), () => false);
    const clusters = resources(template, DB_CLUSTER).filter((view) => view.properties).map((view) => ({ view, kind: 'DB cluster' }));
    return requireTrue(new Fixer(template), [...instances, ...clusters], 'DeletionProtection', { missing: 'noDeletionProtection', off: 'deletionProtectionOff' }, {
      missing: 'can be deleted without turning deletion protection off first',
      off: 'turns deletion protection off',
    });
  },
});
