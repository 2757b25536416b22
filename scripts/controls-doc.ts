// docs/controls.md: every AWS Control Tower proactive control for CloudFormation, with the
// transform that fixes it or the reason tapfix leaves it to the author. The controls come from the
// rule files of the pinned controls package (scripts/controls.ts), the fixes from the transforms'
// `equivalents`, the reasons from data/control-decisions.json. Nothing here is a hand-kept list of
// controls: a control the package adds shows up as unexplained until it is decided.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import type { Transform } from '../src/types.js';
import { CONTROLS_PACKAGE, CONTROLS_PACKAGE_VERSION, type ControlRule } from './controls.js';

export const DECISIONS_FILE = join(packageRoot, 'data', 'control-decisions.json');
export const CONTROLS_DOC = join(packageRoot, 'docs', 'controls.md');

export type Decision = 'design' | 'author-input' | 'not-yet';
export interface ControlDecision {
  decision: Decision;
  reason: string;
}

const DECISIONS: readonly Decision[] = ['design', 'author-input', 'not-yet'];
const DECISION_TEXT: Record<Decision, string> = {
  design: 'left to the author: a design decision',
  'author-input': 'left to the author: needs a value only the author has',
  'not-yet': 'not fixed yet (a deterministic fix exists)',
};

/** data/control-decisions.json, checked for shape. */
export function controlDecisions(file = DECISIONS_FILE): Map<string, ControlDecision> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as { controls?: Record<string, unknown> };
  if (!data.controls || typeof data.controls !== 'object') throw new Error(`${file}: no "controls" object`);
  const out = new Map<string, ControlDecision>();
  for (const [control, entry] of Object.entries(data.controls)) {
    const e = entry as Partial<ControlDecision> | null;
    if (!e || !DECISIONS.includes(e.decision as Decision)) throw new Error(`${file}: ${control}: "decision" must be one of ${DECISIONS.join(', ')}`);
    if (typeof e.reason !== 'string' || e.reason.trim().length < 20) throw new Error(`${file}: ${control}: "reason" must say why`);
    out.set(control, { decision: e.decision!, reason: e.reason });
  }
  return out;
}

export interface ControlFix {
  transform: Transform;
  note?: string;
}

/** The transforms that fix each control (their equivalents name it and do not only report it). */
export function fixesByControl(transforms: readonly Transform[]): Map<string, ControlFix[]> {
  return controlsNamed(transforms, false);
}

/** The transforms that report a control's defect without fixing it (opt-in design reports). */
export function reportsByControl(transforms: readonly Transform[]): Map<string, ControlFix[]> {
  return controlsNamed(transforms, true);
}

function controlsNamed(transforms: readonly Transform[], reportOnly: boolean): Map<string, ControlFix[]> {
  const out = new Map<string, ControlFix[]>();
  for (const t of transforms) {
    for (const e of t.meta.equivalents ?? []) {
      if (e.tool !== 'control-tower' || (e.reportOnly === true) !== reportOnly) continue;
      out.set(e.id, [...(out.get(e.id) ?? []), { transform: t, ...(e.note ? { note: e.note } : {}) }]);
    }
  }
  return out;
}

/** Controls that are neither fixed nor decided, decided and fixed at once, or decided but unknown. */
export function coverageProblems(rules: readonly ControlRule[], transforms: readonly Transform[], decisions: ReadonlyMap<string, ControlDecision>): string[] {
  const fixes = fixesByControl(transforms);
  const known = new Set(rules.map((r) => r.control));
  const problems: string[] = [];
  for (const r of rules) {
    const fixed = fixes.has(r.control);
    const decided = decisions.has(r.control);
    if (!fixed && !decided) problems.push(`${r.control}: no transform fixes it and data/control-decisions.json does not say why`);
    if (fixed && decided) problems.push(`${r.control}: fixed by ${fixes.get(r.control)!.map((f) => f.transform.meta.id).join(', ')} but also listed in data/control-decisions.json`);
  }
  for (const control of decisions.keys()) if (!known.has(control)) problems.push(`${control}: listed in data/control-decisions.json but not a control of ${CONTROLS_PACKAGE}@${CONTROLS_PACKAGE_VERSION}`);
  const reports = reportsByControl(transforms);
  for (const named of [fixes, reports]) {
    for (const control of named.keys()) if (!known.has(control)) problems.push(`${control}: named by ${named.get(control)!.map((f) => f.transform.meta.id).join(', ')} but not a control of ${CONTROLS_PACKAGE}@${CONTROLS_PACKAGE_VERSION}`);
  }
  for (const [control, list] of reports) {
    if (!decisions.has(control)) problems.push(`${control}: reported by ${list.map((f) => f.transform.meta.id).join(', ')} but data/control-decisions.json does not say why it is not fixed`);
  }
  return problems;
}

