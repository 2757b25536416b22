import { asObject } from './template.js';
// Shared by the data-protection transforms (s3-customer-managed-key, s3-access-logging,
// ec2-role-kms, secret-strength): which template resource a name/ARN expression points at, which
// KMS key encrypts a bucket or a secret, which buckets receive logs from AWS services or are
// CloudFront origins, IAM statement matching, and the KMS key-policy statements those services
// and the Auto Scaling service-linked role need.
//
// Everything here reads frozen templates and never throws on odd input: values that are not
// understood resolve to `undefined` and callers skip them.

import type { JsonObject, JsonValue, Operation, Resource, Template } from '../types.js';
import { parsePointer, pointer } from './pointer.js';
import { isKnownServiceAccount } from './regions.js';
import { allReferences, firstUnusedName, intrinsicName, resourcesOfType, type ResourceEntry } from './template.js';

// ---------------------------------------------------------------------------------------------
// Small value helpers

export { asObject } from './template.js';

/** IAM-style "one or many": undefined is [], a list is itself, anything else is [v]. */
export function toList(v: JsonValue | undefined): JsonValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function resourceOf(t: Template, id: string): Resource | undefined {
  const resources = asObject(t.Resources);
  const r = resources && Object.prototype.hasOwnProperty.call(resources, id) ? asObject(resources[id]) : undefined;
  return r as unknown as Resource | undefined;
}

export function typeOf(t: Template, id: string): string | undefined {
  const type = resourceOf(t, id)?.Type;
  return typeof type === 'string' ? type : undefined;
}

export function propertiesOf(r: Resource | undefined): JsonObject | undefined {
  return asObject(r?.Properties);
}

/**
 * A value rendered as Fn::Sub text: literal strings as they are, `Ref X` as `${X}`,
 * `Fn::GetAtt [X, A]` as `${X.A}`, `Fn::Sub` (with its variable map substituted when every
 * variable is itself renderable) and `Fn::Join` of renderable parts. Undefined for anything else
 * (Fn::If, Fn::ImportValue, Fn::Select, ...). Only used to recognise references, never written.
 */
export function templateText(v: unknown, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const name = intrinsicName(v);
  if (!name) return undefined;
  const arg = (v as JsonObject)[name];
  switch (name) {
    case 'Ref':
      return typeof arg === 'string' ? '${' + arg + '}' : undefined;
    case 'Fn::GetAtt':
      if (typeof arg === 'string') return '${' + arg + '}';
      if (Array.isArray(arg) && typeof arg[0] === 'string' && typeof arg[1] === 'string') return '${' + arg[0] + '.' + arg[1] + '}';
      return undefined;
    case 'Fn::Sub': {
      if (typeof arg === 'string') return arg;
      if (!Array.isArray(arg) || typeof arg[0] !== 'string') return undefined;
      const vars = asObject(arg[1]) ?? {};
      let failed = false;
      const text = arg[0].replace(/\$\{([^}!][^}]*)\}/g, (whole, inner: string) => {
        const key = inner.trim();
        if (!Object.prototype.hasOwnProperty.call(vars, key)) return whole;
        const sub = templateText(vars[key], depth + 1);
        if (sub === undefined) failed = true;
        return sub ?? '';
      });
      return failed ? undefined : text;
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return undefined;
      const parts: string[] = [];
      for (const part of arg[1]) {
        const text = templateText(part, depth + 1);
        if (text === undefined) return undefined;
        parts.push(text);
      }
      return parts.join(arg[0]);
    }
    default:
      return undefined;
  }
}

/** `${X}` / `${X.Attr}` variables of a Sub text. */
function subVariables(text: string): string[] {
  const out: string[] = [];
  const re = /\$\{([^}!][^}]*)\}/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1]!.trim());
  return out;
}

const PARTITION = '(?:aws|aws-cn|aws-us-gov|\\$\\{AWS::Partition\\})';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// KMS keys

export const KMS_KEY = 'AWS::KMS::Key';
export const KMS_ALIAS = 'AWS::KMS::Alias';

/**
 * The logical id of the AWS::KMS::Key that a key reference resolves to: key id or ARN
 * (`Ref K`, `GetAtt K.Arn`, `GetAtt K.KeyId`, `arn:...:key/${K}`), an alias (`Ref A`, the alias
 * name or alias ARN written out) resolved through the alias's TargetKeyId. Undefined for keys
 * that are not defined in the template (parameters, imports, literal key ARNs).
 */
