import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { candidates, inCluster, isAurora, requireTrue } from '../src/cfn/rds.js';

export default defineTransform({
  meta: {
    id: 'rds-copy-tags-to-snapshot',
    title: 'Copy RDS database tags to their snapshots',
    severity: 'low',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.RDS.PR.10', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-10.guard' },
      { tool: 'control-tower', id: 'CT.RDS.PR.9', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-9.guard' },
    ],
    defaultOptions: {},
    docs: `## Why
Snapshots are billed, kept and shared on their own. Without the database's tags a snapshot has
no owner, cost centre or data classification: cost reports cannot allocate it, tag-based IAM
conditions and backup policies do not match it, and nobody dares delete it.

## Fix
Sets \`CopyTagsToSnapshot: true\` on \`AWS::RDS::DBInstance\` resources of MySQL, MariaDB,
PostgreSQL, Oracle and SQL Server that do not belong to a cluster (AWS Control Tower control
CT.RDS.PR.10), and on \`AWS::RDS::DBCluster\` resources of Aurora and of Multi-AZ DB clusters
(CT.RDS.PR.9 checks the Aurora ones). Instances of a cluster are left alone: the cluster's setting
applies, and cfn-lint E3682 refuses the property on Aurora instances. An explicit \`false\` is
reported, not changed; computed values and engines are left alone.

## Fix safety
Safe. The setting is updated in place without interruption and applies to snapshots taken from
then on.

## Options
None.
`,
  },
  check({ template }) {
    const list = candidates(template, (db) => db.family !== 'other' && !isAurora(db.family) && !inCluster(db.view), (db) => db.family !== 'other');
    return requireTrue(new Fixer(template), list, 'CopyTagsToSnapshot', { missing: 'noCopyTags', off: 'copyTagsOff' }, {
      missing: 'does not copy its tags to snapshots',
      off: 'turns copying tags to snapshots off',
    });
  },
});
