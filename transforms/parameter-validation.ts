import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import {
  isEnvironmentParameterName,
  nameWords,
  parameterEntries,
  parameterUsages,
  usageProperty,
  type ParameterUsage,
} from '../src/cfn/parameters.js';
import { pointer } from '../src/cfn/pointer.js';
import { property, resources } from '../src/cfn/query.js';
import { CLOUDWATCH_LOG_RETENTION_DAYS } from '../src/cfn/logs.js';
import { firstUnusedName, namesInLowerCase } from '../src/cfn/naming.js';
import type { Finding, Fix, JsonObject, JsonValue, Template } from '../src/types.js';

interface ParameterValidationOptions extends Record<string, unknown> {
  /** Turn literal VPC/subnet CIDRs, instance types and DB instance classes into parameters. */
  extractLiterals?: boolean;
}

/** Properties whose value is one IPv4 CIDR block. */
const CIDR_PROPERTIES = new Set(['CidrBlock', 'CidrIp', 'DestinationCidrBlock', 'SourceCidrBlock']);

/**
 * Lambda limits (AWS::Lambda::Function in the CloudFormation resource spec: MemorySize minimum
 * 128, maximum 10240; Timeout minimum 1; Lambda quotas: "Function timeout 900 seconds (15
 * minutes)", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
const LAMBDA_BOUNDS: Record<string, { min: number; max: number; what: string }> = {
  MemorySize: { min: 128, max: 10240, what: 'Lambda memory size (MB)' },
  Timeout: { min: 1, max: 900, what: 'Lambda timeout (seconds)' },
};
const LAMBDA_TYPES = new Set(['AWS::Lambda::Function', 'AWS::Serverless::Function']);

const IPV4_ISH = /^\s*\d{1,3}(\.\d{1,3}){3}(\/\d+)?\s*$/;

function numberOf(v: JsonValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Validation patterns (CloudFormation evaluates AllowedPattern as a Java regular expression over
// the whole value; these use only syntax that means the same in Java and JavaScript).

/** One IPv4 octet 0-255 without leading zeros. */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';

/** An IPv4 CIDR block `a.b.c.d/n`, n from 0 to 32. */
const IPV4_CIDR_PATTERN = `^(${OCTET}\\.){3}${OCTET}/(3[0-2]|[12]?[0-9])$`;
const IPV4_CIDR_CONSTRAINT = 'Must be a valid IPv4 CIDR block in the form x.x.x.x/n, with n from 0 to 32.';

/** EC2 instance types: family (letters, digits, `-flex`...) dot size: `t3.micro`, `m7i-flex.large`, `u-6tb1.metal`. */
const INSTANCE_TYPE_PATTERN = '^[a-z][a-z0-9-]*\\.[a-z0-9]+$';
const INSTANCE_TYPE_CONSTRAINT = 'Must be an EC2 instance type such as t3.micro.';

/** RDS DB instance classes: `db.t3.micro`, `db.serverless`, `db.r5.large.tpc2.mem4x`. */
const DB_INSTANCE_CLASS_PATTERN = '^db\\.[a-z0-9-]+(\\.[a-z0-9-]+)*$';
const DB_INSTANCE_CLASS_CONSTRAINT = 'Must be an RDS DB instance class such as db.t3.micro.';

/** Environment names and suffixes: letters, digits and hyphens (same as the shared EnvironmentSuffix). */
const ENVIRONMENT_PATTERN = '^[a-zA-Z0-9-]+$';
const ENVIRONMENT_CONSTRAINT = 'Must contain only alphanumeric characters and hyphens.';
/** For a value that ends up in S3 bucket names, which must be lower case. */
const LOWERCASE_ENVIRONMENT_PATTERN = '^[a-z0-9-]+$';
const LOWERCASE_ENVIRONMENT_CONSTRAINT = 'Must contain only lowercase letters, digits and hyphens (it is used in S3 bucket names).';

