import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'ebs-encryption';
const root = (ebs: unknown) => [{ DeviceName: '/dev/xvda', Ebs: ebs }];
const volume = (props: Record<string, unknown>) => ({ Resources: { Vol: { Type: 'AWS::EC2::Volume', Properties: { AvailabilityZone: 'us-east-1a', Size: 8, ...props } } } });

describe(ID, () => {
  it('encrypts launch template and launch configuration block devices, safely', () => {
    const r = runTransform(
      ID,
      {
        Resources: {
          Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { BlockDeviceMappings: root({ VolumeSize: 30 }) } } },
          Lc: { Type: 'AWS::AutoScaling::LaunchConfiguration', Properties: { ImageId: 'ami-0abcdef1234567890', InstanceType: 't3.micro', BlockDeviceMappings: root({ VolumeSize: 20 }) } },
        },
      },
      { unsafe: false },
    );
    expect(r.ids).toEqual(['unencrypted', 'unencrypted']);
    expect(r.findings.every((f) => f.fix === 'applied' && f.safety === 'safe')).toBe(true);
    expect(r.template.Resources.Lt.Properties.LaunchTemplateData.BlockDeviceMappings[0].Ebs).toEqual({ VolumeSize: 30, Encrypted: true });
    expect(r.template.Resources.Lc.Properties.BlockDeviceMappings[0].Ebs).toEqual({ VolumeSize: 20, Encrypted: true });
    expectIdempotent(ID, r);
  });

  it('marks instance and volume fixes unsafe (EBS cannot encrypt a volume in place)', () => {
    const t = { Resources: { ...volume({}).Resources, Vm: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-0abcdef1234567890', BlockDeviceMappings: root({ VolumeSize: 8 }) } } } };
    const held = runTransform(ID, t, { unsafe: false });
    expect(held.findings.map((f) => f.fix)).toEqual(['held', 'held']);
    expect(held.changed).toBe(false);
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['unencrypted', 'unencrypted']);
    expect(r.template.Resources.Vol.Properties.Encrypted).toBe(true);
    expect(r.template.Resources.Vm.Properties.BlockDeviceMappings[0].Ebs).toEqual({ VolumeSize: 8, Encrypted: true });
    expectIdempotent(ID, r);
  });

  it('turns "true" into the boolean', () => {
    const r = runTransform(ID, volume({ Encrypted: 'true' }));
    expect(r.ids).toEqual(['encryptedText']);
    expect(r.template.Resources.Vol.Properties.Encrypted).toBe(true);
  });

  it('reports an explicit false and a named launch configuration', () => {
    let r = runTransform(ID, volume({ Encrypted: false }));
    expect(r.ids).toEqual(['encryptionDisabled']);
    expect(r.changed).toBe(false);
    r = runTransform(ID, { Resources: { Lc: { Type: 'AWS::AutoScaling::LaunchConfiguration', Properties: { LaunchConfigurationName: 'lc', ImageId: 'ami-0abcdef1234567890', InstanceType: 't3.micro', BlockDeviceMappings: root({}) } } } });
    expect(r.ids).toEqual(['unencryptedNotFixable']);
    expect(r.changed).toBe(false);
  });

  it('leaves computed values, instance store and encrypted volumes alone', () => {
    for (const t of [
      volume({ Encrypted: { Ref: 'Encrypt' } }),
      volume({ Encrypted: true }),
      { Resources: { Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { BlockDeviceMappings: [{ DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' }, { 'Fn::If': ['C', { Ebs: {} }, { Ref: 'AWS::NoValue' }] }] } } } } },
      { Resources: { Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { BlockDeviceMappings: root({ 'Fn::If': ['C', {}, {}] }) } } } } },
      { Resources: { Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { BlockDeviceMappings: { Ref: 'Mappings' } } } } } },
      { Resources: { Vol: { Type: 'AWS::EC2::Volume', Properties: { 'Fn::If': ['C', {}, {}] } } } },
    ]) {
      const r = runTransform(ID, t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('keeps YAML layout and comments', () => {
    const yaml = [
      'Resources:',
      '  Lt:',
      '    Type: AWS::EC2::LaunchTemplate',
      '    Properties:',
      '      LaunchTemplateData:',
      '        BlockDeviceMappings:',
      '          - DeviceName: /dev/xvda # root',
      '            Ebs: {VolumeSize: 30}',
      '',
    ].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml.replace('{VolumeSize: 30}', '{VolumeSize: 30, Encrypted: true}'));
  });
});
