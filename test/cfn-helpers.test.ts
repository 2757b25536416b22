import { describe, expect, it } from 'vitest';
import jsonpatch from 'fast-json-patch';
import type { JsonValue, Operation, Template } from '../src/types.js';
import { dependsOnResource } from '../src/cfn/graph.js';
import { escapePointerSegment, getAt, parsePointer, pointer, unescapePointerSegment } from '../src/cfn/pointer.js';
import {
  allReferences,
  danglingReferences,
  deepFreeze,
  intrinsicName,
  isIntrinsic,
  namesLeftUnused,
  parseSubVariables,
  referencesTo,
  resourcesOfType,
  templateRegion,
} from '../src/cfn/template.js';
import { CLOUDWATCH_LOG_RETENTION_DAYS, LOG_RETENTION_PARAMETER } from '../src/cfn/logs.js';
import { ENVIRONMENT_SUFFIX_PARAMETER, ensureParameter, freshLogicalId, type PendingParameters } from '../src/cfn/naming.js';
import {
  allRegions,
  amazonLinuxSsmPath,
  elbAccountIds,
  elbLogDeliveryServicePrincipal,
  isKnownServiceAccount,
  partitionOf,
  regionFacts,
} from '../src/cfn/regions.js';

function tpl(t: Record<string, unknown>): Template {
  return deepFreeze(structuredClone(t)) as unknown as Template;
}

function apply(t: Template, ops: Operation[]): Record<string, JsonValue> {
  const doc = structuredClone(t) as unknown as Record<string, JsonValue>;
  return jsonpatch.applyPatch(doc, ops as jsonpatch.Operation[], true).newDocument;
}

describe('pointer', () => {
  it('escapes ~ and / per RFC 6901', () => {
    expect(escapePointerSegment('a/b~c')).toBe('a~1b~0c');
    expect(escapePointerSegment('~1')).toBe('~01');
    expect(unescapePointerSegment('~01')).toBe('~1');
    expect(pointer('Resources', 'My/Bucket', 'Properties', 0)).toBe('/Resources/My~1Bucket/Properties/0');
    expect(pointer()).toBe('');
    expect(parsePointer('/Resources/My~1Bucket/a~0b/~01')).toEqual(['Resources', 'My/Bucket', 'a~b', '~1']);
    expect(parsePointer('')).toEqual([]);
    expect(() => parsePointer('Resources')).toThrow();
  });

  it('round-trips arbitrary segments', () => {
    const segs = ['', '~', '/', '~/~1/~0', 'Fn::Sub', 'a b'];
    expect(parsePointer(pointer(...segs))).toEqual(segs);
  });

  it('getAt follows objects and arrays', () => {
    const doc = { 'a/b': { 'c~d': [10, { e: null }] } };
    expect(getAt(doc, '')).toBe(doc);
    expect(getAt(doc, '/a~1b/c~0d/0')).toBe(10);
    expect(getAt(doc, '/a~1b/c~0d/1/e')).toBeNull();
    expect(getAt(doc, '/a~1b/c~0d/2')).toBeUndefined();
    expect(getAt(doc, '/a~1b/c~0d/-')).toBeUndefined();
    expect(getAt(doc, '/a~1b/c~0d/01')).toBeUndefined();
    expect(getAt(doc, '/x/y')).toBeUndefined();
    expect(getAt(doc, '/a~1b/constructor')).toBeUndefined();
  });
});

describe('intrinsics', () => {
  it('recognises one-key Ref / Condition / Fn:: objects', () => {
    expect(isIntrinsic({ Ref: 'X' })).toBe(true);
    expect(intrinsicName({ 'Fn::GetAtt': ['A', 'Arn'] })).toBe('Fn::GetAtt');
    expect(intrinsicName({ Condition: 'C' })).toBe('Condition');
    expect(isIntrinsic({ Ref: 'X', Other: 1 })).toBe(false);
    expect(isIntrinsic({ Name: 'X' })).toBe(false);
    expect(isIntrinsic(['Ref'])).toBe(false);
    expect(isIntrinsic('Ref')).toBe(false);
    expect(isIntrinsic(null)).toBe(false);
  });

  it('parses Sub variables, skipping ${!Literal}', () => {
    expect(parseSubVariables('${A}-${!Lit}-${ B.Arn }-${AWS::Region}-$x-${}')).toEqual(['A', 'B.Arn', 'AWS::Region']);
  });
});

