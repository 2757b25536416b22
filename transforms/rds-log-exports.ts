import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property } from '../src/cfn/query.js';
import { candidates, clusterLogTypes, inCluster, instanceLogTypes, isServerlessV1 } from '../src/cfn/rds.js';
import type { Finding } from '../src/types.js';

export default defineTransform({
  meta: {
    id: 'rds-log-exports',
    title: 'Export RDS database logs to CloudWatch Logs',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.RDS.PR.14', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-14.guard' },
      { tool: 'control-tower', id: 'CT.RDS.PR.25', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-25.guard' },
    ],
    defaultOptions: {},
    docs: `## Why
Database logs (errors, slow queries, audit records, PostgreSQL's log) stay on the database host
until RDS rotates them away: nobody can search them, alarm on them or keep them after an
incident. Exporting them to CloudWatch Logs keeps them, lets metric filters and Logs Insights
work on them, and is what AWS Control Tower controls CT.RDS.PR.14 (instances) and CT.RDS.PR.25
(clusters) ask for.

## Fix
Sets \`EnableCloudwatchLogsExports\` to every log type the engine can export and the control
asks for, or appends the missing ones to a list the author wrote:

| Engine | Log types |
| --- | --- |
| DB instance: MySQL, MariaDB | audit, error, general, slowquery |
| DB instance: PostgreSQL | postgresql, upgrade |
| DB instance: Oracle | alert, audit, listener, oemagent, trace |
| DB instance: SQL Server | agent, error (Express: error only) |
| DB cluster: Aurora MySQL | audit, error, general, slowquery |
| DB cluster: Aurora PostgreSQL | postgresql |
| Multi-AZ DB cluster: PostgreSQL | postgresql, upgrade |
| Multi-AZ DB cluster: MySQL | error, general, slowquery |

The types are the ones the RDS API accepts per engine
(https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html). SQL Server
Express has no SQL Server Agent, so it exports its error log only (CT.RDS.PR.14 still asks for
\`agent\` there); a Multi-AZ DB cluster of MySQL has no audit log type (CT.RDS.PR.25 asks for it).
Types the author listed are kept. The engine is a literal or a parameter whose default and
allowed values are of one family (a SQL Server engine from a parameter is left alone: Express
and the other editions differ).

Left alone: instances that belong to a cluster (the cluster exports their logs), Aurora
Serverless v1 clusters, RDS Custom and other engines, a computed list, and an empty list
\`[]\` (exports turned off on purpose: reported).

Exporting publishes what the engine writes: MySQL and MariaDB write the general and slow query
logs only when the parameter group turns them on (\`general_log\`, \`slow_query_log\`,
\`log_output: FILE\`), the audit log only with the MariaDB Audit Plugin option (Aurora MySQL:
\`server_audit_logging\`). tapfix does not change parameter groups: the general log in particular
costs I/O on a busy database.

## Fix safety
Safe. The list is updated in place without interruption. RDS creates the log groups
(\`/aws/rds/instance/<name>/<type>\`, \`/aws/rds/cluster/<name>/<type>\`) itself, outside the
template, with no retention limit: set their retention (or create them in the template with the
exact names first) if the volume matters. Ingestion is billed as CloudWatch Logs.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const list = candidates(
      template,
      (db) => !inCluster(db.view) && !(db.fromParameter && db.family === 'sqlserver'),
      (db) => !isServerlessV1(db.view),
    );
    for (const { db, kind } of list) {
      const types = kind === 'DB cluster' ? clusterLogTypes(db.engine) : instanceLogTypes(db.engine);
      if (!types) continue;
      const { view } = db;
      const exports = property(view, 'EnableCloudwatchLogsExports');
      if (exports === undefined) {
        fx.setProperty(view.id, ['EnableCloudwatchLogsExports'], types);
        findings.push({ pointer: view.pointer, messageId: 'noLogExports', message: `${kind} ${view.id} exports no logs to CloudWatch Logs`, fix: fx.take() });
        continue;
      }
      const listed = exports.value;
      if (!Array.isArray(listed) || !listed.every((t) => typeof t === 'string')) continue;
      if (listed.length === 0) {
        findings.push({ pointer: exports.pointer, messageId: 'logExportsOff', message: `${kind} ${view.id} exports no logs to CloudWatch Logs (an empty EnableCloudwatchLogsExports)` });
        continue;
      }
      const missing = types.filter((t) => !listed.includes(t));
      if (missing.length === 0) continue;
      for (const t of missing) fx.append(exports.pointer, t);
      findings.push({
        pointer: exports.pointer,
        messageId: 'missingLogTypes',
        message: `${kind} ${view.id} does not export its ${missing.join(', ')} log${missing.length > 1 ? 's' : ''} to CloudWatch Logs`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
