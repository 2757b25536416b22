// One file of a run, start to end: read it, settle its config and region, fix it, write it
// (in place or under --output-dir), and keep only what the report needs. Runs in the main
// thread or in a worker (src/engine/worker.ts loads this module), so everything it returns is
// plain data.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fixText, type FileResult, type FixSettings } from '../engine/fix.js';
import { loadTransforms } from '../engine/registry.js';
import { selectTransforms, SelectionError, type TapfixConfig } from '../engine/select.js';
import { detectFormat } from '../template/load.js';
import { decodeUtf8, Utf8Error } from '../template/utf8.js';
import { packageRoot } from '../paths.js';
import { sha256Hex } from '../on-demand.js';
import { repositoryProject } from './repository.js';
import type { Transform } from '../types.js';
import { ConfigError, displayPath, findConfig, readConfig, regionBeside, writeAtomic } from './files.js';
import { unifiedDiff } from './output.js';
import { textReplacements, type TextReplacement } from './replacements.js';

/** Everything a worker needs to process files the way the command line asked. Plain data. */
export interface JobSettings {
  cwd: string;
  only?: string[] | undefined;
  skip?: string[] | undefined;
  enable?: string[] | undefined;
  unsafe: boolean;
  region?: string | undefined;
  config?: string | undefined;
  allowJsonc: boolean;
  /** Honour cfn-lint, cfn_nag and checkov suppressions of equivalent checks (default true). */
  foreignSuppressions?: boolean | undefined;
  /** Warn about tapfix skip entries that suppressed nothing. */
  reportUnusedSkips?: boolean | undefined;
  /** --baseline: the accepted findings per file path, relative to `dir` (the baseline file's folder). */
  baseline?: { dir: string; files: Record<string, string[]> } | undefined;
  /**
   * --cache: per absolute path, the key of the content and effective settings of its last run that
   * left it as it was, and that run's result. A file whose key is unchanged is not processed
   * again: the result is reported as it was.
   */
  cache?: Record<string, CacheEntry> | undefined;
  write: boolean;
  /** Write fixed copies here (mirroring paths below outputRoot) instead of in place. */
  outputDir?: string | undefined;
  outputRoot?: string | undefined;
  /** Compute the unified diff of a changed file (text and diff output). */
  diff: boolean;
  /** Compute the text replacements of a changed file (SARIF fixes). */
  replacements: boolean;
  /** Keep the operations in the outcome (json, patch, --report); they can be large. Default true. */
  operations?: boolean;
  /** Keep the original and fixed text in the outcome (library use; costly across threads). */
  keepText?: boolean;
}

export interface FileTask {
  file: string;
}

/** FileResult without the texts and values, which stay in the thread that made them. */
export type FileSummary = Omit<FileResult, 'before' | 'after' | 'edits' | 'original' | 'output'> & { original?: string; output?: string };

export interface FileOutcome {
  file: string;
  /** As shown to the user: relative to cwd when below it. */
  path: string;
  result?: FileSummary;
  /** A problem outside the engine: cannot read or write, bad config, internal error. */
  error?: string;
  diff?: string;
  replacements?: TextReplacement[];
  /** Where the fixed text was written (in place or the --output-dir copy). */
  writtenTo?: string;
  /** --cache: what to remember of the file after this run; undefined forgets it. */
  cacheEntry?: CacheEntry;
  /** --cache: the file ran with the same key before and left it as it was, so it was not processed. */
  cached?: boolean;
}

/**
 * A --cache entry: the key of a file's bytes and effective settings, and the result a run on them
 * gives, which changes nothing in the file (a run is deterministic, so the key decides it).
 */
export interface CacheEntry {
  key: string;
  result: FileSummary;
}

export type FileHandler = (task: FileTask) => FileOutcome;

/** Signs of CloudFormation in text that does not parse: then it is a broken template, not some other file. */
const CFN_SIGNS = /AWSTemplateFormatVersion|\b(?:AWS|Custom|Alexa)::[A-Za-z0-9]+::[A-Za-z0-9]/;

export interface TextContext {
  all: readonly Transform[];
  settings: Pick<JobSettings, 'only' | 'skip' | 'enable' | 'unsafe' | 'region' | 'config' | 'allowJsonc' | 'foreignSuppressions' | 'reportUnusedSkips' | 'baseline'>;
  configCache: Map<string, { path: string; config: TapfixConfig } | null>;
  /** Folder -> the project its repository names (see repositoryProject). */
  projectCache?: Map<string, string | null>;
}

