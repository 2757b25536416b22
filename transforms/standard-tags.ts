import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import {
  ENVIRONMENT_PARAMETER_NAMES,
  isPrefixedEnvironmentName,
  isPrefixedProjectName,
  parameterEntries,
  PROJECT_PARAMETER_NAMES,
} from '../src/cfn/parameters.js';
import { pointer } from '../src/cfn/pointer.js';
import { parameter, property, resource, resources, targetOfValue, type ResourceView } from '../src/cfn/query.js';
import {
  replacementRefusal,
  tagInfo,
  tagLintDefaultRegion,
  tagLintRejection,
  tagLintRejections,
  tagLintSource,
  type TagInfo,
} from '../src/cfn/spec.js';
import { ENVIRONMENT_SUFFIX_PARAMETER, ENVIRONMENT_SUFFIX_PARAMETER_NAME } from '../src/cfn/naming.js';
import { asObject, hasOwn, isIntrinsic, targetOf } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

interface StandardTagsOptions extends Record<string, unknown> {
  /** Value of the Project tag (a literal); default: the template's Project tags, a ProjectName-like parameter, else the repository's name. */
  project?: string;
  /** Which of the built-in keys to apply. */
  keys?: string[];
  /** Tag key -> value: overrides the built-in values and adds extra tags. `{LogicalId}` in strings is replaced. */
  tags?: Record<string, JsonValue>;
  /** Parameter to use as the environment (default: an existing environment parameter, else EnvironmentSuffix). */
  environmentParameter?: string;
  /** Also tag the types whose tags cfn-lint does not accept yet: true for all of them, or a list of types. */
  tagRecentlyTaggableTypes?: boolean | string[];
}

const BUILT_IN_KEYS = ['Name', 'Environment', 'Project'] as const;

/** AWS accepts at most 50 user tags per resource. */
const MAX_TAGS = 50;

/**
 * Types whose tags CloudFormation propagates to every resource they create: a `Name` tag there
 * would name all of those resources after the container, so it is not added.
 */
const PROPAGATING_TYPES = new Set(['AWS::CloudFormation::Stack', 'AWS::ServiceCatalog::CloudFormationProvisionedProduct']);

/**
 * The String parameter named by the first of `preference` (lower-case names) the template
 * declares, compared ignoring case; else the first whose name `prefixed` accepts.
 */
function preferredParameter(t: Template, preference: readonly string[], prefixed: (name: string) => boolean): string | undefined {
  const byLower = new Map<string, string>();
  let fallback: string | undefined;
  for (const [name, spec] of parameterEntries(t)) {
    if (spec['Type'] !== 'String') continue;
    const lower = name.toLowerCase();
    if (!byLower.has(lower)) byLower.set(lower, name);
    if (fallback === undefined && prefixed(name)) fallback = name;
  }
  for (const lower of preference) {
    const name = byLower.get(lower);
    if (name !== undefined) return name;
  }
  return fallback;
}

/**
 * The parameter that already holds the environment name or suffix: `EnvironmentSuffix`, then
 * `Environment`, `EnvironmentName`, `Env`, `Stage`, ..., then a prefixed name such as
 * `AppEnvironment`; undefined when there is none.
 */
const findEnvironmentParameter = (t: Template) => preferredParameter(t, ENVIRONMENT_PARAMETER_NAMES, isPrefixedEnvironmentName);

/** The parameter holding the project/application name (`ProjectName`, `Project`, `ApplicationName`, `AppProjectName`...), if any. */
const findProjectParameter = (t: Template) => preferredParameter(t, PROJECT_PARAMETER_NAMES, isPrefixedProjectName);

/** Replaces `{LogicalId}` in every string of an option value. */
function instantiate(value: JsonValue, logicalId: string): JsonValue {
  if (typeof value === 'string') return value.split('{LogicalId}').join(logicalId);
  if (Array.isArray(value)) return value.map((v) => instantiate(v, logicalId));
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = instantiate(v, logicalId);
    return out;
  }
  return value;
}

