// Counts over a run, built one file at a time as results arrive in path order.
import type { FileOutcome } from './job.js';

export interface TransformTally {
  /** Findings reported (whatever happened to their fix). */
  findings: number;
  /** Fixes made (or, in a dry run, that would be made) in files that end changed. */
  applied: number;
  /** Unsafe fixes not applied without --unsafe. */
  held: number;
  /** Files with at least one applied fix from this transform. */
  files: number;
}

export class Tally {
  files = 0;
  /** Files that are templates: changed, unchanged, or that failed as templates. */
  templates = 0;
  changed = 0;
  unchanged = 0;
  skipped = 0;
  /** Files with at least one error. */
  errorFiles = 0;
  /** Error messages (a file can have several). */
  errors = 0;
  findings = 0;
  applied = 0;
  held = 0;
  readonly byTransform = new Map<string, TransformTally>();

  add(outcome: FileOutcome): void {
    this.files++;
    const result = outcome.result;
    const errorCount = (outcome.error ? 1 : 0) + (result?.errors.length ?? 0);
    this.errors += errorCount;
    if (errorCount) this.errorFiles++;
    if (!result) return;
    if (result.status === 'changed') this.changed++;
    else if (result.status === 'unchanged') this.unchanged++;
    else if (result.status === 'skipped') this.skipped++;
    if (result.status !== 'skipped') this.templates++;
    const appliedHere = new Set<string>();
    for (const f of result.findings) {
      const t = this.transform(f.transform);
      t.findings++;
      this.findings++;
      if (f.fix === 'held') {
        t.held++;
        this.held++;
      } else if (f.fix === 'applied' && result.status === 'changed') {
        t.applied++;
        this.applied++;
        appliedHere.add(f.transform);
      }
    }
    for (const id of appliedHere) this.transform(id).files++;
  }

  private transform(id: string): TransformTally {
    let t = this.byTransform.get(id);
    if (!t) this.byTransform.set(id, (t = { findings: 0, applied: 0, held: 0, files: 0 }));
    return t;
  }

  /** Transforms by fixes made, most first (ties by id). */
  ranked(): Array<[string, TransformTally]> {
    return [...this.byTransform].sort((a, b) => b[1].applied - a[1].applied || b[1].held - a[1].held || (a[0] < b[0] ? -1 : 1));
  }

  totals() {
    return {
      files: this.files,
      templates: this.templates,
      changed: this.changed,
      unchanged: this.unchanged,
      skipped: this.skipped,
      errors: this.errorFiles,
      errorMessages: this.errors,
      findings: this.findings,
      fixesApplied: this.applied,
      fixesHeld: this.held,
      byTransform: Object.fromEntries(this.ranked()),
    };
  }
}
