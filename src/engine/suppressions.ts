// What the template itself says not to fix: tapfix's own `Metadata: tapfix: skip` and the
// suppressions of the checkers teams already run, for the checks a transform declares equivalent
// (meta.equivalents). A team that told cfn_nag "this bucket logs nowhere, on purpose" should not
// get the logging fix from tapfix either.
//
// The other tools' syntax, as each reads it:
// - cfn_nag: `Metadata: {cfn_nag: {rules_to_suppress: [{id: W35, reason: ...}]}}` on a resource,
//   matched by exact id (lib/cfn-nag/metadata.rb, suppress_resource?;
//   https://github.com/stelligent/cfn_nag#per-resource-rule-suppression). No template-level form.
// - checkov: `Metadata: {checkov: {skip: [{id: CKV_AWS_18, comment: ...}]}}` on a resource, exact
//   id (checkov/cloudformation/context_parser.py, collect_skip_comments;
//   https://github.com/bridgecrewio/checkov/blob/main/docs/2.Basics/Suppressing%20and%20Skipping%20Policies.md#cloudformation-metadata).
//   Its `# checkov:skip=` comments are not read: the parsed template has no comments.
// - cfn-lint: `Metadata: {cfn-lint: {config: {ignore_checks: [W3010]}}}`
//   (https://github.com/aws-cloudformation/cfn-lint#metadata). On a resource the ids are matched
//   exactly (Template.get_directives and runner/template/runner.py _check_metadata_directives); in
//   the template's Metadata the list is cfn-lint's run configuration, where an id is a prefix
//   (rules/_rule.py _rule_is_enabled: `rule.id.startswith(ignore_rule)`), so `W30` ignores W3010.
import { pointer, unescapePointerSegment } from '../cfn/pointer.js';
import { skipEntries } from '../cfn/skip.js';
import { deepFreeze } from '../cfn/template.js';
import type { ForeignTool, JsonObject, Resource, Template, Transform } from '../types.js';

/** The tools that can suppress a check in the template (Control Tower controls cannot). */
export type SuppressingTool = Exclude<ForeignTool, 'control-tower'>;

/** One suppression entry of another tool, as the template writes it. */
export interface ForeignSuppression {
  tool: SuppressingTool;
  /** The check id as written; in cfn-lint's template-level list a prefix of ids. */
  id: string;
  /** JSON pointer of the entry, for its line and column. */
  pointer: string;
}

/** One entry of a tapfix skip list, where it is written. */
export interface SkipListEntry {
  /** A transform id or 'all'. */
  id: string;
  /** Logical id of the resource whose Metadata holds it; undefined for the template's Metadata. */
  resource: string | undefined;
  /** JSON pointer of the entry (of the plain string when the skip is one id), for line and column. */
  pointer: string;
}

export interface Suppressions {
  /** tapfix skip lists: template-wide and per resource logical id ("all" skips everything). */
  template: Set<string>;
  resources: Map<string, Set<string>>;
  /** Every tapfix skip entry, template-wide first, for warnings about unknown or unused ones. */
  skips: SkipListEntry[];
  /** Other tools' suppressions; empty when they are not honoured (--no-foreign-suppressions). */
  foreignTemplate: ForeignSuppression[];
  foreignResources: Map<string, ForeignSuppression[]>;
}

/** Why a finding is left out. */
export type Suppressor =
  /** `entry`: the pointer of the skip entry that applies. */
  | { by: 'tapfix'; entry: string }
  /** `resource` is undefined when the template's own Metadata suppresses the check everywhere. */
  | { by: 'foreign'; suppression: ForeignSuppression; resource: string | undefined };

