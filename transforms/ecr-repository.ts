import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources } from '../src/cfn/query.js';
import { asObject, intrinsicName } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

interface Options extends Record<string, unknown> {
  untaggedDays: number;
  immutableTags: boolean;
}

/** The lifecycle policy tapfix writes: untagged images expire `days` after they were pushed. */
function untaggedExpiryPolicy(days: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images ${days} days after they were pushed`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: days },
        action: { type: 'expire' },
      },
    ],
  });
}

export default defineTransform<Options>({
  meta: {
    id: 'ecr-repository',
    title: 'Scan ECR images on push, expire untagged images, report mutable tags',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.ECR.PR.1', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/ecr/ct-ecr-pr-1.guard' },
      { tool: 'control-tower', id: 'CT.ECR.PR.2', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/ecr/ct-ecr-pr-2.guard' },
      {
        tool: 'control-tower',
        id: 'CT.ECR.PR.3',
        source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/ecr/ct-ecr-pr-3.guard',
        note: 'reported; fixed only with the immutableTags option',
      },
      { tool: 'checkov', id: 'CKV_AWS_163', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/ECRImageScanning.py' },
      {
        tool: 'checkov',
        id: 'CKV_AWS_51',
        source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/ECRImmutableTags.py',
        note: 'reported; fixed only with the immutableTags option',
      },
      { tool: 'cfn_nag', id: 'W79', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/ECRRepositoryScanOnPushRule.rb' },
    ],
    defaultOptions: { untaggedDays: 30, immutableTags: false },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { untaggedDays: { type: 'integer', minimum: 1 }, immutableTags: { type: 'boolean' } },
    },
    docs: `## Why
An ECR repository that does not scan images on push lets images with known CVEs reach
production unnoticed. Without a lifecycle policy every image ever pushed is kept and billed,
including the untagged ones each re-push of a tag leaves behind. With mutable tags, \`:v1.2\`
today and \`:v1.2\` tomorrow can be different images, so what runs cannot be traced to a build.

## Fix
For every \`AWS::ECR::Repository\`:
- no \`ImageScanningConfiguration.ScanOnPush\`: sets \`ScanOnPush: true\` (basic scanning, free).
  An explicit \`false\` is reported (CT.ECR.PR.2).
- no \`LifecyclePolicy\`: adds one whose \`LifecyclePolicyText\` expires untagged images
  \`untaggedDays\` (30) days after they were pushed (CT.ECR.PR.1). Tagged images are never touched.
- no \`ImageTagMutability\`: reported (CT.ECR.PR.3). With \`immutableTags: true\` it is set to
  \`IMMUTABLE\` as an unsafe fix. An explicit \`MUTABLE\` is always reported, never changed.

Computed values (Fn::If, parameters) are left alone.

## Fix safety
Scan on push: safe, an in-place update. The lifecycle policy is unsafe: it deletes images. An
image a tag no longer points to may still be in use by digest (a Lambda function's container
image, an ECS task definition or Kubernetes manifest pinned to \`@sha256:\`), and ECR deletes it
once it is older than \`untaggedDays\`. Immutable tags are unsafe: a pipeline that re-pushes a
tag (\`:latest\`, \`:dev\`) fails with ImageTagAlreadyExistsException from then on.

## Options
- \`untaggedDays\` (integer, default 30): age in days after which untagged images expire.
- \`immutableTags\` (default false): fix missing \`ImageTagMutability\` with \`IMMUTABLE\` (unsafe).
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const days = Number.isInteger(options.untaggedDays) && options.untaggedDays > 0 ? options.untaggedDays : 30;
    for (const repo of resources(template, 'AWS::ECR::Repository')) {
      if (repo.resource.Properties !== undefined && !repo.properties) continue;

      const scanning = property(repo, 'ImageScanningConfiguration');
      const scan = property(repo, 'ImageScanningConfiguration', 'ScanOnPush');
      if (scan === undefined && (scanning === undefined || (asObject(scanning.value) && !intrinsicName(scanning.value)))) {
        fx.setProperty(repo.id, ['ImageScanningConfiguration', 'ScanOnPush'], true);
        findings.push({ pointer: repo.pointer, messageId: 'noScanOnPush', message: `Repository ${repo.id} does not scan images on push`, fix: fx.take() });
      } else if (scan !== undefined && scan.value !== true && scan.value !== 'true' && !intrinsicName(scan.value)) {
        findings.push({ pointer: scan.pointer, messageId: 'scanOnPushOff', message: `Repository ${repo.id} turns scan on push off` });
      }

      if (property(repo, 'LifecyclePolicy') === undefined) {
        fx.setProperty(repo.id, ['LifecyclePolicy'], { LifecyclePolicyText: untaggedExpiryPolicy(days) });
        findings.push({
          pointer: repo.pointer,
          messageId: 'noLifecyclePolicy',
          message: `Repository ${repo.id} keeps every image forever; untagged images now expire after ${days} days`,
          fix: { ...fx.take(), safety: 'unsafe' },
        });
      }

      const mutability = property(repo, 'ImageTagMutability');
      if (mutability === undefined) {
        if (options.immutableTags) fx.setProperty(repo.id, ['ImageTagMutability'], 'IMMUTABLE');
        const fix = fx.take();
        findings.push({
          pointer: repo.pointer,
          messageId: 'mutableTags',
          message: `Repository ${repo.id} lets a push move an existing tag to another image`,
          ...(fix.ops.length > 0 ? { fix: { ...fix, safety: 'unsafe' as const } } : {}),
        });
      } else if (mutability.value === 'MUTABLE') {
        findings.push({ pointer: mutability.pointer, messageId: 'mutableTagsChosen', message: `Repository ${repo.id} sets ImageTagMutability to MUTABLE` });
      }
    }
    return findings;
  },
});
