// S3 buckets of a template: which bucket a name, ARN or domain-name expression points at (one
// resolver for every transform), a bucket's default encryption, and the bucket policies attached
// to it. Pure and tolerant: intrinsics, missing properties and odd shapes give "unknown" answers,
// never exceptions.
import type { JsonObject, JsonValue, Resource, Template } from '../types.js';
import { actionPatternMatches, iamResourcesWithStatement, policyOfProperties } from './iam.js';
import { keyOf } from './kms.js';
import { property, resources, targetOfValue, typeOf, type ResourceView } from './query.js';
import { referencesTo } from './template.js';
import { asObject, subText } from './values.js';

export const BUCKET_TYPE = 'AWS::S3::Bucket';
export const BUCKET_POLICY_TYPE = 'AWS::S3::BucketPolicy';

// ---------------------------------------------------------------------------------------------
// Which bucket a value names

const PARTITION = '(?:aws|aws-cn|aws-us-gov|\\$\\{AWS::Partition\\})';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const nameTextsCache = new WeakMap<object, Map<string, string>>();

/** The Sub text of each bucket's BucketName (only buckets whose name is expressible and has no `*`). */
function bucketNameTexts(t: Template): Map<string, string> {
  const key = asObject(t.Resources);
  const cached = key && Object.isFrozen(key) ? nameTextsCache.get(key) : undefined;
  if (cached) return cached;
  const out = new Map<string, string>();
  for (const bucket of resources(t, BUCKET_TYPE)) {
    const text = subText(property(bucket, 'BucketName')?.value);
    if (text && !text.includes('*')) out.set(bucket.id, text);
  }
  if (key && Object.isFrozen(key)) nameTextsCache.set(key, out);
  return out;
}

/**
 * The template bucket a bucket-name value names (a BucketPolicy's Bucket, a trail's S3BucketName,
 * a load balancer's log bucket, ...): a `Ref` of the bucket in any form {@link targetOfValue}
 * reads (`Ref B`, `Fn::Sub "${B}"`, `Fn::Join ["", [Ref B]]`), or a value whose Sub text equals
 * the BucketName of exactly one bucket (a literal name, the same Sub written either way). A plain
 * string is only ever a name: `"${B}"` outside Fn::Sub names no bucket. A name several buckets
 * declare (a template error) names none of them.
 */
export function bucketOfName(t: Template, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const target = targetOfValue(t, value);
  if (target.kind === 'resource' && target.attribute === undefined && target.view.type === BUCKET_TYPE) return target.id;
  const text = subText(value);
  if (text === undefined || text === '') return undefined;
  const named = [...bucketNameTexts(t)].filter(([, name]) => name === text);
  return named.length === 1 ? named[0]![0] : undefined;
}

/**
 * The bucket an S3 domain name is of: `GetAtt B.DomainName` / `RegionalDomainName` /
 * `DualStackDomainName`, `${B}.s3...`, or the bucket's BucketName text followed by `.s3`.
 */
export function bucketByDomainName(t: Template, value: unknown): string | undefined {
  const domain = subText(value);
  if (!domain) return undefined;
  const ref = /^\$\{([^}.]+)(?:\.(?:DomainName|RegionalDomainName|DualStackDomainName)\}|\}\.s3)/.exec(domain);
  if (ref && typeOf(t, ref[1]!) === BUCKET_TYPE) return ref[1];
  for (const [id, name] of bucketNameTexts(t)) if (domain.startsWith(name + '.s3')) return id;
  return undefined;
}

export interface BucketArnMatch {
  bucket: string;
  /** The ARN names objects (`.../*`, `.../prefix/*`) rather than only the bucket. */
  objects: boolean;
}

/**
 * The bucket an S3 ARN expression names: `GetAtt B.Arn`, `${B.Arn}/*`, `arn:${AWS::Partition}:s3:::${B}/*`,
 * Fn::Join forms, and ARNs written with the bucket's BucketName.
 */
