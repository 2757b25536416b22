import { defineTransform } from '../src/transform.js';
import { loadBalancerAttribute, loadBalancersOfKind } from '../src/cfn/elb.js';
import { Fixer } from '../src/cfn/fixer.js';
import type { Finding } from '../src/types.js';

const KEY = 'routing.http.desync_mitigation_mode';
const ALLOWED: ReadonlySet<string> = new Set(['defensive', 'strictest']);

export default defineTransform({
  meta: {
    id: 'elb-desync-mitigation',
    title: 'Keep HTTP desync mitigation on at application load balancers',
    severity: 'medium',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.ELASTICLOADBALANCING.PR.3', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/elasticloadbalancing/ct-elasticloadbalancing-pr-3.guard', note: 'checks only load balancers that write Type: application; one without Type (an application load balancer too) passes' },
    ],
    defaultOptions: {},
    docs: `## Why
HTTP desync (request smuggling) attacks send requests that the load balancer and the target read
differently, so that one request hides another. An application load balancer classifies every
request and, in \`defensive\` mode (the default) or \`strictest\` mode, blocks or isolates the
ambiguous ones. \`monitor\` mode only records them and forwards everything. The AWS Control Tower
control CT.ELASTICLOADBALANCING.PR.3 requires \`defensive\` or \`strictest\` (or the attribute left
out, which means \`defensive\`).

## Fix
An application load balancer (\`Type: application\` or no \`Type\`) whose
\`routing.http.desync_mitigation_mode\` attribute is \`monitor\` gets \`defensive\`, the AWS default,
in place. Monitor mode is an explicit choice, but the control accepts no reading of it, so the
fix is offered as an unsafe fix (applied only with unsafe fixes enabled) and reported otherwise.
A load balancer without the attribute already runs in defensive mode and is left alone, as are
values given by a parameter or another intrinsic, computed lists, and network and gateway load
balancers (the attribute does not exist for them).

## Fix safety
Unsafe: in defensive mode the load balancer closes the connection on requests it classifies
*Severe* and stops reusing backend connections after *Ambiguous* ones. Clients that send
malformed but so far tolerated requests (a non-RFC-compliant \`Transfer-Encoding\`, say) may be
refused; the \`desync_mitigation_classification\` field of the access logs shows which requests
would be affected before switching.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const { view: lb } of loadBalancersOfKind(template, 'application')) {
      const current = loadBalancerAttribute(lb, KEY);
      if (current.state !== 'set' || typeof current.value !== 'string' || ALLOWED.has(current.value)) continue;
      fx.set(current.pointer, 'defensive');
      findings.push({
        pointer: current.pointer,
        messageId: 'desyncMitigationOff',
        message: `Application load balancer ${lb.id} runs desync mitigation in ${current.value} mode: ambiguous requests that may smuggle others reach its targets`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