export function keyOf(t: Template, value: unknown, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  const text = templateText(value);
  if (text === undefined) return undefined;
  const whole = /^\$\{([^}.]+)(?:\.(Arn|KeyId))?\}$/.exec(text);
  if (whole) {
    const id = whole[1]!;
    const type = typeOf(t, id);
    if (type === KMS_KEY) return id;
    if (type === KMS_ALIAS && whole[2] === undefined) return keyOf(t, propertiesOf(resourceOf(t, id))?.['TargetKeyId'], depth + 1);
    return undefined;
  }
  const keyArn = /:key\/\$\{([^}.]+)\}$/.exec(text);
  if (keyArn && typeOf(t, keyArn[1]!) === KMS_KEY) return keyArn[1];
  const alias = /(?:^|:)(alias\/.+)$/.exec(text);
  if (alias) {
    for (const { resource } of resourcesOfType(t, KMS_ALIAS)) {
      const name = templateText(propertiesOf(resource)?.['AliasName']);
      if (name === alias[1]) return keyOf(t, propertiesOf(resource)?.['TargetKeyId'], depth + 1);
    }
  }
  return undefined;
}

export interface KeyUses {
  /** Key -> the resources whose properties name it. */
  users: Map<string, Set<string>>;
  /** Keys an exported output names: other stacks may use them. */
  exported: Set<string>;
}

/**
 * Who names each KMS key of the template: resources whose properties refer to it (Ref, GetAtt,
 * an ARN, an alias resource, an alias name written out) and exported outputs.
 */
export function keyUses(t: Template): KeyUses {
  const users = new Map<string, Set<string>>();
  const exported = new Set<string>();
  const use = (keyId: string, user: string): void => {
    if (user === keyId) return;
    let set = users.get(keyId);
    if (!set) users.set(keyId, (set = new Set()));
    set.add(user);
  };
  const outputs = asObject(t.Outputs);
  for (const ref of allReferences(t)) {
    if (ref.kind !== 'Ref' && ref.kind !== 'GetAtt' && ref.kind !== 'Sub') continue;
    const type = typeOf(t, ref.target);
    if (type !== KMS_KEY && type !== KMS_ALIAS) continue;
    const keyId = type === KMS_KEY ? ref.target : keyOf(t, { Ref: ref.target });
    if (keyId === undefined) continue;
    const [section, owner, part] = parsePointer(ref.pointer);
    if (section === 'Resources' && owner !== undefined && part === 'Properties') use(keyId, owner);
    else if (section === 'Outputs' && owner !== undefined && asObject(outputs?.[owner])?.['Export'] !== undefined) exported.add(keyId);
  }
  // Alias names written out refer to no logical id; only texts naming an alias can be one.
  if (resourcesOfType(t, KMS_ALIAS).length > 0) {
    for (const { id, resource } of resourcesOfType(t)) {
      const props = propertiesOf(resource);
      if (props === undefined || !JSON.stringify(props).includes('alias/')) continue;
      const visit = (v: unknown): void => {
        if (typeof v === 'string' || intrinsicName(v) !== undefined) {
          const keyId = templateText(v)?.includes('alias/') ? keyOf(t, v) : undefined;
          if (keyId !== undefined) return use(keyId, id);
          if (typeof v === 'string') return;
        }
        if (Array.isArray(v)) v.forEach(visit);
        else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
      };
      visit(props);
    }
  }
  return { users, exported };
}

/** True when a key can encrypt S3 objects: symmetric, ENCRYPT_DECRYPT, not disabled. */
export function isSymmetricEncryptionKey(r: Resource | undefined): boolean {
  const p = propertiesOf(r);
  if (!r || r.Type !== KMS_KEY) return false;
  if (!p) return true;
  if (p['KeySpec'] !== undefined && p['KeySpec'] !== 'SYMMETRIC_DEFAULT') return false;
  if (p['KeyUsage'] !== undefined && p['KeyUsage'] !== 'ENCRYPT_DECRYPT') return false;
  if (p['Enabled'] === false || p['Enabled'] === 'false') return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// S3 buckets

export const S3_BUCKET = 'AWS::S3::Bucket';

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

/** Text of each bucket's BucketName (only buckets whose name is renderable). */
function bucketNameTexts(t: Template): Map<string, string> {
  const out = new Map<string, string>();
  for (const { id, resource } of resourcesOfType(t, S3_BUCKET)) {
    const text = templateText(propertiesOf(resource)?.['BucketName']);
    if (text && !text.includes('*')) out.set(id, text);
  }
  return out;
}

/**
 * The bucket a bucket-name value refers to: `Ref B` (or `${B}`), or a value whose text equals a
 * bucket's BucketName text (a literal name, or the same Fn::Sub string).
 */
export function bucketByName(t: Template, value: unknown): string | undefined {
  const text = templateText(value);
  if (text === undefined || text === '') return undefined;
  const ref = /^\$\{([^}.]+)\}$/.exec(text);
  if (ref && typeOf(t, ref[1]!) === S3_BUCKET) return ref[1];
  for (const [id, name] of bucketNameTexts(t)) if (name === text) return id;
  return undefined;
}

