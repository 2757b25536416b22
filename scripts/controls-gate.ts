// The controls gate: what tapfix writes must not fail an AWS Control Tower proactive control its
// input passed, unless data/control-exceptions.json documents why. Every corpus template is fixed
// (unsafe fixes on, every default transform, the region file beside it), inputs and outputs are
// written as JSON with parameter defaults resolved (what the deploy-time hook sees when the stack
// keeps its defaults), both go through cfn-guard with the control-tower rules (scripts/controls.ts),
// and each output's (control, logical id) pairs are compared with its input's.
//   node dist/scripts/controls-gate.js [corpusDir] [--work dir] [--jobs n] [--report file] [--only a,b] [--verbose]
// --only runs just the named transforms (enabled by default or not), for work on one transform;
// --all runs every transform, the off-by-default ones too (CI runs the gate both ways).
// Exit 1 when an output fails a control on a resource its input passed it on (or had not) and no
// exception covers it, or when cfn-guard cannot run; 0 otherwise.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fixText } from '../src/engine/fix.js';
import { loadTransforms } from '../src/engine/registry.js';
import { packageRoot } from '../src/paths.js';
import type { JsonValue } from '../src/types.js';
import {
  CONTROLS_PACKAGE,
  CONTROLS_PACKAGE_VERSION,
  checkTemplates,
  controlExceptions,
  controlRules,
  ensureControlsPackage,
  exceptionFor,
  resourceOrigins,
  violationKey,
  type ControlException,
  type ControlsPackage,
  type ControlViolation,
  type ResourceOrigin,
} from './controls.js';
import { corpusTemplates, readRegionFile } from './corpus-files.js';

const args = process.argv.slice(2);
const valueFlags = ['--work', '--jobs', '--report', '--only'];
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const corpus = resolve(args.find((a, i) => !a.startsWith('--') && !valueFlags.includes(args[i - 1] ?? '')) ?? join(packageRoot, '..', 'shared', 'corpus'));
const jobs = Math.max(1, Number(flag('--jobs') ?? availableParallelism()));
const reportFile = flag('--report');
const only = flag('--only')?.split(',');
const everyTransform = args.includes('--all');
const verbose = args.includes('--verbose');
const keepWork = flag('--work') !== undefined;
const work = resolve(flag('--work') ?? mkdtempSync(join(tmpdir(), 'tapfix-controls-gate-')));

const started = performance.now();
let pkg: ControlsPackage;
try {
  pkg = ensureControlsPackage();
} catch (error) {
  console.error(`controls gate: ${(error as Error).message}`);
  process.exit(1);
}
const rules = controlRules(pkg);
const titles = new Map(rules.map((r) => [r.control, r.title]));
const exceptions = controlExceptions();
console.log(`controls gate: ${CONTROLS_PACKAGE}@${CONTROLS_PACKAGE_VERSION} (${rules.length} Control Tower controls), corpus ${corpus}${everyTransform ? ', every transform' : ''}`);

interface Fixed {
  rel: string;
  origins: Map<string, ResourceOrigin>;
  changed: boolean;
}

const transforms = (await loadTransforms()).filter((t) => (only ? only.includes(t.meta.id) : everyTransform || t.meta.enabledByDefault !== false));
if (only && transforms.length !== only.length) {
  console.error(`controls gate: unknown transform id(s): ${only.filter((id) => !transforms.some((t) => t.meta.id === id)).join(', ')}`);
  process.exit(1);
}
const inputs = new Map<string, JsonValue>();
const outputs = new Map<string, JsonValue>();
const fixed: Fixed[] = [];
for (const file of corpusTemplates(corpus)) {
  const rel = relative(corpus, file);
  const result = fixText(readFileSync(file, 'utf8'), { transforms, unsafe: true, region: readRegionFile(dirname(file)), filePath: file });
  // Files that do not load or are not templates are the corpus check's business, not the controls'.
  if ((result.status !== 'changed' && result.status !== 'unchanged') || result.before === undefined) continue;
  inputs.set(rel, result.before);
  const changed = result.status === 'changed' && result.after !== undefined;
  if (changed) outputs.set(rel, result.after!);
  fixed.push({ rel, origins: resourceOrigins(result.applied, result.before), changed });
}
const fixSeconds = (performance.now() - started) / 1000;
console.log(`fixed: ${fixed.length} templates, ${outputs.size} changed, in ${fixSeconds.toFixed(1)} s`);

let before: Map<string, ControlViolation[]>;
let after: Map<string, ControlViolation[]>;
const checkStarted = performance.now();
try {
  before = await checkTemplates(inputs, { dir: join(work, 'inputs'), jobs, pkg });
  after = await checkTemplates(outputs, { dir: join(work, 'outputs'), jobs, pkg });
} catch (error) {
  console.error(`controls gate: ${(error as Error).message}`);
  process.exit(1);
}
const checkSeconds = (performance.now() - checkStarted) / 1000;
console.log(`checked: ${inputs.size} inputs and ${outputs.size} outputs with cfn-guard in ${checkSeconds.toFixed(1)} s (${jobs} processes)`);

interface Added {
  rel: string;
  violation: ControlViolation;
  origin: string;
  exception?: ControlException;
}

