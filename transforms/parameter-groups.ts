import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import {
  ACRONYMS,
  isEnvironmentParameterName,
  isPrefixedEnvironmentName,
  isPrefixedProjectName,
  nameWords,
  parameterUsages,
  PROJECT_PARAMETER_NAMES,
  splitWords,
  usageProperty,
  type ParameterUsage,
} from '../src/cfn/parameters.js';
import { pointer } from '../src/cfn/pointer.js';
import { parameter } from '../src/cfn/query.js';
import { asObject, hasOwn, isIntrinsic } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

const INTERFACE = 'AWS::CloudFormation::Interface';

// ---------------------------------------------------------------------------------------------
// Classification: the console group a parameter belongs in

type ParameterCategory =
  | 'Environment'
  | 'Network'
  | 'Security'
  | 'Compute'
  | 'Lambda'
  | 'Api'
  | 'Database'
  | 'Storage'
  | 'Monitoring'
  | 'Logging'
  | 'Other';

/** Order of the groups in a new interface. */
const CATEGORY_ORDER: readonly ParameterCategory[] = [
  'Environment',
  'Network',
  'Security',
  'Compute',
  'Lambda',
  'Api',
  'Database',
  'Storage',
  'Monitoring',
  'Logging',
  'Other',
];

const CATEGORY_LABEL: Readonly<Record<ParameterCategory, string>> = {
  Environment: 'Environment Configuration',
  Network: 'Network Configuration',
  Security: 'Security Configuration',
  Compute: 'Compute Configuration',
  Lambda: 'Lambda Configuration',
  Api: 'API Configuration',
  Database: 'Database Configuration',
  Storage: 'Storage Configuration',
  Monitoring: 'Monitoring Configuration',
  Logging: 'Logging Configuration',
  Other: 'Other Parameters',
};

/** Whether an existing group label names a category (first-listed category wins for a label). */
const CATEGORY_LABEL_PATTERN: Readonly<Record<ParameterCategory, RegExp>> = {
  Environment: /\b(environments?|env|general|project|tag(s|ging)?|naming|deployment|common|basic|stack)\b/i,
  Network: /\b(network(ing)?|vpc|subnets?|cidrs?|connectivity|load ?balanc\w*|dns)\b/i,
  Security: /\b(security|encryption|kms|certificates?|access|iam|secrets?)\b/i,
  Compute: /\b(compute|ec2|instances?|servers?|auto ?scaling|asg|containers?|ecs|eks|bastion)\b/i,
  Lambda: /\b(lambda|functions?|serverless)\b/i,
  Api: /\b(api|apis|api ?gateway)\b/i,
  Database: /\b(database|databases|db|rds|aurora|dynamodb|data ?store|cache)\b/i,
  Storage: /\b(storage|s3|buckets?)\b/i,
  Monitoring: /\b(monitoring|alarms?|alerts?|alerting|notifications?|observability)\b/i,
  Logging: /\b(log|logs|logging|audit)\b/i,
  Other: /\b(other|misc\w*|additional|advanced)\b/i,
};

/** Parameter types that say what the parameter is. */
function categoryOfType(type: unknown): ParameterCategory | undefined {
  if (typeof type !== 'string') return undefined;
  if (/AWS::EC2::(VPC|Subnet|SecurityGroup|AvailabilityZone)::|AWS::Route53::HostedZone::Id/.test(type)) return 'Network';
  if (/AWS::EC2::(KeyPair|Image|Instance)::/.test(type)) return 'Compute';
  return undefined;
}

const has = (words: readonly string[], ...w: string[]): boolean => w.some((x) => words.includes(x));

