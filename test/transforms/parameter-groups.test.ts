import { describe, expect, it } from 'vitest';
import { classifyParameter, parameterLabel, splitWords } from '../../src/cfn/parameters.js';
import { deepFreeze } from '../../src/cfn/template.js';
import transform from '../../transforms/parameter-groups.js';
import type { Template } from '../../src/types.js';

const run = (t: object) =>
  transform.check({ template: deepFreeze(t) as Template, options: {}, region: undefined, filePath: undefined, format: 'json' });

describe('parameter labels', () => {
  it.each([
    ['VpcCIDR', 'VPC CIDR'],
    ['PublicSubnet1CIDR', 'Public Subnet 1 CIDR'],
    ['EC2InstanceType', 'EC2 Instance Type'],
    ['LatestAmiId', 'Latest AMI ID'],
    ['DBInstanceClass', 'DB Instance Class'],
    ['AllowedSSHIP', 'Allowed SSH IP'],
    ['S3BucketName', 'S3 Bucket Name'],
    ['IPv4Cidr', 'IPv4 CIDR'],
    ['environmentSuffix', 'Environment Suffix'],
    ['NumberOfAZs', 'Number Of AZs'],
    ['KmsKeyArn', 'KMS Key ARN'],
    ['log_retention-days', 'Log Retention Days'],
  ])('%s -> %s', (name, label) => expect(parameterLabel(name)).toBe(label));

  it('keeps digit acronyms together', () => {
    expect(splitWords('Ec2S3Route53')).toEqual(['Ec2', 'S3', 'Route53']);
  });
});

describe('classification', () => {
  const t = deepFreeze({
    Parameters: {
      Stage: { Type: 'String' },
      Thing: { Type: 'String' },
      Size: { Type: 'Number' },
      Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' },
      Owner2: { Type: 'String' },
      Unused: { Type: 'String' },
    },
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: { Ref: 'Thing' } } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: { Ref: 'Size' }, Tags: [{ Key: 'Owner', Value: { Ref: 'Owner2' } }] } },
    },
  }) as unknown as Template;
  it.each([
    ['Stage', 'Environment'],
    ['Thing', 'Network'],
    ['Size', 'Lambda'],
    ['Subnets', 'Network'],
    ['Owner2', 'Environment'],
    ['Unused', 'Other'],
  ])('%s is %s', (name, category) => expect(classifyParameter(t, name)).toBe(category));
});

describe('parameter-groups', () => {
  it('reports a parameter listed twice and still groups the others', () => {
    const findings = run({
      Metadata: {
        'AWS::CloudFormation::Interface': {
          ParameterGroups: [
            { Label: { default: 'A' }, Parameters: ['X'] },
            { Label: { default: 'B' }, Parameters: ['X'] },
          ],
          ParameterLabels: { X: { default: 'x' }, VpcCidr: { default: 'v' } },
        },
      },
      Parameters: { X: { Type: 'String' }, VpcCidr: { Type: 'String' } },
      Resources: { Q: { Type: 'AWS::SQS::Queue' } },
    });
    expect(findings.filter((f) => !f.fix).map((f) => f.message)).toEqual([expect.stringContaining('X is listed 2 times')]);
    expect(findings.find((f) => f.fix)?.fix?.ops).toEqual([
      {
        op: 'add',
        path: '/Metadata/AWS::CloudFormation::Interface/ParameterGroups/-',
        value: { Label: { default: 'Network Configuration' }, Parameters: ['VpcCidr'] },
      },
    ]);
  });

  it('does nothing without parameters and never throws on odd shapes', () => {
    expect(run({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } })).toEqual([]);
    expect(() => run({ Metadata: { 'AWS::CloudFormation::Interface': { ParameterGroups: [null, 3, { Parameters: 'X' }] } }, Parameters: { X: {} }, Resources: {} })).not.toThrow();
    expect(run({ Metadata: [], Parameters: { X: {} }, Resources: {} })[0]?.fix).toBeUndefined();
  });
});