/** Whether `value` matches a CloudFormation AllowedPattern written with the syntax above. */
function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return false;
  }
}

function isIpv4Cidr(value: unknown): value is string {
  return typeof value === 'string' && matchesPattern(IPV4_CIDR_PATTERN, value);
}

/** Whether the usage passes through a function that takes the value apart (Fn::Split, Fn::Select, Fn::Cidr...). */
function usageTransformsValue(u: ParameterUsage): boolean {
  return u.path.some((s) => s === 'Fn::Split' || s === 'Fn::Select' || s === 'Fn::Cidr' || s === 'Fn::Join' || s === 'Fn::Sub' || s === 'Fn::Base64') || !u.direct;
}

/**
 * `base`, else `base2`, `base3`, ...: a name no parameter or resource uses (they share one
 * namespace; Outputs, Conditions and Mappings do not clash with parameters). Compared ignoring
 * case so the new name never differs from an existing one only in case. Adds the name to `taken`.
 */
function freshParameterName(t: Template, base: string, taken: Set<string>): string {
  const stem = base.replace(/[^A-Za-z0-9]/g, '') || 'Parameter';
  return firstUnusedName((n) => (n === 1 ? stem : `${stem}${n}`), namesInLowerCase(t, ['Parameters', 'Resources']), taken);
}