/**
 * Whether an existing tag key (a literal or an intrinsic) is `key`: 'yes', 'no', or 'maybe' when
 * it is computed and could resolve to it. Keys are compared ignoring case: IAM and several other
 * services treat tag keys case-insensitively and reject two keys that differ only in case.
 */
function keyMatch(existing: JsonValue | undefined, key: string): 'yes' | 'no' | 'maybe' {
  if (typeof existing === 'string') return existing.toLowerCase() === key.toLowerCase() ? 'yes' : 'no';
  const sub = asObject(existing)?.['Fn::Sub'];
  const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
  if (text !== undefined && isIntrinsic(existing)) {
    // Each ${...} may become anything; the literal parts must match.
    const literal = (part: string) => part.replace(/\$\{!/g, '${').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const parts = text.split(/\$\{(?!!)[^}]*\}/);
    if (parts.length === 1) return parts[0]!.replace(/\$\{!/g, '${').toLowerCase() === key.toLowerCase() ? 'yes' : 'no';
    return new RegExp(`^${parts.map(literal).join('.*')}$`, 'is').test(key) ? 'maybe' : 'no';
  }
  return 'maybe'; // Ref, Fn::If, Fn::Join ...: cannot tell
}

/** The docs' list of the types cfn-lint rejects tags on, from data/cfn-lint-tags.json. */
function lintRejectionList(): string {
  const defaultRegion = tagLintDefaultRegion();
  const inDefaultRegion: string[] = [];
  const elsewhere: string[] = [];
  const shape: string[] = [];
  for (const [type, rejection] of tagLintRejections()) {
    const regions = rejection.absent ?? [];
    if (rejection.shape) shape.push(`\`${type}\``);
    else if (regions.includes(defaultRegion)) inDefaultRegion.push(`\`${type}\``);
    else elsewhere.push(`\`${type}\` (${regions.length} region${regions.length > 1 ? 's' : ''})`);
  }
  return [
    `  With ${tagLintSource()}:`,
    `  - rejected in ${defaultRegion}, cfn-lint's default region, so never tagged by default: ${inDefaultRegion.join(', ')};`,
    `  - rejected in some other regions only, so tagged when the target region accepts them: ${elsewhere.join(', ')};`,
    `  - never tagged, because the schema takes the tags in another shape than the spec says: ${shape.join(', ')}.`,
  ].join('\n');
}

interface Desired {
  key: string;
  value: JsonValue;
  /** Needs the environment parameter. */
  usesEnvironment: boolean;
}

export default defineTransform<StandardTagsOptions>({
  meta: {
    id: 'standard-tags',
    title: 'Tag every taggable resource with Name, Environment and Project',
    severity: 'high',
    safety: 'safe',
    seeds: ['000#3'],
    equivalents: [],
    order: 90,
    defaultOptions: { keys: [...BUILT_IN_KEYS] },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        keys: { type: 'array', items: { type: 'string', enum: [...BUILT_IN_KEYS] } },
        tags: { type: 'object', additionalProperties: { type: ['string', 'object'] } },
        project: { type: 'string' },
        environmentParameter: { type: 'string' },
        tagRecentlyTaggableTypes: { anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string' } }] },
      },
    },
    docs: `## Why
Tags are how teams find, secure and pay for resources: cost allocation reports group by tag,
IAM conditions and AWS Config rules match on them, and the console shows the \`Name\` tag. A
template that tags only some resources (or only with \`Name\`) leaves most of the stack invisible
to that tooling.

## Fix
Every resource whose type the CloudFormation resource spec marks as taggable gets the missing
ones of:

| Key | Value |
| --- | --- |
| \`Name\` | \`{"Fn::Sub": "<LogicalId>-\${EnvironmentSuffix}"}\` (or the environment the template uses, see below) |
| \`Environment\` | \`{"Ref": "EnvironmentSuffix"}\` (idem) |
| \`Project\` | the project name (see below) |

- The tag property and its shape come from the spec: a list of \`{Key, Value}\` for most types,
  an object of key -> value for the map-tagged ones (\`AWS::SSM::Parameter\`, \`AWS::EKS::Nodegroup\`,
  Glue, Batch, ...), \`PropagateAtLaunch\` entries for \`AWS::AutoScaling::AutoScalingGroup\`, and
  the odd names some types use (\`HostedZoneTags\`, \`FileSystemTags\`, \`UserPoolTags\`...).
- Auto Scaling groups propagate the tags to their instances (\`PropagateAtLaunch: true\`), except a
  key the group's launch template already sets on instances in \`TagSpecifications\`: a propagated
  group tag would override it, so that key gets \`PropagateAtLaunch: false\`.
- Existing tags are kept as they are; only missing keys are appended. A key counts as present
  when it matches ignoring case (IAM and other services reject two keys that differ only in
  case). A key written as an intrinsic counts when it could resolve to the key (an \`Fn::Sub\` whose
  literal parts match, a \`Ref\`, an \`Fn::If\` entry...): the resource is then reported, not guessed at;
  \`kubernetes.io/cluster/\${Cluster}\` style keys cannot be \`Name\` and do not get in the way.
- The environment: what the template's existing \`Environment\` tags already say, the value most
  of them use (resource tags and the instance tags of launch templates): a String parameter they
  refer to, or a literal such as \`Production\`, which then gives \`Environment: Production\` and
  \`Name: <LogicalId>-Production\`; else an existing String parameter that holds the environment
  (\`EnvironmentSuffix\`, \`Environment\`, \`EnvironmentName\`, \`Env\`, \`Stage\`, ... in that order,
  then a prefixed name such as \`AppEnvironment\`); otherwise the shared \`EnvironmentSuffix\`
  parameter (Default \`dev\`, chosen at deploy time) is added, as a separate finding so that the tag
  fixes stay independent of each other.
- \`Project\`: the \`project\` option (set it once in \`tapfix.config.json\`); else the value most of
  the template's existing \`Project\` tags use (a literal, or a \`Ref\` to a parameter), so new tags
  match the old ones; else \`{"Ref": <P>}\` when the template declares a String parameter
  \`ProjectName\` / \`Project\` / \`ApplicationName\` / \`AppName\` (or a prefixed \`...ProjectName\`);
  else the name of the repository the file is in, as the CLI finds it: the nearest
  \`package.json\` \`name\` (without its npm scope) up to the repository root, else the repository
  name in the git remote's URL (\`origin\`, else the first remote). A file or folder name is never
  used: it names the file, not the project. When nothing names the project, the \`Project\` tag is
  not added and one finding without a fix says which resources lack it and how to name the
  project. The catalogue's ideal hard-codes \`SecureProductionEnvironment\`; its golden sets it
  with the \`project\` option.
- Resources added by other transforms (log groups, alarms, keys...) are tagged in a later pass.

Reported without a fix: a tag property that is an intrinsic (\`Fn::If\`...) or not the shape the
spec says, a list entry that is itself an intrinsic and might be one of the keys, and a resource
that would exceed AWS's 50-tag limit.

Not tagged:
- \`Custom::\` resources and types the spec does not know;
- types whose tags cfn-lint, which most teams run in CI, does not accept yet: CloudFormation made
  some types taggable only recently (\`AWS::ElasticLoadBalancingV2::Listener\` and \`ListenerRule\`
  in July 2026; the spec records no date for the others) and rolls a new schema out region by
  region. Until cfn-lint ships it, a tag property there fails the lint gate (E3002 "'Tags' was
  unexpected"), and in a region whose schema lacks it the deploy fails. So a type is tagged only
  where cfn-lint accepts its tags both in its default region, where a lint gate checks every
  template unless told otherwise, and in the target region (in every region when the target is
  unknown). The facts are \`data/cfn-lint-tags.json\`, made by \`npm run gen:spec\` from cfn-lint's
  own schemas. A resource that already has the tag property is completed. The option
  \`tagRecentlyTaggableTypes\` tags these types anyway.
${lintRejectionList()}
- SAM \`AWS::Serverless::*\` resources: SAM merges \`Globals\` tags, adds its own \`lambda:createdBy\`
  tag and the spec marks their \`Tags\` as replacing, so tagging is left to the author there;
- \`AWS::EC2::LaunchTemplate\`: the spec does not mark it taggable (its tags live in
  \`TagSpecifications\` and \`LaunchTemplateData.TagSpecifications\`, and changing the latter creates
  a new template version that Auto Scaling groups may roll out);
- the \`Name\` tag of \`AWS::CloudFormation::Stack\` and Service Catalog provisioned products: their
  tags propagate to every resource they create, which would all be named after the stack.

## Fix safety
Safe: tag updates are in-place for almost every type. For the types whose tag property the spec
marks as replacing the resource on update (e.g. \`AWS::EC2::PlacementGroup\`,
\`AWS::AppRunner::Service\`, Batch compute environments and job queues), the fix is marked unsafe
and only applied with \`--unsafe\`.

Never applied, \`--unsafe\` or not, and reported with the reason instead: that fix on a resource the
template gives a custom name (\`KeyName\` of every \`AWS::EC2::KeyPair\`, \`JobQueueName\`,
\`ComputeEnvironmentName\`, the \`Name\` of an OpenSearch Serverless collection...). CloudFormation
creates the replacement before it deletes the original, and both cannot hold the name, so the
next stack update fails; a replaced key pair would also hold a new key. Which property names a
type comes from the spec (its \`<Type>Name\` or \`Name\` property, or an identifier the author
chooses; see \`scripts/gen-spec-lib.mjs\`).

## Options
- \`keys\` (default \`["Name", "Environment", "Project"]\`): which built-in tags to apply.
- \`tags\`: an object of tag key -> value that overrides a built-in value or adds more tags, e.g.
  \`{"Owner": "platform-team", "Name": {"Fn::Sub": "{LogicalId}-\${AWS::StackName}"}}\`; \`{LogicalId}\` in
  any string is replaced by the resource's logical id.
- \`project\`: the literal value of the \`Project\` tag.
- \`environmentParameter\`: the parameter to use for \`Environment\` and \`Name\` instead of the
  detected one.
- \`tagRecentlyTaggableTypes\` (default \`false\`): \`true\` also tags the types cfn-lint does not
  accept tags on yet (see above), for teams whose linter and regions have caught up; a list such
  as \`["AWS::ElasticLoadBalancingV2::Listener"]\` tags only those.
`,
  },
  check({ template, options, region, project: repositoryProject }) {
    const findings: Finding[] = [];
    const fixer = new Fixer(template);
    const recentlyTaggable = options.tagRecentlyTaggableTypes;
    const optedIn = (type: string) => recentlyTaggable === true || (Array.isArray(recentlyTaggable) && recentlyTaggable.includes(type));
    const keys = Array.isArray(options.keys) ? options.keys.filter((k): k is string => typeof k === 'string') : [...BUILT_IN_KEYS];
    const overrides = asObject(options.tags) ?? {};

    // The environment: the option, what the template's Environment tags already say (a parameter
    // or a literal), an environment parameter, or EnvironmentSuffix (added below).
    const asked = typeof options.environmentParameter === 'string' && options.environmentParameter !== '' ? options.environmentParameter : undefined;
    const tagged = asked === undefined ? taggedEnvironment(template) : undefined;
    const literalEnvironment = tagged?.literal;
    const environment = asked ?? tagged?.parameter ?? (literalEnvironment === undefined ? findEnvironmentParameter(template) : undefined) ?? ENVIRONMENT_SUFFIX_PARAMETER_NAME;
    const environmentMissing = literalEnvironment === undefined && !hasOwn(asObject(template.Parameters), environment);
    if (environmentMissing && environment !== ENVIRONMENT_SUFFIX_PARAMETER_NAME) {
      return [
        {
          pointer: '',
          message: `standard-tags: option environmentParameter names ${environment}, which is not a parameter of this template`,
          messageId: 'unknownEnvironmentParameter',
        },
      ];
    }

    // The project: the option, the template's Project tags, a project parameter, the repository's
    // name; never a file name. Without any of them the Project tag is reported, not invented.
    const projectParameter = findProjectParameter(template);
    const project: JsonValue | undefined =
      typeof options.project === 'string' && options.project !== ''
        ? options.project
        : (taggedProject(template) ?? (projectParameter ? { Ref: projectParameter } : repositoryProject));
    const lackingProject: string[] = [];

    const builtInUsesEnvironment = new Map<string, boolean>();
    const desiredFor = (id: string, type: string): Desired[] => {
      const out: Desired[] = [];
      const builtIn: Record<string, JsonValue> = {
        Name: literalEnvironment !== undefined ? `${id}-${literalEnvironment}` : { 'Fn::Sub': `${id}-\${${environment}}` },
        Environment: literalEnvironment ?? { Ref: environment },
        ...(project !== undefined ? { Project: project } : {}),
      };
      const usesEnvironment = (value: JsonValue) => literalEnvironment === undefined && mentions(value, environment);
      // Whether a built-in value uses the environment does not depend on the resource: asked once per key.
      const builtInUses = (key: string): boolean => {
        let uses = builtInUsesEnvironment.get(key);
        if (uses === undefined) builtInUsesEnvironment.set(key, (uses = usesEnvironment(builtIn[key]!)));
        return uses;
      };
      const wanted = [...keys, ...Object.keys(overrides).filter((k) => !keys.includes(k))];
      for (const key of wanted) {
        if (key === 'Name' && PROPAGATING_TYPES.has(type)) continue;
        if (out.some((d) => d.key.toLowerCase() === key.toLowerCase())) continue;
        if (hasOwn(overrides, key)) {
          const value = instantiate(overrides[key]!, id);
          out.push({ key, value, usesEnvironment: usesEnvironment(value) });
        } else if (hasOwn(builtIn, key)) {
          out.push({ key, value: builtIn[key]!, usesEnvironment: builtInUses(key) });
        }
      }
      return out;
    };
    const projectWanted = project === undefined && keys.includes('Project') && !hasOwn(overrides, 'Project');

    const needingEnvironment = new Set<Finding>();
    let anySafeNeedsEnvironment = false;
    for (const view of resources(template)) {
      const { id, type } = view;
      if (type === '' || type.startsWith('Custom::') || type.startsWith('AWS::Serverless::')) continue;
      const info = tagInfo(type);
      if (!info) continue;
      // Computed Properties (an Fn::If at the top) are not edited.
      if (!view.properties && view.resource.Properties !== undefined) continue;
      const rejection = tagLintRejection(type, region);
      if (rejection === 'shape') continue;
      // Tags the author already wrote show the stack targets a CloudFormation that takes them.
      if (rejection === 'absent' && !optedIn(type) && property(view, info.property) === undefined) continue;
      if (projectWanted && tagKeyStatus(property(view, info.property)?.value, info.variant, 'Project') === 'no') lackingProject.push(id);
      const desired = desiredFor(id, type);
      if (desired.length === 0) continue;
      const result = tagResource(fixer, view, info, desired);
      if (!result) continue;
      const { missing, problem, at } = result;
      const where = `${id} (${type})`;
      const list = missing.map((d) => d.key).join(', ');
      if (problem) {
        findings.push({ pointer: at, message: `${where}: ${problem}; make sure it carries the standard tags ${list}`, messageId: 'tagsNotWritable' });
        continue;
      }
      const lacks = `${where} lacks the tag${missing.length > 1 ? 's' : ''} ${list}`;
      if (info.replaces) fixer.unsafe();
      const fix = fixer.take();
      const refusal = replacementRefusal(template, fix.ops);
      if (refusal) {
        findings.push({ pointer: at, message: `${lacks}; not fixed: ${refusal}`, messageId: 'missingTagsNotReplaceable' });
        continue;
      }
      const finding: Finding = {
        pointer: at,
        message: lacks + (info.replaces ? `; updating ${info.property} replaces this resource type` : ''),
        messageId: 'missingTags',
        fix,
      };
      findings.push(finding);
      if (missing.some((d) => d.usesEnvironment)) {
        needingEnvironment.add(finding);
        if (!info.replaces) anySafeNeedsEnvironment = true;
      }
    }

    // The environment parameter is a finding of its own, so that every tag fix stays valid when
    // another one is suppressed or held back as unsafe. It is safe when one fix needing it is.
    if (needingEnvironment.size > 0 && environmentMissing) {
      try {
        fixer.ensureParameter(ENVIRONMENT_SUFFIX_PARAMETER_NAME, ENVIRONMENT_SUFFIX_PARAMETER);
      } catch {
        // A resource already has the logical id EnvironmentSuffix: the tag values cannot refer to it.
        return [
          ...findings.filter((f) => !needingEnvironment.has(f)),
          {
            pointer: pointer('Resources', ENVIRONMENT_SUFFIX_PARAMETER_NAME),
            message: `Cannot add parameter ${ENVIRONMENT_SUFFIX_PARAMETER_NAME} for the standard tags: a resource uses that logical id`,
            messageId: 'environmentParameterTaken',
          },
        ];
      }
      if (!anySafeNeedsEnvironment) fixer.unsafe();
      findings.unshift({
        pointer: template.Parameters !== undefined ? pointer('Parameters') : '',
        message: `The standard tags refer to the environment; adding parameter ${ENVIRONMENT_SUFFIX_PARAMETER_NAME}`,
        messageId: 'addEnvironmentParameter',
        fix: fixer.take(),
      });
    }
    if (lackingProject.length > 0) {
      const [first] = lackingProject;
      findings.push({
        pointer: pointer('Resources', first!),
        message:
          `${lackingProject.length === 1 ? `${first} lacks` : `${lackingProject.length} resources (first ${first}) lack`} the tag Project, ` +
          'and nothing says the project\'s name: set the standard-tags option "project" in tapfix.config.json, declare a ProjectName ' +
          'parameter, or run tapfix inside a repository whose package.json or git remote names it',
        messageId: 'projectUnknown',
      });
    }
    return findings;
  },
});

