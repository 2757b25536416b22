import { describe, expect, it } from 'vitest';
import transform from '../../transforms/retain-stateful.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { Template } from '../../src/types.js';

const run = (t: unknown, options: Record<string, unknown> = {}) =>
  transform.check({ template: deepFreeze(t) as Template, options: { ...transform.meta.defaultOptions, ...options } as never, region: undefined, filePath: undefined, format: 'json' });

describe('retain-stateful', () => {
  it('follows the author for the missing partner attribute', () => {
    const f = run({ Resources: { D: { Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Retain', Properties: {} } } });
    expect(f[0]!.fix!.ops).toEqual([{ op: 'add', path: '/Resources/D/UpdateReplacePolicy', value: 'Retain' }]);
    const g = run({ Resources: { T: { Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'RetainExceptOnCreate' } } });
    expect(g[0]!.fix!.ops).toEqual([{ op: 'add', path: '/Resources/T/UpdateReplacePolicy', value: 'Retain' }]);
  });

  it('skips cluster members, read replicas, memcached, nested stacks and excluded types', () => {
    expect(
      run({
        Resources: {
          M: { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: { Ref: 'C' } } },
          R: { Type: 'AWS::RDS::DBInstance', Properties: { SourceDBInstanceIdentifier: 'x' } },
          Mc: { Type: 'AWS::ElastiCache::CacheCluster', Properties: { Engine: 'memcached' } },
          S: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'x' } },
          L: { Type: 'AWS::Logs::LogGroup' },
        },
      }, { excludeTypes: ['AWS::Logs::LogGroup'] }),
    ).toEqual([]);
  });

  it('uses Retain for a cache cluster whose engine is computed', () => {
    const f = run({ Resources: { C: { Type: 'AWS::ElastiCache::CacheCluster', Properties: { Engine: { Ref: 'Engine' } } } } });
    expect(f[0]!.fix!.ops.map((o) => (o as { value: unknown }).value)).toEqual(['Retain', 'Retain']);
  });

  it('never throws on odd shapes', () => {
    for (const t of [{ Resources: null }, { Resources: { A: 'x', B: { Type: 3 }, C: { Type: 'AWS::S3::Bucket', Properties: [] } } }]) {
      expect(() => run(t)).not.toThrow();
    }
  });
});
