// Logs of a template: which buckets receive logs from which AWS service (S3 server access logs,
// load-balancer logs, vended logs, CloudFront standard logs, CloudTrail), which log groups each
// KMS key encrypts, which Lambda function a log group belongs to, and what the log groups
// transforms add get: the log-retention parameter and the key that encrypts them.
import type { JsonObject, JsonValue, Template } from '../types.js';
import { CLOUDFRONT_DISTRIBUTION } from './cloudfront.js';
import { loadBalancerLogBuckets, mentionsElbAccount } from './elb-logs.js';
import type { Fixer } from './fixer.js';
import { policyOfProperties, principalsOf, statementViews } from './iam.js';
import { createdKeyProperties, isSymmetricEncryptionKey, keyOf, KMS_KEY, logsKeyStatement } from './kms.js';
import { prefixed } from './expressions.js';
import { resources } from './query.js';
import { bucketByArn, bucketByDomainName, bucketOfName, BUCKET_POLICY_TYPE, BUCKET_TYPE } from './s3.js';
import { deepFreeze, resourcesOfType } from './template.js';
import { asObject, deepEqual, intrinsicName, subText } from './values.js';

// ---------------------------------------------------------------------------------------------
// Log retention

/**
 * Retention periods CloudWatch Logs accepts, in days. Source: AWS::Logs::LogGroup
 * RetentionInDays in the CloudFormation resource spec (@aws-cdk/aws-service-spec 0.1.216,
 * db.json.gz: "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
 * 731, 1096, 1827, 2192, 2557, 2922, 3288, and 3653."), matching the CloudWatch Logs API
 * PutRetentionPolicy / LogGroup retentionInDays docs
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html;
 * same list in https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cloudwatchlogs/aws.sdk.kotlin.services.cloudwatchlogs.model/-log-group/retention-in-days.html).
 * Older copies of the docs list only 17 values (no 1096, 2192, 2557, 2922, 3288).
 */