/**
 * Every value the template gives tag `key` (case-insensitive): in resources' tag properties, list
 * or map, and in the instance and volume tags of launch templates (`TagSpecifications`).
 */
function existingTagValues(template: Template, key: string): JsonValue[] {
  const out: JsonValue[] = [];
  const wanted = key.toLowerCase();
  const fromList = (tags: JsonValue | undefined) => {
    if (!Array.isArray(tags)) return;
    for (const tag of tags) {
      const o = asObject(tag);
      if (o && typeof o['Key'] === 'string' && o['Key'].toLowerCase() === wanted && o['Value'] !== undefined) out.push(o['Value']);
    }
  };
  for (const view of resources(template)) {
    if (view.type === '') continue;
    const tags = property(view, tagInfo(view.type)?.property ?? 'Tags')?.value;
    if (Array.isArray(tags)) fromList(tags);
    else if (asObject(tags) && !isIntrinsic(tags)) {
      for (const [k, v] of Object.entries(asObject(tags)!)) if (k.toLowerCase() === wanted) out.push(v);
    }
    const specs = property(view, 'LaunchTemplateData', 'TagSpecifications')?.value ?? property(view, 'TagSpecifications')?.value;
    if (Array.isArray(specs)) for (const spec of specs) fromList(asObject(spec)?.['Tags']);
  }
  return out;
}