/**
 * The bucket an S3 domain name is of: `GetAtt B.DomainName` / `RegionalDomainName` /
 * `DualStackDomainName`, `${B}.s3...`, or the bucket's BucketName text followed by `.s3`.
 */
export function bucketByDomainName(t: Template, value: unknown): string | undefined {
  const domain = templateText(value);
  if (!domain) return undefined;
  const ref = /^\$\{([^}.]+)(?:\.(?:DomainName|RegionalDomainName|DualStackDomainName)\}|\}\.s3)/.exec(domain);
  if (ref && typeOf(t, ref[1]!) === S3_BUCKET) return ref[1];
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
  const text = templateText(value);
  if (text === undefined) return undefined;
  const rest = (tail: string): boolean | undefined => (tail === '' ? false : tail.startsWith('/') || tail === '*' ? true : undefined);
  const viaArn = /^\$\{([^}.]+)\.Arn\}(.*)$/.exec(text);
  if (viaArn && typeOf(t, viaArn[1]!) === S3_BUCKET) {
    const objects = rest(viaArn[2]!);
    return objects === undefined ? undefined : { bucket: viaArn[1]!, objects };
  }
  const viaRef = new RegExp(`^arn:${PARTITION}:s3:::\\$\\{([^}.]+)\\}(.*)$`).exec(text);
  if (viaRef && typeOf(t, viaRef[1]!) === S3_BUCKET) {
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

/** AWS::S3::BucketPolicy resources attached to a bucket. */
export function bucketPoliciesOf(t: Template, bucketId: string): ResourceEntry[] {
  return resourcesOfType(t, 'AWS::S3::BucketPolicy').filter((e) => bucketByName(t, propertiesOf(e.resource)?.['Bucket']) === bucketId);
}

/** CloudTrail trails writing to each bucket (S3BucketName). */
export function trailDestinations(t: Template): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { id, resource } of resourcesOfType(t, 'AWS::CloudTrail::Trail')) {
    const bucket = bucketByName(t, propertiesOf(resource)?.['S3BucketName']);
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
  for (const { id, resource } of resourcesOfType(t, S3_BUCKET)) {
    const logging = propertiesOf(resource)?.['LoggingConfiguration'];
    if (logging === undefined) continue;
    const config = asObject(logging);
    if (!config || intrinsicName(config)) {
      out.set(id, undefined);
      continue;
    }
    const destination = config['DestinationBucketName'];
    out.set(id, destination === undefined ? id : bucketByName(t, destination));
  }
  return out;
}

/** Service principals (as text) in a statement's Principal. */
export function servicePrincipals(statement: JsonObject): string[] {
  const principal = asObject(statement['Principal']);
  if (!principal) return [];
  return toList(principal['Service']).map((s) => templateText(s)).filter((s): s is string => s !== undefined);
}

/** AWS principals (as text) in a statement's Principal; `"*"` principals give `*`. */
export function awsPrincipals(statement: JsonObject): string[] {
  const raw = statement['Principal'];
  if (raw === '*') return ['*'];
  const principal = asObject(raw);
  if (!principal) return [];
  return toList(principal['AWS']).map((s) => templateText(s)).filter((s): s is string => s !== undefined);
}

/** The statements of an IAM policy document (Statement may be one object or a list). */
export function statementsOf(doc: unknown): JsonObject[] {
  const d = asObject(doc);
  if (!d) return [];
  return toList(d['Statement']).map(asObject).filter((s): s is JsonObject => s !== undefined && !intrinsicName(s));
}

function isAllow(statement: JsonObject): boolean {
  return statement['Effect'] === 'Allow';
}

/** Statements of every bucket policy of a bucket. */
export function bucketPolicyStatements(t: Template, bucketId: string): JsonObject[] {
  return bucketPoliciesOf(t, bucketId).flatMap((e) => statementsOf(propertiesOf(e.resource)?.['PolicyDocument']));
}

export const S3_LOGGING_SERVICE = 'logging.s3.amazonaws.com';
// elasticloadbalancing.amazonaws.com is not a log-delivery principal, but a policy granting it is
// an attempt at load-balancer logs (elb-log-principal corrects it).
const ELB_LOG_SERVICES = ['logdelivery.elasticloadbalancing.amazonaws.com', 'logdelivery.elb.amazonaws.com', 'elasticloadbalancing.amazonaws.com'];
/** Log delivery for VPC Flow Logs, NLB access logs and other vended logs. */
export const VENDED_LOG_SERVICE = 'delivery.logs.amazonaws.com';

