import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { resources } from '../src/cfn/query.js';
import { asObject, flagState, intrinsicName } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

export default defineTransform({
  meta: {
    id: 'dynamodb-kms',
    title: 'Encrypt DynamoDB tables with an AWS KMS key',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      {
        tool: 'control-tower',
        id: 'CT.DYNAMODB.PR.2',
        source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/dynamodb/ct-dynamodb-pr-2.guard',
      },
      {
        tool: 'checkov',
        id: 'CKV_AWS_119',
        source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/DynamoDBTablesEncrypted.py',
        note: 'wants a customer managed key (KMSMasterKeyId); the fix uses the AWS managed key',
      },
      { tool: 'cfn_nag', id: 'W74', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/DynamoDBEncryptionRule.rb' },
    ],
    defaultOptions: {},
    docs: `## Why
Every DynamoDB table is encrypted at rest, by default with a key AWS owns and that the account
never sees: its use does not appear in CloudTrail and no policy of the account governs it. With
\`SSEEnabled: true\` the table is encrypted with a KMS key of the account (the AWS managed
\`aws/dynamodb\` key unless \`KMSMasterKeyId\` names one), so every use of the key is logged and
access can be audited. AWS Control Tower requires it (CT.DYNAMODB.PR.2).

## Fix
Sets \`SSESpecification.SSEEnabled: true\` and \`SSEType: KMS\` on every \`AWS::DynamoDB::Table\`
that does not enable it. A \`KMSMasterKeyId\` already there is kept and then used; without one
the AWS managed key \`alias/aws/dynamodb\` is used, which needs no key policy or IAM change (its
policy lets every principal of the account that may use the table use the key through
DynamoDB). The control accepts the AWS managed key; a customer managed key (which checkov
CKV_AWS_119 asks for) is a choice left to the author.

Left alone:
- an explicit \`SSEEnabled: false\` (reported);
- computed values (\`Fn::If\`, parameters);
- tables with a \`ResourcePolicy\`: DynamoDB does not support cross-account access through a
  resource-based policy to a table encrypted with the AWS managed key, so the fix could cut off
  the accounts the policy shares the table with (reported; use a customer managed key whose
  policy admits them).

## Fix safety
Safe: DynamoDB switches a table between the AWS owned key and a KMS key in place, with no
downtime. KMS requests for the key are billed (DynamoDB caches table keys, so there are few);
the AWS managed key itself has no monthly fee.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const table of resources(template, 'AWS::DynamoDB::Table')) {
      const props = table.properties;
      if (!props) continue;
      const sse = props['SSESpecification'];
      if (sse !== undefined && (!asObject(sse) || intrinsicName(sse))) continue;
      const spec = asObject(sse) ?? {};
      const at = `${table.propertiesPointer}/SSESpecification`;
      const state = flagState(spec['SSEEnabled']);
      if (state === 'false') {
        findings.push({ pointer: `${at}/SSEEnabled`, messageId: 'sseDisabled', message: `Table ${table.id} keeps the AWS owned key by an explicit SSEEnabled: false; left as the author chose` });
        continue;
      }
      if (state !== 'missing' && state !== 'text-true') continue;
      if (props['ResourcePolicy'] !== undefined && spec['KMSMasterKeyId'] === undefined) {
        findings.push({
          pointer: table.pointer,
          messageId: 'sharedTableNotEncrypted',
          message: `Table ${table.id} is encrypted with the AWS owned key; not moved to the AWS managed key because its resource policy may share it with other accounts, which that key does not allow`,
        });
        continue;
      }
      fx.set(`${at}/SSEEnabled`, true);
      if (spec['SSEType'] === undefined) fx.set(`${at}/SSEType`, 'KMS');
      findings.push({
        pointer: sse === undefined ? table.pointer : at,
        messageId: state === 'missing' ? 'awsOwnedKey' : 'sseText',
        message:
          state === 'missing'
            ? `Table ${table.id} is encrypted with the AWS owned key: no CloudTrail record or account policy covers its use`
            : `Table ${table.id} writes SSEEnabled as the string "true"; the control wants the boolean`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