export function bucketByArn(t: Template, value: unknown): BucketArnMatch | undefined {
  const text = subText(value);
  if (text === undefined) return undefined;
  const rest = (tail: string): boolean | undefined => (tail === '' ? false : tail.startsWith('/') || tail === '*' ? true : undefined);
  const viaArn = /^\$\{([^}.]+)\.Arn\}(.*)$/.exec(text);
  if (viaArn && typeOf(t, viaArn[1]!) === BUCKET_TYPE) {
    const objects = rest(viaArn[2]!);
    return objects === undefined ? undefined : { bucket: viaArn[1]!, objects };
  }
  const viaRef = new RegExp(`^arn:${PARTITION}:s3:::\\$\\{([^}.]+)\\}(.*)$`).exec(text);
  if (viaRef && typeOf(t, viaRef[1]!) === BUCKET_TYPE) {
    const objects = rest(viaRef[2]!);
    return objects === undefined ? undefined : { bucket: viaRef[1]!, objects };
  }
  for (const [id, name] of bucketNameTexts(t)) {
    const m = new RegExp(`^arn:${PARTITION}:s3:::${escapeRegExp(name)}(.*)$`).exec(text);
    if (!m) continue;
    const objects = rest(m[1]!);
    if (objects !== undefined) return { bucket: id, objects };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Default encryption

export type BucketEncryptionState =
  /** No BucketEncryption: S3 applies SSE-S3. */
  | 'none'
  | 'sse-s3'
  /** aws:kms with a KMSMasterKeyID. */
  | 'kms'
  /** aws:kms without a key id: the AWS managed key aws/s3. */
  | 'kms-aws-managed'
  | 'dsse'
  /** Intrinsics or shapes we do not understand. */
  | 'unknown';

export interface BucketEncryption {
  state: BucketEncryptionState;
  /** Template key (logical id) for 'kms' / 'dsse' when it is defined in the template. */
  keyId?: string;
  /** The KMSMasterKeyID value as written. */
  keyRef?: JsonValue;
}

/** Default encryption of a bucket, read from its first ServerSideEncryptionConfiguration rule. */
export function bucketEncryption(t: Template, r: Resource | undefined): BucketEncryption {
  const props = r?.Properties;
  if (props === undefined) return { state: 'none' };
  const p = asObject(props);
  if (!p) return { state: 'unknown' };
  const enc = p['BucketEncryption'];
  if (enc === undefined) return { state: 'none' };
  const rules = asObject(enc)?.['ServerSideEncryptionConfiguration'];
  if (!Array.isArray(rules) || rules.length === 0) return { state: 'unknown' };
  const byDefault = asObject(asObject(rules[0])?.['ServerSideEncryptionByDefault']);
  if (!byDefault) return { state: 'unknown' };
  const algorithm = byDefault['SSEAlgorithm'];
  const keyRef = byDefault['KMSMasterKeyID'];
  if (algorithm === 'AES256') return { state: 'sse-s3' };
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') {
    const state = algorithm === 'aws:kms:dsse' ? 'dsse' : keyRef === undefined ? 'kms-aws-managed' : 'kms';
    const keyId = keyRef === undefined ? undefined : keyOf(t, keyRef);
    return { state, ...(keyId ? { keyId } : {}), ...(keyRef !== undefined ? { keyRef } : {}) };
  }
  return { state: 'unknown' };
}

// ---------------------------------------------------------------------------------------------
// Bucket policies

/**
 * The AWS::S3::BucketPolicy resources attached to template bucket `bucketId` (their `Bucket`
 * names it, read by {@link bucketOfName}), in template order. S3 keeps one policy per bucket, so
 * more than one is a template error transforms report rather than edit.
 */
export function bucketPoliciesOf(t: Template, bucketId: string): ResourceView[] {
  return resources(t, BUCKET_POLICY_TYPE).filter((policy) => bucketOfName(t, property(policy, 'Bucket')?.value) === bucketId);
}

/** Statements (as written) of every bucket policy of a bucket. */
export function bucketPolicyStatements(t: Template, bucketId: string): JsonObject[] {
  return bucketPoliciesOf(t, bucketId).flatMap((policy) => policyOfProperties(policy.properties, policy.propertiesPointer).statements.map((s) => s.statement as JsonObject));
}