const refTemplate = tpl({
  Parameters: { Env: { Type: 'String' } },
  Mappings: { RegionMap: { 'us-west-1': { Ami: 'ami-1' } } },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
    IsProdAndWest: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-west-1'] }] },
  },
  Resources: {
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    'My/Bucket': {
      Type: 'AWS::S3::Bucket',
      Condition: 'IsProd',
      DependsOn: ['Key', 'Role'],
      Properties: {
        BucketName: { 'Fn::Sub': '${AWS::StackName}-${Env}-${!Literal}' },
        KmsArn: { 'Fn::GetAtt': 'Key.Arn' },
      },
    },
    Role: {
      Type: 'AWS::IAM::Role',
      DependsOn: 'Key',
      Properties: {
        Arn: { 'Fn::GetAtt': ['Key', 'Arn'] },
        Policy: {
          'Fn::Sub': [
            'arn:${AWS::Partition}:s3:::${BucketName}/${Key.Arn}/${Local}',
            { BucketName: { Ref: 'My/Bucket' }, Local: 'x' },
          ],
        },
        Statement: { Condition: { StringEquals: { a: 'b' } } },
        Ami: { 'Fn::FindInMap': ['RegionMap', { Ref: 'AWS::Region' }, 'Ami'] },
        Maybe: { 'Fn::If': ['IsProdAndWest', { Ref: 'Key' }, { Ref: 'AWS::NoValue' }] },
      },
    },
  },
  Outputs: {
    BucketOut: { Condition: 'IsProd', Value: { 'Fn::GetAtt': 'My/Bucket.DomainName' } },
  },
});

