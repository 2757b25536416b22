import { describe, expect, it } from 'vitest';
import { DB_INSTANCE_CLASS_PATTERN, INSTANCE_TYPE_PATTERN, IPV4_CIDR_PATTERN, matchesPattern } from '../../src/cfn/parameters.js';
import { deepFreeze } from '../../src/cfn/template.js';
import transform from '../../transforms/parameter-validation.js';
import type { Template } from '../../src/types.js';

const run = (t: object, options: Record<string, unknown> = { extractLiterals: true }) =>
  transform.check({ template: deepFreeze(t) as Template, options, region: undefined, filePath: undefined, format: 'json' });

describe('patterns', () => {
  it('accepts exactly the IPv4 CIDR blocks', () => {
    for (const ok of ['0.0.0.0/0', '10.0.0.0/16', '255.255.255.255/32', '172.31.0.0/20', '100.64.0.0/10']) expect(matchesPattern(IPV4_CIDR_PATTERN, ok)).toBe(true);
    for (const bad of ['10.0.0.0/33', '256.0.0.0/8', '10.0.0/16', '10.0.0.0', '01.0.0.0/8', '10.0.0.0/016', ' 10.0.0.0/16', '10.0.0.0/16,10.1.0.0/16'])
      expect(matchesPattern(IPV4_CIDR_PATTERN, bad)).toBe(false);
  });
  it('accepts instance types and DB classes, not typos', () => {
    for (const ok of ['t3.micro', 'm7i-flex.large', 'u-6tb1.metal', 'c6gn.16xlarge']) expect(matchesPattern(INSTANCE_TYPE_PATTERN, ok)).toBe(true);
    for (const bad of ['T3.micro', 't3micro', 'db.t3.micro']) expect(matchesPattern(INSTANCE_TYPE_PATTERN, bad)).toBe(false);
    for (const ok of ['db.t3.micro', 'db.serverless', 'db.r5.large.tpc2.mem4x']) expect(matchesPattern(DB_INSTANCE_CLASS_PATTERN, ok)).toBe(true);
    expect(matchesPattern(DB_INSTANCE_CLASS_PATTERN, 't3.micro')).toBe(false);
  });
  it('uses only syntax Java and JavaScript read alike (no lookaround, no \\d, no named groups)', () => {
    for (const p of [IPV4_CIDR_PATTERN, INSTANCE_TYPE_PATTERN, DB_INSTANCE_CLASS_PATTERN]) expect(p).not.toMatch(/\(\?|\\d|\\p/);
  });
});

describe('parameter-validation', () => {
  it('never adds a pattern the Default fails', () => {
    const findings = run({
      Parameters: { Environment: { Type: 'String', Default: 'prod_1' }, VpcCidr: { Type: 'String', Default: '10.0.0.0/33' } },
      Resources: {},
    });
    expect(findings.filter((f) => f.fix)).toEqual([]);
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('not a valid IPv4 CIDR block')]);
  });

  it('shares one parameter per instance type value and skips non-literals', () => {
    const findings = run({
      Resources: {
        A: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't3.micro' } },
        B: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't3.micro' } },
        C: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: { 'Fn::If': ['X', 't3.micro', 't3.large'] } } },
        D: { Type: 'AWS::EC2::Instance' },
      },
    });
    const added = findings.flatMap((f) => f.fix?.ops ?? []).filter((op) => op.path.startsWith('/Parameters'));
    expect(added).toHaveLength(1);
    expect(findings.filter((f) => f.pointer.startsWith('/Resources')).map((f) => f.pointer)).toEqual([
      '/Resources/A/Properties/InstanceType',
      '/Resources/B/Properties/InstanceType',
    ]);
  });

  it('leaves literals alone with extractLiterals: false', () => {
    expect(run({ Resources: { V: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } } } }, { extractLiterals: false })).toEqual([]);
  });
});
