// The --report JSON: per file what was found, changed and went wrong, and the run's totals.
// The basis of a migration pull request. Deterministic: paths relative to cwd, no timestamps.
import { readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../paths.js';
import { writeAtomic } from './files.js';
import type { FileOutcome } from './job.js';
import { fixStatus } from './output.js';
import { SpooledJsonArray } from './spool.js';
import type { Tally } from './tally.js';

export const REPORT_VERSION = 1;

interface PackageJson {
  name: string;
  version: string;
  homepage?: string;
  repository?: string | { url?: string };
}

let pkg: PackageJson | undefined;
export function packageInfo(): PackageJson {
  pkg ??= JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as PackageJson;
  return pkg;
}

/** The page documenting a transform: on the repository's site when package.json names one, else the copy shipped in the package. */
export function ruleDocUri(id: string): string {
  const { repository } = packageInfo();
  const url = typeof repository === 'string' ? repository : repository?.url;
  const github = url && /github\.com[/:]([^/]+\/[^/.]+)/.exec(url);
  if (github) return `https://github.com/${github[1]}/blob/main/docs/rules/${id}.md`;
  return pathToFileURL(join(packageRoot, 'docs', 'rules', `${id}.md`)).href;
}

export interface ReportSettings {
  mode: 'dry-run' | 'write' | 'output-dir';
  outputDir?: string | undefined;
  unsafe: boolean;
  only?: string[] | undefined;
  skip?: string[] | undefined;
  enable?: string[] | undefined;
  region?: string | undefined;
  /** Present (false) only with --no-foreign-suppressions. */
  foreignSuppressions?: false;
  /** `i/n` with --shard. */
  shard?: string;
}

export function fileEntry(outcome: FileOutcome) {
  const r = outcome.result;
  const errors = [
    ...(outcome.error ? [{ message: outcome.error, line: 1, col: 1 }] : []),
    ...(r?.errors ?? []).map((e) => ({ message: e.message, line: e.line, col: e.col, ...(e.transforms ? { transforms: e.transforms } : {}) })),
  ];
  return {
    file: outcome.path,
    format: r?.format ?? null,
    status: outcome.error && (!r || r.status !== 'error') ? 'error' : (r?.status ?? 'error'),
    ...(r?.skipReason ? { skipReason: r.skipReason } : {}),
    ...(outcome.writtenTo ? { writtenTo: outcome.writtenTo } : {}),
    findings: (r?.findings ?? []).map((f) => ({ ...f, fix: fixStatus(f, outcome.writtenTo !== undefined && r?.status === 'changed') })),
    ...(r?.suppressed.length ? { suppressed: r.suppressed } : {}),
    operations: r?.operations ?? [],
    errors,
  };
}

function reportHead(tally: Tally, settings: ReportSettings, interrupted: boolean) {
  const { name, version } = packageInfo();
  return {
    reportVersion: REPORT_VERSION,
    tool: { name, version },
    settings,
    ...(interrupted ? { interrupted: true } : {}),
    totals: tally.totals(),
  };
}

/**
 * The --report file, written as `JSON.stringify(report, null, 2)` would write it, but without
 * holding the run: each file's entry is spooled as the file finishes (see SpooledJsonArray), and the
 * report is assembled at the end (the totals come first, so they cannot be streamed).
 */
export class ReportSpool {
  /** Entries sit at report.files[i]: two levels deep. */
  private readonly files = new SpooledJsonArray(2);

  add(outcome: FileOutcome): void {
    this.files.add(fileEntry(outcome));
  }

  /** Writes the report to `file` atomically; the spool is gone afterwards. */
  writeReport(file: string, tally: Tally, settings: ReportSettings, interrupted: boolean): void {
    try {
      const report = { ...reportHead(tally, settings, interrupted), files: [] };
      writeAtomic(file, (fd) => this.files.write(report, (chunk) => void writeSync(fd, chunk)), { mode: 0o644 });
    } finally {
      this.files.dispose();
    }
  }
}
