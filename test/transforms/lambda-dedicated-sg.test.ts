import { describe, expect, it } from 'vitest';
import transform from '../../transforms/lambda-dedicated-sg.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { JsonObject, Template } from '../../src/types.js';

const run = (t: JsonObject) =>
  transform.check({ template: deepFreeze(t) as unknown as Template, options: {}, region: undefined, filePath: undefined, format: 'json' });

const base = (extra: JsonObject = {}, sg: JsonObject = {}): JsonObject => ({
  Resources: {
    Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'shared', VpcId: 'vpc-1', ...sg } },
    Box: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1', SecurityGroupIds: [{ Ref: 'Sg' }] } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: 'Sg' }], SubnetIds: ['subnet-1'] } } },
    ...extra,
  },
});

describe('lambda-dedicated-sg', () => {
  it('copies restricted egress and merges standalone egress rules', () => {
    const t = base(
      { Out: { Type: 'AWS::EC2::SecurityGroupEgress', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/16' } } },
      { SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }] },
    );
    const added = run(t)[0]!.fix!.ops.find((o) => o.path === '/Resources/FnSecurityGroup');
    expect(added && 'value' in added ? (added.value as JsonObject)['Properties'] : undefined).toEqual({
      GroupDescription: 'Dedicated security group for Lambda function Fn, no inbound rules',
      VpcId: 'vpc-1',
      SecurityGroupEgress: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' },
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/16' },
      ],
    });
  });

  it('writes a rule to a group that admits the new group inline as a standalone egress resource', () => {
    const t = base({
      Out: { Type: 'AWS::EC2::SecurityGroupEgress', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: { Ref: 'Db' } } },
      Db: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: { GroupDescription: 'db', VpcId: 'vpc-1', SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { Ref: 'Sg' } }] },
      },
    });
    const ops = run(t)[0]!.fix!.ops;
    const value = (path: string) => {
      const op = ops.find((o) => o.path === path);
      return op && 'value' in op ? (op.value as JsonObject) : undefined;
    };
    // Nothing is left inline: a rule that matches no traffic keeps EC2 from adding its allow-all rule.
    expect((value('/Resources/FnSecurityGroup')!['Properties'] as JsonObject)['SecurityGroupEgress']).toEqual([
      { IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32', Description: 'No other outbound traffic' },
    ]);
    expect(value('/Resources/FnToDbEgress')).toEqual({
      Type: 'AWS::EC2::SecurityGroupEgress',
      Properties: { GroupId: { Ref: 'FnSecurityGroup' }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: { Ref: 'Db' } },
    });
    expect(value('/Resources/Db/Properties/SecurityGroupIngress/-')).toMatchObject({ SourceSecurityGroupId: { Ref: 'FnSecurityGroup' } });
  });

  it('keeps the Condition of a standalone egress rule it copies', () => {
    const t = base(
      { Out: { Type: 'AWS::EC2::SecurityGroupEgress', Condition: 'Reporting', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/16' } } },
      { SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }] },
    );
    const added = run(t)[0]!.fix!.ops.find((o) => o.path === '/Resources/FnSecurityGroup');
    expect(((added as { value: JsonObject }).value['Properties'] as JsonObject)['SecurityGroupEgress']).toEqual([
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' },
      { 'Fn::If': ['Reporting', { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/16' }, { Ref: 'AWS::NoValue' }] },
    ]);
  });

  it('picks a free logical id', () => {
    const t = base({ FnSecurityGroup: { Type: 'AWS::SNS::Topic' } });
    expect(run(t)[0]!.fix!.ops.some((o) => o.path === '/Resources/FnSecurityGroup2')).toBe(true);
  });

  it('reports without a fix when the shared group has a Condition', () => {
    const t = base();
    (t['Resources'] as JsonObject)['Sg'] = { ...((t['Resources'] as JsonObject)['Sg'] as JsonObject), Condition: 'C' };
    const [finding] = run({ ...t, Conditions: { C: { 'Fn::Equals': ['a', 'a'] } } });
    expect(finding?.fix).toBeUndefined();
  });

  it('reports without a fix when an admitting rule is nested too deep to twin', () => {
    const t = base({
      Db: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'db',
          SecurityGroupIngress: [
            { 'Fn::If': ['C', { 'Fn::If': ['D', { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, SourceSecurityGroupId: { Ref: 'Sg' } }, { Ref: 'AWS::NoValue' }] }, { Ref: 'AWS::NoValue' }] },
          ],
        },
      },
    });
    const [finding] = run(t);
    expect(finding?.fix).toBeUndefined();
    expect(finding?.message).toMatch(/not fixed/);
  });

  it('leaves a group shared only with non-EC2 consumers and without inbound rules', () => {
    const t: JsonObject = {
      Resources: {
        Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'endpoint' } },
        Ep: { Type: 'AWS::EC2::VPCEndpoint', Properties: { SecurityGroupIds: [{ Ref: 'Sg' }] } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: 'Sg' }] } } },
      },
    };
    expect(run(t)).toEqual([]);
  });

  it('does not remove a referenced standalone ingress rule of a Lambda-only group', () => {
    const t: JsonObject = {
      Resources: {
        Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'lambda' } },
        In: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: '-1', CidrIp: '10.0.0.0/8' } },
        Fn: { Type: 'AWS::Lambda::Function', DependsOn: 'In', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: 'Sg' }] } } },
      },
    };
    const [finding] = run(t);
    expect(finding?.fix).toBeUndefined();
  });

  it('never throws on odd shapes', () => {
    const t = {
      Resources: {
        Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: 'x', SecurityGroupEgress: { 'Fn::If': ['C', [], []] } } },
        Box: { Type: 'AWS::EC2::Instance', Properties: { SecurityGroupIds: [{ Ref: 'Sg' }] } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SecurityGroupIds: [null, { Ref: 'Sg' }, { 'Fn::GetAtt': 'Sg.GroupId' }] } } },
        Fn2: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: null } },
        X: null,
      },
    } as unknown as JsonObject;
    expect(() => run(t)).not.toThrow();
  });
});

