import { defineTransform } from '../src/transform.js';
import { attributeFlag, loadBalancerAttribute, loadBalancersOfKind, setLoadBalancerAttribute } from '../src/cfn/elb.js';
import { CLB_TYPE, elbAccountPrincipal, loadBalancerAccessLogs, planElbAccountsMapping } from '../src/cfn/elb-logs.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf } from '../src/cfn/graph.js';
import { freshLogicalId } from '../src/cfn/naming.js';
import { pointer } from '../src/cfn/pointer.js';
import { property, resource, resources, type ResourceView } from '../src/cfn/query.js';
import { elbLogDeliveryServicePrincipal, regionFacts } from '../src/cfn/regions.js';
import { BUCKET_POLICY_TYPE, bucketPoliciesOf, LOG_BUCKET_DEFAULT_OPTIONS, LOG_BUCKET_OPTIONS_SCHEMA, logBucketResource, type LogBucketOptions, tlsDenyStatement } from '../src/cfn/s3.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { asObject, intrinsicName } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

const ID = 'elb-access-logging';

type Options = LogBucketOptions;

/** Where the logs go: the bucket value and prefix to write, and the policy to wait for. */
interface Destination {
  bucket: JsonValue;
  prefix: JsonValue | undefined;
  /** The bucket policy the load balancer must wait for (undefined: none to wait for). */
  policyId: string | undefined;
  /** The ops that create the bucket, its policy and the accounts mapping (first fix only). */
  create?: (fx: Fixer) => void;
  describe: string;
}

/** A load balancer to fix, and how. */
interface Target {
  view: ResourceView;
  /** Writes the access-log settings naming `bucket` (and `prefix`). */
  write: (fx: Fixer, bucket: JsonValue, prefix: JsonValue | undefined) => void;
  label: string;
}

function positiveInteger(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}

/**
 * An existing destination: the bucket another load balancer of the template logs into, when the
 * bucket is defined here under no Condition, has one bucket policy and a readable prefix. The new
 * load balancer writes there as that one does (same bucket value, same prefix), so the grant that
 * serves it serves the new one too.
 */
function reusedDestination(t: Template): Destination | undefined {
  for (const lb of loadBalancerAccessLogs(t)) {
    if (lb.bucketId === undefined || intrinsicName(lb.bucket) === 'Fn::If') continue;
    if (lb.prefix !== undefined && typeof lb.prefix !== 'string') continue;
    if (resource(t, lb.bucketId)?.condition !== undefined) continue;
    const policies = bucketPoliciesOf(t, lb.bucketId);
    if (policies.length !== 1 || policies[0]!.condition !== undefined) continue;
    return { bucket: lb.bucket!, prefix: lb.prefix === '' ? undefined : lb.prefix, policyId: policies[0]!.id, describe: `${lb.bucketId}, where ${lb.id} writes its access logs` };
  }
  return undefined;
}

