// Where the load balancers of a template write their logs, which AWS accounts deliver them, and
// whether a bucket-policy Resource lets Elastic Load Balancing write there.
//
// ELB writes `bucket[/prefix]/AWSLogs/<account>/...`, and a test object
// `bucket[/prefix]/AWSLogs/<account>/ELBAccessLogTestFile` as soon as logging is turned on
// (AWS ALB user guide "Enable access logs", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html,
// archived at github:awsdocs/elb-application-load-balancers-user-guide@4b8b6d0
// doc_source/enable-access-logging.md, sections "Attach a policy" and "Verify bucket permissions").

import type { JsonObject, JsonValue, Resource, Template } from '../types.js';
import { pointer } from './pointer.js';
import { isKnownServiceAccount } from './regions.js';
import { bucketOfName } from './s3.js';
import { parseSubVariables, PSEUDO_PARAMETERS, resourcesOfType } from './template.js';
import { asObject, hasOwn, intrinsicName, subText, toList } from './values.js';

export const ALB_TYPE = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
export const CLB_TYPE = 'AWS::ElasticLoadBalancing::LoadBalancer';

export interface AccessLogTarget {
  /** Logical id of the load balancer. */
  id: string;
  resource: Resource;
  /** Pointer of the value that names the bucket, or of the load balancer when none does. */
  bucketAt: string;
  /** The value naming the bucket (undefined: logging is on without a bucket). */
  bucket: JsonValue | undefined;
  /** The template bucket it names, when it names one. */
  bucketId: string | undefined;
  /** The prefix as written (undefined or '' when there is none). */
  prefix: JsonValue | undefined;
}

/** `true`, `"true"` (any case), or an intrinsic that may turn out true. */
function mayBeOn(v: JsonValue | undefined): boolean {
  if (v === true) return true;
  if (typeof v === 'string') return v.toLowerCase() === 'true';
  return intrinsicName(v) !== undefined;
}

/**
 * Every load balancer of the template that turns access logging to S3 on (or may, through an
 * intrinsic): ALBs by their `access_logs.s3.*` attributes, Classic Load Balancers by their
 * AccessLoggingPolicy. Network and gateway load balancers are left out: NLB logs are vended logs
 * delivered by delivery.logs.amazonaws.com under other rules, and gateway ones have none.
 */
export function loadBalancerAccessLogs(t: Template): AccessLogTarget[] {
  const out: AccessLogTarget[] = [];
  for (const { id, resource, pointer: at } of resourcesOfType(t, ALB_TYPE, CLB_TYPE)) {
    const props = asObject(resource.Properties);
    if (!props || intrinsicName(props)) continue;
    if (resource.Type === ALB_TYPE) {
      const type = props['Type'];
      if (type !== undefined && type !== 'application') continue;
      const attributes = props['LoadBalancerAttributes'];
      if (!Array.isArray(attributes)) continue;
      const find = (key: string) => {
        const i = attributes.findIndex((a) => asObject(a)?.['Key'] === key);
        return i < 0 ? undefined : { value: asObject(attributes[i])!['Value'], at: pointer('Resources', id, 'Properties', 'LoadBalancerAttributes', i, 'Value') };
      };
      if (!mayBeOn(find('access_logs.s3.enabled')?.value)) continue;
      const bucket = find('access_logs.s3.bucket');
      out.push({ id, resource, bucketAt: bucket?.at ?? at, bucket: bucket?.value, bucketId: bucketOfName(t, bucket?.value), prefix: find('access_logs.s3.prefix')?.value });
    } else {
      const policy = asObject(props['AccessLoggingPolicy']);
      if (!policy || intrinsicName(policy) || !mayBeOn(policy['Enabled'])) continue;
      const bucket = policy['S3BucketName'];
      const bucketAt = bucket === undefined ? at : pointer('Resources', id, 'Properties', 'AccessLoggingPolicy', 'S3BucketName');
      out.push({ id, resource, bucketAt, bucket, bucketId: bucketOfName(t, bucket), prefix: policy['S3BucketPrefix'] });
    }
  }
  return out;
}

/**
 * The template buckets any load balancer's log attributes name, in template order: ALB/NLB
 * `access_logs` / `connection_logs` / `health_check_logs` `.s3.bucket` attributes and Classic
 * Load Balancer AccessLoggingPolicy buckets, whether logging is on or not. Wider than
 * {@link loadBalancerAccessLogs} (enabled ALB/CLB access logs, for the bucket policy ELB needs):
 * this is every bucket that may receive load-balancer logs, for the encryption they need.
 */
