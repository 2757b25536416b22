import { defineTransform } from '../src/transform.js';
import { parameter, property, resources, type ResourceView } from '../src/cfn/query.js';
import { asObject, intrinsicName, resolve, toList } from '../src/cfn/values.js';
import type { EquivalentCheck, Finding, JsonValue, Template } from '../src/types.js';

// Reports the AWS Control Tower controls that are design decisions (docs/controls.md): tapfix
// never fixes them, but a team that gates on them can see them next to the fixes, per control.

const RULES = 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard';

/** The design-decision controls this transform reports, with the rule file each comes from. */
const CONTROLS = {
  'CT.S3.PR.4': 's3/ct-s3-pr-4.guard',
  'CT.S3.PR.6': 's3/ct-s3-pr-6.guard',
  'CT.S3.PR.9': 's3/ct-s3-pr-9.guard',
  'CT.LAMBDA.PR.3': 'lambda/ct-lambda-pr-3.guard',
  'CT.EC2.PR.11': 'ec2/ct-ec2-pr-11.guard',
  'CT.AUTOSCALING.PR.1': 'ec2autoscaling/ct-autoscaling-pr-1.guard',
  'CT.AUTOSCALING.PR.6': 'ec2autoscaling/ct-autoscaling-pr-6.guard',
  'CT.RDS.PR.20': 'rds/ct-rds-pr-20.guard',
} as const;
type Control = keyof typeof CONTROLS;
const CONTROL_IDS = Object.keys(CONTROLS) as Control[];

/**
 * The default port of each RDS engine family (Amazon RDS User Guide, "DB instance ports"); an
 * instance without Port uses it.
 */
const DEFAULT_PORTS: ReadonlyArray<[RegExp, number]> = [
  [/^(mysql|mariadb|aurora|aurora-mysql)$/, 3306],
  [/^(postgres|aurora-postgresql)$/, 5432],
  [/^oracle-/, 1521],
  [/^sqlserver-/, 1433],
  [/^db2-/, 50000],
];

interface Options extends Record<string, unknown> {
  controls: Control[];
}

/** A literal value, a parameter's default, or undefined when it is not known before deployment. */
function known(t: Template, value: JsonValue | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  const r = resolve(value);
  if (r.kind === 'literal') return r.value;
  if (r.kind === 'ref') return parameter(t, r.target)?.['Default'];
  return undefined;
}

const isTrue = (v: JsonValue | undefined) => v === true || v === 'true';

function bucketFindings(t: Template, bucket: ResourceView, wanted: ReadonlySet<Control>): Finding[] {
  const out: Finding[] = [];
  if (wanted.has('CT.S3.PR.9') && !isTrue(known(t, property(bucket, 'ObjectLockEnabled')?.value))) {
    out.push({ pointer: bucket.pointer, messageId: 'noObjectLock', message: `Bucket ${bucket.id} has no S3 Object Lock (CT.S3.PR.9): whether objects must be write-once is a retention decision` });
  }
  if (wanted.has('CT.S3.PR.4')) {
    const written = property(bucket, 'NotificationConfiguration')?.value;
    const n = asObject(written);
    const configured =
      n !== undefined &&
      (isTrue(asObject(n['EventBridgeConfiguration'])?.['EventBridgeEnabled']) ||
        ['LambdaConfigurations', 'QueueConfigurations', 'TopicConfigurations'].some((k) => toList(n[k]).length > 0));
    if (!configured && !intrinsicName(written)) {
      out.push({ pointer: bucket.pointer, messageId: 'noEventNotifications', message: `Bucket ${bucket.id} sends no event notifications (CT.S3.PR.4): which events matter and who reads them is the author's design` });
    }
  }
  if (wanted.has('CT.S3.PR.6') && toList(asObject(property(bucket, 'LifecycleConfiguration')?.value)?.['Rules']).length === 0) {
    out.push({ pointer: bucket.pointer, messageId: 'noLifecycleRules', message: `Bucket ${bucket.id} has no lifecycle rules (CT.S3.PR.6): how long objects live is a data retention decision` });
  }
  return out;
}

