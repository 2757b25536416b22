import { describe, expect, it } from 'vitest';
import transform from '../../transforms/az-dynamic.js';
import { applyOperations } from '../../src/engine/patch.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { JsonObject, JsonValue, Template } from '../../src/types.js';

const run = (t: JsonObject, region?: string, options: Record<string, unknown> = {}) =>
  transform.check({ template: deepFreeze(t) as unknown as Template, options, region, filePath: undefined, format: 'json' });
const fixAll = (t: JsonObject, region?: string) => applyOperations(t as JsonValue, run(t, region).flatMap((f) => f.fix?.ops ?? [])) as JsonObject;
const subnet = (az: JsonValue, extra: JsonObject = {}): JsonObject => ({ Type: 'AWS::EC2::Subnet', ...extra, Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', AvailabilityZone: az } });
const select = (i: number) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] });
const azOf = (t: JsonObject, id: string) => ((t['Resources'] as JsonObject)[id] as { Properties: JsonObject }).Properties['AvailabilityZone'];

describe('az-dynamic', () => {
  it('gives the same index to a literal and a ${AWS::Region}x of the same AZ when the region is known', () => {
    const t = { Resources: { A: subnet('eu-west-1b'), B: subnet({ 'Fn::Sub': '${AWS::Region}b' }), C: subnet('eu-west-1a') } };
    const fixed = fixAll(t, 'eu-west-1');
    expect([azOf(fixed, 'A'), azOf(fixed, 'B'), azOf(fixed, 'C')]).toEqual([select(0), select(0), select(1)]);
  });

  it('skips indexes already used by Fn::Select over Fn::GetAZs (numbers or strings)', () => {
    const t = { Resources: { A: subnet({ 'Fn::Select': ['0', { 'Fn::GetAZs': { Ref: 'AWS::Region' } }] }), B: subnet('us-east-2a') } };
    expect(azOf(fixAll(t), 'B')).toEqual(select(1));
  });

  it('keeps a mapping that a skipped resource still reads, and drops it once nothing does', () => {
    const t: JsonObject = {
      Mappings: { Zones: { 'us-east-1': { A: 'us-east-1a' }, 'us-west-2': { A: 'us-west-2a' } } },
      Resources: {
        A: subnet({ 'Fn::FindInMap': ['Zones', { Ref: 'AWS::Region' }, 'A'] }),
        B: subnet({ 'Fn::FindInMap': ['Zones', { Ref: 'AWS::Region' }, 'A'] }, { Metadata: { tapfix: { skip: ['az-dynamic'] } } }),
      },
    };
    const findings = run(t);
    expect(findings.map((f) => f.pointer)).toEqual(['/Resources/A/Properties/AvailabilityZone']);
    expect(findings[0]!.fix!.ops).toEqual([{ op: 'replace', path: '/Resources/A/Properties/AvailabilityZone', value: select(0) }]);
    const unskipped = { ...t, Resources: { A: (t['Resources'] as JsonObject)['A']!, B: subnet({ 'Fn::FindInMap': ['Zones', { Ref: 'AWS::Region' }, 'A'] }) } };
    const ops = run(unskipped).flatMap((f) => f.fix?.ops ?? []);
    expect(ops).toContainEqual({ op: 'remove', path: '/Mappings' });
  });

  it('reports, without a fix, a third distinct AZ in a two-AZ region, and stays stable', () => {
    const t = { Resources: { A: subnet('us-west-1a'), B: subnet('us-west-1c'), C: subnet('us-west-1b') } };
    const first = run(t, 'us-west-1');
    expect(first.filter((f) => !f.fix).map((f) => f.pointer)).toEqual(['/Resources/C/Properties/AvailabilityZone']);
    const again = run(fixAll(t, 'us-west-1'), 'us-west-1');
    expect(again.every((f) => !f.fix)).toBe(true);
    expect(again).toHaveLength(1);
  });

  it('says an AZ of another region does not exist there', () => {
    const [finding] = run({ Resources: { A: subnet('us-east-1a') } }, 'us-west-1');
    expect(finding!.message).toContain('us-east-1a does not exist in us-west-1');
  });

  it('leaves AZ parameters, AZ ids, local zones and unknown shapes alone', () => {
    const t = {
      Parameters: { Zone: { Type: 'AWS::EC2::AvailabilityZone::Name', Default: 'us-east-1a' } },
      Resources: {
        A: subnet({ Ref: 'Zone' }),
        B: { Type: 'AWS::EC2::Subnet', Properties: { AvailabilityZoneId: 'use1-az1' } },
        C: subnet('us-west-2-lax-1a'),
        D: subnet({ 'Fn::If': ['Cond', { Ref: 'AWS::NoValue' }, { Ref: 'Zone' }] }),
        E: { Type: 'AWS::EC2::Subnet' },
        F: 'not a resource',
      },
    } as unknown as JsonObject;
    expect(run(t, 'us-east-1')).toEqual([]);
  });
});
