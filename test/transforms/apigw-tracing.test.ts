import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

describe('apigw-tracing', () => {
  it('turns tracing on for stages and deployment stages, keeping YAML comments', () => {
    const yaml = ['Resources:', '  S:', '    Type: AWS::ApiGateway::Stage', '    Properties:', '      RestApiId: abc # shared', '      DeploymentId: def', ''].join('\n');
    const r = runTransform('apigw-tracing', yaml, { format: 'yaml' });
    expect(r.ids).toEqual(['noTracing']);
    expect(r.output).toBe(yaml + '      TracingEnabled: true\n');
    expectIdempotent('apigw-tracing', r);
    const d = runTransform('apigw-tracing', { Resources: { D: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: 'abc', StageName: 'prod' } } } });
    expect(d.template.Resources.D.Properties.StageDescription).toEqual({ TracingEnabled: true });
  });

  it('reports explicit false and leaves computed values and deployments without a stage alone', () => {
    const r = runTransform('apigw-tracing', {
      Resources: {
        Off: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: 'a', DeploymentId: 'b', TracingEnabled: false } },
        If: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: 'a', DeploymentId: 'b', TracingEnabled: { 'Fn::If': ['C', true, false] } } },
        Computed: { Type: 'AWS::ApiGateway::Stage', Properties: { 'Fn::If': ['C', {}, {}] } },
        NoStage: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: 'a' } },
        OddDescription: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: 'a', StageName: 's', StageDescription: { 'Fn::If': ['C', {}, {}] } } },
      },
    });
    expect(r.ids).toEqual(['tracingOff', 'tracingOff']);
    expect(r.changed).toBe(false);
  });
});
