import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'elb-desync-mitigation';
const KEY = 'routing.http.desync_mitigation_mode';
const lb = (properties: unknown) => ({ Resources: { Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: properties } } });

describe(ID, () => {
  it('moves monitor mode to defensive in place, as an unsafe fix', () => {
    const t = lb({ LoadBalancerAttributes: [{ Key: KEY, Value: 'monitor' }, { Key: 'x', Value: '1' }] });
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['desyncMitigationOff']);
    expect(r.template.Resources.Lb.Properties.LoadBalancerAttributes).toEqual([{ Key: KEY, Value: 'defensive' }, { Key: 'x', Value: '1' }]);
    expectIdempotent(ID, r);
    const reported = runTransform(ID, t, { unsafe: false });
    expect(reported.ids).toEqual(['desyncMitigationOff']);
    expect(reported.changed).toBe(false);
  });

  it('leaves the default, the allowed modes, intrinsics and other load balancer types alone', () => {
    for (const t of [
      lb({ Type: 'application' }),
      lb({ LoadBalancerAttributes: [{ Key: KEY, Value: 'defensive' }] }),
      lb({ LoadBalancerAttributes: [{ Key: KEY, Value: 'strictest' }] }),
      lb({ LoadBalancerAttributes: [{ Key: KEY, Value: { Ref: 'Mode' } }] }),
      lb({ Type: 'network', LoadBalancerAttributes: [{ Key: KEY, Value: 'monitor' }] }),
    ]) {
      const r = runTransform(ID, t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });
});
