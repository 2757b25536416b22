// The command line: arguments, the run over many files, output formats, exit codes.
import { mkdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import yargs from 'yargs';
import { baselineKey, type FileResult } from '../engine/fix.js';
import { defaultJobs, inOrder, runTasks } from '../engine/bulk.js';
import { loadTransforms } from '../engine/registry.js';
import { packageRoot } from '../paths.js';
import { selectTransforms, SelectionError, type TapfixConfig } from '../engine/select.js';
import type { Severity, Transform } from '../types.js';
import { ConfigError, displayPath, findConfig, readConfig, regionBeside, removeOwnTemps, writeAtomic } from './files.js';
import { baselinePath, fixBytes, outputPathFor, type CacheEntry, type FileOutcome, type FileTask, type JobSettings } from './job.js';
import { compactLines, junitXml } from './formats.js';
import { markdownSummary } from './markdown.js';
import { colors, fixStatus, listJson, listText, resultJson, textReport, unifiedDiff, type Colors } from './output.js';
import { textReplacements } from './replacements.js';
import { Progress } from './progress.js';
import { ReportSpool, type ReportSettings } from './report.js';
import { SarifLog } from './sarif.js';
import { inShard, mergeReports, parseShard, type Shard } from './shard.js';
import { Tally } from './tally.js';
import { collectTemplates, commonRoot } from './walk.js';

export const EXIT = { ok: 0, pending: 1, error: 2, interrupted: 130 } as const;

const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0    clean: nothing to fix (or, with --write, everything fixable was fixed)',
  '  1    --check: fixes are pending; --fail-on: findings of that severity or higher remain',
  '  2    an error: a file that cannot be read, parsed or fixed safely (left untouched), bad arguments or configuration',
  '  130  interrupted',
].join('\n');

/** The version in package.json. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface Io {
  stdout: (s: string | Uint8Array) => void;
  stderr: (s: string) => void;
  /** Bytes as they came: decoding is the engine's, so bad UTF-8 is an error, not U+FFFD. */
  readStdin: () => Promise<string | Uint8Array>;
  cwd: string;
  /** stdout is a terminal (colours). */
  isTTY: boolean;
  /** stderr is a terminal (progress bar). */
  stderrIsTTY?: boolean;
  columns?: number;
  /** Calls `handler` on SIGINT/SIGTERM until the returned function is called. */
  onInterrupt?: (handler: () => void) => () => void;
}

/**
 * Writes to `stream` until its reader goes away (`tapfix ... | head`, quitting a pager): then the
 * rest is dropped instead of crashing on EPIPE, and the run finishes as it would have (files
 * are still written, the exit code is the same).
 */
function pipeWriter(stream: NodeJS.WriteStream): (s: string | Uint8Array) => void {
  let closed = false;
  let guarded = false;
  return (s) => {
    if (closed) return;
    if (!guarded) {
      guarded = true;
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        closed = true;
      });
    }
    stream.write(s);
  };
}

