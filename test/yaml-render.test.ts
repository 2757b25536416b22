// The writer's YAML renderer must print exactly what js-yaml's dump prints for the same value and
// options (the writer used dump itself before; goldens and the writer invariant rest on it).
import fc from 'fast-check';
import { DUMP_SCHEMA, SCALAR_STYLE, dump, visit, type Document } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DUMP_SCHEMA_SHORT } from '../src/template/yaml.js';
import { createYamlRenderer } from '../src/writer/yaml-render.js';
import type { JsonValue } from '../src/types.js';

const RUNS = Number(process.env.TAPFIX_PROPERTY_RUNS ?? 300);

const text = fc.oneof(
  fc.constantFrom('plain', 'with: colon', 'yes', 'no', 'null', '~', '2012-10-17', '', ' lead', 'trail ', 'multi\nline', 'a\n', '#hash', "it's", '"q"', '${AWS::Region}', '*', '- dash', '0x1F', '1e3', '.inf', '012', '!Ref', '@at', '{a}', '[b]', 'a, b', 'tab\there', '\u00e9t\u00e9', '\u0007bell'),
  fc.string({ maxLength: 12 }),
);
const key = fc.oneof(fc.constantFrom('Type', 'Properties', 'Ref', 'Condition', 'Fn::Sub', 'Fn::GetAtt', 'Fn::GetAZs', 'Fn::If', 'Fn::Transform', 'k', 'x y', '1', 'true', ''), text);
const scalar: fc.Arbitrary<JsonValue> = fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0), fc.boolean(), fc.constant(null));
const { node } = fc.letrec<{ node: JsonValue }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 3 }) as fc.Arbitrary<JsonValue>,
    fc.dictionary(key, tie('node'), { maxKeys: 3 }) as fc.Arbitrary<JsonValue>,
    // Intrinsics in every argument shape: string, two strings (GetAtt), list, mapping.
    fc
      .tuple(fc.constantFrom('Ref', 'Condition', 'Fn::Sub', 'Fn::GetAtt', 'Fn::GetAZs', 'Fn::Join', 'Fn::If', 'Fn::Transform', 'Fn::Select'), fc.oneof(text, fc.tuple(text, text), tie('node')))
      .map(([k, v]) => ({ [k]: v }) as JsonValue),
  ),
}));

const settings = fc.record({
  shortTags: fc.boolean(),
  indent: fc.constantFrom(2, 4),
  seqNoIndent: fc.boolean(),
  quoteStyle: fc.constantFrom('single' as const, 'double' as const),
});

/** The dump call the writer made before the renderer existed. */
function dumped(value: JsonValue, s: { shortTags: boolean; indent: number; seqNoIndent: boolean; quoteStyle: 'single' | 'double' }, flowLevel?: number) {
  return dump(value, {
    schema: s.shortTags ? DUMP_SCHEMA_SHORT : DUMP_SCHEMA,
    indent: s.indent,
    seqNoIndent: s.seqNoIndent,
    quoteStyle: s.quoteStyle,
    lineWidth: -1,
    noRefs: true,
    ...(flowLevel === undefined ? {} : { flowLevel }),
    transform: (documents: Document[]) =>
      visit(documents, (n) => {
        if (n.kind === 'scalar' && n.tagged && n.value === '') n.style = SCALAR_STYLE.SINGLE_QUOTED;
      }),
  });
}

describe('YAML renderer', () => {
  it('prints what js-yaml dump prints, block and flow, in every style', () => {
    fc.assert(
      fc.property(node, settings, (value, s) => {
        const renderer = createYamlRenderer({ ...s, schema: s.shortTags ? DUMP_SCHEMA_SHORT : DUMP_SCHEMA });
        // Twice: small pairs and items are remembered.
        for (let i = 0; i < 2; i++) {
          expect(renderer.block(value)).toBe(dumped(value, s));
          expect(renderer.block({ k: value })).toBe(dumped({ k: value }, s));
          expect(renderer.block([value])).toBe(dumped([value], s));
        }
        // Twice: the second answer for a string comes from memory.
        for (let i = 0; i < 2; i++) expect(renderer.flowItem(value)).toBe(dumped([value], s, 0).replace(/\n$/, '').slice(1, -1));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('uses the short forms where the schema would, and quotes an empty tagged scalar', () => {
    const renderer = createYamlRenderer({ schema: DUMP_SCHEMA_SHORT, shortTags: true, indent: 2, seqNoIndent: false, quoteStyle: 'single' });
    const value: JsonValue = {
      A: { 'Fn::GetAtt': ['Role', 'Arn'] },
      B: { 'Fn::GetAZs': '' },
      C: { 'Fn::Sub': ['${X}', { X: { Ref: 'Y' } }] },
      D: { Ref: { Ref: 'nested' } },
      E: -0,
      F: [1.5, true, null, '1'],
    };
    expect(renderer.block(value)).toBe(
      "A: !GetAtt Role.Arn\nB: !GetAZs ''\nC: !Sub\n  - ${X}\n  - X: !Ref Y\nD:\n  Ref: !Ref nested\nE: -0.0\nF:\n  - 1.5\n  - true\n  - null\n  - '1'\n",
    );
  });
});