export const CLOUDWATCH_LOG_RETENTION_DAYS: readonly number[] = Object.freeze([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

/**
 * The retention log groups tapfix adds get by default: one year, the minimum the AWS Control
 * Tower control CT.CLOUDWATCH.PR.2 accepts ("Require an Amazon CloudWatch log group to be retained
 * for at least one year").
 */
export const DEFAULT_LOG_RETENTION_DAYS = 365;

/** Name the transforms give the log-retention parameter. */
export const LOG_RETENTION_PARAMETER_NAME = 'LogRetentionInDays';

/** The one way every transform declares the log-retention parameter: `days` is its Default. */
export function logRetentionParameter(days: number = DEFAULT_LOG_RETENTION_DAYS): JsonObject {
  return {
    Type: 'Number',
    Default: days,
    Description: 'Days to keep CloudWatch log events',
    AllowedValues: [...CLOUDWATCH_LOG_RETENTION_DAYS],
  };
}

/** The log-retention parameter with the default retention. */
export const LOG_RETENTION_PARAMETER: Readonly<JsonObject> = deepFreeze(logRetentionParameter());

/** The `retentionInDays` option of transforms that add log groups: one of the values CloudWatch Logs accepts. */
export const RETENTION_OPTION_SCHEMA: Readonly<JsonObject> = deepFreeze({ type: 'number', enum: [...CLOUDWATCH_LOG_RETENTION_DAYS] });

/** The `retentionInDays` option as given, when it is a retention CloudWatch Logs accepts; else the default. */
export function retentionDays(option: unknown): number {
  return typeof option === 'number' && CLOUDWATCH_LOG_RETENTION_DAYS.includes(option) ? option : DEFAULT_LOG_RETENTION_DAYS;
}

// ---------------------------------------------------------------------------------------------
// The key of the log groups tapfix adds

/** Logical id (base) of the key tapfix adds for the log groups it adds. */
export const LOG_GROUP_KEY_BASE = 'LogGroupKey';

/**
 * The key-policy statement of {@link logsKeyStatement} without its Sid: CloudWatch Logs may use
 * the key for every log group of this account and region.
 */
function isLogsStatement(statement: Readonly<JsonObject>): boolean {
  const { Sid: _sid, ...rest } = statement;
  const { Sid: _ours, ...expected } = logsKeyStatement();
  return deepEqual(rest, expected);
}

/**
 * The template key new log groups can be encrypted with: the first unconditional symmetric key
 * whose policy lets CloudWatch Logs use it for every log group of this account and region (the
 * statement {@link logsKeyStatement} writes, as the key tapfix adds has it). A key whose
 * statement names particular log groups is not one: a new group could not use it.
 */
export function logGroupKeyOf(t: Template): string | undefined {
  for (const key of resources(t, KMS_KEY)) {
    if (key.resource.Condition !== undefined || !isSymmetricEncryptionKey(key)) continue;
    const policy = policyOfProperties(key.properties, key.propertiesPointer, 'KeyPolicy');
    if (policy.statements.some((s) => s.effect === 'Allow' && isLogsStatement(s.statement))) return key.id;
  }
  return undefined;
}

const keysAdded = new WeakMap<Fixer, string>();

/**
 * The key for the log groups a check adds, as `{"Fn::GetAtt": [key, "Arn"]}` (CloudWatch Logs
 * takes the key ARN): the template's key for log groups ({@link logGroupKeyOf}), else a new one,
 * added with `fx` in the fix being built the first time a check asks. The new key is built with
 * createdKeyProperties (rotation, account root, the CT.KMS.PR.3 grant restriction) and
 * {@link logsKeyStatement}: the regional CloudWatch Logs principal, scoped by
 * `kms:EncryptionContext:aws:logs:arn` to this account's log groups in this region
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html). It names
 * no log group: a log group refers to its key, so a key naming the group would be a cycle.
 */
export function logGroupKeyArn(fx: Fixer): JsonValue {
  let id = keysAdded.get(fx) ?? logGroupKeyOf(fx.template);
  if (id === undefined) {
    id = fx.addResource(
      LOG_GROUP_KEY_BASE,
      { Type: KMS_KEY, Properties: createdKeyProperties('Encrypts the CloudWatch Logs log groups of this stack', [logsKeyStatement()]) },
    );
    keysAdded.set(fx, id);
  }
  return { 'Fn::GetAtt': [id, 'Arn'] };
}

// ---------------------------------------------------------------------------------------------
// Buckets receiving logs

export const S3_LOGGING_SERVICE = 'logging.s3.amazonaws.com';
// elasticloadbalancing.amazonaws.com is not a log-delivery principal, but a policy granting it is
// an attempt at load-balancer logs (elb-log-principal corrects it).
const ELB_LOG_SERVICES = ['logdelivery.elasticloadbalancing.amazonaws.com', 'logdelivery.elb.amazonaws.com', 'elasticloadbalancing.amazonaws.com'];
/** Log delivery for VPC Flow Logs, NLB access logs and other vended logs. */
export const VENDED_LOG_SERVICE = 'delivery.logs.amazonaws.com';

/** CloudTrail trails writing to each bucket (S3BucketName). */
export function trailDestinations(t: Template): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { id, resource } of resourcesOfType(t, 'AWS::CloudTrail::Trail')) {
    const bucket = bucketOfName(t, asObject(resource.Properties)?.['S3BucketName']);
    if (bucket) out.set(bucket, [...(out.get(bucket) ?? []), id]);
  }
  return out;
}

/**
 * Where each bucket's server access logs go: its LoggingConfiguration DestinationBucketName
 * resolved to a template bucket; a LoggingConfiguration without DestinationBucketName logs into
 * the bucket itself. Buckets whose destination is outside the template (or unreadable) map to
 * undefined; buckets without LoggingConfiguration are absent.
 */
export function accessLogTargets(t: Template): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const { id, resource } of resourcesOfType(t, BUCKET_TYPE)) {
    const logging = asObject(resource.Properties)?.['LoggingConfiguration'];
    if (logging === undefined) continue;
    const config = asObject(logging);
    if (!config || intrinsicName(config)) {
      out.set(id, undefined);
      continue;
    }
    const destination = config['DestinationBucketName'];
    out.set(id, destination === undefined ? id : bucketOfName(t, destination));
  }
  return out;
}

export type LogDestinationKind = 'access-logs' | 'load-balancer-logs' | 'vended-logs' | 'cloudfront-logs';

/**
 * Buckets that receive logs delivered by AWS services that write SSE-S3 only (or need special key
 * grants): S3 server access logs (another bucket's LoggingConfiguration, a bucket-policy grant
 * to logging.s3.amazonaws.com, or the LogDeliveryWrite canned ACL on a bucket that takes no
 * load-balancer logs), load-balancer logs (see {@link loadBalancerLogBuckets}, or a bucket-policy
 * grant to an ELB account or the ELB log-delivery principal), vended logs (VPC flow logs to S3,
 * delivery.logs.amazonaws.com grants) and CloudFront standard logs (DistributionConfig.Logging.Bucket).
 */
