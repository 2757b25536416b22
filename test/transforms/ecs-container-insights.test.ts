import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

describe('ecs-container-insights', () => {
  it('appends the setting to existing cluster settings, keeping YAML comments', () => {
    const yaml = ['Resources:', '  C:', '    Type: AWS::ECS::Cluster', '    Properties:', '      ClusterSettings: # more to come', '        - Name: other', '          Value: x', ''].join('\n');
    const r = runTransform('ecs-container-insights', yaml, { format: 'yaml' });
    expect(r.ids).toEqual(['noContainerInsights']);
    expect(r.template.Resources.C.Properties.ClusterSettings).toEqual([{ Name: 'other', Value: 'x' }, { Name: 'containerInsights', Value: 'enabled' }]);
    expect(r.output.startsWith(yaml.slice(0, -1))).toBe(true);
    expectIdempotent('ecs-container-insights', r);
  });

  it('creates Properties for a bare cluster', () => {
    const r = runTransform('ecs-container-insights', { Resources: { C: { Type: 'AWS::ECS::Cluster' } } });
    expect(r.template.Resources.C.Properties).toEqual({ ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  it('reports disabled, keeps enhanced and leaves computed settings alone', () => {
    const r = runTransform('ecs-container-insights', {
      Resources: {
        Off: { Type: 'AWS::ECS::Cluster', Properties: { ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }] } },
        Enhanced: { Type: 'AWS::ECS::Cluster', Properties: { ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }] } },
        If: { Type: 'AWS::ECS::Cluster', Properties: { ClusterSettings: [{ 'Fn::If': ['C', { Name: 'containerInsights', Value: 'enabled' }, { Ref: 'AWS::NoValue' }] }] } },
        List: { Type: 'AWS::ECS::Cluster', Properties: { ClusterSettings: { 'Fn::If': ['C', [], []] } } },
        Computed: { Type: 'AWS::ECS::Cluster', Properties: { 'Fn::If': ['C', {}, {}] } },
      },
    });
    expect(r.ids).toEqual(['containerInsightsOff']);
    expect(r.changed).toBe(false);
  });
});
