import { defineTransform } from '../src/transform.js';
import {
  type AccessLogTarget,
  bucketNamesOf,
  keyPatternCovers,
  loadBalancerAccessLogs,
  mentionsElbAccount,
  objectKeyPattern,
  prefixText,
  testObjectKey,
} from '../src/cfn/elb-logs.js';
import { allowsAction, awsPrincipals, resourceOf, servicePrincipals } from '../src/cfn/kms.js';
import { freshLogicalId } from '../src/cfn/naming.js';
import {
  BUCKET_POLICY_TYPE,
  bucketPoliciesByBucket,
  bucketPoliciesOf,
  policyStatements,
  unresolvedPolicies,
  unresolvedPoliciesMentioning,
} from '../src/cfn/s3.js';
import { type ResourceEntry, resourcesOfType } from '../src/cfn/template.js';
import { asObject, deepEqual as jsonEqual, intrinsicName, subText as templateText, toList, toList as oneOrMany } from '../src/cfn/values.js';
import { dependenciesOf, textWithoutDependencies } from '../src/cfn/graph.js';
import { pointer } from '../src/cfn/pointer.js';
import { elbAccountIds, elbLogDeliveryServicePrincipal, regionFacts } from '../src/cfn/regions.js';
import type { Finding, JsonObject, JsonValue, Operation, Severity, Template } from '../src/types.js';

const MAPPING_BASE = 'ElbLogAccounts';
/** A service principal people write for ELB log delivery that S3 never sees ELB use. */
const WRONG_SERVICE = 'elasticloadbalancing.amazonaws.com';
const ARN = /^arn:(?:aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):iam::(\d{12}):root$/;

/** Region code -> `{AccountId}` for every region with an ELB log-delivery account (sorted). */
function mappingTable(): JsonObject {
  const table: JsonObject = {};
  for (const [region, account] of [...elbAccountIds()].sort(([a], [b]) => a.localeCompare(b))) table[region] = { AccountId: account };
  return table;
}

function portablePrincipal(mapName: string): JsonObject {
  return {
    'Fn::Sub': [
      'arn:${AWS::Partition}:iam::${ElbAccount}:root',
      { ElbAccount: { 'Fn::FindInMap': [mapName, { Ref: 'AWS::Region' }, 'AccountId'] } },
    ],
  };
}

/**
 * The account id a principal value names as a literal: `"127311923021"`,
 * `"arn:aws:iam::127311923021:root"`, `!Sub "arn:${AWS::Partition}:iam::127311923021:root"`, or
 * a Fn::Join of literals and `!Ref AWS::Partition` spelling such an ARN.
 */
function literalAccount(v: JsonValue): string | undefined {
  let text: string | undefined;
  if (typeof v === 'string') {
    if (/^\d{12}$/.test(v)) return v;
    text = v;
  } else {
    const name = intrinsicName(v);
    const arg = name ? (v as JsonObject)[name] : undefined;
    if (name === 'Fn::Sub') {
      if (typeof arg === 'string') text = arg;
      else if (Array.isArray(arg) && typeof arg[0] === 'string' && (arg.length === 1 || Object.keys(asObject(arg[1]) ?? {}).length === 0)) text = arg[0];
    } else if (name === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
      const parts: string[] = [];
      for (const part of arg[1]) {
        if (typeof part === 'string') parts.push(part);
        else if (asObject(part)?.['Ref'] === 'AWS::Partition' && intrinsicName(part) === 'Ref') parts.push('${AWS::Partition}');
        else return undefined;
      }
      text = parts.join(arg[0]);
    }
  }
  const m = text === undefined ? null : ARN.exec(text);
  return m ? m[1] : undefined;
}

interface Plan {
  /** Mapping name to use, and the op that creates it (absent when it already exists). */
  mapName: string;
  mappingOps: Operation[];
}

function planMapping(t: Template): Plan {
  const table = mappingTable();
  const mappings = asObject(t.Mappings);
  if (mappings && jsonEqual(mappings[MAPPING_BASE], table)) return { mapName: MAPPING_BASE, mappingOps: [] };
  const mapName = freshLogicalId(t, MAPPING_BASE);
  // The same op in every finding's fix: applying it twice gives the same template, and a fix
  // suppressed on one resource never leaves another fix pointing at a missing mapping.
  const mappingOps: Operation[] = mappings
    ? [{ op: 'add', path: pointer('Mappings', mapName), value: table }]
    : [{ op: 'add', path: pointer('Mappings'), value: { [mapName]: table } }];
  return { mapName, mappingOps };
}

