import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform, type RunResult } from '../harness.js';

const run = (resources: Record<string, unknown>, options?: Record<string, unknown>) => runTransform('apigw-alarms', { Resources: resources }, options ? { options } : {});
const root = { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
const restApi = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'shop' } };
const httpApi = { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'shop', ProtocolType: 'HTTP' } };
type Resource = { Type: string; Properties: Record<string, any> };
const newAlarms = (r: RunResult): Record<string, Resource> => {
  const before = (r.result.before as { Resources: Record<string, unknown> }).Resources;
  return Object.fromEntries(Object.entries(r.template.Resources as Record<string, Resource>).filter(([id, x]) => !(id in before) && x.Type === 'AWS::CloudWatch::Alarm'));
};
const alarmActions = (r: RunResult) => Object.values(newAlarms(r)).map((a) => a.Properties['AlarmActions']);

describe('apigw-alarms', () => {
  it('adds a 4XX rate and a 5XX count alarm on the API name and its only stage', () => {
    const stage = { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'prod' } };
    const r = run({ Api: restApi, Prod: stage });
    expect(r.ids).toEqual(['newAlarmTopic', 'missingAlarms']);
    expect(alarmActions(r)).toEqual([[{ Ref: 'AlarmTopic' }], [{ Ref: 'AlarmTopic' }]]);
    const alarms = newAlarms(r);
    expect(Object.keys(alarms)).toEqual(['Api4XXErrorAlarm', 'Api5XXErrorAlarm']);
    const dimensions = [{ Name: 'ApiName', Value: 'shop' }, { Name: 'Stage', Value: 'prod' }];
    expect(alarms['Api4XXErrorAlarm']!.Properties).toMatchObject({ MetricName: '4XXError', Statistic: 'Average', Threshold: 0.05, EvaluationPeriods: 3, Dimensions: dimensions });
    expect(alarms['Api5XXErrorAlarm']!.Properties).toMatchObject({ MetricName: '5XXError', Statistic: 'Sum', Threshold: 5, Dimensions: dimensions });
    expectIdempotent('apigw-alarms', r);
  });

  it('watches the API as a whole when it has several stages, and reads the name of an OpenAPI body', () => {
    const stage = (name: string) => ({ Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: name } });
    const api = { Type: 'AWS::ApiGateway::RestApi', Properties: { Body: { openapi: '3.0.1', info: { title: 'orders' } } } };
    const r = run({ Api: api, A: stage('a'), B: stage('b') });
    expect(Object.values(newAlarms(r)).map((a) => a.Properties['Dimensions'])).toEqual([[{ Name: 'ApiName', Value: 'orders' }], [{ Name: 'ApiName', Value: 'orders' }]]);
  });

  it('reports an API whose name it cannot read', () => {
    const r = run({ Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { BodyS3Location: { Bucket: 'b', Key: 'k' } } } });
    expect(r.ids).toEqual(['unknownApiName']);
    expect(r.changed).toBe(false);
  });

  it('corrects an existing alarm whose ApiName is the API id, and adds only the missing alarm', () => {
    const existing = { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: [{ Name: 'ApiName', Value: { Ref: 'Api' } }] } };
    const r = run({ Api: restApi, Old: existing, OpsAlerts: { Type: 'AWS::SNS::Topic' } });
    expect(r.ids).toEqual(['apiNameIsId', 'missingAlarms']);
    expect(r.template.Resources.Old.Properties.Dimensions).toEqual([{ Name: 'ApiName', Value: 'shop' }]);
    expect(Object.keys(newAlarms(r))).toEqual(['Api4XXErrorAlarm']);
  });

  it('computes the 4xx rate of an HTTP API with metric math, on its ApiId', () => {
    const r = run({ Api: httpApi });
    const alarms = newAlarms(r);
    expect(Object.keys(alarms)).toEqual(['Api4xxAlarm', 'Api5xxAlarm']);
    expect(alarms['Api4xxAlarm']!.Properties['Metrics'].map((m: { Id: string }) => m.Id)).toEqual(['errors', 'requests', 'rate']);
    expect(alarms['Api5xxAlarm']!.Properties['Dimensions']).toEqual([{ Name: 'ApiId', Value: { Ref: 'Api' } }]);
    const quick = run({ Api: { ...httpApi, Properties: { ...httpApi.Properties, Target: 'arn:aws:lambda:us-east-1:111122223333:function:f' } } });
    expect(newAlarms(quick)['Api5xxAlarm']!.Properties['Dimensions']).toEqual([{ Name: 'ApiId', Value: { Ref: 'Api' } }, { Name: 'Stage', Value: '$default' }]);
    expect(run({ Api: httpApi }, { httpApis: false }).findings).toEqual([]);
  });

  it('reports and adds nothing when alarmTopic is invalid', () => {
    const r = run({ Api: restApi }, { alarmTopic: 'Missing' });
    expect(r.ids).toEqual(['invalidAlarmTopic']);
    expect(r.changed).toBe(false);
  });
});

describe('apigw-alarms: alarm topics CloudWatch cannot use', () => {
  it('lets CloudWatch use the key of the topic its alarms notify, for REST and HTTP APIs', () => {
    for (const [api, options] of [[restApi, undefined], [httpApi, undefined], [restApi, { httpApis: false }]] as const) {
      const r = run(
        { Api: api, OpsKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [root] } } }, OpsAlerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['OpsKey', 'Arn'] } } } },
        options,
      );
      expect(alarmActions(r)).toEqual([[{ Ref: 'OpsAlerts' }], [{ Ref: 'OpsAlerts' }]]);
      expect(r.ids[0]).toBe('keyPolicyLacksCloudWatch');
      expect(r.template.Resources.OpsKey.Properties.KeyPolicy.Statement[1]).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' } });
    }
  });

  it('notifies a new topic on a customer managed key instead of a topic on alias/aws/sns', () => {
    const r = run({ Api: restApi, OpsAlerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } } });
    expect(alarmActions(r)).toEqual([[{ Ref: 'OpsAlertsForAlarms' }], [{ Ref: 'OpsAlertsForAlarms' }]]);
    expect(r.ids).toEqual(['topicUnusableByCloudWatch', 'standInTopic', 'missingAlarms']);
    expect(r.findings[0]!.message).toMatch(/AWS managed key alias\/aws\/sns/);
    expect(r.findings[1]!.message).toMatch(/OpsAlerts has no email or SMS subscription to copy/);
  });

  it('says nothing about the topic when it adds no alarm', () => {
    const covered = (metric: string) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/ApiGateway', MetricName: metric, Dimensions: [{ Name: 'ApiName', Value: 'shop' }], AlarmActions: [{ Ref: 'OpsAlerts' }] } });
    const r = run({ Api: restApi, A: covered('4XXError'), B: covered('5XXError'), OpsAlerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } } });
    expect(r.findings).toEqual([]);
  });
});
