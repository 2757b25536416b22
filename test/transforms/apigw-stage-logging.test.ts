import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const api = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'a' } };
const deployment = { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'Api' } } };
const stage = (extra: Record<string, unknown> = {}) => ({ Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, DeploymentId: { Ref: 'Dep' }, ...extra } });
const account = { Type: 'AWS::ApiGateway::Account', Properties: { CloudWatchRoleArn: 'arn:aws:iam::123456789012:role/apigw' } };

describe('apigw-stage-logging', () => {
  it('appends a wildcard method setting; unsafe without the account setting in the template', () => {
    const r = runTransform('apigw-stage-logging', { Resources: { Api: api, Dep: deployment, S: stage({ MethodSettings: [{ HttpMethod: 'GET', ResourcePath: '/x', MetricsEnabled: true }] }) } });
    expect(r.ids).toEqual(['noExecutionLogging']);
    expect(r.findings[0]!.safety).toBe('unsafe');
    expect(r.template.Resources.S.Properties.MethodSettings).toEqual([
      { HttpMethod: 'GET', ResourcePath: '/x', MetricsEnabled: true },
      { ResourcePath: '/*', HttpMethod: '*', LoggingLevel: 'ERROR' },
    ]);
    expect(r.template.Resources.S.DependsOn).toBeUndefined();
    expectIdempotent('apigw-stage-logging', r);
    const safeOnly = runTransform('apigw-stage-logging', { Resources: { Api: api, Dep: deployment, S: stage() } }, { unsafe: false });
    expect(safeOnly.changed).toBe(false);
  });

  it('is safe and waits for the account setting the template declares', () => {
    const r = runTransform('apigw-stage-logging', { Resources: { Api: api, Dep: deployment, Account: account, S: stage() } }, { unsafe: false });
    expect(r.findings[0]!.safety).toBe('safe');
    expect(r.template.Resources.S.DependsOn).toBe('Account');
    expect(r.template.Resources.S.Properties.MethodSettings).toEqual([{ ResourcePath: '/*', HttpMethod: '*', LoggingLevel: 'ERROR' }]);
  });

  it('adds one retained account role and setting for all stages with accountRole, at the level asked', () => {
    const r = runTransform('apigw-stage-logging', { Resources: { Api: api, Dep: deployment, A: stage(), B: stage() } }, { options: { accountRole: true, level: 'INFO' } });
    expect(r.ids).toEqual(['noExecutionLogging', 'noExecutionLogging']);
    const types = Object.values(r.template.Resources).map((x: any) => x.Type);
    expect(types.filter((t) => t === 'AWS::ApiGateway::Account')).toHaveLength(1);
    expect(r.template.Resources.ApiGatewayAccount.DeletionPolicy).toBe('Retain');
    expect(r.template.Resources.ApiGatewayCloudWatchRole.DeletionPolicy).toBe('Retain');
    expect(r.template.Resources.A.DependsOn).toBe('ApiGatewayAccount');
    expect(r.template.Resources.B.DependsOn).toBe('ApiGatewayAccount');
    expect(r.template.Resources.B.Properties.MethodSettings[0].LoggingLevel).toBe('INFO');
    expectIdempotent('apigw-stage-logging', r);
  });

  it('reports logging turned off and leaves computed settings alone', () => {
    const r = runTransform('apigw-stage-logging', {
      Resources: {
        Api: api,
        Dep: deployment,
        Off: stage({ MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'OFF' }] }),
        If: stage({ MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: { 'Fn::If': ['C', 'INFO', 'OFF'] } }] }),
        List: stage({ MethodSettings: { 'Fn::If': ['C', [], []] } }),
        On: stage({ MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'INFO' }] }),
      },
    });
    expect(r.ids).toEqual(['loggingOff']);
    expect(r.changed).toBe(false);
  });

  it('gives an HTTP API stage an access log group (safe) and a WebSocket one the WebSocket format (unsafe)', () => {
    const r = runTransform(
      'apigw-stage-logging',
      {
        Resources: {
          Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'h', ProtocolType: 'HTTP' } },
          Ws: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'w', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' } },
          HS: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Http' }, StageName: 'v1' } },
          WS: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Ws' }, StageName: 'v1' } },
        },
      },
      { unsafe: false },
    );
    expect(r.ids).toEqual(['noAccessLogging', 'noAccessLogging']);
    expect(r.findings.map((f) => f.safety)).toEqual(['safe', 'unsafe']);
    expect(r.template.Resources.HS.Properties.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': ['HSAccessLogs', 'Arn'] });
    expect(r.template.Resources.HSAccessLogs.Properties).toEqual({ RetentionInDays: { Ref: 'LogRetentionInDays' }, KmsKeyId: { 'Fn::GetAtt': ['LogGroupKey', 'Arn'] } });
    expect(r.template.Resources.WS.Properties.AccessLogSettings).toBeUndefined();
    const all = runTransform('apigw-stage-logging', r.output);
    expect(all.template.Resources.WS.Properties.AccessLogSettings.Format).toContain('$context.connectionId');
  });

  it('keeps YAML comments', () => {
    const yaml = ['Resources:', '  S:', '    Type: AWS::ApiGateway::Stage', '    Properties:', '      RestApiId: abc # shared api', '      DeploymentId: def', ''].join('\n');
    const r = runTransform('apigw-stage-logging', yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + "      MethodSettings:\n        - ResourcePath: /*\n          HttpMethod: '*'\n          LoggingLevel: ERROR\n");
  });
});
