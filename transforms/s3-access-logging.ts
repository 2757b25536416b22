import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf, textWithoutDependencies } from '../src/cfn/graph.js';
import { policyOfProperties, principalsOf, statementAllows } from '../src/cfn/iam.js';
import { accessLogTargets, logDestinations, S3_LOGGING_SERVICE, trailDestinations } from '../src/cfn/logs.js';
import { freshLogicalId } from '../src/cfn/naming.js';
import { pointer } from '../src/cfn/pointer.js';
import { property, resource, resources, type ResourceView } from '../src/cfn/query.js';
import { BUCKET_POLICY_TYPE, BUCKET_TYPE, bucketByArn, bucketEncryption, bucketPoliciesOf, LOG_BUCKET_DEFAULT_OPTIONS, LOG_BUCKET_OPTIONS_SCHEMA, logBucketResource, tlsDenyStatement } from '../src/cfn/s3.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { asObject, intrinsicName, toList } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

interface Options extends Record<string, unknown> {
  /** Days after which access-log objects in a created log bucket expire. */
  expirationDays: number;
  /** Days after which noncurrent versions in a created log bucket expire. */
  noncurrentExpirationDays: number;
}

const ID = 's3-access-logging';
const CONDITION_KEY = 'aws:SourceArn';

function positiveInteger(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}

/**
 * The ARN of a bucket from its name, for a policy the bucket depends on (it waits for the log
 * bucket's policy, say), where `GetAtt B.Arn` would make each wait for the other; undefined when
 * the name is not plain text (or not given).
 */
