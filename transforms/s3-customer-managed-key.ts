import { defineTransform } from '../src/transform.js';
import { CLOUDFRONT_SERVICE, type CloudFrontOrigin, cloudFrontOrigins } from '../src/cfn/cloudfront.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf, dependsOnResource } from '../src/cfn/graph.js';
import { policyOfProperties, principalsOf, statementAllows, statementViews, type StatementView } from '../src/cfn/iam.js';
import {
  addKeyPolicyStatements,
  cloudFrontKeyStatement,
  cloudTrailKeyStatements,
  createdKeyProperties,
  keyOf,
  keyPolicyDelegatesToIam,
  keyPolicyEditable,
  KMS_ALIAS,
  KMS_KEY,
  logsKeyStatement, isSymmetricEncryptionKey } from '../src/cfn/kms.js';
import { type LogDestinationKind, logDestinations, logGroupsByKey, trailDestinations } from '../src/cfn/logs.js';
import { freshLogicalId } from '../src/cfn/naming.js';
import { pointer } from '../src/cfn/pointer.js';
import { property, propertiesComputed, resource, resources, type ResourceView } from '../src/cfn/query.js';
import { BUCKET_TYPE, bucketEncryption, type BucketEncryption, bucketOfName, bucketPoliciesOf } from '../src/cfn/s3.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { intrinsicName, subText } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

const ID = 's3-customer-managed-key';

interface Options extends Record<string, unknown> {
  /** Fn::Sub text of the alias created with a new key. */
  aliasName: string;
}

const KIND_TEXT: Record<LogDestinationKind, string> = {
  'access-logs': 'S3 server access logs',
  'load-balancer-logs': 'load balancer access logs',
  'vended-logs': 'log deliveries from delivery.logs.amazonaws.com (VPC flow logs, NLB access logs)',
  'cloudfront-logs': 'CloudFront standard logs',
};

/** The statements of every bucket policy of a bucket. */
function bucketPolicyStatements(t: Template, bucket: string): StatementView[] {
  return bucketPoliciesOf(t, bucket).flatMap(({ id }) => {
    const policy = resource(t, id)!;
    return policyOfProperties(policy.properties, policy.propertiesPointer).statements;
  });
}

/** Why a bucket that could move to SSE-KMS is left alone, or undefined. `origins`: the CloudFront origins it is. */
function blocker(t: Template, bucket: ResourceView, origins: readonly CloudFrontOrigin[]): string | undefined {
  const props = bucket.properties ?? {};
  if (props['WebsiteConfiguration'] !== undefined) {
    return 'it hosts a static website, and anonymous website requests cannot decrypt SSE-KMS objects';
  }
  if (props['AccessControl'] === 'PublicRead' || props['AccessControl'] === 'PublicReadWrite') {
    return 'it is publicly readable, and anonymous requests cannot decrypt SSE-KMS objects';
  }
  if (props['ReplicationConfiguration'] !== undefined) {
    return 'it replicates to another bucket, and S3 replicates SSE-KMS objects only when the replication rule opts in (SseKmsEncryptedObjects) and its role can use both keys';
  }
  if (origins.some((o) => !o.oac)) {
    return `it is an origin of CloudFront distribution ${origins.filter((o) => !o.oac).map((o) => o.distribution).join(', ')} without origin access control, and only origin access control can read SSE-KMS objects`;
  }
  for (const channel of resources(t, 'AWS::Config::DeliveryChannel')) {
    if (bucketOfName(t, property(channel, 'S3BucketName')?.value) === bucket.id) {
      return 'AWS Config delivers to it, and Config needs its own grant on a customer managed key';
    }
  }
  for (const statement of bucketPolicyStatements(t, bucket.id)) {
    const condition = statement.condition;
    if (condition && JSON.stringify(condition).includes('"s3:x-amz-server-side-encryption":') && /"AES256"/.test(JSON.stringify(condition))) {
      return 'its bucket policy requires SSE-S3 (AES256) uploads';
    }
    if (statement.effect !== 'Allow') continue;
    const anonymous = principalsOf(statement, 'AWS').includes('*');
    if (anonymous && statement.statement['Condition'] === undefined && statementAllows(statement, 's3:GetObject')) {
      return 'its bucket policy lets anyone read objects, and anonymous requests cannot decrypt SSE-KMS objects';
    }
    // CloudTrail and CloudFront origin access control get their key grant with the move.
    const writers = principalsOf(statement, 'Service').filter((s) => s !== 'cloudtrail.amazonaws.com' && !(s === CLOUDFRONT_SERVICE && origins.length > 0));
    if (writers.length > 0 && statementAllows(statement, 's3:PutObject')) {
      return `${writers.join(', ')} writes objects to it and would need a grant on the key`;
    }
  }
  return undefined;
}

