import { describe, expect, it } from 'vitest';
import type { Template } from '../src/types.js';
import { deepFreeze } from '../src/cfn/template.js';
import { loadBalancerAccessLogs, loadBalancerLogBuckets } from '../src/cfn/elb-logs.js';
import { accessLogTargets, functionOfLogGroupName, logDestinations, logGroupsByKey, trailDestinations } from '../src/cfn/logs.js';

const t = (resources: Record<string, unknown>): Template => deepFreeze({ Resources: resources }) as unknown as Template;

describe('logDestinations', () => {
  const template = t({
    Source: { Type: 'AWS::S3::Bucket', Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: 'AccessLogs' } } } },
    SelfLogging: { Type: 'AWS::S3::Bucket', Properties: { LoggingConfiguration: {} } },
    AccessLogs: { Type: 'AWS::S3::Bucket' },
    LbLogs: { Type: 'AWS::S3::Bucket', Properties: { AccessControl: 'LogDeliveryWrite' } },
    AclOnly: { Type: 'AWS::S3::Bucket', Properties: { AccessControl: 'LogDeliveryWrite' } },
    Flow: { Type: 'AWS::S3::Bucket' },
    Cdn: { Type: 'AWS::S3::Bucket' },
    Vended: { Type: 'AWS::S3::Bucket' },
    Nlb: {
      Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      Properties: { Type: 'network', LoadBalancerAttributes: [{ Key: 'access_logs.s3.bucket', Value: { 'Fn::Join': ['', [{ Ref: 'LbLogs' }]] } }] },
    },
    FlowLog: { Type: 'AWS::EC2::FlowLog', Properties: { LogDestinationType: 's3', LogDestination: { 'Fn::GetAtt': ['Flow', 'Arn'] } } },
    Distribution: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Logging: { Bucket: { 'Fn::GetAtt': ['Cdn', 'DomainName'] } } } } },
    VendedPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: { Bucket: { Ref: 'Vended' }, PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'delivery.logs.amazonaws.com' }, Action: 's3:PutObject' }] } },
    },
  });

  it('marks each bucket with the services that deliver logs to it', () => {
    const kinds = Object.fromEntries([...logDestinations(template)].map(([bucket, set]) => [bucket, [...set].sort()]));
    expect(kinds).toEqual({
      AccessLogs: ['access-logs'],
      LbLogs: ['load-balancer-logs'],
      AclOnly: ['access-logs'],
      Flow: ['vended-logs'],
      Cdn: ['cloudfront-logs'],
      Vended: ['vended-logs'],
    });
  });

  it('maps server access logging to its target bucket (itself without a destination)', () => {
    expect([...accessLogTargets(template)]).toEqual([
      ['Source', 'AccessLogs'],
      ['SelfLogging', 'SelfLogging'],
    ]);
  });
});

describe('load-balancer logs', () => {
  const template = t({
    Logs: { Type: 'AWS::S3::Bucket' },
    Off: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { LoadBalancerAttributes: [{ Key: 'access_logs.s3.bucket', Value: { Ref: 'Logs' } }] } },
    On: {
      Type: 'AWS::ElasticLoadBalancing::LoadBalancer',
      Properties: { AccessLoggingPolicy: { Enabled: true, S3BucketName: { 'Fn::Sub': '${Logs}' } } },
    },
  });

  it('loadBalancerLogBuckets names every bucket a log attribute names; loadBalancerAccessLogs only enabled access logs', () => {
    expect(loadBalancerLogBuckets(template)).toEqual(['Logs', 'Logs']);
    expect(loadBalancerAccessLogs(template).map((a) => [a.id, a.bucketId])).toEqual([['On', 'Logs']]);
  });
});

describe('trails, log groups and functions', () => {
  const template = t({
    TrailBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'trail-bucket' } },
    Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: 'trail-bucket' } },
    OtherTrail: { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: '${TrailBucket}' } },
    Key: { Type: 'AWS::KMS::Key' },
    Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/logs', TargetKeyId: { Ref: 'Key' } } },
    Group: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/logs' } } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { 'Fn::Sub': 'app-${AWS::StackName}' } } },
  });

  it('finds trails by bucket name, never by a plain "${X}" string', () => {
    expect([...trailDestinations(template)]).toEqual([['TrailBucket', ['Trail']]]);
  });

  it('finds log groups by key, through aliases', () => {
    expect([...logGroupsByKey(template)]).toEqual([['Key', ['Group']]]);
  });

  it('finds the function a log group name belongs to', () => {
    expect(functionOfLogGroupName(template, { 'Fn::Sub': '/aws/lambda/${Fn}' })).toBe('Fn');
    expect(functionOfLogGroupName(template, { 'Fn::Join': ['', ['/aws/lambda/app-', { Ref: 'AWS::StackName' }]] })).toBe('Fn');
    expect(functionOfLogGroupName(template, '/aws/lambda/other')).toBeUndefined();
  });
});
