import { defineTransform } from '../src/transform.js';
import { pointer } from '../src/cfn/pointer.js';
import { resourcesOfType } from '../src/cfn/template.js';
import type { Finding, JsonValue } from '../src/types.js';

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
    for (const { id, resource } of resourcesOfType(template, 'AWS::S3::Bucket')) {
      const rules = (resource.Properties?.['BucketEncryption'] as { ServerSideEncryptionConfiguration?: JsonValue } | undefined)
        ?.ServerSideEncryptionConfiguration;
      if (!Array.isArray(rules)) continue;
      rules.forEach((rule, index) => {
        if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return;
        const byDefault = rule['ServerSideEncryptionByDefault'];
        const algorithm = byDefault && typeof byDefault === 'object' && !Array.isArray(byDefault) ? byDefault['SSEAlgorithm'] : undefined;
        if (algorithm !== 'aws:kms') return;
        const at = pointer('Resources', id, 'Properties', 'BucketEncryption', 'ServerSideEncryptionConfiguration', index);
        if (rule['BucketKeyEnabled'] === false) {
          findings.push({ pointer: `${at}/BucketKeyEnabled`, message: `Bucket ${id} disables the S3 Bucket Key on its aws:kms rule; every object operation calls KMS` });
          return;
        }
        if (rule['BucketKeyEnabled'] !== undefined) return;
        findings.push({
          pointer: at,
          message: `Bucket ${id} uses SSE-KMS without an S3 Bucket Key`,
          fix: { ops: [{ op: 'add', path: `${at}/BucketKeyEnabled`, value: true }] },
        });
      });
    }
    return findings;
  },
});
