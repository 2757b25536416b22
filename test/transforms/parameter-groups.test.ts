import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'parameter-groups';
const INTERFACE = 'AWS::CloudFormation::Interface';

describe('parameter-groups: labels', () => {
  const names: Array<[string, string]> = [
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
    // Digit acronyms stay whole.
    ['Ec2S3Route53', 'EC2 S3 Route53'],
  ];
  const r = runTransform(ID, { Parameters: Object.fromEntries(names.map(([n]) => [n, { Type: 'String' }])), Resources: { Q: { Type: 'AWS::SQS::Queue' } } });
  it.each(names)('%s -> %s', (name, label) => {
    expect(r.template.Metadata[INTERFACE].ParameterLabels[name]).toEqual({ default: label });
  });
});

describe('parameter-groups: a new interface', () => {
  it('groups parameters by name, type and use, in the fixed order, and is idempotent', () => {
    const r = runTransform(ID, {
      Parameters: {
        Thing: { Type: 'String' },
        Stage: { Type: 'String' },
        Size: { Type: 'Number' },
        Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' },
        Owner2: { Type: 'String' },
        Unused: { Type: 'String' },
      },
      Resources: {
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: { Ref: 'Thing' } } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: { Ref: 'Size' }, Tags: [{ Key: 'Owner', Value: { Ref: 'Owner2' } }] } },
      },
    });
    expect(r.ids).toEqual(['noInterface']);
    expect(r.findings[0]!.pointer).toBe('/Parameters');
    expect(r.template.Metadata[INTERFACE].ParameterGroups).toEqual([
      { Label: { default: 'Environment Configuration' }, Parameters: ['Stage', 'Owner2'] },
      { Label: { default: 'Network Configuration' }, Parameters: ['Thing', 'Subnets'] },
      { Label: { default: 'Lambda Configuration' }, Parameters: ['Size'] },
      { Label: { default: 'Other Parameters' }, Parameters: ['Unused'] },
    ]);
    expectIdempotent(ID, r);
  });

  it('does nothing without parameters', () => {
    expect(runTransform(ID, { Resources: { Q: { Type: 'AWS::SQS::Queue' } } }).findings).toEqual([]);
  });
});

describe('parameter-groups: an existing interface', () => {
  it('appends to the group that fits and adds missing labels, leaving the rest alone', () => {
    const r = runTransform(ID, {
      Metadata: {
        [INTERFACE]: {
          ParameterGroups: [
            { Label: { default: 'Settings' }, Parameters: ['X'] },
            { Label: { default: 'VPC Settings' } },
          ],
          ParameterLabels: { X: { default: 'x' } },
        },
      },
      Parameters: { X: { Type: 'String' }, VpcCidr: { Type: 'String' }, SubnetCidr: { Type: 'String' }, Project: { Type: 'String' } },
      Resources: { Q: { Type: 'AWS::SQS::Queue' } },
    });
    expect(r.ids).toEqual(['incompleteInterface']);
    expect(r.template.Metadata[INTERFACE]).toEqual({
      ParameterGroups: [
        { Label: { default: 'Settings' }, Parameters: ['X'] },
        { Label: { default: 'VPC Settings' }, Parameters: ['VpcCidr', 'SubnetCidr'] },
        { Label: { default: 'Environment Configuration' }, Parameters: ['Project'] },
      ],
      ParameterLabels: { X: { default: 'x' }, VpcCidr: { default: 'VPC CIDR' }, SubnetCidr: { default: 'Subnet CIDR' }, Project: { default: 'Project' } },
    });
    expect(r.result.operations.filter((op) => op.path.includes('/ParameterGroups/1'))).toHaveLength(1);
  });

  it('reports a parameter listed twice and one the template lacks, and still groups the others', () => {
    const r = runTransform(ID, {
      Metadata: {
        [INTERFACE]: {
          ParameterGroups: [
            { Label: { default: 'A' }, Parameters: ['X', 'Gone'] },
            { Label: { default: 'B' }, Parameters: ['X'] },
          ],
          ParameterLabels: { X: { default: 'x' }, VpcCidr: { default: 'v' } },
        },
      },
      Parameters: { X: { Type: 'String' }, VpcCidr: { Type: 'String' } },
      Resources: { Q: { Type: 'AWS::SQS::Queue' } },
    });
    expect(r.ids).toEqual(['incompleteInterface', 'listedTwice', 'unknownParameter']);
    expect(r.findings.map((f) => f.fix)).toEqual(['applied', 'none', 'none']);
    expect(r.result.operations).toEqual([
      {
        op: 'add',
        path: '/Metadata/AWS::CloudFormation::Interface/ParameterGroups/-',
        value: { Label: { default: 'Network Configuration' }, Parameters: ['VpcCidr'] },
      },
    ]);
  });

  it.each([
    ['metadataNotObject', { Metadata: [] }],
    ['interfaceNotObject', { Metadata: { [INTERFACE]: 'x' } }],
    ['groupsNotList', { Metadata: { [INTERFACE]: { ParameterGroups: 'X', ParameterLabels: { X: { default: 'x' } } } } }],
  ])('reports %s without a fix', (id, extra) => {
    const r = runTransform(ID, { ...extra, Parameters: { X: { Type: 'String' } }, Resources: { Q: { Type: 'AWS::SQS::Queue' } } });
    expect(r.ids).toEqual([id]);
    expect(r.changed).toBe(false);
  });

  it('never fails on odd groups', () => {
    const r = runTransform(ID, {
      Metadata: { [INTERFACE]: { ParameterGroups: [null, 3, { Parameters: 'X' }] } },
      Parameters: { X: { Type: 'String' } },
      Resources: { Q: { Type: 'AWS::SQS::Queue' } },
    });
    expect(r.template.Metadata[INTERFACE].ParameterGroups[3]).toEqual({ Label: { default: 'Other Parameters' }, Parameters: ['X'] });
  });
});
