import { describe, expect, it } from 'vitest';
import transform from '../../transforms/ami-from-ssm.js';
import { archOfInstanceType } from '../../src/cfn/compute.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { JsonObject, Template } from '../../src/types.js';

const run = (t: JsonObject, options: Record<string, unknown> = {}) =>
  transform.check({ template: deepFreeze(t) as unknown as Template, options: { style: 'parameter', generation: 'al2023', ...options }, region: undefined, filePath: undefined, format: 'json' });
const instance = (props: JsonObject): JsonObject => ({ Type: 'AWS::EC2::Instance', Properties: props });

describe('archOfInstanceType', () => {
  it.each([
    ['t4g.micro', 'arm64'], ['m6g.large', 'arm64'], ['m7gd.xlarge', 'arm64'], ['c7gn.2xlarge', 'arm64'], ['r8g.medium', 'arm64'],
    ['im4gn.large', 'arm64'], ['is4gen.large', 'arm64'], ['x2gd.large', 'arm64'], ['a1.large', 'arm64'], ['g5g.xlarge', 'arm64'], ['hpc7g.4xlarge', 'arm64'],
    ['t3.micro', 'x86_64'], ['g4dn.xlarge', 'x86_64'], ['g5.xlarge', 'x86_64'], ['c7i-flex.large', 'x86_64'], ['m5zn.large', 'x86_64'], ['p5.48xlarge', 'x86_64'],
  ])('%s is %s', (type, arch) => expect(archOfInstanceType(type)).toBe(arch));
  it('is undefined for what is not an instance type', () => expect(archOfInstanceType('db.t3.micro')).toBeUndefined());
});

describe('ami-from-ssm', () => {
  it('reads the architecture from an instance type parameter', () => {
    const t = {
      Parameters: { Type: { Type: 'String', Default: 'c7g.large', AllowedValues: ['c7g.large', 'c7g.xlarge'] } },
      Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0', InstanceType: { Ref: 'Type' } }) },
    };
    const ops = run(t).flatMap((f) => f.fix?.ops ?? []);
    expect(ops[0]).toMatchObject({ op: 'add', path: '/Parameters/LatestAmiIdArm64' });
    expect(ops[1]).toEqual({ op: 'replace', path: '/Resources/A/Properties/ImageId', value: { Ref: 'LatestAmiIdArm64' } });
  });

  it('reuses an SSM image parameter of the same architecture and adds one parameter for several instances', () => {
    const reuse = {
      Parameters: { Ami: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64' } },
      Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro' }) },
    };
    expect(run(reuse).flatMap((f) => f.fix?.ops ?? [])).toEqual([{ op: 'replace', path: '/Resources/A/Properties/ImageId', value: { Ref: 'Ami' } }]);
    const two = { Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0' }), B: instance({ ImageId: 'ami-0fedcba9876543210' }) } };
    const ops = run(two).flatMap((f) => f.fix?.ops ?? []);
    expect(ops.filter((o) => o.path.startsWith('/Parameters'))).toHaveLength(1);
  });

  it('does not take a name used by a non-SSM parameter', () => {
    const t = {
      Parameters: { LatestAmiId: { Type: 'String', Default: 'ami-0123456789abcdef0' } },
      Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0' }) },
    };
    const ops = run(t).flatMap((f) => f.fix?.ops ?? []);
    expect(ops.map((o) => o.path)).toEqual(['/Parameters/LatestAmiId2', '/Resources/A/Properties/ImageId']);
  });

  it('leaves a portable yum-or-apt script alone only when it has no yum/dnf', () => {
    const script = (s: string) => instance({ ImageId: 'ami-0123456789abcdef0', UserData: { 'Fn::Base64': s } });
    expect(run({ Resources: { A: script('if command -v yum; then yum install -y httpd; else apt-get install -y apache2; fi') } })[0]!.fix).toBeDefined();
    expect(run({ Resources: { A: script('apt-get install -y apache2') } })[0]!.fix).toBeUndefined();
    expect(run({ Resources: { A: script('echo ECS_CLUSTER=c >> /etc/ecs/ecs.config') } })[0]!.fix).toBeUndefined();
  });

  it('moves an AL2 parameter default to AL2023 unless generation is al2', () => {
    const t = { Parameters: { Ami: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2' } }, Resources: {} };
    expect(run(t).flatMap((f) => f.fix?.ops ?? [])).toEqual([
      { op: 'replace', path: '/Parameters/Ami/Default', value: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' },
    ]);
    expect(run(t, { generation: 'al2' })).toEqual([]);
  });
});