/** The template key of a kms bucket when it can be shared with other buckets. */
function shareableKey(t: Template, keyId: string | undefined): string | undefined {
  const key = keyId === undefined ? undefined : resource(t, keyId);
  if (!key || key.type !== KMS_KEY || key.condition !== undefined || !isSymmetricEncryptionKey(key)) return undefined;
  if (!keyPolicyDelegatesToIam(property(key, 'KeyPolicy')?.value)) return undefined;
  return key.id;
}

/** What a key's policy must allow for the buckets it encrypts (or is about to) and the log groups it encrypts. */
interface KeyNeed {
  trails: string[];
  logGroups: string[];
  /** Distributions that read the key's buckets through origin access control. */
  distributions: string[];
  /** One of those origins takes uploads (PUT/POST behaviors and a bucket policy allowing s3:PutObject). */
  uploads: boolean;
  /** Buckets the fix moves onto the key: dependencies that do not exist yet. */
  moving: string[];
}

const isCloudTrailPrincipal = (p: string): boolean => p === 'cloudtrail.amazonaws.com';
/** The regional CloudWatch Logs principal, literal or `logs.${AWS::Region}.amazonaws.com`. */
const isRegionalLogsPrincipal = (p: string): boolean => /^logs\.[^.]+\.amazonaws\.com(\.cn)?$/.test(p);
const isCloudFrontPrincipal = (p: string): boolean => p === CLOUDFRONT_SERVICE;

/** True when a key policy lets a service (matched on its principal text) call `action`; a statement for every principal counts. */
function keyPolicyAllowsService(policy: unknown, service: (principal: string) => boolean, action: string): boolean {
  return statementViews(policy).some((s) => statementAllows(s, action) && (principalsOf(s, 'AWS').includes('*') || principalsOf(s, 'Service').some(service)));
}

/** True when viewers upload into the bucket through CloudFront: an origin forwards PUT/POST and the bucket policy lets CloudFront put objects. */
function takesUploads(t: Template, bucket: string, origins: readonly CloudFrontOrigin[]): boolean {
  if (!origins.some((o) => o.uploads)) return false;
  return bucketPolicyStatements(t, bucket).some((s) => principalsOf(s, 'Service').includes(CLOUDFRONT_SERVICE) && statementAllows(s, 's3:PutObject'));
}

/**
 * The distributions a CloudFront grant names in AWS:SourceArn, or undefined for every
 * distribution of the account when naming one would close a cycle (the distribution's origin
 * names the bucket, the bucket names the key) or reference a resource the key may exist without.
 */
function cloudFrontScope(t: Template, keyId: string, need: KeyNeed): string[] | undefined {
  const moving = new Map(need.moving.map((bucket) => [bucket, [keyId]]));
  const keyCondition = resource(t, keyId)?.condition;
  const nameable = need.distributions.every((d) => {
    const condition = resource(t, d)?.condition;
    return (condition === undefined || condition === keyCondition) && !dependsOnResource(t, d, keyId, moving);
  });
  return nameable ? need.distributions : undefined;
}