describe('references', () => {
  it('finds every form with pointers', () => {
    const refs = allReferences(refTemplate);
    expect(refs).toEqual([
      { kind: 'Ref', target: 'Env', pointer: '/Conditions/IsProd/Fn::Equals/0' },
      { kind: 'Condition', target: 'IsProd', pointer: '/Conditions/IsProdAndWest/Fn::And/0' },
      { kind: 'Ref', target: 'AWS::Region', pointer: '/Conditions/IsProdAndWest/Fn::And/1/Fn::Equals/0' },
      { kind: 'Condition', target: 'IsProd', pointer: '/Resources/My~1Bucket/Condition' },
      { kind: 'DependsOn', target: 'Key', pointer: '/Resources/My~1Bucket/DependsOn/0' },
      { kind: 'DependsOn', target: 'Role', pointer: '/Resources/My~1Bucket/DependsOn/1' },
      { kind: 'Sub', target: 'AWS::StackName', pointer: '/Resources/My~1Bucket/Properties/BucketName' },
      { kind: 'Sub', target: 'Env', pointer: '/Resources/My~1Bucket/Properties/BucketName' },
      { kind: 'GetAtt', target: 'Key', attribute: 'Arn', pointer: '/Resources/My~1Bucket/Properties/KmsArn' },
      { kind: 'DependsOn', target: 'Key', pointer: '/Resources/Role/DependsOn' },
      { kind: 'GetAtt', target: 'Key', attribute: 'Arn', pointer: '/Resources/Role/Properties/Arn' },
      { kind: 'Sub', target: 'AWS::Partition', pointer: '/Resources/Role/Properties/Policy' },
      { kind: 'Sub', target: 'Key', attribute: 'Arn', pointer: '/Resources/Role/Properties/Policy' },
      { kind: 'Ref', target: 'My/Bucket', pointer: '/Resources/Role/Properties/Policy/Fn::Sub/1/BucketName' },
      { kind: 'FindInMap', target: 'RegionMap', pointer: '/Resources/Role/Properties/Ami' },
      { kind: 'Ref', target: 'AWS::Region', pointer: '/Resources/Role/Properties/Ami/Fn::FindInMap/1' },
      { kind: 'Condition', target: 'IsProdAndWest', pointer: '/Resources/Role/Properties/Maybe' },
      { kind: 'Ref', target: 'Key', pointer: '/Resources/Role/Properties/Maybe/Fn::If/1' },
      { kind: 'Ref', target: 'AWS::NoValue', pointer: '/Resources/Role/Properties/Maybe/Fn::If/2' },
      { kind: 'Condition', target: 'IsProd', pointer: '/Outputs/BucketOut/Condition' },
      { kind: 'GetAtt', target: 'My/Bucket', attribute: 'DomainName', pointer: '/Outputs/BucketOut/Value' },
    ]);
    // Every pointer addresses a real node.
    for (const r of refs) expect(getAt(refTemplate, r.pointer)).not.toBeUndefined();
  });

  it('does not count Sub-map variables, ${!Literal} or a property named Condition', () => {
    const targets = allReferences(refTemplate).map((r) => r.target);
    expect(targets).not.toContain('BucketName');
    expect(targets).not.toContain('Local');
    expect(targets).not.toContain('Literal');
    expect(allReferences(refTemplate).filter((r) => r.pointer.includes('Statement'))).toEqual([]);
  });

  it('keeps the full GetAtt attribute of a dotted string form', () => {
    const t = tpl({ Resources: { Db: { Type: 'AWS::RDS::DBInstance' }, X: { Type: 'T', Properties: { A: { 'Fn::GetAtt': 'Db.Endpoint.Address' } } } } });
    expect(allReferences(t)).toEqual([{ kind: 'GetAtt', target: 'Db', attribute: 'Endpoint.Address', pointer: '/Resources/X/Properties/A' }]);
  });

  it('reuses the references of a resource a fix left alone, and not those of one moved to another id', async () => {
    const { applyOperations } = await import('../src/engine/patch.js');
    const before = tpl({
      Resources: {
        A: { Type: 'T', Properties: { X: { Ref: 'B' } } },
        B: { Type: 'T', Properties: { Y: { 'Fn::GetAtt': ['A', 'Arn'] } } },
      },
    });
    const first = allReferences(before);
    const next = deepFreeze(applyOperations(before as unknown as JsonValue, [{ op: 'add', path: '/Resources/B/Properties/Z', value: { Ref: 'A' } }])) as unknown as Template;
    const second = allReferences(next);
    expect(second.map((r) => `${r.kind} ${r.target} ${r.pointer}`)).toEqual([
      'Ref B /Resources/A/Properties/X',
      'GetAtt A /Resources/B/Properties/Y',
      'Ref A /Resources/B/Properties/Z',
    ]);
    expect(second[0]).toBe(first[0]); // resource A is the same object in both states
    const moved = deepFreeze({ Resources: { C: before.Resources['A'], B: next.Resources['B'] } }) as unknown as Template;
    expect(allReferences(moved)[0]).toEqual({ kind: 'Ref', target: 'B', pointer: '/Resources/C/Properties/X' });
  });

  it('referencesTo filters by target and the result is safe to mutate', () => {
    const toKey = referencesTo(refTemplate, 'Key');
    expect(toKey.map((r) => r.kind)).toEqual(['DependsOn', 'GetAtt', 'DependsOn', 'GetAtt', 'Sub', 'Ref']);
    toKey.length = 0;
    expect(referencesTo(refTemplate, 'Key')).toHaveLength(6);
    expect(referencesTo(refTemplate, 'IsProd')).toHaveLength(3);
  });

  it('resourcesOfType keeps template order', () => {
    expect(resourcesOfType(refTemplate, 'AWS::IAM::Role', 'AWS::KMS::Key').map((r) => [r.id, r.pointer])).toEqual([
      ['Key', '/Resources/Key'],
      ['Role', '/Resources/Role'],
    ]);
    expect(resourcesOfType(refTemplate, 'AWS::S3::Bucket')[0]!.pointer).toBe('/Resources/My~1Bucket');
    expect(resourcesOfType(refTemplate)).toHaveLength(3);
    expect(resourcesOfType(refTemplate, 'AWS::SNS::Topic')).toEqual([]);
  });
});

