import { defineTransform } from '../src/transform.js';
import { anonymousOriginBuckets } from '../src/cfn/cloudfront.js';
import { Fixer } from '../src/cfn/fixer.js';
import { policyOfProperties, principalsOf, type StatementView } from '../src/cfn/iam.js';
import { property, propertiesComputed, resources, type ResourceView } from '../src/cfn/query.js';
import { aclWriters, BUCKET_TYPE, bucketPoliciesOf } from '../src/cfn/s3.js';
import { asObject, intrinsicName } from '../src/cfn/values.js';
import type { Finding, JsonObject, Template } from '../src/types.js';

const FLAGS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'] as const;

/** Canned ACLs that grant access to everyone (or every AWS account): BlockPublicAcls refuses them. */
const PUBLIC_ACLS = ['PublicRead', 'PublicReadWrite', 'AuthenticatedRead'];

/**
 * Condition keys that, given fixed values, make a statement for every principal non-public in
 * S3's sense (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
 */
const FIXING_KEYS = new Set(
  [
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceIp',
    'aws:PrincipalOrgID',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalServiceName',
    'aws:userid',
    's3:DataAccessPointArn',
    's3:DataAccessPointAccount',
  ].map((k) => k.toLowerCase()),
);

/** True when an Allow statement for every principal is not limited by a condition S3 counts as fixing it. */
function publicStatement(s: StatementView): boolean {
  if (s.effect !== 'Allow' || !principalsOf(s, 'AWS').includes('*')) return false;
  const keys = Object.values(s.condition ?? {}).flatMap((block) => Object.keys(asObject(block) ?? {}));
  return !keys.some((k) => FIXING_KEYS.has(k.toLowerCase()));
}

/** Why a bucket is public on purpose (or may be), or undefined. */
function publicUse(t: Template, bucket: ResourceView, anonymousOrigins: Map<string, string[]>): string | undefined {
  if (property(bucket, 'WebsiteConfiguration') !== undefined) return 'hosts a static website (the website endpoint serves anonymous requests)';
  const acl = property(bucket, 'AccessControl')?.value;
  if (typeof acl === 'string' && PUBLIC_ACLS.includes(acl)) return `sets the public canned ACL ${acl}`;
  if (acl !== undefined && typeof acl !== 'string') return 'sets a computed AccessControl';
  const distributions = anonymousOrigins.get(bucket.id);
  if (distributions) return `is read anonymously by CloudFront distribution ${distributions.join(', ')} (no origin access control or identity)`;
  for (const policy of bucketPoliciesOf(t, bucket.id)) {
    const view = policyOfProperties(policy.properties, policy.propertiesPointer);
    if (view.kind === 'opaque') return `has bucket policy ${policy.id}, which tapfix cannot read (${view.reason})`;
    const open = view.statements.find(publicStatement);
    if (open) return `has bucket policy ${policy.id} allowing every principal${open.sid ? ` (statement ${open.sid})` : ''}`;
  }
  return undefined;
}