/** Statements missing from a key's policy for what it encrypts, and the services they are for. */
function missingKeyStatements(t: Template, keyId: string, need: KeyNeed): { statements: JsonObject[]; services: string[] } {
  const key = resource(t, keyId);
  const policy = key && property(key, 'KeyPolicy')?.value;
  const statements: JsonObject[] = [];
  const services: string[] = [];
  if (need.trails.length > 0) {
    const [encrypt, describe] = cloudTrailKeyStatements(t, need.trails);
    const before = statements.length;
    if (!keyPolicyAllowsService(policy, isCloudTrailPrincipal, 'kms:GenerateDataKey')) statements.push(encrypt!);
    if (!keyPolicyAllowsService(policy, isCloudTrailPrincipal, 'kms:DescribeKey')) statements.push(describe!);
    if (statements.length > before) services.push(`CloudTrail (trail ${need.trails.join(', ')}) writes`);
  }
  if (need.logGroups.length > 0 && !keyPolicyAllowsService(policy, isRegionalLogsPrincipal, 'kms:GenerateDataKey')) {
    statements.push(logsKeyStatement());
    services.push(`CloudWatch Logs (log group ${need.logGroups.join(', ')}) writes`);
  }
  if (need.distributions.length > 0) {
    const actions = [
      ...(keyPolicyAllowsService(policy, isCloudFrontPrincipal, 'kms:Decrypt') ? [] : ['kms:Decrypt']),
      ...(need.uploads && !keyPolicyAllowsService(policy, isCloudFrontPrincipal, 'kms:GenerateDataKey') ? ['kms:Encrypt', 'kms:GenerateDataKey*'] : []),
    ];
    if (actions.length > 0) {
      statements.push(cloudFrontKeyStatement(actions, cloudFrontScope(t, keyId, need)));
      services.push(`CloudFront (distribution ${need.distributions.join(', ')}) serves`);
    }
  }
  return { statements, services };
}

/** Moves the bucket's default encryption to SSE-KMS with `keyArn` and an S3 Bucket Key. */
function encrypt(fx: Fixer, bucket: ResourceView, enc: BucketEncryption, keyArn: JsonValue): void {
  if (enc.state === 'none') {
    const rule = { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn }, BucketKeyEnabled: true };
    fx.setProperty(bucket.id, ['BucketEncryption'], { ServerSideEncryptionConfiguration: [rule] });
    return;
  }
  const rule = property(bucket, 'BucketEncryption', 'ServerSideEncryptionConfiguration', 0)!;
  const byDefault = `${rule.pointer}/ServerSideEncryptionByDefault`;
  if (enc.state === 'sse-s3') fx.set(`${byDefault}/SSEAlgorithm`, 'aws:kms');
  fx.set(`${byDefault}/KMSMasterKeyID`, keyArn);
  const bucketKey = property(bucket, 'BucketEncryption', 'ServerSideEncryptionConfiguration', 0, 'BucketKeyEnabled')?.value;
  if (bucketKey === undefined || (bucketKey !== true && enc.state === 'sse-s3')) fx.set(`${rule.pointer}/BucketKeyEnabled`, true);
}