describe('dependsOnResource', () => {
  const t = deepFreeze({
    Conditions: { Prod: { 'Fn::Equals': ['a', 'b'] } },
    Resources: {
      Key: { Type: 'AWS::KMS::Key' },
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
      Distribution: { Type: 'AWS::CloudFront::Distribution', Properties: { DomainName: { 'Fn::Sub': '${Bucket.RegionalDomainName}' } } },
      Waiter: { Type: 'AWS::CloudFormation::WaitConditionHandle', DependsOn: 'Distribution' },
      Other: { Type: 'AWS::S3::Bucket', Condition: 'Prod', Properties: { Name: { 'Fn::If': ['Prod', 'x', { Ref: 'AWS::NoValue' }] } } },
    },
    Outputs: { K: { Value: { Ref: 'Waiter' } } },
  }) as unknown as Template;

  it('follows GetAtt, Sub and DependsOn through other resources', () => {
    expect(dependsOnResource(t, 'Bucket', 'Key')).toBe(true);
    expect(dependsOnResource(t, 'Distribution', 'Key')).toBe(true);
    expect(dependsOnResource(t, 'Waiter', 'Key')).toBe(true);
    expect(dependsOnResource(t, 'Key', 'Bucket')).toBe(false);
  });

  it('ignores conditions and outputs, and adds the edges a fix is about to create', () => {
    expect(dependsOnResource(t, 'Other', 'Key')).toBe(false);
    expect(dependsOnResource(t, 'Other', 'Key', new Map([['Other', ['Bucket']]]))).toBe(true);
  });
});

describe('danglingReferences', () => {
  it('is empty for a consistent template', () => {
    expect(danglingReferences(refTemplate)).toEqual([]);
  });

  it('reports each kind of unresolved target with its pointer', () => {
    const t = tpl({
      Parameters: { Env: { Type: 'String' } },
      Conditions: { Real: { 'Fn::Equals': ['a', 'a'] }, Uses: { 'Fn::Not': [{ Condition: 'NoCond1' }] } },
      Resources: {
        A: {
          Type: 'AWS::SNS::Topic',
          Condition: 'NoCond2',
          DependsOn: ['Env', 'Gone'],
          Properties: {
            P1: { Ref: 'Env' },
            P2: { Ref: 'AWS::Region' },
            P3: { Ref: 'Missing' },
            P4: { 'Fn::GetAtt': ['Env', 'Arn'] },
            P5: { 'Fn::Sub': '${Env}-${AWS::AccountId}-${Nope}-${A.TopicName}-${Ghost.Arn}' },
            P6: { 'Fn::If': ['NoCond3', 'a', 'b'] },
            P7: { 'Fn::FindInMap': ['NoMap', 'a', 'b'] },
            P8: { Ref: 'AWS::Bogus' },
          },
        },
      },
    });
    expect(danglingReferences(t).map((r) => [r.kind, r.target, r.pointer])).toEqual([
      ['Condition', 'NoCond1', '/Conditions/Uses/Fn::Not/0'],
      ['Condition', 'NoCond2', '/Resources/A/Condition'],
      ['DependsOn', 'Env', '/Resources/A/DependsOn/0'],
      ['DependsOn', 'Gone', '/Resources/A/DependsOn/1'],
      ['Ref', 'Missing', '/Resources/A/Properties/P3'],
      ['GetAtt', 'Env', '/Resources/A/Properties/P4'],
      ['Sub', 'Nope', '/Resources/A/Properties/P5'],
      ['Sub', 'Ghost', '/Resources/A/Properties/P5'],
      ['Condition', 'NoCond3', '/Resources/A/Properties/P6'],
      ['FindInMap', 'NoMap', '/Resources/A/Properties/P7'],
      ['Ref', 'AWS::Bogus', '/Resources/A/Properties/P8'],
    ]);
  });
});

