// One file: load -> run the transforms to a fixed point -> check invariants -> render text.
// Pure: text in, result out. Reading and writing files is the CLI's job.
import type { Finding, JsonValue, Operation, Safety, Severity, Template, Transform } from '../types.js';
import { deepFreeze, templateRegion } from '../cfn/template.js';
import { SourceError } from '../template/errors.js';
import { detectFormat, notATemplateReason, parseSource, type Parsed } from '../template/load.js';
import { LineIndex, nodeAtPointer } from '../template/tree.js';
import { WriterInvariantError, writeFixedEdits } from '../writer/index.js';
import type { TextEdit } from '../writer/edits.js';
import { deepEqual } from '../cfn/values.js';
import { applyOperations, parsePointer, PatchError } from './patch.js';
import { checkInvariants, DEPENDS_ON_REFUSED, mayCloseCycle, newDanglingReferences } from './invariants.js';
import { newDependencyCycle } from '../cfn/graph.js';
import { suppressionsOf, suppressorOf, withForeignSkips, type SkipListEntry, type SuppressingTool, type Suppressor } from './suppressions.js';

export const MAX_PASSES = 10;

export interface TransformSettings {
  /** Options merged over the transform's defaults. */
  options?: Record<string, unknown>;
}

export interface FixSettings {
  /** The transforms to run, already filtered by --only/--skip/--enable/config. */
  transforms: readonly Transform[];
  settings?: Readonly<Record<string, TransformSettings>>;
  /** Apply fixes whose safety is 'unsafe'. */
  unsafe?: boolean;
  region?: string | undefined;
  filePath?: string | undefined;
  /** The project the file belongs to, for tags (see TransformContext.project). */
  project?: string | undefined;
  format?: 'json' | 'yaml' | undefined;
  /** Write JSON files that hold comments or trailing commas (they are kept as they are). */
  allowJsonc?: boolean;
  /**
   * Skip a transform on a resource that suppresses an equivalent check of cfn-lint, cfn_nag or
   * checkov in its Metadata (src/engine/suppressions.ts). Default true.
   */
  foreignSuppressions?: boolean;
  /**
   * Every transform id there is (not only those running): a tapfix skip naming another id is
   * warned about. Without it, skip entries are not checked.
   */
  knownTransforms?: ReadonlySet<string>;
  /** Warn about skip entries that suppressed nothing in this run (like eslint's --report-unused-disable-directives). */
  reportUnusedSkips?: boolean;
  /**
   * Findings accepted as they are (--baseline), by {@link baselineKey}: not reported, not fixed,
   * not failed on, so a team gates only new problems.
   */
  baseline?: ReadonlySet<string>;
}

/**
 * How a baseline names a finding: transform, pointer and messageId (the message when there is
 * none). No line numbers, so that edits elsewhere in the file do not turn known findings into new ones.
 */
export function baselineKey(transform: string, finding: Pick<Finding, 'pointer' | 'messageId' | 'message'>): string {
  return `${transform} ${finding.pointer} ${finding.messageId ?? finding.message}`;
}

export interface ReportedFinding {
  transform: string;
  severity: Severity;
  pointer: string;
  message: string;
  /** The transform's name for this kind of finding, when it gives one. */
  messageId?: string;
  line: number;
  col: number;
  /** 'applied': fixed in this run; 'held': an unsafe fix not applied without --unsafe; 'none': report only. */
  fix: 'applied' | 'held' | 'none';
  safety?: Safety;
}

/**
 * A transform left a resource alone (or, for a template-wide suppression, the whole template)
 * because the template suppresses an equivalent check of another tool. Recorded once per
 * transform and resource, when the transform had something to say there.
 */
export interface SuppressedFix {
  transform: string;
  /** Logical id of the resource; absent when the template's own Metadata suppresses the check. */
  resource?: string;
  tool: SuppressingTool;
  /** The check id as the suppression writes it. */
  id: string;
  /** Where the suppression is written. */
  pointer: string;
  line: number;
  col: number;
}

export interface FileProblem {
  message: string;
  line: number;
  col: number;
  /** The transform(s) the problem is attributed to, for internal errors. */
  transforms?: string[];
}

