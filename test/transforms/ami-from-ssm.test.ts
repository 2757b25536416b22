import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'ami-from-ssm';
const SSM_IMAGE_TYPE = 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>';
const AL2023 = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-';
const run = (t: object, options?: Record<string, unknown>) => runTransform(ID, t, options ? { options } : {});
const instance = (props: object) => ({ Type: 'AWS::EC2::Instance', Properties: props });
const image = (r: ReturnType<typeof run>, id = 'A') => r.template.Resources[id].Properties.ImageId;

describe('ami-from-ssm', () => {
  it.each([
    ['t4g.micro', 'arm64'], ['m6g.large', 'arm64'], ['m7gd.xlarge', 'arm64'], ['c7gn.2xlarge', 'arm64'], ['r8g.medium', 'arm64'],
    ['im4gn.large', 'arm64'], ['is4gen.large', 'arm64'], ['x2gd.large', 'arm64'], ['a1.large', 'arm64'], ['g5g.xlarge', 'arm64'], ['hpc7g.4xlarge', 'arm64'],
    ['t3.micro', 'x86_64'], ['g4dn.xlarge', 'x86_64'], ['g5.xlarge', 'x86_64'], ['c7i-flex.large', 'x86_64'], ['m5zn.large', 'x86_64'], ['p5.48xlarge', 'x86_64'],
    ['db.t3.micro', 'x86_64'],
  ])('takes %s for %s', (type, arch) => {
    const r = run({ Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0', InstanceType: type }) } });
    const name = arch === 'arm64' ? 'LatestAmiIdArm64' : 'LatestAmiId';
    expect(r.ids).toEqual(['literalAmi']);
    expect(image(r)).toEqual({ Ref: name });
    expect(r.template.Parameters[name]).toMatchObject({ Type: SSM_IMAGE_TYPE, Default: AL2023 + arch });
  });

  it('reads the architecture from an instance type parameter', () => {
    const r = run({
      Parameters: { Type: { Type: 'String', Default: 'c7g.large', AllowedValues: ['c7g.large', 'c7g.xlarge'] } },
      Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0', InstanceType: { Ref: 'Type' } }) },
    });
    expect(r.result.operations.map((o) => [o.op, o.path])).toEqual([
      ['add', '/Parameters/LatestAmiIdArm64'],
      ['replace', '/Resources/A/Properties/ImageId'],
    ]);
    expect(image(r)).toEqual({ Ref: 'LatestAmiIdArm64' });
    expectIdempotent(ID, r);
  });

  it('reads the architecture from the launch template an instance launches from', () => {
    const r = run({
      Resources: {
        Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: 't4g.small' } } },
        A: instance({ ImageId: 'ami-0123456789abcdef0', LaunchTemplate: { LaunchTemplateId: { 'Fn::GetAtt': ['Lt', 'LaunchTemplateId'] }, Version: '1' } }),
      },
    });
    expect(image(r)).toEqual({ Ref: 'LatestAmiIdArm64' });
  });

  it('reuses an SSM image parameter of the same architecture and adds one parameter for several instances', () => {
    const reuse = run({
      Parameters: { Ami: { Type: SSM_IMAGE_TYPE, Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64' } },
      Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro' }) },
    });
    expect(reuse.result.operations).toEqual([{ op: 'replace', path: '/Resources/A/Properties/ImageId', value: { Ref: 'Ami' } }]);
    const two = run({ Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0' }), B: instance({ ImageId: 'ami-0fedcba9876543210' }) } });
    expect(Object.keys(two.template.Parameters)).toEqual(['LatestAmiId']);
    expect([image(two, 'A'), image(two, 'B')]).toEqual([{ Ref: 'LatestAmiId' }, { Ref: 'LatestAmiId' }]);
  });

  it('does not take a name used by a non-SSM parameter, and reports its literal default', () => {
    const r = run({
      Parameters: { LatestAmiId: { Type: 'String', Default: 'ami-0123456789abcdef0' } },
      Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0' }), B: instance({ ImageId: { Ref: 'LatestAmiId' } }) },
    });
    expect(r.ids).toEqual(['literalAmi', 'amiParameterDefault']);
    expect(r.result.operations.map((o) => o.path)).toEqual(['/Parameters/LatestAmiId2', '/Resources/A/Properties/ImageId']);
    expect(image(r, 'B')).toEqual({ Ref: 'LatestAmiId' });
  });

  it('leaves a portable yum-or-apt script alone only when it has no yum/dnf', () => {
    const script = (s: string) => ({ Resources: { A: instance({ ImageId: 'ami-0123456789abcdef0', UserData: { 'Fn::Base64': s } }) } });
    const portable = run(script('if command -v yum; then yum install -y httpd; else apt-get install -y apache2; fi'));
    expect(portable.ids).toEqual(['literalAmi']);
    expect(portable.changed).toBe(true);
    for (const other of ['apt-get install -y apache2', 'echo ECS_CLUSTER=c >> /etc/ecs/ecs.config']) {
      const r = run(script(other));
      expect(r.ids).toEqual(['otherImage']);
      expect(r.changed).toBe(false);
    }
  });

  it('replaces a mapping lookup and removes the mapping nothing reads any more', () => {
    const r = run({
      Mappings: { Images: { 'us-east-1': { AMI: 'ami-0123456789abcdef0' }, 'us-west-2': { AMI: 'ami-0fedcba9876543210' } } },
      Resources: { A: instance({ ImageId: { 'Fn::FindInMap': ['Images', { Ref: 'AWS::Region' }, 'AMI'] } }) },
    });
    expect(image(r)).toEqual({ Ref: 'LatestAmiId' });
    expect(r.template.Mappings).toBeUndefined();
  });

  it('moves an AL2 path to AL2023, in a parameter default or a resolve, unless generation is al2', () => {
    const t = {
      Parameters: { Ami: { Type: SSM_IMAGE_TYPE, Default: '/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2' } },
      Resources: { A: instance({ ImageId: '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2}}' }) },
    };
    const r = run(t);
    expect(r.ids).toEqual(['oldGenerationPath', 'oldGenerationParameter']);
    expect(r.template.Parameters.Ami.Default).toBe(AL2023 + 'arm64');
    expect(image(r)).toBe(`{{resolve:ssm:${AL2023}x86_64}}`);
    expect(run(t, { generation: 'al2' }).findings).toEqual([]);
  });
});
