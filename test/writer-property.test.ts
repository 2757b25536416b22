// Property: for random templates written in random styles and random valid operation lists,
// the written text parses to exactly the patched value (writeFixed throws otherwise).
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, it } from 'vitest';
import { applyOperations } from '../src/engine/patch.js';
import { parseSource } from '../src/template/load.js';
import { DUMP_SCHEMA_SHORT } from '../src/template/yaml.js';
import { writeFixed } from '../src/writer/index.js';
import type { JsonValue, Operation } from '../src/types.js';

const key = fc.constantFrom('Type', 'Properties', 'Name', 'Tags', 'Key', 'Value', 'a', 'b-c', 'Fn::Sub', 'Ref', 'x y', '1');
const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constantFrom('plain', 'with: colon', 'yes', '2012-10-17', '', ' lead', 'multi\nline', '#hash', "it's", '"q"', '${AWS::Region}', '*', '- dash'),
  fc.integer({ min: -5, max: 100000 }),
  fc.boolean(),
  fc.constant(null),
);
const { tree } = fc.letrec<{ tree: JsonValue; node: JsonValue }>((tie) => ({
  tree: fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 4 }) as fc.Arbitrary<JsonValue>,
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 3 }) as fc.Arbitrary<JsonValue>,
    fc.dictionary(key, tie('node'), { maxKeys: 3 }) as fc.Arbitrary<JsonValue>,
  ),
}));

/** Every pointer in a value, with what it points at. */
function paths(value: JsonValue, prefix = ''): Array<{ path: string; value: JsonValue }> {
  const out = [{ path: prefix, value }];
  const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, `${prefix}/${i}`)));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, `${prefix}/${esc(k)}`));
  return out;
}

/** Turns random choices into operations that are valid against the evolving document. */
function buildOps(doc: JsonValue, choices: Array<{ kind: number; pick: number; value: JsonValue; key: string }>): Operation[] {
  const ops: Operation[] = [];
  let current = doc;
  for (const c of choices) {
    const all = paths(current);
    const target = all[c.pick % all.length]!;
    let op: Operation | undefined;
    const t = target.value;
    if (c.kind % 3 === 0 && t !== null && typeof t === 'object') {
      op = Array.isArray(t)
        ? { op: 'add', path: `${target.path}/${t.length === 0 ? '-' : c.pick % (t.length + 1)}`, value: c.value }
        : { op: 'add', path: `${target.path}/${c.key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: c.value };
    } else if (c.kind % 3 === 1 && target.path !== '' && target.path.split('/').length > 2) {
      op = { op: 'remove', path: target.path };
    } else if (target.path !== '') {
      op = { op: 'replace', path: target.path, value: c.value };
    }
    if (!op) continue;
    current = applyOperations(current, [op]);
    ops.push(op);
  }
  return ops;
}

function check(parsed: ReturnType<typeof parseSource>, ops: Operation[], text: string) {
  try {
    writeFixed(parsed, applyOperations(parsed.value, ops));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- input\n${text}\n--- ops\n${JSON.stringify(ops)}`);
  }
}

const choice = fc.record({ kind: fc.nat(), pick: fc.nat(), value: fc.oneof(scalar, tree), key });

describe('writer invariant (property)', () => {
  it('JSON in 2/4-space/tab/CRLF styles', () => {
    fc.assert(
      fc.property(tree, fc.array(choice, { minLength: 1, maxLength: 6 }), fc.constantFrom('  ', '    ', '\t'), fc.boolean(), (doc, choices, indent, crlf) => {
        let text = JSON.stringify({ Resources: doc }, null, indent) + '\n';
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const parsed = parseSource('json', text);
        const ops = buildOps(parsed.value, choices);
        check(parsed, ops, text);
      }),
      { numRuns: Number(process.env['TAPFIX_PROPERTY_RUNS'] ?? 300) },
    );
  });

  it('YAML in block, flow and mixed styles with short tags', () => {
    fc.assert(
      fc.property(
        tree,
        fc.array(choice, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(2, 4),
        fc.constantFrom(-1, 1, 2, 3),
        fc.boolean(),
        (doc, choices, indent, flowLevel, seqNoIndent) => {
          const text = dump({ Resources: doc }, { schema: DUMP_SCHEMA_SHORT, indent, flowLevel, seqNoIndent, lineWidth: -1, noRefs: true });
          const parsed = parseSource('yaml', text);
          const ops = buildOps(parsed.value, choices);
          check(parsed, ops, text);
        },
      ),
      { numRuns: Number(process.env['TAPFIX_PROPERTY_RUNS'] ?? 300) },
    );
  });
});
