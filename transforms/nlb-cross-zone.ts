import { defineTransform } from '../src/transform.js';
import { enableFlagAttribute, loadBalancersOfKind } from '../src/cfn/elb.js';
import { Fixer } from '../src/cfn/fixer.js';
import type { Finding } from '../src/types.js';

const KEY = 'load_balancing.cross_zone.enabled';

export default defineTransform({
  meta: {
    id: 'nlb-cross-zone',
    title: 'Turn on cross-zone load balancing for network load balancers',
    severity: 'low',
    safety: 'safe',
    seeds: [],
    enabledByDefault: false,
    equivalents: [
      { tool: 'control-tower', id: 'CT.ELASTICLOADBALANCING.PR.14', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/elasticloadbalancing/ct-elasticloadbalancing-pr-14.guard' },
    ],
    defaultOptions: {},
    docs: `## Why
Without cross-zone load balancing each node of a network load balancer sends traffic only to
targets in its own Availability Zone. When the zones hold different numbers of healthy targets,
some targets are overloaded while others idle, and a zone that loses its targets drops the
connections its node receives (clients resolve every zone's address). The AWS Control Tower
control CT.ELASTICLOADBALANCING.PR.14 requires cross-zone load balancing on network load
balancers.

## Fix
Sets the load balancer attribute \`load_balancing.cross_zone.enabled\` to \`"true"\` on every load
balancer with \`Type: network\`: the Value of an existing element with the key is replaced, else an
element is appended to \`LoadBalancerAttributes\` (created when missing). Application load
balancers always balance across zones and gateway load balancers are left alone (the control does
not ask for them). An explicit \`false\` is reported, not flipped (zonal isolation is a design
choice); a Value, list, \`Type\` or Properties given by intrinsics are left alone.

Off by default (enable it with \`--enable nlb-cross-zone\`): traffic that crosses Availability Zones
inside the load balancer is charged as regional data transfer, a cost to choose knowingly.

## Fix safety
Safe: the attribute changes in place and connections keep flowing; new connections are spread
over the healthy targets of every enabled zone. Targets must accept traffic from the load
balancer's nodes in other zones (security groups that admit only one zone's subnet would refuse
it).

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const { view: lb } of loadBalancersOfKind(template, 'network')) {
      const finding = enableFlagAttribute(fx, lb, KEY, {
        missing: ['noCrossZone', `Network load balancer ${lb.id} balances within each Availability Zone only; uneven zones overload some targets`],
        off: ['crossZoneOff', `Network load balancer ${lb.id} turns cross-zone load balancing off explicitly (kept as written)`],
      });
      if (finding) findings.push(finding);
    }
    return findings;
  },
});
