import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'flowlog-least-privilege';
type Obj = Record<string, any>;

const trust = (service: unknown = 'vpc-flow-logs.amazonaws.com'): Obj => ({
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});
const role = (props: Obj): Obj => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust(), ...props } });
const flowLog = (props: Obj): Obj => ({
  Type: 'AWS::EC2::FlowLog',
  Properties: { ResourceId: 'vpc-1', ResourceType: 'VPC', TrafficType: 'ALL', DeliverLogsPermissionArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, ...props },
});
const arn = (tail: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${tail}` });
const FULL = 'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess';

describe('flowlog-least-privilege', () => {
  it.each([
    'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess',
    'arn:aws-cn:iam::aws:policy/CloudWatchFullAccessV2',
    { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess' },
    { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] },
  ])('removes %j and keeps the other managed policies', (broad) => {
    const r = runTransform(ID, { Resources: { Role: role({ ManagedPolicyArns: [broad, 'arn:aws:iam::aws:policy/ReadOnlyAccess'] }) } });
    expect(r.ids).toEqual(['broadPermissions']);
    expect(r.findings[0]!.pointer).toBe('/Resources/Role/Properties/ManagedPolicyArns/0');
    expect(r.template.Resources.Role.Properties.ManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    expect(r.template.Resources.Role.Properties.Policies[0].PolicyName).toBe('VPCFlowLogsDelivery');
    expectIdempotent(ID, r);
  });

  it('keeps a customer managed policy and other AWS policies', () => {
    const r = runTransform(ID, { Resources: { Role: role({ ManagedPolicyArns: ['arn:aws:iam::123456789012:policy/MyFullAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'] }) } });
    expect(r.findings).toEqual([]);
  });

  it('leaves roles other services assume', () => {
    const r = runTransform(ID, { Resources: { Role: { ...role({ ManagedPolicyArns: [FULL] }), Properties: { AssumeRolePolicyDocument: trust('lambda.amazonaws.com'), ManagedPolicyArns: [FULL] } } } });
    expect(r.findings).toEqual([]);
  });

  it('scopes CreateLogGroup to a parameter-named group and the rest to a template group', () => {
    const r = runTransform(ID, {
      Parameters: { Name: { Type: 'String' } },
      Resources: {
        Role: role({ ManagedPolicyArns: [FULL] }),
        Group: { Type: 'AWS::Logs::LogGroup' },
        A: flowLog({ LogDestination: { 'Fn::GetAtt': ['Group', 'Arn'] } }),
        B: flowLog({ LogGroupName: { Ref: 'Name' } }),
      },
    });
    const props = r.template.Resources.Role.Properties;
    expect(props.ManagedPolicyArns).toBeUndefined();
    expect(props.Policies).toEqual([
      {
        PolicyName: 'VPCFlowLogsDelivery',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DeliverFlowLogs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
              Resource: [arn('${Group}'), { 'Fn::GetAtt': ['Group', 'Arn'] }, arn('${Name}'), arn('${Name}:*')],
            },
            { Sid: 'CreateFlowLogGroup', Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: [arn('${Name}'), arn('${Name}:*')] },
            { Sid: 'DescribeLogGroups', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: arn('*') },
          ],
        },
      },
    ]);
  });

  it('replaces a logs:* statement in place, the statements after it kept in order', () => {
    const keep = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
    const r = runTransform(ID, {
      Resources: {
        Role: role({ Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }, keep] } }] }),
        Group: { Type: 'AWS::Logs::LogGroup' },
        F: flowLog({ LogGroupName: { Ref: 'Group' } }),
      },
    });
    expect(r.ids).toEqual(['broadPermissions']);
    expect(r.findings[0]!.pointer).toBe('/Resources/Role/Properties/Policies/0/PolicyDocument/Statement/0');
    expect(r.template.Resources.Role.Properties.Policies[0].PolicyDocument.Statement.map((s: Obj) => s['Sid'] ?? s['Action'])).toEqual([
      'DeliverFlowLogs',
      'DescribeLogGroups',
      's3:GetObject',
    ]);
    expectIdempotent(ID, r);
  });

  it('replaces a single logs:* statement by the list of statements', () => {
    const r = runTransform(ID, { Resources: { Role: role({ Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: { Effect: 'Allow', Action: ['logs:*'], Resource: '*' } } }] }) } });
    const statement = r.template.Resources.Role.Properties.Policies[0].PolicyDocument.Statement;
    expect(statement.map((s: Obj) => s['Sid'])).toEqual(['DeliverFlowLogs', 'DescribeLogGroups']);
    expect(statement[0].Resource).toEqual(arn('*'));
  });

  it('only removes the managed policy when an inline policy already grants delivery', () => {
    const r = runTransform(ID, {
      Resources: {
        Role: role({
          ManagedPolicyArns: [FULL],
          Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }] } }],
        }),
      },
    });
    expect(r.result.operations).toEqual([{ op: 'remove', path: '/Resources/Role/Properties/ManagedPolicyArns' }]);
  });

  it('names a log group that depends on the role by its name', () => {
    const r = runTransform(ID, {
      Resources: {
        Role: role({ ManagedPolicyArns: [FULL] }),
        Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } }, Action: 'kms:*', Resource: '*' }] } } },
        Group: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'flow-logs', KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
        F: flowLog({ LogGroupName: { Ref: 'Group' } }),
      },
    });
    expect(r.template.Resources.Role.Properties.Policies[0].PolicyDocument.Statement[0].Resource).toEqual([arn('flow-logs'), arn('flow-logs:*')]);
  });

  it.each([
    ['broadPermissionsMixedTrust', { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust(['vpc-flow-logs.amazonaws.com', 'ec2.amazonaws.com']), ManagedPolicyArns: [FULL] } } } }],
    ['broadPermissionsOtherDestination', { Resources: { Role: role({ ManagedPolicyArns: [FULL] }), F: flowLog({ LogDestinationType: 'kinesis-data-firehose', LogDestination: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/x' }) } }],
    ['broadPermissionsOpaquePolicies', { Conditions: { C: { 'Fn::Equals': ['a', 'b'] } }, Resources: { Role: role({ ManagedPolicyArns: [FULL], Policies: { 'Fn::If': ['C', [], []] } }) } }],
    [
      'broadPermissionsSeveralWildcards',
      {
        Resources: {
          Role: role({
            Policies: [
              { PolicyName: 'a', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] } },
              { PolicyName: 'b', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
            ],
          }),
        },
      },
    ],
  ] as Array<[string, Obj]>)('reports %s without a fix', (id, t) => {
    const r = runTransform(ID, t);
    expect(r.ids).toEqual([id]);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.changed).toBe(false);
  });

  it('never fails on odd shapes', () => {
    const r = runTransform(ID, {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: ['x', null, { Effect: 'Allow', Principal: '*' }] }, ManagedPolicyArns: { Ref: 'AWS::NoValue' } } },
        Role2: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust(), ManagedPolicyArns: [null, 3], Policies: [null, { PolicyDocument: { Statement: 'x' } }] } },
        F: { Type: 'AWS::EC2::FlowLog', Properties: null },
      },
    });
    expect(r.findings).toEqual([]);
  });
});