export default defineTransform<ParameterValidationOptions>({
  meta: {
    id: 'parameter-validation',
    title: 'Validate parameters and turn hard-coded network and sizing literals into validated parameters',
    severity: 'medium',
    safety: 'safe',
    seeds: ['001#6'],
    equivalents: [],
    order: 85,
    defaultOptions: { extractLiterals: true },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { extractLiterals: { type: 'boolean' } } },
    docs: `## Why
A parameter without constraints accepts anything: a mistyped CIDR (\`10.0.0.0/33\`, \`10.0.0/16\`)
or an environment name with a space is only rejected deep into the deployment, by the service,
after other resources were already created and must be rolled back. CloudFormation checks
\`AllowedPattern\` / \`AllowedValues\` / \`MinValue\` / \`MaxValue\` before it touches anything.
Likewise a VPC CIDR, an instance type or a DB instance class written as a literal cannot be
changed per deployment without editing the template.

## Fix
Existing parameters (only those without \`AllowedPattern\` and \`AllowedValues\`):
- **CIDR**: a \`String\` parameter whose name ends in \`Cidr\`/\`CIDR\`/\`CidrBlock\`, whose \`Default\` is an
  IPv4 CIDR block, or that is passed as is to \`CidrBlock\` / \`CidrIp\` / \`DestinationCidrBlock\`, gets
  an \`AllowedPattern\` that accepts exactly the IPv4 CIDR blocks (each octet 0-255 without
  leading zeros, prefix length 0-32) and a \`ConstraintDescription\`. The catalogue's ideal
  pins VPCs to \`10.x.x.x/16\` and subnets to \`/24\` with \`\\d{1,3}\` octets: that both rejects valid
  networks (\`172.31.0.0/16\`, a \`/20\` subnet) and accepts invalid ones (\`10.999.0.0/16\`), so tapfix
  uses the general pattern. A \`Default\` shaped like an address that is not a valid block (e.g.
  \`10.0.0.0/33\`) is reported.
- **Environment**: \`Environment\`, \`EnvironmentSuffix\`, \`EnvironmentName\`, \`Env\`, \`Stage\`, ...
  (String) get \`^[a-zA-Z0-9-]+$\` like the shared \`EnvironmentSuffix\` parameter, or
  \`^[a-z0-9-]+$\` when the value is used in an S3 \`BucketName\` (bucket names are lower case). The
  catalogue's ideal \`^[a-zA-Z0-9]+$\` would reject the \`dev-team1\` style suffixes it recommends.
- **Log retention**: a \`Number\` parameter passed to \`AWS::Logs::LogGroup\` \`RetentionInDays\` gets
  \`AllowedValues\` listing the retention periods CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ...,
  3653). A \`Default\` CloudWatch does not accept is reported: the stack cannot deploy with it.
- **Lambda sizing**: a \`Number\` parameter passed to a function's \`MemorySize\` gets \`MinValue\` 128 /
  \`MaxValue\` 10240, one passed to \`Timeout\` gets 1 / 900 (Lambda's limits).
- **Instance type / DB instance class**: a \`String\` parameter passed only to the instance-type
  properties listed below gets the same pattern as an extracted one.

Literals (option \`extractLiterals\`, on by default) become parameters whose \`Default\` is the
current value, so the deployed stack does not change:
- \`AWS::EC2::VPC\` \`CidrBlock\` -> \`VpcCidr\` (\`<LogicalId>Cidr\` when there are several VPCs),
  \`AWS::EC2::Subnet\` \`CidrBlock\` -> \`<LogicalId>Cidr\`, with the CIDR pattern. One parameter per
  network even when two VPCs in different environments happen to use the same block: they are
  separate decisions, and sharing one parameter would tie them together.
- \`InstanceType\` of \`AWS::EC2::Instance\`, \`AWS::AutoScaling::LaunchConfiguration\` and the
  \`LaunchTemplateData\` of \`AWS::EC2::LaunchTemplate\` -> one parameter per distinct value, shared
  by every resource using it: \`InstanceType\` for the value most resources use,
  \`<LogicalId>InstanceType\` for the others; with \`AllowedPattern\` \`^[a-z][a-z0-9-]*\\.[a-z0-9]+$\`.
- \`AWS::RDS::DBInstance\` \`DBInstanceClass\` -> \`DBInstanceClass\` (same rule), with
  \`^db\\.[a-z0-9-]+(\\.[a-z0-9-]+)*$\`.
Instance types and classes get a pattern, not \`AllowedValues\`: the list of types changes every
few months and differs per region, so a list would go stale and block valid choices, while the
pattern still stops typos such as \`t3micro\` or \`T3.Micro\`.

Names never clash with an existing parameter or resource (\`VpcCidr2\`...). When the template
already declares an unused parameter that is evidently meant for the literal (same \`Default\`, and
a matching name such as \`VpcCIDR\` for a VPC or \`PublicSubnet1CIDR\` for \`PublicSubnet1\`), the literal
is replaced by a reference to it instead, as an unsafe fix (see below).

Each pattern is checked against the parameter's own \`Default\` before it is added; patterns use
only syntax that means the same in CloudFormation's Java regular expressions and in JavaScript.

## Fix safety
Safe. Constraints are checked when a stack is created or updated: an update that passes a value
the new constraint rejects fails before any resource changes, with the constraint description.
New parameters default to the literal they replace, so the resources keep their values. Reusing
an existing parameter is unsafe: a deployed stack may have been given another value for it, and
the resource would then change (a VPC or subnet CIDR change replaces it).

## Options
- \`extractLiterals\` (default \`true\`): turn literal CIDRs, instance types and DB instance classes
  into parameters.
`,
  },
  check({ template, options }) {
    const fixer = new Fixer(template);
    const findings: Finding[] = [];
    const usages = parameterUsages(template);
    for (const [name, spec] of parameterEntries(template)) {
      const finding = validateParameter(fixer, name, spec, usages.get(name) ?? []);
      if (finding) findings.push(finding);
    }
    if (options.extractLiterals !== false) findings.push(...extractLiterals(fixer, template));
    return findings;
  },
});

// ---------------------------------------------------------------------------------------------
// Existing parameters

/** The fix that adds the constraints `add` to parameter `name`, keeping the ones it declares. */
function constrain(fixer: Fixer, name: string, spec: JsonObject, add: JsonObject): Fix {
  for (const [key, value] of Object.entries(add)) {
    if (spec[key] === undefined) fixer.set(pointer('Parameters', name, key), value);
  }
  return fixer.take();
}

