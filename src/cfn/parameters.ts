import { asObject } from './template.js';
// Parameter facts shared by the standard-tags, parameter-validation and parameter-groups
// transforms: where a parameter is used, what it is about (its console group), its human label,
// and the environment/project parameters a template already declares.
// Everything here is pure and never mutates the template.

import type { JsonObject, Template } from '../types.js';
import { parsePointer } from './pointer.js';
import { allReferences, firstUnusedName, namesInLowerCase } from './template.js';

// ---------------------------------------------------------------------------------------------
// Small utilities

export { asObject } from './template.js';

import { hasOwn } from './values.js';

/** The template's parameters as [name, declaration] in template order (declarations that are not objects are skipped). */
export function parameterEntries(t: Template): Array<[string, JsonObject]> {
  const parameters = asObject(t.Parameters);
  if (!parameters) return [];
  const out: Array<[string, JsonObject]> = [];
  for (const name of Object.keys(parameters)) {
    const spec = asObject(parameters[name]);
    if (spec) out.push([name, spec]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Usages

export interface ParameterUsage {
  resourceId: string;
  resourceType: string | undefined;
  /** Raw segments below `Properties` of the node holding the reference (the Ref/Sub node itself). */
  path: string[];
  /** True when the value at `path` is exactly `{Ref: parameter}` (not a Sub, not inside a list join). */
  direct: boolean;
}

const usageCache = new WeakMap<object, Map<string, ParameterUsage[]>>();

/**
 * Where each parameter is referenced (Ref or `${Name}` in Fn::Sub) below a resource's
 * `Properties`. References in Conditions, Outputs or resource attributes are not usages here:
 * they say nothing about what the parameter configures.
 */
export function parameterUsages(t: Template): Map<string, ParameterUsage[]> {
  const cached = Object.isFrozen(t) ? usageCache.get(t) : undefined;
  if (cached) return cached;
  const names = new Set(parameterEntries(t).map(([n]) => n));
  const out = new Map<string, ParameterUsage[]>();
  const resources = asObject(t.Resources) ?? {};
  for (const ref of allReferences(t)) {
    if ((ref.kind !== 'Ref' && ref.kind !== 'Sub') || !names.has(ref.target) || ref.attribute !== undefined) continue;
    let segments: string[];
    try {
      segments = parsePointer(ref.pointer);
    } catch {
      continue;
    }
    if (segments[0] !== 'Resources' || segments[2] !== 'Properties' || segments.length < 3) continue;
    const resourceId = segments[1]!;
    const type = asObject(resources[resourceId])?.['Type'];
    const usage: ParameterUsage = {
      resourceId,
      resourceType: typeof type === 'string' ? type : undefined,
      path: segments.slice(3),
      direct: ref.kind === 'Ref',
    };
    let list = out.get(ref.target);
    if (!list) out.set(ref.target, (list = []));
    list.push(usage);
  }
  if (Object.isFrozen(t)) usageCache.set(t, out);
  return out;
}

/**
 * The property a usage feeds: the last segment of its path that is neither a list index nor an
 * intrinsic (`Ref`, `Fn::If`, `Fn::Select`...). `RetentionInDays/Fn::If/1` feeds `RetentionInDays`.
 */
export function usageProperty(u: ParameterUsage): string | undefined {
  for (let i = u.path.length - 1; i >= 0; i--) {
    const s = u.path[i]!;
    if (/^\d+$/.test(s) || s === 'Ref' || s.startsWith('Fn::')) continue;
    return s;
  }
  return undefined;
}

/** Whether the usage passes through a function that takes the value apart (Fn::Split, Fn::Select, Fn::Cidr...). */
export function usageTransformsValue(u: ParameterUsage): boolean {
  return u.path.some((s) => s === 'Fn::Split' || s === 'Fn::Select' || s === 'Fn::Cidr' || s === 'Fn::Join' || s === 'Fn::Sub' || s === 'Fn::Base64') || !u.direct;
}

/**
 * `base`, else `base2`, `base3`, ...: a name no parameter or resource uses (they share one
 * namespace; Outputs, Conditions and Mappings do not clash with parameters). Compared ignoring
 * case so the new name never differs from an existing one only in case. Adds the name to `taken`.
 */
export function freshParameterName(t: Template, base: string, taken: Set<string>): string {
  const stem = base.replace(/[^A-Za-z0-9]/g, '') || 'Parameter';
  return firstUnusedName((n) => (n === 1 ? stem : `${stem}${n}`), namesInLowerCase(t, ['Parameters', 'Resources']), taken);
}

// ---------------------------------------------------------------------------------------------
// Words and labels

/**
 * Acronyms written in capitals in labels (matched case-insensitively on a whole word).
 * `Id` becomes `ID`, `Vpc` becomes `VPC`, and so on.
 */
const ACRONYMS: ReadonlyMap<string, string> = new Map(
  [
    'ACL', 'ACM', 'ALB', 'AMI', 'API', 'ARN', 'ASG', 'AWS', 'AZ', 'AZS', 'CDN', 'CIDR', 'CPU', 'DB', 'DNS', 'EBS', 'EC2',
    'ECR', 'ECS', 'EFS', 'EIP', 'EKS', 'ELB', 'EMR', 'HTTP', 'HTTPS', 'IAM', 'ID', 'IDS', 'IOPS', 'IP', 'IPV4', 'IPV6',
    'JSON', 'KMS', 'MFA', 'NACL', 'NAT', 'NLB', 'RDS', 'S3', 'SES', 'SNS', 'SQS', 'SSH', 'SSL', 'SSM', 'SSO', 'TLS',
    'TTL', 'URL', 'URI', 'VPC', 'VPN', 'WAF',
  ].map((a) => [a.toLowerCase(), a === 'IPV4' ? 'IPv4' : a === 'IPV6' ? 'IPv6' : a === 'AZS' ? 'AZs' : a === 'IDS' ? 'IDs' : a]),
);

/** Acronyms that end in a digit: a letters token followed by a digits token forming one of these is one word. */
const DIGIT_ACRONYMS = new Set(['ec2', 's3', 'ipv4', 'ipv6', 'route53']);

/**
 * Splits a parameter name into words: separators, camelCase/PascalCase humps, runs of capitals
 * (`VPCCidr` -> `VPC Cidr`), and digits (`Subnet1` -> `Subnet 1`), keeping `EC2`, `S3`, `IPv4`...
 * together.
 */
export function splitWords(name: string): string[] {
  const words: string[] = [];
  for (const part of name.split(/[^A-Za-z0-9]+/)) {
    const tokens = part.match(/[A-Z]{2,}s(?![a-z])|[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const next = tokens[i + 1];
      // "IPv4": capitals run "IP", then "v", then "4".
      if (next !== undefined && DIGIT_ACRONYMS.has((token + next).toLowerCase())) {
        words.push(token + next);
        i++;
        continue;
      }
      if (next !== undefined && tokens[i + 2] !== undefined && DIGIT_ACRONYMS.has((token + next + tokens[i + 2]).toLowerCase())) {
        words.push(token + next + tokens[i + 2]);
        i += 2;
        continue;
      }
      words.push(...splitCapitals(token));
    }
  }
  return words;
}

/** A run of capitals made of several known acronyms (`SSHIP` -> `SSH IP`, `VPCID` -> `VPC ID`); else the run itself. */
function splitCapitals(token: string): string[] {
  if (token.length < 4 || !/^[A-Z]+$/.test(token) || ACRONYMS.has(token.toLowerCase())) return [token];
  const best: Array<string[] | undefined> = [[]];
  for (let end = 1; end <= token.length; end++) {
    for (let start = Math.max(0, end - 5); start < end; start++) {
      const head = best[start];
      const piece = token.slice(start, end);
      if (head && ACRONYMS.has(piece.toLowerCase()) && (!best[end] || best[end]!.length > head.length + 1)) best[end] = [...head, piece];
    }
  }
  return best[token.length] ?? [token];
}

/** Lower-case words of a name, for classification. */
export function nameWords(name: string): string[] {
  return splitWords(name).map((w) => w.toLowerCase());
}

/** A human label for a parameter name: `VpcCIDR` -> `VPC CIDR`, `LatestAmiId` -> `Latest AMI ID`. */
export function parameterLabel(name: string): string {
  const words = splitWords(name).map((w) => {
    const acronym = ACRONYMS.get(w.toLowerCase());
    if (acronym) return acronym;
    return w.charAt(0).toUpperCase() + w.slice(1);
  });
  return words.length ? words.join(' ') : name;
}

// ---------------------------------------------------------------------------------------------
// Environment and project parameters

/** Lower-cased names of parameters that hold the deployment environment or a name suffix. */
const ENVIRONMENT_NAMES = new Set([
  'environmentsuffix',
  'envsuffix',
  'suffix',
  'environment',
  'env',
  'environmentname',
  'envname',
  'environmenttype',
  'envtype',
  'stage',
  'stagename',
  'deploymentstage',
  'deploymentenvironment',
  'targetenvironment',
]);

/** Preference order when a template declares several of them. */
const ENVIRONMENT_PREFERENCE = [
  'environmentsuffix',
  'envsuffix',
  'environment',
  'environmentname',
  'env',
  'envname',
  'stage',
  'stagename',
  'deploymentstage',
  'deploymentenvironment',
  'targetenvironment',
  'environmenttype',
  'envtype',
  'suffix',
];

/** Lower-cased names of parameters that hold the project / application name. */
const PROJECT_NAMES = ['projectname', 'project', 'projecttag', 'applicationname', 'application', 'appname', 'app'];

/** Tag-ish parameters that belong with the environment in the console. */
const TAGGING_NAMES = new Set([
  ...PROJECT_NAMES,
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

export function isEnvironmentParameterName(name: string): boolean {
  return ENVIRONMENT_NAMES.has(name.toLowerCase());
}

function isStringParameter(spec: JsonObject): boolean {
  return spec['Type'] === 'String';
}

/** Endings that mark a prefixed environment parameter (`SecureEnvEnvironment`, `AppEnvironmentName`). */
const ENVIRONMENT_ENDINGS = ['environmentsuffix', 'environmentname', 'environment', 'envsuffix', 'envname'];
/** Endings that mark a prefixed project parameter (`SecureEnvProjectName`). */
const PROJECT_ENDINGS = ['projectname', 'applicationname', 'appname'];

function endsWithAny(lower: string, endings: readonly string[]): boolean {
  return endings.some((e) => lower.length > e.length && lower.endsWith(e));
}

/**
 * The parameter that already holds the environment name or suffix (String type), preferring
 * `EnvironmentSuffix`, then `Environment`, `EnvironmentName`, `Env`, `Stage`, ..., then a
 * prefixed name such as `AppEnvironment`; undefined when there is none.
 */
export function findEnvironmentParameter(t: Template): string | undefined {
  const candidates = new Map<string, string>();
  let prefixed: string | undefined;
  for (const [name, spec] of parameterEntries(t)) {
    if (!isStringParameter(spec)) continue;
    const lower = name.toLowerCase();
    if (ENVIRONMENT_NAMES.has(lower) && !candidates.has(lower)) candidates.set(lower, name);
    else if (prefixed === undefined && endsWithAny(lower, ENVIRONMENT_ENDINGS)) prefixed = name;
  }
  for (const lower of ENVIRONMENT_PREFERENCE) {
    const name = candidates.get(lower);
    if (name !== undefined) return name;
  }
  return prefixed;
}

/** The String parameter holding the project/application name (`ProjectName`, `Project`, `ApplicationName`, `AppProjectName`...), if any. */
export function findProjectParameter(t: Template): string | undefined {
  const byLower = new Map<string, string>();
  let prefixed: string | undefined;
  for (const [name, spec] of parameterEntries(t)) {
    if (!isStringParameter(spec)) continue;
    const lower = name.toLowerCase();
    if (!byLower.has(lower)) byLower.set(lower, name);
    if (prefixed === undefined && endsWithAny(lower, PROJECT_ENDINGS)) prefixed = name;
  }
  for (const lower of PROJECT_NAMES) {
    const name = byLower.get(lower);
    if (name !== undefined) return name;
  }
  return prefixed;
}

// ---------------------------------------------------------------------------------------------
// Classification (console parameter groups)

export type ParameterCategory =
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
export const CATEGORY_ORDER: readonly ParameterCategory[] = [
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

export const CATEGORY_LABEL: Readonly<Record<ParameterCategory, string>> = {
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
export const CATEGORY_LABEL_PATTERN: Readonly<Record<ParameterCategory, RegExp>> = {
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
export function categoryOfName(name: string): ParameterCategory | undefined {
  const lower = name.toLowerCase();
  if (ENVIRONMENT_NAMES.has(lower) || TAGGING_NAMES.has(lower)) return 'Environment';
  if (endsWithAny(lower, ENVIRONMENT_ENDINGS) || endsWithAny(lower, PROJECT_ENDINGS)) return 'Environment';
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

export function categoryOfResourceType(type: string): ParameterCategory | undefined {
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
export function classifyParameter(t: Template, name: string): ParameterCategory {
  const byName = categoryOfName(name);
  if (byName) return byName;
  const spec = asObject(asObject(t.Parameters)?.[name]);
  const byType = categoryOfType(spec?.['Type']);
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

// ---------------------------------------------------------------------------------------------
// Validation patterns (CloudFormation evaluates AllowedPattern as a Java regular expression over
// the whole value; these use only syntax that means the same in Java and JavaScript).

/** One IPv4 octet 0-255 without leading zeros. */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';

/** An IPv4 CIDR block `a.b.c.d/n`, n from 0 to 32. */
export const IPV4_CIDR_PATTERN = `^(${OCTET}\\.){3}${OCTET}/(3[0-2]|[12]?[0-9])$`;
export const IPV4_CIDR_CONSTRAINT = 'Must be a valid IPv4 CIDR block in the form x.x.x.x/n, with n from 0 to 32.';

/** EC2 instance types: family (letters, digits, `-flex`...) dot size: `t3.micro`, `m7i-flex.large`, `u-6tb1.metal`. */
export const INSTANCE_TYPE_PATTERN = '^[a-z][a-z0-9-]*\\.[a-z0-9]+$';
export const INSTANCE_TYPE_CONSTRAINT = 'Must be an EC2 instance type such as t3.micro.';

/** RDS DB instance classes: `db.t3.micro`, `db.serverless`, `db.r5.large.tpc2.mem4x`. */
export const DB_INSTANCE_CLASS_PATTERN = '^db\\.[a-z0-9-]+(\\.[a-z0-9-]+)*$';
export const DB_INSTANCE_CLASS_CONSTRAINT = 'Must be an RDS DB instance class such as db.t3.micro.';

/** Environment names and suffixes: letters, digits and hyphens (same as the shared EnvironmentSuffix). */
export const ENVIRONMENT_PATTERN = '^[a-zA-Z0-9-]+$';
export const ENVIRONMENT_CONSTRAINT = 'Must contain only alphanumeric characters and hyphens.';
/** For a value that ends up in S3 bucket names, which must be lower case. */
export const LOWERCASE_ENVIRONMENT_PATTERN = '^[a-z0-9-]+$';
export const LOWERCASE_ENVIRONMENT_CONSTRAINT = 'Must contain only lowercase letters, digits and hyphens (it is used in S3 bucket names).';

/** Whether `value` matches a CloudFormation AllowedPattern written with the syntax above. */
export function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return false;
  }
}

export function isIpv4Cidr(value: unknown): value is string {
  return typeof value === 'string' && matchesPattern(IPV4_CIDR_PATTERN, value);
}

export { hasOwn };