const count = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
let totalBefore = 0;
let totalAfter = 0;
const removedPerControl = new Map<string, number>();
const addedPerControl = new Map<string, number>();
const leftPerControl = new Map<string, number>();
const beforePerControl = new Map<string, number>();
const added: Added[] = [];
for (const f of fixed) {
  const was = before.get(f.rel) ?? [];
  const now = f.changed ? (after.get(f.rel) ?? []) : was;
  totalBefore += was.length;
  totalAfter += now.length;
  for (const v of was) count(beforePerControl, v.control);
  for (const v of now) count(leftPerControl, v.control);
  if (!f.changed) continue;
  const wasKeys = new Set(was.map(violationKey));
  const nowKeys = new Set(now.map(violationKey));
  for (const v of was) if (!nowKeys.has(violationKey(v))) count(removedPerControl, v.control);
  for (const v of now) {
    if (wasKeys.has(violationKey(v))) continue;
    count(addedPerControl, v.control);
    const origin = f.origins.get(v.logicalId);
    const how = origin?.addedBy ? `added by ${origin.addedBy}` : origin?.changedBy.length ? `changed by ${origin.changedBy.join(' + ')}` : 'not touched by a fix';
    const exception = exceptionFor(exceptions, v, origin);
    added.push({ rel: f.rel, violation: v, origin: how, ...(exception ? { exception } : {}) });
  }
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
// The controls the transforms that ran fix (report-only equivalents aside), and how they fared.
const fixable = [...new Set(transforms.flatMap((t) => (t.meta.equivalents ?? []).filter((e) => e.tool === 'control-tower' && !e.reportOnly).map((e) => e.id)))].sort((a, b) =>
  a.localeCompare(b, 'en', { numeric: true }),
);
const fixableBefore = fixable.reduce((n, c) => n + (beforePerControl.get(c) ?? 0), 0);
const fixableAfter = fixable.reduce((n, c) => n + (leftPerControl.get(c) ?? 0), 0);
const fall = (before: number, after: number) => (before === 0 ? '0%' : `${(((before - after) / before) * 100).toFixed(1)}%`);
const perControl = (m: Map<string, number>, limit = Infinity) =>
  [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'en', { numeric: true })).slice(0, limit).map(([c, n]) => `${c} ${n}`).join(', ') || 'none';
const failing = added.filter((a) => !a.exception);
const excused = added.filter((a) => a.exception);

console.log(`violations (control, resource): ${totalBefore} in the inputs, ${totalAfter} in the outputs; removed ${sum(removedPerControl)}, added ${added.length} (${excused.length} covered by exceptions)`);
console.log(`fixable controls (${fixable.length}): ${fixableBefore} -> ${fixableAfter} violations (fall ${fall(fixableBefore, fixableAfter)}); all controls: ${totalBefore} -> ${totalAfter} (fall ${fall(totalBefore, totalAfter)})`);
if (verbose) for (const c of fixable) console.log(`  ${c} ${beforePerControl.get(c) ?? 0} -> ${leftPerControl.get(c) ?? 0}`);
console.log(`removed per control: ${perControl(removedPerControl)}`);
console.log(`added per control: ${perControl(addedPerControl)}`);
console.log('most violations left:');
for (const [control, n] of [...leftPerControl].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${control} ${n}  ${titles.get(control) ?? ''}`);

/** Added violations grouped by control, then by what the fixes did to the resource. */
function grouped(list: Added[]): Map<string, Map<string, Added[]>> {
  const groups = new Map<string, Map<string, Added[]>>();
  for (const a of list) {
    const byOrigin = groups.get(a.violation.control) ?? new Map<string, Added[]>();
    groups.set(a.violation.control, byOrigin);
    byOrigin.set(a.origin, [...(byOrigin.get(a.origin) ?? []), a]);
  }
  return new Map([...groups].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })));
}

if (excused.length) {
  console.log('added, covered by data/control-exceptions.json:');
  for (const [control, byOrigin] of grouped(excused)) {
    for (const [origin, list] of byOrigin) console.log(`  ${control} on resources ${origin}: ${list.length}`);
  }
}
if (failing.length) {
  console.log(`added violations without an exception (${failing.length}):`);
  for (const [control, byOrigin] of grouped(failing)) {
    console.log(`  ${control} ${titles.get(control) ?? ''}`);
    for (const [origin, list] of [...byOrigin].sort((a, b) => b[1].length - a[1].length)) {
      const files = new Set(list.map((a) => a.rel)).size;
      console.log(`    ${origin}: ${list.length} in ${files} files, e.g. ${list[0]!.rel} ${list[0]!.violation.logicalId || '(template)'}`);
      if (verbose) for (const a of list.slice(1)) console.log(`      ${a.rel} ${a.violation.logicalId || '(template)'}`);
    }
  }
}
if (reportFile) {
  const report = {
    package: `${CONTROLS_PACKAGE}@${CONTROLS_PACKAGE_VERSION}`,
    templates: fixed.length,
    changed: outputs.size,
    violations: { before: totalBefore, after: totalAfter },
    removed: Object.fromEntries(removedPerControl),
    added: added.map((a) => ({ file: a.rel, control: a.violation.control, logicalId: a.violation.logicalId, origin: a.origin, exception: a.exception?.documentation ?? null })),
    fixable: Object.fromEntries(fixable.map((c) => [c, { before: beforePerControl.get(c) ?? 0, after: leftPerControl.get(c) ?? 0 }])),
    before: Object.fromEntries(beforePerControl),
    left: Object.fromEntries(leftPerControl),
  };
  writeFileSync(reportFile, JSON.stringify(report, null, 2) + '\n');
}
if (!keepWork) rmSync(work, { recursive: true, force: true });
else console.log(`inputs and outputs kept in ${work}`);
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (failing.length) {
  console.log('controls gate failed: a fix made a resource fail a Control Tower control, and no exception in data/control-exceptions.json covers it');
  process.exitCode = 1;
} else {
  console.log('controls gate passed');
}
