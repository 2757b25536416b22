import { defineTransform } from '../src/transform.js';
import { ALB_TYPE } from '../src/cfn/elb-logs.js';
import { enableFlagAttribute } from '../src/cfn/elb.js';
import { Fixer } from '../src/cfn/fixer.js';
import { resources } from '../src/cfn/query.js';
import type { Finding } from '../src/types.js';

const KEY = 'deletion_protection.enabled';

export default defineTransform({
  meta: {
    id: 'elb-deletion-protection',
    title: 'Turn on deletion protection for load balancers',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.ELASTICLOADBALANCING.PR.5', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/elasticloadbalancing/ct-elasticloadbalancing-pr-5.guard' },
    ],
    defaultOptions: {},
    docs: `## Why
A load balancer is the stable address clients, DNS records and certificates point at. Deleted by
mistake — a console click, a script, a stack update that drops it — it takes its DNS name with it:
a new load balancer gets a new name, and every alias and client configuration must follow.
Deletion protection makes \`DeleteLoadBalancer\` fail until it is turned off again. The AWS Control
Tower control CT.ELASTICLOADBALANCING.PR.5 requires it on every Elastic Load Balancing v2 load
balancer (application, network and gateway).

## Fix
Sets the load balancer attribute \`deletion_protection.enabled\` to \`"true"\` on every
\`AWS::ElasticLoadBalancingV2::LoadBalancer\`, of any type (the attribute exists for application,
network and gateway load balancers): the Value of an existing \`deletion_protection.enabled\`
element is replaced, else an element is appended to \`LoadBalancerAttributes\` (created when
missing). Not changed:
- \`deletion_protection.enabled\` set to \`false\` by the author: reported, not flipped (a stack
  meant to be torn down, such as a test environment, turns it off on purpose);
- a Value given by a parameter or another intrinsic, an \`Fn::If\` around the list or around an
  element that may set the attribute, and Properties that are computed: left alone.

## Fix safety
Safe for the running load balancer: the attribute changes in place and traffic is unaffected.
It changes how the stack is torn down: deleting the stack (or a stack update that replaces or
removes the load balancer) fails on the load balancer until the attribute is set to \`false\` in
the template and the stack updated, or deletion protection is turned off in the console. Stacks
that are created and deleted routinely (CI, previews) should set it to \`false\` explicitly, which
this transform then leaves alone.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const lb of resources(template, ALB_TYPE)) {
      const finding = enableFlagAttribute(fx, lb, KEY, {
        missing: ['noDeletionProtection', `Load balancer ${lb.id} has no deletion protection: it can be deleted by mistake, and its DNS name with it`],
        off: ['deletionProtectionOff', `Load balancer ${lb.id} turns deletion protection off explicitly; it can be deleted by mistake (kept as written)`],
      });
      if (finding) findings.push(finding);
    }
    return findings;
  },
});