/** Everything about one text except reading and writing it: settle config and region (unless `fix` is given), fix. */
export function fixWithConfig(text: string, file: string, ctx: TextContext, fix: FixSettings = fixSettingsFor(file, ctx)): FileResult {
  return fixText(text, fix);
}

/** The settings a run on `file` uses: its config file, region, transforms and their options. */
export function fixSettingsFor(file: string, ctx: TextContext): FixSettings {
  const { settings } = ctx;
  const found = settings.config ? { path: settings.config, config: readConfig(settings.config, ctx.all) } : findConfig(dirname(resolve(file)), ctx.all, ctx.configCache);
  const config = found?.config ?? {};
  const { transforms, settings: perTransform } = selectTransforms(ctx.all, config, {
    only: settings.only,
    skip: settings.skip,
    enable: settings.enable,
  });
  const region = settings.region ?? config.region ?? regionBeside(resolve(file));
  return {
    transforms,
    settings: perTransform,
    unsafe: settings.unsafe || !!config.unsafe,
    region,
    filePath: file,
    project: repositoryProject(dirname(resolve(file)), ctx.projectCache),
    allowJsonc: settings.allowJsonc || !!config.allowJsonc,
    // Either the flag or the config file turns them off.
    foreignSuppressions: settings.foreignSuppressions !== false && config.foreignSuppressions !== false,
    knownTransforms: new Set(ctx.all.map((t) => t.meta.id)),
    reportUnusedSkips: !!settings.reportUnusedSkips,
    ...(settings.baseline ? { baseline: new Set(settings.baseline.files[baselinePath(settings.baseline.dir, file)] ?? []) } : {}),
  };
}

/**
 * The --cache key of a file: its bytes, the tapfix version and everything that decides what a run
 * on it does (transforms and options, unsafe, region, JSONC, suppressions, baseline).
 */
export function cacheKey(bytes: Uint8Array, fix: FixSettings): string {
  const settings = {
    version: packageVersion(),
    transforms: fix.transforms.map((t) => t.meta.id),
    options: fix.settings ?? {},
    unsafe: !!fix.unsafe,
    region: fix.region ?? null,
    project: fix.project ?? null,
    allowJsonc: !!fix.allowJsonc,
    foreignSuppressions: fix.foreignSuppressions !== false,
    reportUnusedSkips: !!fix.reportUnusedSkips,
    baseline: fix.baseline ? [...fix.baseline].sort() : null,
  };
  return sha256Hex(JSON.stringify(settings), '\0', bytes);
}

let version: string | undefined;
function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

/** How a baseline file names a template: its path from the baseline's folder, with forward slashes. */
export function baselinePath(dir: string, file: string): string {
  return relative(dir, resolve(file)).split(sep).join('/');
}

/**
 * `fixWithConfig` for bytes as they were read. Bytes that are not UTF-8 give an error result
 * (never written: its text is only the lossy reading, for the report and the skip decision).
 */
export function fixBytes(bytes: Uint8Array, file: string, ctx: TextContext, fix?: FixSettings): FileResult {
  try {
    return fixWithConfig(decodeUtf8(bytes), file, ctx, fix);
  } catch (error) {
    if (!(error instanceof Utf8Error)) throw error;
    const lossy = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    return {
      filePath: file,
      format: detectFormat(file, lossy),
      status: 'error',
      findings: [],
      suppressed: [],
      operations: [],
      applied: [],
      errors: [{ message: error.message, line: error.line, col: error.col }],
      original: lossy,
      output: lossy,
      passes: 0,
    };
  }
}

/** Where an --output-dir copy of `file` goes. */
export function outputPathFor(file: string, outputDir: string, outputRoot: string): string {
  const rel = relative(outputRoot, file);
  // A file outside the common root (cannot happen for walked inputs) keeps its absolute path below the folder.
  const safe = !rel || rel.startsWith('..') || isAbsolute(rel) ? file.replace(/^[a-zA-Z]:/, '').replace(/^[\\/]+/, '') : rel;
  return join(outputDir, safe);
}

export async function createHandler(settings: JobSettings): Promise<FileHandler> {
  const ctx: TextContext = { all: await loadTransforms(), settings, configCache: new Map(), projectCache: new Map() };
  return (task) => processFile(task, settings, ctx);
}

