import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'lambda-dedicated-sg';
type Obj = Record<string, any>;

const base = (extra: Obj = {}, sg: Obj = {}): Obj => ({
  Resources: {
    Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'shared', VpcId: 'vpc-1', ...sg } },
    Box: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1', SecurityGroupIds: [{ Ref: 'Sg' }] } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: 'Sg' }], SubnetIds: ['subnet-1'] } } },
    ...extra,
  },
});
const conditions = { Conditions: { C: { 'Fn::Equals': ['a', 'b'] }, D: { 'Fn::Equals': ['a', 'b'] }, Reporting: { 'Fn::Equals': ['a', 'b'] } } };
/** `base` with a database group `Db` whose inbound rules are `ingress`. */
const withDb = (ingress: unknown[]): Obj => ({
  ...conditions,
  ...base({ Db: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'db', SecurityGroupIngress: ingress } } }),
});

describe('lambda-dedicated-sg: a group shared with instances', () => {
  it('gives the function its own group, twins the rules admitting the shared one, and is idempotent', () => {
    const t = base({
      Db: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: { GroupDescription: 'db', SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': ['Sg', 'GroupId'] } }] },
      },
      Cache: { Type: 'AWS::EC2::SecurityGroupIngress', DependsOn: 'Db', Properties: { GroupId: { Ref: 'Db' }, IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, SourceSecurityGroupId: { Ref: 'Sg' } } },
    });
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['sharedGroup']);
    expect(r.findings[0]!.pointer).toBe('/Resources/Fn/Properties/VpcConfig/SecurityGroupIds/0');
    const out = r.template.Resources;
    expect(out.FnSecurityGroup).toEqual({
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'Dedicated security group for Lambda function Fn, no inbound rules',
        VpcId: 'vpc-1',
        SecurityGroupEgress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'All outbound traffic' }],
      },
    });
    expect(out.Fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ Ref: 'FnSecurityGroup' }]);
    expect(out.Db.Properties.SecurityGroupIngress[1]).toEqual({
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: { 'Fn::GetAtt': ['FnSecurityGroup', 'GroupId'] },
      Description: 'PostgreSQL (tcp/5432) from FnSecurityGroup',
    });
    expect(out.CacheForFn).toEqual({
      Type: 'AWS::EC2::SecurityGroupIngress',
      DependsOn: 'Db',
      Properties: { GroupId: { Ref: 'Db' }, IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, SourceSecurityGroupId: { Ref: 'FnSecurityGroup' }, Description: 'Redis (tcp/6379) from FnSecurityGroup' },
    });
    expect(out.Sg).toEqual(t['Resources'].Sg);
    expectIdempotent(ID, r);
  });

  it('copies restricted egress and merges standalone egress rules', () => {
    const t = base(
      { Out: { Type: 'AWS::EC2::SecurityGroupEgress', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/16' } } },
      { SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }] },
    );
    expect(runTransform(ID, t).template.Resources.FnSecurityGroup.Properties).toEqual({
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
    const out = runTransform(ID, t).template.Resources;
    // Nothing is left inline: a rule that matches no traffic keeps EC2 from adding its allow-all rule.
    expect(out.FnSecurityGroup.Properties.SecurityGroupEgress).toEqual([
      { IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32', Description: 'No other outbound traffic' },
    ]);
    expect(out.FnToDbEgress).toEqual({
      Type: 'AWS::EC2::SecurityGroupEgress',
      Properties: { GroupId: { Ref: 'FnSecurityGroup' }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: { Ref: 'Db' } },
    });
    expect(out.Db.Properties.SecurityGroupIngress[1]).toMatchObject({ SourceSecurityGroupId: { Ref: 'FnSecurityGroup' } });
  });

  it('keeps the Condition of a standalone egress rule it copies', () => {
    const t = {
      ...conditions,
      ...base(
        { Out: { Type: 'AWS::EC2::SecurityGroupEgress', Condition: 'Reporting', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/16' } } },
        { SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }] },
      ),
    };
    expect(runTransform(ID, t).template.Resources.FnSecurityGroup.Properties.SecurityGroupEgress).toEqual([
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' },
      { 'Fn::If': ['Reporting', { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/16' }, { Ref: 'AWS::NoValue' }] },
    ]);
  });

  it('twins a conditional rule item inside the same Fn::If branch', () => {
    const t = withDb([{ 'Fn::If': ['C', { Ref: 'AWS::NoValue' }, { IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, SourceSecurityGroupId: { Ref: 'Sg' } }] }]);
    expect(runTransform(ID, t).template.Resources.Db.Properties.SecurityGroupIngress[1]).toEqual({
      'Fn::If': ['C', { Ref: 'AWS::NoValue' }, { IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, SourceSecurityGroupId: { Ref: 'FnSecurityGroup' }, Description: 'MySQL/Aurora (tcp/3306) from FnSecurityGroup' }],
    });
  });

  it('picks a free logical id', () => {
    const out = runTransform(ID, base({ FnSecurityGroup: { Type: 'AWS::SNS::Topic' } })).template.Resources;
    expect(out.FnSecurityGroup2.Type).toBe('AWS::EC2::SecurityGroup');
    expect(out.Fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ Ref: 'FnSecurityGroup2' }]);
  });

  it('gives each function sharing the group its own, and twins the rule for each', () => {
    const t = base({
      Fn2: { Type: 'AWS::Serverless::Function', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: 'Sg' }] } } },
      Db: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'db', SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, SourceSecurityGroupId: { Ref: 'Sg' } }] } },
    });
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['sharedGroup', 'sharedGroup']);
    expect(r.template.Resources.Db.Properties.SecurityGroupIngress.map((rule: Obj) => rule['SourceSecurityGroupId'])).toEqual([
      { Ref: 'Sg' },
      { Ref: 'FnSecurityGroup' },
      { Ref: 'Fn2SecurityGroup' },
    ]);
  });

  it('replaces a group listed twice once and drops the duplicate', () => {
    const t = base({ Other: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'other' } } });
    t['Resources'].Fn.Properties.VpcConfig = { SecurityGroupIds: [{ Ref: 'Sg' }, { Ref: 'Other' }, { 'Fn::GetAtt': ['Sg', 'GroupId'] }] };
    expect(runTransform(ID, t).template.Resources.Fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ Ref: 'FnSecurityGroup' }, { Ref: 'Other' }]);
  });
});

