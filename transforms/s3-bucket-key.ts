import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { getAt } from '../src/cfn/pointer.js';
import { property, resources } from '../src/cfn/query.js';
import { asObject } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

export default defineTransform({
  meta: {
    id: 's3-bucket-key',
    title: 'Enable S3 Bucket Keys on SSE-KMS encrypted buckets',
    severity: 'medium',
    safety: 'safe',
    seeds: ['000#14'],
    equivalents: [],
    defaultOptions: {},
    docs: `## Why
A bucket encrypted with SSE-KMS calls KMS for every object it writes and reads. An S3 Bucket Key
lets S3 use a short-lived bucket-level key instead, cutting KMS requests (and their cost and
throttling) by up to 99%, with no change to who can read the data.

## Fix
Adds \`BucketKeyEnabled: true\` to every \`ServerSideEncryptionConfiguration\` rule whose
\`SSEAlgorithm\` is \`aws:kms\` and that does not set \`BucketKeyEnabled\`. Rules with
\`aws:kms:dsse\` (dual-layer encryption) are left alone: S3 Bucket Keys are not supported for
DSSE-KMS. A rule that sets \`BucketKeyEnabled: false\` on purpose is reported, not changed.

## Fix safety
Safe. Enabling a Bucket Key is an in-place update; existing objects keep their encryption and
new objects are encrypted under the same KMS key.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const bucket of resources(template, 'AWS::S3::Bucket')) {
      const rules = property(bucket, 'BucketEncryption', 'ServerSideEncryptionConfiguration');
      if (!rules || !Array.isArray(rules.value)) continue;
      rules.value.forEach((rule, index) => {
        const at = `${rules.pointer}/${index}`;
        if (getAt(rule, '/ServerSideEncryptionByDefault/SSEAlgorithm') !== 'aws:kms') return;
        const bucketKey = asObject(rule)?.['BucketKeyEnabled'];
        if (bucketKey === false) {
          findings.push({
            pointer: `${at}/BucketKeyEnabled`,
            messageId: 'bucketKeyDisabled',
            message: `Bucket ${bucket.id} disables the S3 Bucket Key on its aws:kms rule; every object operation calls KMS`,
          });
          return;
        }
        if (bucketKey !== undefined) return;
        fx.set(`${at}/BucketKeyEnabled`, true);
        findings.push({ pointer: at, messageId: 'noBucketKey', message: `Bucket ${bucket.id} uses SSE-KMS without an S3 Bucket Key`, fix: fx.take() });
      });
    }
    return findings;
  },
});