const GRANT_SID = 'AllowELBAccessLogs';
/** Principals ELB log delivery is granted as (the Outposts one included), and the wrong one people write. */
const ELB_SERVICES = ['logdelivery.elasticloadbalancing.amazonaws.com', 'logdelivery.elb.amazonaws.com', WRONG_SERVICE];
const STACK_ACCOUNT = /^(?:arn:(?:aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):iam::)?\$\{AWS::AccountId\}(?::root)?$/;
const S3_OBJECTS = 'arn:${AWS::Partition}:s3:::';

/** Who the grant names in the target region, and how that reads in a message. */
interface Delivery {
  principal: JsonObject;
  describe: string;
  ops: Operation[];
}

/**
 * The account is written as the per-region lookup even when the region is known, as the
 * principal fix in check() writes it: it resolves to that region's account there, and a region
 * known only from the template (a hard-coded zone, say) is gone once az-dynamic has fixed the
 * zones, so a literal account would be made portable on the next run.
 */
function delivery(region: string | undefined, plan: () => Plan): Delivery {
  const facts = region ? regionFacts(region) : undefined;
  const service = elbLogDeliveryServicePrincipal();
  if (facts?.elbLogDeliveryServicePrincipal) return { principal: { Service: service }, describe: `the service principal ${service} (${region} has no ELB account)`, ops: [] };
  const { mapName, mappingOps } = plan();
  const which = facts?.elbAccountId ? `${facts.elbAccountId} in ${region}` : 'the region is not known';
  return { principal: { AWS: portablePrincipal(mapName) }, describe: `the ELB account of the stack's region (${which}; looked up in the ${mapName} mapping)`, ops: mappingOps };
}

/** The same, for a bucket outside the template: nothing is written, so no mapping either. */
function deliveryText(region: string | undefined): string {
  const facts = region ? regionFacts(region) : undefined;
  if (facts?.elbLogDeliveryServicePrincipal) return `the service principal ${elbLogDeliveryServicePrincipal()}`;
  if (facts?.elbAccountId && facts.elbPrincipalArn) return facts.elbPrincipalArn;
  return `the ELB account of the stack's region (${elbLogDeliveryServicePrincipal()} in regions launched after August 2022)`;
}

/** `bucket/prefix/AWSLogs/<account>/` for messages. */
function keyText(bucket: string, prefix: string | undefined): string {
  return `${bucket}/${prefix === undefined ? '<prefix>/' : prefix === '' ? '' : `${prefix}/`}AWSLogs/<account>/`;
}

function loadBalancers(targets: readonly AccessLogTarget[]): { subject: string; verb: string } {
  const ids = targets.map((l) => l.id);
  return ids.length === 1 ? { subject: `Load balancer ${ids[0]!}`, verb: 'writes' } : { subject: `Load balancers ${ids.join(', ')}`, verb: 'write' };
}

/**
 * The objects ELB writes under `prefix` (undefined: a prefix that cannot be read, so any), as the
 * ARN a grant names. `name` is the policy's own `Bucket` value, for a bucket that depends on the
 * policy: naming it by a reference would make each wait for the other.
 */
function objectsArn(t: Template, bucketId: string, prefix: string | undefined, name?: JsonValue): JsonValue {
  const keys = `${prefix === undefined ? '*' : prefix === '' ? '' : `${prefix}/`}AWSLogs/\${AWS::AccountId}/*`;
  if (name === undefined) return { 'Fn::Sub': `${S3_OBJECTS}\${${bucketId}}/${keys}` };
  const text = textWithoutDependencies(t, name);
  return text !== undefined ? { 'Fn::Sub': `${S3_OBJECTS}${text}/${keys}` } : { 'Fn::Sub': [`${S3_OBJECTS}\${BucketName}/${keys}`, { BucketName: name }] };
}