/**
 * True when an AWS principal value names an ELB log-delivery account: a literal account id or
 * root ARN, in any string of the value (Fn::Sub, Fn::Join), or an Fn::FindInMap into a mapping
 * that holds ELB account ids (the usual region -> account lookup).
 */
export function mentionsElbAccount(t: Template, value: unknown, depth = 0): boolean {
  if (depth > 10) return false;
  if (typeof value === 'string') return (value.match(/\b\d{12}\b/g) ?? []).some((id) => isKnownServiceAccount(id));
  if (Array.isArray(value)) return value.some((v) => mentionsElbAccount(t, v, depth + 1));
  const o = asObject(value);
  if (!o) return false;
  const findInMap = o['Fn::FindInMap'];
  if (Array.isArray(findInMap) && typeof findInMap[0] === 'string') {
    const mapping = asObject(t.Mappings)?.[findInMap[0]];
    if (mapping !== undefined && mentionsElbAccount(t, mapping, depth + 1)) return true;
  }
  return Object.values(o).some((v) => mentionsElbAccount(t, v, depth + 1));
}

export type LogDestinationKind = 'access-logs' | 'load-balancer-logs' | 'vended-logs' | 'cloudfront-logs';

/**
 * Buckets that receive logs delivered by AWS services that write SSE-S3 only (or need special key
 * grants): S3 server access logs (another bucket's LoggingConfiguration, a bucket-policy grant
 * to logging.s3.amazonaws.com, or the LogDeliveryWrite canned ACL on a bucket that takes no
 * load-balancer logs), load-balancer access logs (ALB/NLB attributes, Classic ELB
 * AccessLoggingPolicy, or a bucket-policy grant to an ELB account or the ELB log-delivery
 * principal), vended logs (VPC flow logs to S3, delivery.logs.amazonaws.com grants) and CloudFront
 * standard logs (DistributionConfig.Logging.Bucket).
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
  for (const { resource } of resourcesOfType(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    for (const attribute of toList(propertiesOf(resource)?.['LoadBalancerAttributes'])) {
      const a = asObject(attribute);
      if (!a || typeof a['Key'] !== 'string' || !/^(access_logs|connection_logs|health_check_logs)\.s3\.bucket$/.test(a['Key'])) continue;
      mark(bucketByName(t, a['Value']), 'load-balancer-logs');
    }
  }
  for (const { resource } of resourcesOfType(t, 'AWS::ElasticLoadBalancing::LoadBalancer')) {
    mark(bucketByName(t, asObject(propertiesOf(resource)?.['AccessLoggingPolicy'])?.['S3BucketName']), 'load-balancer-logs');
  }
  // CloudFront standard logging (legacy): DistributionConfig.Logging.Bucket is the bucket's domain name.
  for (const { resource } of resourcesOfType(t, CLOUDFRONT_DISTRIBUTION)) {
    mark(bucketByDomainName(t, asObject(asObject(propertiesOf(resource)?.['DistributionConfig'])?.['Logging'])?.['Bucket']), 'cloudfront-logs');
  }
  for (const { resource } of resourcesOfType(t, 'AWS::EC2::FlowLog')) {
    const p = propertiesOf(resource);
    if (p?.['LogDestinationType'] !== 's3') continue;
    mark(bucketByArn(t, p['LogDestination'])?.bucket, 'vended-logs');
  }
  for (const { resource } of resourcesOfType(t, 'AWS::S3::BucketPolicy')) {
    const bucket = bucketByName(t, propertiesOf(resource)?.['Bucket']);
    if (!bucket) continue;
    for (const statement of statementsOf(propertiesOf(resource)?.['PolicyDocument'])) {
      if (!isAllow(statement)) continue;
      const services = servicePrincipals(statement);
      if (services.includes(S3_LOGGING_SERVICE)) mark(bucket, 'access-logs');
      if (services.some((s) => ELB_LOG_SERVICES.includes(s))) mark(bucket, 'load-balancer-logs');
      if (services.includes(VENDED_LOG_SERVICE)) mark(bucket, 'vended-logs');
      const principal = asObject(statement['Principal']);
      if (principal && mentionsElbAccount(t, principal['AWS'])) mark(bucket, 'load-balancer-logs');
    }
  }
  // The LogDeliveryWrite canned ACL exists only for S3 server access log delivery; on a load
  // balancer log bucket it is a mistaken attempt at ELB delivery, which goes through the policy.
  for (const { id, resource } of resourcesOfType(t, S3_BUCKET)) {
    if (propertiesOf(resource)?.['AccessControl'] === 'LogDeliveryWrite' && !out.get(id)?.has('load-balancer-logs')) mark(id, 'access-logs');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CloudFront

export const CLOUDFRONT_DISTRIBUTION = 'AWS::CloudFront::Distribution';
export const CLOUDFRONT_SERVICE = 'cloudfront.amazonaws.com';

export interface CloudFrontOrigin {
  distribution: string;
  /** The origin signs its requests with origin access control, the only way CloudFront reads SSE-KMS objects. */
  oac: boolean;
  /** A cache behavior of the origin forwards PUT or POST requests: viewers upload through it. */
  uploads: boolean;
}

