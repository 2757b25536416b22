import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const trail = (props: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::CloudTrail::Trail',
  ...extra,
  Properties: { S3BucketName: 'audit-logs-111122223333', IsLogging: true, ...props },
});
const run = (resources: Record<string, unknown>, rest: Record<string, unknown> = {}) => runTransform('cloudtrail-cloudwatch-logs', { ...rest, Resources: resources });
const streams = (group: string, stream: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${group}}:log-stream:${stream}`,
});

describe('cloudtrail-cloudwatch-logs', () => {
  it('adds a log group and a role limited to the trail streams, and wires the trail to both', () => {
    const r = run({ Trail: trail() });
    expect(r.ids).toEqual(['notSentToLogs']);
    const { Resources: resources, Parameters: parameters } = r.template;
    expect(parameters.LogRetentionInDays).toMatchObject({ Type: 'Number', Default: 365 });
    expect(resources.TrailLogGroup).toEqual({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: { Ref: 'LogRetentionInDays' }, KmsKeyId: { 'Fn::GetAtt': ['LogGroupKey', 'Arn'] } },
    });
    expect(resources.LogGroupKey.Properties.KeyPolicy.Statement[1].Principal).toEqual({ Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } });
    const role = resources.TrailCloudWatchLogsRole.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [streams('TrailLogGroup', '${AWS::AccountId}_CloudTrail_${AWS::Region}*')] },
    ]);
    expect(resources.Trail.Properties.CloudWatchLogsLogGroupArn).toEqual({ 'Fn::GetAtt': ['TrailLogGroup', 'Arn'] });
    expect(resources.Trail.Properties.CloudWatchLogsRoleArn).toEqual({ 'Fn::GetAtt': ['TrailCloudWatchLogsRole', 'Arn'] });
    expectIdempotent('cloudtrail-cloudwatch-logs', r);
  });

  it('lets an organization trail write the member account streams, and passes the trail condition on', () => {
    const r = run({ Trail: trail({ IsOrganizationTrail: true }, { Condition: 'Main' }) }, { Conditions: { Main: { 'Fn::Equals': ['a', 'a'] } } });
    const resources = r.template.Resources;
    expect(resources.TrailCloudWatchLogsRole.Properties.Policies[0].PolicyDocument.Statement[0].Resource).toEqual([
      streams('TrailLogGroup', '${AWS::AccountId}_CloudTrail_${AWS::Region}*'),
      streams('TrailLogGroup', 'o-*'),
    ]);
    expect([resources.TrailLogGroup.Condition, resources.TrailCloudWatchLogsRole.Condition]).toEqual(['Main', 'Main']);
    const plain = run({ Trail: trail({ IsOrganizationTrail: 'false' }) });
    expect(plain.template.Resources.TrailCloudWatchLogsRole.Properties.Policies[0].PolicyDocument.Statement[0].Resource).toHaveLength(1);
  });

  it('uses the log group declared for the trail and never wired, as the author wrote it', () => {
    const group = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/cloudtrail/production', RetentionInDays: 365 } };
    const r = run({ Trail: trail(), CloudTrailLogGroup: group, AppLogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 14 } } });
    expect(r.findings[0]!.message).toMatch(/uses log group CloudTrailLogGroup/);
    expect(r.template.Resources.CloudTrailLogGroup).toEqual(group);
    expect(r.template.Resources.Trail.Properties.CloudWatchLogsLogGroupArn).toEqual({ 'Fn::GetAtt': ['CloudTrailLogGroup', 'Arn'] });
    expect(r.template.Parameters).toBeUndefined();
  });

  it('adds a new group when the declared one is named after the trail (the trail naming it would be a cycle)', () => {
    const group = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Sub': '/aws/cloudtrail/${Trail}' } } };
    const r = run({ Trail: trail(), TrailGroup: group });
    expect(r.template.Resources.Trail.Properties.CloudWatchLogsLogGroupArn).toEqual({ 'Fn::GetAtt': ['TrailLogGroup', 'Arn'] });
  });

  it('takes the retention from the retentionInDays option', () => {
    const r = runTransform('cloudtrail-cloudwatch-logs', { Resources: { Trail: trail() } }, { options: { retentionInDays: 3653 } });
    expect(r.template.Parameters.LogRetentionInDays.Default).toBe(3653);
  });

  it('reports a trail that sets only one of the two properties', () => {
    const withGroup = run({ Trail: trail({ CloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111122223333:log-group:x:*' }) });
    expect(withGroup.ids).toEqual(['noRole']);
    expect(withGroup.findings[0]!.pointer).toBe('/Resources/Trail/Properties/CloudWatchLogsLogGroupArn');
    expect(withGroup.changed).toBe(false);
    const withRole = run({ Trail: trail({ CloudWatchLogsRoleArn: 'arn:aws:iam::111122223333:role/x' }) });
    expect(withRole.ids).toEqual(['noLogGroup']);
    expect(withRole.changed).toBe(false);
  });

  it('reports without fixing when LogRetentionInDays is a resource id, and leaves computed trails alone', () => {
    const taken = run({ Trail: trail(), LogRetentionInDays: { Type: 'AWS::SQS::Queue' } });
    expect(taken.ids).toEqual(['retentionParameterTaken']);
    expect(taken.changed).toBe(false);
    expect(run({ Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { 'Fn::If': ['C', {}, {}] } } }).findings).toEqual([]);
  });

  it('gives each trail its own group and role, and adds the parameter once', () => {
    const r = run({ A: trail(), B: trail() });
    expect(r.ids).toEqual(['notSentToLogs', 'notSentToLogs']);
    expect(Object.keys(r.template.Resources)).toEqual(['A', 'B', 'LogGroupKey', 'ALogGroup', 'ACloudWatchLogsRole', 'BLogGroup', 'BCloudWatchLogsRole']);
    expect(r.result.operations.filter((o) => o.path.startsWith('/Parameters'))).toHaveLength(1);
  });
});
