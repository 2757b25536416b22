import { defineTransform } from '../src/transform.js';
import { pointer } from '../src/cfn/pointer.js';
import { isIntrinsic } from '../src/cfn/template.js';
import {
  asObject,
  CATEGORY_LABEL,
  CATEGORY_LABEL_PATTERN,
  CATEGORY_ORDER,
  classifyParameter,
  parameterLabel,
  type ParameterCategory,
} from '../src/cfn/parameters.js';
import type { Finding, JsonObject, JsonValue, Operation, Template } from '../src/types.js';

const INTERFACE = 'AWS::CloudFormation::Interface';

interface ExistingGroup {
  index: number;
  label: string | undefined;
  /** Parameter names listed, undefined when `Parameters` is missing. */
  parameters: string[] | undefined;
  /** False when the group cannot take more parameters (Parameters not a list, group not an object). */
  usable: boolean;
}

function labelText(group: JsonObject): string | undefined {
  const label = group['Label'];
  if (typeof label === 'string') return label;
  const text = asObject(label)?.['default'];
  return typeof text === 'string' ? text : undefined;
}

function readGroups(list: JsonValue[]): ExistingGroup[] {
  return list.map((g, index) => {
    const group = asObject(g);
    if (!group || isIntrinsic(group)) return { index, label: undefined, parameters: [], usable: false };
    const params = group['Parameters'] as JsonValue | undefined;
    if (params === undefined) return { index, label: labelText(group), parameters: undefined, usable: true };
    if (!Array.isArray(params)) return { index, label: labelText(group), parameters: [], usable: false };
    return { index, label: labelText(group), parameters: params.filter((p): p is string => typeof p === 'string'), usable: true };
  });
}

/** The existing group a category's parameters belong in: exact label, then a label naming the category, then a group whose members all have that category. */
function groupFor(t: Template, category: ParameterCategory, groups: ExistingGroup[]): ExistingGroup | undefined {
  const usable = groups.filter((g) => g.usable);
  const exact = usable.find((g) => g.label?.trim().toLowerCase() === CATEGORY_LABEL[category].toLowerCase());
  if (exact) return exact;
  const named = usable.find((g) => g.label !== undefined && CATEGORY_LABEL_PATTERN[category].test(g.label));
  if (named) return named;
  return usable.find((g) => g.parameters !== undefined && g.parameters.length > 0 && g.parameters.every((p) => classifyParameter(t, p) === category));
}

function newGroups(t: Template, names: string[]): JsonObject[] {
  const byCategory = new Map<ParameterCategory, string[]>();
  for (const name of names) {
    const c = classifyParameter(t, name);
    let list = byCategory.get(c);
    if (!list) byCategory.set(c, (list = []));
    list.push(name);
  }
  return CATEGORY_ORDER.filter((c) => byCategory.has(c)).map((c) => ({ Label: { default: CATEGORY_LABEL[c] }, Parameters: byCategory.get(c)! }));
}

function labels(names: string[]): JsonObject {
  return Object.fromEntries(names.map((n) => [n, { default: parameterLabel(n) }]));
}