export default defineTransform<Options>({
  meta: {
    id: 's3-customer-managed-key',
    title: 'Encrypt S3 buckets with a customer managed KMS key',
    severity: 'high',
    safety: 'unsafe',
    seeds: ['001#3'],
    equivalents: [
      { tool: 'cfn_nag', id: 'W41', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/S3BucketEncryptionSetRule.rb', note: 'only a bucket without BucketEncryption' },
      { tool: 'control-tower', id: 'CT.S3.PR.10', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/s3/ct-s3-pr-10.guard', note: 'accepts any KMS key, the AWS managed aws/s3 key included' },
    ],
    order: 30,
    defaultOptions: { aliasName: 'alias/${AWS::StackName}-s3' },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { aliasName: { type: 'string', pattern: '^alias/' } } },
    docs: `## Why
Buckets without default encryption settings, or with SSE-S3 (\`AES256\`) or the AWS managed
\`aws/s3\` key, are encrypted with keys you do not control: you cannot rotate them on your terms,
restrict who may decrypt, disable them in an incident, or audit every decrypt in CloudTrail.
Regulated workloads usually require a customer managed key (CMK).

## Fix
Moves every such bucket to SSE-KMS with a customer managed key:
\`SSEAlgorithm: aws:kms\`, \`KMSMasterKeyID: !GetAtt Key.Arn\` and \`BucketKeyEnabled: true\`
(the S3 Bucket Key cuts KMS requests and cost by up to 99%).

The key is the one the template already uses for S3 when there is exactly one, its key policy
lets IAM policies grant access and it does not depend on a bucket to move (a key policy naming a
role whose policy names the bucket: bucket, key and role would wait for each other, which
CloudFormation rejects), or the one this rule created before, found by its alias;
otherwise one new key is shared by all buckets fixed in
the template: a symmetric \`AWS::KMS::Key\` with \`EnableKeyRotation: true\`, \`DeletionPolicy\` and
\`UpdateReplacePolicy: Retain\` (deleting the key would make retained buckets unreadable) and a key
policy that delegates access to IAM in the account
(\`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root\`, \`kms:*\`), grants the services below what
they need, and denies \`kms:CreateGrant\` to every principal unless the grant is for an AWS
resource or the caller is an AWS service (\`BoolIfExists\` on \`kms:GrantIsForAWSResource\` and
\`aws:PrincipalIsAWSService\`, both \`"false"\`), plus an \`AWS::KMS::Alias\`
(\`alias/\${AWS::StackName}-s3\`). The key so passes the AWS Control Tower proactive controls for
keys ([CT.KMS.PR.1](https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html#ct-kms-pr-1-description)
rotation, [CT.KMS.PR.3](https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html#ct-kms-pr-3-description)
grants limited to AWS services; CT.KMS.PR.2, on RSA keys, does not apply), and the moved buckets
pass CT.S3.PR.10 (SSE-KMS default encryption).

The grant restriction stops none of the users of the key. S3 encrypts and decrypts objects with
the caller's own \`kms:GenerateDataKey\` / \`kms:Decrypt\` permission and creates no grant
([SSE-KMS permissions](https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)).
CloudTrail, CloudWatch Logs and CloudFront call KMS as their service principals, for which
\`aws:PrincipalIsAWSService\` is true
([global condition keys](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice)),
and the statements below give them cryptographic operations only. Services that create grants on
behalf of a role (EBS volumes launched by EC2 or by the Auto Scaling service-linked role, RDS, ...)
send \`CreateGrant\` with \`kms:GrantIsForAWSResource\` true
([AWS KMS condition keys](https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource),
[Auto Scaling key policy](https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html)),
which the statement lets through.

Services that write into such a bucket, or read it, with their own identity need the key too, and
get exactly that grant in the key policy:
- a bucket a CloudTrail trail in the template delivers to: \`cloudtrail.amazonaws.com\` may call
  \`kms:GenerateDataKey*\`, scoped with \`aws:SourceArn\` to the trail ARN (built from TrailName; a
  GetAtt of the trail would be a dependency cycle), and \`kms:DescribeKey\`, as the CloudTrail guide
  documents. The same grant is added to any template key that already encrypts a trail's bucket
  without it (a safe fix: without it CloudTrail cannot deliver).
- a key that also encrypts log groups: \`logs.\${AWS::Region}.amazonaws.com\` with the
  \`kms:EncryptionContext:aws:logs:arn\` condition.
- a bucket that CloudFront distributions of the template serve through origin access control (an
  origin with an \`OriginAccessControlId\` whose \`DomainName\` is the bucket's:
  \`GetAtt Bucket.RegionalDomainName\` / \`DomainName\`, \`\${Bucket}.s3...\`, or its BucketName
  followed by \`.s3\`): \`cloudfront.amazonaws.com\` may call \`kms:Decrypt\`, plus \`kms:Encrypt\` and
  \`kms:GenerateDataKey*\` when viewers upload (a cache behavior of the origin forwards PUT or POST
  and the bucket policy lets CloudFront \`s3:PutObject\`), scoped with \`AWS:SourceArn\`, as the
  CloudFront guide documents
  ([Restrict access to an Amazon S3 origin](https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html),
  SSE-KMS). The same grant is added to any template key that already encrypts such a bucket
  without it (a safe fix: without it every request through CloudFront fails with 403), and a
  bucket on a key defined outside the template is reported.

  The guide's condition names the distribution (\`StringEquals\` on
  \`arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${Distribution}\`). That
  form is used when the distribution does not depend on the key. Usually it does: its origin names
  the bucket (\`GetAtt Bucket.RegionalDomainName\`) and the bucket names the key, so a key policy
  naming the distribution closes the cycle Key -> Distribution -> Bucket -> Key, which
  CloudFormation rejects (cfn-lint E3004). The condition is then \`ArnLike\` on
  \`arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/*\`: the distributions of
  this account only, the form the AWS CDK generates for the same cycle
  (\`S3BucketOrigin.withOriginAccessControl\`). Which distribution may read the bucket is still
  decided by the bucket policy's own \`AWS:SourceArn\` condition, so the wider key grant opens no
  bucket to another distribution. \`ArnLike\` on the ARN already holds the account, so an
  \`aws:SourceAccount\` condition would add nothing. A distribution with a \`Condition\` the key
  does not share is never named either (the key would reference a resource that may not exist).

The catalogue's ideal grants \`s3.amazonaws.com\`, \`lambda.amazonaws.com\` and
\`logs.amazonaws.com\` the key unconditionally. That is not needed (S3 and Lambda use the caller's
permissions, and CloudWatch Logs uses the regional principal) and widens access, so it is not done.

Left as they are, silently: buckets that receive S3 server access logs (another bucket's
LoggingConfiguration destination, or a bucket-policy grant to \`logging.s3.amazonaws.com\`) or
load balancer access logs (\`access_logs.s3.bucket\` attributes, Classic ELB
AccessLoggingPolicy, bucket-policy grants to an ELB account or
\`logdelivery.elasticloadbalancing.amazonaws.com\`): these destinations support SSE-S3 only (see
\`notes\` in data/aws-facts.json), so SSE-S3 is right for them; \`s3-access-logging\` moves such
a bucket that uses SSE-KMS back to SSE-S3.

Left as they are, with a report:
- buckets that receive vended logs (\`delivery.logs.amazonaws.com\`: VPC flow logs, NLB access
  logs) or CloudFront standard logs: SSE-KMS works there only with a key-policy grant for the
  delivering service, so they keep SSE-S3.
- static websites, publicly readable buckets and CloudFront origins read without origin access
  control (anonymous and origin access identity readers cannot decrypt), buckets with replication
  rules, buckets other services (AWS Config, a service principal in the bucket policy) write into,
  and buckets whose policy requires AES256 uploads.

## Fix safety
Unsafe. Existing objects stay SSE-S3 (only new objects use the key), and every reader and
writer of new objects now needs \`kms:Decrypt\` / \`kms:GenerateDataKey\` on the key: roles in
other stacks, cross-account readers, and tools that download objects. \`ec2-role-kms\` adds the
grant to EC2 and Lambda roles in the template. IAM principals cannot create grants on the new key
themselves (only through an AWS service, for the resources it encrypts); a workflow that hands out
grants with \`CreateGrant\` directly needs its own key-policy exception. The added key costs about
1 USD a month.

## Options
- \`aliasName\` (default \`alias/\${AWS::StackName}-s3\`): Fn::Sub text of the new key's alias.
`,
  },
  check({ template: t, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(t);
    const trails = trailDestinations(t);
    const destinations = logDestinations(t);
    const cloudFront = cloudFrontOrigins(t);
    const servedBy = (bucket: string) => (cloudFront.get(bucket) ?? []).filter((o) => o.oac);
    const candidates: { bucket: ResourceView; enc: BucketEncryption }[] = [];
    const plannedKeyOf = new Map<string, string>();
    const encryptionOf = new Map<string, BucketEncryption>();

    for (const bucket of resources(t, BUCKET_TYPE)) {
      const { id } = bucket;
      const enc = bucketEncryption(t, bucket.resource);
      encryptionOf.set(id, enc);
      if (enc.keyId && (enc.state === 'kms' || enc.state === 'dsse')) plannedKeyOf.set(id, enc.keyId);
      const kinds = destinations.get(id);
      if (kinds) {
        // A server access log or load balancer log destination on SSE-S3 is as it must be (those
        // deliveries support nothing else): nothing to fix and nothing to report, so a template
        // tapfix has fixed (its AccessLogsBucket included) comes back clean on the next run.
        const sseS3Only = [...kinds].some((k) => k === 'access-logs' || k === 'load-balancer-logs');
        if (!sseS3Only && (enc.state === 'none' || enc.state === 'sse-s3')) {
          const others = [...kinds].map((k) => KIND_TEXT[k]).join(' and ');
          findings.push({
            pointer: bucket.pointer,
            severity: 'low',
            messageId: 'logDestination',
            message: `Bucket ${id} receives ${others}; it keeps SSE-S3, because a customer managed key would need a key-policy grant for the delivering service`,
          });
        }
        continue;
      }
      const origins = cloudFront.get(id) ?? [];
      if ((enc.state === 'kms' || enc.state === 'dsse') && !enc.keyId && servedBy(id).length > 0) {
        findings.push({
          pointer: pointer('Resources', id, 'Properties', 'BucketEncryption'),
          severity: 'low',
          messageId: 'cloudFrontOutsideKey',
          message: `Bucket ${id} is an origin of CloudFront distribution ${servedBy(id).map((o) => o.distribution).join(', ')} and is encrypted with a KMS key defined outside this template: that key's policy must let ${CLOUDFRONT_SERVICE} decrypt (scoped by AWS:SourceArn to the distribution), or every request through CloudFront fails with 403`,
        });
      }
      if (enc.state !== 'none' && enc.state !== 'sse-s3' && enc.state !== 'kms-aws-managed') continue;
      if (propertiesComputed(bucket) || intrinsicName(property(bucket, 'BucketEncryption')?.value)) continue;
      if (skipsTransform(bucket.resource, ID)) continue;
      const reason = blocker(t, bucket, origins);
      if (reason) {
        findings.push({
          pointer: bucket.pointer,
          severity: 'low',
          messageId: 'notMovable',
          message: `Bucket ${id} is not moved to a customer managed KMS key because ${reason}`,
        });
        continue;
      }
      candidates.push({ bucket, enc });
    }

    // Pick the key for the buckets to move: the one this rule created before (its alias), the
    // single key the template already uses for S3, or a new one.
    const aliasText = typeof options.aliasName === 'string' && options.aliasName ? options.aliasName : 'alias/${AWS::StackName}-s3';
    let keyId: string | undefined;
    let newKeyId: string | undefined;
    if (candidates.length > 0) {
      for (const alias of resources(t, KMS_ALIAS)) {
        if (subText(property(alias, 'AliasName')?.value) !== aliasText) continue;
        keyId = shareableKey(t, keyOf(t, property(alias, 'TargetKeyId')?.value));
        if (keyId) break;
      }
      if (!keyId) {
        const used = new Set<string>();
        for (const [bucket, k] of plannedKeyOf) if (encryptionOf.get(bucket)!.state === 'kms') used.add(k);
        const shareable = [...used].filter((k) => shareableKey(t, k));
        // A key whose policy names a role that uses one of the buckets (say) depends on that
        // bucket: encrypting the bucket with it would make each wait for the other.
        const independent = shareable.filter((k) => !candidates.some((c) => dependenciesOf(t, k).has(c.bucket.id)));
        if (used.size === 1 && independent.length === 1) keyId = independent[0];
      }
      if (!keyId) newKeyId = freshLogicalId(t, 'S3EncryptionKey', fx.taken);
      else if (!keyPolicyEditable(t, keyId)) {
        // The reused key's policy cannot be extended: buckets a service needs a grant for stay as they are.
        for (const c of candidates.filter((c) => trails.has(c.bucket.id) || servedBy(c.bucket.id).length > 0)) {
          candidates.splice(candidates.indexOf(c), 1);
          findings.push({
            pointer: c.bucket.pointer,
            severity: 'low',
            messageId: 'keyPolicyNotEditable',
            message: `Bucket ${c.bucket.id} is not moved to key ${keyId} because ${trails.has(c.bucket.id) ? 'CloudTrail writes to it' : 'CloudFront serves it'} and the key policy cannot be extended automatically`,
          });
        }
      }
    }
    const targetKey = keyId ?? newKeyId;
    const planned = new Map(plannedKeyOf);
    if (targetKey) for (const c of candidates) planned.set(c.bucket.id, targetKey);

    // Grants the keys lack for the services that write or serve their buckets and for the log
    // groups they encrypt: a safe fix when the template needs them already, part of the move otherwise.
    const logGroups = logGroupsByKey(t);
    const keyNeeds = (plan: Map<string, string>): Map<string, KeyNeed> => {
      const needs = new Map<string, KeyNeed>();
      for (const k of new Set(plan.values())) {
        const buckets = [...plan].filter(([, key]) => key === k).map(([bucket]) => bucket);
        needs.set(k, {
          trails: [...new Set(buckets.flatMap((b) => trails.get(b) ?? []))].sort(),
          logGroups: logGroups.get(k) ?? [],
          distributions: [...new Set(buckets.flatMap((b) => servedBy(b).map((o) => o.distribution)))].sort(),
          uploads: buckets.some((b) => takesUploads(t, b, servedBy(b))),
          moving: buckets.filter((b) => plannedKeyOf.get(b) !== k),
        });
      }
      return needs;
    };
    const existingNeeds = keyNeeds(plannedKeyOf);
    const plannedNeeds = keyNeeds(planned);
    for (const [k, need] of plannedNeeds) {
      if (k === newKeyId) continue;
      const { statements, services } = missingKeyStatements(t, k, need);
      if (statements.length === 0) continue;
      const before = existingNeeds.get(k);
      const neededNow = before !== undefined && missingKeyStatements(t, k, before).statements.length > 0;
      addKeyPolicyStatements(fx, k, statements);
      findings.push({
        pointer: pointer('Resources', k, 'Properties', 'KeyPolicy'),
        ...(neededNow
          ? { messageId: 'keyLacksServiceGrant', message: `Key ${k} encrypts data that ${services.join(' and ')}, but its key policy does not let the service use it` }
          : { messageId: 'keyNeedsServiceGrant', message: `Key ${k} is about to encrypt a bucket that ${services.join(' and ')}; its key policy must let the service use it` }),
        ...(fx.pending ? { fix: neededNow ? { ...fx.take(), safety: 'safe' as const } : fx.take() } : {}),
      });
    }

    if (!targetKey || candidates.length === 0) return findings;
    const keyArn: JsonValue = { 'Fn::GetAtt': [targetKey, 'Arn'] };

    if (newKeyId) {
      const { statements } = missingKeyStatements(t, newKeyId, plannedNeeds.get(newKeyId)!);
      fx.set(pointer('Resources', newKeyId), {
        Type: KMS_KEY,
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: createdKeyProperties('Customer managed key for S3 default bucket encryption', statements),
      });
      const aliasId = fx.addResource('S3EncryptionKeyAlias', { Type: KMS_ALIAS, Properties: { AliasName: { 'Fn::Sub': aliasText }, TargetKeyId: { Ref: newKeyId } } });
      findings.push({
        pointer: pointer('Resources'),
        messageId: 'newKey',
        message: `Adds customer managed KMS key ${newKeyId} (rotation enabled) and alias ${aliasId} for the default encryption of ${candidates.map((c) => c.bucket.id).join(', ')}`,
        fix: fx.take(),
      });
    }

    for (const { bucket, enc } of candidates) {
      const { id } = bucket;
      const what =
        enc.state === 'none'
          ? 'has no BucketEncryption, so S3 uses S3 managed keys (SSE-S3)'
          : enc.state === 'sse-s3'
            ? 'uses S3 managed keys (SSE-S3, AES256)'
            : 'uses the AWS managed key aws/s3';
      const served = servedBy(id).map((o) => o.distribution);
      const granted = [...(trails.has(id) ? [`CloudTrail (${trails.get(id)!.join(', ')})`] : []), ...(served.length ? [`CloudFront (${[...new Set(served)].join(', ')})`] : [])];
      const via = granted.length ? `; ${granted.join(' and ')} ${granted.length === 1 ? 'is' : 'are'} granted use of the key` : '';
      encrypt(fx, bucket, enc, keyArn);
      findings.push({
        pointer: enc.state === 'none' ? bucket.pointer : pointer('Resources', id, 'Properties', 'BucketEncryption'),
        messageId: 'notCustomerManagedKey',
        message: `Bucket ${id} ${what}, not a customer managed KMS key; fix: SSE-KMS with key ${targetKey} and an S3 Bucket Key${via}`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
