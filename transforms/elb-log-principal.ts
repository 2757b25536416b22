import { defineTransform } from '../src/transform.js';
import { type AccessLogTarget, type ElbAccountsMapping as Plan, elbAccountPrincipal, loadBalancerAccessLogs, mentionsElbAccount, planElbAccountsMapping } from '../src/cfn/elb-logs.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf, textWithoutDependencies } from '../src/cfn/graph.js';
import { policyOfProperties, principalsOf, statementAllows, type StatementView } from '../src/cfn/iam.js';
import { parameter, property, resource, resources, type ResourceView } from '../src/cfn/query.js';
import { pointer } from '../src/cfn/pointer.js';
import { elbAccountIds, elbLogDeliveryServicePrincipal, regionFacts } from '../src/cfn/regions.js';
import { BUCKET_POLICY_TYPE, bucketPoliciesOf, tlsDenyStatement, unresolvedPolicies, unresolvedPoliciesMentioning } from '../src/cfn/s3.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { parseSubVariables, PSEUDO_PARAMETERS } from '../src/cfn/template.js';
import { asObject, subText, toList } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Operation, Severity, Template } from '../src/types.js';

/** A service principal people write for ELB log delivery that S3 never sees ELB use. */
const WRONG_SERVICE = 'elasticloadbalancing.amazonaws.com';
const ARN = /^arn:(?:aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):iam::(\d{12}):root$/;

/**
 * The account id a principal value names as a literal: `"127311923021"`,
 * `"arn:aws:iam::127311923021:root"`, `!Sub "arn:${AWS::Partition}:iam::127311923021:root"`, or
 * a Fn::Join of literals and `!Ref AWS::Partition` spelling such an ARN.
 */
