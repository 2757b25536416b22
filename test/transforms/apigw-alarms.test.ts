import { describe, expect, it } from 'vitest';
import transform from '../../transforms/apigw-alarms.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { Template } from '../../src/types.js';

const run = (t: unknown, options: Record<string, unknown> = {}) =>
  transform.check({ template: deepFreeze(t) as Template, options: { ...transform.meta.defaultOptions, ...options } as never, region: undefined, filePath: undefined, format: 'json' });
const root = { Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
const restApi = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'shop' } };
const httpApi = { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'shop', ProtocolType: 'HTTP' } };
const alarmActions = (findings: ReturnType<typeof run>) =>
  findings.flatMap((f) => f.fix?.ops ?? []).flatMap((op) => (op.op === 'add' && (op.value as { Type?: string }).Type === 'AWS::CloudWatch::Alarm' ? [(op.value as { Properties: { AlarmActions?: unknown } }).Properties.AlarmActions] : []));

describe('apigw-alarms: alarm topics CloudWatch cannot use', () => {
  it('lets CloudWatch use the key of the topic its alarms notify, for REST and HTTP APIs', () => {
    for (const [api, options] of [[restApi, {}], [httpApi, {}], [restApi, { httpApis: false }]] as const) {
      const findings = run({ Resources: { Api: api, OpsKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [root] } } }, OpsAlerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['OpsKey', 'Arn'] } } } } }, options);
      expect(alarmActions(findings)).toEqual([[{ Ref: 'OpsAlerts' }], [{ Ref: 'OpsAlerts' }]]);
      const grant = findings.find((f) => f.pointer === '/Resources/OpsKey/Properties/KeyPolicy');
      expect(grant?.fix?.ops).toMatchObject([{ op: 'add', path: '/Resources/OpsKey/Properties/KeyPolicy/Statement/-', value: { Principal: { Service: 'cloudwatch.amazonaws.com' } } }]);
    }
  });

  it('notifies a new topic on a customer managed key instead of a topic on alias/aws/sns', () => {
    const findings = run({ Resources: { Api: restApi, OpsAlerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } } } });
    expect(alarmActions(findings)).toEqual([[{ Ref: 'OpsAlertsForAlarms' }], [{ Ref: 'OpsAlertsForAlarms' }]]);
    expect(findings.find((f) => f.pointer === '/Resources/OpsAlerts/Properties/KmsMasterKeyId')?.message).toMatch(/AWS managed key alias\/aws\/sns/);
    expect(findings.find((f) => f.pointer === '/Resources')?.message).toMatch(/OpsAlerts has no email or SMS subscription to copy/);
  });

  it('says nothing about the topic when it adds no alarm', () => {
    const covered = (metric: string) => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'AWS/ApiGateway', MetricName: metric, Dimensions: [{ Name: 'ApiName', Value: 'shop' }], AlarmActions: [{ Ref: 'OpsAlerts' }] } });
    const t = { Resources: { Api: restApi, A: covered('4XXError'), B: covered('5XXError'), OpsAlerts: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } } } };
    expect(run(t)).toEqual([]);
  });
});
