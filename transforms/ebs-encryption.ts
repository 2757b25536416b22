import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources, type ResourceView } from '../src/cfn/query.js';
import { replacementRefusal } from '../src/cfn/spec.js';
import { asObject, flagState, intrinsicName } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

const CT = 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard';

/** Where each type lists its block device mappings, and whether changing one disturbs running instances. */
const MAPPINGS: ReadonlyArray<{ type: string; path: string[]; what: string; unsafe: boolean }> = [
  { type: 'AWS::EC2::LaunchTemplate', path: ['LaunchTemplateData', 'BlockDeviceMappings'], what: 'Launch template', unsafe: false },
  { type: 'AWS::AutoScaling::LaunchConfiguration', path: ['BlockDeviceMappings'], what: 'Launch configuration', unsafe: false },
  { type: 'AWS::EC2::Instance', path: ['BlockDeviceMappings'], what: 'Instance', unsafe: true },
];

export default defineTransform({
  meta: {
    id: 'ebs-encryption',
    title: 'Encrypt EBS volumes at rest (volumes, instance, launch template and launch configuration block devices)',
    severity: 'high',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.EC2.PR.14', source: `${CT}/ec2/ct-ec2-pr-14.guard` },
      { tool: 'control-tower', id: 'CT.EC2.PR.7', source: `${CT}/ec2/ct-ec2-pr-7.guard` },
      { tool: 'control-tower', id: 'CT.AUTOSCALING.PR.9', source: `${CT}/ec2autoscaling/ct-autoscaling-pr-9.guard` },
      { tool: 'checkov', id: 'CKV_AWS_3', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/EBSEncryption.py', note: 'AWS::EC2::Volume only' },
      {
        tool: 'checkov',
        id: 'CKV_AWS_8',
        source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/LaunchConfigurationEBSEncryption.py',
        note: 'launch configurations only',
      },
      { tool: 'cfn_nag', id: 'F1', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/EbsVolumeHasSseRule.rb', note: 'AWS::EC2::Volume only' },
    ],
    defaultOptions: {},
    docs: `## Why
An unencrypted EBS volume keeps its data, and every snapshot taken of it, readable by anyone who
gets hold of the snapshot (a mistaken share, a copied backup). EBS encryption is done by the host
with no measurable cost in performance, and it is a baseline of every compliance framework. AWS
Control Tower requires it for volumes (CT.EC2.PR.7), for the block devices of instances
(CT.EC2.PR.7), launch templates (CT.EC2.PR.14) and launch configurations (CT.AUTOSCALING.PR.9).

## Fix
Sets \`Encrypted: true\` on every \`AWS::EC2::Volume\` and on the \`Ebs\` of every entry of
\`BlockDeviceMappings\` of \`AWS::EC2::Instance\`, \`AWS::AutoScaling::LaunchConfiguration\` and
\`AWS::EC2::LaunchTemplate\` (\`LaunchTemplateData\`) that does not set it. No key is named, so
EBS uses the account's default EBS key (the AWS managed \`aws/ebs\` key unless the account chose
another); a volume restored from an encrypted snapshot keeps that snapshot's key. The string
\`"true"\` becomes the boolean the controls expect.

Left alone: an explicit \`Encrypted: false\` (reported), computed values (\`Fn::If\`, parameters),
mappings without \`Ebs\` (instance store, \`NoDevice\`), and a launch configuration with a fixed
\`LaunchConfigurationName\`, which the change would have to replace under the same name
(reported).

## Fix safety
Launch templates and launch configurations: safe. A launch template gets a new version and a
launch configuration is replaced by a new one; instances already running keep their volumes and
the instances launched next get encrypted ones.

Instances and volumes: unsafe. EBS cannot encrypt a volume that exists: CloudFormation replaces
an instance whose block device mappings change (a new instance, new root volume, data on the old
volumes gone), and an existing unencrypted \`AWS::EC2::Volume\` must be moved to an encrypted
copy of its snapshot. On a stack not yet deployed both fixes are harmless.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const visit = (view: ResourceView, at: string, value: unknown, where: string, unsafe: boolean) => {
      const state = flagState(value);
      if (state === 'false') {
        findings.push({ pointer: at, messageId: 'encryptionDisabled', message: `${where} is unencrypted by an explicit Encrypted: false; left as the author chose` });
        return;
      }
      if (state !== 'missing' && state !== 'text-true') return;
      fx.set(at, true);
      if (unsafe) fx.unsafe();
      const fix = fx.take();
      const refusal = replacementRefusal(template, fix.ops);
      if (refusal) {
        findings.push({ pointer: view.pointer, messageId: 'unencryptedNotFixable', message: `${where} is not encrypted; not changed: ${refusal}` });
        return;
      }
      findings.push({
        pointer: state === 'missing' ? at.slice(0, at.lastIndexOf('/')) : at,
        messageId: state === 'missing' ? 'unencrypted' : 'encryptedText',
        message: state === 'missing' ? `${where} is not encrypted at rest` : `${where} writes Encrypted as the string "true"; the controls want the boolean`,
        fix,
      });
    };
    for (const view of resources(template, 'AWS::EC2::Volume')) {
      if (view.properties) visit(view, `${view.propertiesPointer}/Encrypted`, view.properties['Encrypted'], `Volume ${view.id}`, true);
    }
    for (const { type, path, what, unsafe } of MAPPINGS) {
      for (const view of resources(template, type)) {
        const list = property(view, ...path);
        if (!list || !Array.isArray(list.value)) continue;
        list.value.forEach((mapping, index) => {
          const ebs = asObject(mapping)?.['Ebs'];
          if (!asObject(ebs) || intrinsicName(ebs) || intrinsicName(mapping)) return;
          const device = asObject(mapping)!['DeviceName'];
          const where = `${what} ${view.id} block device ${typeof device === 'string' ? device : index}`;
          visit(view, `${list.pointer}/${index}/Ebs/Encrypted`, asObject(ebs)!['Encrypted'], where, unsafe);
        });
      }
    }
    return findings;
  },
});
