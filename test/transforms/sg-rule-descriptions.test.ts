import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'sg-rule-descriptions';

/** The Description the fix gives `rule` as the only item of a group's ingress or egress list. */
function described(rule: object, direction: 'ingress' | 'egress'): string {
  const key = direction === 'ingress' ? 'SecurityGroupIngress' : 'SecurityGroupEgress';
  const r = runTransform(ID, { Resources: { G: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'g', [key]: [rule] } } } });
  expect(r.ids).toEqual(['noDescription']);
  return r.template.Resources.G.Properties[key][0].Description;
}

describe('sg-rule-descriptions: the description says what the rule does', () => {
  it.each([
    [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }, 'ingress', 'HTTPS (tcp/443) from 0.0.0.0/0'],
    [{ IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, SourceSecurityGroupId: { Ref: 'EC2SecurityGroup' } }, 'ingress', 'MySQL/Aurora (tcp/3306) from EC2SecurityGroup'],
    [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }, 'egress', 'All traffic to 0.0.0.0/0'],
    [{ IpProtocol: -1, CidrIpv6: '::/0' }, 'egress', 'All traffic to ::/0'],
    [{ IpProtocol: 'tcp', FromPort: 8000, ToPort: 8080, CidrIp: '10.0.0.0/16' }, 'ingress', 'tcp/8000-8080 from 10.0.0.0/16'],
    [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, CidrIp: '10.0.0.0/16' }, 'ingress', 'All TCP from 10.0.0.0/16'],
    [{ IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIp: '10.0.0.2/32' }, 'egress', 'DNS (udp/53) to 10.0.0.2/32'],
    [{ IpProtocol: 'icmp', FromPort: -1, ToPort: -1, CidrIp: '10.0.0.0/8' }, 'ingress', 'All ICMP from 10.0.0.0/8'],
    [{ IpProtocol: 'icmp', FromPort: 3, ToPort: 4, CidrIp: '10.0.0.0/8' }, 'ingress', 'ICMP destination unreachable code 4 from 10.0.0.0/8'],
    [{ IpProtocol: '58', FromPort: 128, ToPort: -1, CidrIpv6: '::/0' }, 'ingress', 'ICMPv6 type 128 from ::/0'],
    [{ IpProtocol: '50', CidrIp: '172.16.0.0/12' }, 'ingress', 'ESP from 172.16.0.0/12'],
    [{ IpProtocol: '99', CidrIp: '172.16.0.0/12' }, 'ingress', 'IP protocol 99 from 172.16.0.0/12'],
    [{ IpProtocol: 'tcp', FromPort: { Ref: 'DBPort' }, ToPort: { Ref: 'DBPort' }, SourceSecurityGroupId: { 'Fn::GetAtt': ['App', 'GroupId'] } }, 'ingress', 'tcp/DBPort from App'],
    [{ IpProtocol: 'tcp', FromPort: { 'Fn::GetAtt': ['Db', 'Endpoint.Port'] }, ToPort: { 'Fn::GetAtt': ['Db', 'Endpoint.Port'] }, CidrIp: { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] } }, 'ingress', 'tcp/Db port from Vpc'],
    [{ IpProtocol: 'tcp', FromPort: { 'Fn::If': ['Pg', 5432, 3306] }, ToPort: { 'Fn::If': ['Pg', 5432, 3306] }, DestinationPrefixListId: 'pl-0a1b2c3d' }, 'egress', 'tcp/5432 or 3306 to pl-0a1b2c3d'],
    [{ IpProtocol: { Ref: 'Proto' }, CidrIp: { 'Fn::Select': [0, { Ref: 'Cidrs' }] } }, 'ingress', 'Protocol Proto from CIDR range'],
    [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22 }, 'ingress', 'SSH (tcp/22)'],
  ] as const)('%j %s', (rule, direction, expected) => {
    expect(described(rule, direction)).toBe(expected);
  });

  it('keeps to the characters and length EC2 accepts', () => {
    expect(described({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: 'a → b <c> "d" é' }, 'ingress')).toBe('HTTPS (tcp/443) from a b c d');
    const long = described({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, SourceSecurityGroupId: { Ref: 'X'.repeat(300) } }, 'ingress');
    expect(long.length).toBe(255);
    expect(long.startsWith('SSH (tcp/22) from XXX')).toBe(true);
  });
});

describe('sg-rule-descriptions', () => {
  it('describes inline rules in Fn::If lists and items, and standalone rules, once', () => {
    const r = runTransform(ID, {
      Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
      Resources: {
        G: {
          Type: 'AWS::EC2::SecurityGroup',
          Properties: {
            GroupDescription: 'g',
            SecurityGroupEgress: { 'Fn::If': ['C', [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }], { Ref: 'AWS::NoValue' }] },
            SecurityGroupIngress: [{ 'Fn::If': ['C', { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8' }, { Ref: 'AWS::NoValue' }] }],
          },
        },
        In: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { Ref: 'G' }, IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '10.0.0.0/8' } },
      },
    });
    expect(r.ids).toEqual(['noDescription', 'noDescription', 'noDescription']);
    expect(r.findings.map((f) => f.pointer)).toEqual([
      '/Resources/G/Properties/SecurityGroupIngress/0/Fn::If/1',
      '/Resources/G/Properties/SecurityGroupEgress/Fn::If/1/0',
      '/Resources/In/Properties',
    ]);
    const g = r.template.Resources.G.Properties;
    expect(g.SecurityGroupIngress[0]['Fn::If'][1].Description).toBe('SSH (tcp/22) from 10.0.0.0/8');
    expect(g.SecurityGroupEgress['Fn::If'][1][0].Description).toBe('All traffic to 0.0.0.0/0');
    expect(r.template.Resources.In.Properties.Description).toBe('HTTP (tcp/80) from 10.0.0.0/8');
    expectIdempotent(ID, r);
  });

  it('replaces an empty description and leaves intrinsic ones', () => {
    const r = runTransform(ID, {
      Resources: {
        G: {
          Type: 'AWS::EC2::SecurityGroup',
          Properties: {
            GroupDescription: 'g',
            SecurityGroupIngress: [
              { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '10.0.0.0/16', Description: ' ' },
              { IpProtocol: 'tcp', FromPort: 81, ToPort: 81, CidrIp: '10.0.0.0/16', Description: { 'Fn::Sub': '${AWS::StackName} web' } },
            ],
          },
        },
      },
    });
    expect(r.ids).toEqual(['noDescription']);
    expect(r.result.operations).toEqual([
      { op: 'replace', path: '/Resources/G/Properties/SecurityGroupIngress/0/Description', value: 'HTTP (tcp/80) from 10.0.0.0/16' },
    ]);
  });

  it('never fails on odd shapes', () => {
    const r = runTransform(ID, {
      Resources: {
        A: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'a', SecurityGroupIngress: [null, 'x', 3, ['y'], { 'Fn::If': ['C'] }] } },
        B: { Type: 'AWS::EC2::SecurityGroupEgress', Properties: null },
        C: { Type: 'AWS::EC2::SecurityGroupEgress', Properties: { 'Fn::If': ['C', {}, {}] } },
        D: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', SecurityGroupEgress: { 'Fn::If': ['C', { Ref: 'AWS::NoValue' }, [{ IpProtocol: '-1' }]] } } },
      },
    });
    expect(r.findings.map((f) => f.pointer)).toEqual(['/Resources/D/Properties/SecurityGroupEgress/Fn::If/2/0']);
  });
});
