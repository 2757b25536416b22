import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'alarm-actions';
const metric = { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Statistic: 'Average', Period: 60, EvaluationPeriods: 1, Threshold: 90, ComparisonOperator: 'GreaterThanThreshold' };
const alarm = (extra: Record<string, unknown> = {}, resource: Record<string, unknown> = {}) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { ...metric, ...extra }, ...resource });

describe('alarm-actions', () => {
  it('adds the shared alarm topic (topic, key, AlarmEmail, HasAlarmEmail) once for every silent alarm', () => {
    const r = runTransform(ID, { Resources: { A: alarm(), B: alarm({ AlarmActions: [] }) } });
    expect(r.ids).toEqual(['newAlarmTopic', 'noAlarmActions', 'noAlarmActions']);
    expect(r.template.Resources.A.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(r.template.Resources.A.Properties.OKActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(r.template.Resources.B.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(r.template.Resources.AlarmTopic.Properties.KmsMasterKeyId).toEqual({ Ref: 'AlarmTopicKey' });
    expect(r.template.Resources.AlarmTopicEmailSubscription.Condition).toBe('HasAlarmEmail');
    expect(r.template.Parameters.AlarmEmail.Default).toBe('');
    expectIdempotent(ID, r);
  });

  it('follows the target the other alarms notify, and the okActions option', () => {
    const r = runTransform(ID, { Parameters: { Ops: { Type: 'String' } }, Resources: { A: alarm({ AlarmActions: [{ Ref: 'Ops' }] }), B: alarm() } }, { options: { okActions: false } });
    expect(r.ids).toEqual(['noAlarmActions']);
    expect(r.template.Resources.B.Properties.AlarmActions).toEqual([{ Ref: 'Ops' }]);
    expect(r.template.Resources.B.Properties.OKActions).toBeUndefined();
    expect(r.template.Resources.AlarmTopic).toBeUndefined();
  });

  it('keeps existing OKActions and uses the alarmTopic option', () => {
    const r = runTransform(ID, { Resources: { Pager: { Type: 'AWS::SNS::Topic' }, A: alarm({ OKActions: ['arn:aws:sns:us-east-1:111111111111:ok'] }) } }, { options: { alarmTopic: 'Pager' } });
    expect(r.template.Resources.A.Properties).toMatchObject({ AlarmActions: [{ Ref: 'Pager' }], OKActions: ['arn:aws:sns:us-east-1:111111111111:ok'] });
  });

  it('names a conditional topic through Fn::If, as the author does', () => {
    const r = runTransform(ID, { Conditions: { Prod: { 'Fn::Equals': ['a', 'b'] } }, Resources: { OpsAlarms: { Type: 'AWS::SNS::Topic', Condition: 'Prod' }, A: alarm() } });
    expect(r.template.Resources.A.Properties.AlarmActions).toEqual({ 'Fn::If': ['Prod', [{ Ref: 'OpsAlarms' }], { Ref: 'AWS::NoValue' }] });
  });

  it('reports ActionsEnabled false and composite children without changing them', () => {
    const r = runTransform(ID, {
      Resources: {
        Off: alarm({ ActionsEnabled: false }),
        OffText: alarm({ ActionsEnabled: 'false', AlarmActions: ['arn:aws:sns:us-east-1:111111111111:ops'] }),
        Child: alarm(),
        Named: alarm({ AlarmName: 'named-child' }),
        Parent: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: { 'Fn::Sub': 'ALARM(${Child}) OR ALARM("named-child")' }, AlarmActions: ['arn:aws:sns:us-east-1:111111111111:ops'] } },
      },
    });
    expect(r.ids).toEqual(['actionsDisabled', 'actionsDisabled', 'compositeChild', 'compositeChild']);
    expect(r.findings.every((f) => f.fix === 'none')).toBe(true);
    expect(r.changed).toBe(false);
  });

  it('matches a composite child by its whole AlarmName, quoted, bare or in an ARN', () => {
    const parent = (rule: string) => ({ Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: rule, AlarmActions: ['arn:aws:sns:us-east-1:111111111111:ops'] } });
    const r = runTransform(ID, {
      Resources: {
        Quoted: alarm({ AlarmName: 'db-cpu' }),
        Bare: alarm({ AlarmName: 'db.mem' }),
        Arn: alarm({ AlarmName: 'db-io' }),
        Longer: alarm({ AlarmName: 'db-cpu-2' }),
        Dotless: alarm({ AlarmName: 'dbxmem' }),
        P1: parent('ALARM("db-cpu") OR ALARM(db.mem)'),
        P2: parent('ALARM(arn:aws:cloudwatch:us-east-1:111111111111:alarm:db-io)'),
        Ops: { Type: 'AWS::SNS::Topic' },
      },
    }, { options: { alarmTopic: 'Ops' } });
    expect(r.findings.map((f) => `${f.messageId} ${f.pointer}`)).toEqual([
      'compositeChild /Resources/Quoted',
      'compositeChild /Resources/Bare',
      'compositeChild /Resources/Arn',
      'noAlarmActions /Resources/Longer',
      'noAlarmActions /Resources/Dotless',
    ]);
  });

  it('reports an invalid alarmTopic option', () => {
    const r = runTransform(ID, { Resources: { A: alarm() } }, { options: { alarmTopic: 'Missing' } });
    expect(r.ids).toEqual(['invalidAlarmTopic']);
    expect(r.changed).toBe(false);
  });

  it('leaves computed actions, computed properties and opted-out alarms alone, adding no topic for them', () => {
    const r = runTransform(ID, {
      Conditions: { P: { 'Fn::Equals': ['a', 'b'] } },
      Resources: {
        A: alarm({ AlarmActions: { 'Fn::If': ['P', ['arn:aws:sns:us-east-1:111111111111:x'], { Ref: 'AWS::NoValue' }] } }),
        B: { Type: 'AWS::CloudWatch::Alarm', Properties: { 'Fn::If': ['P', metric, metric] } },
        C: alarm({}, { Metadata: { tapfix: { skip: [ID] } } }),
        D: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: 'ALARM(x)' } },
      },
    });
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Parameters:', '  Ops: {Type: String}', 'Resources:', '  A:', '    Type: AWS::CloudWatch::Alarm', '    Properties:', '      MetricName: Errors # the one that matters', '      AlarmActions: [!Ref Ops]', '  B:', '    Type: AWS::CloudWatch::Alarm', '    Properties:', '      MetricName: Throttles # too', ''].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + ['      AlarmActions:', '        - !Ref Ops', '      OKActions:', '        - !Ref Ops', ''].join('\n'));
  });
});
