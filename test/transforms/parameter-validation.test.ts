import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'parameter-validation';
type Obj = Record<string, any>;

/** The AllowedPattern the fix writes on parameter P, which `use` feeds to a resource. */
function writtenPattern(spec: Obj, resource: Obj, expectedId: string): RegExp {
  const r = runTransform(ID, { Parameters: { P: spec }, Resources: { R: resource } });
  expect(r.ids).toEqual([expectedId]);
  return new RegExp(r.template.Parameters.P.AllowedPattern, 'u');
}

const cidr = () => writtenPattern({ Type: 'String', Default: '10.0.0.0/16' }, { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: { Ref: 'P' } } }, 'cidrWithoutPattern');
const instanceType = () => writtenPattern({ Type: 'String' }, { Type: 'AWS::EC2::Instance', Properties: { InstanceType: { Ref: 'P' } } }, 'instanceTypeWithoutPattern');
const dbClass = () => writtenPattern({ Type: 'String' }, { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: { Ref: 'P' } } }, 'dbInstanceClassWithoutPattern');

describe('parameter-validation: the patterns it writes', () => {
  it('accepts exactly the IPv4 CIDR blocks', () => {
    const pattern = cidr();
    for (const ok of ['0.0.0.0/0', '10.0.0.0/16', '255.255.255.255/32', '172.31.0.0/20', '100.64.0.0/10']) expect(pattern.test(ok)).toBe(true);
    for (const bad of ['10.0.0.0/33', '256.0.0.0/8', '10.0.0/16', '10.0.0.0', '01.0.0.0/8', '10.0.0.0/016', ' 10.0.0.0/16', '10.0.0.0/16,10.1.0.0/16'])
      expect(pattern.test(bad)).toBe(false);
  });

  it('accepts instance types and DB classes, not typos', () => {
    const types = instanceType();
    for (const ok of ['t3.micro', 'm7i-flex.large', 'u-6tb1.metal', 'c6gn.16xlarge']) expect(types.test(ok)).toBe(true);
    for (const bad of ['T3.micro', 't3micro', 'db.t3.micro']) expect(types.test(bad)).toBe(false);
    const classes = dbClass();
    for (const ok of ['db.t3.micro', 'db.serverless', 'db.r5.large.tpc2.mem4x']) expect(classes.test(ok)).toBe(true);
    expect(classes.test('t3.micro')).toBe(false);
  });

  it('uses only syntax Java and JavaScript read alike (no lookaround, no \\d, no named groups)', () => {
    for (const p of [cidr(), instanceType(), dbClass()]) expect(p.source).not.toMatch(/\(\?|\\d|\\p/);
  });
});

describe('parameter-validation: existing parameters', () => {
  it('constrains a CIDR parameter, keeping its own ConstraintDescription, and is idempotent', () => {
    const r = runTransform(ID, {
      Parameters: { VpcCidr: { Type: 'String', Default: '10.0.0.0/16', ConstraintDescription: 'mine' } },
      Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: { Ref: 'VpcCidr' } } } },
    });
    expect(r.ids).toEqual(['cidrWithoutPattern']);
    expect(r.template.Parameters.VpcCidr.ConstraintDescription).toBe('mine');
    expect(r.result.operations.map((op) => op.path)).toEqual(['/Parameters/VpcCidr/AllowedPattern']);
    expectIdempotent(ID, r);
  });

  it('never adds a pattern the Default fails', () => {
    const r = runTransform(ID, {
      Parameters: { Environment: { Type: 'String', Default: 'prod_1' }, VpcCidr: { Type: 'String', Default: '10.0.0.0/33' } },
      Resources: { Q: { Type: 'AWS::SQS::Queue' } },
    });
    expect(r.ids).toEqual(['invalidCidrDefault']);
    expect(r.findings[0]!.pointer).toBe('/Parameters/VpcCidr/Default');
    expect(r.changed).toBe(false);
  });

  it('gives an environment used in a bucket name the lower-case pattern, and one a Sub only shadows the mixed-case one', () => {
    const bucket = (name: unknown) => ({
      Parameters: { Environment: { Type: 'String', Default: 'dev' } },
      Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: name, Tags: [{ Key: 'Environment', Value: { Ref: 'Environment' } }] } } },
    });
    const lower = runTransform(ID, bucket({ 'Fn::Sub': 'logs-${Environment}' }));
    expect(lower.ids).toEqual(['environmentWithoutPattern']);
    expect(lower.template.Parameters.Environment.AllowedPattern).toBe('^[a-z0-9-]+$');
    const shadowed = runTransform(ID, bucket({ 'Fn::Sub': ['logs-${Environment}', { Environment: 'x' }] }));
    expect(shadowed.template.Parameters.Environment.AllowedPattern).toBe('^[a-zA-Z0-9-]+$');
  });

  it('lists the retention periods CloudWatch Logs accepts, and reports a Default it does not', () => {
    const group = (def: number) => ({
      Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
      Parameters: { Days: { Type: 'Number', Default: def } },
      Resources: { G: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: { 'Fn::If': ['C', { Ref: 'Days' }, 7] } } } },
    });
    const r = runTransform(ID, group(30));
    expect(r.ids).toEqual(['retentionWithoutAllowedValues']);
    expect(r.template.Parameters.Days.AllowedValues).toContain(30);
    expect(runTransform(ID, group(10)).ids).toEqual(['invalidRetentionDefault']);
  });

  it("bounds a Lambda function's memory size and timeout", () => {
    const r = runTransform(ID, {
      Parameters: { Memory: { Type: 'Number', Default: 256 }, Timeout: { Type: 'Number', Default: 1000 } },
      Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: { Ref: 'Memory' }, Timeout: { Ref: 'Timeout' } } } },
    });
    expect(r.ids).toEqual(['lambdaSizingWithoutBounds', 'lambdaSizingDefaultOutOfBounds']);
    expect(r.template.Parameters.Memory).toMatchObject({ MinValue: 128, MaxValue: 10240 });
  });
});

