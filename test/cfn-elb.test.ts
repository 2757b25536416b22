import { describe, expect, it } from 'vitest';
import type { Template } from '../src/types.js';
import { deepFreeze } from '../src/cfn/template.js';
import { resource } from '../src/cfn/query.js';
import { Fixer } from '../src/cfn/fixer.js';
import { attributeFlag, loadBalancerAttribute, loadBalancerKind, loadBalancersOfKind, setLoadBalancerAttribute } from '../src/cfn/elb.js';

const LB = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
const t = (resources: Record<string, unknown>): Template => deepFreeze({ Resources: resources }) as unknown as Template;

describe('elb helpers', () => {
  const tpl = t({
    Alb: { Type: LB, Properties: { LoadBalancerAttributes: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } },
    Nlb: { Type: LB, Properties: { Type: 'network' } },
    Odd: { Type: LB, Properties: { Type: { Ref: 'Kind' }, LoadBalancerAttributes: { 'Fn::If': ['C', [], []] } } },
    Cond: { Type: LB, Properties: { LoadBalancerAttributes: [{ 'Fn::If': ['C', { Key: 'b', Value: 'x' }, { Ref: 'AWS::NoValue' }] }] } },
    Clb: { Type: 'AWS::ElasticLoadBalancing::LoadBalancer', Properties: {} },
  });
  const view = (id: string) => resource(tpl, id)!;

  it('reads the kind, application by default', () => {
    expect(loadBalancerKind(view('Alb'))).toBe('application');
    expect(loadBalancerKind(view('Nlb'))).toBe('network');
    expect(loadBalancerKind(view('Odd'))).toBeUndefined();
    expect(loadBalancerKind(view('Clb'))).toBeUndefined();
    expect(loadBalancersOfKind(tpl, 'network').map((l) => l.view.id)).toEqual(['Nlb']);
  });

  it('reads an attribute: the first element with the key, missing, or computed', () => {
    expect(loadBalancerAttribute(view('Alb'), 'a')).toEqual({ state: 'set', value: '1', pointer: '/Resources/Alb/Properties/LoadBalancerAttributes/0/Value' });
    expect(loadBalancerAttribute(view('Alb'), 'b')).toEqual({ state: 'missing' });
    expect(loadBalancerAttribute(view('Nlb'), 'a')).toEqual({ state: 'missing' });
    expect(loadBalancerAttribute(view('Odd'), 'a')).toEqual({ state: 'computed' });
    expect(loadBalancerAttribute(view('Cond'), 'b')).toEqual({ state: 'computed' });
    expect(loadBalancerAttribute(view('Cond'), 'a')).toEqual({ state: 'missing' });
  });

  it('reads flags', () => {
    expect([true, 'true', 'TRUE', false, 'false', 'yes', { Ref: 'P' }, undefined].map((v) => attributeFlag(v as never))).toEqual([true, true, true, false, false, undefined, undefined, undefined]);
  });

  it('sets an attribute in place, appends it, creates the list, or refuses a computed one', () => {
    const fx = new Fixer(tpl);
    expect(setLoadBalancerAttribute(fx, view('Alb'), 'a', 'z')).toBe(true);
    expect(fx.take().ops).toEqual([{ op: 'replace', path: '/Resources/Alb/Properties/LoadBalancerAttributes/0/Value', value: 'z' }]);
    expect(setLoadBalancerAttribute(fx, view('Alb'), 'c', 'y')).toBe(true);
    expect(fx.take().ops).toEqual([{ op: 'add', path: '/Resources/Alb/Properties/LoadBalancerAttributes/-', value: { Key: 'c', Value: 'y' } }]);
    setLoadBalancerAttribute(fx, view('Nlb'), 'c', 'y');
    setLoadBalancerAttribute(fx, view('Nlb'), 'd', 'x');
    expect(fx.take().ops).toEqual([{ op: 'add', path: '/Resources/Nlb/Properties/LoadBalancerAttributes', value: [{ Key: 'c', Value: 'y' }, { Key: 'd', Value: 'x' }] }]);
    expect(setLoadBalancerAttribute(fx, view('Odd'), 'a', 'z')).toBe(false);
    expect(fx.take().ops).toEqual([]);
  });
});
