import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources } from '../src/cfn/query.js';
import type { Finding } from '../src/types.js';

export default defineTransform({
  meta: {
    id: 'sqs-encryption',
    title: 'Encrypt SQS queues at rest',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.SQS.PR.2', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/sqs/ct-sqs-pr-2.guard' },
      {
        tool: 'checkov',
        id: 'CKV_AWS_27',
        source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/SQSQueueEncryption.py',
        note: 'asks for KmsMasterKeyId; SSE-SQS, which this transform turns on, does not satisfy it',
      },
      {
        tool: 'cfn_nag',
        id: 'W48',
        source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/SqsQueueKmsMasterKeyIdRule.rb',
        note: 'asks for KmsMasterKeyId; SSE-SQS, which this transform turns on, does not satisfy it',
      },
    ],
    defaultOptions: {},
    docs: `## Why
A queue without server-side encryption keeps its messages in plain text at rest. Queues created
since October 2022 get SSE-SQS unless the template says otherwise, but older queues (and the
template itself, read by reviewers and policy checks) do not say so.

## Fix
Sets \`SqsManagedSseEnabled: true\` (SSE-SQS, keys owned and rotated by Amazon SQS) on every
\`AWS::SQS::Queue\` that sets neither \`SqsManagedSseEnabled\` nor \`KmsMasterKeyId\`. A queue with
\`SqsManagedSseEnabled: false\` and no KMS key is reported, not changed (the author turned it off),
and so is a computed value.

SSE-SQS rather than SSE-KMS because it changes nothing for the producers: SNS topics, EventBridge
rules and S3 event notifications keep delivering to the queue, while SSE-KMS with the AWS
managed \`aws/sqs\` key would stop them (its key policy cannot be extended to those services), and
a customer managed key needs a key policy for every producer. Choose SSE-KMS yourself when you
need key-level access control or CloudTrail records of every key use: checkov CKV_AWS_27 and
cfn_nag W48 only accept that.

## Fix safety
Safe: an in-place update without interruption; SQS encrypts new messages from then on and
decrypts transparently for every consumer allowed to receive them. SSE-SQS costs nothing.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const queue of resources(template, 'AWS::SQS::Queue')) {
      if (queue.resource.Properties !== undefined && !queue.properties) continue;
      if (property(queue, 'KmsMasterKeyId') !== undefined) continue;
      const sse = property(queue, 'SqsManagedSseEnabled');
      if (sse === undefined) {
        fx.setProperty(queue.id, ['SqsManagedSseEnabled'], true);
        findings.push({ pointer: queue.pointer, messageId: 'notEncrypted', message: `Queue ${queue.id} does not say that it encrypts its messages at rest`, fix: fx.take() });
      } else if (sse.value !== true && sse.value !== 'true') {
        findings.push({ pointer: sse.pointer, messageId: 'encryptionOff', message: `Queue ${queue.id} sets SqsManagedSseEnabled to ${JSON.stringify(sse.value)} without a KMS key: its messages are not encrypted at rest` });
      }
    }
    return findings;
  },
});