describe('namesLeftUnused', () => {
  const t = tpl({
    Parameters: { Cidr: { Type: 'String' }, Env: { Type: 'String' }, Idle: { Type: 'String' }, Shared: { Type: 'String' } },
    Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] } },
    Mappings: { Ports: { a: { web: 443 } } },
    Resources: {
      Rule: {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Condition: 'IsDev',
        Properties: { CidrIp: { Ref: 'Cidr' }, Description: { 'Fn::Sub': '${Shared}' }, FromPort: { 'Fn::FindInMap': ['Ports', 'a', 'web'] } },
      },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'Shared' } } },
    },
  });

  it('lists the parameters, conditions and mappings only the removed nodes use', () => {
    expect(namesLeftUnused(t, ['/Resources/Rule'])).toEqual([
      { kind: 'parameter', name: 'Cidr' },
      { kind: 'condition', name: 'IsDev' },
      { kind: 'mapping', name: 'Ports' },
    ]);
  });

  it('keeps a name a remaining node still uses, and never lists one already unused', () => {
    expect(namesLeftUnused(t, ['/Resources/Rule/Properties/CidrIp'])).toEqual([{ kind: 'parameter', name: 'Cidr' }]);
    expect(namesLeftUnused(t, ['/Resources/Topic'])).toEqual([]);
  });
});

describe('freshLogicalId', () => {
  const t = tpl({
    Parameters: { LogBucket: { Type: 'String' } },
    Conditions: { LogBucket2: { 'Fn::Equals': ['a', 'a'] } },
    Mappings: { LogBucket3: {} },
    Outputs: { LogBucket4: { Value: 'x' } },
    Resources: { LogBucket5: { Type: 'AWS::S3::Bucket' }, Key: { Type: 'AWS::KMS::Key' } },
  });

  it('avoids names in every section', () => {
    expect(freshLogicalId(t, 'LogBucket')).toBe('LogBucket6');
    expect(freshLogicalId(t, 'Key')).toBe('Key2');
    expect(freshLogicalId(t, 'Topic')).toBe('Topic');
  });

  it('strips non-alphanumerics and makes the id start with a letter', () => {
    expect(freshLogicalId(t, 'log-bucket_policy!')).toBe('logbucketpolicy');
    expect(freshLogicalId(t, '1st-key')).toBe('R1stkey');
    expect(freshLogicalId(t, '--')).toBe('Resource');
    expect(freshLogicalId(t, 'Log.Bucket')).toBe('LogBucket6');
  });

  it('treats ids differing only in case as taken', () => {
    expect(freshLogicalId(t, 'key')).toBe('key2');
  });

  it('honours and fills the taken set', () => {
    const taken = new Set(['Topic']);
    expect(freshLogicalId(t, 'Topic', taken)).toBe('Topic2');
    expect(freshLogicalId(t, 'Topic', taken)).toBe('Topic3');
    expect(freshLogicalId(t, 'LogBucket', taken)).toBe('LogBucket6');
    expect(freshLogicalId(t, 'LogBucket', taken)).toBe('LogBucket7');
    expect([...taken]).toEqual(['Topic', 'Topic2', 'Topic3', 'LogBucket6', 'LogBucket7']);
  });
});

