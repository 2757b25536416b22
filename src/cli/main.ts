// The command line: arguments, reading and writing files, output formats, exit codes.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import yargs from 'yargs';
import { fixText, type FileResult } from '../engine/fix.js';
import { loadTransforms } from '../engine/registry.js';
import { selectTransforms, SelectionError, type TapfixConfig } from '../engine/select.js';
import type { Transform } from '../types.js';
import { collectFiles, ConfigError, displayPath, findConfig, readConfig, regionBeside, writeAtomic } from './files.js';
import { colors, listText, resultJson, textReport, unifiedDiff } from './output.js';

export const EXIT = { ok: 0, pending: 1, error: 2 } as const;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
  isTTY: boolean;
}

const defaultIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  cwd: process.cwd(),
  isTTY: !!process.stdout.isTTY,
};

export interface CliOptions {
  paths: string[];
  write: boolean;
  check: boolean;
  format: 'text' | 'json' | 'patch' | 'diff';
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
  color?: boolean;
  diff: boolean;
  quiet: boolean;
}

const splitList = (values: unknown): string[] | undefined => {
  if (values === undefined) return undefined;
  const list = (Array.isArray(values) ? values : [values]).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
  return list.length ? list : undefined;
};

export function parseArgs(argv: string[]) {
  return yargs(argv)
    .scriptName('tapfix')
    .usage('$0 [paths..]\n\nAuto-fix AWS CloudFormation templates (JSON and YAML). Without --write it is a dry run.')
    .command('$0 [paths..]', false)
    .positional('paths', { type: 'string', array: true, describe: 'Template files or directories' })
    .option('write', { alias: 'w', type: 'boolean', default: false, describe: 'Write fixes in place (atomically; unchanged files are never touched)' })
    .option('check', { type: 'boolean', default: false, describe: 'Exit 1 when fixes are pending (CI gate)' })
    .option('format', { alias: 'f', choices: ['text', 'json', 'patch', 'diff'] as const, default: 'text' as const, describe: 'Output: text (findings + diff), json, patch (RFC 6902), diff (git apply)' })
    .option('only', { type: 'string', array: true, describe: 'Run only these transform ids (comma-separated or repeated)' })
    .option('skip', { type: 'string', array: true, describe: 'Do not run these transform ids' })
    .option('enable', { type: 'string', array: true, describe: 'Also run these off-by-default transforms' })
    .option('unsafe', { type: 'boolean', default: false, describe: 'Apply unsafe fixes too (they may replace resources or change behaviour)' })
    .option('list', { type: 'boolean', default: false, describe: 'List transforms with severity, safety and title' })
    .option('region', { type: 'string', describe: 'Target region (else config, a region/AWS_REGION file beside the template, or the template)' })
    .option('stdin', { type: 'boolean', default: false, describe: 'Read one template from standard input' })
    .option('stdin-filepath', { type: 'string', describe: 'Path to assume for --stdin (format, config, region)' })
    .option('allow-jsonc', { type: 'boolean', default: false, describe: 'Process JSON with comments or trailing commas (kept as they are)' })
    .option('config', { type: 'string', describe: 'Use this config file instead of searching for tapfix.config.json' })
    .option('color', { type: 'boolean', describe: 'Force colours on or off (default: on for a terminal, off with NO_COLOR)' })
    .option('diff', { type: 'boolean', default: true, describe: 'Show the diff in text output (--no-diff to hide)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only errors and the summary' })
    .strictOptions()
    .help()
    .version(false)
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
  configCache: Map<string, { path: string; config: TapfixConfig } | null>;
}

/** Everything about one file except writing it: read, settle config and region, fix. */
export function processText(text: string, file: string, ctx: RunContext): FileResult {
  const { options } = ctx;
  const found = options.config ? { path: options.config, config: readConfig(options.config) } : findConfig(dirname(resolve(file)), ctx.configCache);
  const config = found?.config ?? {};
  const { transforms, settings } = selectTransforms(ctx.all, config, {
    only: options.only,
    skip: options.skip,
    enable: options.enable,
  });
  const region = options.region ?? config.region ?? regionBeside(resolve(file));
  return fixText(text, {
    transforms,
    settings,
    unsafe: options.unsafe || !!config.unsafe,
    region,
    filePath: file,
    allowJsonc: options.allowJsonc || !!config.allowJsonc,
  });
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
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
    color: args.color,
    diff: args.diff,
    quiet: args.quiet,
  };
  const useColor = options.color ?? (io.isTTY && !process.env['NO_COLOR']);
  const c = colors(useColor && options.format === 'text');
  const all = await loadTransforms();
  if (options.list) {
    io.stdout(listText(all, colors(useColor)));
    return EXIT.ok;
  }
  const ctx: RunContext = { all, options, configCache: new Map() };
  try {
    selectTransforms(all, options.config ? readConfig(options.config) : {}, { only: options.only, skip: options.skip, enable: options.enable });
  } catch (error) {
    if (error instanceof SelectionError || error instanceof ConfigError) {
      io.stderr(`tapfix: ${error.message}\n`);
      return EXIT.error;
    }
    throw error;
  }

  if (options.stdin) return runStdin(ctx, io, c);
  if (options.paths.length === 0) {
    io.stderr('tapfix: no input: give template files or directories (or --stdin); see tapfix --help\n');
    return EXIT.error;
  }

  const { files, missing } = collectFiles(options.paths.map((p) => resolve(io.cwd, p)));
  const results: Array<{ path: string; result: FileResult | undefined; error?: string }> = [];
  for (const m of missing) results.push({ path: displayPath(m, io.cwd), result: undefined, error: 'no such file or directory' });
  for (const file of files) {
    const path = displayPath(file, io.cwd);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      results.push({ path, result: undefined, error: `cannot read: ${(error as Error).message}` });
      continue;
    }
    let result: FileResult;
    try {
      result = processText(text, file, ctx);
    } catch (error) {
      results.push({ path, result: undefined, error: error instanceof ConfigError ? error.message : `internal error: ${(error as Error).stack ?? error}` });
      continue;
    }
    if (options.write && result.status === 'changed') {
      try {
        writeAtomic(file, result.output);
      } catch (error) {
        results.push({ path, result, error: `cannot write: ${(error as Error).message}` });
        continue;
      }
    }
    results.push({ path, result });
  }
  return report(results, options, io, c);
}

