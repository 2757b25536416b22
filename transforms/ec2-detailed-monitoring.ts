import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources, type ResourceView } from '../src/cfn/query.js';
import { asObject, flagState, intrinsicName } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

const CT = 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/ec2';

export default defineTransform({
  meta: {
    id: 'ec2-detailed-monitoring',
    title: 'Turn on CloudWatch detailed monitoring for EC2 instances and launch templates (opt-in: costs money)',
    severity: 'low',
    safety: 'safe',
    enabledByDefault: false,
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.EC2.PR.10', source: `${CT}/ct-ec2-pr-10.guard` },
      { tool: 'control-tower', id: 'CT.EC2.PR.13', source: `${CT}/ct-ec2-pr-13.guard` },
    ],
    defaultOptions: {},
    docs: `## Why
Without detailed monitoring EC2 sends its instance metrics (CPU, network, disk, status checks) to
CloudWatch every 5 minutes; with it, every minute. Alarms and target-tracking scaling policies
then react in one or two minutes instead of ten or more, and short spikes are no longer averaged
away. AWS Control Tower requires it for instances (CT.EC2.PR.13) and launch templates
(CT.EC2.PR.10).

## Fix
Sets \`Monitoring: true\` on every \`AWS::EC2::Instance\` and \`Monitoring: {Enabled: true}\` in the
\`LaunchTemplateData\` of every \`AWS::EC2::LaunchTemplate\` that does not set it. A value written as
the string \`"true"\` becomes the boolean \`true\` (CloudFormation reads both the same; the controls
only accept the boolean).

Left alone: an explicit \`false\` (a deliberate choice, usually to save the cost; reported), a
value computed by an intrinsic (\`Fn::If\` on a parameter, say), and launch templates whose
\`LaunchTemplateData\` is computed.

## Fix safety
Safe: \`Monitoring\` is updated in place on an instance, and a launch template change makes a new
version that instances use when they are next launched.

**It costs money**, which is why this transform is off by default (\`--enable
ec2-detailed-monitoring\`, or \`--only\`): detailed monitoring is billed as custom metrics, about
US$2.10 per instance per month in us-east-1 (7 metrics at the first-tier rate; see
https://aws.amazon.com/cloudwatch/pricing/), for every instance the template runs, including
every instance an Auto Scaling group launches.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const visit = (view: ResourceView, path: string[], value: unknown, where: string) => {
      const at = `${view.propertiesPointer}/${path.join('/')}`;
      switch (flagState(value)) {
        case 'missing':
        case 'text-true':
          fx.set(at, true);
          findings.push({
            pointer: value === undefined ? view.pointer : at,
            messageId: value === undefined ? 'monitoringOff' : 'monitoringText',
            message:
              value === undefined
                ? `${where} ${view.id} has no detailed monitoring: its metrics reach CloudWatch every 5 minutes`
                : `${where} ${view.id} writes Monitoring as the string "true"; the controls want the boolean`,
            fix: fx.take(),
          });
          return;
        case 'false':
          findings.push({
            pointer: at,
            messageId: 'monitoringDisabled',
            message: `${where} ${view.id} turns detailed monitoring off explicitly; left as the author chose (CT.EC2 requires it)`,
          });
          return;
        default:
          return;
      }
    };
    for (const view of resources(template, 'AWS::EC2::Instance')) {
      if (!view.properties) continue;
      visit(view, ['Monitoring'], view.properties['Monitoring'], 'Instance');
    }
    for (const view of resources(template, 'AWS::EC2::LaunchTemplate')) {
      const data = property(view, 'LaunchTemplateData');
      if (!data || !asObject(data.value) || intrinsicName(data.value)) continue;
      const monitoring = asObject(data.value)!['Monitoring'];
      if (monitoring !== undefined && (!asObject(monitoring) || intrinsicName(monitoring))) continue;
      visit(view, ['LaunchTemplateData', 'Monitoring', 'Enabled'], asObject(monitoring)?.['Enabled'], 'Launch template');
    }
    return findings;
  },
});