describe('lambda-dedicated-sg lists', () => {
  it('replaces a group listed twice once and drops the duplicate', () => {
    const t = base();
    const fn = (t['Resources'] as JsonObject)['Fn'] as JsonObject;
    (fn['Properties'] as JsonObject)['VpcConfig'] = { SecurityGroupIds: [{ Ref: 'Sg' }, { Ref: 'Other' }, { 'Fn::GetAtt': ['Sg', 'GroupId'] }] };
    (t['Resources'] as JsonObject)['Other'] = { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'other' } };
    const ops = run(t)[0]!.fix!.ops.filter((o) => o.path.startsWith('/Resources/Fn/'));
    expect(ops).toEqual([
      { op: 'replace', path: '/Resources/Fn/Properties/VpcConfig/SecurityGroupIds/0', value: { Ref: 'FnSecurityGroup' } },
      { op: 'remove', path: '/Resources/Fn/Properties/VpcConfig/SecurityGroupIds/2' },
    ]);
  });
});

/** A group only `Fn` uses, with one inbound rule: the shape the strip path sees. */
const lambdaOnly = (sg: JsonObject = {}, extra: JsonObject = {}, id = 'Sg'): JsonObject => ({
  Resources: {
    [id]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: { GroupDescription: 'Lambda functions', VpcId: 'vpc-1', SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16' }], ...sg },
    },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: id }], SubnetIds: ['subnet-1'] } } },
    ...extra,
  },
});

const removesIngress = (findings: ReturnType<typeof run>) =>
  findings.some((f) => f.fix?.ops.some((o) => o.op === 'remove' && (o.path.endsWith('/SecurityGroupIngress') || o.path === '/Resources/In')));

