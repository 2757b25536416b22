// The --report JSON: per file what was found, changed and went wrong, and the run's totals.
// The basis of a migration pull request. Deterministic: paths relative to cwd, no timestamps.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../paths.js';
import { writeAtomic } from './files.js';
import type { FileOutcome } from './job.js';
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
    findings: r?.findings ?? [],
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

/** One file's entry as it appears in the report text (indented for its place in `files`). */
export function reportEntryText(outcome: FileOutcome): string {
  return JSON.stringify(fileEntry(outcome), null, 2).replace(/\n/g, '\n    ');
}

/**
 * The --report file, written as `JSON.stringify(report, null, 2)` would write it, but
 * without holding the run: each file's entry goes to a spool file in the system's temporary
 * folder as the file finishes, and the report is assembled from it at the end (the totals come
 * first, so they cannot be streamed). Memory stays flat however many files a run has.
 */
export class ReportSpool {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tapfix-report-'));
  private readonly path = join(this.dir, 'entries');
  private fd: number | undefined = openSync(this.path, 'w');
  private entries = 0;
  private readonly cleanup = () => this.dispose();

  constructor() {
    process.once('exit', this.cleanup);
  }

  add(outcome: FileOutcome): void {
    if (this.fd === undefined) throw new Error('report spool already closed');
    writeSync(this.fd, (this.entries++ ? ',\n    ' : '') + reportEntryText(outcome));
  }

  /** Writes the report to `file` atomically, then removes the spool. */
  writeReport(file: string, tally: Tally, settings: ReportSettings, interrupted: boolean): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    try {
      const head = JSON.stringify({ ...reportHead(tally, settings, interrupted), files: [] }, null, 2);
      const tail = '[]\n}';
      writeAtomic(
        file,
        (out) => {
          if (this.entries === 0) return void writeSync(out, head + '\n');
          writeSync(out, head.slice(0, -tail.length) + '[\n    ');
          const chunk = Buffer.alloc(1 << 20);
          const input = openSync(this.path, 'r');
          try {
            for (let n = readSync(input, chunk); n > 0; n = readSync(input, chunk)) writeSync(out, chunk, 0, n);
          } finally {
            closeSync(input);
          }
          writeSync(out, '\n  ]\n}\n');
        },
        { mode: 0o644 },
      );
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.dir, { recursive: true, force: true });
    process.removeListener('exit', this.cleanup);
  }
}