describe('parameter-validation: literals', () => {
  it('shares one parameter per instance type value and skips non-literals', () => {
    const r = runTransform(ID, {
      Conditions: { X: { 'Fn::Equals': ['a', 'b'] } },
      Resources: {
        A: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't3.micro' } },
        B: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't3.micro' } },
        C: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: { 'Fn::If': ['X', 't3.micro', 't3.large'] } } },
        D: { Type: 'AWS::EC2::Instance' },
      },
    });
    expect(r.ids).toEqual(['addParameter', 'hardcodedLiteral', 'hardcodedLiteral']);
    expect(r.findings.slice(1).map((f) => f.pointer)).toEqual(['/Resources/A/Properties/InstanceType', '/Resources/B/Properties/InstanceType']);
    expect(r.template.Parameters).toEqual({
      InstanceType: {
        Type: 'String',
        Default: 't3.micro',
        Description: 'EC2 instance type of A, B',
        AllowedPattern: '^[a-z][a-z0-9-]*\\.[a-z0-9]+$',
        ConstraintDescription: 'Must be an EC2 instance type such as t3.micro.',
      },
    });
    expect(r.template.Resources.B.Properties.InstanceType).toEqual({ Ref: 'InstanceType' });
    expect(r.template.Resources.C.Properties.InstanceType['Fn::If'][1]).toBe('t3.micro');
    expectIdempotent(ID, r);
  });

  it('names a parameter for each VPC and subnet, never reusing a taken name', () => {
    const r = runTransform(ID, {
      Parameters: { VpcCidr: { Type: 'String', Default: '10.9.0.0/16', AllowedPattern: '.*' } },
      Resources: {
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
        Public: { Type: 'AWS::EC2::Subnet', Properties: { CidrBlock: '10.0.1.0/24', VpcId: { Ref: 'Vpc' } } },
        Sink: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'VpcCidr' } } },
      },
    });
    expect(r.template.Resources.Vpc.Properties.CidrBlock).toEqual({ Ref: 'VpcCidr2' });
    expect(r.template.Resources.Public.Properties.CidrBlock).toEqual({ Ref: 'PublicCidr' });
  });

  it('reuses, as an unsafe fix, an unused parameter meant for the literal', () => {
    const t = {
      Parameters: { VpcCIDR: { Type: 'String', Default: '10.0.0.0/16' } },
      Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } } },
    };
    const held = runTransform(ID, t, { unsafe: false });
    expect(held.ids).toEqual(['cidrWithoutPattern', 'literalMeantForParameter']);
    expect(held.findings.map((f) => f.fix)).toEqual(['applied', 'held']);
    expect(runTransform(ID, t).template.Resources.Vpc.Properties.CidrBlock).toEqual({ Ref: 'VpcCIDR' });
  });

  it('leaves literals alone with extractLiterals: false', () => {
    expect(runTransform(ID, { Resources: { V: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } } } }, { options: { extractLiterals: false } }).findings).toEqual([]);
  });
});
