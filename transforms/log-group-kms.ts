import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependsOnResource } from '../src/cfn/graph.js';
import { logGroupKeyArn, logGroupKeyOf } from '../src/cfn/logs.js';
import { propertiesComputed, property, resources } from '../src/cfn/query.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { targetOf } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

const ID = 'log-group-kms';

export default defineTransform({
  meta: {
    id: ID,
    title: 'Encrypt CloudWatch Logs log groups with a customer managed key',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.CLOUDWATCH.PR.3', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/cloudwatch/ct-cloudwatch-pr-3.guard' },
      { tool: 'checkov', id: 'CKV_AWS_158', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/CloudWatchLogGroupKMSKey.py' },
      { tool: 'cfn_nag', id: 'W84', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/LogsLogGroupEncryptedRule.rb' },
    ],
    order: 50,
    defaultOptions: {},
    docs: `## Why
CloudWatch Logs encrypts every log group at rest with a key AWS owns and manages. Nobody can
see in CloudTrail who used it, restrict it with a key policy, or make the events unreadable by
disabling it. Logs carry request payloads, tokens written by mistake and personal data: the AWS
Control Tower control CT.CLOUDWATCH.PR.3 (and checkov CKV_AWS_158, cfn_nag W84) asks for a
customer managed KMS key on every log group.

## Fix
Every \`AWS::Logs::LogGroup\` without \`KmsKeyId\` gets
\`KmsKeyId: {"Fn::GetAtt": ["LogGroupKey", "Arn"]}\` (CloudWatch Logs takes the key ARN): the one
key of the stack's log groups, the same lambda-log-group and cloudtrail-cloudwatch-logs give the
log groups they add.
- A key of the template that already lets CloudWatch Logs use it for every log group of the
  account and region (the statement below, no \`Condition\` on the key) is used.
- Else \`LogGroupKey\` is added once: symmetric, rotation on (CT.KMS.PR.1), a key policy with the
  account root statement, the statement CT.KMS.PR.3 asks for (grants only for AWS resources), and
  the statement CloudWatch Logs needs
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html): the
  regional service principal \`logs.\${AWS::Region}.amazonaws.com\` may call \`kms:Encrypt*\`,
  \`kms:Decrypt*\`, \`kms:ReEncrypt*\`, \`kms:GenerateDataKey*\` and \`kms:Describe*\`, with
  \`ArnLike\` on \`kms:EncryptionContext:aws:logs:arn\` limited to this account's log groups in this
  region. The key names no log group: a group refers to its key, so naming the group in the key
  policy would be a circular dependency.

The \`Fn::GetAtt\` of the key orders the deployment: CloudFormation creates the key, with its
policy, before the log group, so CloudWatch Logs may use the key when the group is created or
associated with it. A group is reported, not changed, when the key it would get depends on the
group itself (the key policy names it): the reference would close a dependency cycle.
A group with a \`KmsKeyId\` (any value, including an \`Fn::If\`) is left alone, as are groups whose
\`Properties\` are an intrinsic.

## Fix safety
Safe: \`KmsKeyId\` is updated in place (CloudWatch Logs associates the key with the group; events
ingested from then on are encrypted with it, older ones stay readable). Writers (Lambda, ECS,
VPC flow logs, CloudTrail) and readers need no KMS permission of their own: CloudWatch Logs uses
the key. The key costs about 1 USD a month. Disabling the key or scheduling its deletion makes
the groups' events unreadable; retain-stateful keeps keys that encrypt retained data.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const existingKey = logGroupKeyOf(template);
    for (const group of resources(template, 'AWS::Logs::LogGroup')) {
      if (propertiesComputed(group) || property(group, 'KmsKeyId') !== undefined) continue;
      // A group that opts out must not be the one whose fix adds the shared key.
      if (skipsTransform(group.resource, ID)) continue;
      const message = `Log group ${group.id} is not encrypted with a customer managed KMS key`;
      if (existingKey !== undefined && dependsOnResource(template, existingKey, group.id)) {
        findings.push({ pointer: group.pointer, messageId: 'keyDependsOnGroup', message: `${message} (not fixed: key ${existingKey} for log groups depends on it)` });
        continue;
      }
      const key = logGroupKeyArn(fx);
      if (group.resource.Properties === undefined) fx.set(group.propertiesPointer, { KmsKeyId: key });
      else fx.setProperty(group.id, ['KmsKeyId'], key);
      findings.push({ pointer: group.pointer, messageId: 'noKmsKey', message: `${message}; encrypts it with key ${targetOf(key)}`, fix: fx.take() });
    }
    return findings;
  },
});
