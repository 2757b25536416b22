import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';
import type { JsonValue } from '../../src/types.js';

const ID = 'elb-log-principal';

function policyWith(principal: JsonValue, extra: Record<string, JsonValue> = {}) {
  return {
    ...extra,
    Resources: {
      B: { Type: 'AWS::S3::Bucket' },
      P: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'B' },
          PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: principal, Action: 's3:PutObject', Resource: '*' }] },
        },
      },
    },
  };
}

const run = (t: unknown, region?: string) => runTransform(ID, t, { region });

describe('elb-log-principal: principals', () => {
  it.each([
    ['bare id', '127311923021'],
    ['arn', 'arn:aws:iam::127311923021:root'],
    ['Sub with partition', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::127311923021:root' }],
    ['Join', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::127311923021:root']] }],
    ['Join with colons', { 'Fn::Join': [':', ['arn', 'aws', 'iam', '', '127311923021', 'root']] }],
  ])('recognises the us-east-1 account written as %s', (_, value) => {
    const r = run(policyWith({ AWS: value as JsonValue }), 'us-west-1');
    expect(r.ids).toEqual(['otherRegionAccount']);
    expect(r.findings[0]!.severity).toBe('critical');
    expect(r.template.Resources.P.Properties.PolicyDocument.Statement[0].Principal).toEqual({ AWS: PORTABLE });
    expect(r.template.Mappings.ElbLogAccounts['us-west-1']).toEqual({ AccountId: '027434742980' });
    expectIdempotent(ID, r, { region: 'us-west-1' });
  });

  it('makes an account portable when the region is unknown, with lower severity', () => {
    const r = run(policyWith({ AWS: ['111122223333', '127311923021', 'arn:aws:iam::027434742980:root'] }));
    expect(r.ids).toEqual(['regionBoundAccount']);
    expect(r.findings[0]!.severity).toBe('high');
    // Other accounts are kept; the ELB accounts become one lookup.
    expect(r.template.Resources.P.Properties.PolicyDocument.Statement[0].Principal).toEqual({ AWS: ['111122223333', PORTABLE] });
  });

  it('replaces the service principal ELB never uses, keeping the others', () => {
    const r = run(policyWith({ Service: ['elasticloadbalancing.amazonaws.com', 'logging.s3.amazonaws.com'] }), 'us-east-1');
    expect(r.ids).toEqual(['wrongServicePrincipal']);
    expect(r.template.Resources.P.Properties.PolicyDocument.Statement[0].Principal).toEqual({ Service: ['logging.s3.amazonaws.com'], AWS: PORTABLE });
  });

  it('grants the log-delivery service principal in a region without an ELB account', () => {
    const r = run(policyWith({ AWS: '127311923021' }), 'ap-southeast-4');
    expect(r.ids).toEqual(['regionWithoutElbAccount']);
    expect(r.template.Resources.P.Properties.PolicyDocument.Statement[0].Principal).toEqual({ Service: ELB_SERVICE });
    expect(r.template.Mappings).toBeUndefined();
  });

  it('leaves the right account of a known region, other accounts and computed principals alone', () => {
    expect(run(policyWith({ AWS: 'arn:aws:iam::027434742980:root' }), 'us-west-1').findings).toEqual([]);
    expect(run(policyWith({ AWS: 'arn:aws:iam::111122223333:root' })).findings).toEqual([]);
    expect(run(policyWith({ AWS: { 'Fn::Sub': 'arn:aws:iam::${AccountParam}:root' } }, { Parameters: { AccountParam: { Type: 'String' } } })).findings).toEqual([]);
    expect(run(policyWith('*')).findings).toEqual([]);
    expect(run(policyWith({ 'Fn::If': ['C', { AWS: '127311923021' }, { Ref: 'AWS::NoValue' }] }, { Conditions: { C: { 'Fn::Equals': ['a', 'b'] } } })).findings).toEqual([]);
  });

  it('reuses an identical ElbLogAccounts mapping and picks a fresh name for a different one', () => {
    const first = run(policyWith({ AWS: '127311923021' }));
    expect(first.result.operations[0]).toMatchObject({ op: 'add', path: '/Mappings' });
    const table = first.template.Mappings.ElbLogAccounts;
    const same = run(policyWith({ AWS: '127311923021' }, { Mappings: { ElbLogAccounts: table } }));
    expect(same.result.operations.map((o) => o.op)).toEqual(['replace']);
    const other = run(policyWith({ AWS: '127311923021' }, { Mappings: { ElbLogAccounts: { 'us-east-1': { AccountId: '1' } } } }));
    expect(other.result.operations[0]).toMatchObject({ op: 'add', path: '/Mappings/ElbLogAccounts2' });
    expect(other.template.Resources.P.Properties.PolicyDocument.Statement[0].Principal.AWS['Fn::Sub'][1].ElbAccount['Fn::FindInMap'][0]).toBe('ElbLogAccounts2');
  });

  it('never throws on odd shapes', () => {
    const odd: unknown[] = [
      { Resources: { P: { Type: 'AWS::S3::BucketPolicy' } } },
      { Resources: { P: { Type: 'AWS::S3::BucketPolicy', Properties: { PolicyDocument: 'text' } } } },
      { Resources: { P: { Type: 'AWS::S3::BucketPolicy', Properties: { PolicyDocument: { Statement: [null, 1, 'x', { Effect: 'Allow', Principal: { AWS: [null, {}] } }] } } } } },
      { Resources: { P: { Type: 'AWS::S3::BucketPolicy', Properties: { PolicyDocument: { Statement: { Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', 'x'] } } } } } } } },
    ];
    for (const t of odd) expect(() => run(t, 'us-west-1')).not.toThrow();
  });
});

// Load balancers that log to S3: the grant they need, under their prefix, in place before they are created.
type Resources = Record<string, Record<string, unknown>>;
const ELB_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';
const PORTABLE = { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${ElbAccount}:root', { ElbAccount: { 'Fn::FindInMap': ['ElbLogAccounts', { Ref: 'AWS::Region' }, 'AccountId'] } }] };

function alb(attributes: Record<string, JsonValue>, extra: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  return {
    Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    ...extra,
    Properties: { Subnets: ['subnet-1', 'subnet-2'], LoadBalancerAttributes: Object.entries(attributes).map(([Key, Value]) => ({ Key, Value })) },
  };
}
const logging = (bucket: JsonValue, prefix?: JsonValue): Record<string, JsonValue> => ({
  'access_logs.s3.enabled': 'true',
  'access_logs.s3.bucket': bucket,
  ...(prefix === undefined ? {} : { 'access_logs.s3.prefix': prefix }),
});
const grant = (principal: JsonValue, resource: JsonValue, sid = 'AllowELBAccessLogs') => ({ Sid: sid, Effect: 'Allow', Principal: principal, Action: 's3:PutObject', Resource: resource });
/** The TLS deny a policy elb-log-principal creates holds besides the grant (as s3-enforce-tls writes it). */
const tlsDeny = (bucket: string) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [{ 'Fn::GetAtt': [bucket, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] }],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});
const objects = (bucket: string, prefix?: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::\${${bucket}}/${prefix ? `${prefix}/` : ''}AWSLogs/\${AWS::AccountId}/*` });

/** The template elb-log-principal alone leaves, run to its fixed point (and stable on a second run). */
function fixed(t: Record<string, unknown>, region?: string) {
  const r = runTransform(ID, t, { region, unsafe: false });
  expectIdempotent(ID, r, { region, unsafe: false });
  return { after: r.template as { Resources: Resources; Mappings?: Record<string, unknown> }, findings: r.findings, ids: r.ids };
}
const statementsOf = (r: Resources, policy: string) => ((r[policy]!['Properties'] as Record<string, unknown>)['PolicyDocument'] as { Statement: unknown[] }).Statement;

describe('elb-log-principal: load balancers writing access logs to S3', () => {
  it('grants the ELB account of the region, through the per-region lookup, under the prefix, in a new policy the load balancer waits for', () => {
    const { after, findings, ids } = fixed({ Resources: { LogsBucket: { Type: 'AWS::S3::Bucket' }, Alb: alb(logging({ Ref: 'LogsBucket' }, 'alb-logs')) } }, 'us-west-1');
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')).toEqual([grant({ AWS: PORTABLE }, objects('LogsBucket', 'alb-logs')), tlsDeny('LogsBucket')]);
    expect((after.Mappings!['ElbLogAccounts'] as Record<string, unknown>)['us-west-1']).toEqual({ AccountId: '027434742980' });
    expect(after.Resources['LogsBucketPolicy']!['Properties']).toMatchObject({ Bucket: { Ref: 'LogsBucket' } });
    expect(after.Resources['Alb']!['DependsOn']).toBe('LogsBucketPolicy');
    expect(findings.map((f) => [f.severity, f.fix])).toEqual([
      ['critical', 'applied'],
      ['high', 'applied'],
    ]);
    expect(ids).toEqual(['noElbGrant', 'notWaitingForPolicy']);
  });

  it('grants the service principal in a region launched after August 2022', () => {
    const { after } = fixed({ Resources: { LogsBucket: { Type: 'AWS::S3::Bucket' }, Alb: alb(logging({ Ref: 'LogsBucket' })) } }, 'ap-southeast-4');
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')).toEqual([grant({ Service: ELB_SERVICE }, objects('LogsBucket')), tlsDeny('LogsBucket')]);
  });

  it('leaves the TLS deny out of a policy it creates for a bucket that opts out of s3-enforce-tls', () => {
    const { after } = fixed(
      { Resources: { LogsBucket: { Type: 'AWS::S3::Bucket', Metadata: { tapfix: { skip: ['s3-enforce-tls'] } } }, Alb: alb(logging({ Ref: 'LogsBucket' })) } },
      'us-east-1',
    );
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')).toEqual([grant({ AWS: PORTABLE }, objects('LogsBucket'))]);
  });

  it('grants the account of the stack region through the ElbLogAccounts mapping when the region is unknown', () => {
    const { after } = fixed({ Resources: { LogsBucket: { Type: 'AWS::S3::Bucket' }, Alb: alb(logging({ Ref: 'LogsBucket' }, 'alb')) } });
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')).toEqual([grant({ AWS: PORTABLE }, objects('LogsBucket', 'alb')), tlsDeny('LogsBucket')]);
    expect((after.Mappings!['ElbLogAccounts'] as Record<string, unknown>)['us-east-1']).toEqual({ AccountId: '127311923021' });
  });

  it('appends the grant to the policy the bucket has, keeping its statements, and merges DependsOn', () => {
    const deny = { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [{ 'Fn::GetAtt': ['LogsBucket', 'Arn'] }, { 'Fn::Sub': '${LogsBucket.Arn}/*' }], Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    const { after } = fixed(
      {
        Resources: {
          LogsBucket: { Type: 'AWS::S3::Bucket' },
          LogsBucketPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'LogsBucket' }, PolicyDocument: { Statement: [deny] } } },
          Gateway: { Type: 'AWS::EC2::InternetGateway' },
          Alb: alb(logging({ Ref: 'LogsBucket' }, 'alb-logs'), { DependsOn: 'Gateway' }),
        },
      },
      'us-east-1',
    );
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')).toEqual([deny, grant({ AWS: PORTABLE }, objects('LogsBucket', 'alb-logs'))]);
    expect(after.Resources['Alb']!['DependsOn']).toEqual(['Gateway', 'LogsBucketPolicy']);
    expect(Object.values(after.Resources).filter((r) => r['Type'] === 'AWS::S3::BucketPolicy')).toHaveLength(1);
  });

  it('adds to a DependsOn list, and adds nothing when the load balancer already waits for the policy through another resource', () => {
    const policy = { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'LogsBucket' }, PolicyDocument: { Statement: [grant({ AWS: 'arn:aws:iam::127311923021:root' }, { 'Fn::Sub': '${LogsBucket.Arn}/*' })] } } };
    const listed = fixed({ Resources: { LogsBucket: { Type: 'AWS::S3::Bucket' }, LogsBucketPolicy: policy, Gateway: { Type: 'AWS::EC2::InternetGateway' }, Alb: alb(logging({ Ref: 'LogsBucket' }), { DependsOn: ['Gateway'] }) } }, 'us-east-1');
    expect(listed.after.Resources['Alb']!['DependsOn']).toEqual(['Gateway', 'LogsBucketPolicy']);
    const through = fixed(
      {
        Resources: {
          LogsBucket: { Type: 'AWS::S3::Bucket' },
          LogsBucketPolicy: policy,
          Gateway: { Type: 'AWS::EC2::InternetGateway', DependsOn: 'LogsBucketPolicy' },
          Alb: alb(logging({ Ref: 'LogsBucket' }), { DependsOn: 'Gateway' }),
        },
      },
      'us-east-1',
    );
    expect(through.findings).toEqual([]);
  });

  it('puts the prefix into a grant that names the bucket without it', () => {
    const join = { 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'LogsBucket' }, '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] };
    const { after, findings, ids } = fixed(
      {
        Resources: {
          LogsBucket: { Type: 'AWS::S3::Bucket' },
          LogsBucketPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'LogsBucket' }, PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::027434742980:root' }, Action: 's3:PutObject', Resource: join }] } } },
          Alb: alb(logging({ Ref: 'LogsBucket' }, 'alb-logs'), { DependsOn: 'LogsBucketPolicy' }),
        },
      },
      'us-west-1',
    );
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')).toEqual([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::027434742980:root' }, Action: 's3:PutObject', Resource: objects('LogsBucket', 'alb-logs') }]);
    expect(ids).toEqual(['grantMissesPrefix']);
    expect(findings[0]!.severity).toBe('critical');
  });

  it('writes a parameter prefix into the grant with Sub', () => {
    const { after } = fixed(
      { Parameters: { LogPrefix: { Type: 'String', Default: 'web' } }, Resources: { LogsBucket: { Type: 'AWS::S3::Bucket' }, Alb: alb(logging({ Ref: 'LogsBucket' }, { Ref: 'LogPrefix' })) } },
      'eu-west-1',
    );
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')[0]).toEqual(grant({ AWS: PORTABLE }, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${LogsBucket}/${LogPrefix}/AWSLogs/${AWS::AccountId}/*' }));
  });

  it('covers the prefixes of every load balancer logging into one bucket in one grant', () => {
    const { after } = fixed(
      { Resources: { LogsBucket: { Type: 'AWS::S3::Bucket' }, Web: alb(logging({ Ref: 'LogsBucket' }, 'web')), Api: alb(logging({ Ref: 'LogsBucket' }, 'api')) } },
      'us-east-1',
    );
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')[0]).toEqual(grant({ AWS: PORTABLE }, [objects('LogsBucket', 'web'), objects('LogsBucket', 'api')]));
    expect([after.Resources['Web']!['DependsOn'], after.Resources['Api']!['DependsOn']]).toEqual(['LogsBucketPolicy', 'LogsBucketPolicy']);
  });

  it('reports a grant to the stack account, which ELB does not deliver as, and adds the real one', () => {
    const own = { Sid: 'AllowALBAccess', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:root' } }, Action: ['s3:PutObject'], Resource: { 'Fn::Sub': '${LogsBucket.Arn}/*' } };
    const { after, findings, ids } = fixed(
      {
        Resources: {
          LogsBucket: { Type: 'AWS::S3::Bucket' },
          LogsBucketPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'LogsBucket' }, PolicyDocument: { Statement: [own] } } },
          Alb: alb(logging({ Ref: 'LogsBucket' }), { DependsOn: 'LogsBucketPolicy' }),
        },
      },
      'us-east-1',
    );
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')).toEqual([own, grant({ AWS: PORTABLE }, objects('LogsBucket'))]);
    expect(ids).toEqual(['stackAccountGrant', 'noElbGrant']);
    const report = findings.find((f) => f.fix === 'none')!;
    expect(report.pointer).toBe('/Resources/LogsBucketPolicy/Properties/PolicyDocument/Statement/0/Principal');
  });

  it('grants a Classic Load Balancer its AccessLoggingPolicy bucket and prefix, the bucket named by its BucketName', () => {
    const { after } = fixed(
      {
        Resources: {
          LogsBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': 'logs-${AWS::AccountId}' } } },
          Elb: {
            Type: 'AWS::ElasticLoadBalancing::LoadBalancer',
            Properties: { Listeners: [], AccessLoggingPolicy: { Enabled: true, S3BucketName: { 'Fn::Sub': 'logs-${AWS::AccountId}' }, S3BucketPrefix: 'classic' } },
          },
        },
      },
      'us-east-2',
    );
    expect(statementsOf(after.Resources, 'LogsBucketPolicy')[0]).toEqual(grant({ AWS: PORTABLE }, objects('LogsBucket', 'classic')));
    expect(after.Resources['Elb']!['DependsOn']).toBe('LogsBucketPolicy');
  });

  it('reports a bucket outside the template, and leaves disabled logging and network load balancers alone', () => {
    const outside = fixed({ Parameters: { LogBucketName: { Type: 'String' } }, Resources: { Alb: alb(logging({ Ref: 'LogBucketName' })) } }, 'us-east-1');
    expect(outside.ids).toEqual(['externalLogBucket']);
    expect(outside.findings.map((f) => [f.fix, f.pointer])).toEqual([['none', '/Resources/Alb/Properties/LoadBalancerAttributes/1/Value']]);
    const quiet = fixed(
      {
        Resources: {
          LogsBucket: { Type: 'AWS::S3::Bucket' },
          Off: alb({ ...logging({ Ref: 'LogsBucket' }), 'access_logs.s3.enabled': 'false' }),
          Nlb: { ...alb(logging({ Ref: 'LogsBucket' })), Properties: { Type: 'network', LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { Ref: 'LogsBucket' } }] } },
        },
      },
      'us-east-1',
    );
    expect(quiet.findings).toEqual([]);
  });

  it('does not make the load balancer wait for a policy that names it', () => {
    const { after, findings, ids } = fixed(
      {
        Resources: {
          LogsBucket: { Type: 'AWS::S3::Bucket' },
          LogsBucketPolicy: {
            Type: 'AWS::S3::BucketPolicy',
            Properties: {
              Bucket: { Ref: 'LogsBucket' },
              PolicyDocument: { Statement: [{ ...grant({ Service: ELB_SERVICE }, objects('LogsBucket')), Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'Alb' } } } }] },
            },
          },
          Alb: alb(logging({ Ref: 'LogsBucket' })),
        },
      },
      'us-east-1',
    );
    expect(after.Resources['Alb']!['DependsOn']).toBeUndefined();
    expect(ids).toEqual(['cannotWaitForPolicy']);
    expect(findings.map((f) => f.fix)).toEqual(['none']);
  });

  it('leaves a complete setup alone', () => {
    const t = {
      Resources: {
        LogsBucket: { Type: 'AWS::S3::Bucket' },
        LogsBucketPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'LogsBucket' }, PolicyDocument: { Statement: [grant({ AWS: 'arn:aws:iam::127311923021:root' }, { 'Fn::Sub': '${LogsBucket.Arn}/alb/*' })] } } },
        Alb: alb(logging({ Ref: 'LogsBucket' }, 'alb'), { DependsOn: 'LogsBucketPolicy' }),
      },
    };
    expect(run(t, 'us-east-1').findings).toEqual([]);
  });

  it('never throws on odd load balancer shapes', () => {
    const odd: unknown[] = [
      { Resources: { L: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { LoadBalancerAttributes: 'x' } } } },
      { Resources: { L: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { LoadBalancerAttributes: [null, { Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { 'Fn::If': ['C', 'a', 'b'] } }] } } } },
      { Resources: { L: { Type: 'AWS::ElasticLoadBalancing::LoadBalancer', Properties: { AccessLoggingPolicy: { Enabled: true, S3BucketName: [] } } } } },
      { Resources: { B: { Type: 'AWS::S3::Bucket' }, L: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', DependsOn: { x: 1 }, Properties: { LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: true }, { Key: 'access_logs.s3.bucket', Value: { Ref: 'B' } }, { Key: 'access_logs.s3.prefix', Value: { 'Fn::If': ['C', 'a', { Ref: 'AWS::NoValue' }] } }] } } } },
      { Resources: { B: { Type: 'AWS::S3::Bucket' }, P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { 'Fn::If': ['C', {}, {}] } } }, L: { Type: 'AWS::ElasticLoadBalancing::LoadBalancer', Properties: { AccessLoggingPolicy: { Enabled: 'true', S3BucketName: { Ref: 'B' } } } } } },
    ];
    for (const t of odd) for (const region of ['us-west-1', 'ap-southeast-4', undefined]) expect(() => run(t, region)).not.toThrow();
  });
});

describe('elb-log-principal with the other transforms that write bucket policies', () => {
  const others = ['s3-access-logging', 's3-enforce-tls', 's3-customer-managed-key'];
  const kms = { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] };
  const template = {
    Resources: {
      DataBucket: { Type: 'AWS::S3::Bucket', Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: 'LogsBucket' }, LogFilePrefix: 'data/' } } },
      LogsBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: kms } },
      Alb: alb(logging({ Ref: 'LogsBucket' }, 'alb-logs')),
    },
  };
  const sids = (r: Resources, policy: string) => statementsOf(r, policy).map((s) => (s as { Sid: string }).Sid);
  /** Runs `first` with `rest` alongside, the engine's way (one pipeline). */
  const pipeline = (input: unknown, [first, ...rest]: string[]) => runTransform(first!, input, { region: 'us-east-1', with: rest });

  it.each([
    ['all at once', [[ID, ...others]]],
    ['elb-log-principal first, the others on its output', [[ID], others]],
    ['the others first, elb-log-principal on their output', [others, [ID]]],
  ])('one policy per bucket holds every grant and the TLS deny (%s)', (_, runs) => {
    let input: unknown = template;
    for (const ids of runs) input = pipeline(input, ids).output;
    const after = JSON.parse(input as string) as { Resources: Resources };
    const policies = Object.entries(after.Resources)
      .filter(([, r]) => r['Type'] === 'AWS::S3::BucketPolicy')
      .sort(([a], [b]) => a.localeCompare(b));
    expect(policies.map(([id, r]) => [id, (r['Properties'] as Record<string, unknown>)['Bucket']])).toEqual([
      ['DataBucketPolicy', { Ref: 'DataBucket' }],
      ['LogsBucketPolicy', { Ref: 'LogsBucket' }],
    ]);
    expect(sids(after.Resources, 'LogsBucketPolicy').sort()).toEqual(['AllowELBAccessLogs', 'AllowS3ServerAccessLogs', 'DenyInsecureTransport']);
    expect(after.Resources['Alb']!['DependsOn']).toBe('LogsBucketPolicy');
    expect(JSON.stringify(after.Resources['LogsBucket'])).toContain('"SSEAlgorithm":"AES256"');
    expect(pipeline(input, [ID, ...others]).changed).toBe(false);
  });
});

describe('elb-log-principal on a template whose region only a hard-coded zone gives', () => {
  it('writes a grant the next run, with the zone fixed and the region unknown, leaves alone', () => {
    const template = {
      Resources: {
        Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', AvailabilityZone: 'us-east-1a' } },
        LogsBucket: { Type: 'AWS::S3::Bucket' },
        Alb: alb(logging({ Ref: 'LogsBucket' }, 'alb')),
      },
    };
    const first = runTransform(ID, template, { with: ['az-dynamic'] });
    expect(first.findings.map((f) => f.fix)).toEqual(['applied', 'applied']);
    expect(runTransform(ID, first.output, { with: ['az-dynamic'] }).changed).toBe(false);
  });
});

// Where ELB writes and what a grant's Resource covers, through the engine: a grant that covers the
// load balancer's prefix gives no finding, one that does not is corrected.
describe('elb-log-principal: prefixes and the objects a grant covers', () => {
  const setup = (resource: JsonValue, prefix?: JsonValue) => ({
    Parameters: { Env: { Type: 'String' } },
    Resources: {
      Logs: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': 'logs-${AWS::AccountId}' } } },
      LogsPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Logs' }, PolicyDocument: { Statement: [grant({ AWS: 'arn:aws:iam::127311923021:root' }, resource)] } } },
      Alb: alb(logging({ Ref: 'Logs' }, prefix), { DependsOn: 'LogsPolicy' }),
    },
  });
  const covered = (resource: JsonValue, prefix?: JsonValue) => {
    const r = runTransform(ID, setup(resource, prefix), { region: 'us-east-1' });
    expect(r.ids.every((id) => id === 'grantMissesPrefix')).toBe(true);
    return r.ids.length === 0;
  };

  it('matches the test object under the prefix, the account and the bucket given any way', () => {
    expect(covered({ 'Fn::Sub': '${Logs.Arn}/*' }, 'alb')).toBe(true);
    expect(covered({ 'Fn::Sub': 'arn:aws:s3:::${Logs}/alb/AWSLogs/${AWS::AccountId}/*' }, 'alb')).toBe(true);
    expect(covered({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::logs-${AWS::AccountId}/alb/AWSLogs/123456789012/*' }, 'alb/')).toBe(true);
    expect(covered({ 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'Logs' }, '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] }, 'alb')).toBe(false);
    expect(covered({ 'Fn::Sub': '${Logs.Arn}/AWSLogs/*' })).toBe(true);
    expect(covered({ 'Fn::Sub': '${Logs.Arn}/alb/*' }, { 'Fn::If': ['C', 'a', 'b'] })).toBe(false);
    expect(covered({ 'Fn::Sub': '${Logs.Arn}/*AWSLogs/${AWS::AccountId}/*' }, { 'Fn::If': ['C', 'a', 'b'] })).toBe(true);
    expect(covered({ 'Fn::GetAtt': ['Logs', 'Arn'] })).toBe(false);
    expect(covered('arn:aws:s3:::other-bucket/*')).toBe(false);
    expect(covered('*', 'alb')).toBe(true);
    expect(covered({ 'Fn::Sub': '${Logs.Arn}/${Env}/AWSLogs/${AWS::AccountId}/*' }, { Ref: 'Env' })).toBe(true);
  });

  it('writes the prefix as Sub text: literal, parameter, a Sub of parameters; any prefix when it cannot be read', () => {
    const written = (prefix?: JsonValue) => {
      const r = runTransform(ID, { Parameters: { Env: { Type: 'String' } }, Resources: { Logs: { Type: 'AWS::S3::Bucket' }, Alb: alb(logging({ Ref: 'Logs' }, prefix)) } }, { region: 'us-east-1' });
      return r.template.Resources.LogsPolicy.Properties.PolicyDocument.Statement[0].Resource['Fn::Sub'];
    };
    const arn = (keys: string) => `arn:\${AWS::Partition}:s3:::\${Logs}/${keys}AWSLogs/\${AWS::AccountId}/*`;
    expect(written()).toBe(arn(''));
    expect(written('alb/')).toBe(arn('alb/'));
    expect(written({ Ref: 'Env' })).toBe(arn('${Env}/'));
    expect(written({ 'Fn::Sub': '${Env}/alb' })).toBe(arn('${Env}/alb/'));
    expect(written({ 'Fn::Sub': '${Logs}/alb' })).toBe(arn('*'));
    expect(written({ 'Fn::If': ['C', 'a', 'b'] })).toBe(arn('*'));
  });
});
