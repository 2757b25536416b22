import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property } from '../src/cfn/query.js';
import { candidates, inCluster, isAurora, numberProperty } from '../src/cfn/rds.js';
import type { Finding } from '../src/types.js';

/** The shortest retention AWS Control Tower control CT.RDS.PR.8 accepts. */
const MINIMUM_DAYS = 7;

interface Options extends Record<string, unknown> {
  days: number;
}

export default defineTransform<Options>({
  meta: {
    id: 'rds-backup-retention',
    title: 'Keep RDS automated backups for at least seven days',
    severity: 'high',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.RDS.PR.8', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-8.guard' },
      { tool: 'cfn_nag', id: 'W75', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/RDSInstanceBackupRetentionPeriodRule.rb', note: 'flags only a retention of 0 (backups off), which this transform reports without changing' },
    ],
    defaultOptions: { days: MINIMUM_DAYS },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { days: { type: 'integer', minimum: MINIMUM_DAYS, maximum: 35, description: 'BackupRetentionPeriod written, in days' } },
    },
    docs: `## Why
Automated backups are what point-in-time restore works from. A DB instance created by
CloudFormation (the RDS API) without \`BackupRetentionPeriod\` keeps them for one day only: a corruption or a
bad migration noticed after a weekend cannot be undone. AWS Control Tower control CT.RDS.PR.8
asks for seven days or more.

## Fix
For \`AWS::RDS::DBInstance\` resources of MySQL, MariaDB, PostgreSQL, Oracle and SQL Server that do
not belong to a cluster and are not read replicas: a missing \`BackupRetentionPeriod\` (one day
by default through the API, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.BackupRetention.html)
or one below seven days is set to the \`days\` option (7 by default). A number written as text
(\`'14'\`) of seven days or more becomes the number, which is what the control compares.

Left alone: \`BackupRetentionPeriod: 0\` (automated backups turned off on purpose: reported),
computed values (a parameter, \`Fn::If\`), instances of a cluster (the cluster's retention
applies; cfn-lint E3719 refuses the property there), read replicas (their backups follow other
rules per engine), and other engines.

## Fix safety
Safe. Changing one non-zero retention to another is an in-place update without interruption
(only a change from or to 0 causes an outage, and 0 is never touched). Backup storage
up to the size of the database is free in each region; longer retention keeps more
transaction logs and snapshots, which can be billed beyond that.

## Options
- \`days\` (default \`7\`, 7 to 35): the retention written.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const replica = (props: Readonly<Record<string, unknown>> | undefined) => ['SourceDBInstanceIdentifier', 'SourceDBClusterIdentifier'].some((k) => props?.[k] !== undefined);
    const list = candidates(template, (db) => db.family !== 'other' && !isAurora(db.family) && !inCluster(db.view) && !replica(db.view.properties), () => false);
    for (const { view } of list) {
      const days = numberProperty(view, 'BackupRetentionPeriod');
      const at = property(view, 'BackupRetentionPeriod');
      if (days === 'computed') continue;
      if (days === 0) {
        findings.push({ pointer: at!.pointer, messageId: 'backupsOff', message: `DB instance ${view.id} turns automated backups off (BackupRetentionPeriod 0)` });
        continue;
      }
      if (days !== undefined && days >= MINIMUM_DAYS) {
        if (typeof at!.value === 'number' || days > 35) continue;
        fx.set(at!.pointer, days);
        findings.push({ pointer: at!.pointer, messageId: 'numberAsText', message: `DB instance ${view.id} writes BackupRetentionPeriod as the text ${JSON.stringify(at!.value)}; checkers expect a number`, fix: fx.take() });
        continue;
      }
      fx.setProperty(view.id, ['BackupRetentionPeriod'], options.days);
      findings.push({
        pointer: at?.pointer ?? view.pointer,
        messageId: days === undefined ? 'defaultRetention' : 'shortRetention',
        message: days === undefined
          ? `DB instance ${view.id} keeps automated backups for the default one day`
          : `DB instance ${view.id} keeps automated backups for ${days} day${days > 1 ? 's' : ''}, fewer than ${MINIMUM_DAYS}`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
