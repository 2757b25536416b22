import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { newResource } from '../src/cfn/edits.js';
import { createdKeyProperties, KMS_KEY, trailLogKeyStatements } from '../src/cfn/kms.js';
import { property, resources } from '../src/cfn/query.js';
import { bucketOfName } from '../src/cfn/s3.js';
import type { Finding } from '../src/types.js';

export default defineTransform({
  meta: {
    id: 'cloudtrail-kms',
    title: 'Encrypt CloudTrail log files with a customer managed KMS key',
    severity: 'medium',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.CLOUDTRAIL.PR.1', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/cloudtrail/ct-cloudtrail-pr-1.guard' },
      { tool: 'checkov', id: 'CKV_AWS_35', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/CloudtrailEncryption.py' },
    ],
    defaultOptions: {},
    docs: `## Why
Without \`KMSKeyId\` a trail's log files are encrypted with SSE-S3 only: anyone who can read the
bucket can read every API call of the account. With SSE-KMS, reading a log file also needs
\`kms:Decrypt\` on the key, and every use of the key is itself logged.

## Fix
For every \`AWS::CloudTrail::Trail\` without \`KMSKeyId\` that delivers to a bucket of the same
template, adds an \`AWS::KMS::Key\` (\`<Trail>Key\`, with the trail's \`Condition\`) and sets
\`KMSKeyId: {"Fn::GetAtt": [<Trail>Key, "Arn"]}\`. The key is built like every key tapfix adds
(rotation on, the account-root statement, the CT.KMS.PR.3 grant restriction) with the statements
of AWS's "Configure AWS KMS key policies for CloudTrail": \`kms:GenerateDataKey*\` for
\`cloudtrail.amazonaws.com\` with \`aws:SourceArn\` the trail's ARN (by its \`TrailName\`, or
\`trail/*\` of this account when the name is not known before deployment: naming the trail with
GetAtt would be a dependency cycle) and the encryption context of this account's trails, and
\`kms:DescribeKey\`. Readers decrypt through the account-root statement: IAM principals of the
account whose policies allow \`kms:Decrypt\` on the key.

A trail whose bucket is not in the template is reported, not fixed: CloudTrail needs the key in
the bucket's Region, which the template does not tell. \`KMSKeyId\` values the author set are
kept, whatever key they name. \`retain-stateful\` keeps the new key when the stack is deleted,
so log files already written stay readable.

## Fix safety
Unsafe: software or people that read the log files (a SIEM, Athena, another account) need
\`kms:Decrypt\` on the new key from the moment it is set, or they can no longer read new files.
The key costs about 1 USD a month plus KMS requests (CloudTrail makes one per log file).

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const trail of resources(template, 'AWS::CloudTrail::Trail')) {
      if (!trail.properties || property(trail, 'KMSKeyId') !== undefined) continue;
      const message = `Trail ${trail.id} writes its log files without SSE-KMS`;
      if (!bucketOfName(template, property(trail, 'S3BucketName')?.value)) {
        findings.push({ pointer: trail.pointer, messageId: 'bucketElsewhere', message: `${message} (not fixed: its bucket is not in this template, and the key must be in the bucket's Region)` });
        continue;
      }
      const keyId = fx.addResource(
        `${trail.id}Key`,
        newResource(KMS_KEY, createdKeyProperties({ 'Fn::Sub': `Encrypts the log files of CloudTrail trail ${trail.id} in stack \${AWS::StackName}` }, trailLogKeyStatements(template, [trail.id])), trail.resource),
      );
      fx.setProperty(trail.id, ['KMSKeyId'], { 'Fn::GetAtt': [keyId, 'Arn'] });
      findings.push({ pointer: trail.pointer, messageId: 'noKmsKey', message: `${message}; adds key ${keyId}`, fix: fx.take() });
    }
    return findings;
  },
});