/**
 * Whether a tag property value (of a type whose tags take the shape `variant`) holds `key`,
 * compared ignoring case (see keyMatch): 'maybe' when an intrinsic or an entry tapfix cannot read
 * may hold it, or when the value is not the shape the type expects.
 */
function tagKeyStatus(tags: JsonValue | undefined, variant: TagInfo['variant'], key: string): 'yes' | 'no' | 'maybe' {
  if (tags === undefined) return 'no';
  if (isIntrinsic(tags)) return 'maybe';
  if (variant === 'map') {
    const map = asObject(tags);
    if (!map) return 'maybe';
    return Object.keys(map).some((k) => k.toLowerCase() === key.toLowerCase()) ? 'yes' : 'no';
  }
  if (!Array.isArray(tags)) return 'maybe';
  let result: 'no' | 'maybe' = 'no';
  for (const element of tags) {
    const obj = asObject(element);
    const match = !obj || isIntrinsic(obj) || !('Key' in obj) ? 'maybe' : keyMatch(obj['Key'], key);
    if (match === 'yes') return 'yes';
    if (match === 'maybe') result = 'maybe';
  }
  return result;
}

/** The most common of `values` (by JSON text); ties go to the first seen. */
function mostCommon(values: JsonValue[]): JsonValue | undefined {
  const counts = new Map<string, { value: JsonValue; n: number }>();
  for (const v of values) {
    const k = JSON.stringify(v);
    const entry = counts.get(k) ?? { value: v, n: 0 };
    entry.n++;
    counts.set(k, entry);
  }
  let best: { value: JsonValue; n: number } | undefined;
  for (const e of counts.values()) if (!best || e.n > best.n) best = e;
  return best?.value;
}