function literalAccount(v: JsonValue): string | undefined {
  if (typeof v === 'string' && /^\d{12}$/.test(v)) return v;
  // The ARN pattern admits no variable but the partition: an account given by a parameter is the author's choice.
  const text = typeof v === 'string' ? v : subText(v);
  const m = text === undefined ? null : ARN.exec(text);
  return m ? m[1] : undefined;
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
  return { principal: { AWS: elbAccountPrincipal(mapName) }, describe: `the ELB account of the stack's region (${which}; looked up in the ${mapName} mapping)`, ops: mappingOps };
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

// ---------------------------------------------------------------------------------------------
// Where ELB writes, and what a policy Resource covers. ELB writes
// `bucket[/prefix]/AWSLogs/<account>/...`, and a test object
// `bucket[/prefix]/AWSLogs/<account>/ELBAccessLogTestFile` as soon as logging is turned on (see
// src/cfn/elb-logs.ts for the source).

const ACCOUNT = '\u0000account\u0000';
const ANY_PREFIX = '\u0000prefix\u0000';
const PARTITION = '(?:aws|aws-cn|aws-us-gov|\\$\\{AWS::Partition\\})';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The prefix as Fn::Sub text, without its trailing slash: '' for none, a literal (with `${`
 * escaped), `${Param}` for a parameter, or the text of a Sub that names only parameters and
 * pseudo parameters. Undefined for anything else (Fn::If, Fn::Join, a resource attribute).
 */
function prefixText(t: Template, prefix: JsonValue | undefined): string | undefined {
  if (prefix === undefined) return '';
  const known = (name: string) => parameter(t, name) !== undefined || (PSEUDO_PARAMETERS.has(name) && name !== 'AWS::NoValue');
  const o = asObject(prefix);
  const ref = o && Object.keys(o).length === 1 ? o['Ref'] : undefined;
  const sub = o && Object.keys(o).length === 1 ? o['Fn::Sub'] : undefined;
  let text: string | undefined;
  if (typeof prefix === 'string') text = prefix.replace(/\$\{/g, '${!');
  else if (typeof ref === 'string' && known(ref)) text = '${' + ref + '}';
  else if (typeof sub === 'string' && parseSubVariables(sub).every(known)) text = sub;
  return text?.replace(/\/+$/, '');
}

/**
 * The object key ELB writes its test file to, with the account left open and an unreadable
 * prefix standing for any prefix (only a wildcard covers it).
 */
function testObjectKey(prefix: string | undefined): string {
  const head = prefix === undefined ? `${ANY_PREFIX}/` : prefix === '' ? '' : `${prefix}/`;
  return `${head}AWSLogs/${ACCOUNT}/ELBAccessLogTestFile`;
}

/**
 * The object-key pattern of a policy Resource on bucket `bucketId` (whose name, as Sub text, is
 * `names`): `${B.Arn}/k`, `arn:<partition>:s3:::${B}/k`, `arn:<partition>:s3:::<name>/k`, or
 * `*`; undefined when the Resource names another bucket or only the bucket itself.
 */
function objectKeyPattern(resource: JsonValue, bucketId: string, names: readonly string[]): string | undefined {
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
function keyPatternCovers(pattern: string, key: string): boolean {
  const parts = pattern.split(/(\*|\?|\$\{AWS::AccountId\}|\b\d{12}\b)/);
  const re = parts.map((p) => (p === '*' ? '[^]*' : p === '?' ? '[^]' : p === '${AWS::AccountId}' || /^\d{12}$/.test(p) ? escapeRegExp(ACCOUNT) : escapeRegExp(p))).join('');
  return new RegExp(`^${re}$`).test(key);
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

// ---------------------------------------------------------------------------------------------
// Grants

/** The AWS principals of a statement as written (undefined for `"*"` and computed principals). */
function awsPrincipalValues(s: StatementView): readonly JsonValue[] | undefined {
  return s.principal === '*' ? undefined : s.principal?.['AWS'];
}

function isElbGrant(t: Template, s: StatementView): boolean {
  if (!statementAllows(s, 's3:PutObject')) return false;
  if (principalsOf(s, 'Service').some((p) => ELB_SERVICES.includes(p))) return true;
  return mentionsElbAccount(t, awsPrincipalValues(s));
}

/** A Sid not used by any statement of the policy (S3 rejects duplicate Sids). */
function freshSid(statements: readonly StatementView[]): string {
  const used = new Set(statements.map((s) => s.sid));
  for (let n = 1; ; n++) {
    const sid = n === 1 ? GRANT_SID : `${GRANT_SID}${n}`;
    if (!used.has(sid)) return sid;
  }
}

/** What the findings of one check share across buckets. */
interface Context {
  fx: Fixer;
  unresolved?: Array<{ id: string; at: string }>;
}

/**
 * Findings for the load balancers that log into one template bucket: the grant they need, under
 * their prefixes, and a DependsOn on the bucket policy.
 */
function bucketFindings(t: Template, bucketId: string, lbs: readonly AccessLogTarget[], how: () => Delivery, context: Context): Finding[] {
  const { fx } = context;
  const findings: Finding[] = [];
  const bucketPointer = pointer('Resources', bucketId);
  const policies = bucketPoliciesOf(t, bucketId);
  const { subject, verb } = loadBalancers(lbs);
  if (policies.length > 1) {
    findings.push({
      pointer: bucketPointer,
      messageId: 'severalPolicies',
      message: `${subject} ${verb} access logs to ${bucketId}, which has ${policies.length} bucket policies (${policies.map((p) => p.id).join(', ')}); S3 keeps one policy per bucket, so merge them into one that grants Elastic Load Balancing`,
    });
    return findings;
  }
  const policy = policies[0];
  const view = policy ? policyOfProperties(policy.properties, policy.propertiesPointer) : undefined;
  const statements = view?.statements ?? [];

  if (policy) findings.push(...stackAccountGrants(policy.id, statements, bucketId, lbs));

  const prefixes = lbs.map((lb) => prefixText(t, lb.prefix));
  const policyBucket = policy ? property(policy, 'Bucket')?.value : undefined;
  const policyBucketText = subText(policyBucket);
  const bucket = resource(t, bucketId);
  const ownName = bucket ? subText(property(bucket, 'BucketName')?.value) : undefined;
  const names = [...(ownName === undefined || ownName === '' ? [] : [ownName]), ...(policyBucketText !== undefined && policyBucketText !== `\${${bucketId}}` ? [policyBucketText] : [])];
  const covers = (s: StatementView, prefix: string | undefined) =>
    s.resources.some((r) => {
      const pattern = objectKeyPattern(r, bucketId, names);
      return pattern !== undefined && keyPatternCovers(pattern, testObjectKey(prefix));
    });
  const grants = statements.filter((s) => isElbGrant(t, s));
  const missing = [...new Set(prefixes.filter((prefix) => !grants.some((s) => covers(s, prefix))))];
  if (missing.length > 0) {
    const uncovered = lbs.filter((_, i) => missing.includes(prefixes[i]));
    const who = loadBalancers(uncovered);
    const keys = missing.map((prefix) => keyText(bucketId, prefix)).join(', ');
    const name = policy && dependenciesOf(t, bucketId).has(policy.id) ? policyBucket : undefined;
    const arns = missing.map((prefix) => objectsArn(t, bucketId, prefix, name));
    const resource: JsonValue = arns.length === 1 ? arns[0]! : arns;
    const consequence = 'when logging is turned on ELB writes a test object there, and the load balancer fails to create (Access Denied for bucket)';
    const editable = grants.find((s) => s.statement['Resource'] !== undefined);
    if (editable) {
      // A grant that names AWSLogs/ under no prefix a load balancer of the template writes to is the
      // prefix left out (or another one): it is replaced, any other Resource is kept.
      const kept = editable.resources.filter((r) => {
        const pattern = objectKeyPattern(r, bucketId, names);
        return pattern === undefined || !pattern.includes('AWSLogs/') || prefixes.some((prefix) => keyPatternCovers(pattern, testObjectKey(prefix)));
      });
      const next = [...kept, ...arns];
      fx.set(`${editable.pointer}/Resource`, next.length === 1 ? next[0]! : next);
      findings.push({
        pointer: `${editable.pointer}/Resource`,
        severity: 'critical',
        messageId: 'grantMissesPrefix',
        message: `${who.subject} ${who.verb} access logs under ${keys}, which the ELB grant in ${policy!.id} does not cover: ${consequence}; fix: grant ${keys}`,
        fix: fx.take(),
      });
    } else {
      const base = `${who.subject} ${who.verb} access logs to ${bucketId}, but no bucket policy lets Elastic Load Balancing put them there: ${consequence}`;
      const maybe = policy ? [] : unresolvedPoliciesMentioning(t, (context.unresolved ??= unresolvedPolicies(t)), bucketId);
      if (grants.length > 0) {
        findings.push({ pointer: grants[0]!.pointer, severity: 'critical', messageId: 'grantWithoutResource', message: `${base}; not fixed automatically because its ELB statement has no Resource` });
      } else if (maybe.length > 0) {
        findings.push({ pointer: bucketPointer, severity: 'critical', messageId: 'policyUnresolved', message: `${base}; not fixed automatically because ${maybe.join(', ')} may be its policy (its Bucket cannot be resolved)` });
      } else if (view?.kind === 'opaque') {
        findings.push({ pointer: view.pointer, severity: 'critical', messageId: 'policyNotEditable', message: `${base}; not fixed automatically because ${policy!.id} ${view.reason}` });
      } else {
        const d = how();
        const grant: JsonObject = { Sid: freshSid(statements), Effect: 'Allow', Principal: d.principal, Action: 's3:PutObject', Resource: resource };
        // The mapping is added by every fix that uses it (see planElbAccountsMapping): raw operations.
        for (const op of d.ops) fx.push(op);
        if (view) fx.appendStatement(view, grant);
        else {
          // A bucket policy tapfix creates denies plain HTTP from the start (CT.S3.PR.8), unless the
          // bucket opts out of s3-enforce-tls.
          const tls = bucket && skipsTransform(bucket.resource, 's3-enforce-tls') ? [] : [tlsDenyStatement(bucketId)];
          fx.addResource(`${bucketId}Policy`, {
            Type: BUCKET_POLICY_TYPE,
            ...(bucket?.condition !== undefined ? { Condition: bucket.condition } : {}),
            Properties: { Bucket: { Ref: bucketId }, PolicyDocument: { Version: '2012-10-17', Statement: [grant, ...tls] } },
          });
        }
        findings.push({ pointer: view ? view.pointer : bucketPointer, severity: 'critical', messageId: 'noElbGrant', message: `${base}; fix: let ${d.describe} put objects under ${keys}`, fix: fx.take() });
      }
    }
  }

  if (policy) findings.push(...lbs.flatMap((lb) => waitForPolicy(t, lb, policy, fx)));
  return findings;
}

/** Reports statements that grant the stack's own account what only ELB's principal can use. */
function stackAccountGrants(policyId: string, statements: readonly StatementView[], bucketId: string, lbs: readonly AccessLogTarget[]): Finding[] {
  const { verb } = loadBalancers(lbs);
  const writers = lbs.map((l) => l.id).join(', ');
  return statements
    .filter((s) => statementAllows(s, 's3:PutObject') && principalsOf(s, 'AWS').some((p) => STACK_ACCOUNT.test(p)))
    .map((s): Finding => {
      const which = s.sid !== undefined ? `Statement ${s.sid}` : 'A statement';
      return {
        pointer: `${s.pointer}/Principal`,
        severity: 'low',
        messageId: 'stackAccountGrant',
        message: `${which} of ${policyId} lets the stack's own account put objects into ${bucketId}, where ${writers} ${verb} access logs; Elastic Load Balancing does not deliver logs as that account, so the statement grants the load balancer nothing`,
      };
    });
}

/** A DependsOn from the load balancer to its bucket's policy, unless it waits for it already. */
function waitForPolicy(t: Template, lb: AccessLogTarget, policy: ResourceView, fx: Fixer): Finding[] {
  if (dependenciesOf(t, lb.id).has(policy.id)) return [];
  const at = lb.view.pointer;
  const base = `Load balancer ${lb.id} does not wait for ${policy.id}: CloudFormation may create the load balancer before the policy, and turning access logging on then fails (Access Denied for bucket)`;
  let why: string | undefined;
  if (dependenciesOf(t, policy.id).has(lb.id)) why = 'the policy names the load balancer, so waiting for it would be a dependency cycle';
  else if (policy.resource.Condition !== undefined && policy.resource.Condition !== lb.view.resource.Condition) why = `the policy is created only under Condition ${String(policy.resource.Condition)}`;
  if (!why && fx.addDependsOn(lb.id, policy.id)) return [{ pointer: at, severity: 'high', messageId: 'notWaitingForPolicy', message: `${base}; fix: DependsOn ${policy.id}`, fix: fx.take() }];
  return [{ pointer: at, severity: 'high', messageId: 'cannotWaitForPolicy', message: `${base}; not fixed automatically because ${why ?? 'its DependsOn is neither a name nor a list'}` }];
}

/** Findings for every load balancer that writes access logs to S3. */
function loadBalancerFindings(t: Template, region: string | undefined, plan: () => Plan, fx: Fixer): Finding[] {
  const targets = loadBalancerAccessLogs(t);
  if (targets.length === 0) return [];
  const findings: Finding[] = [];
  const byBucket = new Map<string, AccessLogTarget[]>();
  for (const lb of targets) {
    if (lb.bucket === undefined) {
      findings.push({ pointer: lb.bucketAt, severity: 'high', messageId: 'noLogBucket', message: `Load balancer ${lb.id} turns access logging on but names no bucket; Elastic Load Balancing rejects that and the load balancer fails to create` });
    } else if (lb.bucketId === undefined) {
      const prefix = prefixText(t, lb.prefix);
      findings.push({
        pointer: lb.bucketAt,
        severity: 'medium',
        messageId: 'externalLogBucket',
        message: `Load balancer ${lb.id} writes access logs to a bucket this template does not define; its bucket policy must let ${deliveryText(region)} put objects under ${keyText('<bucket>', prefix)}, or the load balancer fails to create (Access Denied for bucket)`,
      });
    } else {
      byBucket.set(lb.bucketId, [...(byBucket.get(lb.bucketId) ?? []), lb]);
    }
  }
  let how: Delivery | undefined;
  const context: Context = { fx };
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
  statements to that same policy whichever runs first. A new policy also denies requests made
  without TLS, with the statement s3-enforce-tls writes (so that it passes the Control Tower control
  CT.S3.PR.8 even when elb-log-principal runs alone), unless the bucket opts out of s3-enforce-tls.
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
    const fx = new Fixer(template);
    const accounts = elbAccountIds();
    const regionOf = new Map([...accounts].map(([r, a]) => [a, r]));
    const facts = region ? regionFacts(region) : undefined;
    const servicePrincipal = elbLogDeliveryServicePrincipal();
    let plan: Plan | undefined;

    for (const policy of resources(template, BUCKET_POLICY_TYPE)) {
      for (const s of policyOfProperties(policy.properties, policy.propertiesPointer).statements) {
        if (s.effect !== 'Allow' || s.principal === undefined || s.principal === '*') continue;
        const principal = asObject(s.statement['Principal'])!;
        const services = toList(principal['Service']);
        if (services.includes(servicePrincipal)) continue;

        const aws = principal['AWS'];
        const awsValues = toList(aws);
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

        const principalAt = `${s.pointer}/Principal`;
        const distinct = [...new Set(found)];
        const what =
          distinct.length === 0
            ? `the service principal ${WRONG_SERVICE} is not the one ELB delivers access logs as`
            : distinct.length === 1
              ? `account ${distinct[0]!} is the ELB account of ${regionOf.get(distinct[0]!)!}`
              : `accounts ${distinct.join(', ')} are the ELB accounts of ${distinct.map((a) => regionOf.get(a)!).join(', ')}`;
        if (facts?.elbLogDeliveryServicePrincipal) {
          const next: JsonObject = { ...principal };
          const keptAws = awsValues.filter((_, i) => !elbIndexes.includes(i));
          if (keptAws.length === 0) delete next['AWS'];
          else next['AWS'] = Array.isArray(aws) ? keptAws : keptAws[0]!;
          const keptServices = services.filter((x) => x !== WRONG_SERVICE);
          next['Service'] = keptServices.length === 0 ? servicePrincipal : [...keptServices, servicePrincipal];
          fx.set(principalAt, next);
          findings.push({
            pointer: principalAt,
            severity: 'critical',
            messageId: 'regionWithoutElbAccount',
            message: `${what}; ${region} has no ELB account (launched after August 2022) and delivers access logs only as the service principal ${servicePrincipal}`,
            fix: fx.take(),
          });
          continue;
        }

        plan ??= planElbAccountsMapping(template);
        const portable = elbAccountPrincipal(plan.mapName);
        let messageId: string;
        let message: string;
        let severity: Severity;
        if (found.length === 0) {
          [messageId, severity, message] = ['wrongServicePrincipal', 'critical', `${what}: access logs will fail to deliver`];
        } else if (facts?.elbAccountId) {
          [messageId, severity, message] = ['otherRegionAccount', 'critical', `${what}, not ${region}: access logs will fail to deliver`];
        } else {
          [messageId, severity, message] = [
            'regionBoundAccount',
            'high',
            `${what} only: deployed in any other region, access logs fail to deliver (region unknown; the principal is made portable with a per-region lookup)`,
          ];
        }

        // The mapping is added by every fix that uses it (see planElbAccountsMapping): raw operations.
        for (const op of plan.mappingOps) fx.push(op);
        if (wrongService) {
          // Swap the service for the account principal; keep any other principals.
          const next: JsonObject = { ...principal };
          const keptServices = services.filter((x) => x !== WRONG_SERVICE);
          if (keptServices.length === 0) delete next['Service'];
          else next['Service'] = Array.isArray(principal['Service']) ? keptServices : keptServices[0]!;
          const keptAws = awsValues.filter((_, i) => !elbIndexes.includes(i));
          next['AWS'] = keptAws.length === 0 ? portable : [...keptAws, portable];
          fx.set(principalAt, next);
        } else if (!Array.isArray(aws)) {
          fx.set(`${principalAt}/AWS`, portable);
        } else {
          fx.set(`${principalAt}/AWS/${elbIndexes[0]!}`, portable);
          for (const i of elbIndexes.slice(1).reverse()) fx.remove(`${principalAt}/AWS/${i}`);
        }
        findings.push({ pointer: Array.isArray(aws) || wrongService ? principalAt : `${principalAt}/AWS`, severity, messageId, message, fix: fx.take() });
      }
    }
    findings.push(...loadBalancerFindings(template, region, () => (plan ??= planElbAccountsMapping(template)), fx));
    return findings;
  },
});
