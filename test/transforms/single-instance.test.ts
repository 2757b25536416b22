import { describe, expect, it } from 'vitest';
import transform from '../../transforms/single-instance.js';
import { applyOperations } from '../../src/engine/patch.js';
import { danglingReferences, deepFreeze } from '../../src/cfn/template.js';
import type { JsonObject, JsonValue, Template } from '../../src/types.js';

const run = (t: JsonObject) => transform.check({ template: deepFreeze(t) as unknown as Template, options: {}, region: undefined, filePath: undefined, format: 'json' });
const base = (group: JsonObject = {}, extra: JsonObject = {}): JsonObject => ({
  Resources: {
    Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: 't3.micro' } } },
    Group: {
      Type: 'AWS::AutoScaling::AutoScalingGroup',
      Properties: { MinSize: 1, MaxSize: 2, VPCZoneIdentifier: ['subnet-a', 'subnet-b'], LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: '$Latest' }, ...group },
    },
    ...extra,
  },
});

describe('single-instance', () => {
  it('removes a DependsOn that only named a removed scaling policy, and leaves nothing dangling', () => {
    const t = base({}, {
      Up: { Type: 'AWS::AutoScaling::ScalingPolicy', Properties: { AutoScalingGroupName: { Ref: 'Group' }, ScalingAdjustment: 1, AdjustmentType: 'ChangeInCapacity' } },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', DependsOn: ['Up'], Properties: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', AlarmActions: [{ 'Fn::GetAtt': ['Up', 'Arn'] }], OKActions: [{ Ref: 'Topic' }] } },
      Topic: { Type: 'AWS::SNS::Topic' },
    });
    const [finding] = run(t);
    const after = applyOperations(t as JsonValue, finding!.fix!.ops) as JsonObject;
    const resources = after['Resources'] as Record<string, JsonObject>;
    expect(Object.keys(resources).sort()).toEqual(['Alarm', 'EC2Instance', 'Lt', 'Topic']);
    expect(resources['Alarm']).toEqual({ Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', OKActions: [{ Ref: 'Topic' }] } });
    expect(resources['EC2Instance']!['Properties']).toEqual({ LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: '$Latest' }, SubnetId: 'subnet-a' });
    expect(danglingReferences(deepFreeze(after) as unknown as Template)).toEqual([]);
  });

  it('does not copy a DependsOn on a target group that will list the instance', () => {
    const t = base({ TargetGroupARNs: [{ Ref: 'Tg' }] }, { Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', VpcId: 'vpc-1' } } });
    (t['Resources'] as Record<string, JsonObject>)['Group']!['DependsOn'] = 'Tg';
    const after = applyOperations(t as JsonValue, run(t)[0]!.fix!.ops) as JsonObject;
    const resources = after['Resources'] as Record<string, JsonObject>;
    expect(resources['EC2Instance']!['DependsOn']).toBeUndefined();
    expect((resources['Tg']!['Properties'] as JsonObject)['Targets']).toEqual([{ Id: { Ref: 'EC2Instance' }, Port: 80 }]);
  });

  it('ignores groups that are real fleets or sized by parameters', () => {
    expect(run(base({ MinSize: 3 }))).toEqual([]);
    expect(run(base({ MinSize: 1, DesiredCapacity: 4 }))).toEqual([]);
    expect(run(base({ MinSize: { Ref: 'Min' } }))).toEqual([]);
    expect(run(base({ MinSize: 0 }))).toEqual([]);
  });

  it('reports without a fix when something it cannot rewrite uses the group', () => {
    const t = base({}, { Out: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: { 'Fn::Sub': '${Group}' } } } });
    const [finding] = run(t);
    expect(finding!.fix).toBeUndefined();
    expect(finding!.message).toContain('a Fn::Sub in resource Out references Group');
  });
});