export interface FileResult {
  filePath: string | undefined;
  format: 'json' | 'yaml';
  status: 'changed' | 'unchanged' | 'skipped' | 'error';
  skipReason?: string;
  findings: ReportedFinding[];
  /** Transforms skipped on a resource because it suppresses an equivalent check of another tool. */
  suppressed: SuppressedFix[];
  /** Every operation applied, in order, against the original template. */
  operations: Operation[];
  /** Applied operations grouped by transform, in order. */
  applied: Array<{ transform: string; ops: Operation[] }>;
  errors: FileProblem[];
  /** What deserves a look but changes nothing: unknown or unused tapfix skip entries. */
  warnings?: FileProblem[];
  /** Findings left out because the baseline has them (--baseline). */
  baselined?: number;
  original: string;
  /** The fixed text; equal to `original` unless status is 'changed'. */
  output: string;
  passes: number;
  /** The template before and after (undefined when the file did not load). */
  before?: JsonValue;
  after?: JsonValue;
  /** The text edits that turn `original` into `output`: sorted, not overlapping (status 'changed'). */
  edits?: TextEdit[];
}

/** Equal as JSON text would be: same keys in the same order, same values. */
const sameJson = (a: unknown, b: unknown): boolean => deepEqual(a, b, { keyOrder: true });

interface AppliedFixes {
  next: Template;
  ops: Operation[];
  /** Findings whose fix was left out, with the reason. */
  refused: Map<Finding, string>;
}

function applied(state: Template, ops: readonly Operation[]): Template {
  return deepFreeze(applyOperations(state as unknown as JsonValue, ops)) as unknown as Template;
}

/**
 * Applies the fixes of one transform's findings, except those that would close a dependency
 * cycle the template did not have: CloudFormation rejects such a template, so the fix would turn
 * a finding into a broken stack. Throws PatchError when the fixes do not apply at all.
 */
function applyFixes(current: Template, fixes: readonly Finding[]): AppliedFixes {
  const ops = fixes.flatMap((f) => f.fix!.ops);
  const next = applied(current, ops);
  const refused = new Map<Finding, string>();
  if (!mayCloseCycle(next, ops) || !newDependencyCycle(current, next)) return { next, ops, refused };

  // One finding at a time, so that the fixes that close no cycle are still made.
  let kept = fixes.slice();
  for (;;) {
    let state = current;
    const survivors: Finding[] = [];
    for (const finding of kept) {
      let candidate: Template;
      try {
        candidate = applied(state, finding.fix!.ops);
      } catch (error) {
        if (!(error instanceof PatchError)) throw error;
        refused.set(finding, DEPENDS_ON_REFUSED);
        continue;
      }
      const cycle = mayCloseCycle(candidate, finding.fix!.ops) ? newDependencyCycle(current, candidate) : undefined;
      if (cycle) {
        refused.set(finding, `the fix would create a dependency cycle ${cycle.join(' -> ')}`);
        continue;
      }
      state = candidate;
      survivors.push(finding);
    }
    // A kept fix may name what a refused one would have added.
    const dangling = newDanglingReferences(current, state).map((r) => r.pointer);
    const dependents = survivors.filter((f) => f.fix!.ops.some((op) => dangling.some((p) => p === op.path || p.startsWith(op.path + '/'))));
    if (dangling.length > 0 && dependents.length === 0) dependents.push(...survivors);
    if (dependents.length === 0) return { next: state, ops: survivors.flatMap((f) => f.fix!.ops), refused };
    for (const f of dependents) refused.set(f, DEPENDS_ON_REFUSED);
    kept = survivors.filter((f) => !dependents.includes(f));
  }
}

/** Skip entries naming no transform there is, and (with reportUnusedSkips) those that suppressed nothing. */
function skipWarnings(skips: readonly SkipListEntry[], settings: FixSettings, used: ReadonlySet<string>): Array<{ message: string; pointer: string }> {
  const running = new Set(settings.transforms.map((t) => t.meta.id));
  const out: Array<{ message: string; pointer: string }> = [];
  for (const entry of skips) {
    const where = entry.resource === undefined ? 'the template' : `resource ${entry.resource}`;
    if (entry.id !== 'all' && settings.knownTransforms && !settings.knownTransforms.has(entry.id)) {
      out.push({ message: `tapfix skip of ${where} names "${entry.id}", which is not a transform id (see tapfix --list); it skips nothing`, pointer: entry.pointer });
    } else if (settings.reportUnusedSkips && (entry.id === 'all' || running.has(entry.id)) && !used.has(entry.pointer)) {
      out.push({ message: `tapfix skip of ${where} for "${entry.id}" is unused: nothing there for ${entry.id === 'all' ? 'any transform' : entry.id} to fix or report`, pointer: entry.pointer });
    }
  }
  return out;
}

