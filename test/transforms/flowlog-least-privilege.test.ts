import { describe, expect, it } from 'vitest';
import transform from '../../transforms/flowlog-least-privilege.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { JsonObject, JsonValue, Template } from '../../src/types.js';

const run = (t: JsonObject) =>
  transform.check({ template: deepFreeze(t) as unknown as Template, options: {}, region: undefined, filePath: undefined, format: 'json' });

const trust = (service: JsonValue = 'vpc-flow-logs.amazonaws.com'): JsonObject => ({
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});
const role = (props: JsonObject): JsonObject => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust(), ...props } });
const flowLog = (props: JsonObject): JsonObject => ({
  Type: 'AWS::EC2::FlowLog',
  Properties: { ResourceId: 'vpc-1', ResourceType: 'VPC', TrafficType: 'ALL', DeliverLogsPermissionArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, ...props },
});

describe('flowlog-least-privilege', () => {
  it.each([
    'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess',
    'arn:aws-cn:iam::aws:policy/CloudWatchFullAccessV2',
    { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess' },
    { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] },
  ] as JsonValue[])('removes %j', (arn) => {
    const [finding] = run({ Resources: { Role: role({ ManagedPolicyArns: [arn, 'arn:aws:iam::aws:policy/ReadOnlyAccess'] }) } });
    expect(finding!.fix!.ops).toContainEqual({ op: 'remove', path: '/Resources/Role/Properties/ManagedPolicyArns/0' });
  });

  it('keeps a customer managed policy and other AWS policies', () => {
    expect(run({ Resources: { Role: role({ ManagedPolicyArns: ['arn:aws:iam::123456789012:policy/MyFullAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'] }) } })).toEqual([]);
  });

  it('scopes CreateLogGroup to a parameter-named group and the rest to a template group', () => {
    const t: JsonObject = {
      Parameters: { Name: { Type: 'String' } },
      Resources: {
        Role: role({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/CloudWatchLogsFullAccess'] }),
        Group: { Type: 'AWS::Logs::LogGroup' },
        A: flowLog({ LogDestination: { 'Fn::GetAtt': ['Group', 'Arn'] } }),
        B: flowLog({ LogGroupName: { Ref: 'Name' } }),
      },
    };
    const add = run(t)[0]!.fix!.ops.find((o) => o.op === 'add');
    const statements = ((add as { value: JsonValue[] }).value[0] as JsonObject)['PolicyDocument'] as JsonObject;
    expect(statements['Statement']).toEqual([
      {
        Sid: 'DeliverFlowLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Group}' },
          { 'Fn::GetAtt': ['Group', 'Arn'] },
          { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}:*' },
        ],
      },
      {
        Sid: 'CreateFlowLogGroup',
        Effect: 'Allow',
        Action: 'logs:CreateLogGroup',
        Resource: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}:*' },
        ],
      },
      {
        Sid: 'DescribeLogGroups',
        Effect: 'Allow',
        Action: 'logs:DescribeLogGroups',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*' },
      },
    ]);
  });

  it('only removes the managed policy when an inline policy already grants delivery', () => {
    const t: JsonObject = {
      Resources: {
        Role: role({
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/CloudWatchLogsFullAccess'],
          Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }] } }],
        }),
      },
    };
    expect(run(t)[0]!.fix!.ops).toEqual([{ op: 'remove', path: '/Resources/Role/Properties/ManagedPolicyArns' }]);
  });

  it.each([
    ['a role trusted by another service', { Resources: { Role: { ...role({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/CloudWatchLogsFullAccess'] }), Properties: { AssumeRolePolicyDocument: trust(['vpc-flow-logs.amazonaws.com', 'ec2.amazonaws.com']), ManagedPolicyArns: ['arn:aws:iam::aws:policy/CloudWatchLogsFullAccess'] } } } }],
    ['a role of a Firehose flow log', { Resources: { Role: role({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/CloudWatchLogsFullAccess'] }), F: flowLog({ LogDestinationType: 'kinesis-data-firehose', LogDestination: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/x' }) } }],
  ] as Array<[string, JsonObject]>)('reports %s without a fix', (_, t) => {
    const findings = run(t);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.fix).toBeUndefined();
  });

  it('never throws on odd shapes', () => {
    const t = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: ['x', null, { Effect: 'Allow', Principal: '*' }] }, ManagedPolicyArns: { Ref: 'P' } } },
        Role2: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust(), ManagedPolicyArns: [null, 3], Policies: [null, { PolicyDocument: { Statement: 'x' } }] } },
        F: { Type: 'AWS::EC2::FlowLog', Properties: null },
      },
    } as unknown as JsonObject;
    expect(() => run(t)).not.toThrow();
  });
});