describe('lambda-dedicated-sg groups that serve something else', () => {
  it.each([
    ['its GroupDescription', 'Sg', { GroupDescription: 'Security group for web tier' }],
    ['its logical id', 'ALBSecurityGroup', {}],
    ['its logical id (all capitals)', 'RDSSG', {}],
    ['its GroupName, beside Sub variables', 'Sg', { GroupName: { 'Fn::Sub': 'sg-db-${ProjectName}-${Environment}' } }],
    ['its Name tag', 'Sg', { Tags: [{ Key: 'Name', Value: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'bastion']] } }] }],
    ['a phrase in its GroupDescription', 'Sg', { GroupDescription: 'Application tier' }],
    ['its description, though its logical id names Lambda', 'LambdaSecurityGroup', { GroupDescription: 'Security group for load balancer' }],
  ])('keeps the inbound rules of a Lambda-only group named for another role in %s, and gives the function a dedicated group', (_, id, sg) => {
    const findings = run(lambdaOnly(sg as JsonObject, {}, id));
    expect(removesIngress(findings)).toBe(false);
    expect(findings).toHaveLength(1);
    const ops = findings[0]!.fix!.ops;
    expect(findings[0]!.fix!.safety).toBeUndefined();
    expect(ops.some((o) => o.op === 'add' && o.path === '/Resources/FnSecurityGroup')).toBe(true);
    expect(ops).toContainEqual({ op: 'replace', path: '/Resources/Fn/Properties/VpcConfig/SecurityGroupIds/0', value: { Ref: 'FnSecurityGroup' } });
  });

  it.each([
    ['names only Lambda', {}],
    ['names Lambda beside what it reaches', { GroupDescription: 'Lambda function access to the database' }],
    ['has a role word only in a Sub variable', { GroupName: { 'Fn::Sub': 'sg-${WebAppName}-ingest' } }],
    ['says nothing of a role', { GroupDescription: 'Security group for secondary region resources' }],
  ])('still removes the inbound rules of a Lambda-only group that %s', (_, sg) => {
    const [finding] = run(lambdaOnly(sg as JsonObject));
    expect(finding?.fix?.safety).toBe('unsafe');
    expect(finding?.fix?.ops).toEqual([{ op: 'remove', path: '/Resources/Sg/Properties/SecurityGroupIngress' }]);
  });

  it('never removes the rules of an exported group, and holds its dedicated-group fix as unsafe', () => {
    const t = { ...lambdaOnly(), Outputs: { SgId: { Value: { 'Fn::GetAtt': ['Sg', 'GroupId'] }, Export: { Name: 'app-sg' } } } };
    const findings = run(t);
    expect(removesIngress(findings)).toBe(false);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.fix?.safety).toBe('unsafe');
    expect(findings[0]!.message).toMatch(/exported by output SgId/);
  });

  it('holds the dedicated-group fix of an exported group shared with an instance as unsafe', () => {
    const t = { ...base(), Outputs: { SgId: { Value: { Ref: 'Sg' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-sg' } } } } };
    expect(run(t)[0]!.fix?.safety).toBe('unsafe');
  });

  it('keeps the rules of a group an output without Export names, with a safe dedicated-group fix', () => {
    const findings = run({ ...lambdaOnly(), Outputs: { SgId: { Value: { Ref: 'Sg' } } } });
    expect(removesIngress(findings)).toBe(false);
    expect(findings[0]!.fix?.safety).toBeUndefined();
  });
});

describe('lambda-dedicated-sg names only the removed rules use', () => {
  it('reports without a fix when removing the rules would leave a parameter unused', () => {
    const t = {
      Parameters: { AllowedIngressCidr: { Type: 'String', Default: '10.0.0.0/16' } },
      ...lambdaOnly({ SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { Ref: 'AllowedIngressCidr' } }] }),
    };
    const [finding] = run(t);
    expect(finding?.fix).toBeUndefined();
    expect(finding?.message).toMatch(/not fixed: removing them would leave parameter AllowedIngressCidr unused/);
  });

  it('reports without a fix when removing a standalone rule would leave its condition unused', () => {
    const t = {
      Parameters: { Env: { Type: 'String' } },
      Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] } },
      ...lambdaOnly({}, {
        In: { Type: 'AWS::EC2::SecurityGroupIngress', Condition: 'IsDev', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8' } },
      }),
    };
    delete ((t.Resources as JsonObject)['Sg'] as { Properties: JsonObject }).Properties['SecurityGroupIngress'];
    const [finding] = run(t);
    expect(finding?.fix).toBeUndefined();
    expect(finding?.message).toMatch(/condition IsDev/);
  });

  it('removes rules whose parameter is used elsewhere too', () => {
    const t = {
      Parameters: { VpcCidr: { Type: 'String' } },
      ...lambdaOnly({ SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { Ref: 'VpcCidr' } }] }, {
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: { Ref: 'VpcCidr' } } },
      }),
    };
    expect(run(t)[0]?.fix?.ops).toEqual([{ op: 'remove', path: '/Resources/Sg/Properties/SecurityGroupIngress' }]);
  });
});