function validateParameter(fixer: Fixer, name: string, spec: JsonObject, uses: ParameterUsage[]): Finding | undefined {
  const at = pointer('Parameters', name);
  const type = spec['Type'];
  const def = spec['Default'];
  if (spec['AllowedValues'] !== undefined) return undefined;

  if (type === 'String' && spec['AllowedPattern'] === undefined) {
    // CIDR
    const words = nameWords(name);
    const last = words[words.length - 1];
    const namedCidr = last === 'cidr' || (last === 'block' && words[words.length - 2] === 'cidr');
    const ipv6 = words.includes('ipv6') || (typeof def === 'string' && def.includes(':'));
    const cidrUse = (u: ParameterUsage) => {
      const inner = innermostIntrinsic(u);
      return (inner?.fn === 'Fn::Cidr' && inner.index === '0') || (!usageTransformsValue(u) && CIDR_PROPERTIES.has(usageProperty(u) ?? ''));
    };
    const fedToCidr = uses.length > 0 && uses.every(cidrUse);
    // A list of blocks taken apart with Fn::Split / Fn::Select is not one block.
    const splitSomewhere = uses.some((u) => {
      const inner = innermostIntrinsic(u);
      return inner?.fn === 'Fn::Split' || (inner?.fn === 'Fn::Select' && inner.index === '1') || inner?.fn === 'Fn::Join';
    });
    const defaultIsCidr = isIpv4Cidr(def);
    if (!ipv6 && (namedCidr || defaultIsCidr || fedToCidr) && !(splitSomewhere && !defaultIsCidr)) {
      if (def !== undefined && !defaultIsCidr) {
        if (typeof def === 'string' && IPV4_ISH.test(def) && (namedCidr || fedToCidr)) {
          return {
            pointer: `${at}/Default`,
            message: `Parameter ${name} holds a CIDR block but its Default ${JSON.stringify(def)} is not a valid IPv4 CIDR block`,
            messageId: 'invalidCidrDefault',
          };
        }
        return undefined;
      }
      return {
        pointer: at,
        message: `CIDR parameter ${name} has no AllowedPattern; an invalid block would only fail mid-deployment`,
        messageId: 'cidrWithoutPattern',
        fix: constrain(fixer, name, spec, { AllowedPattern: IPV4_CIDR_PATTERN, ConstraintDescription: IPV4_CIDR_CONSTRAINT }),
      };
    }

    // Instance type / DB instance class passed as is to the properties tapfix knows
    for (const source of SOURCES) {
      if (source.kind !== 'instanceType' && source.kind !== 'dbInstanceClass') continue;
      const kind = source.kind;
      const feeds = (u: ParameterUsage) =>
        u.direct && SOURCES.some((s) => s.kind === kind && s.type === u.resourceType && sameOrIntrinsicBelow(u.path, s.path));
      if (uses.length === 0 || !uses.every(feeds)) continue;
      if (def !== undefined && (typeof def !== 'string' || !matchesPattern(KIND[kind].pattern, def))) return undefined;
      return {
        pointer: at,
        message: `Parameter ${name} sets ${source.path[source.path.length - 1]} but accepts any text; a typo would only fail when the resource is created`,
        messageId: `${kind}WithoutPattern`,
        fix: constrain(fixer, name, spec, { AllowedPattern: KIND[kind].pattern, ConstraintDescription: KIND[kind].constraint }),
      };
    }

    // Environment name / suffix
    if (isEnvironmentParameterName(name)) {
      const inBucketName = uses.some((u) => u.resourceType === 'AWS::S3::Bucket' && u.path[0] === 'BucketName');
      const candidates: Array<[string, string]> = inBucketName
        ? [[LOWERCASE_ENVIRONMENT_PATTERN, LOWERCASE_ENVIRONMENT_CONSTRAINT], [ENVIRONMENT_PATTERN, ENVIRONMENT_CONSTRAINT]]
        : [[ENVIRONMENT_PATTERN, ENVIRONMENT_CONSTRAINT]];
      for (const [pattern, constraint] of candidates) {
        if (def !== undefined && (typeof def !== 'string' || !matchesPattern(pattern, def))) continue;
        return {
          pointer: at,
          message: `Environment parameter ${name} accepts any text; it ends up in resource names and tags`,
          messageId: 'environmentWithoutPattern',
          fix: constrain(fixer, name, spec, { AllowedPattern: pattern, ConstraintDescription: constraint }),
        };
      }
      return undefined;
    }
    return undefined;
  }

  if (type === 'Number' && spec['MinValue'] === undefined && spec['MaxValue'] === undefined) {
    const retention = uses.some((u) => u.resourceType === 'AWS::Logs::LogGroup' && u.path[0] === 'RetentionInDays');
    if (retention) {
      const n = numberOf(def);
      if (def !== undefined && (n === undefined || !CLOUDWATCH_LOG_RETENTION_DAYS.includes(n))) {
        return {
          pointer: `${at}/Default`,
          message: `Parameter ${name} sets a log group's RetentionInDays, but its Default ${JSON.stringify(def)} is not a retention CloudWatch Logs accepts (${CLOUDWATCH_LOG_RETENTION_DAYS.join(', ')})`,
          messageId: 'invalidRetentionDefault',
        };
      }
      return {
        pointer: at,
        message: `Log retention parameter ${name} accepts any number; CloudWatch Logs only accepts ${CLOUDWATCH_LOG_RETENTION_DAYS.length} values`,
        messageId: 'retentionWithoutAllowedValues',
        fix: fixer.set(`${at}/AllowedValues`, [...CLOUDWATCH_LOG_RETENTION_DAYS]).take(),
      };
    }
    for (const [property, bounds] of Object.entries(LAMBDA_BOUNDS)) {
      if (!uses.some((u) => LAMBDA_TYPES.has(u.resourceType ?? '') && u.path[0] === property)) continue;
      const n = numberOf(def);
      if (def !== undefined && (n === undefined || n < bounds.min || n > bounds.max)) {
        return {
          pointer: `${at}/Default`,
          message: `Parameter ${name} sets the ${bounds.what}, but its Default ${JSON.stringify(def)} is outside ${bounds.min}-${bounds.max}`,
          messageId: 'lambdaSizingDefaultOutOfBounds',
        };
      }
      return {
        pointer: at,
        message: `Parameter ${name} sets the ${bounds.what} without bounds; Lambda accepts ${bounds.min}-${bounds.max}`,
        messageId: 'lambdaSizingWithoutBounds',
        fix: fixer.set(`${at}/MinValue`, bounds.min).set(`${at}/MaxValue`, bounds.max).take(),
      };
    }
  }
  return undefined;
}

