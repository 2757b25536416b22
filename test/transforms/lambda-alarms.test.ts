import { describe, expect, it } from 'vitest';
import transform from '../../transforms/lambda-alarms.js';
import logGroup from '../../transforms/lambda-log-group.js';
import apigw from '../../transforms/apigw-alarms.js';
import trailLogs from '../../transforms/cloudtrail-cloudwatch-logs.js';
import dataEvents from '../../transforms/cloudtrail-data-events.js';
import { chooseAlarmTopic, renderText, sameText } from '../../src/cfn/monitoring.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { Template, Transform } from '../../src/types.js';

const run = (t: unknown, options: Record<string, unknown> = {}) =>
  transform.check({ template: deepFreeze(t) as Template, options: { ...transform.meta.defaultOptions, ...options } as never, region: undefined, filePath: undefined, format: 'json' });
const fn = (props: Record<string, unknown> = {}) => ({ Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'a.b', Role: 'r', Code: { ZipFile: 'x' }, ...props } });
const template = (resources: Record<string, unknown>, rest: Record<string, unknown> = {}) => deepFreeze({ Resources: resources, ...rest }) as Template;

describe('monitoring helpers', () => {
  it('renders the forms people write for one string alike', () => {
    expect(renderText({ 'Fn::Sub': '/aws/lambda/${ Fn }' })).toBe('/aws/lambda/${Fn}');
    expect(renderText({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'Fn' }]] })).toBe('/aws/lambda/${Fn}');
    expect(renderText({ 'Fn::Sub': ['svc-${S}', { S: { Ref: 'Stage' } }] })).toBe('svc-${Stage}');
    expect(renderText({ 'Fn::GetAtt': ['B', 'Arn'] })).toBe('${B.Arn}');
    expect(renderText('literal ${x}')).toBe('literal ${!x}');
    expect(renderText({ 'Fn::If': ['C', 'a', 'b'] })).toBeUndefined();
    expect(sameText({ 'Fn::Sub': 'shop-${Env}' }, { 'Fn::Join': ['-', ['shop', { Ref: 'Env' }]] })).toBe(true);
    expect(sameText('a', undefined)).toBe(false);
  });

  it('chooses the alarm topic: option, then what existing alarms notify, then a topic named for alarms', () => {
    const topics = { OpsAlerts: { Type: 'AWS::SNS::Topic' }, Other: { Type: 'AWS::SNS::Topic' } };
    expect(chooseAlarmTopic(template(topics), 'Other')).toMatchObject({ kind: 'topic', auto: false, topic: { actions: [{ Ref: 'Other' }] } });
    expect(chooseAlarmTopic(template(topics), undefined)).toMatchObject({ kind: 'topic', auto: 'name', topic: { actions: [{ Ref: 'OpsAlerts' }] } });
    const alarm = { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'Other' }, 'arn:aws:automate:us-east-1:ec2:recover'] } };
    expect(chooseAlarmTopic(template({ ...topics, A: alarm }), undefined)).toMatchObject({ kind: 'topic', auto: 'alarms', topic: { actions: [{ Ref: 'Other' }] } });
    expect(chooseAlarmTopic(template(topics), 'arn:aws:sns:us-east-1:111122223333:ops')).toMatchObject({ kind: 'topic', topic: { actions: ['arn:aws:sns:us-east-1:111122223333:ops'] } });
    expect(chooseAlarmTopic(template(topics), { 'Fn::ImportValue': 'x' })).toMatchObject({ kind: 'topic' });
    expect(chooseAlarmTopic(template(topics), 'Missing')).toMatchObject({ kind: 'invalid' });
    expect(chooseAlarmTopic(template(topics), { 'Fn::Sub': '${Missing}' })).toMatchObject({ kind: 'invalid' });
  });

  it('never guesses a topic that application code publishes to or consumes', () => {
    const published = template({ AlertTopic: { Type: 'AWS::SNS::Topic' }, F: fn({ Environment: { Variables: { T: { Ref: 'AlertTopic' } } } }) });
    expect(chooseAlarmTopic(published, undefined)).toEqual({ kind: 'none' });
    const consumed = template({
      AlertTopic: { Type: 'AWS::SNS::Topic' },
      Sub: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'sqs', Endpoint: 'arn' } },
    });
    expect(chooseAlarmTopic(consumed, undefined)).toEqual({ kind: 'none' });
    const emailed = template({ AlertTopic: { Type: 'AWS::SNS::Topic', Properties: { Subscription: [{ Protocol: 'email', Endpoint: 'ops@example.com' }] } } });
    expect(chooseAlarmTopic(emailed, undefined)).toMatchObject({ kind: 'topic', auto: 'name' });
    expect(chooseAlarmTopic(template({ OrderNotifications: { Type: 'AWS::SNS::Topic' } }), undefined)).toEqual({ kind: 'none' });
  });
});

