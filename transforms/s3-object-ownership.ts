import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { logDestinations } from '../src/cfn/logs.js';
import { property, propertiesComputed, resources } from '../src/cfn/query.js';
import { aclWriters, BUCKET_TYPE } from '../src/cfn/s3.js';
import type { Finding } from '../src/types.js';

/** Canned ACLs that, set on a bucket, grant nothing beyond the bucket owner's own full control. */
const OWNER_ONLY_ACLS = ['Private', 'BucketOwnerFullControl', 'BucketOwnerRead'];

export default defineTransform({
  meta: {
    id: 's3-object-ownership',
    title: 'Manage S3 bucket access with policies, not ACLs',
    severity: 'low',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.S3.PR.5', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/s3/ct-s3-pr-5.guard' },
      { tool: 'cfn-lint', id: 'W3045', source: 'https://github.com/aws-cloudformation/cfn-lint/blob/main/src/cfnlint/rules/resources/s3/AccessControlObsolete.py' },
    ],
    defaultOptions: {},
    docs: `## Why
ACLs are S3's legacy access model: grants live on the bucket and on every object, objects
uploaded by another account belong to that account, and who can read what cannot be seen in one
place. AWS recommends disabling them (Object Ownership \`BucketOwnerEnforced\`) and managing access
with bucket and IAM policies only. AWS Control Tower checks with CT.S3.PR.5 that a bucket sets no
\`AccessControl\`; cfn-lint calls the property legacy (W3045).

## Fix
A bucket whose \`AccessControl\` is a canned ACL that grants nothing beyond the owner
(\`Private\`, \`BucketOwnerFullControl\`, \`BucketOwnerRead\`: on a bucket all three mean "the owner
only", the default) loses the property, and when it sets no \`OwnershipControls\` gets
\`OwnershipControls: {Rules: [{ObjectOwnership: BucketOwnerEnforced}]}\`, which turns ACLs off and
makes the bucket owner own every object. An \`OwnershipControls\` the author wrote
(\`ObjectWriter\`, \`BucketOwnerPreferred\`) is kept.

A bucket that receives CloudFront standard logs keeps ACLs enabled: CloudFront's legacy log
delivery writes through ACLs (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html),
so only the redundant \`Private\` ACL is removed there, without \`BucketOwnerEnforced\`.

Reported, not changed: ACLs that grant access (\`PublicRead\`, \`PublicReadWrite\`,
\`AuthenticatedRead\`, \`AwsExecRead\`, \`LogDeliveryWrite\`). \`LogDeliveryWrite\` is how older
templates let S3 server access logs in; s3-access-logging replaces it with a bucket-policy grant
where the bucket's deliveries allow it. A computed \`AccessControl\` is left alone.

Buckets with Properties but without \`AccessControl\` pass the control and are not changed:
since April 2023 new buckets have ACLs disabled (\`BucketOwnerEnforced\`) by default, and writing
it onto an older bucket could break writers that still send ACLs. A bucket without any
\`Properties\` fails the control's rule (it reads \`Properties\`); it gets
\`OwnershipControls: BucketOwnerEnforced\`, written out, unless it receives CloudFront standard
logs.

## Fix safety
Safe: removing an owner-only canned ACL changes no permission. \`BucketOwnerEnforced\` makes
requests that set ACLs other than \`bucket-owner-full-control\` fail; the fix is marked **unsafe**
for a bucket when a template IAM policy lets software set object or bucket ACLs on it
(\`s3:PutObjectAcl\`, \`s3:PutBucketAcl\` named in an action).

## Options
None.
`,
  },
  check({ template: t }) {
    const findings: Finding[] = [];
    const fx = new Fixer(t);
    const destinations = logDestinations(t);
    for (const bucket of resources(t, BUCKET_TYPE)) {
      if (propertiesComputed(bucket)) continue;
      if (bucket.resource.Properties === undefined) {
        // The control's rule reads Properties, so a bucket without any fails it; it gets the
        // ownership setting every bucket created since April 2023 has by default.
        if (destinations.get(bucket.id)?.has('cloudfront-logs')) continue;
        fx.setProperty(bucket.id, ['OwnershipControls'], { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
        const writers = aclWriters(t, bucket.id);
        if (writers.length > 0) fx.unsafe();
        findings.push({
          pointer: bucket.pointer,
          messageId: 'noOwnershipSetting',
          message:
            `Bucket ${bucket.id} has no Properties, so nothing says its ACLs are disabled; fix: OwnershipControls BucketOwnerEnforced` +
            (writers.length > 0 ? ` (unsafe: ${writers.join(', ')} may set ACLs, which BucketOwnerEnforced refuses)` : ''),
          fix: fx.take(),
        });
        continue;
      }
      const acl = property(bucket, 'AccessControl');
      if (acl === undefined || typeof acl.value !== 'string') continue;
      if (!OWNER_ONLY_ACLS.includes(acl.value)) {
        findings.push({
          pointer: acl.pointer,
          messageId: 'aclGrantsAccess',
          message: `Bucket ${bucket.id} grants access with the ${acl.value} ACL; manage it with a bucket policy instead and disable ACLs (BucketOwnerEnforced)`,
        });
        continue;
      }
      fx.remove(acl.pointer);
      const cloudFrontLogs = destinations.get(bucket.id)?.has('cloudfront-logs') ?? false;
      const enforce = property(bucket, 'OwnershipControls') === undefined && !cloudFrontLogs;
      if (enforce) fx.setProperty(bucket.id, ['OwnershipControls'], { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      const writers = enforce ? aclWriters(t, bucket.id) : [];
      if (writers.length > 0) fx.unsafe();
      findings.push({
        pointer: acl.pointer,
        messageId: 'ownerOnlyAcl',
        message:
          `Bucket ${bucket.id} sets the ${acl.value} ACL, which grants nothing the owner does not have; fix: remove it` +
          (enforce ? ' and disable ACLs (OwnershipControls BucketOwnerEnforced)' : cloudFrontLogs ? ' (ACLs stay enabled: the bucket receives CloudFront standard logs)' : '') +
          (writers.length > 0 ? ` (unsafe: ${writers.join(', ')} may set ACLs, which BucketOwnerEnforced refuses)` : ''),
        fix: fx.take(),
      });
    }
    return findings;
  },
});