/** The intrinsic directly around a reference and the argument it sits in (`Fn::Cidr`, `'0'`), if any. */
function innermostIntrinsic(u: ParameterUsage): { fn: string; index: string | undefined } | undefined {
  for (let i = u.path.length - 1; i >= 0; i--) {
    const s = u.path[i]!;
    if (s.startsWith('Fn::')) return { fn: s, index: u.path[i + 1] };
  }
  return undefined;
}

/** Whether a usage path is `prop` itself, possibly through Fn::If branches (`InstanceType/Fn::If/1`). */
function sameOrIntrinsicBelow(path: string[], prop: string[]): boolean {
  if (path.length < prop.length || prop.some((p, i) => path[i] !== p)) return false;
  return path.slice(prop.length).every((s) => s === 'Fn::If' || /^\d+$/.test(s));
}

// ---------------------------------------------------------------------------------------------
// Literals -> parameters

type LiteralKind = 'vpcCidr' | 'subnetCidr' | 'instanceType' | 'dbInstanceClass';

interface Literal {
  kind: LiteralKind;
  id: string;
  path: string[];
  /** Where the literal is written. */
  pointer: string;
  value: string;
}

const SOURCES: Array<{ kind: LiteralKind; type: string; path: string[] }> = [
  { kind: 'vpcCidr', type: 'AWS::EC2::VPC', path: ['CidrBlock'] },
  { kind: 'subnetCidr', type: 'AWS::EC2::Subnet', path: ['CidrBlock'] },
  { kind: 'instanceType', type: 'AWS::EC2::Instance', path: ['InstanceType'] },
  { kind: 'instanceType', type: 'AWS::EC2::LaunchTemplate', path: ['LaunchTemplateData', 'InstanceType'] },
  { kind: 'instanceType', type: 'AWS::AutoScaling::LaunchConfiguration', path: ['InstanceType'] },
  { kind: 'dbInstanceClass', type: 'AWS::RDS::DBInstance', path: ['DBInstanceClass'] },
];