export default defineTransform({
  meta: {
    id: 's3-block-public-access',
    title: 'Block public access to S3 buckets that are not public on purpose',
    severity: 'high',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.S3.PR.1', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/s3/ct-s3-pr-1.guard' },
      { tool: 'checkov', id: 'CKV_AWS_53', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/S3BlockPublicACLs.py' },
      { tool: 'checkov', id: 'CKV_AWS_54', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/S3BlockPublicPolicy.py' },
      { tool: 'checkov', id: 'CKV_AWS_55', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/S3IgnorePublicACLs.py' },
      { tool: 'checkov', id: 'CKV_AWS_56', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/S3RestrictPublicBuckets.py' },
    ],
    defaultOptions: {},
    docs: `## Why
A public ACL or bucket policy, written by the template or added later by hand or by software,
exposes the bucket's data to the internet; it is the most common cause of S3 data leaks. S3 Block
Public Access refuses public ACLs and policies (\`BlockPublicAcls\`, \`BlockPublicPolicy\`) and
neutralises any that exist (\`IgnorePublicAcls\`, \`RestrictPublicBuckets\`). AWS Control Tower
checks all four with CT.S3.PR.1; Security Hub S3.8 asks for them too.

## Fix
Sets \`PublicAccessBlockConfiguration\` with \`BlockPublicAcls\`, \`BlockPublicPolicy\`,
\`IgnorePublicAcls\` and \`RestrictPublicBuckets\` all \`true\` on every \`AWS::S3::Bucket\` without
it; where the configuration is there but leaves flags out, the missing flags are added as \`true\`.

Reported, not changed, because blocking would break them (or the stack):
- a bucket that is public on purpose: it has a \`WebsiteConfiguration\` (website endpoints serve
  anonymous requests), a public canned ACL (\`PublicRead\`, \`PublicReadWrite\`,
  \`AuthenticatedRead\`: with \`BlockPublicAcls\` CloudFormation could not even set it), a bucket
  policy with an \`Allow\` for every principal (\`Principal: "*"\`) not limited by a condition S3
  counts as non-public (\`aws:SourceArn\`, \`aws:SourceAccount\`, \`aws:SourceVpc(e)\`,
  \`aws:SourceIp\`, \`aws:PrincipalOrgID\`, \`aws:PrincipalArn\`, ..., see
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status),
  or it is the origin of a CloudFront distribution that reads it anonymously (through the
  website endpoint, or the REST endpoint without origin access control or an origin access
  identity). A CloudFront origin with OAC or OAI is not public: those buckets are blocked;
- a bucket policy tapfix cannot read (computed by an intrinsic);
- an explicit \`false\` on any of the four flags: a decision the author made.
A computed \`PublicAccessBlockConfiguration\` is left alone.

## Fix safety
Safe for what the template shows: since April 2023 S3 turns Block Public Access on for every new
bucket, so for new stacks the fix writes the default down. On an older bucket it can change
behaviour the template does not show: objects uploaded with a \`public-read\` ACL stop being
public (\`IgnorePublicAcls\`). The fix is marked **unsafe** for a bucket when a template IAM
policy lets software set object or bucket ACLs on it (\`s3:PutObjectAcl\`, \`s3:PutBucketAcl\` named
in an action), the usual sign of such uploads.

## Options
None.
`,
  },
  check({ template: t }) {
    const findings: Finding[] = [];
    const fx = new Fixer(t);
    const anonymousOrigins = anonymousOriginBuckets(t);
    for (const bucket of resources(t, BUCKET_TYPE)) {
      if (propertiesComputed(bucket)) continue;
      const config = property(bucket, 'PublicAccessBlockConfiguration');
      const flags = asObject(config?.value);
      if (config !== undefined && (!flags || intrinsicName(flags) !== undefined)) continue;
      if (flags && FLAGS.every((f) => flags[f] === true)) continue;
      const off = FLAGS.filter((f) => flags?.[f] === false || flags?.[f] === 'false');
      if (off.length > 0) {
        findings.push({
          pointer: config!.pointer,
          messageId: 'publicAccessAllowed',
          message: `Bucket ${bucket.id} turns off ${off.join(', ')}; public ACLs or policies can expose its data`,
        });
        continue;
      }
      const missing = FLAGS.filter((f) => flags?.[f] === undefined);
      if (missing.length === 0) continue;
      const why = publicUse(t, bucket, anonymousOrigins);
      if (why !== undefined) {
        findings.push({
          pointer: config?.pointer ?? bucket.pointer,
          messageId: 'publicBucket',
          message: `Bucket ${bucket.id} does not block public access and ${why}; blocking it would break that, so it is left as it is`,
        });
        continue;
      }
      if (flags === undefined) fx.setProperty(bucket.id, ['PublicAccessBlockConfiguration'], Object.fromEntries(FLAGS.map((f) => [f, true])) as JsonObject);
      else for (const f of missing) fx.setProperty(bucket.id, ['PublicAccessBlockConfiguration', f], true);
      const writers = aclWriters(t, bucket.id);
      if (writers.length > 0) fx.unsafe();
      findings.push({
        pointer: config?.pointer ?? bucket.pointer,
        messageId: 'publicAccessNotBlocked',
        message:
          `Bucket ${bucket.id} does not block public access (${missing.join(', ')}); fix: turn on all four Block Public Access settings` +
          (writers.length > 0 ? ` (unsafe: ${writers.join(', ')} may upload objects with public ACLs, which would stop being public)` : ''),
        fix: fx.take(),
      });
    }
    return findings;
  },
});