async function runStdin(ctx: RunContext, io: Io, c: ReturnType<typeof colors>): Promise<number> {
  const text = await io.readStdin();
  const path = ctx.options.stdinFilepath ?? 'stdin.yaml';
  let result: FileResult;
  try {
    result = processText(text, resolve(io.cwd, path), ctx);
  } catch (error) {
    io.stderr(`${path}:1:1: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  result.filePath = path;
  if (ctx.options.write) {
    // Editor integration: the fixed text (or the input when it cannot be fixed) on stdout.
    io.stdout(result.output);
    for (const e of result.errors) io.stderr(`${path}:${e.line}:${e.col}: ${e.message}\n`);
    return result.status === 'error' ? EXIT.error : EXIT.ok;
  }
  return report([{ path, result }], ctx.options, io, c);
}

function report(
  results: Array<{ path: string; result: FileResult | undefined; error?: string }>,
  options: CliOptions,
  io: Io,
  c: ReturnType<typeof colors>,
): number {
  let errors = 0;
  let changed = 0;
  let unchanged = 0;
  let skipped = 0;
  let held = 0;
  const reportError = (path: string, line: number, col: number, message: string) => {
    errors++;
    io.stderr(`${path}:${line}:${col}: ${message}\n`);
  };
  for (const { path, result, error } of results) {
    if (error) reportError(path, 1, 1, error);
    if (!result) continue;
    for (const e of result.errors) reportError(path, e.line, e.col, e.message);
    if (result.status === 'changed') changed++;
    else if (result.status === 'unchanged') unchanged++;
    else if (result.status === 'skipped') skipped++;
    held += result.findings.filter((f) => f.fix === 'held').length;
  }

  const ok = results.filter((r) => r.result);
  switch (options.format) {
    case 'json':
      io.stdout(
        JSON.stringify(
          { files: ok.map(({ path, result }) => resultJson(result!, path)), summary: { files: results.length, changed, unchanged, skipped, errors } },
          null,
          2,
        ) + '\n',
      );
      break;
    case 'patch': {
      const withOps = ok.filter(({ result }) => result!.status !== 'skipped');
      const value = results.length === 1 && withOps.length === 1 ? withOps[0]!.result!.operations : Object.fromEntries(withOps.map(({ path, result }) => [path, result!.operations]));
      io.stdout(JSON.stringify(value, null, 2) + '\n');
      break;
    }
    case 'diff':
      for (const { path, result } of ok) if (result!.status === 'changed') io.stdout(unifiedDiff(path, result!.original, result!.output) + '\n');
      break;
    default:
      if (!options.quiet) {
        for (const { path, result } of ok) {
          if (result!.status === 'skipped' && options.paths.length === 1 && results.length === 1) {
            io.stdout(`${path}: skipped (${result!.skipReason})\n`);
          }
          const text = textReport(result!, path, c, options.diff && !options.write);
          if (text) io.stdout(text + '\n');
        }
      }
      {
        const verb = options.write ? 'fixed' : 'would change';
        const parts = [`${results.length} file${results.length === 1 ? '' : 's'}`, `${changed} ${verb}`, `${unchanged} unchanged`, `${skipped} skipped (not templates)`, `${errors} error${errors === 1 ? '' : 's'}`];
        io.stderr(`tapfix: ${parts.join(', ')}${held ? `; ${held} unsafe fix${held === 1 ? '' : 'es'} held back (--unsafe applies them)` : ''}\n`);
      }
  }
  if (errors > 0) return EXIT.error;
  if (options.check && changed > 0) return EXIT.pending;
  return EXIT.ok;
}
