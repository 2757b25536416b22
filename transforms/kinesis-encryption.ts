import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources } from '../src/cfn/query.js';
import type { Finding } from '../src/types.js';

export default defineTransform({
  meta: {
    id: 'kinesis-encryption',
    title: 'Encrypt Kinesis data streams at rest',
    severity: 'medium',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.KINESIS.PR.1', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/kinesis/ct-kinesis-pr-1.guard' },
      { tool: 'checkov', id: 'CKV_AWS_43', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/KinesisStreamEncryptionType.py' },
      { tool: 'cfn_nag', id: 'W49', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/KinesisStreamStreamEncryptionRule.rb' },
    ],
    defaultOptions: {},
    docs: `## Why
A Kinesis data stream without server-side encryption stores every record in plain text for the
whole retention period.

## Fix
Sets \`StreamEncryption: {EncryptionType: KMS, KeyId: alias/aws/kinesis}\` on every
\`AWS::Kinesis::Stream\` without \`StreamEncryption\`. The AWS managed key needs no key policy: it
lets every principal of the account that may use the stream use the key through Kinesis. A
stream whose \`StreamEncryption\` is computed is left alone.

## Fix safety
Unsafe: producers and consumers in the same account keep working (the AWS managed key's policy
allows them through Kinesis), but a producer or consumer in another account cannot use the AWS
managed key and stops working; it needs a customer managed key with a key policy for it.
Enabling encryption is an in-place update without interruption; records written before stay
unencrypted until they expire. KMS requests are billed.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const stream of resources(template, 'AWS::Kinesis::Stream')) {
      if (stream.resource.Properties !== undefined && !stream.properties) continue;
      if (property(stream, 'StreamEncryption') !== undefined) continue;
      fx.setProperty(stream.id, ['StreamEncryption'], { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
      findings.push({ pointer: stream.pointer, messageId: 'notEncrypted', message: `Stream ${stream.id} stores its records unencrypted`, fix: fx.take() });
    }
    return findings;
  },
});
