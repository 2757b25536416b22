import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform, type RunResult } from '../harness.js';

const fn = (props: Record<string, unknown> = {}) => ({ Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'a.b', Role: 'r', Code: { ZipFile: 'x' }, ...props } });
const run = (resources: Record<string, unknown>, rest: Record<string, unknown> = {}, options?: Record<string, unknown>) =>
  runTransform('lambda-alarms', { ...rest, Resources: resources }, options ? { options } : {});

type Resource = { Type: string; Condition?: string; Properties: Record<string, any> };
/** The resources the run added, by logical id. */
const added = (r: RunResult): Record<string, Resource> => {
  const before = (r.result.before as { Resources: Record<string, unknown> }).Resources;
  return Object.fromEntries(Object.entries(r.template.Resources as Record<string, Resource>).filter(([id]) => !(id in before)));
};
const newAlarms = (r: RunResult) => Object.values(added(r)).filter((x) => x.Type === 'AWS::CloudWatch::Alarm');
/** What the new alarms notify, once per distinct value. */
const notified = (r: RunResult) => [...new Set(newAlarms(r).map((a) => JSON.stringify(a.Properties['AlarmActions'])))];

describe('lambda-alarms: who hears the alarm', () => {
  const topics = { OpsAlerts: { Type: 'AWS::SNS::Topic' }, Other: { Type: 'AWS::SNS::Topic' } };

  it('takes the alarmTopic option, then what existing alarms notify, then the one topic named for alarms', () => {
    expect(notified(run({ F: fn(), ...topics }, {}, { alarmTopic: 'Other' }))).toEqual([JSON.stringify([{ Ref: 'Other' }])]);
    expect(notified(run({ F: fn(), ...topics }))).toEqual([JSON.stringify([{ Ref: 'OpsAlerts' }])]);
    const alarm = { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/SQS', MetricName: 'x', AlarmActions: [{ Ref: 'Other' }, 'arn:aws:automate:us-east-1:ec2:recover'] } };
    const r = run({ F: fn(), ...topics, A: alarm });
    expect(notified(r)).toEqual([JSON.stringify([{ Ref: 'Other' }])]);
    expect(r.findings[0]!.message).toMatch(/it notifies topic Other \(what the existing alarms notify\)/);
    const arn = 'arn:aws:sns:us-east-1:111122223333:ops';
    expect(notified(run({ F: fn(), ...topics }, {}, { alarmTopic: arn }))).toEqual([JSON.stringify([arn])]);
    expect(notified(run({ F: fn(), ...topics }, {}, { alarmTopic: { 'Fn::ImportValue': 'x' } }))).toEqual([JSON.stringify([{ 'Fn::ImportValue': 'x' }])]);
    expect(notified(run({ F: fn() }, { Parameters: { TopicArn: { Type: 'String' } } }, { alarmTopic: 'TopicArn' }))).toEqual([JSON.stringify([{ Ref: 'TopicArn' }])]);
  });

  it('adds nothing when alarmTopic is invalid, so that fixing the option later wires every alarm', () => {
    for (const alarmTopic of ['Missing', 'Q', { 'Fn::Sub': '${Missing}' }, 7]) {
      const r = run({ F: fn(), Q: { Type: 'AWS::SQS::Queue' } }, {}, { alarmTopic });
      expect(r.ids, JSON.stringify(alarmTopic)).toEqual(['invalidAlarmTopic', 'invalidAlarmTopic']);
      expect(r.changed).toBe(false);
    }
    expect(run({ F: fn(), Q: { Type: 'AWS::SQS::Queue' } }, {}, { alarmTopic: 'Q' }).findings[0]!.message).toMatch(/not fixed: alarmTopic "Q" has type AWS::SQS::Queue/);
  });

  it('never guesses a topic that application code publishes to or consumes: the alarms get a topic of their own', () => {
    const own = JSON.stringify([{ Ref: 'AlarmTopic' }]);
    expect(notified(run({ AlertTopic: { Type: 'AWS::SNS::Topic' }, F: fn({ Environment: { Variables: { T: { Ref: 'AlertTopic' } } } }) }))).toEqual([own]);
    const consumed = { AlertTopic: { Type: 'AWS::SNS::Topic' }, Sub: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'sqs', Endpoint: 'arn' } } };
    expect(notified(run({ F: fn(), ...consumed }))).toEqual([own]);
    const emailed = { AlertTopic: { Type: 'AWS::SNS::Topic', Properties: { Subscription: [{ Protocol: 'email', Endpoint: 'ops@example.com' }] } } };
    expect(notified(run({ F: fn(), ...emailed }))).toEqual([JSON.stringify([{ Ref: 'AlertTopic' }])]);
    expect(notified(run({ F: fn(), OrderNotifications: { Type: 'AWS::SNS::Topic' } }))).toEqual([own]);
  });

  it('adds one encrypted topic for the alarms when the template has none, with an email subscription behind a parameter', () => {
    const r = run({ F: fn() });
    expect(r.ids).toEqual(['newAlarmTopic', 'noErrorsAlarm', 'noDurationAlarm']);
    expect(r.findings[1]!.message).toMatch(/it notifies topic AlarmTopic, added for them$/);
    expect(notified(r)).toEqual([JSON.stringify([{ Ref: 'AlarmTopic' }])]);
    expect(newAlarms(r).map((a) => a.Properties['OKActions'])).toEqual([[{ Ref: 'AlarmTopic' }], [{ Ref: 'AlarmTopic' }]]);
    const resources = added(r);
    expect(Object.keys(resources)).toEqual(['AlarmTopicKey', 'AlarmTopic', 'AlarmTopicEmailSubscription', 'FErrorsAlarm', 'FDurationAlarm']);
    expect(resources['AlarmTopic']).toEqual({ Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'AlarmTopicKey' } } });
    expect(resources['AlarmTopicEmailSubscription']).toEqual({
      Type: 'AWS::SNS::Subscription',
      Condition: 'HasAlarmEmail',
      Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
    });
    expect(r.template.Parameters.AlarmEmail).toMatchObject({ Type: 'String', Default: '' });
    expect(new RegExp(r.template.Parameters.AlarmEmail.AllowedPattern).test('')).toBe(true);
    expect(new RegExp(r.template.Parameters.AlarmEmail.AllowedPattern).test('ops@example.com')).toBe(true);
    expect(new RegExp(r.template.Parameters.AlarmEmail.AllowedPattern).test('not an address')).toBe(false);
    expect(r.template.Conditions).toEqual({ HasAlarmEmail: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }] } });
    const key = resources['AlarmTopicKey']!.Properties;
    expect(key['EnableKeyRotation']).toBe(true);
    expect(key['KeyPolicy'].Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['EnableIAMPolicies', 'AllowCloudWatchAlarms', 'DenyGrantsExceptForAwsResources']);
    expectIdempotent('lambda-alarms', r);
  });

  it('shares the topic it adds with apigw-alarms, whichever runs first, and finds it again among other targets', () => {
    const api = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'shop' } };
    const r = runTransform('lambda-alarms', { Resources: { F: fn(), Api: api } }, { with: ['apigw-alarms'] });
    const topics = Object.entries(r.template.Resources as Record<string, Resource>).filter(([, x]) => x.Type === 'AWS::SNS::Topic');
    expect(topics.map(([id]) => id)).toEqual(['AlarmTopic']);
    expect(notified(r)).toEqual([JSON.stringify([{ Ref: 'AlarmTopic' }])]);
    expect(r.result.findings.filter((f) => f.messageId === 'newAlarmTopic').map((f) => f.transform)).toEqual(['apigw-alarms']);

    // Alarms of the author that notify two topics named for alarms leave the choice open; the
    // added topic is found by its subscription to the AlarmEmail address.
    const alarm = (topic: string) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/SQS', MetricName: topic, AlarmActions: [{ Ref: topic }] } });
    const routed = { F: fn(), CriticalAlerts: { Type: 'AWS::SNS::Topic' }, WarningAlerts: { Type: 'AWS::SNS::Topic' }, A: alarm('CriticalAlerts'), B: alarm('WarningAlerts') };
    const first = run(routed);
    expect(notified(first)).toEqual([JSON.stringify([{ Ref: 'AlarmTopic' }])]);
    const more = runTransform('lambda-alarms', JSON.stringify({ ...first.template, Resources: { ...first.template.Resources, G: fn() } }));
    expect(notified(more)).toEqual([JSON.stringify([{ Ref: 'AlarmTopic' }])]);
    expect(more.ids).toEqual(['noErrorsAlarm', 'noDurationAlarm']);
  });

  it('adds alarms without actions, and says so, only when it cannot add the parameter of the topic', () => {
    const r = run({ F: fn(), AlarmEmail: { Type: 'AWS::SQS::Queue' } });
    expect(notified(r)).toEqual([JSON.stringify(undefined)]);
    expect(r.findings[0]!.message).toMatch(/nobody is notified until you set the alarmTopic option/);
  });
});