/** BucketPolicy resources whose `Bucket` is given but names no template bucket, with where it is. */
export function unresolvedPolicies(t: Template): Array<{ id: string; at: string }> {
  const out: Array<{ id: string; at: string }> = [];
  for (const policy of resources(t, BUCKET_POLICY_TYPE)) {
    const bucket = property(policy, 'Bucket');
    if (bucket === undefined || bucketOfName(t, bucket.value) !== undefined) continue;
    out.push({ id: policy.id, at: bucket.pointer });
  }
  return out;
}

/**
 * Of those, the ones whose `Bucket` mentions the bucket (e.g. `!If [C, !Ref B, ...]`): they may
 * be its policy, so adding another one could replace it.
 */
export function unresolvedPoliciesMentioning(t: Template, unresolved: ReadonlyArray<{ id: string; at: string }>, bucketId: string): string[] {
  if (unresolved.length === 0) return [];
  const refs = referencesTo(t, bucketId);
  return unresolved.filter(({ at }) => refs.some((r) => r.pointer === at || r.pointer.startsWith(at + '/'))).map(({ id }) => id);
}

/** The Sid tapfix gives the statement that denies requests made without TLS. */
export const TLS_DENY_SID = 'DenyInsecureTransport';

/**
 * The statement that denies every request made without TLS to bucket `bucketId` and its objects
 * (AWS Security Hub S3.5), as every transform that writes a bucket policy adds it. The objects are
 * named `Fn::Join ["", [GetAtt B.Arn, "/*"]]`, the one reference form besides literal ARNs that the
 * Control Tower control CT.S3.PR.8 accepts (its rule reads the Join, not `Fn::Sub "${B.Arn}/*"`).
 */
export function tlsDenyStatement(bucketId: string, sid = TLS_DENY_SID): JsonObject {
  const arn = (): JsonObject => ({ 'Fn::GetAtt': [bucketId, 'Arn'] });
  return tlsDenyOf([arn(), { 'Fn::Join': ['', [arn(), '/*']] }], sid);
}

/** The TLS deny statement for the bucket and object ARNs `resource`. */
export function tlsDenyOf(resource: JsonValue, sid = TLS_DENY_SID): JsonObject {
  return { Sid: sid, Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: resource, Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
}

/**
 * The template IAM resources that let software set object or bucket ACLs on bucket `bucketId`:
 * an Allow naming `s3:PutObjectAcl` or `s3:PutBucketAcl` (`s3:*`-style wildcards that also grant
 * reads do not count) on the bucket's ARNs or `*`. A sign that objects may carry ACLs of their own.
 */
export function aclWriters(t: Template, bucketId: string): string[] {
  const names = (a: JsonValue) =>
    typeof a === 'string' && (actionPatternMatches(a, 's3:PutObjectAcl') || actionPatternMatches(a, 's3:PutBucketAcl')) && !actionPatternMatches(a, 's3:GetObject');
  return iamResourcesWithStatement(t, (s) => s.effect === 'Allow' && s.actions.some(names) && s.resources.some((r) => r === '*' || bucketByArn(t, r)?.bucket === bucketId));
}

/**
 * A bucket tapfix creates to receive logs (S3 server access logs, load balancer access logs):
 * retained, SSE-S3 (the one default encryption both log deliveries support), ACLs off, public
 * access blocked, versioned, with log objects expiring after `expirationDays` days and
 * noncurrent versions after `noncurrentDays` days.
 */
export function logBucketResource(expirationDays: number, noncurrentDays: number): JsonObject {
  return {
    Type: BUCKET_TYPE,
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'ExpireAccessLogs',
            Status: 'Enabled',
            ExpirationInDays: expirationDays,
            NoncurrentVersionExpiration: { NoncurrentDays: noncurrentDays },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
        ],
      },
    },
  };
}

/** Options of a transform that creates a log bucket with {@link logBucketResource}. */
export interface LogBucketOptions extends Record<string, unknown> {
  /** Days after which log objects in a created bucket expire. */
  expirationDays: number;
  /** Days after which noncurrent versions in a created bucket expire. */
  noncurrentExpirationDays: number;
}

export const LOG_BUCKET_DEFAULT_OPTIONS: Readonly<LogBucketOptions> = { expirationDays: 90, noncurrentExpirationDays: 30 };

export const LOG_BUCKET_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { expirationDays: { type: 'integer', minimum: 1 }, noncurrentExpirationDays: { type: 'integer', minimum: 1 } },
} as const;