/**
 * The distributions that use each template bucket as an origin. An origin with both an
 * OriginAccessControlId and an origin access identity counts as OAI (CloudFront refuses it).
 */
export function cloudFrontOrigins(t: Template): Map<string, CloudFrontOrigin[]> {
  const out = new Map<string, CloudFrontOrigin[]>();
  for (const { id, resource } of resourcesOfType(t, CLOUDFRONT_DISTRIBUTION)) {
    const config = asObject(propertiesOf(resource)?.['DistributionConfig']);
    const behaviors = [config?.['DefaultCacheBehavior'], ...toList(config?.['CacheBehaviors'])].map(asObject).filter((b): b is JsonObject => b !== undefined);
    for (const entry of toList(config?.['Origins'])) {
      const origin = asObject(entry);
      const bucket = origin ? bucketByDomainName(t, origin['DomainName']) : undefined;
      if (!origin || !bucket) continue;
      const oacId = origin['OriginAccessControlId'];
      const oai = templateText(asObject(origin['S3OriginConfig'])?.['OriginAccessIdentity']);
      const originId = templateText(origin['Id']);
      const uploads = behaviors.some(
        (b) => originId !== undefined && templateText(b['TargetOriginId']) === originId && toList(b['AllowedMethods']).some((m) => m === 'PUT' || m === 'POST'),
      );
      const uses = out.get(bucket) ?? [];
      uses.push({ distribution: id, oac: oacId !== undefined && oacId !== '' && !oai, uploads });
      out.set(bucket, uses);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// IAM

/** True when an IAM action pattern (with `*` / `?` wildcards, case-insensitive) matches `action`. */
export function actionPatternMatches(pattern: string, action: string): boolean {
  let re = actionPatterns.get(pattern);
  if (!re) {
    // Policies repeat the same few patterns across roles and passes: compile each once.
    if (actionPatterns.size > 10_000) actionPatterns.clear();
    re = new RegExp('^' + pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c))).join('') + '$', 'i');
    actionPatterns.set(pattern, re);
  }
  return re.test(action);
}

const actionPatterns = new Map<string, RegExp>();

/** True when an Allow statement's Action names `action` (NotAction statements never match). */
export function allowsAction(statement: JsonObject, action: string): boolean {
  if (!isAllow(statement)) return false;
  return toList(statement['Action']).some((a) => typeof a === 'string' && actionPatternMatches(a, action));
}

/** The statement's Resource entries (NotResource gives none). */
export function resourcesOfStatement(statement: JsonObject): JsonValue[] {
  return toList(statement['Resource']);
}

/** Roles named in a `Roles` list of an IAM policy / instance profile: `Ref R` entries. */
export function rolesIn(t: Template, roles: unknown): string[] {
  const out: string[] = [];
  for (const entry of toList(roles as JsonValue | undefined)) {
    const text = templateText(entry);
    const m = text ? /^\$\{([^}.]+)\}$/.exec(text) : null;
    if (m && typeOf(t, m[1]!) === 'AWS::IAM::Role') out.push(m[1]!);
  }
  return out;
}

/** The role an ARN expression names: `GetAtt R.Arn`, `${R.Arn}`, `arn:...:role/${R}`. */
export function roleByArn(t: Template, value: unknown): string | undefined {
  const text = templateText(value);
  if (text === undefined) return undefined;
  const m = /^\$\{([^}.]+)\.Arn\}$/.exec(text) ?? /:role\/(?:[^$]*\/)?\$\{([^}.]+)\}$/.exec(text);
  return m && typeOf(t, m[1]!) === 'AWS::IAM::Role' ? m[1] : undefined;
}

/** Every policy document that applies to a role: inline Policies, IAM::Policy / ManagedPolicy resources naming it, ManagedPolicyArns refs. */
export function policyDocumentsOfRole(t: Template, roleId: string): JsonValue[] {
  const docs: JsonValue[] = [];
  const props = propertiesOf(resourceOf(t, roleId));
  for (const policy of toList(props?.['Policies'])) {
    const doc = asObject(policy)?.['PolicyDocument'];
    if (doc !== undefined) docs.push(doc);
  }
  const managedRefs = new Set<string>();
  for (const arn of toList(props?.['ManagedPolicyArns'])) {
    const m = /^\$\{([^}.]+)\}$/.exec(templateText(arn) ?? '');
    if (m) managedRefs.add(m[1]!);
  }
  for (const { id, resource } of resourcesOfType(t, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy')) {
    const p = propertiesOf(resource);
    const attached =
      managedRefs.has(id) ||
      rolesIn(t, p?.['Roles']).includes(roleId) ||
      (resource.Type === 'AWS::IAM::RolePolicy' && rolesIn(t, [p?.['RoleName'] ?? null]).includes(roleId));
    if (attached && p?.['PolicyDocument'] !== undefined) docs.push(p['PolicyDocument']);
  }
  return docs;
}