/**
 * What the template's existing `Environment` tags say, when they say it one way most: a String
 * parameter they refer to, or a literal such as `Production`.
 */
function taggedEnvironment(template: Template): { parameter?: string; literal?: string } | undefined {
  const usable = existingTagValues(template, 'Environment').flatMap((v): JsonObject[] => {
    if (typeof v === 'string') return v.trim() !== '' ? [{ literal: v }] : [];
    const target = targetOfValue(template, v);
    return target.kind === 'parameter' && parameter(template, target.id)?.['Type'] === 'String' ? [{ parameter: target.id }] : [];
  });
  return mostCommon(usable) as { parameter?: string; literal?: string } | undefined;
}

/** The value the template's existing `Project` tags use most (a literal or a Ref to a parameter), if any. */
function taggedProject(template: Template): JsonValue | undefined {
  const usable = existingTagValues(template, 'Project').filter((v) => (typeof v === 'string' ? v !== '' : targetOfValue(template, v).kind === 'parameter'));
  return mostCommon(usable);
}

/** Whether an option value refers to the environment parameter (Ref or Sub variable). */
function mentions(value: JsonValue, parameter: string): boolean {
  const text = JSON.stringify(value);
  return text.includes(`{"Ref":${JSON.stringify(parameter)}}`) || text.includes('${' + parameter + '}');
}

