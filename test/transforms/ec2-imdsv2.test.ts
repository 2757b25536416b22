import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'ec2-imdsv2';
const lt = (data: Record<string, unknown>) => ({ Resources: { Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: data } } } });
const lc = (props: Record<string, unknown>) => ({ Resources: { Lc: { Type: 'AWS::AutoScaling::LaunchConfiguration', Properties: { ImageId: 'ami-0abcdef1234567890', InstanceType: 't3.micro', ...props } } } });
const instance = (props: Record<string, unknown>) => ({ Resources: { Vm: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-0abcdef1234567890', ...props } } } });

describe(ID, () => {
  it('requires tokens on launch templates, launch configurations and instances', () => {
    const r = runTransform(ID, { Resources: { ...lt({ InstanceType: 't3.micro' }).Resources, ...lc({}).Resources, ...instance({}).Resources } });
    expect(r.ids).toEqual(['imdsv1Allowed', 'imdsv1Allowed', 'imdsv1Allowed']);
    expect(r.findings.every((f) => f.fix === 'applied' && f.safety === 'unsafe')).toBe(true);
    expect(r.template.Resources.Lt.Properties.LaunchTemplateData.MetadataOptions).toEqual({ HttpTokens: 'required' });
    expect(r.template.Resources.Lc.Properties.MetadataOptions).toEqual({ HttpTokens: 'required' });
    expect(r.template.Resources.Vm.Properties.MetadataOptions).toEqual({ HttpTokens: 'required' });
    expectIdempotent(ID, r);
  });

  it('holds the fix without --unsafe', () => {
    const r = runTransform(ID, lt({}), { unsafe: false });
    expect(r.findings[0]!.fix).toBe('held');
    expect(r.changed).toBe(false);
  });

  it('keeps the metadata options there are and names container hosts', () => {
    const r = runTransform(ID, lt({ UserData: { 'Fn::Base64': 'echo ECS_CLUSTER=x >> /etc/ecs/ecs.config' }, MetadataOptions: { HttpPutResponseHopLimit: 1 } }));
    expect(r.ids).toEqual(['imdsv1ContainerHost']);
    expect(r.findings[0]!.message).toMatch(/task role/);
    expect(r.template.Resources.Lt.Properties.LaunchTemplateData.MetadataOptions).toEqual({ HttpPutResponseHopLimit: 1, HttpTokens: 'required' });
  });

  it('reports explicit choices: HttpTokens optional, a hop limit above 1', () => {
    let r = runTransform(ID, lt({ MetadataOptions: { HttpTokens: 'optional' } }));
    expect(r.ids).toEqual(['imdsv1Chosen']);
    expect(r.changed).toBe(false);
    r = runTransform(ID, lc({ MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 } }));
    expect(r.ids).toEqual(['hopLimitAboveOne']);
    expect(r.changed).toBe(false);
    // the tokens are still required when the hop limit is the author's
    r = runTransform(ID, instance({ MetadataOptions: { HttpPutResponseHopLimit: '3' } }));
    expect(r.ids).toEqual(['hopLimitAboveOne', 'imdsv1Allowed']);
    expect(r.template.Resources.Vm.Properties.MetadataOptions).toEqual({ HttpPutResponseHopLimit: '3', HttpTokens: 'required' });
  });

  it('reports a named launch configuration it cannot replace', () => {
    const r = runTransform(ID, lc({ LaunchConfigurationName: 'web' }));
    expect(r.ids).toEqual(['imdsv1NotFixable']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.changed).toBe(false);
  });

  it('leaves IMDS turned off, computed values and instances from launch templates alone', () => {
    for (const t of [
      lt({ MetadataOptions: { HttpEndpoint: 'disabled' } }),
      lt({ MetadataOptions: { 'Fn::If': ['C', { HttpTokens: 'required' }, { Ref: 'AWS::NoValue' }] } }),
      lt({ MetadataOptions: { HttpTokens: { Ref: 'Tokens' } } }),
      { Resources: { Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { 'Fn::If': ['C', {}, {}] } } } } },
      instance({ LaunchTemplate: { LaunchTemplateId: 'lt-0123', Version: '1' } }),
      lc({ MetadataOptions: { HttpEndpoint: { Ref: 'Endpoint' } } }),
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
      '        MetadataOptions: # hardened',
      '          HttpPutResponseHopLimit: 1',
      '',
    ].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + '          HttpTokens: required\n');
  });
});