describe('lambda-dedicated-sg: reported without a fix', () => {
  it('when the shared group has a Condition', () => {
    const t = { ...conditions, ...base() };
    t.Resources.Sg.Condition = 'C';
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['sharedGroupConditional']);
    expect(r.changed).toBe(false);
  });

  it('when an admitting rule is nested too deep to twin', () => {
    const t = withDb([
      { 'Fn::If': ['C', { 'Fn::If': ['D', { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, SourceSecurityGroupId: { Ref: 'Sg' } }, { Ref: 'AWS::NoValue' }] }, { Ref: 'AWS::NoValue' }] },
    ]);
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['sharedGroupRuleTooDeep']);
    expect(r.changed).toBe(false);
  });

  it('when the shared groups egress cannot be merged', () => {
    const t = { ...conditions, ...base({ Other: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'other', SecurityGroupEgress: [] } } }, { SecurityGroupEgress: { 'Fn::If': ['C', [], []] } }) };
    t.Resources.Box.Properties.SecurityGroupIds.push({ Ref: 'Other' });
    t.Resources.Fn.Properties.VpcConfig.SecurityGroupIds.push({ Ref: 'Other' });
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['sharedGroupEgressUnmergeable']);
    expect(r.changed).toBe(false);
  });
});

describe('lambda-dedicated-sg: groups it leaves alone', () => {
  it('a group shared only with non-EC2 consumers and without inbound rules', () => {
    const r = runTransform(ID, {
      Resources: {
        Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'endpoint' } },
        Ep: { Type: 'AWS::EC2::VPCEndpoint', Properties: { SecurityGroupIds: [{ Ref: 'Sg' }] } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: 'Sg' }] } } },
      },
    });
    expect(r.findings).toEqual([]);
  });

  it('never fails on odd shapes', () => {
    const r = runTransform(ID, {
      Conditions: conditions.Conditions,
      Resources: {
        Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: 'x', SecurityGroupEgress: { 'Fn::If': ['C', [], []] } } },
        Box: { Type: 'AWS::EC2::Instance', Properties: { SecurityGroupIds: [{ Ref: 'Sg' }] } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SecurityGroupIds: [null, { Ref: 'Sg' }, { 'Fn::GetAtt': 'Sg.GroupId' }] } } },
        Fn2: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: null } },
        Fn3: { Type: 'AWS::Lambda::Function', Properties: { 'Fn::If': ['C', {}, {}] } },
      },
    });
    expect(r.ids).toEqual(['sharedGroup']);
  });
});

