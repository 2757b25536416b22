// docs/controls.md covers every Control Tower control of the pinned package: each is fixed by a
// transform or explained in data/control-decisions.json, never both, and the committed document
// is what the generator writes today.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTransforms } from '../src/engine/registry.js';
import { controlRules, ensureControlsPackage } from '../scripts/controls.js';
import { CONTROLS_DOC, controlDecisions, controlsDoc, coverageProblems, fixesByControl } from '../scripts/controls-doc.js';
import { defineTransform } from '../src/transform.js';

const rules = controlRules(ensureControlsPackage());
const transforms = await loadTransforms();
const decisions = controlDecisions();

describe('docs/controls.md', () => {
  it('lists every control of the package', () => {
    expect(rules.length).toBeGreaterThan(200);
  });

  it('fixes or explains every control, never both', () => {
    expect(coverageProblems(rules, transforms, decisions)).toEqual([]);
  });

  it('is up to date (npm run gen:controls-doc)', () => {
    expect(readFileSync(CONTROLS_DOC, 'utf8')).toBe(controlsDoc(rules, transforms, decisions));
  });

  it('reports a control that is neither fixed nor decided, and one that is both', () => {
    const fixed = [...fixesByControl(transforms).keys()][0]!;
    const decided = [...decisions.keys()][0]!;
    const fake = defineTransform({
      meta: {
        id: 'fake-fix',
        title: 'A transform that claims a decided control',
        severity: 'low',
        safety: 'safe',
        seeds: [],
        equivalents: [{ tool: 'control-tower', id: decided, source: 'https://example.com/rule' }],
        defaultOptions: {},
        docs: '## Why\nx\n## Fix\nx\n## Fix safety\nx\n## Options\nNone.\n',
      },
      check: () => [],
    });
    // Without the transforms that fix `fixed`, and with one that claims `decided`.
    const without = transforms.filter((t) => !fixesByControl([t]).has(fixed));
    const problems = coverageProblems(rules, [...without, fake], decisions);
    expect(problems).toContain(`${fixed}: no transform fixes it and data/control-decisions.json does not say why`);
    expect(problems).toContain(`${decided}: fixed by fake-fix but also listed in data/control-decisions.json`);
    expect(problems).toHaveLength(2);
  });
});
