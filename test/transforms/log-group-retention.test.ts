import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'log-group-retention';
const group = (properties?: unknown, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Logs::LogGroup',
  ...(properties === undefined ? {} : { Properties: properties }),
  ...extra,
});

describe('log-group-retention', () => {
  it('gives a group without retention the shared LogRetentionInDays parameter (safe)', () => {
    const r = runTransform(ID, { Resources: { Logs: group({ LogGroupName: 'x' }), Bare: group() } }, { unsafe: false });
    expect(r.ids).toEqual(['noRetention', 'noRetention']);
    expect(r.findings.map((f) => f.fix)).toEqual(['applied', 'applied']);
    expect(r.template.Parameters.LogRetentionInDays.Default).toBe(365);
    expect(r.template.Resources.Logs.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
    expect(r.template.Resources.Bare.Properties).toEqual({ RetentionInDays: { Ref: 'LogRetentionInDays' } });
    expectIdempotent(ID, r);
  });

  it('uses the retentionInDays option as the parameter default and the minimum', () => {
    const r = runTransform(ID, { Resources: { A: group({}), B: group({ RetentionInDays: 400 }) } }, { options: { retentionInDays: 731 } });
    expect(r.ids).toEqual(['noRetention', 'shortRetention']);
    expect(r.template.Parameters.LogRetentionInDays.Default).toBe(731);
    expect(r.template.Resources.B.Properties.RetentionInDays).toBe(731);
  });

  it('follows an existing LogRetentionInDays parameter; a shorter one makes the fix unsafe', () => {
    const t = (d: number) => ({ Parameters: { LogRetentionInDays: { Type: 'Number', Default: d } }, Conditions: { C: { 'Fn::Equals': [{ Ref: 'LogRetentionInDays' }, 1] } }, Resources: { A: group({}) } });
    const long = runTransform(ID, t(3653), { unsafe: false });
    expect(long.findings[0]!.fix).toBe('applied');
    expect(long.template.Parameters.LogRetentionInDays.Default).toBe(3653);
    const short = runTransform(ID, t(30), { unsafe: false });
    expect(short.ids).toEqual(['noRetention']);
    expect(short.findings[0]!.fix).toBe('held');
    expect(short.changed).toBe(false);
    const applied = runTransform(ID, t(30));
    expect(applied.template.Resources.A.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionInDays' });
    // The parameter also feeds a condition: reported, not raised.
    expect(applied.ids).toEqual(['noRetention', 'shortRetentionParameter']);
    expect(applied.findings[1]!.fix).toBe('none');
  });

  it('writes a literal when LogRetentionInDays is a resource', () => {
    const r = runTransform(ID, { Resources: { LogRetentionInDays: { Type: 'AWS::SNS::Topic' }, A: group({}) } });
    expect(r.template.Resources.A.Properties.RetentionInDays).toBe(365);
    expect(r.template.Parameters).toBeUndefined();
  });

  it('raises short literals, on both branches of Fn::If, only as an unsafe fix', () => {
    const t = {
      Conditions: { P: { 'Fn::Equals': ['a', 'b'] } },
      Resources: { A: group({ RetentionInDays: 7 }), B: group({ RetentionInDays: { 'Fn::If': ['P', 30, '14'] } }), C: group({ RetentionInDays: 365 }) },
    };
    const held = runTransform(ID, t, { unsafe: false });
    expect(held.ids).toEqual(['shortRetention', 'shortRetention', 'shortRetention']);
    expect(held.findings.every((f) => f.fix === 'held')).toBe(true);
    expect(held.changed).toBe(false);
    const r = runTransform(ID, t);
    expect(r.template.Resources.A.Properties.RetentionInDays).toBe(365);
    expect(r.template.Resources.B.Properties.RetentionInDays).toEqual({ 'Fn::If': ['P', 365, 365] });
    expectIdempotent(ID, r);
  });

  it('raises the default of a retention-only parameter once, keeping its type', () => {
    const r = runTransform(ID, {
      Parameters: { Days: { Type: 'String', Default: '30', AllowedValues: ['30', '365'] } },
      Resources: { A: group({ RetentionInDays: { Ref: 'Days' } }), B: group({ RetentionInDays: { Ref: 'Days' } }) },
    });
    expect(r.ids).toEqual(['shortRetentionParameter']);
    expect(r.findings[0]!.message).toContain('A, B');
    expect(r.template.Parameters.Days.Default).toBe('365');
    expectIdempotent(ID, r);
  });

  it('reports a short parameter it cannot raise', () => {
    const base = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      Parameters: { Days: { Type: 'Number', Default: 30, ...spec } },
      Resources: { A: group({ RetentionInDays: { Ref: 'Days' } }), ...extra },
    });
    for (const t of [
      base({ AllowedValues: [7, 30] }),
      base({ MaxValue: 90 }),
      base({ AllowedPattern: '^[0-9]+$' }),
      base({ Type: 'AWS::SSM::Parameter::Value<String>' }),
      base({}, { Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { DAYS: { Ref: 'Days' } } } } } }),
      base({}, { Other: group({ RetentionInDays: { Ref: 'Days' } }, { Metadata: { tapfix: { skip: [ID] } } }) }),
    ]) {
      const r = runTransform(ID, t);
      expect(r.ids).toEqual(['shortRetentionParameter']);
      expect(r.findings[0]!.fix).toBe('none');
      expect(r.changed).toBe(false);
    }
  });

  it('leaves long, mapped, computed, parameter-without-default and opted-out retentions alone', () => {
    const r = runTransform(ID, {
      Parameters: { NoDefault: { Type: 'Number' }, Long: { Type: 'Number', Default: 731 } },
      Mappings: { M: { a: { d: 1 } } },
      Conditions: { P: { 'Fn::Equals': ['a', 'b'] } },
      Resources: {
        A: group({ RetentionInDays: 3653 }),
        B: group({ RetentionInDays: { 'Fn::FindInMap': ['M', 'a', 'd'] } }),
        C: group({ 'Fn::If': ['P', { RetentionInDays: 1 }, {}] }),
        D: group({ RetentionInDays: { Ref: 'NoDefault' } }),
        E: group({ RetentionInDays: { Ref: 'Long' } }),
        F: group({ RetentionInDays: 1 }, { Metadata: { tapfix: { skip: [ID] } } }),
        G: group({ RetentionInDays: { 'Fn::If': ['P', 400, { Ref: 'AWS::NoValue' }] } }),
      },
    });
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  Logs:', '    Type: AWS::Logs::LogGroup', '    Properties:', '      RetentionInDays: 14 # two weeks', ''].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml.replace('14 #', '365 #'));
  });
});