/** True when a policy resource entry covers key `keyId`: `*`, the key (any form), or a `key/*` wildcard ARN. */
export function resourceCoversKey(t: Template, resource: JsonValue, keyId: string): boolean {
  if (resource === '*') return true;
  if (keyOf(t, resource) === keyId) return true;
  const text = templateText(resource);
  if (text === undefined) return false;
  if (text.includes('${' + keyId + '}') || text.includes('${' + keyId + '.Arn}')) return true;
  return /^arn:[^:]+:kms:[^:]*:[^:]*:(\*|key\/\*)$/.test(text);
}

/** True when some Allow statement of the role's policies grants kms:Decrypt on the key. */
export function roleCanDecrypt(t: Template, roleId: string, keyId: string): boolean {
  for (const doc of policyDocumentsOfRole(t, roleId)) {
    for (const statement of statementsOf(doc)) {
      if (!allowsAction(statement, 'kms:Decrypt')) continue;
      if (resourcesOfStatement(statement).some((r) => resourceCoversKey(t, r, keyId))) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Key policies

/** The key-policy statement that delegates key access to IAM in this account. */
export function accountRootStatement(): JsonObject {
  return {
    Sid: 'EnableIAMPolicies',
    Effect: 'Allow',
    Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
    Action: 'kms:*',
    Resource: '*',
  };
}

/**
 * The ARN pattern of a trail for an `aws:SourceArn` condition, as Fn::Sub text. Uses the trail's
 * TrailName when it is a literal or a Sub/Ref of parameters only (a GetAtt of the trail would make
 * a cycle: trail -> bucket -> key -> trail), else `trail/*` in this account.
 */
export function trailArnText(t: Template, trailId: string): string {
  const name = propertiesOf(resourceOf(t, trailId))?.['TrailName'];
  let text = templateText(name);
  const parameters = asObject(t.Parameters) ?? {};
  if (text !== undefined) {
    const vars = subVariables(text);
    const ok = vars.every((v) => v.startsWith('AWS::') || Object.prototype.hasOwnProperty.call(parameters, v));
    if (!ok || text === '' || text.includes(':')) text = undefined;
  }
  return 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/' + (text ?? '*');
}

/**
 * Key-policy statements that let CloudTrail write to a bucket whose default encryption uses the
 * key. S3 encrypts the delivered objects with the bucket's key on CloudTrail's behalf, so the
 * encryption context is the S3 one, not `aws:cloudtrail:arn`: the grant is scoped with
 * `aws:SourceArn` (the trail ARNs), as AWS recommends for CloudTrail key policies
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
 * DescribeKey is the statement AWS documents "as is" (create-kms-key-policy-for-cloudtrail-describe).
 */
export function cloudTrailKeyStatements(t: Template, trailIds: readonly string[]): JsonObject[] {
  const arns = [...new Set(trailIds.map((id) => trailArnText(t, id)))].sort();
  const sourceArn: JsonValue = arns.length === 1 ? { 'Fn::Sub': arns[0]! } : arns.map((a) => ({ 'Fn::Sub': a }));
  return [
    {
      Sid: 'AllowCloudTrailToEncryptLogs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringLike: { 'aws:SourceArn': sourceArn } },
    },
    {
      Sid: 'AllowCloudTrailToDescribeKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
    },
  ];
}

/**
 * The key-policy statement CloudWatch Logs needs to encrypt log groups with the key
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html): the
 * regional service principal, scoped to this account's log groups by encryption context.
 */
export function logsKeyStatement(): JsonObject {
  return {
    Sid: 'AllowCloudWatchLogs',
    Effect: 'Allow',
    Principal: { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } },
    Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    Resource: '*',
    Condition: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*' } },
    },
  };
}

/** What CloudWatch must be allowed on the key of an encrypted SNS topic to publish alarm notifications to it. */
export const CLOUDWATCH_ALARM_KEY_ACTIONS: readonly string[] = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/**
 * The key-policy statement that lets CloudWatch alarms publish to SNS topics encrypted with the
 * key (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services),
 * on behalf of this account only. It names nothing but a pseudo parameter, so the key never
 * depends on the topics and alarms that depend on it.
 */
export function cloudWatchAlarmsKeyStatement(actions: readonly string[] = CLOUDWATCH_ALARM_KEY_ACTIONS, sid = 'AllowCloudWatchAlarms'): JsonObject {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: [...actions],
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
  };
}