describe('lambda-alarms', () => {
  it('derives the duration threshold from the timeout', () => {
    const threshold = (props: Record<string, unknown>, rest: Record<string, unknown> = {}) => {
      const f = run({ Resources: { F: fn(props) }, ...rest }).find((x) => x.message.includes('Duration'))!;
      const op = f.fix?.ops[0];
      return op && op.op === 'add' ? (op.value as { Properties: { Threshold: unknown } }).Properties.Threshold : f.message;
    };
    expect(threshold({ Timeout: 30 })).toBe(24000);
    expect(threshold({})).toBe(2400);
    expect(threshold({ Timeout: '10' })).toBe(8000);
    expect(threshold({ Timeout: { Ref: 'T' } }, { Parameters: { T: { Type: 'Number', Default: 60 } } })).toBe(48000);
    expect(threshold({ Timeout: { 'Fn::If': ['C', 300, 30] } })).toEqual({ 'Fn::If': ['C', 240000, 24000] });
    expect(threshold({ Timeout: { 'Fn::FindInMap': ['M', 'a', 'b'] } })).toMatch(/not fixed/);
    expect(threshold({ Timeout: { Ref: 'T' } }, { Parameters: { T: { Type: 'Number' } } })).toMatch(/no usable Default/);
  });

  it('does not duplicate alarms written with the function name instead of Ref', () => {
    const existing = (metric: string) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: { 'Fn::Sub': '${AWS::StackName}-f' } }] },
    });
    expect(run({ Resources: { F: fn({ FunctionName: { 'Fn::Sub': '${AWS::StackName}-f' } }), E: existing('Errors'), D: existing('Duration') } })).toEqual([]);
  });

  it('skips custom resource providers and copies the function condition', () => {
    expect(run({ Resources: { P: fn(), C: { Type: 'Custom::Seed', Properties: { ServiceToken: { 'Fn::GetAtt': ['P', 'Arn'] } } } } })).toEqual([]);
    const f = run({ Conditions: { On: {} }, Resources: { F: { ...fn(), Condition: 'On' } } });
    expect(f.map((x) => (x.fix!.ops[0] as { value: { Condition?: string } }).value.Condition)).toEqual(['On', 'On']);
  });

  it('adds nothing when alarmTopic is invalid, so that fixing the option later wires every alarm', () => {
    const f = run({ Resources: { F: fn(), Q: { Type: 'AWS::SQS::Queue' } } }, { alarmTopic: 'Q' });
    expect(f.every((x) => !x.fix)).toBe(true);
    expect(f[0]!.message).toMatch(/not fixed: alarmTopic "Q" has type AWS::SQS::Queue/);
  });
});

describe('monitoring transforms on messy templates', () => {
  it('never throw on odd shapes', () => {
    const transforms = [logGroup, transform, apigw, trailLogs, dataEvents] as Transform[];
    const odd: unknown[] = [null, 'x', 1, [], [1], { 'Fn::If': ['C', 1, 2] }, { Ref: 'P' }];
    const templates: unknown[] = [];
    for (const v of odd) {
      templates.push({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: v, Timeout: v, LoggingConfig: v }, DependsOn: v } } });
      templates.push({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: v } } });
      templates.push({ Resources: { A: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: v, Body: v } }, S: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: v, StageName: v } } } });
      templates.push({ Resources: { A: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP', Target: v } }, S: { Type: 'AWS::ApiGatewayV2::Stage', Properties: v } } });
      templates.push({ Resources: { T: { Type: 'AWS::CloudTrail::Trail', Properties: { EventSelectors: v, AdvancedEventSelectors: v, IsOrganizationTrail: v } } } });
      templates.push({ Resources: { T: { Type: 'AWS::CloudTrail::Trail', Properties: { EventSelectors: [v, { DataResources: v }, { DataResources: [v, { Type: 'AWS::S3::Object', Values: v }] }], AdvancedEventSelectors: [v, { FieldSelectors: v }, { FieldSelectors: [v, { Field: 'eventCategory', Equals: v }] }] } } } });
      templates.push({ Resources: { Al: { Type: 'AWS::CloudWatch::Alarm', Properties: { Dimensions: v, Metrics: v, AlarmActions: v } }, Tp: { Type: 'AWS::SNS::Topic', Properties: { TopicName: v, Subscription: v } }, F: { Type: 'AWS::Lambda::Function', Properties: {} } } });
      templates.push({ Resources: { X: v, Y: { Type: v, Properties: v } }, Parameters: v });
    }
    for (const t of templates) {
      for (const transform of transforms) {
        for (const options of [{}, { alarmTopic: 'Tp' }, { keepFor: ['F'] }, { alarmTopic: { 'Fn::ImportValue': 'x' } }]) {
          expect(() =>
            transform.check({ template: deepFreeze(JSON.parse(JSON.stringify(t))) as Template, options: { ...transform.meta.defaultOptions, ...options }, region: undefined, filePath: undefined, format: 'json' }),
          ).not.toThrow();
        }
      }
    }
  });
});