function isElbGrant(t: Template, statement: JsonObject): boolean {
  if (!allowsAction(statement, 's3:PutObject')) return false;
  if (servicePrincipals(statement).some((s) => ELB_SERVICES.includes(s))) return true;
  return mentionsElbAccount(t, asObject(statement['Principal'])?.['AWS']);
}

/** A Sid not used by any statement of the policy (S3 rejects duplicate Sids). */
function freshSid(statements: ReadonlyArray<{ statement: JsonObject }>): string {
  const used = new Set(statements.map(({ statement }) => statement['Sid']));
  for (let n = 1; ; n++) {
    const sid = n === 1 ? GRANT_SID : `${GRANT_SID}${n}`;
    if (!used.has(sid)) return sid;
  }
}

/** Operations that make load balancer `id` wait for `policyId`, or undefined when its DependsOn cannot be extended. */
function dependsOnOps(t: Template, id: string, policyId: string): Operation[] | undefined {
  const at = pointer('Resources', id, 'DependsOn');
  const current = resourceOf(t, id)?.DependsOn;
  if (current === undefined) return [{ op: 'add', path: at, value: policyId }];
  if (typeof current === 'string') return [{ op: 'replace', path: at, value: [current, policyId] }];
  if (Array.isArray(current)) return [{ op: 'add', path: `${at}/-`, value: policyId }];
  return undefined;
}

/** Every AWS::S3::BucketPolicy attached to the bucket, however its `Bucket` names it. */
function policiesOf(t: Template, bucketId: string, byBucket: ReadonlyMap<string, ResourceEntry[]>): ResourceEntry[] {
  const out = [...(byBucket.get(bucketId) ?? [])];
  for (const p of bucketPoliciesOf(t, bucketId)) if (!out.some((q) => q.id === p.id)) out.push(p);
  return out;
}

/** What the findings of one check share across buckets. */
interface Context {
  byBucket: ReadonlyMap<string, ResourceEntry[]>;
  /** Logical ids given to new policies in this check. */
  taken: Set<string>;
  unresolved?: Array<{ id: string; at: string }>;
}

/**
 * Findings for the load balancers that log into one template bucket: the grant they need, under
 * their prefixes, and a DependsOn on the bucket policy.
 */