export function loadBalancerLogBuckets(t: Template): string[] {
  const out: string[] = [];
  for (const { resource } of resourcesOfType(t, ALB_TYPE)) {
    for (const attribute of toList(asObject(resource.Properties)?.['LoadBalancerAttributes'])) {
      const a = asObject(attribute);
      if (!a || typeof a['Key'] !== 'string' || !/^(access_logs|connection_logs|health_check_logs)\.s3\.bucket$/.test(a['Key'])) continue;
      const bucket = bucketOfName(t, a['Value']);
      if (bucket) out.push(bucket);
    }
  }
  for (const { resource } of resourcesOfType(t, CLB_TYPE)) {
    const bucket = bucketOfName(t, asObject(asObject(resource.Properties)?.['AccessLoggingPolicy'])?.['S3BucketName']);
    if (bucket) out.push(bucket);
  }
  return out;
}

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

/**
 * The prefix as Fn::Sub text, without its trailing slash: '' for none, a literal (with `${`
 * escaped), `${Param}` for a parameter, or the text of a Sub that names only parameters and
 * pseudo parameters. Undefined for anything else (Fn::If, Fn::Join, a resource attribute).
 */
export function prefixText(t: Template, prefix: JsonValue | undefined): string | undefined {
  if (prefix === undefined) return '';
  const parameters = asObject(t.Parameters) ?? {};
  const known = (name: string) => hasOwn(parameters, name) || (PSEUDO_PARAMETERS.has(name) && name !== 'AWS::NoValue');
  const ref = intrinsicName(prefix) === 'Ref' ? (prefix as JsonObject)['Ref'] : undefined;
  const sub = intrinsicName(prefix) === 'Fn::Sub' ? (prefix as JsonObject)['Fn::Sub'] : undefined;
  let text: string | undefined;
  if (typeof prefix === 'string') text = prefix.replace(/\$\{/g, '${!');
  else if (typeof ref === 'string' && known(ref)) text = '${' + ref + '}';
  else if (typeof sub === 'string' && parseSubVariables(sub).every(known)) text = sub;
  return text?.replace(/\/+$/, '');
}

const ACCOUNT = '\u0000account\u0000';
const ANY_PREFIX = '\u0000prefix\u0000';
const PARTITION = '(?:aws|aws-cn|aws-us-gov|\\$\\{AWS::Partition\\})';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The object key ELB writes its test file to, with the account left open and an unreadable
 * prefix standing for any prefix (only a wildcard covers it).
 */
export function testObjectKey(prefix: string | undefined): string {
  const head = prefix === undefined ? `${ANY_PREFIX}/` : prefix === '' ? '' : `${prefix}/`;
  return `${head}AWSLogs/${ACCOUNT}/ELBAccessLogTestFile`;
}

/**
 * The object-key pattern of a policy Resource on bucket `bucketId` (whose name, as Sub text, is
 * `names`): `${B.Arn}/k`, `arn:<partition>:s3:::${B}/k`, `arn:<partition>:s3:::<name>/k`, or
 * `*`; undefined when the Resource names another bucket or only the bucket itself.
 */
export function objectKeyPattern(resource: JsonValue, bucketId: string, names: readonly string[]): string | undefined {
  const text = subText(resource);
  if (text === undefined) return undefined;
  if (text === '*') return '*';
  const heads = [`\\$\\{${escapeRegExp(bucketId)}\\.Arn\\}`, `arn:${PARTITION}:s3:::(?:\\$\\{${escapeRegExp(bucketId)}\\}|\\*${names.map((n) => '|' + escapeRegExp(n)).join('')})`];
  for (const head of heads) {
    const m = new RegExp(`^${head}/(.*)$`).exec(text);
    if (m) return m[1]!;
  }
  return undefined;
}

/**
 * True when an object-key pattern (IAM wildcards `*` and `?`) matches `key`. The stack's
 * account, `${AWS::AccountId}` or written out, matches the open account of {@link testObjectKey}.
 */
export function keyPatternCovers(pattern: string, key: string): boolean {
  const parts = pattern.split(/(\*|\?|\$\{AWS::AccountId\}|\b\d{12}\b)/);
  const re = parts.map((p) => (p === '*' ? '[^]*' : p === '?' ? '[^]' : p === '${AWS::AccountId}' || /^\d{12}$/.test(p) ? escapeRegExp(ACCOUNT) : escapeRegExp(p))).join('');
  return new RegExp(`^${re}$`).test(key);
}

/** The names a bucket may be written by in an ARN: its BucketName as Sub text, when it has one. */
export function bucketNamesOf(t: Template, bucketId: string): string[] {
  const name = subText(asObject(asObject(asObject(t.Resources)?.[bucketId])?.['Properties'])?.['BucketName']);
  return name === undefined || name === '' ? [] : [name];
}