/**
 * The actions of {@link CLOUDWATCH_ALARM_KEY_ACTIONS} the key policy does not let CloudWatch call.
 * A statement for every principal counts only without a Condition: the conditions such statements
 * carry (kms:ViaService, kms:CallerAccount, an encryption context) admit other callers.
 */
export function actionsCloudWatchLacks(policy: unknown): string[] {
  return CLOUDWATCH_ALARM_KEY_ACTIONS.filter((pattern) => {
    const action = pattern.replace(/\*$/, '');
    return !statementsOf(policy).some((s) => {
      if (!allowsAction(s, action)) return false;
      if (servicePrincipals(s).includes('cloudwatch.amazonaws.com')) return true;
      return (s['Principal'] === '*' || awsPrincipals(s).includes('*')) && s['Condition'] === undefined;
    });
  });
}

/** True when a key policy lets a service (matched on its principal text) call `action`. */
export function keyPolicyAllowsService(policy: unknown, service: (principal: string) => boolean, action: string): boolean {
  return statementsOf(policy).some((s) => {
    if (!allowsAction(s, action)) return false;
    if (s['Principal'] === '*' || awsPrincipals(s).includes('*')) return true;
    return servicePrincipals(s).some(service);
  });
}

/**
 * True when the key policy lets IAM policies grant use of the key: no KeyPolicy (the default
 * policy), or an Allow of `kms:*` to the account root (`arn:...:iam::<account>:root` or the bare
 * account id). Without it, IAM grants such as ec2-role-kms adds have no effect.
 */
export function keyPolicyDelegatesToIam(policy: unknown): boolean {
  if (policy === undefined) return true;
  return statementsOf(policy).some(
    (s) =>
      allowsAction(s, 'kms:Decrypt') &&
      allowsAction(s, 'kms:GenerateDataKey') &&
      awsPrincipals(s).some((p) => new RegExp(`^(arn:${PARTITION}:iam::)?(\\$\\{AWS::AccountId\\}|\\d{12})(:root)?$`).test(p)),
  );
}

/**
 * The key-policy statement that lets CloudFront origin access control use the key
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html,
 * "SSE-KMS"): the cloudfront.amazonaws.com principal with `AWS:SourceArn` of the distributions
 * that read the key's buckets. `distributions` undefined scopes it to every distribution of the
 * account instead, for when naming a distribution would close a dependency cycle.
 */
export function cloudFrontKeyStatement(actions: readonly string[], distributions: readonly string[] | undefined): JsonObject {
  const arn = (d: string): JsonValue => ({ 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/' + d });
  const sourceArn = distributions === undefined ? undefined : [...new Set(distributions)].sort().map((d) => arn('${' + d + '}'));
  return {
    Sid: 'AllowCloudFrontOriginAccessControl',
    Effect: 'Allow',
    Principal: { Service: CLOUDFRONT_SERVICE },
    Action: actions.length === 1 ? actions[0]! : [...actions],
    Resource: '*',
    Condition:
      sourceArn === undefined
        ? { ArnLike: { 'AWS:SourceArn': arn('*') } }
        : { StringEquals: { 'AWS:SourceArn': sourceArn.length === 1 ? sourceArn[0]! : sourceArn } },
  };
}

/** The default EC2 Auto Scaling service-linked role, as Fn::Sub text. */
export const AUTOSCALING_SERVICE_LINKED_ROLE = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';

/** The actions `kms:Encrypt`, `kms:Decrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and `kms:DescribeKey` allow, to check an existing grant action by action. */
export const AUTOSCALING_KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'];

/**
 * The two key-policy statements the EC2 Auto Scaling guide requires for a service-linked role
 * that launches instances with volumes encrypted by the key
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html):
 * use of the key by `useFor`, and grants for AWS resources (the volumes) by `grantFor`.
 */
export function autoScalingKeyStatements(useFor: readonly JsonValue[], grantFor: readonly JsonValue[]): JsonObject[] {
  const principal = (roles: readonly JsonValue[]): JsonObject => ({ AWS: roles.length === 1 ? roles[0]! : [...roles] });
  const out: JsonObject[] = [];
  if (useFor.length > 0) {
    out.push({
      Sid: 'AllowAutoScalingServiceLinkedRoleUseOfKey',
      Effect: 'Allow',
      Principal: principal(useFor),
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    });
  }
  if (grantFor.length > 0) {
    out.push({
      Sid: 'AllowAutoScalingServiceLinkedRoleGrants',
      Effect: 'Allow',
      Principal: principal(grantFor),
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    });
  }
  return out;
}

/** An IAM ARN text with its partition and account id each written one way, to compare ARNs spelled differently. */
function comparableArn(text: string): string {
  return text.replace(new RegExp(`^arn:${PARTITION}:([^:]*):([^:]*):(\\d{12}|\\$\\{AWS::AccountId\\}):`), 'arn:*:$1:$2:*:');
}

/**
 * True when a key policy lets the IAM principal `principal` (a role ARN value) call `action`:
 * an Allow naming the same ARN however it is written, or any principal (`*`).
 */
export function keyPolicyAllowsPrincipal(policy: unknown, principal: JsonValue, action: string): boolean {
  const text = templateText(principal);
  const wanted = text === undefined ? undefined : comparableArn(text);
  return statementsOf(policy).some((s) => {
    if (!allowsAction(s, action)) return false;
    if (s['Principal'] === '*' || awsPrincipals(s).includes('*')) return true;
    if (wanted !== undefined) return awsPrincipals(s).some((p) => comparableArn(p) === wanted);
    return toList(asObject(s['Principal'])?.['AWS']).some((p) => JSON.stringify(p) === JSON.stringify(principal));
  });
}

export const isCloudTrailPrincipal = (p: string): boolean => p === 'cloudtrail.amazonaws.com';
/** The regional CloudWatch Logs principal, literal or `logs.${AWS::Region}.amazonaws.com`. */
export const isRegionalLogsPrincipal = (p: string): boolean => /^logs\.[^.]+\.amazonaws\.com(\.cn)?$/.test(p);

/** Log groups encrypted with each template key. */
export function logGroupsByKey(t: Template): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { id, resource } of resourcesOfType(t, 'AWS::Logs::LogGroup')) {
    const key = keyOf(t, propertiesOf(resource)?.['KmsKeyId']);
    if (key) out.set(key, [...(out.get(key) ?? []), id]);
  }
  return out;
}