export function processFile(task: FileTask, settings: JobSettings, ctx: TextContext): FileOutcome {
  const { file } = task;
  const outcome: FileOutcome = { file, path: displayPath(file, settings.cwd) };
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    outcome.error = `cannot read: ${(error as Error).message}`;
    return outcome;
  }
  let result: FileResult;
  let key: string | undefined;
  // Settled once here when the cache needs them for the key, else by fixBytes.
  let fix: FixSettings | undefined;
  try {
    if (settings.cache) {
      fix = fixSettingsFor(file, ctx);
      key = cacheKey(bytes, fix);
      const entry = settings.cache[file];
      if (entry?.key === key) return { ...outcome, result: entry.result, cached: true, cacheEntry: entry };
    }
    result = fixBytes(bytes, file, ctx, fix);
  } catch (error) {
    outcome.error =
      error instanceof ConfigError || error instanceof SelectionError ? error.message : `internal error: ${(error as Error).stack ?? error}`;
    return outcome;
  }
  if (result.status === 'error' && result.errors.every((e) => !e.transforms) && !CFN_SIGNS.test(result.original)) {
    // A walk, and a pre-commit hook that names every staged file, meet YAML and JSON of every kind
    // (Kubernetes manifests, Helm charts, workflow files): one that does not even load as one
    // document and never mentions CloudFormation is not counted as a broken template.
    result.status = 'skipped';
    result.skipReason = `not a CloudFormation template: does not parse (${result.errors[0]?.message ?? 'invalid'}) and has no AWSTemplateFormatVersion or AWS:: type`;
    result.errors = [];
  }
  if (result.status === 'changed' && (settings.write || settings.outputDir)) {
    const target = settings.outputDir ? outputPathFor(file, settings.outputDir, settings.outputRoot ?? settings.cwd) : file;
    try {
      if (settings.outputDir) {
        mkdirSync(dirname(target), { recursive: true });
        writeAtomic(target, result.output, { mode: statSync(file).mode & 0o777 });
      } else {
        writeAtomic(target, result.output);
      }
      outcome.writtenTo = target;
    } catch (error) {
      outcome.error = `cannot write${settings.outputDir ? ` ${target}` : ''}: ${(error as Error).message}`;
    }
  }
  if (result.status === 'changed') {
    if (settings.diff) outcome.diff = unifiedDiff(outcome.path, result.original, result.output, result.edits);
    if (settings.replacements) outcome.replacements = textReplacements(result.original, result.output);
  }
  outcome.result = summarize(result, !!settings.keepText, settings.operations !== false);
  if (key !== undefined && fix !== undefined) {
    const entry = cacheEntryAfter(outcome, result, key, file, fix);
    if (entry !== undefined) outcome.cacheEntry = entry;
  }
  return outcome;
}

/**
 * What --cache remembers of a file after this run: a run that left the file as it was (skipped,
 * or unchanged with whatever it reported) gives its key and result; a file written in place with
 * every finding fixed gets the key of its new bytes and an empty result (a second run finds
 * nothing: idempotence is an invariant). Undefined otherwise: errors, fixes pending, a fix held.
 */
function cacheEntryAfter(outcome: FileOutcome, result: FileResult, key: string, file: string, fix: FixSettings): CacheEntry | undefined {
  if (outcome.error || result.errors.length || !outcome.result) return undefined;
  const { original: _original, output: _output, ...kept } = outcome.result;
  if (result.status === 'skipped' || result.status === 'unchanged') return { key, result: kept };
  const allFixed = result.findings.every((f) => f.fix === 'applied');
  if (result.status === 'changed' && allFixed && !result.warnings?.length && !result.suppressed.length && outcome.writtenTo === file) {
    const after: FileSummary = { filePath: result.filePath, format: result.format, status: 'unchanged', findings: [], suppressed: [], operations: [], applied: [], errors: [], passes: 1 };
    return { key: cacheKey(Buffer.from(result.output, 'utf8'), fix), result: after };
  }
  return undefined;
}

export function summarize(result: FileResult, keepText: boolean, keepOperations = true): FileSummary {
  const { before: _before, after: _after, edits: _edits, original, output, ...rest } = result;
  if (!keepOperations) {
    rest.operations = [];
    rest.applied = rest.applied.map((a) => ({ transform: a.transform, ops: [] }));
  }
  return keepText ? { ...rest, original, output } : rest;
}