function bucketFindings(t: Template, bucketId: string, lbs: readonly AccessLogTarget[], how: () => Delivery, context: Context): Finding[] {
  const findings: Finding[] = [];
  const policies = policiesOf(t, bucketId, context.byBucket);
  const { subject, verb } = loadBalancers(lbs);
  if (policies.length > 1) {
    findings.push({
      pointer: pointer('Resources', bucketId),
      message: `${subject} ${verb} access logs to ${bucketId}, which has ${policies.length} bucket policies (${policies.map((p) => p.id).join(', ')}); S3 keeps one policy per bucket, so merge them into one that grants Elastic Load Balancing`,
    });
    return findings;
  }
  const policy = policies[0];
  const view = policy ? policyStatements(policy.pointer, policy.resource.Properties) : undefined;
  const statements: Array<{ statement: JsonObject; at: string }> = [];
  if (view?.kind === 'list') view.items.forEach((s, i) => asObject(s) && !intrinsicName(s) && statements.push({ statement: asObject(s)!, at: `${view.pointer}/${i}` }));
  if (view?.kind === 'single') statements.push({ statement: view.statement, at: view.pointer });

  if (policy) findings.push(...stackAccountGrants(policy.id, statements, bucketId, lbs));

  const prefixes = lbs.map((lb) => prefixText(t, lb.prefix));
  const policyBucket = templateText(asObject(policy?.resource.Properties)?.['Bucket']);
  const names = [...bucketNamesOf(t, bucketId), ...(policyBucket !== undefined && policyBucket !== `\${${bucketId}}` ? [policyBucket] : [])];
  const covers = (statement: JsonObject, prefix: string | undefined) =>
    toList(statement['Resource']).some((r) => {
      const pattern = objectKeyPattern(r, bucketId, names);
      return pattern !== undefined && keyPatternCovers(pattern, testObjectKey(prefix));
    });
  const grants = statements.filter(({ statement }) => isElbGrant(t, statement));
  const missing = [...new Set(prefixes.filter((prefix) => !grants.some(({ statement }) => covers(statement, prefix))))];
  if (missing.length > 0) {
    const uncovered = lbs.filter((_, i) => missing.includes(prefixes[i]));
    const who = loadBalancers(uncovered);
    const keys = missing.map((prefix) => keyText(bucketId, prefix)).join(', ');
    const name = policy && dependenciesOf(t, bucketId).has(policy.id) ? asObject(policy.resource.Properties)?.['Bucket'] : undefined;
    const arns = missing.map((prefix) => objectsArn(t, bucketId, prefix, name));
    const resource: JsonValue = arns.length === 1 ? arns[0]! : arns;
    const consequence = 'when logging is turned on ELB writes a test object there, and the load balancer fails to create (Access Denied for bucket)';
    const editable = grants.find(({ statement }) => statement['Resource'] !== undefined);
    if (editable) {
      // A grant that names AWSLogs/ under no prefix a load balancer of the template writes to is the
      // prefix left out (or another one): it is replaced, any other Resource is kept.
      const entries = toList(editable.statement['Resource']);
      const kept = entries.filter((r) => {
        const pattern = objectKeyPattern(r, bucketId, names);
        return pattern === undefined || !pattern.includes('AWSLogs/') || prefixes.some((prefix) => keyPatternCovers(pattern, testObjectKey(prefix)));
      });
      const next = [...kept, ...arns];
      findings.push({
        pointer: `${editable.at}/Resource`,
        severity: 'critical',
        message: `${who.subject} ${who.verb} access logs under ${keys}, which the ELB grant in ${policy!.id} does not cover: ${consequence}; fix: grant ${keys}`,
        fix: { ops: [{ op: 'replace', path: `${editable.at}/Resource`, value: next.length === 1 ? next[0]! : next }] },
      });
    } else {
      const base = `${who.subject} ${who.verb} access logs to ${bucketId}, but no bucket policy lets Elastic Load Balancing put them there: ${consequence}`;
      const d = how();
      const grant: JsonObject = { Sid: freshSid(statements), Effect: 'Allow', Principal: d.principal, Action: 's3:PutObject', Resource: resource };
      const fixNote = `; fix: let ${d.describe} put objects under ${keys}`;
      const maybe = policy ? [] : unresolvedPoliciesMentioning(t, (context.unresolved ??= unresolvedPolicies(t)), bucketId);
      if (grants.length > 0) {
        findings.push({ pointer: grants[0]!.at, severity: 'critical', message: `${base}; not fixed automatically because its ELB statement has no Resource` });
      } else if (maybe.length > 0) {
        findings.push({ pointer: pointer('Resources', bucketId), severity: 'critical', message: `${base}; not fixed automatically because ${maybe.join(', ')} may be its policy (its Bucket cannot be resolved)` });
      } else if (!policy) {
        const bucket = resourceOf(t, bucketId);
        const policyId = freshLogicalId(t, `${bucketId}Policy`, context.taken);
        const value: JsonObject = {
          Type: BUCKET_POLICY_TYPE,
          ...(typeof bucket?.Condition === 'string' ? { Condition: bucket.Condition } : {}),
          Properties: { Bucket: { Ref: bucketId }, PolicyDocument: { Version: '2012-10-17', Statement: [grant] } },
        };
        findings.push({ pointer: pointer('Resources', bucketId), severity: 'critical', message: base + fixNote, fix: { ops: [...d.ops, { op: 'add', path: pointer('Resources', policyId), value }] } });
      } else if (view!.kind === 'list') {
        findings.push({ pointer: view!.pointer, severity: 'critical', message: base + fixNote, fix: { ops: [...d.ops, { op: 'add', path: `${view!.pointer}/-`, value: grant }] } });
      } else if (view!.kind === 'single') {
        findings.push({ pointer: view!.pointer, severity: 'critical', message: base + fixNote, fix: { ops: [...d.ops, { op: 'replace', path: view!.pointer, value: [view!.statement, grant] }] } });
      } else {
        findings.push({ pointer: view!.pointer, severity: 'critical', message: `${base}; not fixed automatically because ${policy.id} ${view!.reason}` });
      }
    }
  }

  if (policy) findings.push(...lbs.flatMap((lb) => waitForPolicy(t, lb, policy)));
  return findings;
}

