import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property } from '../src/cfn/query.js';
import { databases, DB_INSTANCE, enhancedMonitoringRoleArn, numberProperty } from '../src/cfn/rds.js';
import { resolve } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

/** The intervals RDS accepts besides 0 (off). */
const INTERVALS = [1, 5, 10, 15, 30, 60];
/** Instance classes without Enhanced Monitoring. */
const UNSUPPORTED_CLASSES = new Set(['db.m1.small', 'db.t1.micro']);

interface Options extends Record<string, unknown> {
  interval: number;
}

export default defineTransform<Options>({
  meta: {
    id: 'rds-enhanced-monitoring',
    title: 'Turn on Enhanced Monitoring for RDS DB instances',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.RDS.PR.2', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-2.guard' },
      { tool: 'checkov', id: 'CKV_AWS_118', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/RDSEnhancedMonitorEnabled.py' },
    ],
    defaultOptions: { interval: 60 },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { interval: { enum: INTERVALS, description: 'MonitoringInterval in seconds for the instances fixed' } },
    },
    docs: `## Why
Standard RDS metrics come from the hypervisor. Enhanced Monitoring runs an agent on the database
host and reports operating-system metrics (CPU per process, memory, swap, file system, disk
I/O) every few seconds: what you need to tell a busy database from a starved one. It is off
unless \`MonitoringInterval\` and a \`MonitoringRoleArn\` are set.

## Fix
For every \`AWS::RDS::DBInstance\` whose engine is MySQL, MariaDB, PostgreSQL, Oracle, SQL Server
or Aurora (a literal \`Engine\`, or a parameter whose default and allowed values are of one engine
family) and that sets neither, or only one, of the two properties:
- \`MonitoringInterval\` is set to the \`interval\` option (60 seconds by default; AWS Control Tower
  control CT.RDS.PR.2 accepts 1, 5, 10, 15, 30 and 60);
- \`MonitoringRoleArn\` is set to \`{"Fn::GetAtt": [DatabaseMonitoringRole, "Arn"]}\`: a role
  \`monitoring.rds.amazonaws.com\` may assume, with the AWS managed policy
  \`arn:\${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole\`, as the
  RDS User Guide describes for creating the role yourself
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html). One
  role serves every instance of the stack: a role of the template that already has that trust and
  that policy is reused, else one is added.

Instances that belong to an Aurora cluster are fixed too: Enhanced Monitoring is set per
instance. Left alone: an explicit \`MonitoringInterval: 0\` (monitoring turned off on purpose: reported),
an interval or role that is computed (\`Fn::If\`, a parameter), an interval RDS does not accept
(reported), RDS Custom and other engines, and the db.m1.small and db.t1.micro classes, which
have no Enhanced Monitoring.

## Fix safety
Safe. Both properties are updated in place without interruption. The metrics go to the
\`RDSOSMetrics\` log group (RDS creates it, with 30 days of retention) and are billed as
CloudWatch Logs ingestion and storage: a few cents to a few dollars per instance and month at 60 s.

## Options
- \`interval\` (default \`60\`): the \`MonitoringInterval\` written, one of 1, 5, 10, 15, 30, 60.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const db of databases(template, DB_INSTANCE)) {
      if (db.family === 'other') continue;
      const { view } = db;
      const instanceClass = property(view, 'DBInstanceClass')?.value;
      if (typeof instanceClass === 'string' && UNSUPPORTED_CLASSES.has(instanceClass)) continue;
      const interval = numberProperty(view, 'MonitoringInterval');
      const role = property(view, 'MonitoringRoleArn');
      if (interval === 'computed' || (role && resolve(role.value).kind === 'unknown')) continue;
      if (interval === 0) {
        findings.push({
          pointer: property(view, 'MonitoringInterval')!.pointer,
          messageId: 'monitoringOff',
          message: `DB instance ${view.id} turns Enhanced Monitoring off (MonitoringInterval 0)`,
        });
        continue;
      }
      if (interval !== undefined && !INTERVALS.includes(interval)) {
        findings.push({
          pointer: property(view, 'MonitoringInterval')!.pointer,
          messageId: 'invalidInterval',
          message: `DB instance ${view.id} sets MonitoringInterval ${interval}; RDS accepts 0, 1, 5, 10, 15, 30 or 60`,
        });
        continue;
      }
      if (interval !== undefined && role) continue;
      if (interval === undefined) fx.setProperty(view.id, ['MonitoringInterval'], options.interval);
      if (!role) fx.setProperty(view.id, ['MonitoringRoleArn'], enhancedMonitoringRoleArn(fx));
      findings.push({
        pointer: view.pointer,
        messageId: 'noEnhancedMonitoring',
        message: `DB instance ${view.id} has no Enhanced Monitoring`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
