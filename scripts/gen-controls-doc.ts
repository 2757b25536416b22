// Writes docs/controls.md (see scripts/controls-doc.ts). Fails when a control is neither fixed by a
// transform nor explained in data/control-decisions.json.
//   node dist/scripts/gen-controls-doc.js
import { writeFileSync } from 'node:fs';
import { loadTransforms } from '../src/engine/registry.js';
import { controlRules, ensureControlsPackage } from './controls.js';
import { CONTROLS_DOC, controlDecisions, controlsDoc, coverageProblems } from './controls-doc.js';

const rules = controlRules(ensureControlsPackage());
const transforms = await loadTransforms();
const decisions = controlDecisions();
const problems = coverageProblems(rules, transforms, decisions);
writeFileSync(CONTROLS_DOC, controlsDoc(rules, transforms, decisions));
console.log(`wrote docs/controls.md: ${rules.length} controls`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exitCode = 1;
}
