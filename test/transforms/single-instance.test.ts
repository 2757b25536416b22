import { describe, expect, it } from 'vitest';
import { danglingReferences, deepFreeze } from '../../src/cfn/template.js';
import type { Template } from '../../src/types.js';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'single-instance';
const run = (t: object) => runTransform(ID, t);
const base = (group: object = {}, extra: object = {}, lt: object = { LaunchTemplateId: { Ref: 'Lt' }, Version: '$Latest' }) => ({
  Resources: {
    Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: 't3.micro' } } },
    Group: {
      Type: 'AWS::AutoScaling::AutoScalingGroup',
      Properties: { MinSize: 1, MaxSize: 2, VPCZoneIdentifier: ['subnet-a', 'subnet-b'], LaunchTemplate: lt, ...group },
    },
    ...extra,
  },
});

describe('single-instance', () => {
  it('removes a DependsOn that only named a removed scaling policy, and leaves nothing dangling', () => {
    const r = run(
      base(
        {},
        {
          Up: { Type: 'AWS::AutoScaling::ScalingPolicy', Properties: { AutoScalingGroupName: { Ref: 'Group' }, ScalingAdjustment: 1, AdjustmentType: 'ChangeInCapacity' } },
          Alarm: {
            Type: 'AWS::CloudWatch::Alarm',
            DependsOn: ['Up'],
            Properties: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', AlarmActions: [{ 'Fn::GetAtt': ['Up', 'Arn'] }], OKActions: [{ Ref: 'Topic' }] },
          },
          Topic: { Type: 'AWS::SNS::Topic' },
        },
      ),
    );
    expect(r.ids).toEqual(['groupCouldBeInstance']);
    const resources = r.template.Resources;
    expect(Object.keys(resources).sort()).toEqual(['Alarm', 'EC2Instance', 'Lt', 'Topic']);
    expect(resources.Alarm).toEqual({ Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', OKActions: [{ Ref: 'Topic' }] } });
    expect(resources.EC2Instance.Properties).toEqual({ LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: '$Latest' }, SubnetId: 'subnet-a' });
    expect(danglingReferences(deepFreeze(r.template) as Template)).toEqual([]);
    expectIdempotent(ID, r);
  });

  it('does not copy a DependsOn on a target group that will list the instance', () => {
    const t = base({ TargetGroupARNs: [{ Ref: 'Tg' }] }, { Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', VpcId: 'vpc-1' } } });
    const r = run({ Resources: { ...t.Resources, Group: { ...t.Resources.Group, DependsOn: 'Tg' } } });
    expect(r.template.Resources.EC2Instance.DependsOn).toBeUndefined();
    expect(r.template.Resources.Tg.Properties.Targets).toEqual([{ Id: { Ref: 'EC2Instance' }, Port: 80 }]);
  });

  it('appends to the Targets a target group already has, by private IP for ip targets', () => {
    const r = run(
      base(
        { TargetGroupARNs: [{ Ref: 'Tg' }] },
        { Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { TargetType: 'ip', Protocol: 'HTTP', VpcId: 'vpc-1', Targets: [{ Id: '10.0.0.5' }] } } },
      ),
    );
    expect(r.template.Resources.Tg.Properties.Targets).toEqual([{ Id: '10.0.0.5' }, { Id: { 'Fn::GetAtt': ['EC2Instance', 'PrivateIp'] } }]);
  });

  it('finds its launch template through GetAtt as well as Ref', () => {
    for (const lt of [
      { LaunchTemplateId: { 'Fn::GetAtt': ['Lt', 'LaunchTemplateId'] }, Version: '1' },
      { LaunchTemplateName: { 'Fn::GetAtt': ['Lt', 'LaunchTemplateName'] }, Version: '1' },
    ]) {
      const r = run(base({}, {}, lt));
      expect(r.ids).toEqual(['groupCouldBeInstance']);
      expect(r.template.Resources.EC2Instance.Properties.LaunchTemplate).toEqual(lt);
    }
  });

  it('takes the first subnet of a subnet-list parameter', () => {
    const r = run({ Parameters: { Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' } }, ...base({ VPCZoneIdentifier: { Ref: 'Subnets' } }) });
    expect(r.template.Resources.EC2Instance.Properties.SubnetId).toEqual({ 'Fn::Select': [0, { Ref: 'Subnets' }] });
  });

  it('ignores groups that are real fleets or sized by parameters', () => {
    for (const group of [{ MinSize: 3 }, { MinSize: 1, DesiredCapacity: 4 }, { MinSize: { Ref: 'AWS::NoValue' } }, { MinSize: 0 }]) {
      const r = run(base(group));
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('reports without a fix when something it cannot rewrite uses the group', () => {
    const r = run(base({}, { Out: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: { 'Fn::Sub': '${Group}' } } } }));
    expect(r.ids).toEqual(['groupNotRewritten']);
    expect(r.changed).toBe(false);
    expect(r.findings[0]!.message).toContain('a Fn::Sub in resource Out references Group');
  });

  it('reports without a fix a launch template that is not in the template', () => {
    const r = run(base({}, {}, { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' }));
    expect(r.ids).toEqual(['groupNotRewritten']);
    expect(r.changed).toBe(false);
  });
});
