import { defineTransform } from '../src/transform.js';
import { LISTENER_TYPE } from '../src/cfn/elb.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources, targetOfValue, type ResourceView } from '../src/cfn/query.js';
import { asObject } from '../src/cfn/values.js';
import type { Finding, JsonValue, Template } from '../src/types.js';

const LISTENER_RULE_TYPE = 'AWS::ElasticLoadBalancingV2::ListenerRule';

/** The template load balancer a listener belongs to (its LoadBalancerArn is a Ref of it). */
function loadBalancerOf(t: Template, listener: ResourceView): string | undefined {
  const target = targetOfValue(t, property(listener, 'LoadBalancerArn')?.value);
  return target.kind === 'resource' && target.attribute === undefined ? target.id : undefined;
}

/** True when every default action redirects to HTTPS (what the control asks of an HTTP listener). */
function redirectsToHttps(actions: JsonValue | undefined): boolean {
  return Array.isArray(actions) && actions.length > 0 && actions.every((a) => asObject(a)?.['Type'] === 'redirect' && asObject(asObject(a)?.['RedirectConfig'])?.['Protocol'] === 'HTTPS');
}

/** The redirect port: the HTTPS listener's port as a string, a Ref of it as is; undefined otherwise. */
function redirectPort(https: ResourceView): JsonValue | undefined {
  const port = property(https, 'Port')?.value;
  if (typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port))) return String(port);
  const ref = asObject(port);
  return ref && Object.keys(ref).length === 1 && typeof ref['Ref'] === 'string' ? port! : undefined;
}

export default defineTransform({
  meta: {
    id: 'alb-https-redirect',
    title: 'Redirect HTTP listeners of application load balancers to HTTPS',
    severity: 'high',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.ELASTICLOADBALANCING.PR.1', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/elasticloadbalancing/ct-elasticloadbalancing-pr-1.guard' },
      { tool: 'checkov', id: 'CKV_AWS_2', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/ALBListenerHTTPS.py' },
    ],
    defaultOptions: {},
    docs: `## Why
A listener that answers plain HTTP sends requests, cookies and credentials in clear text. When
the load balancer also has an HTTPS listener, the HTTP one is usually there only to catch users
who typed \`http://\`; forwarding them to the application over HTTP defeats the HTTPS listener.
The AWS Control Tower control CT.ELASTICLOADBALANCING.PR.1 requires every default action of an
HTTP listener to be a \`redirect\` to HTTPS.

## Fix
For every \`AWS::ElasticLoadBalancingV2::Listener\` with \`Protocol: HTTP\` whose default actions do
not all redirect to HTTPS, and whose load balancer (its \`LoadBalancerArn\` is a \`!Ref\` of a load
balancer of the template) has a listener with \`Protocol: HTTPS\` (under no \`Condition\`, or the
HTTP listener's own), the default actions become one permanent redirect to that listener's port:

\`\`\`yaml
DefaultActions:
  - Type: redirect
    RedirectConfig:
      Protocol: HTTPS
      Port: '443'        # the HTTPS listener's Port (a Ref of a parameter is kept)
      StatusCode: HTTP_301
\`\`\`

Host, path and query string are kept (their defaults \`#{host}\`, \`/#{path}\` and \`#{query}\`).
Reported without a fix: an HTTP listener of a load balancer with no HTTPS listener in the
template (there is no certificate to redirect to: add an HTTPS listener with a certificate
first, or a load balancer defined elsewhere), and one whose HTTPS listener's port cannot be read.
Listener rules (\`AWS::ElasticLoadBalancingV2::ListenerRule\`) of the HTTP listener are not
changed: requests matching them are still answered over HTTP, which the message says.
Listeners whose \`Protocol\` or \`DefaultActions\` are computed are left alone.

## Fix safety
Unsafe: it changes what the listener does. Clients are sent to HTTPS instead of being served;
clients that cannot follow redirects (health checks of other systems, old API clients posting
over HTTP: a 301 turns a POST into a GET in most clients) stop working, and the HTTPS listener
must serve everything the HTTP listener served before (same target groups, same rules).

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const listeners = resources(template, LISTENER_TYPE).filter((l) => l.properties);
    const httpsOf = new Map<string, ResourceView[]>();
    for (const listener of listeners) {
      const lb = loadBalancerOf(template, listener);
      if (lb !== undefined && property(listener, 'Protocol')?.value === 'HTTPS') httpsOf.set(lb, [...(httpsOf.get(lb) ?? []), listener]);
    }
    for (const listener of listeners) {
      if (property(listener, 'Protocol')?.value !== 'HTTP') continue;
      const actions = property(listener, 'DefaultActions');
      if (actions !== undefined && !Array.isArray(actions.value)) continue;
      if (redirectsToHttps(actions?.value)) continue;
      const lb = loadBalancerOf(template, listener);
      const https = (lb === undefined ? [] : (httpsOf.get(lb) ?? [])).find((h) => h.condition === undefined || h.condition === listener.condition);
      const port = https ? redirectPort(https) : undefined;
      if (!https || port === undefined) {
        const why =
          lb === undefined
            ? 'its load balancer is not defined in this template, so tapfix cannot tell which HTTPS listener to redirect to'
            : !https
              ? `load balancer ${lb} has no HTTPS listener to redirect to (add one with a certificate first)`
              : `the port of HTTPS listener ${https.id} cannot be read`;
        findings.push({ pointer: listener.pointer, messageId: 'noHttpsListener', message: `HTTP listener ${listener.id} serves requests in clear text; ${why}` });
        continue;
      }
      fx.setProperty(listener.id, ['DefaultActions'], [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: port, StatusCode: 'HTTP_301' } }]);
      const rules = resources(template, LISTENER_RULE_TYPE).filter((r) => {
        const target = targetOfValue(template, property(r, 'ListenerArn')?.value);
        return target.kind === 'resource' && target.id === listener.id;
      });
      const kept = rules.length === 0 ? '' : `; its listener rules ${rules.map((r) => r.id).join(', ')} still answer over HTTP`;
      findings.push({
        pointer: actions?.pointer ?? listener.pointer,
        messageId: 'httpNotRedirected',
        message: `HTTP listener ${listener.id} serves requests in clear text although load balancer ${lb!} has HTTPS listener ${https.id}; fix: redirect to HTTPS (301)${kept}`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