/** A group only `Fn` uses, with one inbound rule: the shape the strip path sees. */
const lambdaOnly = (sg: Obj = {}, extra: Obj = {}, id = 'Sg'): Obj => ({
  Resources: {
    [id]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: { GroupDescription: 'Lambda functions', VpcId: 'vpc-1', SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16' }], ...sg },
    },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: id }], SubnetIds: ['subnet-1'] } } },
    ...extra,
  },
});

describe('lambda-dedicated-sg: groups only Lambda uses', () => {
  it.each([
    ['its GroupDescription', 'Sg', { GroupDescription: 'Security group for web tier' }],
    ['its logical id', 'ALBSecurityGroup', {}],
    ['its logical id (all capitals)', 'RDSSG', {}],
    ['its GroupName, beside Sub variables', 'Sg', { GroupName: { 'Fn::Sub': 'sg-db-${AWS::StackName}-${AWS::Region}' } }],
    ['its Name tag', 'Sg', { Tags: [{ Key: 'Name', Value: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'bastion']] } }] }],
    ['a phrase in its GroupDescription', 'Sg', { GroupDescription: 'Application tier' }],
    ['its description, though its logical id names Lambda', 'LambdaSecurityGroup', { GroupDescription: 'Security group for load balancer' }],
  ])('keeps the inbound rules of a group named for another role in %s, and gives the function a dedicated group', (_, id, sg) => {
    const t = lambdaOnly(sg, {}, id);
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['sharedGroup']);
    expect(r.findings[0]!.safety).toBe('safe');
    expect(r.template.Resources[id]).toEqual(t['Resources'][id]);
    expect(r.template.Resources.FnSecurityGroup.Type).toBe('AWS::EC2::SecurityGroup');
    expect(r.template.Resources.Fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ Ref: 'FnSecurityGroup' }]);
  });

  it.each([
    ['names only Lambda', {}],
    ['names Lambda beside what it reaches', { GroupDescription: 'Lambda function access to the database' }],
    ['has a role word only in a Sub variable', { GroupName: { 'Fn::Sub': 'sg-${AWS::StackName}-ingest' } }],
    ['says nothing of a role', { GroupDescription: 'Security group for secondary region resources' }],
  ])('removes, as an unsafe fix, the inbound rules of a group that %s', (_, sg) => {
    const r = runTransform(ID, lambdaOnly(sg));
    expect(r.ids).toEqual(['lambdaOnlyIngress']);
    expect(r.findings[0]!.safety).toBe('unsafe');
    expect(r.result.operations).toEqual([{ op: 'remove', path: '/Resources/Sg/Properties/SecurityGroupIngress' }]);
    expect(runTransform(ID, lambdaOnly(sg), { unsafe: false }).findings[0]!.fix).toBe('held');
  });

  it('removes standalone ingress rules too', () => {
    const t = lambdaOnly({}, { In: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: '-1', CidrIp: '10.0.0.0/8' } } });
    const r = runTransform(ID, t);
    expect(r.result.operations).toEqual([
      { op: 'remove', path: '/Resources/Sg/Properties/SecurityGroupIngress' },
      { op: 'remove', path: '/Resources/In' },
    ]);
    expectIdempotent(ID, r);
  });

  it('does not remove a referenced standalone ingress rule', () => {
    const r = runTransform(ID, {
      Resources: {
        Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'lambda' } },
        In: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: '-1', CidrIp: '10.0.0.0/8' } },
        Fn: { Type: 'AWS::Lambda::Function', DependsOn: 'In', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: 'Sg' }] } } },
      },
    });
    expect(r.ids).toEqual(['lambdaOnlyIngress']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.findings[0]!.pointer).toBe('/Resources/In/Properties');
  });

  it('never removes the rules of an exported group, and holds its dedicated-group fix as unsafe', () => {
    const r = runTransform(ID, { ...lambdaOnly(), Outputs: { SgId: { Value: { 'Fn::GetAtt': ['Sg', 'GroupId'] }, Export: { Name: 'app-sg' } } } }, { unsafe: false });
    expect(r.ids).toEqual(['sharedGroupExported']);
    expect(r.findings[0]!.fix).toBe('held');
    expect(r.changed).toBe(false);
  });

  it('holds the dedicated-group fix of an exported group shared with an instance as unsafe', () => {
    const r = runTransform(ID, { ...base(), Outputs: { SgId: { Value: { Ref: 'Sg' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-sg' } } } } });
    expect(r.ids).toEqual(['sharedGroupExported']);
    expect(r.findings[0]!.safety).toBe('unsafe');
  });

  it('keeps the rules of a group an output without Export names, with a safe dedicated-group fix', () => {
    const t = { ...lambdaOnly(), Outputs: { SgId: { Value: { Ref: 'Sg' } } } };
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['sharedGroup']);
    expect(r.findings[0]!.safety).toBe('safe');
    expect(r.template.Resources.Sg).toEqual(t.Resources.Sg);
  });
});

describe('lambda-dedicated-sg: names only the removed rules use', () => {
  it('reports without a fix when removing the rules would leave a parameter unused', () => {
    const r = runTransform(ID, {
      Parameters: { AllowedIngressCidr: { Type: 'String', Default: '10.0.0.0/16' } },
      ...lambdaOnly({ SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { Ref: 'AllowedIngressCidr' } }] }),
    });
    expect(r.ids).toEqual(['lambdaOnlyIngressLeavesUnused']);
    expect(r.changed).toBe(false);
  });

  it('reports without a fix when removing a standalone rule would leave its condition unused', () => {
    const t = {
      Parameters: { Env: { Type: 'String' } },
      Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] } },
      ...lambdaOnly({}, {
        In: { Type: 'AWS::EC2::SecurityGroupIngress', Condition: 'IsDev', Properties: { GroupId: { Ref: 'Sg' }, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8' } },
      }),
    };
    delete t.Resources.Sg.Properties.SecurityGroupIngress;
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['lambdaOnlyIngressLeavesUnused']);
    expect(r.findings[0]!.pointer).toBe('/Resources/In/Properties');
    expect(r.changed).toBe(false);
  });

  it('removes rules whose parameter is used elsewhere too', () => {
    const r = runTransform(ID, {
      Parameters: { VpcCidr: { Type: 'String' } },
      ...lambdaOnly({ SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { Ref: 'VpcCidr' } }] }, {
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: { Ref: 'VpcCidr' } } },
      }),
    });
    expect(r.ids).toEqual(['lambdaOnlyIngress']);
    expect(r.result.operations).toEqual([{ op: 'remove', path: '/Resources/Sg/Properties/SecurityGroupIngress' }]);
  });
});
