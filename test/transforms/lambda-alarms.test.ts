import { describe, expect, it } from 'vitest';
import transform from '../../transforms/lambda-alarms.js';
import logGroup from '../../transforms/lambda-log-group.js';
import apigw from '../../transforms/apigw-alarms.js';
import trailLogs from '../../transforms/cloudtrail-cloudwatch-logs.js';
import dataEvents from '../../transforms/cloudtrail-data-events.js';
import { chooseAlarmTopic, renderText, sameText } from '../../src/cfn/monitoring.js';
import { deepFreeze } from '../../src/cfn/template.js';
import { fixText } from '../../src/engine/fix.js';
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

describe('alarm topics CloudWatch cannot use', () => {
  const root = { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
  const key = (policy: unknown = { Version: '2012-10-17', Statement: [root] }) => ({ Type: 'AWS::KMS::Key', Properties: { KeyPolicy: policy } });
  const topic = (keyId: unknown, props: Record<string, unknown> = {}) => ({
    Type: 'AWS::SNS::Topic',
    Properties: { KmsMasterKeyId: keyId, Subscription: [{ Protocol: 'email', Endpoint: 'ops@example.com' }], ...props },
  });
  const grant = (actions: string[] = ['kms:Decrypt', 'kms:GenerateDataKey*'], sid = 'AllowCloudWatchAlarms') => ({
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: actions,
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
  });
  type Added = { path: string; value: { Type: string; Condition?: string; Properties: Record<string, unknown> } };
  const added = (findings: ReturnType<typeof run>) => findings.flatMap((f) => (f.fix?.ops ?? []) as unknown as Added[]);
  const alarmsOf = (findings: ReturnType<typeof run>) => added(findings).filter((op) => op.value?.Type === 'AWS::CloudWatch::Alarm');
  const notified = (findings: ReturnType<typeof run>) => [...new Set(alarmsOf(findings).map((op) => JSON.stringify(op.value.Properties['AlarmActions'])))];

  it('lets CloudWatch use the customer managed key of the topic it wires alarms to, once', () => {
    const t = {
      Resources: {
        F: fn(),
        G: fn(),
        OpsKey: key(),
        OpsKeyAlias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/ops', TargetKeyId: { Ref: 'OpsKey' } } },
        OpsAlerts: topic({ Ref: 'OpsKeyAlias' }),
      },
    };
    const findings = run(t);
    expect(notified(findings)).toEqual([JSON.stringify([{ Ref: 'OpsAlerts' }])]);
    const grants = findings.filter((f) => f.pointer === '/Resources/OpsKey/Properties/KeyPolicy');
    expect(grants).toHaveLength(1);
    expect(grants[0]!.message).toMatch(/cloudwatch\.amazonaws\.com/);
    expect(grants[0]!.fix?.ops).toEqual([{ op: 'add', path: '/Resources/OpsKey/Properties/KeyPolicy/Statement/-', value: grant() }]);
  });

  it('finds the key behind GetAtt, a key ARN, an alias name and either branch of Fn::If', () => {
    const forms: unknown[] = [
      { 'Fn::GetAtt': ['OpsKey', 'Arn'] },
      { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${OpsKey}' },
      'alias/ops',
      { 'Fn::If': ['Encrypt', { Ref: 'OpsKey' }, { Ref: 'AWS::NoValue' }] },
    ];
    for (const form of forms) {
      const t = {
        Conditions: { Encrypt: { 'Fn::Equals': ['a', 'a'] } },
        Resources: { F: fn(), OpsKey: key(), OpsKeyAlias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/ops', TargetKeyId: { Ref: 'OpsKey' } } }, OpsAlerts: topic(form) },
      };
      const findings = run(t);
      expect(notified(findings), JSON.stringify(form)).toEqual([JSON.stringify([{ Ref: 'OpsAlerts' }])]);
      expect(findings.filter((f) => f.pointer === '/Resources/OpsKey/Properties/KeyPolicy'), JSON.stringify(form)).toHaveLength(1);
    }
  });

  it('leaves a key policy that already lets CloudWatch use the key, and adds only what a partial grant lacks', () => {
    const granted = key({ Statement: [root, { Effect: 'Allow', Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' }] });
    const findings = run({ Resources: { F: fn(), OpsKey: granted, OpsAlerts: topic({ 'Fn::GetAtt': ['OpsKey', 'Arn'] }) } });
    expect(findings.filter((f) => f.pointer.startsWith('/Resources/OpsKey'))).toEqual([]);
    expect(notified(findings)).toEqual([JSON.stringify([{ Ref: 'OpsAlerts' }])]);

    const everyone = (condition?: unknown) => key({ Statement: [root, { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', ...(condition ? { Condition: condition } : {}) }] });
    expect(run({ Resources: { F: fn(), OpsKey: everyone(), OpsAlerts: topic({ Ref: 'OpsKey' }) } }).filter((f) => f.pointer.startsWith('/Resources/OpsKey'))).toEqual([]);
    // A statement for everyone that a condition scopes to other callers does not admit CloudWatch.
    const scoped = run({ Resources: { F: fn(), OpsKey: everyone({ StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } }), OpsAlerts: topic({ Ref: 'OpsKey' }) } });
    expect(scoped.filter((f) => f.pointer === '/Resources/OpsKey/Properties/KeyPolicy')).toHaveLength(1);

    const partial = key({ Statement: [root, { Sid: 'AllowCloudWatchAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' }] });
    const more = run({ Resources: { F: fn(), OpsKey: partial, OpsAlerts: topic({ Ref: 'OpsKey' }) } });
    expect(more.find((f) => f.pointer === '/Resources/OpsKey/Properties/KeyPolicy')?.fix?.ops).toEqual([
      { op: 'add', path: '/Resources/OpsKey/Properties/KeyPolicy/Statement/-', value: grant(['kms:GenerateDataKey*'], 'AllowCloudWatchAlarms2') },
    ]);
  });

  it('never wires alarms to a topic on the AWS managed key alias/aws/sns: a new topic on a customer managed key gets its subscribers', () => {
    const t = {
      Resources: {
        F: fn(),
        OpsAlerts: topic('alias/aws/sns', { DisplayName: 'Ops' }),
        Pager: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'OpsAlerts' }, Protocol: 'sms', Endpoint: '+15555550100' } },
      },
    };
    const findings = run(t);
    expect(notified(findings)).toEqual([JSON.stringify([{ Ref: 'OpsAlertsForAlarms' }])]);
    const report = findings.find((f) => f.pointer === '/Resources/OpsAlerts/Properties/KmsMasterKeyId');
    expect(report?.message).toMatch(/alias\/aws\/sns/);
    expect(report?.fix).toBeUndefined();
    const byPath = new Map(added(findings).map((op) => [op.path, op.value]));
    expect(byPath.get('/Resources/OpsAlertsForAlarms')).toEqual({
      Type: 'AWS::SNS::Topic',
      Properties: {
        DisplayName: 'Ops',
        KmsMasterKeyId: { Ref: 'OpsAlertsForAlarmsKey' },
        Subscription: [
          { Protocol: 'email', Endpoint: 'ops@example.com' },
          { Protocol: 'sms', Endpoint: '+15555550100' },
        ],
      },
    });
    const newKey = byPath.get('/Resources/OpsAlertsForAlarmsKey')!;
    expect(newKey.Type).toBe('AWS::KMS::Key');
    expect(newKey.Properties['EnableKeyRotation']).toBe(true);
    expect((newKey.Properties['KeyPolicy'] as { Statement: unknown[] }).Statement).toContainEqual(grant());
    // The key names nothing but pseudo parameters: it must not depend on the topic or the alarms.
    const names = JSON.stringify(newKey).match(/"Ref":"[^"]+"|\$\{[^}]+\}/g) ?? [];
    expect(names.every((n) => n.includes('AWS::'))).toBe(true);
  });

  it('reports a key tapfix cannot change (outside the template, or a policy that is an expression) and uses a new topic instead', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['parameter', { OpsAlerts: topic({ Ref: 'KeyArn' }) }, /parameter KeyArn/],
      ['imported', { OpsAlerts: topic({ 'Fn::ImportValue': 'shared-key' }) }, /not defined in this template/],
      ['literal', { OpsAlerts: topic('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab') }, /not defined in this template/],
      ['one branch outside', { OpsKey: key(), OpsAlerts: topic({ 'Fn::If': ['Encrypt', { Ref: 'OpsKey' }, { Ref: 'KeyArn' }] }) }, /parameter KeyArn/],
      ['policy expression', { OpsKey: key({ 'Fn::If': ['Encrypt', { Statement: [root] }, { Statement: [root] }] }), OpsAlerts: topic({ Ref: 'OpsKey' }) }, /policy of key OpsKey/],
      ['key opts out', { OpsKey: { ...key(), Metadata: { tapfix: { skip: ['lambda-alarms'] } } }, OpsAlerts: topic({ Ref: 'OpsKey' }) }, /opts out/],
    ];
    for (const [name, resources, reason] of cases) {
      const findings = run({ Parameters: { KeyArn: { Type: 'String' } }, Conditions: { Encrypt: { 'Fn::Equals': ['a', 'a'] } }, Resources: { F: fn(), ...resources } });
      expect(notified(findings), name).toEqual([JSON.stringify([{ Ref: 'OpsAlertsForAlarms' }])]);
      const report = findings.find((f) => f.pointer.startsWith('/Resources/OpsAlerts/') || f.pointer.startsWith('/Resources/OpsKey/'));
      expect(report?.message, name).toMatch(reason);
      expect(report?.fix, name).toBeUndefined();
      expect(added(findings).some((op) => op.path.startsWith('/Resources/OpsKey/')), name).toBe(false);
    }
  });

  it('keeps the topic condition on the new topic and its key', () => {
    const findings = run({ Conditions: { Alerts: { 'Fn::Equals': ['a', 'a'] } }, Resources: { F: fn(), OpsAlerts: { ...topic('alias/aws/sns'), Condition: 'Alerts' } } });
    expect(notified(findings)).toEqual([JSON.stringify({ 'Fn::If': ['Alerts', [{ Ref: 'OpsAlertsForAlarms' }], { Ref: 'AWS::NoValue' }] })]);
    const conditions = added(findings).filter((op) => op.value.Type !== 'AWS::CloudWatch::Alarm').map((op) => op.value.Condition);
    expect(conditions).toEqual(['Alerts', 'Alerts']);
  });

  it('settles in one run with both alarm transforms: one grant, one new topic, existing alarms still point where they did', () => {
    const existing = { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/SQS', MetricName: 'x', AlarmActions: [{ Ref: 'Notices' }] } };
    const api = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'shop' } };
    const texts = [
      { Resources: { F: fn(), Api: api, Old: existing, Notices: topic('alias/aws/sns') } },
      { Resources: { F: fn(), Api: api, Old: existing, NoticesKey: key(), Notices: topic({ Ref: 'NoticesKey' }) } },
    ].map((t) => JSON.stringify(t, null, 2));
    for (const text of texts) {
      const first = fixText(text, { transforms: [apigw, transform], filePath: 't.json' });
      expect(first.errors).toEqual([]);
      const after = first.after as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
      const statements = Object.values(after.Resources).flatMap((r) => ((r.Properties['KeyPolicy'] as { Statement?: unknown[] })?.Statement ?? []));
      expect(statements.filter((s) => JSON.stringify(s).includes('cloudwatch.amazonaws.com'))).toHaveLength(1);
      expect(Object.values(after.Resources).filter((r) => r.Type === 'AWS::SNS::Topic').length).toBe(text.includes('alias/aws/sns') ? 2 : 1);
      expect(after.Resources['Old']!.Properties['AlarmActions']).toEqual([{ Ref: 'Notices' }]);
      const second = fixText(first.output, { transforms: [apigw, transform], filePath: 't.json' });
      expect(second.operations).toEqual([]);
      expect(second.findings).toEqual([]);
    }
  });
});