const defaultIo: Io = {
  stdout: pipeWriter(process.stdout),
  stderr: pipeWriter(process.stderr),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
  cwd: process.cwd(),
  isTTY: !!process.stdout.isTTY,
  stderrIsTTY: !!process.stderr.isTTY,
  columns: process.stderr.columns,
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

export type OutputFormat = 'text' | 'json' | 'patch' | 'diff' | 'sarif' | 'markdown' | 'compact' | 'junit';

export interface CliOptions {
  paths: string[];
  write: boolean;
  check: boolean;
  format: OutputFormat;
  only?: string[];
  skip?: string[];
  enable?: string[];
  unsafe: boolean;
  list: boolean;
  region?: string;
  stdin: boolean;
  stdinFilepath?: string;
  allowJsonc: boolean;
  config?: string;
  /** Print the effective configuration for this template and exit. */
  printConfig?: string;
  color?: boolean;
  diff: boolean;
  quiet: boolean;
  /** Worker threads (default: available cores). */
  jobs?: number;
  /** Write the JSON report here. */
  report?: string;
  /** Write fixed copies below this folder instead of in place. */
  outputDir?: string;
  /** Apply .gitignore/.tapfixignore to paths named on the command line too. */
  forceExclude?: boolean;
  /** Read .gitignore/.tapfixignore (default true). */
  ignore?: boolean;
  /** Skip resources that suppress an equivalent cfn-lint, cfn_nag or checkov check (default true). */
  foreignSuppressions?: boolean;
  /** Warn about tapfix skip entries that suppressed nothing. */
  reportUnusedSkips?: boolean;
  /** Exit 1 when findings of this severity or higher are still in the files after the run. */
  failOn?: Severity;
  /** Write what would go to standard output to this file instead (atomically, at the end). */
  outputFile?: string;
  /** Findings accepted as they are: not reported, fixed or failed on. */
  baseline?: string;
  /** Write every finding of this run to the --baseline file instead. */
  createBaseline?: boolean;
  /** `i/n`: only the files whose path hash falls to shard i of n. */
  shard?: Shard;
  /** Skip files that ran clean before with the same content, version and settings. */
  cache?: boolean;
  /** Where the cache lives (default .tapfixcache in the working folder). */
  cacheLocation?: string;
}

const splitList = (values: unknown): string[] | undefined => {
  if (values === undefined) return undefined;
  const list = (Array.isArray(values) ? values : [values]).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
  return list.length ? list : undefined;
};

const FORMATS = ['text', 'json', 'patch', 'diff', 'sarif', 'markdown', 'compact', 'junit'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

export function parseArgs(argv: string[]) {
  return yargs(argv)
    .scriptName('tapfix')
    .usage('$0 [paths..]\n\nAuto-fix AWS CloudFormation templates (JSON and YAML). Without --write it is a dry run.\n\n$0 merge-reports <report.json>... [-o merged.json]: add the --report files of --shard runs up into one')
    .command('$0 [paths..]', false)
    .positional('paths', { type: 'string', array: true, describe: 'Template files, directories or globs (quote globs: "stacks/**/*.yaml")' })
    .option('write', { alias: 'w', type: 'boolean', default: false, describe: 'Write fixes in place (atomically; unchanged files are never touched)' })
    .option('check', { type: 'boolean', default: false, describe: 'Exit 1 when fixes are pending (CI gate)' })
    .option('fail-on', {
      choices: SEVERITIES,
      describe: 'Exit 1 when findings of this severity or higher remain after the run: fixable ones on a dry run, held-back unsafe fixes and findings without an automatic fix always (CI gate)',
    })
    .option('format', {
      alias: 'f',
      choices: FORMATS,
      default: 'text' as const,
      describe:
        'Output: text (findings + diff), json, patch (RFC 6902), diff (git apply), sarif (SARIF 2.1.0), markdown (pull-request summary), compact (file:line:col: severity id message), junit (JUnit XML)',
    })
    // One value per occurrence (comma-separated, repeatable): an array option would swallow the
    // paths that follow it.
    .option('only', { type: 'string', requiresArg: true, describe: 'Run only these transform ids (comma-separated or repeated)' })
    .option('skip', { type: 'string', requiresArg: true, describe: 'Do not run these transform ids (comma-separated or repeated)' })
    .option('enable', { type: 'string', requiresArg: true, describe: 'Also run these off-by-default transforms (comma-separated or repeated)' })
    .option('unsafe', { type: 'boolean', default: false, describe: 'Apply unsafe fixes too (they may replace resources or change behaviour)' })
    .option('list', { type: 'boolean', default: false, describe: 'List transforms with severity, safety and title (--format json: also options, schemas and equivalent checks)' })
    .option('region', { type: 'string', describe: 'Target region (else config, a region/AWS_REGION file beside the template, or the template)' })
    .option('stdin', { type: 'boolean', default: false, describe: 'Read one template from standard input' })
    .option('stdin-filepath', { type: 'string', describe: 'Path to assume for --stdin (format, config, region)' })
    .option('foreign-suppressions', {
      type: 'boolean',
      default: true,
      describe: 'Leave a resource alone for a transform when its Metadata suppresses an equivalent cfn-lint, cfn_nag or checkov check (--no-foreign-suppressions to fix it anyway)',
    })
    .option('report-unused-skips', {
      type: 'boolean',
      default: false,
      describe: 'Warn about Metadata tapfix skip entries that suppress nothing (file:line:col on stderr)',
    })
    .option('allow-jsonc', { type: 'boolean', default: false, describe: 'Process JSON with comments or trailing commas (kept as they are)' })
    .option('config', { type: 'string', describe: 'Use this config file instead of searching for tapfix.config.json' })
    .option('print-config', { type: 'string', describe: 'Print the effective configuration (config file, region, transforms and their options) for this template, then exit' })
    .option('jobs', { alias: 'j', type: 'number', describe: 'Worker threads (default: chosen from the cores and the size of the work, 1 on two cores or for less than 16 MB of templates; see docs/bulk.md); 1 runs in one thread' })
    .option('output-dir', { type: 'string', describe: 'Write fixed copies of changed files below this folder (same relative paths) instead of in place' })
    .option('baseline', { type: 'string', describe: 'Leave out the findings this baseline file lists (not reported, fixed or failed on): gate only new problems' })
    .option('create-baseline', { type: 'boolean', default: false, describe: 'Write every finding of this dry run to the --baseline file' })
    .option('cache', { type: 'boolean', default: false, describe: 'Do not process again files that ran clean before with the same content, tapfix version and settings' })
    .option('cache-location', { type: 'string', describe: 'The cache file (default: .tapfixcache in the working folder)' })
    .option('shard', { type: 'string', describe: 'i/n: process only shard i of n (a deterministic split by path; merge the shards\' --report files with tapfix merge-reports)' })
    .option('output-file', { alias: 'o', type: 'string', describe: 'Write the output (any --format) to this file instead of standard output' })
    .option('report', { type: 'string', describe: 'Also write a JSON report (per file findings, operations, errors; totals) to this file' })
    .option('ignore', { type: 'boolean', default: true, describe: 'Honour .gitignore and .tapfixignore when walking folders (--no-ignore to not)' })
    .option('force-exclude', { type: 'boolean', default: false, describe: 'Apply ignore files to paths named on the command line too (for pre-commit)' })
    .option('color', { type: 'boolean', describe: 'Force colours on or off (default: on for a terminal, off with NO_COLOR)' })
    .option('diff', { type: 'boolean', default: true, describe: 'Show the diff in text output (--no-diff to hide)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only errors and the summary (no progress bar)' })
    .strictOptions()
    .help()
    .alias('help', 'h')
    .version('version', 'Show the version of tapfix', packageVersion())
    .epilog(EXIT_CODES_HELP)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseSync();
}

interface RunContext {
  all: Transform[];
  options: CliOptions;
  /** The --baseline file's findings (not when creating one). */
  baseline?: { dir: string; files: Record<string, string[]> };
  configCache: Map<string, { path: string; config: TapfixConfig } | null>;
  projectCache: Map<string, string | null>;
}

/** Everything about one file except writing it: decode, settle config and region, fix. */
export function processBytes(bytes: Uint8Array, file: string, ctx: RunContext): FileResult {
  const { baseline: _file, ...settings } = ctx.options;
  return fixBytes(bytes, file, { all: ctx.all, settings: { ...settings, ...(ctx.baseline ? { baseline: ctx.baseline } : {}) }, configCache: ctx.configCache, projectCache: ctx.projectCache });
}

/** `tapfix merge-reports a.json b.json ... [-o merged.json]`: the shards' reports as one. */
function mergeReportsCommand(argv: string[], io: Io): number {
  const out = argv.findIndex((a) => a === '-o' || a === '--output-file');
  const target = out >= 0 ? argv[out + 1] : undefined;
  const inputs = argv.filter((_, i) => out < 0 || (i !== out && i !== out + 1));
  if (out >= 0 && !target) {
    io.stderr('tapfix merge-reports: -o needs a file name\n');
    return EXIT.error;
  }
  if (inputs.some((a) => a.startsWith('-'))) {
    io.stderr('usage: tapfix merge-reports <report.json>... [-o merged.json]\n');
    return EXIT.error;
  }
  try {
    const text = JSON.stringify(mergeReports(inputs.map((f) => resolve(io.cwd, f))), null, 2) + '\n';
    if (target) writeAtomic(resolve(io.cwd, target), text);
    else io.stdout(text);
  } catch (error) {
    io.stderr(`tapfix merge-reports: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  return EXIT.ok;
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  if (argv[0] === 'merge-reports') return mergeReportsCommand(argv.slice(1), io);
  let args: ReturnType<typeof parseArgs>;
  let help = '';
  try {
    const originalLog = console.log;
    console.log = (...parts: unknown[]) => {
      help += parts.join(' ') + '\n';
    };
    try {
      args = parseArgs(argv);
    } finally {
      console.log = originalLog;
    }
  } catch (error) {
    io.stderr(`tapfix: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  if (help) {
    io.stdout(help);
    return EXIT.ok;
  }
  const options: CliOptions = {
    paths: (args.paths ?? []) as string[],
    write: args.write,
    check: args.check,
    format: args.format,
    only: splitList(args.only),
    skip: splitList(args.skip),
    enable: splitList(args.enable),
    unsafe: args.unsafe,
    list: args.list,
    region: args.region,
    stdin: args.stdin,
    stdinFilepath: args['stdin-filepath'],
    allowJsonc: args['allow-jsonc'],
    config: args.config,
    printConfig: args['print-config'],
    color: args.color,
    diff: args.diff,
    quiet: args.quiet,
    jobs: args.jobs,
    report: args.report,
    outputDir: args['output-dir'],
    forceExclude: args['force-exclude'],
    ignore: args.ignore,
    foreignSuppressions: args['foreign-suppressions'],
    reportUnusedSkips: args['report-unused-skips'],
    ...(args['fail-on'] ? { failOn: args['fail-on'] } : {}),
    ...(args['output-file'] !== undefined ? { outputFile: args['output-file'] } : {}),
    ...(args.baseline !== undefined ? { baseline: args.baseline } : {}),
    createBaseline: args['create-baseline'],
    cache: args.cache || args['cache-location'] !== undefined,
    ...(args['cache-location'] !== undefined ? { cacheLocation: args['cache-location'] } : {}),
  };
  if (args.shard !== undefined) {
    const shard = parseShard(args.shard);
    if (!shard) {
      io.stderr(`tapfix: --shard takes i/n with 1 <= i <= n, e.g. --shard 2/3 (not ${args.shard})\n`);
      return EXIT.error;
    }
    options.shard = shard;
  }
  const usage = usageProblem(options);
  if (usage) {
    io.stderr(`tapfix: ${usage}\n`);
    return EXIT.error;
  }
  const useColor = options.color ?? (io.isTTY && !process.env['NO_COLOR']);
  const c = colors(useColor && options.format === 'text');
  const all = await loadTransforms();
  if (options.list) {
    if (options.format === 'json') io.stdout(listJson(all));
    else if (options.format === 'text') io.stdout(listText(all, colors(useColor)));
    else {
      io.stderr(`tapfix: --list prints text or json, not ${options.format}\n`);
      return EXIT.error;
    }
    return EXIT.ok;
  }
  const ctx: RunContext = { all, options, configCache: new Map(), projectCache: new Map() };
  if (options.baseline && !options.createBaseline) {
    try {
      ctx.baseline = readBaseline(resolve(io.cwd, options.baseline));
    } catch (error) {
      io.stderr(`tapfix: ${(error as Error).message}\n`);
      return EXIT.error;
    }
  }
  try {
    selectTransforms(all, options.config ? readConfig(options.config, all) : {}, { only: options.only, skip: options.skip, enable: options.enable });
    if (options.printConfig !== undefined) {
      io.stdout(JSON.stringify(effectiveConfig(options.printConfig, all, options), null, 2) + '\n');
      return EXIT.ok;
    }
  } catch (error) {
    if (error instanceof SelectionError || error instanceof ConfigError) {
      io.stderr(`tapfix: ${error.message}\n`);
      return EXIT.error;
    }
    throw error;
  }

  if (!options.stdin && options.paths.length === 0) {
    io.stderr('tapfix: no input: give template files or directories (or --stdin); see tapfix --help\n');
    return EXIT.error;
  }
  if (options.outputFile === undefined) return options.stdin ? runStdin(ctx, io, c) : runFiles(ctx, io, c);
  // --output-file: what would be printed is collected and written once, atomically, at the end.
  const chunks: Buffer[] = [];
  const collecting: Io = { ...io, stdout: (s) => chunks.push(Buffer.from(s)), isTTY: false };
  const code = options.stdin ? await runStdin(ctx, collecting, c) : await runFiles(ctx, collecting, c);
  const target = resolve(io.cwd, options.outputFile);
  try {
    mkdirSync(dirname(target), { recursive: true });
    // Bytes as they were printed (--stdin --write passes a template that is not UTF-8 through).
    writeAtomic(target, (fd) => writeSync(fd, Buffer.concat(chunks)));
  } catch (error) {
    io.stderr(`tapfix: cannot write the output file ${options.outputFile}: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  return code;
}

/** What a run on `file` would use: the config file found, region, unsafe, and each transform's options. */
function effectiveConfig(file: string, all: readonly Transform[], options: CliOptions) {
  const found = options.config ? { path: options.config, config: readConfig(options.config, all) } : findConfig(dirname(resolve(file)), all);
  const config = found?.config ?? {};
  const { transforms, settings } = selectTransforms(all, config, { only: options.only, skip: options.skip, enable: options.enable });
  const running = new Set(transforms.map((t) => t.meta.id));
  return {
    file,
    configFile: found?.path ?? null,
    region: options.region ?? config.region ?? regionBeside(resolve(file)) ?? null,
    unsafe: options.unsafe || !!config.unsafe,
    allowJsonc: options.allowJsonc || !!config.allowJsonc,
    transforms: Object.fromEntries(
      all.map((t) => [t.meta.id, { enabled: running.has(t.meta.id), options: { ...t.meta.defaultOptions, ...(settings[t.meta.id]?.options ?? {}) } }]),
    ),
  };
}

/** Version 2 keeps each file's result, so that a hit reports what the file still holds. */
const CACHE_VERSION = 2;

/** The size of a run, for the default --jobs: file count and bytes (files that cannot be read count 0). */
function workOf(tasks: readonly FileTask[]): { files: number; bytes: number } {
  let bytes = 0;
  // Without room for two busy threads the count decides nothing: spare the stat calls.
  if (availableParallelism() >= 3) {
    for (const { file } of tasks) {
      try {
        bytes += statSync(file).size;
      } catch {
        // Reported when the run reads it.
      }
    }
  }
  return { files: tasks.length, bytes };
}

const cacheFile = (options: CliOptions, cwd: string) => resolve(cwd, options.cacheLocation ?? '.tapfixcache');

/** The --cache entries (absolute path -> key and result); empty when there is no usable cache. */
function readCache(file: string): Record<string, CacheEntry> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { tapfixCache?: unknown; entries?: unknown };
    if (data.tapfixCache === CACHE_VERSION && data.entries && typeof data.entries === 'object' && !Array.isArray(data.entries)) return data.entries as Record<string, CacheEntry>;
  } catch {
    // No cache yet, or one that cannot be read: start afresh.
  }
  return {};
}

const BASELINE_VERSION = 1;

/** A --baseline file: `{"tapfixBaseline": 1, "files": {"<path from the file's folder>": ["<key>", ...]}}`. */
function readBaseline(file: string): { dir: string; files: Record<string, string[]> } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the baseline ${file}: ${(error as Error).message}`);
  }
  const d = data as { tapfixBaseline?: unknown; files?: unknown };
  const files = d.files as Record<string, unknown> | undefined;
  if (d.tapfixBaseline !== BASELINE_VERSION || !files || typeof files !== 'object' || Array.isArray(files) || Object.values(files).some((v) => !Array.isArray(v) || v.some((k) => typeof k !== 'string'))) {
    throw new Error(`${file} is not a tapfix baseline (version ${BASELINE_VERSION}; write one with --create-baseline)`);
  }
  return { dir: dirname(file), files: files as Record<string, string[]> };
}

function usageProblem(o: CliOptions): string | undefined {
  if (o.jobs !== undefined && (!Number.isInteger(o.jobs) || o.jobs < 1)) return '--jobs must be a whole number of 1 or more';
  if (o.outputDir !== undefined && o.write) return '--write and --output-dir exclude each other: --write fixes in place, --output-dir writes copies';
  if (o.outputDir !== undefined && o.stdin) return '--output-dir needs files: with --stdin, --write prints the fixed template';
  if (o.outputDir === '') return '--output-dir needs a folder';
  if (o.report === '') return '--report needs a file name';
  if (o.outputFile === '') return '--output-file needs a file name';
  if (o.createBaseline && !o.baseline) return '--create-baseline needs --baseline FILE: where to write it';
  if (o.createBaseline && (o.write || o.outputDir !== undefined)) return '--create-baseline records the findings of a dry run: drop --write / --output-dir';
  if (o.baseline === '') return '--baseline needs a file name';
  return undefined;
}

async function runStdin(ctx: RunContext, io: Io, c: Colors): Promise<number> {
  const input = await io.readStdin();
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  // Without a path the content says JSON or YAML (detectFormat), as for a .template file.
  const path = ctx.options.stdinFilepath ?? 'stdin';
  let result: FileResult;
  try {
    result = processBytes(bytes, resolve(io.cwd, path), ctx);
  } catch (error) {
    io.stderr(`${path}:1:1: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  result.filePath = path;
  if (ctx.options.write) {
    // Editor integration: the fixed text, or the input byte for byte when it cannot be fixed.
    io.stdout(result.status === 'error' ? bytes : result.output);
    for (const e of result.errors) io.stderr(`${path}:${e.line}:${e.col}: ${e.message}\n`);
    return result.status === 'error' ? EXIT.error : EXIT.ok;
  }
  const outcome: FileOutcome = { file: resolve(io.cwd, path), path, result };
  if (result.status === 'changed') {
    outcome.diff = unifiedDiff(path, result.original, result.output);
    if (ctx.options.format === 'sarif') outcome.replacements = textReplacements(result.original, result.output);
  }
  const reporter = new Reporter(ctx, io, c, 1, () => {});
  reporter.add(outcome);
  return reporter.finish({ aborted: false, total: 1 });
}

async function runFiles(ctx: RunContext, io: Io, c: Colors): Promise<number> {
  const { options } = ctx;
  const outputDir = options.outputDir !== undefined ? resolve(io.cwd, options.outputDir) : undefined;
  const found = collectTemplates(options.paths, {
    cwd: io.cwd,
    useIgnoreFiles: options.ignore !== false,
    forceExclude: !!options.forceExclude,
    exclude: outputDir ? [outputDir] : [],
  });
  const outputRoot = commonRoot(found.bases) ?? io.cwd;
  const showDiff = options.format === 'diff' || (options.format === 'text' && options.diff && !options.quiet && !options.write && !outputDir);
  const settings: JobSettings = {
    cwd: io.cwd,
    only: options.only,
    skip: options.skip,
    enable: options.enable,
    unsafe: options.unsafe,
    region: options.region,
    config: options.config,
    allowJsonc: options.allowJsonc,
    foreignSuppressions: options.foreignSuppressions,
    reportUnusedSkips: options.reportUnusedSkips,
    ...(options.baseline && !options.createBaseline ? { baseline: ctx.baseline } : {}),
    ...(options.cache ? { cache: readCache(cacheFile(options, io.cwd)) } : {}),
    write: options.write,
    outputDir,
    outputRoot,
    diff: showDiff,
    replacements: options.format === 'sarif',
    operations: !!options.report || options.format === 'json' || options.format === 'patch',
  };
  const { shard } = options;
  const mine = shard ? found.files.filter((file) => inShard(displayPath(file, io.cwd), shard)) : found.files;
  const tasks: FileTask[] = mine.map((file) => ({ file }));
  // Paths that do not exist are reported once, by the first shard.
  const early: FileOutcome[] = !shard || shard.index === 1 ? [
    ...found.missing.map((m) => ({ file: m, path: displayPath(m, io.cwd), error: 'no such file or directory' })),
    ...found.unmatched.map((g) => ({ file: g, path: g, error: 'no file matches this glob' })),
  ] : [];
  const total = early.length + tasks.length;
  const progress = new Progress((s) => io.stderr(s), total, !!io.stderrIsTTY && !options.quiet && total > 1, io.columns ?? 80);
  // One template named as a file: --format patch prints its bare patch; a folder or a glob, even
  // one that matched a single file, gives an object keyed by path, whatever the count.
  const oneNamedFile = total === 1 && found.discovered.size === 0;
  const reporter = new Reporter(ctx, io, c, total, (fixes) => progress.tick(fixes), progress, oneNamedFile);
  for (const o of early) reporter.add(o);

  const stop = new AbortController();
  const kill = new AbortController();
  const offInterrupt = io.onInterrupt?.(() => {
    if (!stop.signal.aborted) {
      stop.abort();
      progress.clear();
      io.stderr('tapfix: interrupted: finishing the files in progress (again to stop at once)\n');
    } else {
      kill.abort();
    }
  });
  let run;
  try {
    run = await runTasks<FileTask, FileOutcome, JobSettings>({
      tasks,
      jobs: options.jobs ?? defaultJobs(workOf(tasks)),
      handlerModule: 'src/cli/job',
      handlerData: settings,
      onResult: inOrder((_index, outcome) => reporter.add(outcome)),
      onCrash: (task, message) => ({ file: task.file, path: displayPath(task.file, io.cwd), error: message }),
      stop: stop.signal,
      kill: kill.signal,
    });
  } finally {
    offInterrupt?.();
  }
  // Killed mid-write: a worker may have left its temporary file (never a half-written target).
  for (const task of run.interrupted) {
    removeOwnTemps(dirname(task.file));
    if (outputDir) removeOwnTemps(dirname(outputPathFor(task.file, outputDir, outputRoot)));
  }
  progress.clear();
  return reporter.finish({ aborted: run.aborted, total });
}

/** Receives outcomes in path order: prints what streams (errors, text, diffs), keeps the rest. */
class Reporter {
  private readonly outcomes: FileOutcome[] = [];
  /** The SARIF log so far (--format sarif). */
  private readonly sarif: SarifLog | undefined;
  /** --report entries so far (see ReportSpool). */
  private reportSpool: ReportSpool | undefined;
  private readonly tally = new Tally();
  /** Findings at or above --fail-on still in the files after the run. */
  private failing = 0;
  /** --create-baseline: the keys of every finding, per file. */
  private readonly baselineOut = new Map<string, string[]>();
  /** Findings the baseline left out. */
  private baselined = 0;
  /** --cache: the entries to keep, and how many files came from it. */
  private readonly cacheEntries = new Map<string, CacheEntry | undefined>();
  private cached = 0;
  /** Text and diff output stream: past the counts, nothing of a printed file is kept. */
  private readonly keep: boolean;

  constructor(
    private readonly ctx: RunContext,
    private readonly io: Io,
    private readonly c: Colors,
    private readonly total: number,
    private readonly onFile: (fixes: number) => void,
    private readonly progress?: Progress,
    /** Input was one template named as a file (or stdin): --format patch prints the bare patch. */
    private readonly oneNamedFile = true,
  ) {
    this.keep = ['json', 'patch', 'markdown', 'junit'].includes(ctx.options.format);
    // After --write, SARIF results are what is still wrong in the files: fixed findings are left out.
    if (ctx.options.format === 'sarif') this.sarif = new SarifLog(ctx.all, io.cwd, ctx.options.write);
  }

  add(outcome: FileOutcome): void {
    const { options } = this.ctx;
    const { io } = this;
    this.tally.add(outcome);
    this.baselined += outcome.result?.baselined ?? 0;
    if (options.cache) {
      this.cacheEntries.set(outcome.file, outcome.cacheEntry);
      if (outcome.cached) this.cached++;
    }
    if (options.createBaseline && outcome.result?.findings.length) {
      const dir = dirname(resolve(io.cwd, options.baseline!));
      this.baselineOut.set(baselinePath(dir, outcome.file), [...new Set(outcome.result.findings.map((f) => baselineKey(f.transform, f)))].sort());
    }
    if (options.failOn && outcome.result) {
      const limit = SEVERITIES.indexOf(options.failOn);
      const written = outcome.writtenTo !== undefined && options.write;
      this.failing += outcome.result.findings.filter((f) => SEVERITIES.indexOf(f.severity) <= limit && fixStatus(f, written) !== 'fixed').length;
    }
    const print = () => {
      const { path, result } = outcome;
      if (outcome.error) io.stderr(`${path}:1:1: ${outcome.error}\n`);
      if (result) for (const e of result.errors) io.stderr(`${path}:${e.line}:${e.col}: ${e.message}\n`);
      if (result) for (const w of result.warnings ?? []) io.stderr(`${path}:${w.line}:${w.col}: warning: ${w.message}\n`);
      if (!result) return;
      if (options.format === 'text' && !options.quiet) {
        if (result.status === 'skipped' && options.paths.length === 1 && this.total === 1) {
          io.stdout(`${path}: skipped (${result.skipReason})\n`);
        }
        const showDiff = options.diff && !options.write && options.outputDir === undefined;
        const text = textReport(result, path, this.c, showDiff, outcome.diff, outcome.writtenTo !== undefined);
        if (text) io.stdout(text + '\n');
      } else if (options.format === 'diff' && result.status === 'changed' && outcome.diff) {
        io.stdout(outcome.diff + '\n');
      }
    };
    const printCompact = () => {
      const lines = compactLines(outcome, outcome.writtenTo !== undefined);
      if (lines.length) io.stdout(lines.join('\n') + '\n');
    };
    const show = options.format === 'compact' ? printCompact : print;
    if (this.progress) this.progress.around(show);
    else show();
    delete outcome.diff; // printed: no need to hold it
    if (this.keep) this.outcomes.push(outcome);
    this.sarif?.add(outcome);
    if (options.report) (this.reportSpool ??= new ReportSpool()).add(outcome);
    this.onFile(outcome.result?.status === 'changed' ? outcome.result.findings.filter((f) => f.fix === 'applied').length : 0);
  }

  finish({ aborted, total }: { aborted: boolean; total: number }): number {
    const { options } = this.ctx;
    const { io, tally, outcomes } = this;
    const mode: ReportSettings['mode'] = options.write ? 'write' : options.outputDir !== undefined ? 'output-dir' : 'dry-run';
    const withResult = outcomes.filter((o) => o.result);
    switch (options.format) {
      case 'json':
        io.stdout(
          JSON.stringify(
            {
              files: withResult.map((o) => resultJson(o.result!, o.path, o.writtenTo !== undefined)),
              summary: { files: tally.files, changed: tally.changed, unchanged: tally.unchanged, skipped: tally.skipped, errors: tally.errors },
            },
            null,
            2,
          ) + '\n',
        );
        break;
      case 'patch': {
        const withOps = withResult.filter((o) => o.result!.status !== 'skipped');
        const value =
          this.oneNamedFile && outcomes.length === 1 && withOps.length === 1
            ? withOps[0]!.result!.operations
            : Object.fromEntries(withOps.map((o) => [o.path, o.result!.operations]));
        io.stdout(JSON.stringify(value, null, 2) + '\n');
        break;
      }
      case 'sarif':
        this.sarif!.write((chunk) => io.stdout(chunk));
        break;
      case 'markdown':
        io.stdout(markdownSummary(outcomes, tally, this.ctx.all, { mode, interrupted: aborted }));
        break;
      case 'junit':
        io.stdout(junitXml(outcomes, !!options.write || options.outputDir !== undefined));
        break;
      case 'diff':
      case 'compact':
        break;
      default:
        io.stderr(this.summaryText(aborted, total));
    }
    if (options.report) {
      const settings: ReportSettings = {
        mode,
        ...(options.outputDir !== undefined ? { outputDir: resolve(io.cwd, options.outputDir) } : {}),
        unsafe: options.unsafe,
        only: options.only,
        skip: options.skip,
        enable: options.enable,
        region: options.region,
        ...(options.foreignSuppressions === false ? { foreignSuppressions: false } : {}),
        ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
      };
      const file = resolve(io.cwd, options.report);
      try {
        mkdirSync(dirname(file), { recursive: true });
        (this.reportSpool ??= new ReportSpool()).writeReport(file, tally, settings, aborted);
      } catch (error) {
        io.stderr(`tapfix: cannot write the report ${options.report}: ${(error as Error).message}\n`);
        return EXIT.error;
      }
    }
    if (options.createBaseline && !aborted) {
      const file = resolve(io.cwd, options.baseline!);
      const files = Object.fromEntries([...this.baselineOut].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeAtomic(file, JSON.stringify({ tapfixBaseline: BASELINE_VERSION, files }, null, 2) + '\n');
      } catch (error) {
        io.stderr(`tapfix: cannot write the baseline ${options.baseline}: ${(error as Error).message}\n`);
        return EXIT.error;
      }
      const count = Object.values(files).reduce((n, keys) => n + keys.length, 0);
      io.stderr(`tapfix: baseline of ${count} finding${count === 1 ? '' : 's'} in ${this.baselineOut.size} file${this.baselineOut.size === 1 ? '' : 's'} written to ${options.baseline}\n`);
      return tally.errors > 0 ? EXIT.error : EXIT.ok;
    }
    if (options.cache) {
      const file = cacheFile(options, io.cwd);
      const entries = { ...readCache(file) };
      for (const [path, entry] of this.cacheEntries) {
        if (entry === undefined) delete entries[path];
        else entries[path] = entry;
      }
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeAtomic(file, JSON.stringify({ tapfixCache: CACHE_VERSION, entries }) + '\n');
      } catch (error) {
        io.stderr(`tapfix: cannot write the cache ${file}: ${(error as Error).message}\n`);
      }
    }
    if (aborted) return EXIT.interrupted;
    if (tally.errors > 0) return EXIT.error;
    if (options.check && tally.changed > 0) return EXIT.pending;
    if (this.failing > 0) {
      if (options.format === 'text') io.stderr(`tapfix: ${this.failing} finding${this.failing === 1 ? '' : 's'} of severity ${options.failOn} or higher remain${this.failing === 1 ? 's' : ''} (--fail-on ${options.failOn})\n`);
      return EXIT.pending;
    }
    return EXIT.ok;
  }

  private summaryText(aborted: boolean, total: number): string {
    const { options } = this.ctx;
    const { tally } = this;
    const lines: string[] = [];
    if (aborted) lines.push(`tapfix: interrupted after ${tally.files} of ${total} files; the others were not looked at`);
    const verb = options.write ? 'fixed' : options.outputDir !== undefined ? 'fixed (copies written)' : 'would change';
    const parts = [
      `${tally.files} file${tally.files === 1 ? '' : 's'}`,
      `${tally.changed} ${verb}`,
      `${tally.unchanged} unchanged`,
      `${tally.skipped} skipped (not templates)`,
      `${tally.errors} error${tally.errors === 1 ? '' : 's'}`,
    ];
    const held = tally.held;
    lines.push(`tapfix: ${parts.join(', ')}${held ? `; ${held} unsafe fix${held === 1 ? '' : 'es'} held back (--unsafe applies them)` : ''}`);
    if (this.cached) lines.push(`tapfix: ${this.cached} file${this.cached === 1 ? '' : 's'} taken from the cache (same content and settings as a run that left ${this.cached === 1 ? 'it' : 'them'} as ${this.cached === 1 ? 'it was' : 'they were'})`);
    if (this.baselined) lines.push(`tapfix: ${this.baselined} finding${this.baselined === 1 ? '' : 's'} in the baseline left out`);
    if (tally.files > 1 && (tally.applied > 0 || held > 0)) {
      lines.push(`fixes per transform (${tally.templates} templates scanned):`);
      const ranked = tally.ranked().filter(([, t]) => t.applied || t.held);
      const width = Math.max(...ranked.map(([id]) => id.length));
      for (const [id, t] of ranked) {
        const heldText = t.held ? `, ${t.held} held back (--unsafe)` : '';
        lines.push(`  ${id.padEnd(width)}  ${String(t.applied).padStart(5)} in ${t.files} file${t.files === 1 ? '' : 's'}${heldText}`);
      }
    }
    return lines.join('\n') + '\n';
  }
}