export default defineTransform<Options>({
  meta: {
    id: 'design-decisions',
    title: 'Report the AWS Control Tower controls that are design decisions',
    severity: 'low',
    safety: 'safe',
    seeds: [],
    enabledByDefault: false,
    equivalents: CONTROL_IDS.map((id): EquivalentCheck => ({ tool: 'control-tower', id, source: `${RULES}/${CONTROLS[id]}`, reportOnly: true })),
    defaultOptions: { controls: CONTROL_IDS },
    optionsSchema: {
      type: 'object',
      properties: { controls: { type: 'array', items: { enum: CONTROL_IDS }, uniqueItems: true } },
      additionalProperties: false,
    },
    docs: `## Why
Some AWS Control Tower proactive controls ask for something only the template's author can decide:
S3 Object Lock (CT.S3.PR.9), event notifications (CT.S3.PR.4) and lifecycle rules (CT.S3.PR.6) on
every bucket, Lambda functions in a VPC (CT.LAMBDA.PR.3), subnets that do not give instances public
IP addresses (CT.EC2.PR.11), Auto Scaling groups over several Availability Zones
(CT.AUTOSCALING.PR.1; the control reads the group's \`AvailabilityZones\` list, not its subnets) and with
several instance types (CT.AUTOSCALING.PR.6), databases on a
non-default port (CT.RDS.PR.20). Each changes cost, retention, the network path or who can connect,
so tapfix never changes them (docs/controls.md says why for each). A team that gates deployments on
these controls still wants to see them in the same run as the fixes: this transform reports them.

## Fix
None: every finding is a report. The message names the control; the resource is left as it is.
Values taken from parameters are judged by their defaults; values computed at deploy time are not
reported.

## Fix safety
Nothing is changed.

## Options
- \`controls\` (default: all of them): the control ids to report, e.g. \`["CT.S3.PR.9", "CT.LAMBDA.PR.3"]\`.

Off by default: turn it on with \`--enable design-decisions\` or in tapfix.config.json.
`,
  },
  check({ template, options }) {
    const wanted = new Set(options.controls);
    const findings: Finding[] = [];
    for (const bucket of resources(template, 'AWS::S3::Bucket')) findings.push(...bucketFindings(template, bucket, wanted));
    if (wanted.has('CT.LAMBDA.PR.3')) {
      for (const fn of resources(template, 'AWS::Lambda::Function')) {
        if (!fn.properties) continue;
        // A VpcConfig that is computed, or names subnets, puts the function in a VPC.
        const vpc = property(fn, 'VpcConfig')?.value;
        if (vpc !== undefined && (intrinsicName(vpc) || toList(asObject(vpc)?.['SubnetIds']).length > 0)) continue;
        findings.push({ pointer: fn.pointer, messageId: 'functionOutsideVpc', message: `Function ${fn.id} runs outside a VPC (CT.LAMBDA.PR.3): putting it in one changes how it reaches AWS services and the internet` });
      }
    }
    if (wanted.has('CT.EC2.PR.11')) {
      for (const subnet of resources(template, 'AWS::EC2::Subnet')) {
        const map = property(subnet, 'MapPublicIpOnLaunch');
        if (map && isTrue(known(template, map.value))) {
          findings.push({ pointer: map.pointer, messageId: 'subnetAssignsPublicIp', message: `Subnet ${subnet.id} gives every instance a public IP address (CT.EC2.PR.11): whether instances reach the internet directly or through NAT is a network design decision` });
        }
      }
    }
    for (const group of resources(template, 'AWS::AutoScaling::AutoScalingGroup')) {
      if (!group.properties) continue;
      if (wanted.has('CT.AUTOSCALING.PR.1')) {
        // The control reads AvailabilityZones only: subnets in VPCZoneIdentifier do not count,
        // even when they lie in several zones. A computed list (Fn::GetAZs) is not judged.
        const zones = property(group, 'AvailabilityZones')?.value;
        const listed = Array.isArray(zones) ? zones : [];
        if (!intrinsicName(zones) && !(listed.length >= 2 && JSON.stringify(listed[0]) !== JSON.stringify(listed[1]))) {
          findings.push({
            pointer: group.pointer,
            messageId: 'singleZoneGroup',
            message: `Auto Scaling group ${group.id} does not list two Availability Zones in AvailabilityZones (CT.AUTOSCALING.PR.1, which does not read the subnets): spreading over zones needs subnets in them and changes cost`,
          });
        }
      }
      if (wanted.has('CT.AUTOSCALING.PR.6')) {
        const mixed = property(group, 'MixedInstancesPolicy')?.value;
        const overrides = toList(asObject(asObject(mixed)?.['LaunchTemplate'])?.['Overrides']);
        if (overrides.length < 2 && !intrinsicName(mixed)) {
          findings.push({ pointer: group.pointer, messageId: 'singleInstanceType', message: `Auto Scaling group ${group.id} uses one instance type (CT.AUTOSCALING.PR.6): a mixed instances policy is a capacity and cost decision` });
        }
      }
    }
    if (wanted.has('CT.RDS.PR.20')) {
      for (const db of resources(template, 'AWS::RDS::DBInstance')) {
        if (!db.properties || property(db, 'DBClusterIdentifier')) continue;
        const engine = known(template, property(db, 'Engine')?.value);
        if (typeof engine !== 'string') continue;
        const standard = DEFAULT_PORTS.find(([pattern]) => pattern.test(engine.toLowerCase()))?.[1];
        if (standard === undefined) continue;
        const written = property(db, 'Port');
        const port = written ? known(template, written.value) : standard;
        if (port === undefined || Number(port) !== standard) continue;
        findings.push({ pointer: written?.pointer ?? db.pointer, messageId: 'defaultDatabasePort', message: `Database ${db.id} listens on the ${engine} default port ${standard} (CT.RDS.PR.20): changing it breaks every client's connection string` });
      }
    }
    return findings;
  },
});