describe('ensureParameter', () => {
  const noParams = tpl({ Resources: { A: { Type: 'AWS::SNS::Topic' } } });
  const withParams = tpl({
    Parameters: { EnvironmentSuffix: { Type: 'String', Default: 'prod' } },
    Resources: { A: { Type: 'AWS::SNS::Topic' } },
  });

  it('creates the Parameters section with a single add', () => {
    const ops = ensureParameter(noParams, 'EnvironmentSuffix', ENVIRONMENT_SUFFIX_PARAMETER);
    expect(ops).toEqual([{ op: 'add', path: '/Parameters', value: { EnvironmentSuffix: ENVIRONMENT_SUFFIX_PARAMETER } }]);
    const out = apply(noParams, ops);
    expect(out['Parameters']).toEqual({
      EnvironmentSuffix: {
        Type: 'String',
        Default: 'dev',
        Description: 'Environment suffix appended to resource names and tags (e.g. dev, staging, prod)',
        AllowedPattern: '^[a-zA-Z0-9-]+$',
        ConstraintDescription: 'Must contain only alphanumeric characters and hyphens.',
      },
    });
    // The op carries a copy, not the shared frozen constant.
    const added = (ops[0] as { value: Record<string, unknown> }).value['EnvironmentSuffix'];
    expect(added).not.toBe(ENVIRONMENT_SUFFIX_PARAMETER);
    expect(Object.isFrozen(added)).toBe(false);
  });

  it('returns [] when the parameter exists, leaving its spec alone', () => {
    expect(ensureParameter(withParams, 'EnvironmentSuffix', ENVIRONMENT_SUFFIX_PARAMETER)).toEqual([]);
  });

  it('adds into an existing section', () => {
    const ops = ensureParameter(withParams, 'LogRetentionInDays', LOG_RETENTION_PARAMETER);
    expect(ops).toEqual([{ op: 'add', path: '/Parameters/LogRetentionInDays', value: LOG_RETENTION_PARAMETER }]);
    const out = apply(withParams, ops) as { Parameters: Record<string, unknown> };
    expect(Object.keys(out.Parameters)).toEqual(['EnvironmentSuffix', 'LogRetentionInDays']);
  });

  it('dedupes through pending across calls', () => {
    const pending: PendingParameters = {};
    const ops = [
      ...ensureParameter(noParams, 'EnvironmentSuffix', ENVIRONMENT_SUFFIX_PARAMETER, pending),
      ...ensureParameter(noParams, 'EnvironmentSuffix', ENVIRONMENT_SUFFIX_PARAMETER, pending),
      ...ensureParameter(noParams, 'LogRetentionInDays', LOG_RETENTION_PARAMETER, pending),
      ...ensureParameter(noParams, 'LogRetentionInDays', LOG_RETENTION_PARAMETER, pending),
    ];
    expect(ops.map((o) => [o.op, o.path])).toEqual([
      ['add', '/Parameters'],
      ['add', '/Parameters/LogRetentionInDays'],
    ]);
    const out = apply(noParams, ops) as { Parameters: Record<string, Record<string, unknown>> };
    expect(Object.keys(out.Parameters)).toEqual(['EnvironmentSuffix', 'LogRetentionInDays']);
    expect(out.Parameters['LogRetentionInDays']!['AllowedValues']).toEqual(CLOUDWATCH_LOG_RETENTION_DAYS);
    expect(out.Parameters['LogRetentionInDays']!['Default']).toBe(365);
    expect(pending.names).toEqual(new Set(['EnvironmentSuffix', 'LogRetentionInDays']));
  });

  it('refuses a name already used by a resource', () => {
    expect(() => ensureParameter(noParams, 'A', ENVIRONMENT_SUFFIX_PARAMETER)).toThrow(/resource/);
  });

  it('uses the CloudWatch retention values', () => {
    expect(LOG_RETENTION_PARAMETER['AllowedValues']).toEqual([
      1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]);
    expect(LOG_RETENTION_PARAMETER['Type']).toBe('Number');
    expect(Object.isFrozen(LOG_RETENTION_PARAMETER['AllowedValues'])).toBe(true);
  });
});