/** Classification from the name alone; undefined when the name says nothing clear. */
function categoryOfName(name: string): ParameterCategory | undefined {
  const lower = name.toLowerCase();
  if (isEnvironmentParameterName(name) || TAGGING_NAMES.has(lower)) return 'Environment';
  if (isPrefixedEnvironmentName(name) || isPrefixedProjectName(name)) return 'Environment';
  const w = nameWords(name);
  if (has(w, 'log', 'logs', 'logging', 'trail', 'cloudtrail')) return 'Logging';
  if (has(w, 'cidr', 'cidrs', 'vpc', 'subnet', 'subnets')) return 'Network';
  if (has(w, 'db', 'rds', 'database', 'aurora', 'dynamodb', 'dynamo', 'redis', 'elasticache', 'cache', 'memcached', 'postgres', 'postgresql', 'mysql') || lower.startsWith('master')) {
    return 'Database';
  }
  if (
    has(w, 'az', 'azs', 'nat', 'ssh', 'ip', 'ips', 'hosted', 'route53', 'alb', 'nlb', 'elb') ||
    lower.includes('availabilityzone') ||
    lower.includes('securitygroup')
  ) {
    return 'Network';
  }
  if (has(w, 'lambda', 'runtime', 'function', 'concurrency') || (has(w, 'memory') && has(w, 'size'))) return 'Lambda';
  if (
    has(w, 'ami', 'ec2', 'asg', 'instance', 'instances', 'container', 'task', 'ecs', 'eks', 'bastion', 'node', 'keypair') ||
    (has(w, 'key') && has(w, 'name', 'pair') && !has(w, 'kms')) ||
    (has(w, 'image') && !has(w, 'bucket'))
  ) {
    return 'Compute';
  }
  if (has(w, 'alarm', 'alert', 'alerts', 'email', 'notification', 'notifications', 'threshold', 'sns', 'monitoring', 'dashboard')) return 'Monitoring';
  if (
    has(w, 'kms', 'key', 'certificate', 'cert', 'secret', 'password', 'ssl', 'tls', 'waf', 'iam', 'role', 'principal', 'encryption') ||
    has(w, 'security', 'guard', 'guardduty', 'securityhub', 'macie', 'shield', 'mfa', 'config', 'compliance', 'remediation') ||
    (has(w, 'account') && has(w, 'id', 'ids'))
  ) {
    return 'Security';
  }
  if (has(w, 's3', 'bucket', 'efs', 'storage', 'replication', 'lifecycle', 'backup')) return 'Storage';
  if (has(w, 'domain', 'dns', 'endpoint', 'endpoints', 'https', 'http')) return 'Network';
  if (has(w, 'region', 'regions')) return 'Environment';
  if (has(w, 'api', 'throttle', 'throttling')) return 'Api';
  return undefined;
}

const NETWORK_PROPERTIES = new Set([
  'CidrBlock',
  'CidrIp',
  'CidrIpv6',
  'DestinationCidrBlock',
  'Ipv6CidrBlock',
  'VpcId',
  'SubnetId',
  'SubnetIds',
  'Subnets',
  'SecurityGroupIds',
  'AvailabilityZone',
  'AvailabilityZones',
  'HostedZoneId',
  'HostedZoneName',
]);
const COMPUTE_PROPERTIES = new Set(['InstanceType', 'ImageId', 'KeyName']);
const LOGGING_PROPERTIES = new Set(['RetentionInDays', 'LogGroupName']);

function isTagUsage(u: ParameterUsage): boolean {
  return u.path.some((s) => s === 'Tags' || s.endsWith('Tags'));
}

/** What one usage says about the parameter. undefined for tags (they say nothing). */
function categoryOfUsage(u: ParameterUsage): ParameterCategory | undefined {
  if (isTagUsage(u)) return undefined;
  const prop = usageProperty(u);
  if (prop && NETWORK_PROPERTIES.has(prop)) return 'Network';
  if (prop && LOGGING_PROPERTIES.has(prop)) return 'Logging';
  const type = u.resourceType ?? '';
  if (prop && COMPUTE_PROPERTIES.has(prop) && !/^AWS::(RDS|DocDB|Neptune|ElastiCache)::/.test(type)) return 'Compute';
  return categoryOfResourceType(type);
}

