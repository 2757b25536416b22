import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property } from '../src/cfn/query.js';
import { booleanProperty, candidates, fromSource, inCluster, isAurora } from '../src/cfn/rds.js';
import type { Finding } from '../src/types.js';

/** SQL Server editions without Multi-AZ deployments. */
const SINGLE_AZ_ENGINES = new Set(['sqlserver-ex', 'sqlserver-web']);

export default defineTransform({
  meta: {
    id: 'rds-multi-az',
    title: 'Run RDS DB instances as Multi-AZ deployments',
    severity: 'medium',
    safety: 'safe',
    enabledByDefault: false,
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.RDS.PR.1', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-1.guard' },
      { tool: 'checkov', id: 'CKV_AWS_157', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/RDSMultiAZEnabled.py' },
    ],
    defaultOptions: {},
    docs: `## Why
A Single-AZ DB instance is down whenever its host, its storage or its Availability Zone fails,
and during many maintenance operations. A Multi-AZ deployment keeps a synchronous standby in
another zone and fails over to it automatically, usually within a minute or two.

## Fix
Sets \`MultiAZ: true\` on \`AWS::RDS::DBInstance\` resources of MySQL, MariaDB, PostgreSQL, Oracle
and SQL Server Standard and Enterprise that do not belong to a cluster and are not read replicas
or restores (AWS Control Tower control CT.RDS.PR.1). Aurora and Multi-AZ DB clusters are
highly available through the cluster and are left alone.

Reported without a change: an explicit \`MultiAZ: false\` (a deliberate choice), and an instance
that pins \`AvailabilityZone\` (RDS refuses a zone for a Multi-AZ instance: remove it first). Left
alone: SQL Server Express and Web editions (no Multi-AZ), computed values and other engines.

Off by default (\`--enable rds-multi-az\`): the standby doubles the instance and storage cost, a
choice to make per environment.

## Fix safety
Safe: converting an instance to Multi-AZ is an in-place update without downtime; RDS takes a
snapshot to build the standby, which can slow the instance while it runs. Writes then commit
in two zones, which adds some latency.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const list = candidates(
      template,
      (db) => db.family !== 'other' && !isAurora(db.family) && !SINGLE_AZ_ENGINES.has(db.engine) && !inCluster(db.view) && !fromSource(db.view),
      () => false,
    );
    for (const { view } of list) {
      const multiAz = booleanProperty(view, 'MultiAZ');
      if (multiAz === true || multiAz === 'computed') continue;
      if (multiAz === false) {
        findings.push({ pointer: property(view, 'MultiAZ')!.pointer, messageId: 'singleAzByChoice', message: `DB instance ${view.id} is a Single-AZ deployment (MultiAZ false)` });
        continue;
      }
      const zone = property(view, 'AvailabilityZone');
      if (zone) {
        findings.push({ pointer: zone.pointer, messageId: 'zonePinned', message: `DB instance ${view.id} is a Single-AZ deployment pinned to one Availability Zone` });
        continue;
      }
      fx.setProperty(view.id, ['MultiAZ'], true);
      findings.push({ pointer: view.pointer, messageId: 'singleAz', message: `DB instance ${view.id} is a Single-AZ deployment`, fix: fx.take() });
    }
    return findings;
  },
});
