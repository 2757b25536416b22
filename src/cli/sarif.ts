// --format sarif: SARIF 2.1.0 for code-scanning dashboards and editors.
// - One rule per transform (id, title as shortDescription, docs markdown as help, helpUri the
//   rule's page), in pipeline order; pseudo-rules (jsonc) are added when they occur.
// - One result per finding, at the finding's line and column (columns in UTF-16 code units).
// - Fixes: the fixes of one file settle together (a fix can depend on another, and the writer
//   proves only the whole new text), so they are not offered one finding at a time. The first
//   result of a file whose fix was applied carries the file's `fix`: the line replacements that
//   turn the original file into the fixed one; the file's other applied results name that result
//   in `properties.fixedWith` (its index in `results`). Copying the fix into every result made
//   the log quadratic (the corpus run went past the largest string V8 can build).
// - Files tapfix could not process are tool execution notifications, not results.
// - A rule lists the equivalent checks of other tools in `properties.equivalents`. A resource
//   skipped because it suppresses one of them is a result with an in-source suppression
//   (SARIF 2.1.0 §3.27.23 `suppressions`, kind "inSource"), at the suppression: dashboards show
//   it as suppressed, not open.
import { sha256Hex } from '../on-demand.js';
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReportedFinding } from '../engine/fix.js';
import type { Severity, Transform } from '../types.js';
import type { FileOutcome } from './job.js';
import { fixStatus, statusText, suppressedText } from './output.js';
import { packageInfo, ruleDocUri } from './report.js';
import { SpooledJsonArray } from './spool.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
/** GitHub code scanning ranks security results by this score (0-10). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

const PSEUDO_RULES: Record<string, { title: string; severity: Severity }> = {
  jsonc: { title: 'JSON with comments or trailing commas, which CloudFormation rejects', severity: 'high' },
};

function ruleName(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
}

/** A relative URI below %SRCROOT% (cwd) when the file is below it, else an absolute file URI. */
function artifactLocation(path: string) {
  if (isAbsolute(path)) return { uri: pathToFileURL(path).href };
  return { uri: path.split(sep).map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
}

function fingerprint(ruleId: string, f: ReportedFinding): string {
  return sha256Hex(`${ruleId}\u0000${f.pointer}\u0000${f.message}`).slice(0, 32);
}

/**
 * The SARIF log of a run, built file by file: rules and notifications are few and kept; each
 * result is spooled as text as its file finishes (see SpooledJsonArray), so a run over thousands of
 * templates holds none of them. `write` prints the log as `JSON.stringify(log, null, 2)` would.
 */
export class SarifLog {
  private readonly rules: object[] = [];
  private readonly ruleIndex = new Map<string, number>();
  private readonly severity = new Map<string, Severity>();
  private readonly notifications: object[] = [];
  /** Results sit at log.runs[0].results[i]: four levels deep. */
  private readonly results = new SpooledJsonArray(4);

  constructor(
    transforms: readonly Transform[],
    private readonly cwd: string,
    /** --write: results are what is still wrong after the run, so findings fixed in place are left out. */
    private readonly inPlace = false,
  ) {
    for (const t of transforms) {
      this.addRule(t.meta.id, t.meta.title, t.meta.severity, {
        fullDescription: { text: t.meta.title },
        help: { text: t.meta.docs, markdown: t.meta.docs },
        helpUri: ruleDocUri(t.meta.id),
        properties: {
          safety: t.meta.safety,
          enabledByDefault: t.meta.enabledByDefault !== false,
          ...(t.meta.equivalents?.length ? { equivalents: t.meta.equivalents.map(({ tool, id, source }) => ({ tool, id, source })) } : {}),
        },
      });
      this.severity.set(t.meta.id, t.meta.severity);
    }
  }

  private addRule(id: string, title: string, severity: Severity, extra: Record<string, unknown>): void {
    this.ruleIndex.set(id, this.rules.length);
    this.rules.push({
      id,
      name: ruleName(id),
      shortDescription: { text: title },
      ...extra,
      defaultConfiguration: { level: LEVEL[severity] },
      properties: { tags: ['cloudformation', 'security'], severity, 'security-severity': SECURITY_SEVERITY[severity], ...((extra['properties'] as object) ?? {}) },
    });
  }

  add(outcome: FileOutcome): void {
    const location = artifactLocation(outcome.path);
    const problems = [
      ...(outcome.error ? [{ message: outcome.error, line: 1, col: 1 }] : []),
      ...(outcome.result?.errors ?? []),
    ];
    for (const p of problems) {
      this.notifications.push({
        level: 'error',
        message: { text: p.message },
        locations: [{ physicalLocation: { artifactLocation: location, region: { startLine: p.line, startColumn: p.col } } }],
      });
    }
    const result = outcome.result;
    if (!result) return;
    const changed = result.status === 'changed' && !outcome.error;
    const fixes =
      changed && outcome.replacements?.length
        ? [
            {
              description: { text: `Every fix tapfix makes to ${outcome.path}: the fixes of one file are applied together` },
              artifactChanges: [
                {
                  artifactLocation: location,
                  replacements: outcome.replacements.map((r) => ({
                    deletedRegion: {
                      startLine: r.startLine,
                      startColumn: r.startColumn,
                      endLine: r.endLine,
                      endColumn: r.endColumn,
                      charOffset: r.offset,
                      charLength: r.length,
                    },
                    ...(r.inserted ? { insertedContent: { text: r.inserted } } : {}),
                  })),
                },
              ],
            },
          ]
        : undefined;
    let fixHolder: number | undefined;
    const written = outcome.writtenTo !== undefined;
    for (const f of result.findings) {
      if (this.inPlace && written && f.fix === 'applied') continue;
      if (!this.ruleIndex.has(f.transform)) {
        const pseudo = PSEUDO_RULES[f.transform] ?? { title: f.transform, severity: f.severity };
        this.addRule(f.transform, pseudo.title, pseudo.severity, {});
      }
      const status = fixStatus(f, written);
      const suffix = status === 'fixable' ? '' : statusText(status);
      const applied = f.fix === 'applied' && fixes !== undefined;
      const holds = applied && fixHolder === undefined;
      if (holds) fixHolder = this.results.count;
      const entry = {
        ruleId: f.transform,
        ruleIndex: this.ruleIndex.get(f.transform)!,
        level: LEVEL[f.severity],
        message: { text: f.message + suffix },
        locations: [{ physicalLocation: { artifactLocation: location, region: { startLine: f.line, startColumn: f.col } } }],
        partialFingerprints: { 'tapfixFinding/v1': fingerprint(f.transform, f) },
        properties: {
          pointer: f.pointer,
          severity: f.severity,
          fix: status,
          ...(f.safety ? { safety: f.safety } : {}),
          ...(applied && !holds ? { fixedWith: fixHolder } : {}),
        },
        ...(holds ? { fixes } : {}),
      };
      this.results.add(entry);
    }
    for (const s of result.suppressed ?? []) {
      const severity = this.severity.get(s.transform);
      if (severity === undefined) continue;
      this.results.add({
        ruleId: s.transform,
        ruleIndex: this.ruleIndex.get(s.transform)!,
        level: LEVEL[severity],
        message: { text: `${s.transform} skipped ${suppressedText(s)}` },
        locations: [{ physicalLocation: { artifactLocation: location, region: { startLine: s.line, startColumn: s.col } } }],
        suppressions: [{ kind: 'inSource', justification: `suppressed by ${s.tool} ${s.id}, an equivalent check` }],
        properties: { pointer: s.pointer, suppressedBy: { tool: s.tool, id: s.id }, ...(s.resource !== undefined ? { resource: s.resource } : {}) },
      });
    }
  }

  /** Prints the log in chunks; the spool is gone afterwards. */
  write(out: (chunk: string) => void): void {
    const { name, version } = packageInfo();
    const errors = this.notifications.length;
    const log = {
      $schema: SARIF_SCHEMA,
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name, version, semanticVersion: version, rules: this.rules } },
          invocations: [{ executionSuccessful: errors === 0, ...(errors ? { toolExecutionNotifications: this.notifications } : {}) }],
          originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(this.cwd).href.replace(/\/?$/, '/') } },
          columnKind: 'utf16CodeUnits',
          // Last key: the spooled results take the place of this empty list.
          results: [],
        },
      ],
    };
    this.results.write(log, out);
  }
}
