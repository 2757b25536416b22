// How results look on a terminal and in machine formats.
import type { FileResult, ReportedFinding, SuppressedFix } from '../engine/fix.js';
import type { EquivalentCheck, Transform } from '../types.js';
import type { TextEdit } from '../writer/edits.js';
import { twoFilesPatch } from './linediff.js';

export interface Colors {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function colors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

/** A unified diff `git apply` accepts (paths relative, a/ and b/ prefixes). */
export function unifiedDiff(path: string, before: string, after: string, edits?: readonly TextEdit[]): string {
  if (before === after) return '';
  const p = path.replace(/\\/g, '/');
  const patch = twoFilesPatch(`a/${p}`, `b/${p}`, before, after, 3, edits);
  // Drop the "Index"/"====" banner and the empty header tabs: git wants plain ---/+++ lines.
  const body = patch
    .split('\n')
    .filter((line) => !/^={10,}$/.test(line) && !line.startsWith('Index: '))
    .map((line) => (line.startsWith('--- ') || line.startsWith('+++ ') ? line.replace(/\t$/, '') : line))
    .join('\n');
  return `diff --git a/${p} b/${p}\n${body}`;
}

export function colorDiff(diff: string, c: Colors): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff --git')) return c.bold(line);
      if (line.startsWith('@@')) return c.cyan(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      return line;
    })
    .join('\n');
}

const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const;

export function severityLabel(severity: keyof typeof SEVERITY_ORDER, c: Colors): string {
  const label = severity.padEnd(8);
  return severity === 'critical' || severity === 'high' ? c.red(label) : severity === 'medium' ? c.yellow(label) : c.dim(label);
}

type ReportedResult = Pick<FileResult, 'status' | 'findings'> & Partial<Pick<FileResult, 'original' | 'output' | 'suppressed'>>;

/**
 * What became of a finding, as every output format says it: fixed (written in this run, in place
 * or as a copy), fixable (a dry run: the fix would be applied), held (an unsafe fix not applied
 * without --unsafe), none (no automatic fix).
 */
export type FixStatus = 'fixed' | 'fixable' | 'held' | 'none';

export function fixStatus(f: Pick<ReportedFinding, 'fix'>, written: boolean): FixStatus {
  return f.fix === 'applied' ? (written ? 'fixed' : 'fixable') : f.fix;
}

const STATUS_TEXT: Record<FixStatus, string> = {
  fixed: ' (fixed)',
  fixable: ' (fixable: --write applies it)',
  held: ' (unsafe fix held back: --unsafe applies it)',
  none: ' (no automatic fix)',
};

/** ` (fixed)`, ` (no automatic fix)`...: the suffix a finding's message gets in text and SARIF. */
export function statusText(status: FixStatus): string {
  return STATUS_TEXT[status];
}

/**
 * Findings of one file, then its diff. `diff` is the precomputed unified diff, if any; `written`
 * says the fixes were written in this run.
 */
export function textReport(result: ReportedResult, path: string, c: Colors, showDiff: boolean, diff?: string, written = false): string {
  const out: string[] = [];
  if (result.status === 'skipped') return '';
  const suppressed = result.suppressed ?? [];
  if (result.findings.length === 0 && suppressed.length === 0 && result.status !== 'changed') return '';
  out.push(c.bold(path));
  // Top to bottom, as a linter lists them; findings at one place keep the pipeline's order. A
  // resource skipped for another tool's suppression is listed at the suppression.
  const lines = [
    ...result.findings.map((f) => {
      const status = fixStatus(f, written && result.status === 'changed');
      const fix = status === 'fixed' ? c.green(statusText(status)) : c.dim(statusText(status));
      return { at: f, text: `${severityLabel(f.severity, c)} ${c.cyan(f.transform.padEnd(26))} ${f.message}${fix}` };
    }),
    ...suppressed.map((s) => ({ at: s, text: `${c.dim('skipped ')} ${c.cyan(s.transform.padEnd(26))} ${suppressedText(s)}` })),
  ].sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col);
  for (const { at, text } of lines) out.push(`  ${c.dim(`${at.line}:${at.col}`.padEnd(8))} ${text}`);
  if (showDiff && result.status === 'changed') {
    const text = diff ?? (result.original !== undefined && result.output !== undefined ? unifiedDiff(path, result.original, result.output) : '');
    if (text) {
      out.push('');
      out.push(colorDiff(text, c));
    }
  }
  return out.join('\n') + '\n';
}

/** `Bucket: suppressed by cfn_nag W35`, `template: suppressed by cfn-lint W3010 in the template's Metadata`. */
export function suppressedText(s: Pick<SuppressedFix, 'resource' | 'tool' | 'id'>): string {
  return s.resource === undefined ? `template: suppressed by ${s.tool} ${s.id} in the template's Metadata` : `${s.resource}: suppressed by ${s.tool} ${s.id}`;
}

/** `cfn_nag W35, checkov CKV_AWS_18, control-tower CT.S3.PR.2`. */
export function equivalentsText(equivalents: readonly EquivalentCheck[]): string {
  return equivalents.map((e) => `${e.tool} ${e.id}`).join(', ');
}

const byId = (a: Transform, b: Transform) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0);

export function listText(transforms: readonly Transform[], c: Colors): string {
  const header = c.bold(`${'ID'.padEnd(28)} ${'SEVERITY'} ${'SAFETY '} TITLE`);
  const lines = [...transforms].sort(byId).map((t) => {
    const off = t.meta.enabledByDefault === false ? c.dim(' (off by default: --enable)') : '';
    // One line per transform, so that the list stays easy to cut and grep.
    const equivalents = t.meta.equivalents?.length ? c.dim(` (equivalent to ${equivalentsText(t.meta.equivalents)})`) : '';
    return `${c.cyan(t.meta.id.padEnd(28))} ${severityLabel(t.meta.severity, c)} ${t.meta.safety.padEnd(7)} ${t.meta.title}${off}${equivalents}`;
  });
  return [header, ...lines].join('\n') + '\n';
}

/** `--list --format json`: every transform, sorted by id, with what a tool or an editor needs. */
export function listJson(transforms: readonly Transform[]): string {
  const list = [...transforms].sort(byId).map((t) => ({
    id: t.meta.id,
    title: t.meta.title,
    severity: t.meta.severity,
    safety: t.meta.safety,
    enabledByDefault: t.meta.enabledByDefault !== false,
    options: { defaults: t.meta.defaultOptions, schema: t.meta.optionsSchema ?? null },
    equivalents: t.meta.equivalents ?? [],
    docs: `docs/rules/${t.meta.id}.md`,
  }));
  return JSON.stringify(list, null, 2) + '\n';
}

/** The JSON shape of one file's result (--format json and --report). */
export function resultJson(
  result: Pick<FileResult, 'format' | 'status' | 'skipReason' | 'findings' | 'operations' | 'errors'> & Partial<Pick<FileResult, 'suppressed' | 'warnings'>>,
  path: string,
  written = false,
) {
  return {
    file: path,
    format: result.format,
    status: result.status,
    ...(result.skipReason ? { skipReason: result.skipReason } : {}),
    // `fix` says what became of each finding in this run (see fixStatus).
    findings: result.findings.map((f) => ({ ...f, fix: fixStatus(f, written && result.status === 'changed') })),
    ...(result.suppressed?.length ? { suppressed: result.suppressed } : {}),
    operations: result.operations,
    errors: result.errors,
    ...(result.warnings?.length ? { warnings: result.warnings } : {}),
  };
}