describe('lambda-alarms', () => {
  it('adds an errors and a duration alarm on the function, and settles', () => {
    const r = run({ F: fn({ Timeout: 30 }), OpsAlerts: { Type: 'AWS::SNS::Topic' } });
    expect(r.ids).toEqual(['noErrorsAlarm', 'noDurationAlarm']);
    const alarms = added(r);
    expect(Object.keys(alarms)).toEqual(['FErrorsAlarm', 'FDurationAlarm']);
    expect(alarms['FErrorsAlarm']!.Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'F' } }], Statistic: 'Sum', Threshold: 5, TreatMissingData: 'notBreaching' });
    expectIdempotent('lambda-alarms', r);
  });

  it('derives the duration threshold from the timeout', () => {
    const threshold = (props: Record<string, unknown>, rest: Record<string, unknown> = {}) => {
      const r = run({ F: fn(props) }, rest);
      const alarm = added(r)['FDurationAlarm'];
      return alarm ? alarm.Properties['Threshold'] : r.findings.find((f) => f.messageId === 'unknownTimeout')!.message;
    };
    expect(threshold({ Timeout: 30 })).toBe(24000);
    expect(threshold({})).toBe(2400);
    expect(threshold({ Timeout: '10' })).toBe(8000);
    expect(threshold({ Timeout: { Ref: 'T' } }, { Parameters: { T: { Type: 'Number', Default: 60 } } })).toBe(48000);
    expect(threshold({ Timeout: { 'Fn::If': ['C', 300, 30] } }, { Conditions: { C: { 'Fn::Equals': ['a', 'b'] } } })).toEqual({ 'Fn::If': ['C', 240000, 24000] });
    expect(threshold({ Timeout: { 'Fn::FindInMap': ['M', 'a', 'b'] } }, { Mappings: { M: { a: { b: 5 } } } })).toMatch(/not fixed/);
    expect(threshold({ Timeout: { Ref: 'T' } }, { Parameters: { T: { Type: 'Number' } } })).toMatch(/no usable Default/);
    expect(run({ F: fn({ Timeout: 10 }) }, {}, { durationPercent: 50 }).template.Resources.FDurationAlarm.Properties.Threshold).toBe(5000);
  });

  it('does not duplicate alarms written with the function name instead of Ref', () => {
    const existing = (metric: string) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: { 'Fn::Sub': '${AWS::StackName}-f' } }] },
    });
    expect(run({ F: fn({ FunctionName: { 'Fn::Sub': '${AWS::StackName}-f' } }), E: existing('Errors'), D: existing('Duration') }).findings).toEqual([]);
  });

  it('skips custom resource providers and copies the function condition', () => {
    expect(run({ P: fn(), C: { Type: 'Custom::Seed', Properties: { ServiceToken: { 'Fn::GetAtt': ['P', 'Arn'] } } } }).findings).toEqual([]);
    const r = run({ F: { ...fn(), Condition: 'On' } }, { Conditions: { On: { 'Fn::Equals': ['a', 'a'] } } });
    expect(newAlarms(r).map((a) => a.Condition)).toEqual(['On', 'On']);
  });

  it('leaves OKActions out when okActions is false', () => {
    const r = run({ F: fn(), OpsAlerts: { Type: 'AWS::SNS::Topic' } }, {}, { okActions: false });
    expect(newAlarms(r).map((a) => [a.Properties['AlarmActions'], a.Properties['OKActions']])).toEqual([
      [[{ Ref: 'OpsAlerts' }], undefined],
      [[{ Ref: 'OpsAlerts' }], undefined],
    ]);
  });
});

