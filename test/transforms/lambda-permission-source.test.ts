import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const fn = { Type: 'AWS::Lambda::Function', Properties: { Handler: 'i.h', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' } } };
const permission = (principal: unknown, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Fn' }, Principal: principal, ...extra },
});
const rule = (target: unknown = { 'Fn::GetAtt': ['Fn', 'Arn'] }) => ({ Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Id: 't', Arn: target }] } });

describe('lambda-permission-source', () => {
  it('names the one EventBridge rule that targets the function', () => {
    const r = runTransform('lambda-permission-source', { Resources: { Fn: fn, Rule: rule(), P: permission('events.amazonaws.com') } });
    expect(r.ids).toEqual(['noSource']);
    expect(r.template.Resources.P.Properties.SourceArn).toEqual({ 'Fn::GetAtt': ['Rule', 'Arn'] });
    expectIdempotent('lambda-permission-source', r);
  });

  it('reports events permissions whose rule is ambiguous, conditional or depends on the permission', () => {
    for (const resources of [
      { Fn: fn, A: rule(), B: rule({ Ref: 'Fn' }), P: permission('events.amazonaws.com') },
      { Fn: fn, A: { ...rule(), Condition: 'Prod' }, P: permission('events.amazonaws.com') },
      { Fn: fn, A: { ...rule(), DependsOn: 'P' }, P: permission('events.amazonaws.com') },
      { Fn: fn, P: permission('events.amazonaws.com') },
    ]) {
      const r = runTransform('lambda-permission-source', { Conditions: { Prod: { 'Fn::Equals': ['a', 'a'] } }, Resources: resources });
      expect(r.ids).toEqual(['sourceUnknown']);
      expect(r.changed).toBe(false);
    }
  });

  it('names the one SNS topic the function subscribes to, through a subscription resource', () => {
    const r = runTransform('lambda-permission-source', {
      Resources: {
        Fn: fn,
        Topic: { Type: 'AWS::SNS::Topic' },
        Sub: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'lambda', TopicArn: { Ref: 'Topic' }, Endpoint: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
        P: permission('sns.amazonaws.com'),
      },
    });
    expect(r.ids).toEqual(['noSource']);
    expect(r.template.Resources.P.Properties.SourceArn).toEqual({ Ref: 'Topic' });
  });

  it('leaves SNS alone when the topic comes from elsewhere', () => {
    const r = runTransform('lambda-permission-source', {
      Parameters: { TopicArn: { Type: 'String' } },
      Resources: {
        Fn: fn,
        Sub: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'lambda', TopicArn: { Ref: 'TopicArn' }, Endpoint: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
        P: permission('sns.amazonaws.com'),
      },
    });
    expect(r.ids).toEqual(['sourceUnknown']);
    expect(r.changed).toBe(false);
  });

  it('scopes API Gateway to the one API that invokes the function, and reports it otherwise', () => {
    const integration = (api: unknown) => ({
      Type: 'AWS::ApiGatewayV2::Integration',
      Properties: { ApiId: api, IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': ['Fn', 'Arn'] }, PayloadFormatVersion: '2.0' },
    });
    const http = { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'a', ProtocolType: 'HTTP' } };
    const one = runTransform('lambda-permission-source', { Resources: { Fn: fn, Api: http, Other: http, I: integration({ Ref: 'Api' }), P: permission('apigateway.amazonaws.com') } });
    expect(one.ids).toEqual(['noSource']);
    expect(one.template.Resources.P.Properties.SourceArn).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*' });
    for (const resources of [
      { Fn: fn, Api: http, P: permission('apigateway.amazonaws.com') },
      { Fn: fn, Api: http, Other: http, I: integration({ Ref: 'Api' }), J: integration({ Ref: 'Other' }), P: permission('apigateway.amazonaws.com') },
      { Fn: fn, Api: http, I: integration({ Ref: 'Api' }), J: integration({ 'Fn::ImportValue': 'shared-api' }), P: permission('apigateway.amazonaws.com') },
    ]) {
      const r = runTransform('lambda-permission-source', { Resources: resources });
      expect(r.ids).toEqual(['sourceUnknown']);
      expect(r.changed).toBe(false);
    }
  });

  it('adds SourceAccount for S3 and for a bucket ARN of the template, not for a foreign bucket', () => {
    const r = runTransform('lambda-permission-source', {
      Resources: {
        Fn: fn,
        B: { Type: 'AWS::S3::Bucket' },
        Plain: permission('s3.amazonaws.com'),
        Local: permission('s3.amazonaws.com', { SourceArn: { 'Fn::GetAtt': ['B', 'Arn'] } }),
        Foreign: permission('s3.amazonaws.com', { SourceArn: 'arn:aws:s3:::partner-bucket' }),
      },
    });
    expect(r.ids).toEqual(['noSource', 's3WithoutSourceAccount']);
    expect(r.template.Resources.Plain.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    expect(r.template.Resources.Local.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    expect(r.template.Resources.Foreign.Properties.SourceAccount).toBeUndefined();
    expectIdempotent('lambda-permission-source', r);
  });

  it('reports a public principal and leaves accounts, computed and scoped permissions alone', () => {
    const r = runTransform('lambda-permission-source', {
      Resources: {
        Fn: fn,
        Public: permission('*'),
        Org: permission('*', { PrincipalOrgID: 'o-abc123' }),
        Account: permission('123456789012'),
        Role: permission('arn:aws:iam::123456789012:role/caller'),
        Computed: permission({ 'Fn::If': ['C', 's3.amazonaws.com', 'sns.amazonaws.com'] }),
        Props: { Type: 'AWS::Lambda::Permission', Properties: { 'Fn::If': ['C', {}, {}] } },
        Scoped: permission('logs.amazonaws.com', { SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:x:*' } }),
      },
    });
    expect(r.ids).toEqual(['publicPrincipal']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.changed).toBe(false);
  });

  it('keeps YAML layout and comments', () => {
    const yaml = [
      'Resources:',
      '  Invoke:',
      '    Type: AWS::Lambda::Permission',
      '    Properties:',
      '      Action: lambda:InvokeFunction',
      '      FunctionName: my-rotation # shared rotation function',
      '      Principal: secretsmanager.amazonaws.com',
      '',
    ].join('\n');
    const r = runTransform('lambda-permission-source', yaml, { format: 'yaml' });
    // No short-form tag in the file, so the writer uses the long form.
    expect(r.output).toBe(yaml + '      SourceAccount:\n        Ref: AWS::AccountId\n');
  });
});
