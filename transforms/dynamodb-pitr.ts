import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources } from '../src/cfn/query.js';
import { asObject, flagState, intrinsicName } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

const CHECKOV = 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws';

export default defineTransform({
  meta: {
    id: 'dynamodb-pitr',
    title: 'Turn on point-in-time recovery for DynamoDB tables',
    severity: 'high',
    safety: 'safe',
    seeds: [],
    equivalents: [
      {
        tool: 'control-tower',
        id: 'CT.DYNAMODB.PR.1',
        source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/dynamodb/ct-dynamodb-pr-1.guard',
      },
      { tool: 'checkov', id: 'CKV_AWS_28', source: `${CHECKOV}/DynamodbRecovery.py` },
      { tool: 'checkov', id: 'CKV_AWS_165', source: `${CHECKOV}/DynamodbGlobalTableRecovery.py`, note: 'the first replica of a global table only' },
      { tool: 'cfn_nag', id: 'W78', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/DynamoDBBackupRule.rb' },
    ],
    defaultOptions: {},
    docs: `## Why
Without point-in-time recovery (PITR) a DynamoDB table has no backup unless someone takes one:
a bad deployment, a script that deletes the wrong items or an overwritten attribute cannot be
undone. With PITR the table can be restored to any second of the last 35 days (or the recovery
period set), without affecting its performance. AWS Control Tower requires it
(CT.DYNAMODB.PR.1).

## Fix
Sets \`PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true\` on every
\`AWS::DynamoDB::Table\` and on every replica of every \`AWS::DynamoDB::GlobalTable\` that does
not set it; a \`RecoveryPeriodInDays\` that is there is kept. The string \`"true"\` becomes the
boolean the control expects.

Left alone: an explicit \`PointInTimeRecoveryEnabled: false\` (a deliberate choice, for a cache
table say; reported) and computed values (\`Fn::If\` on an environment, parameters).

## Fix safety
Safe: PITR is turned on in place, with no effect on the table's availability or performance.
It is billed by the size of the table (per GB-month of continuous backup, see
https://aws.amazon.com/dynamodb/pricing/), so a large table adds a noticeable line to the bill.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const visit = (base: string, spec: unknown, where: string) => {
      if (spec !== undefined && (!asObject(spec) || intrinsicName(spec))) return;
      const at = `${base}/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled`;
      const state = flagState(asObject(spec)?.['PointInTimeRecoveryEnabled']);
      if (state === 'false') {
        findings.push({ pointer: at, messageId: 'pitrDisabled', message: `${where} turns point-in-time recovery off explicitly; left as the author chose` });
        return;
      }
      if (state !== 'missing' && state !== 'text-true') return;
      fx.set(at, true);
      findings.push({
        pointer: state === 'missing' ? base : at,
        messageId: state === 'missing' ? 'noPitr' : 'pitrText',
        message: state === 'missing' ? `${where} has no point-in-time recovery: deleted or overwritten items cannot be restored` : `${where} writes PointInTimeRecoveryEnabled as the string "true"; the control wants the boolean`,
        fix: fx.take(),
      });
    };
    for (const table of resources(template, 'AWS::DynamoDB::Table')) {
      if (table.properties) visit(table.propertiesPointer, table.properties['PointInTimeRecoverySpecification'], `Table ${table.id}`);
    }
    for (const table of resources(template, 'AWS::DynamoDB::GlobalTable')) {
      const replicas = property(table, 'Replicas');
      if (!replicas || !Array.isArray(replicas.value)) continue;
      replicas.value.forEach((replica, index) => {
        const r = asObject(replica);
        if (!r || intrinsicName(r)) return;
        const region = typeof r['Region'] === 'string' ? r['Region'] : `#${index}`;
        visit(`${replicas.pointer}/${index}`, r['PointInTimeRecoverySpecification'], `Global table ${table.id} replica ${region}`);
      });
    }
    return findings;
  },
});
