import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const group = (extra: Record<string, unknown>) => ({
  Type: 'AWS::ElastiCache::ReplicationGroup',
  Properties: { ReplicationGroupDescription: 'd', Engine: 'redis', CacheNodeType: 'cache.t3.small', NumCacheClusters: 1, ...extra },
});

describe('elasticache-encryption', () => {
  it('encrypts at rest and in transit in preferred mode on Redis OSS 7', () => {
    const r = runTransform('elasticache-encryption', { Resources: { G: group({ EngineVersion: 7 }) } });
    expect(r.ids).toEqual(['notEncryptedAtRest', 'notEncryptedInTransit']);
    expect(r.template.Resources.G.Properties).toMatchObject({ AtRestEncryptionEnabled: true, TransitEncryptionEnabled: true, TransitEncryptionMode: 'preferred' });
    expectIdempotent('elasticache-encryption', r);
    expect(runTransform('elasticache-encryption', { Resources: { G: group({ EngineVersion: 7 }) } }, { unsafe: false }).changed).toBe(false);
  });

  it('reports transit encryption before Redis OSS 7 or without a version', () => {
    for (const version of [{ EngineVersion: '6.2' }, {}, { EngineVersion: { Ref: 'V' } }]) {
      const r = runTransform('elasticache-encryption', { Parameters: { V: { Type: 'String' } }, Resources: { G: group({ AtRestEncryptionEnabled: true, ...version }) } });
      expect(r.ids).toEqual(['notEncryptedInTransitOldEngine']);
      expect(r.changed).toBe(false);
    }
  });

  it('reports encryption at rest on a group with a custom id (replacement) and explicit or computed choices', () => {
    const r = runTransform('elasticache-encryption', {
      Resources: {
        Named: group({ ReplicationGroupId: 'orders', TransitEncryptionEnabled: true }),
        Off: group({ AtRestEncryptionEnabled: false, TransitEncryptionEnabled: { Ref: 'T' } }),
        Memcached: { Type: 'AWS::ElastiCache::ReplicationGroup', Properties: { ReplicationGroupDescription: 'd', Engine: 'valkey' } },
      },
      Parameters: { T: { Type: 'String' } },
    });
    expect(r.ids).toEqual(['notEncryptedAtRest', 'atRestOff', 'inTransitOff']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.changed).toBe(false);
  });
});
