import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'az-dynamic';
const run = (t: object, region?: string, options?: Record<string, unknown>) => runTransform(ID, t, { ...(region ? { region } : {}), ...(options ? { options } : {}) });
const subnet = (az: unknown, extra: object = {}) => ({ Type: 'AWS::EC2::Subnet', ...extra, Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', AvailabilityZone: az } });
const select = (i: number) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] });
const azOf = (r: ReturnType<typeof run>, id: string) => r.template.Resources[id].Properties.AvailabilityZone;

describe('az-dynamic', () => {
  it('gives the same index to a literal and a ${AWS::Region}x of the same AZ when the region is known', () => {
    const r = run({ Resources: { A: subnet('eu-west-1b'), B: subnet({ 'Fn::Sub': '${AWS::Region}b' }), C: subnet('eu-west-1a') } }, 'eu-west-1');
    expect(r.ids).toEqual(['hardCodedZone', 'hardCodedZone', 'hardCodedZone']);
    expect([azOf(r, 'A'), azOf(r, 'B'), azOf(r, 'C')]).toEqual([select(0), select(0), select(1)]);
    expectIdempotent(ID, r, { region: 'eu-west-1' });
  });

  it('reads the region letter in every form of the text', () => {
    const r = run({
      Resources: {
        A: subnet({ 'Fn::Join': ['', [{ Ref: 'AWS::Region' }, 'a']] }),
        B: subnet({ 'Fn::Sub': '${ AWS::Region }a' }),
        C: subnet({ 'Fn::Sub': '${AWS::Region}b' }),
      },
    });
    expect([azOf(r, 'A'), azOf(r, 'B'), azOf(r, 'C')]).toEqual([select(0), select(0), select(1)]);
  });

  it('skips indexes already used by Fn::Select over Fn::GetAZs (numbers or strings)', () => {
    const r = run({ Resources: { A: subnet({ 'Fn::Select': ['0', { 'Fn::GetAZs': { Ref: 'AWS::Region' } }] }), B: subnet('us-east-2a') } });
    expect(azOf(r, 'B')).toEqual(select(1));
  });

  it('keeps a mapping that a skipped resource still reads, and drops it once nothing does', () => {
    const lookup = { 'Fn::FindInMap': ['Zones', { Ref: 'AWS::Region' }, 'A'] };
    const mappings = { Zones: { 'us-east-1': { A: 'us-east-1a' }, 'us-west-2': { A: 'us-west-2a' } } };
    const skipped = run({ Mappings: mappings, Resources: { A: subnet(lookup), B: subnet(lookup, { Metadata: { tapfix: { skip: [ID] } } }) } });
    expect(skipped.findings.map((f) => f.pointer)).toEqual(['/Resources/A/Properties/AvailabilityZone']);
    expect(skipped.result.operations).toEqual([{ op: 'replace', path: '/Resources/A/Properties/AvailabilityZone', value: select(0) }]);
    expect(skipped.template.Mappings).toEqual(mappings);
    const both = run({ Mappings: mappings, Resources: { A: subnet(lookup), B: subnet(lookup) } });
    expect(both.template.Mappings).toBeUndefined();
    expect([azOf(both, 'A'), azOf(both, 'B')]).toEqual([select(0), select(0)]);
  });

  it('reports, without a fix, a third distinct AZ in a two-AZ region, and stays stable', () => {
    const r = run({ Resources: { A: subnet('us-west-1a'), B: subnet('us-west-1c'), C: subnet('us-west-1b') } }, 'us-west-1');
    expect(r.ids).toEqual(['hardCodedZone', 'hardCodedZone', 'tooManyZones']);
    expect(r.findings.filter((f) => f.fix === 'none').map((f) => f.pointer)).toEqual(['/Resources/C/Properties/AvailabilityZone']);
    expect(azOf(r, 'C')).toBe('us-west-1b');
    const again = run(r.template, 'us-west-1');
    expect(again.ids).toEqual(['tooManyZones']);
    expect(again.changed).toBe(false);
  });

  it('reports an existing Fn::Select past the zones of the region', () => {
    const r = run({ Resources: { A: subnet(select(2)) } }, 'us-west-1');
    expect(r.ids).toEqual(['selectPastZones']);
    expect(r.findings[0]!.pointer).toBe('/Resources/A/Properties/AvailabilityZone');
    expect(r.changed).toBe(false);
  });

  it('says an AZ of another region does not exist there', () => {
    const r = run({ Resources: { A: subnet('us-east-1a') } }, 'us-west-1');
    expect(r.ids).toEqual(['hardCodedZone']);
    expect(r.findings[0]!.message).toContain('us-east-1a does not exist in us-west-1');
    expect(azOf(r, 'A')).toEqual(select(0));
  });

  it('asks Fn::GetAZs for the current region wherever a literal region is given', () => {
    const r = run({
      Resources: {
        Group: {
          Type: 'AWS::AutoScaling::AutoScalingGroup',
          Properties: { MinSize: '1', MaxSize: '2', AvailabilityZones: { 'Fn::GetAZs': 'us-west-2' }, VPCZoneIdentifier: [{ 'Fn::Select': [0, { 'Fn::GetAZs': 'us-west-2' }] }] },
        },
      },
    });
    expect(r.ids).toEqual(['getAzsLiteralRegion', 'getAzsLiteralRegion']);
    expect(r.findings.map((f) => f.pointer)).toEqual([
      '/Resources/Group/Properties/AvailabilityZones/Fn::GetAZs',
      '/Resources/Group/Properties/VPCZoneIdentifier/0/Fn::Select/1/Fn::GetAZs',
    ]);
    expect(r.template.Resources.Group.Properties.AvailabilityZones).toEqual({ 'Fn::GetAZs': '' });
  });

  it('keeps the count of a literal list, or spreads over every zone with listStyle all', () => {
    const group = (zones: unknown) => ({
      Resources: { Group: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '1', MaxSize: '2', AvailabilityZones: zones } } },
    });
    const zones = ['us-east-1a', 'us-east-1b'];
    expect(run(group(zones)).template.Resources.Group.Properties.AvailabilityZones).toEqual([select(0), select(1)]);
    const all = run(group(zones), undefined, { listStyle: 'all' });
    expect(all.ids).toEqual(['hardCodedZone']);
    expect(all.template.Resources.Group.Properties.AvailabilityZones).toEqual({ 'Fn::GetAZs': '' });
  });

  it('leaves AZ parameters, AZ ids, local zones and unknown shapes alone', () => {
    const r = run(
      {
        Parameters: { Zone: { Type: 'AWS::EC2::AvailabilityZone::Name', Default: 'us-east-1a' } },
        Conditions: { Cond: { 'Fn::Equals': ['a', 'b'] } },
        Resources: {
          A: subnet({ Ref: 'Zone' }),
          B: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', AvailabilityZoneId: 'use1-az1' } },
          C: subnet('us-west-2-lax-1a'),
          D: subnet({ 'Fn::If': ['Cond', { Ref: 'AWS::NoValue' }, { Ref: 'Zone' }] }),
          E: { Type: 'AWS::EC2::Subnet' },
        },
      },
      'us-east-1',
    );
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });
});