function categoryOfResourceType(type: string): ParameterCategory | undefined {
  if (/^AWS::(Lambda::|Serverless::(Function|LayerVersion))/.test(type)) return 'Lambda';
  if (/^AWS::(ApiGateway|ApiGatewayV2|AppSync)::|^AWS::Serverless::(Api|HttpApi)$/.test(type)) return 'Api';
  if (/^AWS::(RDS|DynamoDB|ElastiCache|DocDB|DocDBElastic|Neptune|Redshift|RedshiftServerless|MemoryDB|DAX)::|^AWS::Serverless::SimpleTable$/.test(type)) return 'Database';
  if (/^AWS::(EC2::(Instance|LaunchTemplate|Host|SpotFleet|EC2Fleet)|AutoScaling|ECS|EKS|Batch|ElasticBeanstalk|ImageBuilder|ECR)(::|$)/.test(type)) return 'Compute';
  if (/^AWS::(EC2|ElasticLoadBalancing|ElasticLoadBalancingV2|Route53|Route53Resolver|NetworkFirewall|GlobalAccelerator)::/.test(type)) return 'Network';
  if (/^AWS::(S3|S3Express|EFS|FSx|Backup)::/.test(type)) return 'Storage';
  if (/^AWS::(Logs|CloudTrail)::/.test(type)) return 'Logging';
  if (/^AWS::(CloudWatch|SNS|Events|Synthetics)::/.test(type)) return 'Monitoring';
  if (/^AWS::(KMS|IAM|SecretsManager|CertificateManager|WAF|WAFv2|WAFRegional|GuardDuty|SecurityHub|Config|Cognito|Shield)::/.test(type)) return 'Security';
  return undefined;
}

/**
 * The console group of a parameter: its name when the name is clear (environment and tagging
 * names first), then its declared type (`AWS::EC2::Subnet::Id`...), then where it is used (the
 * category most of its non-tag usages point to; ties go to the first usage), then `Other`.
 * Parameters used only in tags go to Environment.
 */
