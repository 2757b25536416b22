import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { resources } from '../src/cfn/query.js';
import { intrinsicName } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

const DEFAULT_GRACE_PERIOD = 300;

export default defineTransform({
  meta: {
    id: 'asg-elb-health-check',
    title: 'Use load balancer health checks for Auto Scaling groups behind a load balancer',
    severity: 'medium',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      {
        tool: 'control-tower',
        id: 'CT.AUTOSCALING.PR.4',
        source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/ec2autoscaling/ct-autoscaling-pr-4.guard',
      },
    ],
    defaultOptions: { gracePeriod: DEFAULT_GRACE_PERIOD },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { gracePeriod: { type: 'integer', minimum: 0, maximum: 7200 } },
    },
    docs: `## Why
With the default \`HealthCheckType: EC2\` an Auto Scaling group only replaces an instance whose
EC2 status checks fail. An instance whose application hangs, crashes or returns errors passes
them, so it stays in service, out of the load balancer's rotation, and the group never replaces
it: capacity silently shrinks. With \`ELB\` the group also replaces instances the load balancer
reports unhealthy. AWS Control Tower requires it for groups attached to a load balancer
(CT.AUTOSCALING.PR.4).

## Fix
For every \`AWS::AutoScaling::AutoScalingGroup\` with a non-empty \`TargetGroupARNs\` or
\`LoadBalancerNames\` list, sets \`HealthCheckType: ELB\`, whether the property is missing or set
to \`EC2\` (the default, which the control leaves no room for), and when the group has no
\`HealthCheckGracePeriod\` adds one of 300 seconds (the console's default; the API's is 0, which
would let the group replace instances that are still booting and not yet answering the load
balancer).

Reported without a fix: a combined or other type such as \`ELB,EBS\` or \`VPC_LATTICE\` (a choice
the control does not accept but that is not less safe). Computed values are left alone.

## Fix safety
Unsafe: the group starts terminating and replacing instances that fail the load balancer's
health check. If that check is wrong (a path that answers 404, a port the application does not
serve, a threshold too strict for a slow start), the group replaces healthy instances in a loop.
Check the target group's health check and the grace period against the instances' boot time
before applying it. The change itself is an in-place update.

## Options
- \`gracePeriod\` (integer seconds, default 300): the \`HealthCheckGracePeriod\` added to groups
  that have none.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const gracePeriod = typeof options['gracePeriod'] === 'number' ? options['gracePeriod'] : DEFAULT_GRACE_PERIOD;
    for (const group of resources(template, 'AWS::AutoScaling::AutoScalingGroup')) {
      const props = group.properties;
      if (!props) continue;
      const attached = ['TargetGroupARNs', 'LoadBalancerNames'].some((p) => Array.isArray(props[p]) && (props[p] as unknown[]).length > 0);
      if (!attached) continue;
      const type = props['HealthCheckType'];
      if (type === 'ELB' || intrinsicName(type) || (type !== undefined && typeof type !== 'string')) continue;
      if (type !== undefined && type !== 'EC2') {
        findings.push({
          pointer: `${group.propertiesPointer}/HealthCheckType`,
          messageId: 'otherHealthCheckType',
          message: `Auto Scaling group ${group.id} uses health check type ${type}; left as the author chose (CT.AUTOSCALING.PR.4 wants exactly ELB)`,
        });
        continue;
      }
      fx.setProperty(group.id, ['HealthCheckType'], 'ELB');
      if (props['HealthCheckGracePeriod'] === undefined) fx.setProperty(group.id, ['HealthCheckGracePeriod'], gracePeriod);
      findings.push({
        pointer: type === undefined ? group.pointer : `${group.propertiesPointer}/HealthCheckType`,
        messageId: 'ec2HealthCheckOnly',
        message: `Auto Scaling group ${group.id} sits behind a load balancer but only replaces instances that fail EC2 status checks`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
