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

describe('ELB accounts mapping and log bucket', () => {
  it('reuses an equal ElbLogAccounts mapping, else adds one under a free name', async () => {
    const { ELB_ACCOUNTS_MAPPING, elbAccountsMappingTable, planElbAccountsMapping } = await import('../src/cfn/elb-logs.js');
    const table = elbAccountsMappingTable();
    expect(table['us-east-1']).toEqual({ AccountId: '127311923021' });
    expect(planElbAccountsMapping(deepFreeze({ Mappings: { [ELB_ACCOUNTS_MAPPING]: table }, Resources: {} }) as unknown as Template)).toEqual({ mapName: 'ElbLogAccounts', mappingOps: [] });
    expect(planElbAccountsMapping(t({}))).toEqual({ mapName: 'ElbLogAccounts', mappingOps: [{ op: 'add', path: '/Mappings', value: { ElbLogAccounts: table } }] });
    const other = planElbAccountsMapping(deepFreeze({ Mappings: { ElbLogAccounts: { x: { AccountId: '1' } } }, Resources: {} }) as unknown as Template);
    expect(other.mapName).not.toBe('ElbLogAccounts');
    expect(other.mappingOps).toEqual([{ op: 'add', path: `/Mappings/${other.mapName}`, value: table }]);
  });

  it('builds a retained SSE-S3 log bucket with the expiry asked for', async () => {
    const { logBucketResource } = await import('../src/cfn/s3.js');
    const bucket = logBucketResource(10, 5) as any;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 10, NoncurrentVersionExpiration: { NoncurrentDays: 5 } });
  });
});