describe('monitoring transforms on messy templates', () => {
  it('never throw on odd shapes (fixes the engine refuses on templates that are broken already are fine)', () => {
    const ids = ['lambda-log-group', 'lambda-alarms', 'apigw-alarms', 'cloudtrail-cloudwatch-logs', 'cloudtrail-data-events'];
    const odd: unknown[] = [null, 'x', 1, [], [1], { 'Fn::If': ['C', 1, 2] }, { Ref: 'P' }];
    const templates: unknown[] = [];
    for (const v of odd) {
      templates.push({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: v, Timeout: v, LoggingConfig: v }, DependsOn: v } } });
      templates.push({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: v } } });
      templates.push({ Resources: { A: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: v, Body: v } }, S: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: v, StageName: v } } } });
      templates.push({ Resources: { A: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP', Target: v } }, S: { Type: 'AWS::ApiGatewayV2::Stage', Properties: v } } });
      templates.push({ Resources: { T: { Type: 'AWS::CloudTrail::Trail', Properties: { EventSelectors: v, AdvancedEventSelectors: v, IsOrganizationTrail: v } } } });
      templates.push({ Resources: { T: { Type: 'AWS::CloudTrail::Trail', Properties: { EventSelectors: [v, { DataResources: v }, { DataResources: [v, { Type: 'AWS::S3::Object', Values: v }] }], AdvancedEventSelectors: [v, { FieldSelectors: v }, { FieldSelectors: [v, { Field: 'eventCategory', Equals: v }] }] } } } });
      templates.push({ Resources: { Al: { Type: 'AWS::CloudWatch::Alarm', Properties: { Dimensions: v, Metrics: v, AlarmActions: v } }, Tp: { Type: 'AWS::SNS::Topic', Properties: { TopicName: v, Subscription: v, KmsMasterKeyId: v } }, F: { Type: 'AWS::Lambda::Function', Properties: {} } } });
      templates.push({ Resources: { X: v, Y: { Type: v, Properties: v }, F: { Type: 'AWS::Lambda::Function', Properties: {} } }, Parameters: v });
    }
    for (const t of templates) {
      for (const id of ids) {
        for (const options of [undefined, { alarmTopic: 'Tp' }, { keepFor: ['F'] }, { alarmTopic: { 'Fn::ImportValue': 'x' } }]) {
          expect(() => runTransform(id, t, options ? { options } : {}), `${id} ${JSON.stringify(t)} ${JSON.stringify(options)}`).not.toThrow(/internal error in transform/);
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
  const conditions = { Conditions: { Encrypt: { 'Fn::Equals': ['a', 'a'] } } };
  const grantsOf = (r: RunResult) => r.findings.filter((f) => f.messageId === 'keyPolicyLacksCloudWatch');

  it('lets CloudWatch use the customer managed key of the topic it wires alarms to, once', () => {
    const r = run({
      F: fn(),
      G: fn(),
      OpsKey: key(),
      OpsKeyAlias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/ops', TargetKeyId: { Ref: 'OpsKey' } } },
      OpsAlerts: topic({ Ref: 'OpsKeyAlias' }),
    });
    expect(notified(r)).toEqual([JSON.stringify([{ Ref: 'OpsAlerts' }])]);
    expect(grantsOf(r)).toHaveLength(1);
    expect(grantsOf(r)[0]!.pointer).toBe('/Resources/OpsKey/Properties/KeyPolicy');
    expect(r.template.Resources.OpsKey.Properties.KeyPolicy.Statement).toEqual([root, grant()]);
    expectIdempotent('lambda-alarms', r);
  });

  it('finds the key behind GetAtt, a key ARN, an alias name and either branch of Fn::If', () => {
    const forms: unknown[] = [
      { 'Fn::GetAtt': ['OpsKey', 'Arn'] },
      { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${OpsKey}' },
      'alias/ops',
      { 'Fn::If': ['Encrypt', { Ref: 'OpsKey' }, { Ref: 'AWS::NoValue' }] },
    ];
    for (const form of forms) {
      const r = run(
        { F: fn(), OpsKey: key(), OpsKeyAlias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/ops', TargetKeyId: { Ref: 'OpsKey' } } }, OpsAlerts: topic(form) },
        conditions,
      );
      expect(notified(r), JSON.stringify(form)).toEqual([JSON.stringify([{ Ref: 'OpsAlerts' }])]);
      expect(grantsOf(r), JSON.stringify(form)).toHaveLength(1);
    }
  });

  it('adds the policy a key without one has: the account root statement and the grant', () => {
    const r = run({ F: fn(), OpsKey: { Type: 'AWS::KMS::Key' }, OpsAlerts: topic({ Ref: 'OpsKey' }) });
    expect(r.template.Resources.OpsKey.Properties.KeyPolicy.Statement).toEqual([expect.objectContaining({ Sid: 'EnableIAMPolicies', Action: 'kms:*' }), grant()]);
  });

  it('leaves a key policy that already lets CloudWatch use the key, and adds only what a partial grant lacks', () => {
    const granted = key({ Statement: [root, { Effect: 'Allow', Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' }] });
    const r = run({ F: fn(), OpsKey: granted, OpsAlerts: topic({ 'Fn::GetAtt': ['OpsKey', 'Arn'] }) });
    expect(grantsOf(r)).toEqual([]);
    expect(notified(r)).toEqual([JSON.stringify([{ Ref: 'OpsAlerts' }])]);

    const everyone = (condition?: unknown) => key({ Statement: [root, { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', ...(condition ? { Condition: condition } : {}) }] });
    expect(grantsOf(run({ F: fn(), OpsKey: everyone(), OpsAlerts: topic({ Ref: 'OpsKey' }) }))).toEqual([]);
    // A statement for everyone that a condition scopes to other callers does not admit CloudWatch.
    expect(grantsOf(run({ F: fn(), OpsKey: everyone({ StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } }), OpsAlerts: topic({ Ref: 'OpsKey' }) }))).toHaveLength(1);

    const partial = { Sid: 'AllowCloudWatchAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' };
    const more = run({ F: fn(), OpsKey: key({ Statement: [root, partial] }), OpsAlerts: topic({ Ref: 'OpsKey' }) });
    expect(more.template.Resources.OpsKey.Properties.KeyPolicy.Statement).toEqual([root, partial, grant(['kms:GenerateDataKey*'], 'AllowCloudWatchAlarms2')]);
    // A single Statement object becomes a list of it and the grant.
    const single = run({ F: fn(), OpsKey: key({ Statement: root }), OpsAlerts: topic({ Ref: 'OpsKey' }) });
    expect(single.template.Resources.OpsKey.Properties.KeyPolicy.Statement).toEqual([root, grant()]);
  });

  it('never wires alarms to a topic on the AWS managed key alias/aws/sns: a new topic on a customer managed key gets its subscribers', () => {
    const r = run({
      F: fn(),
      OpsAlerts: topic('alias/aws/sns', { DisplayName: 'Ops' }),
      Pager: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'OpsAlerts' }, Protocol: 'sms', Endpoint: '+15555550100' } },
    });
    expect(notified(r)).toEqual([JSON.stringify([{ Ref: 'OpsAlertsForAlarms' }])]);
    const report = r.findings.find((f) => f.messageId === 'topicUnusableByCloudWatch')!;
    expect(report.pointer).toBe('/Resources/OpsAlerts/Properties/KmsMasterKeyId');
    expect(report.message).toMatch(/alias\/aws\/sns/);
    expect(report.fix).toBe('none');
    const resources = added(r);
    expect(resources['OpsAlertsForAlarms']).toEqual({
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
    const newKey = resources['OpsAlertsForAlarmsKey']!;
    expect(newKey.Type).toBe('AWS::KMS::Key');
    expect(newKey.Properties['EnableKeyRotation']).toBe(true);
    expect(newKey.Properties['KeyPolicy'].Statement).toContainEqual(grant());
    // The key names nothing but pseudo parameters: it must not depend on the topic or the alarms.
    const names = JSON.stringify(newKey).match(/"Ref":"[^"]+"|\$\{[^}]+\}/g) ?? [];
    expect(names.every((n) => n.includes('AWS::'))).toBe(true);
    expect(r.template.Resources.OpsAlerts).toEqual(r.result.before && (r.result.before as any).Resources.OpsAlerts);
    expectIdempotent('lambda-alarms', r);
  });

  it('reports a key tapfix cannot change (outside the template, or a policy that is an expression) and uses a new topic instead', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['parameter', { OpsAlerts: topic({ Ref: 'KeyArn' }) }, /parameter KeyArn/],
      ['imported', { OpsAlerts: topic({ 'Fn::ImportValue': 'shared-key' }) }, /not defined in this template/],
      ['literal', { OpsAlerts: topic('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab') }, /not defined in this template/],
      ['one branch outside', { OpsKey: key(), OpsAlerts: topic({ 'Fn::If': ['Encrypt', { Ref: 'OpsKey' }, { Ref: 'KeyArn' }] }) }, /parameter KeyArn \(when condition Encrypt is false\)/],
      ['policy expression', { OpsKey: key({ 'Fn::If': ['Encrypt', { Statement: [root] }, { Statement: [root] }] }), OpsAlerts: topic({ Ref: 'OpsKey' }) }, /policy of key OpsKey/],
      ['key opts out', { OpsKey: { ...key(), Metadata: { tapfix: { skip: ['lambda-alarms'] } } }, OpsAlerts: topic({ Ref: 'OpsKey' }) }, /opts out/],
    ];
    for (const [name, resources, reason] of cases) {
      const r = run({ F: fn(), ...resources }, { Parameters: { KeyArn: { Type: 'String' } }, ...conditions });
      expect(notified(r), name).toEqual([JSON.stringify([{ Ref: 'OpsAlertsForAlarms' }])]);
      const report = r.findings.find((f) => f.messageId === 'topicUnusableByCloudWatch')!;
      expect(report.message, name).toMatch(reason);
      expect(report.fix, name).toBe('none');
      expect(r.result.operations.some((op) => op.path.startsWith('/Resources/OpsKey/')), name).toBe(false);
    }
  });

  it('keeps the topic condition on the new topic and its key', () => {
    const r = run({ F: fn(), OpsAlerts: { ...topic('alias/aws/sns'), Condition: 'Alerts' } }, { Conditions: { Alerts: { 'Fn::Equals': ['a', 'a'] } } });
    expect(notified(r)).toEqual([JSON.stringify({ 'Fn::If': ['Alerts', [{ Ref: 'OpsAlertsForAlarms' }], { Ref: 'AWS::NoValue' }] })]);
    const resources = added(r);
    expect([resources['OpsAlertsForAlarms']!.Condition, resources['OpsAlertsForAlarmsKey']!.Condition]).toEqual(['Alerts', 'Alerts']);
  });

  it('settles in one run with both alarm transforms: one grant, one new topic, existing alarms still point where they did', () => {
    const existing = { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/SQS', MetricName: 'x', AlarmActions: [{ Ref: 'Notices' }] } };
    const api = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'shop' } };
    for (const [resources, topics] of [
      [{ F: fn(), Api: api, Old: existing, Notices: topic('alias/aws/sns') }, 2],
      [{ F: fn(), Api: api, Old: existing, NoticesKey: key(), Notices: topic({ Ref: 'NoticesKey' }) }, 1],
    ] as const) {
      const r = runTransform('lambda-alarms', { Resources: resources }, { with: ['apigw-alarms'] });
      const after = Object.values(r.template.Resources as Record<string, Resource>);
      const statements = after.flatMap((x) => x.Properties?.['KeyPolicy']?.Statement ?? []);
      expect(statements.filter((s: unknown) => JSON.stringify(s).includes('cloudwatch.amazonaws.com'))).toHaveLength(1);
      expect(after.filter((x) => x.Type === 'AWS::SNS::Topic')).toHaveLength(topics);
      expect(r.template.Resources.Old.Properties.AlarmActions).toEqual([{ Ref: 'Notices' }]);
      const again = runTransform('lambda-alarms', r.output, { with: ['apigw-alarms'] });
      expect(again.result.operations).toEqual([]);
      expect(again.result.findings).toEqual([]);
    }
  });
});
