// S3 buckets of a template: which bucket a name, ARN or domain-name expression points at (one
// resolver for every transform), a bucket's default encryption, and the bucket policies attached
// to it. Pure and tolerant: intrinsics, missing properties and odd shapes give "unknown" answers,
// never exceptions.
import type { JsonObject, JsonValue, Resource, Template } from '../types.js';
import { conditionValues, policyOfProperties, statementView, statementViews } from './iam.js';
import { keyOf } from './kms.js';
import { pointer } from './pointer.js';
import { targetOfValue, typeOf } from './query.js';
import { referencesTo, resourcesOfType, type ResourceEntry } from './template.js';
import { asObject, deepEqual, subText, toList } from './values.js';

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
  for (const { id, resource } of resourcesOfType(t, BUCKET_TYPE)) {
    const text = subText(asObject(resource.Properties)?.['BucketName']);
    if (text && !text.includes('*')) out.set(id, text);
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

export interface BucketPolicyEntry extends ResourceEntry {
  /** Logical id of the template bucket the policy is attached to. */
  bucketId: string;
}

/** Every AWS::S3::BucketPolicy attached to a bucket of the template, grouped by bucket id. */
export function bucketPoliciesByBucket(t: Template): Map<string, BucketPolicyEntry[]> {
  const out = new Map<string, BucketPolicyEntry[]>();
  for (const entry of resourcesOfType(t, BUCKET_POLICY_TYPE)) {
    const bucketId = bucketOfName(t, asObject(entry.resource.Properties)?.['Bucket']);
    if (bucketId === undefined) continue;
    const list = out.get(bucketId) ?? [];
    list.push({ ...entry, bucketId });
    out.set(bucketId, list);
  }
  return out;
}

/** AWS::S3::BucketPolicy resources attached to a bucket. */
export function bucketPoliciesOf(t: Template, bucketId: string): ResourceEntry[] {
  return resourcesOfType(t, BUCKET_POLICY_TYPE).filter((e) => bucketOfName(t, asObject(e.resource.Properties)?.['Bucket']) === bucketId);
}

/** Statements (as written) of every bucket policy of a bucket. */
export function bucketPolicyStatements(t: Template, bucketId: string): JsonObject[] {
  return bucketPoliciesOf(t, bucketId).flatMap((e) => statementViews(asObject(e.resource.Properties)?.['PolicyDocument']).map((s) => s.statement as JsonObject));
}

/** BucketPolicy resources whose `Bucket` is given but names no template bucket, with where it is. */
export function unresolvedPolicies(t: Template): Array<{ id: string; at: string }> {
  const out: Array<{ id: string; at: string }> = [];
  for (const { id, resource } of resourcesOfType(t, BUCKET_POLICY_TYPE)) {
    const value = asObject(resource.Properties)?.['Bucket'];
    if (value === undefined || bucketOfName(t, value) !== undefined) continue;
    out.push({ id, at: pointer('Resources', id, 'Properties', 'Bucket') });
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

/**
 * True for a statement that denies requests made without TLS: `Effect: Deny` with a
 * `Bool` or `BoolIfExists` condition `aws:SecureTransport` equal to `false` ("false", false,
 * or a one-element list of either). Sid, Principal, Action and Resource are not compared: any
 * such statement shows the author enforces TLS, and a second one would only duplicate it.
 */
export function isSecureTransportDeny(statement: unknown): boolean {
  const s = asObject(statement);
  if (!s) return false;
  const view = statementView(s, '');
  if (view.effect !== 'Deny') return false;
  return ['Bool', 'BoolIfExists'].some((operator) => {
    const values = conditionValues(view, operator, 'aws:SecureTransport') ?? [];
    return values.length > 0 && values.every((v) => v === false || (typeof v === 'string' && v.toLowerCase() === 'false'));
  });
}

// ---------------------------------------------------------------------------------------------
// re-exported for transforms not yet migrated

export { asObject } from './values.js';
export { toList as oneOrMany } from './values.js';
/** Structural equality of two JSON values (key order ignored): values.ts deepEqual. */
export const jsonEqual = deepEqual;
/** The bucket resolver under its former names. */
export { bucketOfName as bucketIdOf, bucketOfName as bucketByName };
export const S3_BUCKET = BUCKET_TYPE;

export type StatementsView =
  /** `Statement` is a list: `items` are its elements, `pointer` is the list's pointer. */
  | { kind: 'list'; items: readonly JsonValue[]; pointer: string }
  /** `Statement` is a single statement object (valid IAM, but nothing to append to). */
  | { kind: 'single'; statement: JsonObject; pointer: string }
  /** PolicyDocument or Statement is missing, an intrinsic, a string or another odd shape. */
  | { kind: 'opaque'; reason: string; pointer: string };

/** The statements of the `PolicyDocument` of a resource's Properties, in the shape transforms not yet on iam.ts PolicyView read. */
export function policyStatements(resourcePointer: string, properties: unknown, documentProperty = 'PolicyDocument'): StatementsView {
  const view = policyOfProperties(properties, `${resourcePointer}/Properties`, documentProperty);
  if (view.kind === 'list') return { kind: 'list', items: toList(asObject(asObject(properties)?.[documentProperty])?.['Statement']), pointer: view.pointer };
  if (view.kind === 'single') return { kind: 'single', statement: view.statements[0]!.statement as JsonObject, pointer: view.pointer };
  return { kind: 'opaque', reason: view.reason, pointer: view.pointer };
}
