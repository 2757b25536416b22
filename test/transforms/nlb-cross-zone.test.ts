import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'nlb-cross-zone';
const KEY = 'load_balancing.cross_zone.enabled';
const lb = (properties: unknown) => ({ Resources: { Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: properties } } });

describe(ID, () => {
  it('turns cross-zone load balancing on for network load balancers', () => {
    const r = runTransform(ID, lb({ Type: 'network', LoadBalancerAttributes: [{ Key: 'x', Value: '1' }] }));
    expect(r.ids).toEqual(['noCrossZone']);
    expect(r.template.Resources.Lb.Properties.LoadBalancerAttributes).toEqual([{ Key: 'x', Value: '1' }, { Key: KEY, Value: 'true' }]);
    expectIdempotent(ID, r);
  });

  it('reports an explicit false and leaves other types and intrinsics alone', () => {
    const off = runTransform(ID, lb({ Type: 'network', LoadBalancerAttributes: [{ Key: KEY, Value: 'false' }] }));
    expect(off.ids).toEqual(['crossZoneOff']);
    expect(off.changed).toBe(false);
    for (const t of [lb({}), lb({ Type: 'application' }), lb({ Type: 'gateway' }), lb({ Type: { Ref: 'Kind' } }), lb({ Type: 'network', LoadBalancerAttributes: [{ Key: KEY, Value: { Ref: 'Kind' } }] })]) {
      const r = runTransform(ID, { ...t, Parameters: { Kind: { Type: 'String' } } });
      expect(r.findings).toEqual([]);
    }
  });
});
