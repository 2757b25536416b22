import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'elb-drop-invalid-headers';
const KEY = 'routing.http.drop_invalid_header_fields.enabled';
const lb = (properties: unknown) => ({ Parameters: { Kind: { Type: 'String' } }, Resources: { Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: properties } } });

describe(ID, () => {
  it('turns the attribute on for application load balancers, with or without Type, as an unsafe fix', () => {
    for (const type of [undefined, 'application']) {
      const r = runTransform(ID, lb({ Subnets: ['s-1', 's-2'], ...(type ? { Type: type } : {}) }));
      expect(r.ids).toEqual(['invalidHeadersForwarded']);
      expect(r.template.Resources.Lb.Properties.LoadBalancerAttributes).toEqual([{ Key: KEY, Value: 'true' }]);
      expectIdempotent(ID, r);
      const safeOnly = runTransform(ID, lb({ Subnets: ['s-1', 's-2'] }), { unsafe: false });
      expect(safeOnly.changed).toBe(false);
    }
  });

  it('never writes the attribute on network, gateway or parameterised load balancers', () => {
    for (const type of ['network', 'gateway', { Ref: 'Kind' }]) {
      const r = runTransform(ID, lb({ Type: type }));
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('reports an explicit false, leaves true and intrinsics alone', () => {
    const off = runTransform(ID, lb({ LoadBalancerAttributes: [{ Key: KEY, Value: 'false' }] }));
    expect(off.ids).toEqual(['invalidHeadersKept']);
    expect(off.changed).toBe(false);
    for (const value of ['true', true, { Ref: 'Kind' }]) {
      const r = runTransform(ID, lb({ LoadBalancerAttributes: [{ Key: KEY, Value: value }] }));
      expect(r.findings).toEqual([]);
    }
  });

  it('keeps YAML layout', () => {
    const yaml = 'Resources:\n  Lb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n      Type: application # front\n      LoadBalancerAttributes:\n        - Key: ' + KEY + '\n';
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + "          Value: 'true'\n");
  });
});
