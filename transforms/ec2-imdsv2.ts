import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources, type ResourceView } from '../src/cfn/query.js';
import { replacementRefusal } from '../src/cfn/spec.js';
import { asObject, intrinsicName } from '../src/cfn/values.js';
import type { Finding, JsonObject } from '../src/types.js';

const CT = 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard';

/** Where each resource type keeps its instance settings (MetadataOptions, UserData, ImageId). */
const SETTINGS: ReadonlyArray<{ type: string; base: string[]; what: string }> = [
  { type: 'AWS::EC2::LaunchTemplate', base: ['LaunchTemplateData'], what: 'Launch template' },
  { type: 'AWS::AutoScaling::LaunchConfiguration', base: [], what: 'Launch configuration' },
  { type: 'AWS::EC2::Instance', base: [], what: 'Instance' },
];

/** Signs that the instances run containers (Docker, ECS, EKS), whose IMDSv2 calls cross a second hop. */
const CONTAINER_HOST = /docker|ECS_CLUSTER|amazon-ecs|\/ecs\/|ecs-optimized|containerd|kubelet|bootstrap\.sh|podman/i;

export default defineTransform({
  meta: {
    id: 'ec2-imdsv2',
    title: 'Require IMDSv2 (session tokens) for the instance metadata service',
    severity: 'high',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.EC2.PR.1', source: `${CT}/ec2/ct-ec2-pr-1.guard` },
      { tool: 'control-tower', id: 'CT.EC2.PR.2', source: `${CT}/ec2/ct-ec2-pr-2.guard`, note: 'an explicit hop limit above 1 is reported, not lowered' },
      { tool: 'control-tower', id: 'CT.AUTOSCALING.PR.2', source: `${CT}/ec2autoscaling/ct-autoscaling-pr-2.guard` },
      { tool: 'control-tower', id: 'CT.AUTOSCALING.PR.3', source: `${CT}/ec2autoscaling/ct-autoscaling-pr-3.guard`, note: 'an explicit hop limit above 1 is reported, not lowered' },
      {
        tool: 'checkov',
        id: 'CKV_AWS_79',
        source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/IMDSv1Disabled.py',
        note: 'launch templates only',
      },
    ],
    defaultOptions: {},
    docs: `## Why
IMDSv1 answers any plain GET to 169.254.169.254, so a server-side request forgery (SSRF) bug or
an open proxy on the instance hands out the instance role's credentials. IMDSv2 needs a session
token obtained with a PUT, which SSRF and most proxies cannot send, and whose response does not
travel further than the hop limit. AWS Control Tower requires IMDSv2 on launch templates
(CT.EC2.PR.1) and launch configurations (CT.AUTOSCALING.PR.2), with a hop limit of 1
(CT.EC2.PR.2, CT.AUTOSCALING.PR.3).

## Fix
Sets \`MetadataOptions.HttpTokens: required\` on every \`AWS::EC2::LaunchTemplate\`
(\`LaunchTemplateData.MetadataOptions\`), \`AWS::AutoScaling::LaunchConfiguration\` and
\`AWS::EC2::Instance\` that does not require tokens yet. The hop limit is not written: left out,
the controls pass and EC2 uses its default (1, or 2 for AMIs registered for IMDSv2 such as
Amazon Linux 2023).

Left alone:
- metadata options that turn the service off (\`HttpEndpoint: disabled\`): nothing to protect;
- an explicit \`HttpTokens: optional\` (software that needs IMDSv1 is the usual reason) and an
  explicit \`HttpPutResponseHopLimit\` above 1 (containers that call IMDS over a bridge network
  need 2): both are reported, as the author chose them;
- computed values (\`Fn::If\`, parameters), and instances that launch from a launch template
  (the template's settings apply; the launch template is fixed instead);
- a launch configuration with a fixed \`LaunchConfigurationName\`: the change replaces it, which
  CloudFormation cannot do under the same name (reported).

Instances that run containers (Docker, ECS or EKS in the user data or the AMI name) are fixed
too, and the finding says so: a container behind a bridge network then cannot get a token at a
hop limit of 1, so it must take credentials from its task role (ECS) or pod identity (EKS)
rather than from the instance role, as AWS recommends for both.

## Fix safety
Unsafe: software that still calls IMDSv1 (old AWS SDKs and CLIs, some agents and scripts) gets
HTTP 401 instead of metadata and credentials. Check the \`MetadataNoToken\` CloudWatch metric of
the running instances first: it counts IMDSv1 calls. Changing the metadata options of an
instance is an in-place update; a launch template gets a new version; a launch configuration is
replaced (Auto Scaling groups use the new one for the instances they launch next).

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const { type, base, what } of SETTINGS) {
      for (const view of resources(template, type)) {
        const settings = base.length ? property(view, ...base) : view.properties === undefined ? undefined : { value: view.properties, pointer: view.propertiesPointer };
        const data = asObject(settings?.value);
        if (!settings || !data || intrinsicName(data)) continue;
        if (type === 'AWS::EC2::Instance' && data['LaunchTemplate'] !== undefined) continue;
        const options = data['MetadataOptions'];
        if (options !== undefined && (!asObject(options) || intrinsicName(options))) continue;
        const opts: Readonly<JsonObject> = asObject(options) ?? {};
        if (opts['HttpEndpoint'] !== undefined && opts['HttpEndpoint'] !== 'enabled') continue;
        const at = `${settings.pointer}/MetadataOptions`;
        const name = `${what} ${view.id}`;
        const hops = opts['HttpPutResponseHopLimit'];
        if (hops !== undefined && !intrinsicName(hops) && Number(hops) > 1) {
          findings.push({
            pointer: `${at}/HttpPutResponseHopLimit`,
            messageId: 'hopLimitAboveOne',
            message: `${name} lets IMDSv2 token responses travel ${String(hops)} hops (containers need 2); left as the author chose (the controls want 1)`,
          });
        }
        const tokens = opts['HttpTokens'];
        if (tokens === 'required' || (tokens !== undefined && tokens !== 'optional')) continue;
        if (tokens === 'optional') {
          findings.push({
            pointer: `${at}/HttpTokens`,
            messageId: 'imdsv1Chosen',
            message: `${name} sets HttpTokens: optional, allowing IMDSv1; left as the author chose`,
          });
          continue;
        }
        fx.set(`${at}/HttpTokens`, 'required');
        const fix = fx.take();
        const refusal = replacementRefusal(template, fix.ops);
        if (refusal) {
          findings.push({ pointer: view.pointer, messageId: 'imdsv1NotFixable', message: `${name} allows IMDSv1; not changed: ${refusal}` });
          continue;
        }
        const containers = CONTAINER_HOST.test(JSON.stringify([data['UserData'] ?? '', data['ImageId'] ?? '', view.resource.Metadata ?? '']));
        findings.push({
          pointer: options === undefined ? view.pointer : at,
          messageId: containers ? 'imdsv1ContainerHost' : 'imdsv1Allowed',
          message:
            `${name} allows IMDSv1: an SSRF bug can read the instance role's credentials` +
            (containers ? '; its containers must then take credentials from a task role or pod identity, not the instance role over IMDS' : ''),
          fix,
        });
      }
    }
    return findings;
  },
});
