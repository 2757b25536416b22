import { defineTransform } from '../src/transform.js';
import { enableFlagAttribute, loadBalancersOfKind } from '../src/cfn/elb.js';
import { Fixer } from '../src/cfn/fixer.js';
import type { Finding } from '../src/types.js';

const KEY = 'routing.http.drop_invalid_header_fields.enabled';

export default defineTransform({
  meta: {
    id: 'elb-drop-invalid-headers',
    title: 'Drop invalid HTTP header fields at application load balancers',
    severity: 'medium',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.ELASTICLOADBALANCING.PR.4', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/elasticloadbalancing/ct-elasticloadbalancing-pr-4.guard', note: 'checks only load balancers that write Type: application; one without Type (an application load balancer too) passes' },
      { tool: 'checkov', id: 'CKV_AWS_131', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/ALBDropHttpHeaders.py' },
    ],
    defaultOptions: {},
    docs: `## Why
By default an application load balancer passes HTTP headers whose names are not valid (anything
but letters, digits and hyphens) on to its targets. Servers and frameworks read such names in
different ways (\`X_Forwarded_For\` taken for \`X-Forwarded-For\`, say), which opens the door to
header smuggling and to spoofing headers the load balancer itself sets. With
\`routing.http.drop_invalid_header_fields.enabled\` the load balancer removes them before the
request reaches a target. The AWS Control Tower control CT.ELASTICLOADBALANCING.PR.4 requires it.

## Fix
Sets the attribute \`routing.http.drop_invalid_header_fields.enabled\` to \`"true"\` on every
application load balancer (\`Type: application\` or no \`Type\`): the Value of an existing element
with the key is replaced, else an element is appended to \`LoadBalancerAttributes\` (created when
missing). Network and gateway load balancers are left alone: the attribute does not exist for
them and CloudFormation would reject it. Not changed: a \`Type\` given by an intrinsic (the
attribute would fail on a network load balancer), an explicit \`false\` (reported: the author
lets such headers through on purpose), and a Value, list or Properties that are computed.

## Fix safety
Unsafe: the load balancer stops forwarding headers with invalid names. Clients or proxies that
send custom headers with underscores (\`X_Api_Key\`) and targets that read them lose those headers,
and requests that relied on them fail. Check that no client sends such headers before applying,
or rename the headers with hyphens.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const { view: lb } of loadBalancersOfKind(template, 'application')) {
      const finding = enableFlagAttribute(fx, lb, KEY, {
        missing: ['invalidHeadersForwarded', `Application load balancer ${lb.id} forwards HTTP headers with invalid names to its targets`],
        off: ['invalidHeadersKept', `Application load balancer ${lb.id} keeps HTTP headers with invalid names explicitly (kept as written)`],
      });
      if (finding) findings.push(finding);
    }
    return findings;
  },
});