function arnByName(t: Template, bucketId: string): JsonValue | undefined {
  const bucket = resource(t, bucketId);
  const name = textWithoutDependencies(t, bucket ? property(bucket, 'BucketName')?.value : undefined);
  return name === undefined ? undefined : { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${name}` };
}

/** True when `bucketId` depends on policy `policyId` and cannot be named in it without a reference. */
function unnameableIn(t: Template, bucketId: string, policyId: string): boolean {
  return dependenciesOf(t, bucketId).has(policyId) && arnByName(t, bucketId) === undefined;
}

/** `GetAtt B.Arn` (the ARN from its name in a policy `editedPolicy` it depends on), guarded by the bucket's Condition when it has one. */
function sourceArn(t: Template, bucketId: string, editedPolicy?: string): JsonValue {
  const byName = editedPolicy !== undefined && dependenciesOf(t, bucketId).has(editedPolicy) ? arnByName(t, bucketId) : undefined;
  const arn: JsonValue = byName ?? { 'Fn::GetAtt': [bucketId, 'Arn'] };
  const condition = resource(t, bucketId)?.condition;
  return condition !== undefined ? { 'Fn::If': [condition, arn, { Ref: 'AWS::NoValue' }] } : arn;
}

function loggingGrant(logBucketId: string, sources: JsonValue[]): JsonObject {
  const condition: JsonObject = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } };
  if (sources.length > 0) condition['ArnLike'] = { [CONDITION_KEY]: sources.length === 1 ? sources[0]! : sources };
  return {
    Sid: 'AllowS3ServerAccessLogs',
    Effect: 'Allow',
    Principal: { Service: S3_LOGGING_SERVICE },
    Action: 's3:PutObject',
    Resource: { 'Fn::Sub': '${' + logBucketId + '.Arn}/*' },
    Condition: condition,
  };
}

/** ObjectOwnership values of a bucket's OwnershipControls rules, as written. */
function objectOwnership(bucket: ResourceView): JsonValue[] {
  return toList(property(bucket, 'OwnershipControls', 'Rules')?.value).map((r) => asObject(r)?.['ObjectOwnership'] ?? null);
}

/** True when ownership settings keep ACLs enabled (the LogDeliveryWrite ACL then works). */
function aclsEnabled(bucket: ResourceView): boolean {
  return objectOwnership(bucket).some((o) => o === 'ObjectWriter' || o === 'BucketOwnerPreferred');
}

/** True when a bucket's ACL setup already lets the S3 log delivery group write (ACLs enabled). */
function aclDelivery(bucket: ResourceView): boolean {
  return property(bucket, 'AccessControl')?.value === 'LogDeliveryWrite' && aclsEnabled(bucket);
}

/** The grant operations for an existing log bucket, built in `fx`: 'none' when nothing is needed, 'blocked' when the policy cannot be edited. */
type GrantPlan = { at: string; missing: string[] } | 'none' | 'blocked';

/**
 * Lets `sources` deliver access logs into the existing log bucket `logBucketId` through its
 * bucket policy: a new policy, a grant appended to the one it has, or sources added to the
 * grant's aws:SourceArn condition.
 */
function planGrant(t: Template, fx: Fixer, logBucketId: string, sources: string[]): GrantPlan {
  const policies = bucketPoliciesOf(t, logBucketId);
  const views = policies.map((policy) => ({ policy, view: policyOfProperties(policy.properties, policy.propertiesPointer) }));
  const grants = views.flatMap(({ policy, view }) =>
    view.statements.filter((s) => principalsOf(s, 'Service').includes(S3_LOGGING_SERVICE) && statementAllows(s, 's3:PutObject')).map((s) => ({ s, policy: policy.id })),
  );
  if (grants.length === 0) {
    const logBucket = resource(t, logBucketId);
    if (logBucket && aclDelivery(logBucket)) return 'none';
    const edited = policies.length === 1 ? policies[0]!.id : undefined;
    const grant = loggingGrant(logBucketId, sources.map((s) => sourceArn(t, s, edited)));
    if (policies.length === 0) {
      fx.addResource(`${logBucketId}Policy`, {
        Type: BUCKET_POLICY_TYPE,
        Properties: {
          Bucket: { Ref: logBucketId },
          PolicyDocument: { Version: '2012-10-17', Statement: [grant, tlsDenyStatement(logBucketId)] },
        },
      });
      return { at: pointer('Resources', logBucketId), missing: sources };
    }
    const view = views[0]!.view;
    if (policies.length > 1 || view.kind === 'opaque') return 'blocked';
    fx.appendStatement(view, grant);
    return { at: view.pointer, missing: sources };
  }
  // A grant exists: make sure its aws:SourceArn condition (when it has one) names every source.
  for (const { s } of grants) {
    if (!JSON.stringify(s.statement['Condition'] ?? {}).includes(`"${CONDITION_KEY}"`)) return 'none';
  }
  const { s, policy } = grants[0]!;
  const condition = s.condition;
  if (!condition) return 'blocked';
  for (const operator of Object.keys(condition)) {
    const block = asObject(condition[operator]);
    if (!block || !Object.prototype.hasOwnProperty.call(block, CONDITION_KEY)) continue;
    const value = block[CONDITION_KEY]!;
    const entries = toList(value);
    if (entries.some((e) => typeof e === 'string' && e.includes('*'))) return 'none';
    const covered = new Set<string>();
    for (const e of entries) {
      const inner = intrinsicName(e) === 'Fn::If' ? toList((e as JsonObject)['Fn::If'] as JsonValue)[1] : e;
      const match = bucketByArn(t, inner);
      if (match && !match.objects) covered.add(match.bucket);
    }
    const missing = sources.filter((source) => !covered.has(source));
    if (missing.length === 0) return 'none';
    if (!operator.startsWith('Arn') && !operator.startsWith('String')) return 'blocked';
    const at = s.pointer + pointer('Condition', operator, CONDITION_KEY);
    const additions = missing.map((source) => sourceArn(t, source, policy));
    if (Array.isArray(value)) for (const addition of additions) fx.append(at, addition);
    else fx.set(at, [value, ...additions]);
    return { at: s.pointer, missing };
  }
  return 'none';
}

/** Why a bucket's access logging needs fixing, as the messageId and the words the message uses. */
interface LoggingProblem {
  messageId: 'noAccessLogging' | 'logsIntoItself' | 'logsIntoTrailBucket';
  why: string;
}

export default defineTransform<Options>({
  meta: {
    id: ID,
    title: 'Log S3 bucket access into a dedicated access-log bucket',
    severity: 'high',
    safety: 'safe',
    seeds: ['001#4'],
    equivalents: [
      { tool: 'cfn_nag', id: 'W35', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/S3BucketAccessLoggingRule.rb' },
      { tool: 'checkov', id: 'CKV_AWS_18', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/S3AccessLogs.py' },
      { tool: 'control-tower', id: 'CT.S3.PR.2', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/s3/ct-s3-pr-2.guard' },
    ],
    order: 20,
    defaultOptions: { ...LOG_BUCKET_DEFAULT_OPTIONS },
    optionsSchema: LOG_BUCKET_OPTIONS_SCHEMA,
    docs: `## Why
S3 server access logs record every request made to a bucket: who read or deleted which object,
from where. Without them an incident cannot be investigated (Security Hub S3.9, CIS AWS 3.6 for
the CloudTrail bucket). Writing them into the bucket CloudTrail delivers to mixes operational
logs with the audit trail: different readers, different retention, and one lifecycle rule
mistake away from deleting audit records. A bucket that logs into itself creates log objects
about its own log objects, without end.

## Fix
Every data bucket without \`LoggingConfiguration\`, logging into itself, or logging into a bucket
a CloudTrail trail of the template writes to, gets
\`LoggingConfiguration: {DestinationBucketName: !Ref AccessLogsBucket, LogFilePrefix: <Bucket>/}\`
(an existing \`LogFilePrefix\` is kept).

The access-log bucket is the template's existing one when there is one: a bucket that is the
logging destination of other buckets, or whose policy grants \`logging.s3.amazonaws.com\`, and that
no trail writes to (one that receives only S3 access logs is preferred over one that also takes
load balancer logs), and that does not depend on a bucket this rule would point at it: a log
bucket named after the bucket it serves (\`BucketName: !Sub '\${DataBucket}-logs'\`) cannot be that
bucket's destination, since each would then depend on the other and CloudFormation rejects the
cycle. In the grant's \`aws:SourceArn\` a bucket that depends on the log bucket's policy (it waits
for it with \`DependsOn\`, say) is named by an ARN built from its \`BucketName\`, for the same
reason; a log bucket whose policy would have to name such a bucket without a \`BucketName\` is not
used. Otherwise it is created once: \`AccessLogsBucket\` (\`S3AccessLogsBucket\`
when the name is taken) with SSE-S3 (the only default encryption S3 server access logging supports),
all four public-access blocks, versioning, \`OwnershipControls: BucketOwnerEnforced\`, a lifecycle
rule expiring logs after 90 days (noncurrent versions after 30, incomplete uploads after 7), and
\`DeletionPolicy\`/\`UpdateReplacePolicy: Retain\`. With ACLs disabled (BucketOwnerEnforced) log
delivery is granted by the bucket policy, not the \`LogDeliveryWrite\` ACL: \`AccessLogsBucketPolicy\`
allows \`logging.s3.amazonaws.com\` to \`s3:PutObject\` on \`\${AccessLogsBucket.Arn}/*\` with
\`aws:SourceAccount\` and \`aws:SourceArn\` (the source buckets) conditions, and denies requests
without TLS with the statement s3-enforce-tls writes (the form Control Tower's CT.S3.PR.8
recognises). A reused log bucket without a policy gets one with the same two statements. When a source bucket is added later, it is added to the \`aws:SourceArn\` list; a
reused log bucket without the grant gets it (in its existing policy, or a new one).

The created log bucket passes the AWS Control Tower S3 controls a log bucket can pass (public
access blocked, versioning, lifecycle rules, ACLs disabled, TLS-only policy) and, on purpose,
not these four, which a server access log destination cannot or should not satisfy (AWS S3 user
guide, "Enabling Amazon S3 server access logging",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html):
- CT.S3.PR.10 (SSE-KMS default encryption): "Default server-side encryption with AWS Key
  Management Service (AWS KMS) keys (SSE-KMS) is not supported" on the target bucket.
- CT.S3.PR.2 (server access logging): "Your target bucket should not have server access logging
  enabled"; logging it into itself makes a loop of logs about logs.
- CT.S3.PR.9 (Object Lock): "S3 buckets with S3 Object Lock can't be used as destination buckets
  for server access logs".
- CT.S3.PR.4 (event notifications): notifications are an opt-in feature that sends events to a
  destination the owner chooses (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html);
  nothing consumes an event per delivered log object, and no destination can be chosen for it.

A bucket that receives S3 server access logs or load balancer access logs and uses SSE-KMS
default encryption is moved to SSE-S3 (\`SSEAlgorithm: AES256\`, without \`KMSMasterKeyID\` and
\`BucketKeyEnabled\`): AWS documents SSE-S3 as the only default encryption those deliveries
support (notes in data/aws-facts.json), so with SSE-KMS the logs are not delivered. CT.S3.PR.10
then flags the bucket: that is the documented requirement of the delivery, not a regression
(S3: https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html;
ALB: "The only server-side encryption option that's supported is Amazon S3-managed keys
(SSE-S3)", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).

Not given logging (they are log buckets themselves): the access-log bucket, buckets other
buckets log into, load balancer log buckets, vended-log (\`delivery.logs.amazonaws.com\`, VPC
flow log) buckets and CloudFront standard-log buckets. Buckets CloudTrail writes to **do** get
access logging, into the access-log bucket: the audit trail's bucket is the one whose reads most
need recording (CIS AWS 3.6).

A bucket with \`AccessControl: LogDeliveryWrite\` and no ownership setting that enables ACLs
cannot be created since April 2023 (new buckets have ACLs disabled). On the access-log bucket,
whose policy now grants \`logging.s3.amazonaws.com\`, and on a load balancer log bucket no S3
server access logs go to (ELB delivers through the bucket policy, which elb-log-principal
completes; the ACL there is a mistaken attempt at it, not a sign of an access-log bucket), the ACL
is removed and, when the bucket sets no \`OwnershipControls\`, ACLs are kept off explicitly with
\`ObjectOwnership: BucketOwnerEnforced\`. On other buckets (CloudFront standard logging still
writes through ACLs) ACLs are enabled with \`OwnershipControls: ObjectOwnership: BucketOwnerPreferred\`.

The catalogue's ideal log bucket has no versioning, no ownership controls and no bucket policy;
since April 2023 new buckets have ACLs disabled, so without the policy grant no log would be
delivered.

## Fix safety
Safe: logging changes no access to the data. Access logs cost storage, bounded by the
lifecycle rule. Moving a log bucket from SSE-KMS to SSE-S3 is marked unsafe: new log objects are
no longer protected by the key's policy (existing objects keep their encryption).

## Options
- \`expirationDays\` (default 90): days before access-log objects in a created bucket expire.
- \`noncurrentExpirationDays\` (default 30): days before noncurrent log versions expire.
`,
  },
  check({ template: t, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(t);
    const buckets = resources(t, BUCKET_TYPE);
    const trails = trailDestinations(t);
    const targets = accessLogTargets(t);
    const kinds = logDestinations(t);
    const isTrailBucket = (id: string) => trails.has(id);
    // Buckets that take deliveries from AWS log services (a trail bucket only counts through
    // load-balancer or vended logs: access logs into it are what this rule moves away).
    const isLogBucket = (id: string) => {
      const k = kinds.get(id);
      if (!k) return false;
      if (k.has('load-balancer-logs') || k.has('vended-logs') || k.has('cloudfront-logs')) return true;
      return k.has('access-logs') && !isTrailBucket(id);
    };

    // An existing access-log bucket to reuse: one only S3 access logs go to before one that also
    // receives load-balancer or vended logs, then the most used one.
    const usage = new Map<string, number>();
    for (const [source, target] of targets) {
      if (target !== undefined && target !== source) usage.set(target, (usage.get(target) ?? 0) + 1);
    }
    // Why a bucket's access logging needs fixing, or undefined when it does not.
    const loggingProblem = (bucket: ResourceView): LoggingProblem | undefined => {
      const { id } = bucket;
      if (isLogBucket(id) || skipsTransform(bucket.resource, ID)) return undefined;
      if (bucket.resource.Properties !== undefined && !bucket.properties) return undefined;
      const logging = property(bucket, 'LoggingConfiguration')?.value;
      if (logging === undefined) return { messageId: 'noAccessLogging', why: '' };
      const config = asObject(logging);
      if (!config || intrinsicName(config)) return undefined;
      const target = targets.get(id);
      if (target === id) return { messageId: 'logsIntoItself', why: 'logs into itself, so every log delivery adds more logs' };
      if (target !== undefined && isTrailBucket(target)) {
        return { messageId: 'logsIntoTrailBucket', why: `logs into ${target}, the bucket CloudTrail (${trails.get(target)!.join(', ')}) delivers the audit trail to` };
      }
      return undefined;
    };
    const toFix = new Set(buckets.filter((bucket) => loggingProblem(bucket) !== undefined).map((bucket) => bucket.id));

    let logBucket: string | undefined;
    let best = -1;
    for (const { id, resource: r } of buckets) {
      const k = kinds.get(id);
      if (!k?.has('access-logs') || isTrailBucket(id) || r.Condition !== undefined) continue;
      // A log bucket made from a bucket that would log into it (its name, say) cannot be that
      // bucket's destination: each would wait for the other, and CloudFormation rejects the cycle.
      if ([...dependenciesOf(t, id)].some((dependency) => dependency !== id && toFix.has(dependency))) continue;
      // Nor can a bucket that waits for its policy be named in it, unless by its name.
      if (bucketPoliciesOf(t, id).some((policy) => [...toFix].some((source) => unnameableIn(t, source, policy.id)))) continue;
      const score = (k.size === 1 ? 100000 : 0) + (usage.get(id) ?? 0);
      if (score > best) {
        best = score;
        logBucket = id;
      }
    }

    const created = logBucket === undefined;
    const unused = (id: string) => freshLogicalId(t, id, new Set(fx.taken)) === id;
    const logBucketId = logBucket ?? freshLogicalId(t, unused('AccessLogsBucket') ? 'AccessLogsBucket' : 'S3AccessLogsBucket', fx.taken);

    const problems = buckets.flatMap((bucket) => {
      const problem = bucket.id === logBucketId ? undefined : loggingProblem(bucket);
      return problem ? [{ bucket, ...problem }] : [];
    });
    const moving = problems.map(({ bucket }) => bucket.id);

    // Every bucket that will log into the log bucket, for the policy's aws:SourceArn.
    const sources = new Set(moving);
    for (const [source, target] of targets) if (target === logBucketId && source !== logBucketId) sources.add(source);
    const ordered = buckets.map((bucket) => bucket.id).filter((id) => sources.has(id));

    let policyGrants = created;
    if (created && moving.length > 0) {
      const expiration = positiveInteger(options.expirationDays, 90);
      const noncurrent = positiveInteger(options.noncurrentExpirationDays, 30);
      fx.set(pointer('Resources', logBucketId), logBucketResource(expiration, noncurrent));
      const policyId = fx.addResource(`${logBucketId}Policy`, {
        Type: BUCKET_POLICY_TYPE,
        Properties: {
          Bucket: { Ref: logBucketId },
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [loggingGrant(logBucketId, ordered.map((s) => sourceArn(t, s))), tlsDenyStatement(logBucketId)],
          },
        },
      });
      findings.push({
        pointer: pointer('Resources'),
        messageId: 'addLogBucket',
        message: `Adds ${logBucketId}, a dedicated S3 server access-log bucket (SSE-S3, versioned, public access blocked, logs expire after ${expiration} days), and its policy ${policyId} granting logging.s3.amazonaws.com`,
        fix: fx.take(),
      });
    } else if (!created && ordered.length > 0) {
      const grant = planGrant(t, fx, logBucketId, ordered);
      policyGrants = grant !== 'blocked';
      if (grant === 'blocked') {
        findings.push({
          pointer: pointer('Resources', logBucketId),
          messageId: 'logPolicyNotEditable',
          message: `Access-log bucket ${logBucketId} has a bucket policy that cannot be extended automatically; make sure it lets logging.s3.amazonaws.com write logs from ${ordered.join(', ')}`,
        });
      } else if (grant !== 'none') {
        findings.push({
          pointer: grant.at,
          messageId: 'noLoggingGrant',
          message: `Access-log bucket ${logBucketId} does not let logging.s3.amazonaws.com deliver logs from ${grant.missing.join(', ')}; fix: grant it in the bucket policy`,
          fix: fx.take(),
        });
      }
    }

    for (const { bucket, messageId, why } of problems) {
      const { id } = bucket;
      const destination: JsonValue = { Ref: logBucketId };
      const prefix = `${id}/`;
      if (messageId === 'noAccessLogging') {
        fx.setProperty(id, ['LoggingConfiguration'], { DestinationBucketName: destination, LogFilePrefix: prefix });
        findings.push({ pointer: bucket.pointer, messageId, message: `Bucket ${id} has no server access logging; fix: log to ${logBucketId} under ${prefix}`, fix: fx.take() });
        continue;
      }
      fx.setProperty(id, ['LoggingConfiguration', 'DestinationBucketName'], destination);
      if (property(bucket, 'LoggingConfiguration', 'LogFilePrefix') === undefined) fx.setProperty(id, ['LoggingConfiguration', 'LogFilePrefix'], prefix);
      findings.push({
        pointer: `${bucket.propertiesPointer}/LoggingConfiguration`,
        messageId,
        message: `Bucket ${id} ${why}; fix: log to the dedicated access-log bucket ${logBucketId}`,
        fix: fx.take(),
      });
    }

    // Since April 2023 new buckets have ACLs disabled (BucketOwnerEnforced), and a bucket that sets
    // the LogDeliveryWrite canned ACL without enabling ACLs fails to create
    // (InvalidBucketAclWithObjectOwnership). A bucket whose deliveries all go through its policy
    // (the access-log bucket, whose policy grants logging.s3.amazonaws.com; a load balancer log
    // bucket no S3 access logs go to) drops the ACL and keeps ACLs off; other buckets (CloudFront
    // standard logging needs ACLs) enable them.
    const cloudFrontLogBuckets = new Set([...kinds].filter(([, k]) => k.has('cloudfront-logs')).map(([id]) => id));
    for (const bucket of buckets) {
      const { id } = bucket;
      if (property(bucket, 'AccessControl')?.value !== 'LogDeliveryWrite' || aclsEnabled(bucket)) continue;
      const controls = property(bucket, 'OwnershipControls');
      const problem = `Bucket ${id} sets AccessControl LogDeliveryWrite but does not enable ACLs; since April 2023 new buckets have ACLs disabled, so CloudFormation cannot create it`;
      const at = `${bucket.propertiesPointer}/AccessControl`;
      const k = kinds.get(id);
      const accessLogs = id === logBucketId && policyGrants;
      const loadBalancerLogs = !!k?.has('load-balancer-logs') && (accessLogs || !k.has('access-logs'));
      if ((accessLogs || loadBalancerLogs) && !cloudFrontLogBuckets.has(id)) {
        const why = accessLogs ? 'its bucket policy grants logging.s3.amazonaws.com instead' : 'load balancer access logs are delivered through the bucket policy, not ACLs';
        const enforce = controls === undefined;
        fx.remove(at);
        if (enforce) fx.setProperty(id, ['OwnershipControls'], { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
        findings.push({
          pointer: at,
          messageId: 'logDeliveryAclUnneeded',
          message: `${problem}; ${why}; fix: remove the ACL${enforce ? ' and enforce bucket-owner ownership (BucketOwnerEnforced)' : ''}`,
          fix: fx.take(),
        });
        continue;
      }
      const rules = property(bucket, 'OwnershipControls', 'Rules')?.value;
      if (controls === undefined) fx.setProperty(id, ['OwnershipControls'], { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
      else if (Array.isArray(rules) && rules.length === 1 && asObject(rules[0]) && !intrinsicName(rules[0])) {
        fx.setProperty(id, ['OwnershipControls', 'Rules', 0, 'ObjectOwnership'], 'BucketOwnerPreferred');
      }
      const fixed = fx.pending;
      findings.push({
        pointer: at,
        messageId: 'logDeliveryAclWithoutAcls',
        message: `${problem}${cloudFrontLogBuckets.has(id) ? ' (CloudFront standard logging writes through ACLs)' : ''}; fix: enable ACLs with ObjectOwnership BucketOwnerPreferred`,
        ...(fixed ? { fix: fx.take() } : {}),
      });
    }

    // Log destinations must be SSE-S3: S3 server access logging and load balancer access logs do
    // not deliver into a bucket whose default encryption is SSE-KMS.
    const destinations = new Map<string, string[]>();
    const markDestination = (id: string, what: string) => destinations.set(id, [...new Set([...(destinations.get(id) ?? []), what])]);
    if (ordered.length > 0) markDestination(logBucketId, 'S3 server access logs');
    for (const [id, k] of kinds) {
      if (k.has('access-logs') && !isTrailBucket(id)) markDestination(id, 'S3 server access logs');
      if (k.has('load-balancer-logs')) markDestination(id, 'load balancer access logs');
    }
    for (const [id, what] of destinations) {
      const bucket = resource(t, id);
      if (!bucket || bucket.type !== BUCKET_TYPE) continue;
      const state = bucketEncryption(t, bucket.resource).state;
      if (state !== 'kms' && state !== 'kms-aws-managed' && state !== 'dsse') continue;
      const rule = ['BucketEncryption', 'ServerSideEncryptionConfiguration', 0];
      fx.setProperty(id, [...rule, 'ServerSideEncryptionByDefault', 'SSEAlgorithm'], 'AES256');
      fx.remove(pointer('Resources', id, 'Properties', ...rule, 'ServerSideEncryptionByDefault', 'KMSMasterKeyID'));
      fx.remove(pointer('Resources', id, 'Properties', ...rule, 'BucketKeyEnabled'));
      findings.push({
        pointer: `${bucket.propertiesPointer}/BucketEncryption`,
        messageId: 'kmsLogBucket',
        message: `Bucket ${id} receives ${what.join(' and ')} but its default encryption is SSE-KMS, which those log deliveries do not support; fix: SSE-S3 (AES256)`,
        fix: fx.unsafe().take(),
      });
    }
    return findings;
  },
});