const KIND: Record<LiteralKind, { pattern: string; constraint: string; what: string }> = {
  vpcCidr: { pattern: IPV4_CIDR_PATTERN, constraint: IPV4_CIDR_CONSTRAINT, what: 'CIDR block' },
  subnetCidr: { pattern: IPV4_CIDR_PATTERN, constraint: IPV4_CIDR_CONSTRAINT, what: 'CIDR block' },
  instanceType: { pattern: INSTANCE_TYPE_PATTERN, constraint: INSTANCE_TYPE_CONSTRAINT, what: 'instance type' },
  dbInstanceClass: { pattern: DB_INSTANCE_CLASS_PATTERN, constraint: DB_INSTANCE_CLASS_CONSTRAINT, what: 'DB instance class' },
};

function collectLiterals(t: Template): Literal[] {
  const out: Literal[] = [];
  for (const source of SOURCES) {
    for (const view of resources(t, source.type)) {
      const literal = property(view, ...source.path);
      if (typeof literal?.value !== 'string' || !matchesPattern(KIND[source.kind].pattern, literal.value)) continue;
      out.push({ kind: source.kind, id: view.id, path: source.path, pointer: literal.pointer, value: literal.value });
    }
  }
  return out;
}

/** An existing String parameter the literal was evidently meant to use: same Default, matching name. */
function intendedParameter(t: Template, kind: LiteralKind, ids: string[], value: string): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const matches: string[] = [];
  const usages = parameterUsages(t);
  for (const [name, spec] of parameterEntries(t)) {
    if (spec['Type'] !== 'String' || spec['Default'] !== value) continue;
    if ((usages.get(name) ?? []).length > 0) continue; // used elsewhere: not a forgotten reference
    const n = squash(name);
    const words = nameWords(name);
    const ok =
      kind === 'vpcCidr'
        ? ['vpccidr', 'vpccidrblock', ...ids.flatMap((id) => [squash(id) + 'cidr', squash(id) + 'cidrblock'])].includes(n)
        : kind === 'subnetCidr'
          ? ids.some((id) => n === squash(id) + 'cidr' || n === squash(id) + 'cidrblock')
          : kind === 'instanceType'
            ? words.includes('instance') && words.includes('type')
            : n.includes('instanceclass') || n.includes('dbclass');
    if (ok) matches.push(name);
  }
  return matches.length === 1 ? matches[0] : undefined;
}

function parameterName(kind: LiteralKind, group: Literal[], all: Literal[]): string {
  const id = group[0]!.id;
  switch (kind) {
    case 'vpcCidr':
      return all.filter((l) => l.kind === 'vpcCidr').length > 1 ? `${id}Cidr` : 'VpcCidr';
    case 'subnetCidr':
      return `${id}Cidr`;
    case 'instanceType': {
      if (isMostUsed(group, all)) return 'InstanceType';
      const base = id.replace(/(Instance|LaunchTemplate|LaunchConfiguration|LaunchConfig)$/, '') || id;
      return `${base}InstanceType`;
    }
    case 'dbInstanceClass': {
      if (isMostUsed(group, all)) return 'DBInstanceClass';
      const base = id.replace(/(DBInstance|Instance)$/, '') || id;
      return /(db|database)$/i.test(base) ? `${base}InstanceClass` : `${base}DBInstanceClass`;
    }
  }
}