function classifyParameter(t: Template, name: string): ParameterCategory {
  const byName = categoryOfName(name);
  if (byName) return byName;
  const byType = categoryOfType(parameter(t, name)?.['Type']);
  if (byType) return byType;
  const usages = parameterUsages(t).get(name) ?? [];
  const counts = new Map<ParameterCategory, number>();
  for (const u of usages) {
    const c = categoryOfUsage(u);
    if (c) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best: ParameterCategory | undefined;
  for (const [c, n] of counts) if (best === undefined || n > counts.get(best)!) best = c;
  if (best) return best;
  if (usages.length > 0 && usages.every(isTagUsage)) return 'Environment'; // only used in tags
  return 'Other';
}

/** Tag-ish parameters that belong with the environment in the console. */
const TAGGING_NAMES = new Set([
  ...PROJECT_PARAMETER_NAMES,
  'owner',
  'ownername',
  'owneremail',
  'ownertag',
  'team',
  'teamname',
  'costcenter',
  'costcentre',
  'costcentertag',
  'department',
  'businessunit',
  'dataclassification',
  'environmenttag',
  'service',
  'servicename',
  'stackname',
  'resourceprefix',
  'nameprefix',
  'prefix',
]);

/** A human label for a parameter name: `VpcCIDR` -> `VPC CIDR`, `LatestAmiId` -> `Latest AMI ID`. */
function parameterLabel(name: string): string {
  const words = splitWords(name).map((w) => {
    const acronym = ACRONYMS.get(w.toLowerCase());
    if (acronym) return acronym;
    return w.charAt(0).toUpperCase() + w.slice(1);
  });
  return words.length ? words.join(' ') : name;
}

// ---------------------------------------------------------------------------------------------
// The interface

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
    const fixer = new Fixer(template);

    const metadata = template.Metadata;
    if (metadata !== undefined && (!asObject(metadata) || isIntrinsic(metadata))) {
      return [{ pointer: pointer('Metadata'), message: 'Metadata is not an object; cannot add parameter groups', messageId: 'metadataNotObject' }];
    }
    const iface = asObject(metadata)?.[INTERFACE];
    const ifacePointer = pointer('Metadata', INTERFACE);

    if (iface === undefined) {
      findings.push({
        pointer: metadata ? pointer('Metadata') : pointer('Parameters'),
        message: `The ${names.length} parameter${names.length > 1 ? 's are' : ' is'} not grouped or labelled for the console (no ${INTERFACE} metadata)`,
        messageId: 'noInterface',
        fix: fixer.set(ifacePointer, { ParameterGroups: newGroups(template, names), ParameterLabels: labels(names) }).take(),
      });
      return findings;
    }
    const ifaceObject = asObject(iface);
    if (!ifaceObject || isIntrinsic(iface)) {
      return [{ pointer: ifacePointer, message: `${INTERFACE} is not an object; cannot complete its parameter groups`, messageId: 'interfaceNotObject' }];
    }

    const ungrouped: string[] = [];
    const unlabelled: string[] = [];

    // Groups
    const groupsPointer = `${ifacePointer}/ParameterGroups`;
    const rawGroups = ifaceObject['ParameterGroups'];
    if (rawGroups === undefined) {
      fixer.set(groupsPointer, newGroups(template, names));
      ungrouped.push(...names);
    } else if (!Array.isArray(rawGroups)) {
      findings.push({ pointer: groupsPointer, message: 'ParameterGroups is not a list; cannot add the ungrouped parameters', messageId: 'groupsNotList' });
    } else {
      const groups = readGroups(rawGroups);
      const seen = new Map<string, number[]>();
      for (const g of groups) for (const p of g.parameters ?? []) seen.set(p, [...(seen.get(p) ?? []), g.index]);
      for (const [p, where] of seen) {
        if (where.length > 1) {
          findings.push({
            pointer: `${groupsPointer}/${where[1]}`,
            message: `Parameter ${p} is listed ${where.length} times in ParameterGroups (groups ${where.map((i) => i + 1).join(', ')}); keep it in one`,
            messageId: 'listedTwice',
          });
        }
        if (!hasOwn(parameters, p)) {
          findings.push({ pointer: `${groupsPointer}/${where[0]}`, message: `ParameterGroups lists ${p}, which is not a parameter of this template`, messageId: 'unknownParameter' });
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
        for (const name of list) fixer.append(`${groupsPointer}/${index}/Parameters`, name);
      }
      for (const category of CATEGORY_ORDER) {
        const list = fresh.get(category);
        if (list) fixer.append(groupsPointer, { Label: { default: CATEGORY_LABEL[category] }, Parameters: list });
      }
      ungrouped.push(...missing);
    }

    // Labels
    const labelsPointer = `${ifacePointer}/ParameterLabels`;
    const rawLabels = ifaceObject['ParameterLabels'];
    if (rawLabels === undefined) {
      fixer.set(labelsPointer, labels(names));
      unlabelled.push(...names);
    } else if (asObject(rawLabels) && !isIntrinsic(rawLabels)) {
      for (const name of names) {
        if (hasOwn(rawLabels, name)) continue;
        fixer.set(`${labelsPointer}${pointer(name)}`, { default: parameterLabel(name) });
        unlabelled.push(name);
      }
    }

    if (fixer.pending) {
      const parts: string[] = [];
      if (ungrouped.length) parts.push(`not in any parameter group: ${ungrouped.join(', ')}`);
      if (unlabelled.length) parts.push(`without a label: ${unlabelled.join(', ')}`);
      findings.unshift({ pointer: ifacePointer, message: `Parameters ${parts.join('; ')}`, messageId: 'incompleteInterface', fix: fixer.take() });
    }
    return findings;
  },
});