describe('templateRegion', () => {
  it('is undefined without a clear signal', () => {
    expect(templateRegion(refTemplate)).toBeUndefined();
  });

  it('reads a Rules assertion, Metadata and hard-coded AZs', () => {
    const rule = tpl({
      Rules: { OnlyWest: { Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-west-1'] } }] } },
      Resources: {},
    });
    expect(templateRegion(rule)).toBe('us-west-1');
    expect(templateRegion(tpl({ Metadata: { Region: 'eu-west-2' }, Resources: {} }))).toBe('eu-west-2');
    const azs = tpl({
      Resources: {
        S1: { Type: 'AWS::EC2::Subnet', Properties: { AvailabilityZone: 'us-west-1a' } },
        S2: { Type: 'AWS::EC2::Subnet', Properties: { AvailabilityZone: { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] } } },
        G: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { AvailabilityZones: ['us-west-1c'] } },
      },
    });
    expect(templateRegion(azs)).toBe('us-west-1');
  });

  it('is undefined when signals disagree', () => {
    const t = tpl({
      Metadata: { Region: 'us-east-1' },
      Resources: { S1: { Type: 'AWS::EC2::Subnet', Properties: { AvailabilityZone: 'us-west-1a' } } },
    });
    expect(templateRegion(t)).toBeUndefined();
  });
});

describe('deepFreeze', () => {
  it('freezes deeply and skips frozen subtrees', () => {
    const shared = Object.freeze({ inner: { x: 1 } }); // frozen shell around an unfrozen child
    const v = deepFreeze({ a: { b: [1, { c: 2 }] }, shared });
    expect(Object.isFrozen(v.a.b[1])).toBe(true);
    expect(Object.isFrozen(v.a.b)).toBe(true);
    expect(Object.isFrozen(shared.inner)).toBe(false);
    expect(deepFreeze(3)).toBe(3);
  });
});

describe('regions', () => {
  it('us-west-1 and us-east-1 ELB accounts', () => {
    const west = regionFacts('us-west-1')!;
    expect(west.elbAccountId).toBe('027434742980');
    expect(west.elbLogDeliveryServicePrincipal).toBe(false);
    expect(west.partition).toBe('aws');
    expect(west.region).toBe('us-west-1');
    expect(west.name).toBe('US West (N. California)');
    expect(west.availabilityZones).toEqual(['us-west-1a', 'us-west-1c']);
    expect(west.availabilityZonesCaveat?.otherObservedNames).toContain('us-west-1b');
    expect(west.sources.length).toBeGreaterThan(0);
    expect(regionFacts('us-east-1')!.elbAccountId).toBe('127311923021');
    expect(elbAccountIds().get('us-east-1')).toBe('127311923021');
    expect(elbAccountIds().get('us-west-1')).toBe('027434742980');
  });

  it('post-2022 regions use the service principal', () => {
    for (const region of ['il-central-1', 'me-central-1', 'ap-south-2', 'ca-west-1', 'eu-central-2']) {
      const f = regionFacts(region)!;
      expect(f.elbAccountId).toBeNull();
      expect(f.elbLogDeliveryServicePrincipal).toBe(true);
      expect(elbAccountIds().has(region)).toBe(false);
    }
    expect(elbLogDeliveryServicePrincipal()).toBe('logdelivery.elasticloadbalancing.amazonaws.com');
  });

  it('every region is consistent', () => {
    const regions = allRegions();
    expect(regions.length).toBeGreaterThanOrEqual(38);
    for (const f of regions) {
      expect(f.elbLogDeliveryServicePrincipal).toBe(f.elbAccountId === null);
      if (f.elbAccountId) expect(f.elbAccountId).toMatch(/^\d{12}$/);
      expect(partitionOf(f.region)).toBe(f.partition);
      for (const az of f.availabilityZones) expect(az.startsWith(f.region)).toBe(true);
    }
    expect(Object.isFrozen(regionFacts('us-west-1')!.availabilityZones)).toBe(true);
    expect(regionFacts('xx-nowhere-1')).toBeUndefined();
  });

  it('service accounts, partitions and AMI paths', () => {
    expect(isKnownServiceAccount('027434742980')).toBe(true);
    expect(isKnownServiceAccount('123456789012')).toBe(false);
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-9')).toBe('aws');
    expect(partitionOf('cn-south-9')).toBe('aws-cn');
    expect(partitionOf('us-iso-east-1')).toBeUndefined();
    expect(amazonLinuxSsmPath('x86_64')).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
    expect(amazonLinuxSsmPath('arm64', 'al2023')).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
    expect(amazonLinuxSsmPath('x86_64', 'al2')).toBe('/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2');
  });
});
