// Where the load balancers of a template write their logs, and which AWS accounts deliver them.
// (Which objects a bucket-policy grant covers is elb-log-principal's own question.)
//
// ELB writes `bucket[/prefix]/AWSLogs/<account>/...`, and a test object
// `bucket[/prefix]/AWSLogs/<account>/ELBAccessLogTestFile` as soon as logging is turned on
// (AWS ALB user guide "Enable access logs", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html,
// archived at github:awsdocs/elb-application-load-balancers-user-guide@4b8b6d0
// doc_source/enable-access-logging.md, sections "Attach a policy" and "Verify bucket permissions").

import type { JsonObject, JsonValue, Operation, Template } from '../types.js';
import { freshLogicalId } from './naming.js';
import { pointer } from './pointer.js';
import { property, resources, type ResourceView } from './query.js';
import { elbAccountIds, isKnownServiceAccount } from './regions.js';
import { bucketOfName } from './s3.js';
import { asObject, deepEqual, intrinsicName, toList } from './values.js';

export const ALB_TYPE = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
export const CLB_TYPE = 'AWS::ElasticLoadBalancing::LoadBalancer';

export interface AccessLogTarget {
  /** Logical id of the load balancer. */
  id: string;
  view: ResourceView;
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
  for (const view of resources(t, ALB_TYPE, CLB_TYPE)) {
    if (!view.properties) continue;
    const { id } = view;
    if (view.type === ALB_TYPE) {
      const type = property(view, 'Type')?.value;
      if (type !== undefined && type !== 'application') continue;
      const attributes = property(view, 'LoadBalancerAttributes');
      if (!attributes || !Array.isArray(attributes.value)) continue;
      const list = attributes.value;
      const find = (key: string) => {
        const i = list.findIndex((a) => asObject(a)?.['Key'] === key);
        return i < 0 ? undefined : property(view, 'LoadBalancerAttributes', i, 'Value') ?? { value: undefined, pointer: `${attributes.pointer}/${i}/Value` };
      };
      if (!mayBeOn(find('access_logs.s3.enabled')?.value)) continue;
      const bucket = find('access_logs.s3.bucket');
      out.push({ id, view, bucketAt: bucket?.pointer ?? view.pointer, bucket: bucket?.value, bucketId: bucketOfName(t, bucket?.value), prefix: find('access_logs.s3.prefix')?.value });
    } else {
      const policy = property(view, 'AccessLoggingPolicy');
      const config = asObject(policy?.value);
      if (!policy || !config || intrinsicName(config) || !mayBeOn(config['Enabled'])) continue;
      const bucket = property(view, 'AccessLoggingPolicy', 'S3BucketName');
      out.push({ id, view, bucketAt: bucket?.pointer ?? view.pointer, bucket: bucket?.value, bucketId: bucketOfName(t, bucket?.value), prefix: config['S3BucketPrefix'] });
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
  for (const view of resources(t, ALB_TYPE)) {
    for (const attribute of toList(property(view, 'LoadBalancerAttributes')?.value)) {
      const a = asObject(attribute);
      if (!a || typeof a['Key'] !== 'string' || !/^(access_logs|connection_logs|health_check_logs)\.s3\.bucket$/.test(a['Key'])) continue;
      const bucket = bucketOfName(t, a['Value']);
      if (bucket) out.push(bucket);
    }
  }
  for (const view of resources(t, CLB_TYPE)) {
    const bucket = bucketOfName(t, property(view, 'AccessLoggingPolicy', 'S3BucketName')?.value);
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

// ---------------------------------------------------------------------------------------------
// The ELB log-delivery account of the stack's region, as a Mappings lookup

/** The mapping (region -> `{AccountId}`) a template gets for ELB log-delivery accounts. */
export const ELB_ACCOUNTS_MAPPING = 'ElbLogAccounts';

/** Region code -> `{AccountId}` for every region with an ELB log-delivery account (sorted). */
export function elbAccountsMappingTable(): JsonObject {
  const table: JsonObject = {};
  for (const [region, account] of [...elbAccountIds()].sort(([a], [b]) => a.localeCompare(b))) table[region] = { AccountId: account };
  return table;
}

/** `arn:${AWS::Partition}:iam::<ELB account of the stack's region>:root`, looked up in mapping `mapName`. */
export function elbAccountPrincipal(mapName: string): JsonObject {
  return {
    'Fn::Sub': [
      'arn:${AWS::Partition}:iam::${ElbAccount}:root',
      { ElbAccount: { 'Fn::FindInMap': [mapName, { Ref: 'AWS::Region' }, 'AccountId'] } },
    ],
  };
}

export interface ElbAccountsMapping {
  /** Mapping name to use. */
  mapName: string;
  /** The op that creates it (none when the template has it already). */
  mappingOps: Operation[];
}

/**
 * The ELB accounts mapping of a template: {@link ELB_ACCOUNTS_MAPPING} when the template holds
 * that table already, else a fresh name and the op adding it. Every fix that uses the mapping
 * carries the same op: applying it twice gives the same template, and a fix suppressed on one
 * resource never leaves another pointing at a missing mapping.
 */
export function planElbAccountsMapping(t: Template): ElbAccountsMapping {
  const table = elbAccountsMappingTable();
  const mappings = asObject(t.Mappings);
  if (mappings && deepEqual(mappings[ELB_ACCOUNTS_MAPPING], table)) return { mapName: ELB_ACCOUNTS_MAPPING, mappingOps: [] };
  const mapName = freshLogicalId(t, ELB_ACCOUNTS_MAPPING);
  const mappingOps: Operation[] = mappings
    ? [{ op: 'add', path: pointer('Mappings', mapName), value: table }]
    : [{ op: 'add', path: pointer('Mappings'), value: { [mapName]: table } }];
  return { mapName, mappingOps };
}