/** Whether the group's value is the one most resources of its kind use (the first such value on a tie). */
function isMostUsed(group: Literal[], all: Literal[]): boolean {
  const kind = group[0]!.kind;
  const counts = new Map<string, number>();
  for (const l of all) if (l.kind === kind) counts.set(l.value, (counts.get(l.value) ?? 0) + 1);
  let best: string | undefined;
  for (const [value, n] of counts) if (best === undefined || n > counts.get(best)!) best = value;
  return best === group[0]!.value;
}

function description(kind: LiteralKind, group: Literal[]): string {
  const ids = group.map((l) => l.id).join(', ');
  switch (kind) {
    case 'vpcCidr':
      return /^vpc$/i.test(ids) ? 'IPv4 CIDR block of the VPC' : `IPv4 CIDR block of the VPC ${ids}`;
    case 'subnetCidr':
      return `IPv4 CIDR block of the subnet ${ids}`;
    case 'instanceType':
      return `EC2 instance type of ${ids}`;
    case 'dbInstanceClass':
      return `RDS DB instance class of ${ids}`;
  }
}

function extractLiterals(fixer: Fixer, t: Template): Finding[] {
  const findings: Finding[] = [];
  const literals = collectLiterals(t);
  if (literals.length === 0) return findings;

  // CIDRs: one parameter per resource. Instance types and classes: one per distinct value.
  const groups: Literal[][] = [];
  const byValue = new Map<string, Literal[]>();
  for (const l of literals) {
    if (l.kind === 'vpcCidr' || l.kind === 'subnetCidr') {
      groups.push([l]);
      continue;
    }
    const key = `${l.kind}\u0000${l.value}`;
    let group = byValue.get(key);
    if (!group) {
      byValue.set(key, (group = []));
      groups.push(group);
    }
    group.push(l);
  }

  const taken = new Set<string>();
  for (const group of groups) {
    const { kind, value } = group[0]!;
    const ids = group.map((l) => l.id);
    const replace = (name: string, unsafe: boolean, how: string) =>
      group.map((l): Finding => {
        fixer.set(l.pointer, { Ref: name });
        return {
          pointer: l.pointer,
          message: `${l.id} hard-codes the ${KIND[kind].what} ${value}; ${how}`,
          messageId: unsafe ? 'literalMeantForParameter' : 'hardcodedLiteral',
          fix: (unsafe ? fixer.unsafe() : fixer).take(),
        };
      });

    const intended = intendedParameter(t, kind, ids, value);
    if (intended) {
      findings.push(...replace(intended, true, `parameter ${intended} declares the same value and is meant for it`));
      continue;
    }

    const name = freshParameterName(t, parameterName(kind, group, literals), taken);
    try {
      fixer.ensureParameter(name, {
        Type: 'String',
        Default: value,
        Description: description(kind, group),
        AllowedPattern: KIND[kind].pattern,
        ConstraintDescription: KIND[kind].constraint,
      });
    } catch {
      continue;
    }
    // The parameter is its own finding so that each resource's fix stays valid when another
    // resource's is suppressed.
    findings.push({
      pointer: t.Parameters !== undefined ? pointer('Parameters') : '',
      message: `Adding parameter ${name} (Default ${value}) for the ${KIND[kind].what} hard-coded in ${ids.join(', ')}`,
      messageId: 'addParameter',
      fix: fixer.take(),
    });
    findings.push(...replace(name, false, `use parameter ${name} (Default ${value}) so each deployment can choose it`));
  }
  return findings;
}
