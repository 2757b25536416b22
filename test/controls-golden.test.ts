// Golden cases against the AWS Control Tower controls a transform names in its equivalents:
// every failing case's input fails at least one of them under cfn-guard and its output fails none
// of them, except on resources the fix added or changed where data/control-exceptions.json says
// why; a valid-* input fails none of them. Resources a case leaves failing on purpose (a public
// website bucket that is reported, a log destination that must not log to itself) are named in its
// options file as `controlsKept` with a `$comment` saying why, and must still fail in the output.
// A case whose defect the control cannot see (it accepts the AWS managed key, say) sets
// `controlsBlind: true` with a `$comment`; its output must still pass.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixText } from '../src/engine/fix.js';
import { loadTransforms } from '../src/engine/registry.js';
import { parseSource } from '../src/template/load.js';
import type { JsonValue, Transform } from '../src/types.js';
import {
  checkTemplates,
  controlExceptions,
  ensureControlsPackage,
  exceptionFor,
  resourceOrigins,
  type ControlsPackage,
  type ControlViolation,
  type ResourceOrigin,
} from '../scripts/controls.js';

const goldenDir = join(import.meta.dirname, '..', 'golden');
// Report-only equivalents (opt-in design reports) fix nothing, so only fixing ones are held here.
const fixing = (t: Transform) => (t.meta.equivalents ?? []).filter((e) => e.tool === 'control-tower' && !e.reportOnly).map((e) => e.id);
const transforms = (await loadTransforms()).filter((t) => fixing(t).length > 0);

interface Case {
  transform: string;
  name: string;
  input: string;
  output?: string;
  kept: string[];
  blind: boolean;
  origins: Map<string, ResourceOrigin>;
}

const cases: Case[] = [];
for (const t of transforms) {
  const dir = join(goldenDir, t.meta.id);
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir).sort()) {
    const m = /^(.*)\.input\.(json|ya?ml)$/.exec(file);
    if (!m) continue;
    const name = m[1]!;
    const output = join(dir, `${name}.output.${m[2]}`);
    const optionsFile = join(dir, `${name}.options.json`);
    const options = existsSync(optionsFile)
      ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as { controlsKept?: string[]; controlsBlind?: boolean; options?: Record<string, unknown>; unsafe?: boolean; region?: string })
      : {};
    const input = join(dir, file);
    const result = fixText(readFileSync(input, 'utf8'), {
      transforms: [t],
      settings: options.options ? { [t.meta.id]: { options: options.options } } : {},
      unsafe: options.unsafe ?? true,
      region: options.region,
      filePath: input,
    });
    cases.push({
      transform: t.meta.id,
      name: `${name}.${m[2]}`,
      input,
      ...(existsSync(output) ? { output } : {}),
      kept: options.controlsKept ?? [],
      blind: options.controlsBlind === true,
      origins: resourceOrigins(result.applied, result.before),
    });
  }
}

const controlsOf = new Map(transforms.map((t) => [t.meta.id, fixing(t)]));
const exceptions = controlExceptions();
const load = (file: string): JsonValue => parseSource(/\.json$/.test(file) ? 'json' : 'yaml', readFileSync(file, 'utf8')).value as JsonValue;

let pkg: ControlsPackage;
let found: Map<string, ControlViolation[]>;
beforeAll(async () => {
  pkg = ensureControlsPackage();
  const templates = new Map<string, JsonValue>();
  for (const c of cases) {
    templates.set(`${c.transform}/${c.name}/input`, load(c.input));
    if (c.output) templates.set(`${c.transform}/${c.name}/output`, load(c.output));
  }
  const controls = [...new Set([...controlsOf.values()].flat())];
  found = await checkTemplates(templates, { pkg, controls });
}, 600_000);

describe('golden cases pass the Control Tower controls their transform fixes', () => {
  it('finds transforms that name Control Tower controls', () => {
    expect(transforms.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    it(`${c.transform}/${c.name}`, () => {
      const controls = controlsOf.get(c.transform)!;
      const of = (side: string) =>
        (found.get(`${c.transform}/${c.name}/${side}`) ?? [])
          .filter((v) => controls.includes(v.control))
          .filter((v) => side === 'input' || !exceptionFor(exceptions, v, c.origins.get(v.logicalId)))
          .map((v) => `${v.control} ${v.logicalId}`);
      const input = of('input');
      const kept = (list: string[]) => list.filter((v) => c.kept.includes(v.slice(v.indexOf(' ') + 1)));
      if (c.name.startsWith('valid-')) {
        expect(input.filter((v) => !kept([v]).length), 'a valid-* input passes the controls').toEqual([]);
        return;
      }
      if (!c.blind) expect(input.length, `the input fails one of ${controls.join(', ')}`).toBeGreaterThan(0);
      expect(c.output, 'a failing case has an output').toBeDefined();
      const output = of('output');
      expect(output.filter((v) => !kept([v]).length), 'the output passes the controls').toEqual([]);
      // What the case keeps reported but unchanged still fails: the finding is not a fix.
      expect(kept(output).sort()).toEqual(kept(input).sort());
    });
  }
});