/** A new bucket for the stack's load balancer logs, its policy granting ELB delivery and denying plain HTTP. */
function createdDestination(t: Template, fx: Fixer, region: string | undefined, options: Options): Destination {
  const expiration = positiveInteger(options.expirationDays, 90);
  const noncurrent = positiveInteger(options.noncurrentExpirationDays, 30);
  const bucketId = freshLogicalId(t, 'LoadBalancerLogsBucket', fx.taken);
  fx.taken.add(bucketId);
  const policyId = freshLogicalId(t, `${bucketId}Policy`, fx.taken);
  fx.taken.add(policyId);
  const facts = region ? regionFacts(region) : undefined;
  const create = (f: Fixer) => {
    let principal: JsonObject;
    if (facts?.elbLogDeliveryServicePrincipal) principal = { Service: elbLogDeliveryServicePrincipal() };
    else {
      const { mapName, mappingOps } = planElbAccountsMapping(t);
      for (const op of mappingOps) f.push(op);
      principal = { AWS: elbAccountPrincipal(mapName) };
    }
    f.set(pointer('Resources', bucketId), logBucketResource(expiration, noncurrent));
    const grant: JsonObject = {
      Sid: 'AllowELBAccessLogs',
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:PutObject',
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::\${${bucketId}}/AWSLogs/\${AWS::AccountId}/*` },
    };
    f.set(pointer('Resources', policyId), {
      Type: BUCKET_POLICY_TYPE,
      Properties: { Bucket: { Ref: bucketId }, PolicyDocument: { Version: '2012-10-17', Statement: [grant, tlsDenyStatement(bucketId)] } },
    });
  };
  return { bucket: { Ref: bucketId }, prefix: undefined, policyId, create, describe: `a new bucket ${bucketId} (SSE-S3, versioned, public access blocked, logs expire after ${expiration} days) with policy ${policyId}` };
}

export default defineTransform<Options>({
  meta: {
    id: ID,
    title: 'Turn on access logging for load balancers',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.ELASTICLOADBALANCING.PR.6', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/elasticloadbalancing/ct-elasticloadbalancing-pr-6.guard', note: 'checks only load balancers that write their Type, network load balancers included (reported here, not fixed)' },
      { tool: 'control-tower', id: 'CT.ELASTICLOADBALANCING.PR.10', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/elasticloadbalancing/ct-elasticloadbalancing-pr-10.guard' },
      { tool: 'checkov', id: 'CKV_AWS_91', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/ELBv2AccessLogs.py', note: 'also flags network and gateway load balancers, which this transform reports or leaves alone' },
      { tool: 'checkov', id: 'CKV_AWS_92', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/ELBAccessLogs.py' },
      { tool: 'cfn_nag', id: 'W52', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/ElasticLoadBalancerV2AccessLoggingRule.rb', note: 'also flags network and gateway load balancers, which this transform reports or leaves alone' },
      { tool: 'cfn_nag', id: 'W26', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/ElasticLoadBalancerAccessLoggingRule.rb' },
    ],
    defaultOptions: { ...LOG_BUCKET_DEFAULT_OPTIONS },
    optionsSchema: LOG_BUCKET_OPTIONS_SCHEMA,
    docs: `## Why
Access logs are the only record of who sent which request to a load balancer (client address,
path, status, TLS cipher, target and latency). Without them an incident cannot be traced back and
abuse cannot be told from a bug. They are off by default. The AWS Control Tower controls
CT.ELASTICLOADBALANCING.PR.6 (application and network load balancers) and
CT.ELASTICLOADBALANCING.PR.10 (Classic Load Balancers) require them.

## Fix
Every application load balancer (\`Type: application\` or no \`Type\`) whose
\`access_logs.s3.enabled\` attribute is missing gets \`access_logs.s3.enabled: "true"\` and
\`access_logs.s3.bucket\` (and \`access_logs.s3.prefix\` when the destination has one); every
Classic Load Balancer without \`AccessLoggingPolicy\` gets
\`AccessLoggingPolicy: {Enabled: true, S3BucketName: ...}\`. A load balancer that turns logging on
but names no bucket gets the bucket. The destination is:

- **the template's load balancer log bucket** when another load balancer already logs into a
  bucket of the template (under no \`Condition\`, with one bucket policy and a literal prefix): the
  same bucket value and prefix are written, so the grant that lets Elastic Load Balancing write
  for that load balancer covers the new one too;
- otherwise **one new bucket for the stack**, \`LoadBalancerLogsBucket\`: retained on deletion,
  SSE-S3 encrypted (the only default encryption ELB access logs support), ACLs off
  (\`BucketOwnerEnforced\`), public access blocked, versioned, log objects expiring after
  \`expirationDays\` days. Its policy \`LoadBalancerLogsBucketPolicy\` denies requests without TLS
  and lets the ELB log-delivery account of the stack's region put objects under
  \`AWSLogs/<stack account>/\`: the account is looked up in the \`ElbLogAccounts\` mapping (added
  with every region that has an ELB account, the table elb-log-principal writes), or, when the
  region is known and launched after August 2022, the service principal
  \`logdelivery.elasticloadbalancing.amazonaws.com\` is granted.

The load balancer gets \`DependsOn\` the bucket policy: when logging is turned on ELB writes a test
object, and the load balancer fails to create if the grant is not there yet.

Reported without a fix: access logging turned off explicitly (\`"false"\`), a load balancer that
names a bucket in \`access_logs.s3.bucket\` without turning logging on (the author's bucket is
never replaced, and tapfix cannot tell whether its policy lets ELB write), and network load
balancers (their access logs are delivered by \`delivery.logs.amazonaws.com\` under another
bucket policy, and only for TLS listeners). Gateway load balancers have no access logs. Values given by
intrinsics, computed lists and a \`Type\` given by an intrinsic are left alone. A grant missing
from an existing bucket's policy is elb-log-principal's to add.

The created bucket passes the Control Tower S3 controls a log bucket can pass and, on purpose,
not CT.S3.PR.10 (SSE-KMS: ELB access logs support only SSE-S3) nor CT.S3.PR.2 (server access
logging: it is a log bucket itself, which s3-access-logging leaves out too); both are documented in
data/control-exceptions.json.

Sources: "Enable access logs for your Application Load Balancer"
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html:
bucket requirements, SSE-S3 only, the policy per region, the test file) and "Enable access logs
for your Network Load Balancer"
(https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html).

## Fix safety
Safe: logging does not change how requests are served. It adds S3 storage cost for the logs,
bounded by the expiry. A load balancer that gains \`DependsOn\` is created after the bucket policy;
an existing one is updated in place.

## Options
- \`expirationDays\` (default 90): days before log objects in a created bucket expire.
- \`noncurrentExpirationDays\` (default 30): days before noncurrent log versions expire.
`,
  },
  check({ template, region, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const targets: Target[] = [];
    const usable = (view: ResourceView) => !skipsTransform(view.resource, ID);

    for (const { view, kind } of loadBalancersOfKind(template, 'application', 'network')) {
      if (!usable(view)) continue;
      const enabled = loadBalancerAttribute(view, 'access_logs.s3.enabled');
      const bucket = loadBalancerAttribute(view, 'access_logs.s3.bucket');
      if (enabled.state === 'computed' || bucket.state === 'computed') continue;
      const flag = enabled.state === 'set' ? attributeFlag(enabled.value) : undefined;
      if (enabled.state === 'set' && flag === undefined) continue;
      if (flag === false) {
        findings.push({ pointer: (enabled as { pointer: string }).pointer, messageId: 'accessLogsOff', message: `Load balancer ${view.id} turns access logging off explicitly (kept as written)` });
        continue;
      }
      const named = bucket.state === 'set' && bucket.value !== undefined && bucket.value !== '';
      if (flag === true && named) continue;
      if (named) {
        // The author chose a bucket but left logging off: turning it on there needs that bucket's grant.
        findings.push({
          pointer: (bucket as { pointer: string }).pointer,
          messageId: 'logBucketNotUsed',
          message: `Load balancer ${view.id} names an access-log bucket but does not turn access logging on; set access_logs.s3.enabled to "true" once the bucket policy lets Elastic Load Balancing write there`,
        });
        continue;
      }
      if (kind === 'network') {
        findings.push({
          pointer: view.pointer,
          messageId: 'networkNotLogging',
          message: `Network load balancer ${view.id} writes no access logs; they need a TLS listener and a bucket policy for delivery.logs.amazonaws.com, which tapfix does not write`,
        });
        continue;
      }
      targets.push({
        view,
        label: `Application load balancer ${view.id}`,
        write: (f, b, prefix) => {
          setLoadBalancerAttribute(f, view, 'access_logs.s3.enabled', 'true');
          setLoadBalancerAttribute(f, view, 'access_logs.s3.bucket', b);
          if (prefix !== undefined && loadBalancerAttribute(view, 'access_logs.s3.prefix').state === 'missing') setLoadBalancerAttribute(f, view, 'access_logs.s3.prefix', prefix);
        },
      });
    }

    for (const view of resources(template, CLB_TYPE)) {
      if (!view.properties || !usable(view)) continue;
      const policy = property(view, 'AccessLoggingPolicy');
      const config = asObject(policy?.value);
      if (policy && (!config || intrinsicName(config))) continue;
      const on = config?.['Enabled'];
      if (on === false || on === 'false') {
        findings.push({ pointer: `${policy!.pointer}/Enabled`, messageId: 'accessLogsOff', message: `Classic Load Balancer ${view.id} turns access logging off explicitly (kept as written)` });
        continue;
      }
      if (config && (on !== true && on !== 'true')) continue;
      if (config && config['S3BucketName'] !== undefined) continue;
      targets.push({
        view,
        label: `Classic Load Balancer ${view.id}`,
        write: (f, b, prefix) => {
          if (config) f.setProperty(view.id, ['AccessLoggingPolicy', 'S3BucketName'], b);
          else f.setProperty(view.id, ['AccessLoggingPolicy'], { Enabled: true, S3BucketName: b, ...(prefix !== undefined ? { S3BucketPrefix: prefix } : {}) });
        },
      });
    }
    if (targets.length === 0) return findings;

    const destination = reusedDestination(template) ?? createdDestination(template, fx, region, options);
    let created = false;
    for (const target of targets) {
      const dependsOn = target.view.resource.DependsOn;
      if (dependsOn !== undefined && typeof dependsOn !== 'string' && !Array.isArray(dependsOn)) {
        findings.push({ pointer: target.view.pointer, messageId: 'noAccessLogs', message: `${target.label} writes no access logs; not fixed automatically because its DependsOn cannot be extended to wait for the log bucket policy` });
        continue;
      }
      if (!created) destination.create?.(fx);
      created = true;
      target.write(fx, destination.bucket, destination.prefix);
      const { policyId } = destination;
      let order = '';
      if (policyId !== undefined && !dependenciesOf(template, target.view.id).has(policyId)) {
        if (!dependenciesOf(template, policyId).has(target.view.id) && fx.addDependsOn(target.view.id, policyId)) order = `, after ${policyId}`;
      }
      findings.push({
        pointer: target.view.pointer,
        messageId: 'noAccessLogs',
        message: `${target.label} writes no access logs; fix: log to ${destination.describe}${order}`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
