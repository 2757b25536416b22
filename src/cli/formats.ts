// The one-line and the CI test-report formats: --format compact (`file:line:col: severity id
// message (status)`, for editors' problem matchers and grep) and --format junit (JUnit XML, for CI
// test-report views). Both say what became of each finding, as the other formats do.
import type { FileOutcome } from './job.js';
import { fixStatus, statusText } from './output.js';

/** The compact lines of one file: its findings, then its errors. */
export function compactLines(outcome: FileOutcome, written: boolean): string[] {
  const { path, result } = outcome;
  const lines: string[] = [];
  if (outcome.error) lines.push(`${path}:1:1: error ${outcome.error}`);
  if (!result) return lines;
  const findings = [...result.findings].sort((a, b) => a.line - b.line || a.col - b.col);
  for (const f of findings) {
    lines.push(`${path}:${f.line}:${f.col}: ${f.severity} ${f.transform} ${f.message}${statusText(fixStatus(f, written && result.status === 'changed'))}`);
  }
  for (const e of result.errors) lines.push(`${path}:${e.line}:${e.col}: error ${e.message}`);
  return lines;
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/**
 * JUnit XML: a test suite per file, a test case per finding (failed unless the run fixed it) and
 * per error (an error); a file with nothing to report is one passing case, so the suite counts it.
 */
export function junitXml(outcomes: readonly FileOutcome[], written: boolean): string {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const suites: string[] = [];
  for (const o of outcomes) {
    const cases: string[] = [];
    let suiteFailures = 0;
    let suiteErrors = 0;
    const problems = [...(o.error ? [{ message: o.error, line: 1, col: 1 }] : []), ...(o.result?.errors ?? [])];
    for (const p of problems) {
      suiteErrors++;
      cases.push(`    <testcase classname="${xml(o.path)}" name="${xml(`${o.path}:${p.line}:${p.col}`)}"><error message="${xml(p.message)}"/></testcase>`);
    }
    for (const f of o.result?.findings ?? []) {
      const status = fixStatus(f, written && o.result!.status === 'changed');
      const name = xml(`${f.transform} ${o.path}:${f.line}:${f.col}`);
      if (status === 'fixed') {
        cases.push(`    <testcase classname="${xml(o.path)}" name="${name}"><system-out>${xml(`${f.message} (fixed)`)}</system-out></testcase>`);
        continue;
      }
      suiteFailures++;
      cases.push(`    <testcase classname="${xml(o.path)}" name="${name}"><failure type="${f.severity}" message="${xml(f.message + statusText(status))}"/></testcase>`);
    }
    if (cases.length === 0 && o.result?.status === 'skipped') {
      cases.push(`    <testcase classname="${xml(o.path)}" name="${xml(o.path)}"><skipped message="${xml(o.result.skipReason ?? 'not a template')}"/></testcase>`);
    }
    if (cases.length === 0) cases.push(`    <testcase classname="${xml(o.path)}" name="${xml(o.path)}"/>`);
    tests += cases.length;
    failures += suiteFailures;
    errors += suiteErrors;
    suites.push(`  <testsuite name="${xml(o.path)}" tests="${cases.length}" failures="${suiteFailures}" errors="${suiteErrors}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tapfix" tests="${tests}" failures="${failures}" errors="${errors}">\n${suites.join('\n')}\n</testsuites>\n`;
}
