// The query and fixer layer transforms are written on: values.ts, query.ts, iam.ts, fixer.ts.
import { skipEntries, skipsTransform } from '../src/cfn/skip.js';
import { describe, expect, it } from 'vitest';
import { applyOperations } from '../src/engine/patch.js';
import { Fixer, FixerError } from '../src/cfn/fixer.js';
import { policyOfProperties, principalsOf, conditionValues } from '../src/cfn/iam.js';
import { property, propertyValues, resource, resources, targetOfValue } from '../src/cfn/query.js';
import { deepFreeze } from '../src/cfn/template.js';
import { cloneJson, deepEqual, resolve, sameText, subText } from '../src/cfn/values.js';
import type { JsonValue, Template } from '../src/types.js';

const t = (v: unknown) => deepFreeze(v) as Template;

describe('resolve', () => {
  it('says what every reference form refers to', () => {
    expect(resolve({ Ref: 'Data' })).toEqual({ kind: 'ref', target: 'Data' });
    expect(resolve({ 'Fn::Sub': '${ Data }' })).toEqual({ kind: 'ref', target: 'Data' });
    expect(resolve({ 'Fn::Join': ['', [{ Ref: 'Data' }]] })).toEqual({ kind: 'ref', target: 'Data' });
    expect(resolve({ 'Fn::GetAtt': ['Key', 'Arn'] })).toEqual({ kind: 'getatt', target: 'Key', attribute: 'Arn' });
    expect(resolve({ 'Fn::GetAtt': 'Key.Arn' })).toEqual({ kind: 'getatt', target: 'Key', attribute: 'Arn' });
    expect(resolve({ 'Fn::Sub': ['${B}', { B: { Ref: 'Logs' } }] })).toEqual({ kind: 'ref', target: 'Logs' });
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${B}/*' })).toEqual({
      kind: 'text',
      text: 'arn:${AWS::Partition}:s3:::${B}/*',
      variables: ['AWS::Partition', 'B'],
    });
  });

  it('reads a plain string as a literal, never as a reference', () => {
    expect(resolve('${Data}')).toEqual({ kind: 'literal', value: '${Data}' });
    expect(resolve({ 'Fn::Sub': 'plain ${!Literal}' })).toEqual({ kind: 'literal', value: 'plain ${Literal}' });
    expect(resolve(7)).toEqual({ kind: 'literal', value: 7 });
  });

  it('calls what is not known before deployment unknown', () => {
    for (const v of [{ 'Fn::ImportValue': 'x' }, { 'Fn::If': ['C', 'a', 'b'] }, { 'Fn::Select': [0, ['a']] }, ['a'], null, { Ref: 1 }]) {
      expect(resolve(v)).toEqual({ kind: 'unknown' });
    }
  });

  it('compares string expressions across forms', () => {
    expect(sameText({ 'Fn::Join': ['', ['logs-', { Ref: 'AWS::AccountId' }]] }, { 'Fn::Sub': 'logs-${AWS::AccountId}' })).toBe(true);
    expect(sameText('logs-${AWS::AccountId}', { 'Fn::Sub': 'logs-${AWS::AccountId}' })).toBe(false);
    expect(subText({ 'Fn::Sub': ['${X}', { X: { 'Fn::ImportValue': 'y' } }] })).toBeUndefined();
  });

  it('has one deep equality, key order optional', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, b: 2 }, { b: 2, a: 1 }, { keyOrder: true })).toBe(false);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: undefined }, { b: undefined })).toBe(false);
  });
});

describe('query', () => {
  const template = t({
    Conditions: { Prod: { 'Fn::Equals': ['a', 'b'] } },
    Resources: {
      B: {
        Type: 'AWS::S3::Bucket',
        Condition: 'Prod',
        Properties: {
          BucketEncryption: {
            'Fn::If': ['Prod', { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] }, { Ref: 'AWS::NoValue' }],
          },
          Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }],
        },
      },
      Computed: { Type: 'AWS::S3::Bucket', Properties: { 'Fn::If': ['Prod', {}, {}] } },
      Q: { Type: 'AWS::SQS::Queue' },
    },
  });

  it('lists resources of a type with id, pointer, condition and guarded properties', () => {
    const [b, computed] = resources(template, 'AWS::S3::Bucket');
    expect(b).toMatchObject({ id: 'B', type: 'AWS::S3::Bucket', pointer: '/Resources/B', condition: 'Prod' });
    expect(computed!.properties).toBeUndefined();
    expect(resources(template).map((r) => r.id)).toEqual(['B', 'Computed', 'Q']);
    expect(resource(template, 'toString')).toBeUndefined();
  });

  it('reads a property with its pointer, and follows both Fn::If branches when asked', () => {
    const b = resource(template, 'B')!;
    expect(property(b, 'Tags', 1, 'Key')).toEqual({ value: 'b', pointer: '/Resources/B/Properties/Tags/1/Key' });
    expect(property(b, 'BucketEncryption', 'ServerSideEncryptionConfiguration')).toBeUndefined();
    const algorithms = propertyValues(b, 'BucketEncryption', 'ServerSideEncryptionConfiguration', '*', 'ServerSideEncryptionByDefault', 'SSEAlgorithm');
    expect(algorithms).toEqual([
      {
        value: 'aws:kms',
        pointer: '/Resources/B/Properties/BucketEncryption/Fn::If/1/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm',
        when: [{ condition: 'Prod', value: true }],
      },
    ]);
    expect(propertyValues(b, 'Tags', '*', 'Key').map((v) => v.value)).toEqual(['a', 'b']);
  });

  it('resolves a value to the resource it names', () => {
    const target = targetOfValue(template, { 'Fn::Join': ['', [{ Ref: 'B' }]] });
    expect(target.kind === 'resource' && target.view.type).toBe('AWS::S3::Bucket');
    expect(targetOfValue(template, '${B}').kind).toBe('none');
    expect(targetOfValue(template, { Ref: 'AWS::Region' }).kind).toBe('pseudo');
  });
});

describe('iam', () => {
  it('normalises statements and keeps the way back to the original', () => {
    const single = policyOfProperties(
      { PolicyDocument: { Statement: { Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: 's3:PutObject', Resource: '*' } } },
      '/Resources/P/Properties',
    );
    expect(single.kind).toBe('single');
    expect(single.statements[0]).toMatchObject({ pointer: '/Resources/P/Properties/PolicyDocument/Statement', actions: ['s3:PutObject'], resources: ['*'], effect: 'Allow' });
    expect(principalsOf(single.statements[0]!, 'Service')).toEqual(['logs.amazonaws.com']);
    const list = policyOfProperties(
      { PolicyDocument: { Statement: [{ Effect: 'Deny', Principal: '*', Condition: { bool: { 'AWS:SecureTransport': 'false' } } }] } },
      '/Resources/P/Properties',
    );
    expect(list.statements[0]!.pointer).toBe('/Resources/P/Properties/PolicyDocument/Statement/0');
    expect(principalsOf(list.statements[0]!, 'AWS')).toEqual(['*']);
    expect(conditionValues(list.statements[0]!, 'Bool', 'aws:SecureTransport')).toEqual(['false']);
    expect(policyOfProperties({ PolicyDocument: { 'Fn::If': ['C', {}, {}] } }, '/x').kind).toBe('opaque');
  });
});

describe('fixer', () => {
  const base = t({ Resources: { B: { Type: 'AWS::S3::Bucket' }, P: { Type: 'AWS::S3::BucketPolicy', Properties: { PolicyDocument: { Statement: { Sid: 'a' } } } } } });
  const apply = (ops: unknown) => applyOperations(base as unknown as JsonValue, ops as never) as any;

  it('creates missing parents as one add and extends it in the same fix', () => {
    const fx = new Fixer(base);
    fx.setProperty('B', ['VersioningConfiguration', 'Status'], 'Enabled').setProperty('B', ['Tags'], []).append('/Resources/B/Properties/Tags', { Key: 'k', Value: 'v' });
    const fix = fx.take();
    expect(fix.ops).toEqual([
      { op: 'add', path: '/Resources/B/Properties', value: { VersioningConfiguration: { Status: 'Enabled' }, Tags: [{ Key: 'k', Value: 'v' }] } },
    ]);
  });

  it('never changes an operation already taken; later fixes build on it', () => {
    const fx = new Fixer(base);
    fx.setProperty('B', ['A'], 1);
    const first = fx.take();
    fx.setProperty('B', ['C'], 2).setProperty('B', ['A'], 3);
    const second = fx.take();
    expect(first.ops).toEqual([{ op: 'add', path: '/Resources/B/Properties', value: { A: 1 } }]);
    expect(second.ops).toEqual([
      { op: 'add', path: '/Resources/B/Properties/C', value: 2 },
      { op: 'replace', path: '/Resources/B/Properties/A', value: 3 },
    ]);
    expect(apply([...first.ops, ...second.ops]).Resources.B.Properties).toEqual({ A: 3, C: 2 });
  });

  it('turns a single statement into a list, picks fresh ids and adds a parameter once', () => {
    const fx = new Fixer(base);
    const policy = policyOfProperties(base.Resources['P']!.Properties, '/Resources/P/Properties');
    fx.appendStatement(policy, { Sid: 'b' });
    const id1 = fx.addResource('B', { Type: 'AWS::SNS::Topic' });
    const id2 = fx.addResource('B', { Type: 'AWS::SNS::Topic' });
    fx.ensureParameter('Env', { Type: 'String' }).ensureParameter('Env', { Type: 'String' }).ensureParameter('Other', { Type: 'String' });
    fx.unsafe();
    const fix = fx.take();
    expect([id1, id2]).toEqual(['B2', 'B3']);
    expect(fix.safety).toBe('unsafe');
    const out = apply(fix.ops);
    expect(out.Resources.P.Properties.PolicyDocument.Statement).toEqual([{ Sid: 'a' }, { Sid: 'b' }]);
    expect(out.Parameters).toEqual({ Env: { Type: 'String' }, Other: { Type: 'String' } });
    expect(fix.ops.filter((o) => o.path.startsWith('/Parameters'))).toHaveLength(1);
  });

  it('appends to an existing list twice and adds DependsOn without duplicates', () => {
    const fx = new Fixer(t({ Resources: { A: { Type: 'X', DependsOn: 'B', Properties: { L: [1] } } } }));
    fx.append('/Resources/A/Properties/L', 2).append('/Resources/A/Properties/L', 3);
    expect(fx.addDependsOn('A', 'B')).toBe(true);
    fx.addDependsOn('A', 'C');
    fx.addDependsOn('A', 'C');
    expect(fx.take().ops).toEqual([
      { op: 'add', path: '/Resources/A/Properties/L/-', value: 2 },
      { op: 'add', path: '/Resources/A/Properties/L/-', value: 3 },
      { op: 'replace', path: '/Resources/A/DependsOn', value: ['B', 'C'] },
    ]);
  });

  it('refuses to write under a value that is not an object', () => {
    const fx = new Fixer(t({ Resources: { A: { Type: 'X', Properties: 'computed' } } }));
    expect(() => fx.setProperty('A', ['X'], 1)).toThrow(FixerError);
  });
});

describe('traversal', () => {
  it('visits evaluated values with their paths and lets the visitor prune', async () => {
    const { evaluatedRoots, walkValues } = await import('../src/cfn/query.js');
    const template = t({
      Parameters: { P: { Type: 'String', Default: '123456789012' } },
      Resources: { R: { Type: 'X', Properties: { A: ['123456789012', { Ref: 'P' }], Skip: { Deep: '123456789012' } } } },
      Outputs: { O: { Value: { 'Fn::Sub': 'arn:aws:iam::123456789012:root' }, Export: { Name: 'e' } } },
    });
    const seen: string[] = [];
    for (const root of evaluatedRoots(template)) {
      walkValues(root.value, root.path, (v, path) => {
        if (path[path.length - 1] === 'Skip') return false;
        if (typeof v === 'string' && v.includes('123456789012')) seen.push(path.join('/'));
      });
    }
    expect(seen).toEqual(['Resources/R/Properties/A/0', 'Outputs/O/Value/Fn::Sub']);
  });
});

describe('evaluatedRoots', () => {
  it('includes computed Properties, whose branches hold values too', async () => {
    const { evaluatedRoots } = await import('../src/cfn/query.js');
    const roots = evaluatedRoots(t({ Resources: { R: { Type: 'X', Properties: { 'Fn::If': ['C', { A: 1 }, { A: 2 }] } }, S: { Type: 'Y' } } }));
    expect(roots.map((r) => r.path.join('/'))).toEqual(['Resources/R/Properties']);
  });
});

describe('branchesOf', () => {
  it('follows both branches of nested Fn::If and drops NoValue', async () => {
    const { branchesOf } = await import('../src/cfn/query.js');
    const item = { 'Fn::If': ['A', { 'Fn::If': ['B', { X: 1 }, { Ref: 'AWS::NoValue' }] }, { X: 2 }] };
    expect(branchesOf(item as JsonValue, '/L/0')).toEqual([
      { value: { X: 1 }, pointer: '/L/0/Fn::If/1/Fn::If/1', when: [{ condition: 'A', value: true }, { condition: 'B', value: true }] },
      { value: { X: 2 }, pointer: '/L/0/Fn::If/2', when: [{ condition: 'A', value: false }] },
    ]);
    expect(branchesOf({ X: 3 }, '/L/1')).toEqual([{ value: { X: 3 }, pointer: '/L/1', when: [] }]);
  });
});

describe('propertiesComputed', () => {
  it('tells Properties no fix can edit from missing ones', async () => {
    const { propertiesComputed } = await import('../src/cfn/query.js');
    const template = t({
      Resources: {
        Missing: { Type: 'X' },
        Plain: { Type: 'X', Properties: {} },
        If: { Type: 'X', Properties: { 'Fn::If': ['C', {}, {}] } },
        List: { Type: 'X', Properties: [] },
        Null: { Type: 'X', Properties: null },
      },
    });
    expect(resources(template).map((r) => [r.id, propertiesComputed(r)])).toEqual([
      ['Missing', false],
      ['Plain', false],
      ['If', true],
      ['List', true],
      ['Null', true],
    ]);
  });
});

describe('skip.ts', () => {
  it('reads a skip list or one id as a plain string, ignoring what is not an id', () => {
    expect(skipEntries({ tapfix: { skip: 'all' } })).toEqual([{ id: 'all', index: undefined }]);
    expect(skipEntries({ tapfix: { skip: ['a', 3, '', 'b'] } })).toEqual([
      { id: 'a', index: 0 },
      { id: 'b', index: 3 },
    ]);
    expect(skipEntries({ tapfix: { skip: { a: true } } })).toEqual([]);
    expect(skipsTransform({ Metadata: { tapfix: { skip: 's3-bucket-key' } } }, 's3-bucket-key')).toBe(true);
    expect(skipsTransform({ Metadata: { tapfix: { skip: 'all' } } }, 'anything')).toBe(true);
    expect(skipsTransform({ Metadata: { tapfix: { skip: 'other' } } }, 's3-bucket-key')).toBe(false);
  });
});

describe('cloneJson', () => {
  it('copies as a JSON round trip does, sharing nothing and freezing nothing', () => {
    const frozen = deepFreeze({ a: [1, { b: 'x' }], c: null }) as unknown as JsonValue;
    const tricky = JSON.parse('{"__proto__": {"polluted": true}, "k": [0, -1.5, "s", true, null, {"__proto__": 1}]}') as JsonValue;
    const odd = { gone: undefined, nan: NaN, inf: -Infinity, minusZero: -0, list: [undefined, NaN, () => 1], fn: () => 1 } as unknown as JsonValue;
    for (const value of [frozen, tricky, odd, 'text', 7, null, [] as JsonValue, {} as JsonValue]) {
      const copy = cloneJson(value);
      expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
      expect(copy).toStrictEqual(JSON.parse(JSON.stringify(value)));
      if (value !== null && typeof value === 'object') {
        expect(copy).not.toBe(value);
        expect(Object.isFrozen(copy)).toBe(false);
      }
    }
    const copied = cloneJson(tricky) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.keys(copied)).toEqual(['__proto__', 'k']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.is((cloneJson(odd) as Record<string, unknown>)['minusZero'], 0)).toBe(true);
  });
});