export function fixText(text: string, settings: FixSettings): FileResult {
  const format = settings.format ?? detectFormat(settings.filePath, text);
  const result: FileResult = {
    filePath: settings.filePath,
    format,
    status: 'unchanged',
    findings: [],
    suppressed: [],
    operations: [],
    applied: [],
    errors: [],
    original: text,
    output: text,
    passes: 0,
  };
  const lines = new LineIndex(text);
  const at = (offset: number) => lines.position(offset);

  let parsed: Parsed;
  try {
    parsed = parseSource(format, text);
  } catch (error) {
    if (error instanceof SourceError) {
      result.status = 'error';
      result.errors.push({ message: error.message, ...at(error.offset) });
      return result;
    }
    throw error;
  }

  const reason = notATemplateReason(parsed.value);
  if (reason) {
    result.status = 'skipped';
    result.skipReason = `not a CloudFormation template: ${reason}`;
    return result;
  }

  const base = parsed.bom ? 1 : 0;
  const locate = (pointer: string) => {
    let segments: string[];
    try {
      segments = parsePointer(pointer);
    } catch {
      segments = [];
    }
    const found = nodeAtPointer(parsed.root, segments);
    // A pointer below what the file holds (something a fix adds) points at its deepest existing key.
    return at((found.keyStart ?? found.node.start) + base);
  };

  if (parsed.format === 'json' && parsed.notices.length) {
    for (const notice of parsed.notices) {
      const problem = { message: `${notice.message}${settings.allowJsonc ? '' : '; tapfix writes such a file only with --allow-jsonc'}`, ...at(notice.offset) };
      if (settings.allowJsonc) {
        result.findings.push({ transform: 'jsonc', severity: 'high', pointer: '', message: problem.message, line: problem.line, col: problem.col, fix: 'none' });
      } else {
        result.errors.push(problem);
      }
    }
    if (!settings.allowJsonc) {
      result.status = 'error';
      return result;
    }
  }

  const original = deepFreeze(parsed.value) as unknown as Template;
  result.before = parsed.value;
  const region = settings.region ?? templateRegion(original);
  const suppressions = suppressionsOf(original, settings.foreignSuppressions !== false);
  const noteSuppressed = (transform: string, by: Extract<Suppressor, { by: 'foreign' }>) => {
    const { tool, id, pointer } = by.suppression;
    if (result.suppressed.some((s) => s.transform === transform && s.resource === by.resource)) return;
    result.suppressed.push({ transform, ...(by.resource !== undefined ? { resource: by.resource } : {}), tool, id, pointer, ...locate(pointer) });
  };
  // Skip entries that suppressed a finding (see --report-unused-skips).
  const usedSkips = new Set<string>();
  // Baseline entries that matched a finding (each counted once, however many passes meet it).
  const baselined = new Set<string>();
  // Each finding is reported once, however many passes find it again.
  const reported = new Map<string, ReportedFinding>();
  let current = original;
  // Every state the passes went through, to spot a cycle. Fixes are copy-on-write, so states
  // share untouched subtrees and comparing them costs only the parts that changed.
  const history: Template[] = [current];
  const changedBy: string[][] = [];
  // A transform that failed once is not run again: its error is reported once.
  const failed = new Set<string>();
  // The state each transform last ran on. Transforms are pure, so one that would run again on
  // the very same (frozen, identical) state would repeat itself: the confirming pass skips every
  // transform that ran after the last change of the pass before.
  const lastRunOn = new Map<string, Template>();

  for (let pass = 1; pass <= MAX_PASSES + 1; pass++) {
    result.passes = pass;
    const changers: string[] = [];
    for (const transform of settings.transforms) {
      const id = transform.meta.id;
      const skippedHere = suppressions.template.has(id) || suppressions.template.has('all');
      if (failed.has(id) || (skippedHere && !settings.reportUnusedSkips)) continue;
      if (lastRunOn.get(id) === current) continue;
      lastRunOn.set(id, current);
      let findings: Finding[];
      try {
        const check = (template: Template) =>
          transform.check({
            template,
            options: { ...transform.meta.defaultOptions, ...(settings.settings?.[id]?.options ?? {}) },
            region,
            filePath: settings.filePath,
            project: settings.project,
            format,
          });
        // Resources that suppress an equivalent check of another tool are shown to the transform
        // as opting out (see withForeignSkips); the run on the template as it is says which of
        // them it would have fixed.
        const planned = withForeignSkips(suppressions, transform, current);
        if (planned) {
          for (const finding of check(current)) {
            const suppressor = suppressorOf(suppressions, transform, finding.pointer);
            if (suppressor?.by === 'foreign') noteSuppressed(id, suppressor);
          }
        }
        findings = check(planned ?? current);
      } catch (error) {
        failed.add(id);
        result.errors.push({ message: `internal error in transform ${id}: ${(error as Error).message}`, line: 1, col: 1, transforms: [id] });
        continue;
      }
      const candidates: Array<{ finding: Finding; safety: Safety; apply: boolean }> = [];
      for (const finding of findings) {
        const suppressor = suppressorOf(suppressions, transform, finding.pointer);
        if (suppressor) {
          if (suppressor.by === 'foreign') noteSuppressed(id, suppressor);
          else usedSkips.add(suppressor.entry);
          continue;
        }
        if (settings.baseline?.has(baselineKey(id, finding))) {
          baselined.add(baselineKey(id, finding));
          continue;
        }
        const safety = finding.fix?.safety ?? transform.meta.safety;
        const apply = !!finding.fix && finding.fix.ops.length > 0 && (safety === 'safe' || !!settings.unsafe);
        candidates.push({ finding, safety, apply });
      }
      const fixes = candidates.filter((c) => c.apply).map((c) => c.finding);
      let outcome: AppliedFixes | undefined;
      let patchError: unknown;
      if (fixes.length > 0) {
        try {
          outcome = applyFixes(current, fixes);
        } catch (error) {
          patchError = error;
        }
      }
      for (const { finding, safety, apply } of candidates) {
        const refusal = outcome?.refused.get(finding);
        const key = `${id}\u0000${finding.pointer}\u0000${finding.message}`;
        const earlier = reported.get(key);
        if (earlier) {
          // Refused in an earlier pass, possible now that other fixes changed the template.
          if (apply && !refusal && earlier.fix === 'none') Object.assign(earlier, { message: finding.message, fix: 'applied' });
          continue;
        }
        const entry: ReportedFinding = {
          transform: id,
          severity: finding.severity ?? transform.meta.severity,
          pointer: finding.pointer,
          message: refusal ? `${finding.message}; not fixed: ${refusal}` : finding.message,
          ...(finding.messageId ? { messageId: finding.messageId } : {}),
          ...locate(finding.pointer),
          fix: apply && !refusal ? 'applied' : finding.fix && finding.fix.ops.length && !refusal ? 'held' : 'none',
          ...(finding.fix ? { safety } : {}),
        };
        reported.set(key, entry);
        result.findings.push(entry);
      }
      if (patchError !== undefined) {
        failed.add(id);
        const message = patchError instanceof PatchError ? patchError.message : String(patchError);
        result.errors.push({ message: `internal error in transform ${id}: its fix does not apply: ${message}`, line: 1, col: 1, transforms: [id] });
        continue;
      }
      if (!outcome || outcome.ops.length === 0) continue;
      const { next, ops } = outcome;
      // Operations that change nothing (re-adding an equal value) are not a change.
      if (deepEqual(next, current)) continue;
      current = next;
      result.applied.push({ transform: id, ops });
      result.operations.push(...ops);
      changers.push(id);
    }
    if (changers.length === 0) break;
    changedBy.push(changers);
    const seen = history.findIndex((state) => sameJson(state, current));
    const previous = seen >= 0 ? seen : undefined;
    if (previous !== undefined) {
      const involved = [...new Set(changedBy.slice(previous).flat())].sort();
      result.errors.push({ message: `fix cycle: transforms ${involved.join(', ')} undo each other`, line: 1, col: 1, transforms: involved });
      break;
    }
    history.push(current);
    if (pass > MAX_PASSES) {
      result.errors.push({
        message: `fixes did not settle after ${MAX_PASSES} passes (still changing: ${changers.join(', ')})`,
        line: 1,
        col: 1,
        transforms: changers,
      });
    }
  }

  if (baselined.size) result.baselined = baselined.size;
  const warnings = skipWarnings(suppressions.skips, settings, usedSkips).map(({ message, pointer }) => ({ message, ...locate(pointer) }));
  if (warnings.length) result.warnings = warnings;

  if (result.errors.length) {
    result.status = 'error';
    return result;
  }
  if (current === original) return result;

  result.after = current as unknown as JsonValue;
  for (const problem of checkInvariants(original, current, result.applied)) {
    result.errors.push({ ...problem, ...locate(problem.pointer) });
  }
  if (result.errors.length === 0) {
    try {
      ({ text: result.output, edits: result.edits } = writeFixedEdits(parsed, current as unknown as JsonValue));
    } catch (error) {
      if (!(error instanceof WriterInvariantError)) throw error;
      const involved = result.applied.map((a) => a.transform);
      result.errors.push({
        message: `internal error: ${error.message} (fixes from ${[...new Set(involved)].join(', ')}); the file is left as it is`,
        line: 1,
        col: 1,
        transforms: [...new Set(involved)],
      });
    }
  }
  if (result.errors.length) {
    result.status = 'error';
    result.output = text;
    return result;
  }
  result.status = result.output === text ? 'unchanged' : 'changed';
  return result;
}