export function logDestinations(t: Template): Map<string, Set<LogDestinationKind>> {
  const out = new Map<string, Set<LogDestinationKind>>();
  const mark = (bucket: string | undefined, kind: LogDestinationKind) => {
    if (!bucket) return;
    const set = out.get(bucket) ?? new Set<LogDestinationKind>();
    set.add(kind);
    out.set(bucket, set);
  };
  for (const [source, target] of accessLogTargets(t)) if (target !== undefined && target !== source) mark(target, 'access-logs');
  for (const bucket of loadBalancerLogBuckets(t)) mark(bucket, 'load-balancer-logs');
  // CloudFront standard logging (legacy): DistributionConfig.Logging.Bucket is the bucket's domain name.
  for (const { resource } of resourcesOfType(t, CLOUDFRONT_DISTRIBUTION)) {
    mark(bucketByDomainName(t, asObject(asObject(asObject(resource.Properties)?.['DistributionConfig'])?.['Logging'])?.['Bucket']), 'cloudfront-logs');
  }
  for (const { resource } of resourcesOfType(t, 'AWS::EC2::FlowLog')) {
    const p = asObject(resource.Properties);
    if (p?.['LogDestinationType'] !== 's3') continue;
    mark(bucketByArn(t, p['LogDestination'])?.bucket, 'vended-logs');
  }
  for (const { resource } of resourcesOfType(t, BUCKET_POLICY_TYPE)) {
    const props = asObject(resource.Properties);
    const bucket = bucketOfName(t, props?.['Bucket']);
    if (!bucket) continue;
    for (const statement of statementViews(props?.['PolicyDocument'])) {
      if (statement.effect !== 'Allow') continue;
      const services = principalsOf(statement, 'Service');
      if (services.includes(S3_LOGGING_SERVICE)) mark(bucket, 'access-logs');
      if (services.some((s) => ELB_LOG_SERVICES.includes(s))) mark(bucket, 'load-balancer-logs');
      if (services.includes(VENDED_LOG_SERVICE)) mark(bucket, 'vended-logs');
      const principal = asObject(statement.statement['Principal']);
      if (principal && mentionsElbAccount(t, principal['AWS'])) mark(bucket, 'load-balancer-logs');
    }
  }
  // The LogDeliveryWrite canned ACL exists only for S3 server access log delivery; on a load
  // balancer log bucket it is a mistaken attempt at ELB delivery, which goes through the policy.
  for (const { id, resource } of resourcesOfType(t, BUCKET_TYPE)) {
    if (asObject(resource.Properties)?.['AccessControl'] === 'LogDeliveryWrite' && !out.get(id)?.has('load-balancer-logs')) mark(id, 'access-logs');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Log groups

/** Log groups encrypted with each template key. */
export function logGroupsByKey(t: Template): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { id, resource } of resourcesOfType(t, 'AWS::Logs::LogGroup')) {
    const key = keyOf(t, asObject(resource.Properties)?.['KmsKeyId']);
    if (key) out.set(key, [...(out.get(key) ?? []), id]);
  }
  return out;
}

/** Lambda writes a function's logs to the log group of this prefix and the function's name. */
export const LAMBDA_LOG_GROUP_PREFIX = '/aws/lambda/';

/** Lambda functions, and SAM functions (a Lambda function once SAM has expanded the template). */
export const FUNCTION_TYPES: readonly string[] = ['AWS::Lambda::Function', 'AWS::Serverless::Function'];

/**
 * The function of the template whose own log group `logGroupName` names: the prefix and
 * the function (`${Fn}`), its `FunctionName` in any form that renders the same, or the expression
 * {@link prefixed} builds from a `FunctionName` that does not render (what lambda-log-group writes).
 */
export function functionOfLogGroupName(t: Template, logGroupName: unknown): string | undefined {
  if (logGroupName === undefined) return undefined;
  const rendered = subText(logGroupName);
  const written = JSON.stringify(logGroupName);
  for (const { id, resource } of resourcesOfType(t, ...FUNCTION_TYPES)) {
    if (rendered === LAMBDA_LOG_GROUP_PREFIX + '${' + id + '}') return id;
    const functionName = asObject(resource.Properties)?.['FunctionName'];
    if (functionName === undefined) continue;
    const renderedName = subText(functionName);
    if (rendered !== undefined && renderedName !== undefined && rendered === LAMBDA_LOG_GROUP_PREFIX + renderedName) return id;
    if (written === JSON.stringify(prefixed(LAMBDA_LOG_GROUP_PREFIX, functionName))) return id;
  }
  return undefined;
}
