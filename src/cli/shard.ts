// Sharding and merging for repositories that outgrow one CI runner: `--shard i/n` keeps the files
// whose path hash falls to shard i (deterministic, so a matrix of n jobs covers every file exactly
// once), and `tapfix merge-reports` adds the shards' --report files up into the report one run
// over all the files gives.
import { readFileSync } from 'node:fs';
import type { TransformTally } from './tally.js';

export interface Shard {
  index: number;
  count: number;
}

/** `2/3` -> {index: 2, count: 3}; undefined when malformed. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : undefined;
}

/** FNV-1a (32 bits) of the path with forward slashes: the same shard on every machine. */
function pathHash(path: string): number {
  let h = 0x811c9dc5;
  for (const ch of path.replace(/\\/g, '/')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** True when `path` (relative to where tapfix runs) belongs to `shard`. */
export function inShard(path: string, shard: Shard): boolean {
  return pathHash(path) % shard.count === shard.index - 1;
}

interface Report {
  reportVersion: number;
  tool: { name: string; version: string };
  settings: Record<string, unknown>;
  interrupted?: boolean;
  totals: Record<string, unknown> & { byTransform: Record<string, TransformTally> };
  files: Array<{ file: string }>;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One report from the shards' reports: files in path order, totals added up, transforms ranked as
 * a single run ranks them. The shards must come from the same tapfix with the same settings.
 */
export function mergeReports(files: readonly string[]): Report {
  const reports = files.map((file) => {
    let report: Report;
    try {
      report = JSON.parse(readFileSync(file, 'utf8')) as Report;
    } catch (error) {
      throw new Error(`cannot read the report ${file}: ${(error as Error).message}`);
    }
    if (!report || typeof report.totals !== 'object' || !Array.isArray(report.files)) throw new Error(`${file} is not a tapfix --report file`);
    return { file, report };
  });
  if (reports.length === 0) throw new Error('merge-reports needs the --report files of the shards');
  const [first] = reports;
  const { shard: _shard, ...settings } = first!.report.settings;
  for (const { file, report } of reports) {
    const { shard: _s, ...other } = report.settings;
    if (report.reportVersion !== first!.report.reportVersion || report.tool.version !== first!.report.tool.version) {
      throw new Error(`${file} comes from another tapfix (${report.tool.name} ${report.tool.version}, report version ${report.reportVersion})`);
    }
    if (JSON.stringify(other) !== JSON.stringify(settings)) throw new Error(`${file} was made with other settings than ${first!.file}`);
  }
  const totals: Record<string, unknown> = {};
  const byTransform = new Map<string, TransformTally>();
  for (const { report } of reports) {
    for (const [key, value] of Object.entries(report.totals)) {
      if (key === 'byTransform') continue;
      if (typeof value === 'number') totals[key] = ((totals[key] as number | undefined) ?? 0) + value;
    }
    for (const [id, t] of Object.entries(report.totals.byTransform)) {
      const sum = byTransform.get(id) ?? { findings: 0, applied: 0, held: 0, files: 0 };
      byTransform.set(id, { findings: sum.findings + t.findings, applied: sum.applied + t.applied, held: sum.held + t.held, files: sum.files + t.files });
    }
  }
  // Ranked as Tally.ranked ranks them: fixes made, then held back, then id.
  const ranked = [...byTransform].sort((a, b) => b[1].applied - a[1].applied || b[1].held - a[1].held || byCodeUnit(a[0], b[0]));
  const interrupted = reports.some(({ report }) => report.interrupted);
  return {
    reportVersion: first!.report.reportVersion,
    tool: first!.report.tool,
    settings,
    ...(interrupted ? { interrupted: true } : {}),
    totals: { ...totals, byTransform: Object.fromEntries(ranked) } as Report['totals'],
    files: reports.flatMap(({ report }) => report.files).sort((a, b) => byCodeUnit(a.file, b.file)),
  };
}