function objectAt(value: unknown, ...keys: string[]): Record<string, unknown> | undefined {
  let v = value;
  for (const key of keys) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function listAt(value: unknown, ...keys: string[]): unknown[] {
  const parent = objectAt(value, ...keys.slice(0, -1));
  const list = parent?.[keys[keys.length - 1]!];
  return Array.isArray(list) ? list : [];
}

function skipListEntries(metadata: unknown, resource: string | undefined): SkipListEntry[] {
  const at = resource === undefined ? ['Metadata'] : ['Resources', resource, 'Metadata'];
  return skipEntries(metadata).map((e) => ({ id: e.id, resource, pointer: pointer(...at, 'tapfix', 'skip', ...(e.index === undefined ? [] : [e.index])) }));
}

/**
 * The suppression entries in one Metadata object; `at` is its raw path ('Resources', id,
 * 'Metadata'). cfn_nag and checkov write `[{id: ...}]` and pass over an entry without an id;
 * cfn-lint writes a list of ids.
 */
function foreignIn(metadata: unknown, at: readonly string[]): ForeignSuppression[] {
  const found: ForeignSuppression[] = [];
  const add = (tool: SuppressingTool, path: string[], idOf: (entry: unknown) => unknown) =>
    listAt(metadata, ...path).forEach((entry, i) => {
      const id = idOf(entry);
      if (typeof id === 'string' && id) found.push({ tool, id, pointer: pointer(...at, ...path, i) });
    });
  add('cfn-lint', ['cfn-lint', 'config', 'ignore_checks'], (entry) => entry);
  add('cfn_nag', ['cfn_nag', 'rules_to_suppress'], (entry) => objectAt(entry)?.['id']);
  add('checkov', ['checkov', 'skip'], (entry) => objectAt(entry)?.['id']);
  return found;
}

export function suppressionsOf(template: Template, foreign = true): Suppressions {
  const resources = new Map<string, Set<string>>();
  const foreignResources = new Map<string, ForeignSuppression[]>();
  const skips = skipListEntries(template.Metadata, undefined);
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const skip = skipListEntries(resource?.Metadata, id);
    skips.push(...skip);
    if (skip.length) resources.set(id, new Set(skip.map((e) => e.id)));
    if (!foreign) continue;
    const others = foreignIn(resource?.Metadata, ['Resources', id, 'Metadata']);
    if (others.length) foreignResources.set(id, others);
  }
  return {
    template: new Set(skipEntries(template.Metadata).map((e) => e.id)),
    resources,
    skips,
    // Only cfn-lint reads a template-wide list.
    foreignTemplate: foreign ? foreignIn(template.Metadata, ['Metadata']).filter((s) => s.tool === 'cfn-lint') : [],
    foreignResources,
  };
}

function resourceOf(findingPointer: string): string | undefined {
  const m = /^\/Resources\/([^/]+)/.exec(findingPointer);
  return m ? unescapePointerSegment(m[1]!) : undefined;
}

function suppressible(transform: Transform) {
  return (transform.meta.equivalents ?? []).filter((e) => e.tool !== 'control-tower');
}

/** The suppression on `resource` of a check equivalent to `transform`, if any. */
function resourceSuppression(s: Suppressions, transform: Transform, resource: string): ForeignSuppression | undefined {
  const equivalents = suppressible(transform);
  return s.foreignResources.get(resource)?.find((suppression) => equivalents.some((e) => e.tool === suppression.tool && e.id === suppression.id));
}

/**
 * The template as `transform` should plan its fixes on, when a resource suppresses one of its
 * equivalent checks: that resource opts out of the transform the way tapfix's own syntax says,
 * `Metadata: {tapfix: {skip: [<transform id>]}}`. Transforms that plan one thing for several
 * resources (a log bucket or a KMS key for many buckets, a mapping many resources read) already
 * leave such a resource out (src/cfn/skip.ts skipsTransform), so what they do fix stays
 * consistent. Undefined when no resource of `template` suppresses an equivalent check.
 */
export function withForeignSkips(s: Suppressions, transform: Transform, template: Template): Template | undefined {
  if (s.foreignResources.size === 0 || suppressible(transform).length === 0) return undefined;
  let resources: Record<string, Resource> | undefined;
  for (const id of s.foreignResources.keys()) {
    const resource = template.Resources?.[id];
    if (!resource || !resourceSuppression(s, transform, id)) continue;
    const metadata = resource.Metadata as JsonObject;
    const tapfix = objectAt(metadata, 'tapfix');
    const skip = skipEntries(metadata).map((e) => e.id);
    resources ??= { ...template.Resources };
    resources[id] = { ...resource, Metadata: { ...metadata, tapfix: { ...tapfix, skip: [...skip, transform.meta.id] } } as JsonObject };
  }
  return resources && (deepFreeze({ ...template, Resources: resources }) as Template);
}

/** Why `transform` must leave out a finding at `findingPointer`, or undefined when it may report it. */
export function suppressorOf(s: Suppressions, transform: Transform, findingPointer: string): Suppressor | undefined {
  const id = transform.meta.id;
  const resource = resourceOf(findingPointer);
  const entry = s.skips.find((e) => (e.resource === undefined || e.resource === resource) && (e.id === id || e.id === 'all'));
  if (entry) return { by: 'tapfix', entry: entry.pointer };

  const equivalents = suppressible(transform);
  if (equivalents.length === 0) return undefined;
  const suppression = resource === undefined ? undefined : resourceSuppression(s, transform, resource);
  if (suppression) return { by: 'foreign', suppression, resource };
  for (const suppression of s.foreignTemplate) {
    if (equivalents.some((e) => e.tool === suppression.tool && e.id.startsWith(suppression.id))) return { by: 'foreign', suppression, resource: undefined };
  }
  return undefined;
}
