import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'ec2-detailed-monitoring';
const instance = (props: Record<string, unknown>) => ({ Resources: { Web: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-0abcdef1234567890', ...props } } } });
const launchTemplate = (data: unknown) => ({ Resources: { Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: data } } } });

describe(ID, () => {
  it('turns detailed monitoring on for instances and launch templates', () => {
    const r = runTransform(ID, { Resources: { ...instance({}).Resources, ...launchTemplate({ InstanceType: 't3.micro' }).Resources } });
    expect(r.ids).toEqual(['monitoringOff', 'monitoringOff']);
    expect(r.template.Resources.Web.Properties.Monitoring).toBe(true);
    expect(r.template.Resources.Lt.Properties.LaunchTemplateData).toEqual({ InstanceType: 't3.micro', Monitoring: { Enabled: true } });
    expect(r.findings.every((f) => f.fix === 'applied')).toBe(true);
    expectIdempotent(ID, r);
  });

  it('turns the text "true" into the boolean, and fills an empty Monitoring block', () => {
    const r = runTransform(ID, { Resources: { ...instance({ Monitoring: 'true' }).Resources, ...launchTemplate({ Monitoring: {} }).Resources } });
    expect(r.ids).toEqual(['monitoringText', 'monitoringOff']);
    expect(r.template.Resources.Web.Properties.Monitoring).toBe(true);
    expect(r.template.Resources.Lt.Properties.LaunchTemplateData.Monitoring).toEqual({ Enabled: true });
    expectIdempotent(ID, r);
  });

  it('reports an explicit false and leaves it', () => {
    for (const t of [instance({ Monitoring: false }), launchTemplate({ Monitoring: { Enabled: 'false' } })]) {
      const r = runTransform(ID, t);
      expect(r.ids).toEqual(['monitoringDisabled']);
      expect(r.findings[0]!.fix).toBe('none');
      expect(r.changed).toBe(false);
    }
  });

  it('leaves computed values, computed launch template data and monitored resources alone', () => {
    for (const t of [
      instance({ Monitoring: { 'Fn::If': ['C', true, false] } }),
      instance({ Monitoring: { Ref: 'Monitoring' } }),
      instance({ Monitoring: true }),
      launchTemplate({ 'Fn::If': ['C', {}, {}] }),
      launchTemplate({ Monitoring: { 'Fn::If': ['C', { Enabled: true }, { Ref: 'AWS::NoValue' }] } }),
      launchTemplate({ Monitoring: { Enabled: { Ref: 'Flag' } } }),
      launchTemplate({ Monitoring: { Enabled: true } }),
      { Resources: { Web: { Type: 'AWS::EC2::Instance', Properties: { 'Fn::If': ['C', {}, {}] } } } },
    ]) {
      const r = runTransform(ID, t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  Web:', '    Type: AWS::EC2::Instance', '    Properties:', '      ImageId: ami-0abcdef1234567890 # pinned', '      Monitoring: "true"', ''].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml.replace('Monitoring: "true"', 'Monitoring: true'));
  });
});