/**
 * Operations adding `statements` to key `keyId`'s KeyPolicy: appended to its Statement list, or a
 * whole policy (account root + statements) when the key has none (the default key policy is the
 * account-root statement, so that keeps today's access). Undefined when the policy is not a
 * plain document (intrinsic, JSON string) and cannot be edited safely.
 */
export function keyPolicyAdditionOps(t: Template, keyId: string, statements: readonly JsonObject[]): Operation[] | undefined {
  if (statements.length === 0) return [];
  const resource = resourceOf(t, keyId);
  if (!resource) return undefined;
  const base = pointer('Resources', keyId);
  const fresh = (): JsonObject => ({ Version: '2012-10-17', Statement: [accountRootStatement(), ...statements] });
  if (resource.Properties === undefined) return [{ op: 'add', path: `${base}/Properties`, value: { KeyPolicy: fresh() } }];
  const props = asObject(resource.Properties);
  if (!props || intrinsicName(props)) return undefined;
  const policy = props['KeyPolicy'];
  if (policy === undefined) return [{ op: 'add', path: `${base}/Properties/KeyPolicy`, value: fresh() }];
  const doc = asObject(policy);
  if (!doc || intrinsicName(doc)) return undefined;
  const existing = doc['Statement'];
  const at = `${base}/Properties/KeyPolicy/Statement`;
  const added = withUniqueSids(statementsOf(doc), statements);
  if (Array.isArray(existing)) return added.map((s) => ({ op: 'add', path: `${at}/-`, value: s }) as Operation);
  if (asObject(existing) && !intrinsicName(existing)) return [{ op: 'replace', path: at, value: [existing, ...added] }];
  return undefined;
}

/** `added` with each Sid that an existing statement (or an earlier one of `added`) uses made unique: `Sid2`, `Sid3`, ... */
function withUniqueSids(existing: readonly JsonObject[], added: readonly JsonObject[]): JsonObject[] {
  const used = new Set(existing.map((s) => s['Sid']).filter((sid): sid is string => typeof sid === 'string').map((sid) => sid.toLowerCase()));
  const taken = new Set<string>();
  return added.map((s) => {
    const sid = s['Sid'];
    if (typeof sid !== 'string') return s;
    const unique = firstUnusedName((n) => (n === 1 ? sid : `${sid}${n}`), used, taken);
    return unique === sid ? s : { ...s, Sid: unique };
  });
}

/**
 * True when the resource opts out of a rule with `Metadata: {tapfix: {skip: [id | 'all']}}`. The
 * engine drops such a resource's findings; rules that also create shared resources (a key, a log
 * bucket) check it too, so they do not create them for buckets that will not use them.
 */
export function skipsRule(resource: Resource | undefined, ruleId: string): boolean {
  const skip = asObject(asObject(resource?.Metadata)?.['tapfix'])?.['skip'];
  return Array.isArray(skip) && (skip.includes(ruleId) || skip.includes('all'));
}
