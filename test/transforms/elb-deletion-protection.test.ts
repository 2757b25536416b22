import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const lb = (properties: unknown) => ({ Resources: { Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: properties } } });

describe('elb-deletion-protection', () => {
  it('adds the attribute to a load balancer without attributes, of every type', () => {
    for (const type of [undefined, 'application', 'network', 'gateway']) {
      const r = runTransform('elb-deletion-protection', lb({ Subnets: ['s-1', 's-2'], ...(type ? { Type: type } : {}) }));
      expect(r.ids).toEqual(['noDeletionProtection']);
      expect(r.template.Resources.Lb.Properties.LoadBalancerAttributes).toEqual([{ Key: 'deletion_protection.enabled', Value: 'true' }]);
      expectIdempotent('elb-deletion-protection', r);
    }
  });

  it('appends to the list and keeps the other attributes', () => {
    const r = runTransform('elb-deletion-protection', lb({ LoadBalancerAttributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '60' }] }));
    expect(r.template.Resources.Lb.Properties.LoadBalancerAttributes).toEqual([
      { Key: 'idle_timeout.timeout_seconds', Value: '60' },
      { Key: 'deletion_protection.enabled', Value: 'true' },
    ]);
  });

  it('fills the Value of an element with the key instead of adding a second one', () => {
    const r = runTransform('elb-deletion-protection', lb({ LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled' }] }));
    expect(r.ids).toEqual(['noDeletionProtection']);
    expect(r.template.Resources.Lb.Properties.LoadBalancerAttributes).toEqual([{ Key: 'deletion_protection.enabled', Value: 'true' }]);
  });

  it('reports an explicit false without flipping it', () => {
    for (const value of ['false', 'False', false]) {
      const r = runTransform('elb-deletion-protection', lb({ LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled', Value: value }] }));
      expect(r.ids).toEqual(['deletionProtectionOff']);
      expect(r.findings[0]!.fix).toBe('none');
      expect(r.changed).toBe(false);
    }
  });

  it('leaves protected, parameterised and computed attributes alone', () => {
    for (const t of [
      lb({ LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] }),
      lb({ LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled', Value: true }] }),
      lb({ LoadBalancerAttributes: [{ Key: 'deletion_protection.enabled', Value: { Ref: 'Protect' } }] }),
      lb({ LoadBalancerAttributes: { 'Fn::If': ['Prod', [{ Key: 'deletion_protection.enabled', Value: 'true' }], []] } }),
      lb({ LoadBalancerAttributes: [{ 'Fn::If': ['Prod', { Key: 'deletion_protection.enabled', Value: 'true' }, { Ref: 'AWS::NoValue' }] }] }),
      lb({ 'Fn::If': ['Prod', {}, {}] }),
    ]) {
      const r = runTransform('elb-deletion-protection', t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('looks past an Fn::If element about another attribute', () => {
    const r = runTransform('elb-deletion-protection', lb({ LoadBalancerAttributes: [{ 'Fn::If': ['Logs', { Key: 'access_logs.s3.enabled', Value: 'true' }, { Ref: 'AWS::NoValue' }] }] }));
    expect(r.ids).toEqual(['noDeletionProtection']);
    expect(r.template.Resources.Lb.Properties.LoadBalancerAttributes[1]).toEqual({ Key: 'deletion_protection.enabled', Value: 'true' });
  });

  it('keeps YAML layout and comments', () => {
    const yaml = [
      'Resources:',
      '  Lb:',
      '    Type: AWS::ElasticLoadBalancingV2::LoadBalancer',
      '    Properties:',
      '      LoadBalancerAttributes: # tuned',
      '        - Key: idle_timeout.timeout_seconds',
      "          Value: '60'",
      '',
    ].join('\n');
    const r = runTransform('elb-deletion-protection', yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + "        - Key: deletion_protection.enabled\n          Value: 'true'\n");
  });
});