interface TagResult {
  missing: Desired[];
  /** Why the tags cannot be added; when undefined, the fixer holds the fix. */
  problem?: string;
  at: string;
}

/**
 * Adds the missing tags of one resource to `fixer`, or says why they cannot be added; undefined
 * when nothing is missing.
 */
function tagResource(fixer: Fixer, view: ResourceView, info: TagInfo, desired: Desired[]): TagResult | undefined {
  const { id, type } = view;
  const written = property(view, info.property);
  const tagsPointer = pointer('Resources', id, 'Properties', info.property);
  const tags = written?.value;
  const instanceKeys = info.variant === 'asg' ? launchTemplateInstanceTagKeys(fixer.template, view) : new Set<string>();
  // An Auto Scaling group's propagated tag overrides the instance tag of the same key its
  // launch template sets: keep the launch template's value on the instances.
  const entry = (d: Desired): JsonValue =>
    info.variant === 'asg'
      ? { Key: d.key, Value: d.value, PropagateAtLaunch: !instanceKeys.has(d.key.toLowerCase()) }
      : { Key: d.key, Value: d.value };

  if (tags === undefined) {
    fixer.setProperty(id, [info.property], info.variant === 'map' ? Object.fromEntries(desired.map((d) => [d.key, d.value])) : desired.map(entry));
    return { missing: desired, at: view.pointer };
  }

  if (isIntrinsic(tags)) {
    const missing = desired; // cannot tell which are present
    return { missing, problem: `${info.property} is computed by ${Object.keys(tags)[0]}, so tapfix cannot add tags to it`, at: tagsPointer };
  }

  if (info.variant === 'map') {
    const map = asObject(tags);
    if (!map) return { missing: desired, problem: `${info.property} is not an object of key -> value as ${type} expects`, at: tagsPointer };
    const missing = desired.filter((d) => tagKeyStatus(map, 'map', d.key) !== 'yes');
    if (missing.length === 0) return undefined;
    if (Object.keys(map).length + missing.length > MAX_TAGS) {
      return { missing, problem: `adding tags would exceed the limit of ${MAX_TAGS} tags per resource`, at: tagsPointer };
    }
    for (const d of missing) fixer.set(`${tagsPointer}${pointer(d.key)}`, d.value);
    return { missing, at: tagsPointer };
  }

  if (!Array.isArray(tags)) {
    return { missing: desired, problem: `${info.property} is not a list of {Key, Value} as ${type} expects`, at: tagsPointer };
  }
  // Entries tapfix cannot read (intrinsics, odd shapes) might hold any key.
  const status = (d: Desired) => tagKeyStatus(tags, info.variant, d.key);
  const missing = desired.filter((d) => status(d) !== 'yes');
  if (missing.length === 0) return undefined;
  const unsure = missing.filter((d) => status(d) === 'maybe');
  if (unsure.length > 0) {
    return {
      missing,
      problem: `${info.property} has entries computed by intrinsics that may already hold ${unsure.map((d) => d.key).join(', ')}, so tapfix leaves it alone`,
      at: tagsPointer,
    };
  }
  if (tags.length + missing.length > MAX_TAGS) {
    return { missing, problem: `adding tags would exceed the limit of ${MAX_TAGS} tags per resource`, at: tagsPointer };
  }
  for (const d of missing) fixer.append(tagsPointer, entry(d));
  return { missing, at: tagsPointer };
}

/** Lower-cased keys of the instance tags set by the launch template (in this template) an Auto Scaling group launches from. */
function launchTemplateInstanceTagKeys(template: Template, asg: ResourceView): Set<string> {
  const keys = new Set<string>();
  const spec = asObject(property(asg, 'LaunchTemplate')?.value) ?? asObject(property(asg, 'MixedInstancesPolicy', 'LaunchTemplate', 'LaunchTemplateSpecification')?.value);
  if (!spec) return keys;
  const id = targetOf(spec['LaunchTemplateId']) ?? targetOf(spec['LaunchTemplateName']);
  const lt = id !== undefined ? resource(template, id) : undefined;
  if (!lt || lt.type !== 'AWS::EC2::LaunchTemplate') return keys;
  const specs = property(lt, 'LaunchTemplateData', 'TagSpecifications')?.value;
  if (!Array.isArray(specs)) return keys;
  for (const ts of specs) {
    const o = asObject(ts);
    if (!o || o['ResourceType'] !== 'instance' || !Array.isArray(o['Tags'])) continue;
    for (const tag of o['Tags']) {
      const key = asObject(tag)?.['Key'];
      if (typeof key === 'string') keys.add(key.toLowerCase());
    }
  }
  return keys;
}