export default defineTransform({
  meta: {
    id: 'parameter-groups',
    title: 'Group and label parameters for the CloudFormation console',
    severity: 'medium',
    safety: 'safe',
    seeds: ['000#2', '001#2'],
    equivalents: [],
    order: 95,
    defaultOptions: {},
    docs: `## Why
Without \`AWS::CloudFormation::Interface\` metadata the console lists parameters alphabetically under
their raw names, mixing the environment suffix with CIDR blocks and database sizes. Grouped,
labelled parameters make a stack launchable by someone who did not write it, and cut deployment
mistakes.

## Fix
Adds (or completes) \`Metadata\` -> \`AWS::CloudFormation::Interface\` with:
- \`ParameterGroups\`: each parameter goes to one group, by its name first (environment, suffix,
  project, owner and cost-center parameters go to Environment; \`...Cidr\`, \`Vpc...\`, \`Subnet...\`
  to Network; \`DB...\` to Database; \`Lambda...\`, \`...Runtime\` to Lambda; \`...Log...\` to Logging;
  \`...InstanceType\`, \`...Ami...\`, \`KeyName\` to Compute; ...), then its declared type
  (\`AWS::EC2::Subnet::Id\`, \`AWS::EC2::KeyPair::KeyName\`...), then where it is used (a parameter
  given to a VPC or subnet \`CidrBlock\` is Network, to an instance's \`InstanceType\`/\`ImageId\`/\`KeyName\`
  Compute, to RDS Database, to Lambda Lambda, to a log group's \`RetentionInDays\` Logging, ...).
  Groups, in this order, when they have parameters: Environment, Network, Security, Compute,
  Lambda, API, Database, Storage, Monitoring, Logging, Other — each labelled
  \`{"default": "<Name> Configuration"}\` (\`Other Parameters\` for the rest). The catalogue's ideal
  labels groups after services ("EC2 Configuration", "RDS Configuration"); tapfix uses layer
  names so that one label holds EC2, ECS and Auto Scaling settings alike.
- \`ParameterLabels\`: a readable label per parameter, from its name split into words with known
  acronyms in capitals: \`VpcCidr\` -> "VPC CIDR", \`LatestAmiId\` -> "Latest AMI ID",
  \`DBInstanceClass\` -> "DB Instance Class", \`AllowedSSHIP\` -> "Allowed SSH IP".

An existing interface is completed, never reordered or relabelled: a parameter missing from the
groups is appended to the existing group that fits it (its label is the one tapfix would use,
or names the category, e.g. "VPC Settings" for Network; or all its members are of the same
category), else to a new group appended after the existing ones; missing labels are added,
existing ones kept. Parameters other transforms add (EnvironmentSuffix, LogRetentionInDays,
extracted CIDRs and instance types...) are grouped in the same or a later pass.

Reported without a fix: a parameter listed in two groups (the console shows it twice; which group
is meant is the author's call), a group listing a parameter the template does not declare, and
an interface, \`ParameterGroups\` or \`Metadata\` that is not the expected shape.

## Fix safety
Safe: the interface metadata only affects how the console shows the parameters.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const parameters = asObject(template.Parameters);
    if (!parameters) return findings;
    const names = Object.keys(parameters);
    if (names.length === 0) return findings;

    const metadata = template.Metadata;
    if (metadata !== undefined && (!asObject(metadata) || isIntrinsic(metadata))) {
      return [{ pointer: pointer('Metadata'), message: 'Metadata is not an object; cannot add parameter groups' }];
    }
    const iface = asObject(metadata)?.[INTERFACE];
    const ifacePointer = pointer('Metadata', INTERFACE);

    if (iface === undefined) {
      const value: JsonObject = { ParameterGroups: newGroups(template, names), ParameterLabels: labels(names) };
      const ops: Operation[] = metadata
        ? [{ op: 'add', path: ifacePointer, value }]
        : [{ op: 'add', path: pointer('Metadata'), value: { [INTERFACE]: value } }];
      findings.push({
        pointer: metadata ? pointer('Metadata') : pointer('Parameters'),
        message: `The ${names.length} parameter${names.length > 1 ? 's are' : ' is'} not grouped or labelled for the console (no ${INTERFACE} metadata)`,
        fix: { ops },
      });
      return findings;
    }
    const ifaceObject = asObject(iface);
    if (!ifaceObject || isIntrinsic(iface)) {
      return [{ pointer: ifacePointer, message: `${INTERFACE} is not an object; cannot complete its parameter groups` }];
    }

    const ops: Operation[] = [];
    const ungrouped: string[] = [];
    const unlabelled: string[] = [];

    // Groups
    const groupsPointer = `${ifacePointer}/ParameterGroups`;
    const rawGroups = ifaceObject['ParameterGroups'];
    if (rawGroups === undefined) {
      ops.push({ op: 'add', path: groupsPointer, value: newGroups(template, names) });
      ungrouped.push(...names);
    } else if (!Array.isArray(rawGroups)) {
      findings.push({ pointer: groupsPointer, message: 'ParameterGroups is not a list; cannot add the ungrouped parameters' });
    } else {
      const groups = readGroups(rawGroups);
      const seen = new Map<string, number[]>();
      for (const g of groups) for (const p of g.parameters ?? []) seen.set(p, [...(seen.get(p) ?? []), g.index]);
      for (const [p, where] of seen) {
        if (where.length > 1) {
          findings.push({
            pointer: `${groupsPointer}/${where[1]}`,
            message: `Parameter ${p} is listed ${where.length} times in ParameterGroups (groups ${where.map((i) => i + 1).join(', ')}); keep it in one`,
          });
        }
        if (!Object.prototype.hasOwnProperty.call(parameters, p)) {
          findings.push({ pointer: `${groupsPointer}/${where[0]}`, message: `ParameterGroups lists ${p}, which is not a parameter of this template` });
        }
      }
      const missing = names.filter((n) => !seen.has(n));
      const additions = new Map<number, string[]>(); // existing group index -> names
      const fresh = new Map<ParameterCategory, string[]>();
      for (const name of missing) {
        const category = classifyParameter(template, name);
        const group = groupFor(template, category, groups);
        if (group) additions.set(group.index, [...(additions.get(group.index) ?? []), name]);
        else fresh.set(category, [...(fresh.get(category) ?? []), name]);
      }
      for (const [index, list] of [...additions].sort((a, b) => a[0] - b[0])) {
        const group = groups[index]!;
        const at = `${groupsPointer}/${index}/Parameters`;
        if (group.parameters === undefined) ops.push({ op: 'add', path: at, value: list });
        else for (const name of list) ops.push({ op: 'add', path: `${at}/-`, value: name });
      }
      for (const category of CATEGORY_ORDER) {
        const list = fresh.get(category);
        if (list) ops.push({ op: 'add', path: `${groupsPointer}/-`, value: { Label: { default: CATEGORY_LABEL[category] }, Parameters: list } });
      }
      ungrouped.push(...missing);
    }

    // Labels
    const labelsPointer = `${ifacePointer}/ParameterLabels`;
    const rawLabels = ifaceObject['ParameterLabels'];
    if (rawLabels === undefined) {
      ops.push({ op: 'add', path: labelsPointer, value: labels(names) });
      unlabelled.push(...names);
    } else if (asObject(rawLabels) && !isIntrinsic(rawLabels)) {
      for (const name of names) {
        if (Object.prototype.hasOwnProperty.call(rawLabels, name)) continue;
        ops.push({ op: 'add', path: `${labelsPointer}${pointer(name)}`, value: { default: parameterLabel(name) } });
        unlabelled.push(name);
      }
    }

    if (ops.length > 0) {
      const parts: string[] = [];
      if (ungrouped.length) parts.push(`not in any parameter group: ${ungrouped.join(', ')}`);
      if (unlabelled.length) parts.push(`without a label: ${unlabelled.join(', ')}`);
      findings.unshift({ pointer: ifacePointer, message: `Parameters ${parts.join('; ')}`, fix: { ops } });
    }
    return findings;
  },
});