const byControlId = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function fixText(fixes: readonly ControlFix[], verb = 'fixed by'): string {
  return fixes
    .map(({ transform: t, note }) => {
      const flags = [t.meta.enabledByDefault === false ? 'off by default' : '', t.meta.safety === 'unsafe' && verb === 'fixed by' ? 'unsafe' : ''].filter(Boolean);
      return `${verb} [\`${t.meta.id}\`](rules/${t.meta.id}.md)${flags.length ? ` (${flags.join(', ')})` : ''}${note ? `: ${note}` : ''}`;
    })
    .join('; ');
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The Markdown of docs/controls.md. */
export function controlsDoc(rules: readonly ControlRule[], transforms: readonly Transform[], decisions: ReadonlyMap<string, ControlDecision>): string {
  const fixes = fixesByControl(transforms);
  const reports = reportsByControl(transforms);
  const sorted = [...rules].sort((a, b) => byControlId(a.control, b.control));
  const counts = { fixed: 0, design: 0, 'author-input': 0, 'not-yet': 0 };
  for (const r of sorted) {
    if (fixes.has(r.control)) counts.fixed++;
    else {
      const d = decisions.get(r.control);
      if (d) counts[d.decision]++;
    }
  }
  const services = new Map<string, ControlRule[]>();
  for (const r of sorted) {
    const service = basename(dirname(r.file));
    services.set(service, [...(services.get(service) ?? []), r]);
  }
  const lines = [
    '# AWS Control Tower controls',
    '',
    '<!-- Generated by `npm run gen:controls-doc` from the controls package, the transforms\' metadata and data/control-decisions.json. Do not edit by hand. -->',
    '',
    `The AWS Control Tower proactive controls for CloudFormation, as published in the cfn-guard rules of \`${CONTROLS_PACKAGE}@${CONTROLS_PACKAGE_VERSION}\`: ${sorted.length} controls.`,
    'For each, the tapfix transform that fixes it, or why tapfix leaves it to the author.',
    '',
    `- **Fixed by a transform:** ${counts.fixed}`,
    `- **Design decisions** (architecture, cost or data retention the author must choose; tapfix never makes them): ${counts.design}`,
    `- **Needs a value only the author has** (a certificate, a network range, a user, least-privilege actions): ${counts['author-input']}`,
    `- **Not fixed yet** (a deterministic fix exists; no transform yet): ${counts['not-yet']}`,
    '',
    'A transform marked *off by default* runs only with `--enable <id>` or when the configuration turns it on; an *unsafe* fix',
    '(one that replaces a resource or can break running software) is applied only with `--unsafe`.',
    'The controls gate (`npm run controls-gate`) checks over a corpus that no fix makes a resource fail a control it passed;',
    'the resources tapfix creates that fail a control on purpose are documented in data/control-exceptions.json.',
    '',
  ];
  for (const [service, list] of [...services].sort((a, b) => a[0].localeCompare(b[0]))) {
    lines.push(`## ${service}`, '', '| Control | Requires | tapfix |', '|---|---|---|');
    for (const r of list) {
      const fixed = fixes.get(r.control);
      const d = decisions.get(r.control);
      const reported = reports.get(r.control);
      const what = fixed
        ? fixText(fixed)
        : d
          ? `${DECISION_TEXT[d.decision]}. ${d.reason}${reported ? ` ${capitalised(fixText(reported, 'reported by'))}.` : ''}`
          : '**not decided**';
      lines.push(`| ${r.control} | ${cell(r.title)} | ${cell(what)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