/** Reports statements that grant the stack's own account what only ELB's principal can use. */
function stackAccountGrants(policyId: string, statements: ReadonlyArray<{ statement: JsonObject; at: string }>, bucketId: string, lbs: readonly AccessLogTarget[]): Finding[] {
  const { verb } = loadBalancers(lbs);
  const writers = lbs.map((l) => l.id).join(', ');
  return statements
    .filter(({ statement }) => allowsAction(statement, 's3:PutObject') && awsPrincipals(statement).some((p) => STACK_ACCOUNT.test(p)))
    .map(({ statement, at }): Finding => {
      const which = typeof statement['Sid'] === 'string' ? `Statement ${statement['Sid']}` : 'A statement';
      return {
        pointer: `${at}/Principal`,
        severity: 'low',
        message: `${which} of ${policyId} lets the stack's own account put objects into ${bucketId}, where ${writers} ${verb} access logs; Elastic Load Balancing does not deliver logs as that account, so the statement grants the load balancer nothing`,
      };
    });
}

/** A DependsOn from the load balancer to its bucket's policy, unless it waits for it already. */
function waitForPolicy(t: Template, lb: AccessLogTarget, policy: ResourceEntry): Finding[] {
  if (dependenciesOf(t, lb.id).has(policy.id)) return [];
  const at = pointer('Resources', lb.id);
  const base = `Load balancer ${lb.id} does not wait for ${policy.id}: CloudFormation may create the load balancer before the policy, and turning access logging on then fails (Access Denied for bucket)`;
  let why: string | undefined;
  if (dependenciesOf(t, policy.id).has(lb.id)) why = 'the policy names the load balancer, so waiting for it would be a dependency cycle';
  else if (policy.resource.Condition !== undefined && policy.resource.Condition !== lb.resource.Condition) why = `the policy is created only under Condition ${String(policy.resource.Condition)}`;
  const ops = why ? undefined : dependsOnOps(t, lb.id, policy.id);
  if (!ops) return [{ pointer: at, severity: 'high', message: `${base}; not fixed automatically because ${why ?? 'its DependsOn is neither a name nor a list'}` }];
  return [{ pointer: at, severity: 'high', message: `${base}; fix: DependsOn ${policy.id}`, fix: { ops } }];
}

/** Findings for every load balancer that writes access logs to S3. */
function loadBalancerFindings(t: Template, region: string | undefined, plan: () => Plan): Finding[] {
  const targets = loadBalancerAccessLogs(t);
  if (targets.length === 0) return [];
  const findings: Finding[] = [];
  const byBucket = new Map<string, AccessLogTarget[]>();
  for (const lb of targets) {
    if (lb.bucket === undefined) {
      findings.push({ pointer: lb.bucketAt, severity: 'high', message: `Load balancer ${lb.id} turns access logging on but names no bucket; Elastic Load Balancing rejects that and the load balancer fails to create` });
    } else if (lb.bucketId === undefined) {
      const prefix = prefixText(t, lb.prefix);
      findings.push({
        pointer: lb.bucketAt,
        severity: 'medium',
        message: `Load balancer ${lb.id} writes access logs to a bucket this template does not define; its bucket policy must let ${deliveryText(region)} put objects under ${keyText('<bucket>', prefix)}, or the load balancer fails to create (Access Denied for bucket)`,
      });
    } else {
      byBucket.set(lb.bucketId, [...(byBucket.get(lb.bucketId) ?? []), lb]);
    }
  }
  let how: Delivery | undefined;
  const context = { byBucket: bucketPoliciesByBucket(t), taken: new Set<string>() };
  for (const [bucketId, lbs] of byBucket) findings.push(...bucketFindings(t, bucketId, lbs, () => (how ??= delivery(region, plan)), context));
  return findings;
}

export default defineTransform({
  meta: {
    id: 'elb-log-principal',
    title: 'Grant ELB access-log delivery to the account of the stack region',
    severity: 'critical',
    safety: 'safe',
    seeds: ['000#16'],
    equivalents: [],
    defaultOptions: {},
    docs: `## Why
An Application or Classic Load Balancer writes access logs to S3 as an AWS-owned account that is
different in every region (us-east-1: 127311923021, us-west-1: 027434742980, ...). The bucket
policy must allow that region's account. A policy naming another region's account is accepted
by CloudFormation, but the load balancer cannot write: enabling access logs fails with *Access
Denied for bucket*, or logs silently stop. Models often copy the us-east-1 account into
templates for other regions, or write the non-existent service principal
\`elasticloadbalancing.amazonaws.com\`.

A load balancer that turns access logging on needs the grant before it exists: when logging is
enabled, ELB writes a test object to \`<bucket>/<prefix>/AWSLogs/<account>/ELBAccessLogTestFile\`,
and without the grant the load balancer fails to create (*Access Denied for bucket*). Templates
grant nothing (the bucket policy holds only a TLS deny or the S3 server access log grant), grant
the stack's own account (ELB does not write as it), grant \`<bucket>/AWSLogs/...\` while the load
balancer writes under a prefix, or let CloudFormation create the load balancer before the
bucket policy (nothing orders them unless the load balancer \`DependsOn\` the policy).

## Fix
### Principals
In every \`AWS::S3::BucketPolicy\` statement that allows an ELB log-delivery account — the
principal is \`arn:aws:iam::<account>:root\`, the bare account id, or a \`Fn::Sub\`/\`Fn::Join\`
spelling that ARN, and the account is one of the ELB accounts — or the wrong service principal
\`elasticloadbalancing.amazonaws.com\`:
- When the region is known and the account is that region's, nothing changes.
- Otherwise the principal is made region-portable:
  \`!Sub ['arn:\${AWS::Partition}:iam::\${ElbAccount}:root', {ElbAccount: !FindInMap [ElbLogAccounts, !Ref 'AWS::Region', AccountId]}]\`,
  and a \`Mappings\` table \`ElbLogAccounts\` (region -> \`AccountId\`) is added with every region
  that has an ELB account. Severity is critical when the region is known (the template is wrong
  there), high when it is not (it works only in the account's own region).
- When the region is known and launched in or after August 2022 (e.g. ap-southeast-4,
  eu-central-2, il-central-1), it has no ELB account: the principal becomes
  \`{Service: logdelivery.elasticloadbalancing.amazonaws.com}\`.

Statements that already use \`Fn::FindInMap\`, a parameter, or the
\`logdelivery.elasticloadbalancing.amazonaws.com\` service principal are left alone. Other
12-digit accounts (cross-account access) are never touched.

The catalogue's ideal writes the literal us-west-1 account. That fixes one region and breaks
every other; the Mapping keeps the template correct wherever it is deployed. The Mapping cannot
serve regions launched after August 2022 (they have no ELB account and \`Fn::FindInMap\` fails the
deployment there with a clear error rather than silently losing logs): such a template needs the
service principal, which tapfix writes when it knows the region.

### Load balancers that log to S3
For every Application Load Balancer whose \`access_logs.s3.enabled\` attribute is true (or an
intrinsic that may be) and Classic Load Balancer whose \`AccessLoggingPolicy\` is enabled, writing
to a bucket of the template (named by \`!Ref\`, \`!Sub '\${Bucket}'\` or its \`BucketName\`):

- **Grant.** When no Allow statement of the bucket's policy lets an ELB principal (an ELB account,
  the per-region mapping, or a log-delivery service principal) \`s3:PutObject\` the objects the load
  balancer writes, a statement is added:

  \`\`\`yaml
  Sid: AllowELBAccessLogs
  Effect: Allow
  Principal:
    AWS: !Sub ['arn:\${AWS::Partition}:iam::\${ElbAccount}:root', {ElbAccount: !FindInMap [ElbLogAccounts, !Ref 'AWS::Region', AccountId]}]
  Action: s3:PutObject
  Resource: !Sub 'arn:\${AWS::Partition}:s3:::\${Bucket}/<prefix>/AWSLogs/\${AWS::AccountId}/*'
  \`\`\`

  The principal is written as the principal fix above writes it: the \`ElbLogAccounts\` lookup,
  which resolves to the region's ELB account (the account AWS documents for the region), or the
  service principal \`logdelivery.elasticloadbalancing.amazonaws.com\` when the region is known and
  launched in or after August 2022. The lookup is written even when the region is known: it
  gives the same account there, and a region tapfix knows only from the template itself (a
  hard-coded availability zone) is gone once az-dynamic has fixed the zones, so a literal
  account would be made portable by the next run. When the region is unknown the lookup fails
  the deployment in the newest regions with a clear error rather than leaving a grant that does
  not apply there. Without a prefix the Resource is \`<bucket>/AWSLogs/...\`; a parameter prefix is
  written \`\${Param}\`; a prefix that cannot be read (\`Fn::If\`, \`Fn::Join\`) gives
  \`<bucket>/*AWSLogs/\${AWS::AccountId}/*\`. One statement covers every load balancer logging
  into the bucket. It goes into the bucket's policy, or a new \`<Bucket>Policy\` (with the bucket's
  \`Condition\`): S3 keeps one policy per bucket, and s3-enforce-tls and s3-access-logging add their
  statements to that same policy whichever runs first.
- **Prefix.** An ELB statement whose Resource names \`AWSLogs/\` under no prefix a load balancer of
  the template writes to (typically \`<bucket>/AWSLogs/...\` when the load balancer sets
  \`access_logs.s3.prefix\`) gets the right Resource instead; its other Resources are kept.
- **Order.** The load balancer gets \`DependsOn: <the bucket policy>\` (added to a \`DependsOn\`
  name or list), unless it already waits for the policy through another resource. Not when the
  policy names the load balancer (each would wait for the other, which CloudFormation rejects)
  or exists only under a \`Condition\` the load balancer does not share: both are reported.

Reported without a fix: a statement that lets the stack's own account
(\`arn:aws:iam::\${AWS::AccountId}:root\`) put objects into a load balancer log bucket (ELB does not
write as that account; the right grant is added beside it, and removing the statement is left
to its author); a log bucket the template does not define (its policy must grant the same);
logging turned on without a bucket; a bucket with several policies, or a policy whose document
cannot be edited. Network Load Balancers are left out: their logs are delivered by
\`delivery.logs.amazonaws.com\` under other rules. The bucket's encryption (ALB access logs support
only SSE-S3) and a \`LogDeliveryWrite\` ACL on it are s3-access-logging's; s3-customer-managed-key
leaves load balancer log buckets on SSE-S3.

Source of the accounts, the bucket policy and the test object: \`data/aws-facts.json\`
(\`elbAccountId\` per region), taken from the AWS ALB user guide "Enable access logs for your
Application Load Balancer", sections "Attach a policy to your S3 bucket" (the bucket policy per
region, the Resource \`bucket-name/prefix/AWSLogs/your-aws-account-id/*\`) and "Verify bucket
permissions" (the test file)
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html),
cross-checked with aws-cdk \`ELBV2_ACCOUNTS\` (region-info fact tables) and the Terraform AWS
provider's \`accountIDPerRegionMap\`; China and GovCloud accounts from their partition docs.

## Fix safety
Safe: in the region of the original account the Mapping resolves to the same account, so
nothing changes there; everywhere else delivery starts working. The policy grants the same
actions on the same resources as before. An added grant lets only ELB log delivery write, and
only under \`<prefix>/AWSLogs/<stack account>/\`; a corrected Resource moves the grant to where the
load balancer writes; \`DependsOn\` changes only the order of creation.

## Options
None.
`,
  },
  check({ template, region }) {
    const findings: Finding[] = [];
    const accounts = elbAccountIds();
    const regionOf = new Map([...accounts].map(([r, a]) => [a, r]));
    const facts = region ? regionFacts(region) : undefined;
    const servicePrincipal = elbLogDeliveryServicePrincipal();
    let plan: Plan | undefined;

    for (const policy of resourcesOfType(template, BUCKET_POLICY_TYPE)) {
      const view = policyStatements(policy.pointer, policy.resource.Properties);
      const statements: Array<{ statement: JsonValue; at: string }> =
        view.kind === 'list'
          ? view.items.map((statement, i) => ({ statement, at: `${view.pointer}/${i}` }))
          : view.kind === 'single'
            ? [{ statement: view.statement, at: view.pointer }]
            : [];

      for (const { statement, at } of statements) {
        const s = asObject(statement);
        if (!s || s['Effect'] !== 'Allow') continue;
        const principal = asObject(s['Principal']);
        if (!principal || intrinsicName(principal)) continue;
        const services = oneOrMany(principal['Service']);
        if (services.includes(servicePrincipal)) continue;

        const aws = principal['AWS'];
        const awsValues = oneOrMany(aws);
        const elbIndexes: number[] = [];
        const found: string[] = [];
        awsValues.forEach((v, i) => {
          const account = literalAccount(v);
          if (account !== undefined && regionOf.has(account)) {
            elbIndexes.push(i);
            found.push(account);
          }
        });
        const wrongService = services.includes(WRONG_SERVICE);
        if (elbIndexes.length === 0 && !wrongService) continue;

        // The template works in its known region when it names that region's account.
        if (!wrongService && facts?.elbAccountId && found.includes(facts.elbAccountId)) continue;

        const principalAt = `${at}/Principal`;
        const distinct = [...new Set(found)];
        const what =
          distinct.length === 0
            ? `the service principal ${WRONG_SERVICE} is not the one ELB delivers access logs as`
            : distinct.length === 1
              ? `account ${distinct[0]!} is the ELB account of ${regionOf.get(distinct[0]!)!}`
              : `accounts ${distinct.join(', ')} are the ELB accounts of ${distinct.map((a) => regionOf.get(a)!).join(', ')}`;
        let message: string;
        let severity: Severity;
        if (facts?.elbLogDeliveryServicePrincipal) {
          severity = 'critical';
          message = `${what}; ${region} has no ELB account (launched after August 2022) and delivers access logs only as the service principal ${servicePrincipal}`;
          const next: JsonObject = { ...principal };
          const keptAws = awsValues.filter((_, i) => !elbIndexes.includes(i));
          if (keptAws.length === 0) delete next['AWS'];
          else next['AWS'] = Array.isArray(aws) ? keptAws : keptAws[0]!;
          const keptServices = services.filter((x) => x !== WRONG_SERVICE);
          next['Service'] = keptServices.length === 0 ? servicePrincipal : [...keptServices, servicePrincipal];
          findings.push({ pointer: principalAt, severity, message, fix: { ops: [{ op: 'replace', path: principalAt, value: next }] } });
          continue;
        }

        plan ??= planMapping(template);
        const portable = portablePrincipal(plan.mapName);
        if (found.length === 0) {
          severity = 'critical';
          message = `${what}: access logs will fail to deliver`;
        } else if (facts?.elbAccountId) {
          severity = 'critical';
          message = `${what}, not ${region}: access logs will fail to deliver`;
        } else {
          severity = 'high';
          message = `${what} only: deployed in any other region, access logs fail to deliver (region unknown; the principal is made portable with a per-region lookup)`;
        }

        const ops: Operation[] = [...plan.mappingOps];
        if (wrongService) {
          // Swap the service for the account principal; keep any other principals.
          const next: JsonObject = { ...principal };
          const keptServices = services.filter((x) => x !== WRONG_SERVICE);
          if (keptServices.length === 0) delete next['Service'];
          else next['Service'] = Array.isArray(principal['Service']) ? keptServices : keptServices[0]!;
          const keptAws = awsValues.filter((_, i) => !elbIndexes.includes(i));
          next['AWS'] = keptAws.length === 0 ? portable : [...keptAws, portable];
          ops.push({ op: 'replace', path: principalAt, value: next });
        } else if (!Array.isArray(aws)) {
          ops.push({ op: 'replace', path: `${principalAt}/AWS`, value: portable });
        } else {
          ops.push({ op: 'replace', path: `${principalAt}/AWS/${elbIndexes[0]!}`, value: portable });
          for (const i of elbIndexes.slice(1).reverse()) ops.push({ op: 'remove', path: `${principalAt}/AWS/${i}` });
        }
        findings.push({ pointer: Array.isArray(aws) || wrongService ? principalAt : `${principalAt}/AWS`, severity, message, fix: { ops } });
      }
    }
    findings.push(...loadBalancerFindings(template, region, () => (plan ??= planMapping(template))));
    return findings;
  },
});
