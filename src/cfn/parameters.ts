// Parameter facts shared by the standard-tags, parameter-validation and parameter-groups
// transforms: where a parameter is used, its name split into words, and the names that mark an
// environment or project parameter. The heuristics only one transform uses live in it.
// Everything here is pure and never mutates the template.
import type { JsonObject, Template } from '../types.js';
import { evaluatedRoots, walkValues } from './query.js';
import { parseSubVariables } from './template.js';
import { asObject, hasOwn, intrinsicName } from './values.js';

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
 * Where each parameter is referenced (Ref or `${Name}` in Fn::Sub, not a name the Sub binds in
 * its own variable map) in a resource's `Properties`, in document order. References in
 * Conditions, Outputs or resource attributes are not usages here: they say nothing about what
 * the parameter configures.
 */
export function parameterUsages(t: Template): Map<string, ParameterUsage[]> {
  const cached = Object.isFrozen(t) ? usageCache.get(t) : undefined;
  if (cached) return cached;
  const names = new Set(parameterEntries(t).map(([n]) => n));
  const out = new Map<string, ParameterUsage[]>();
  const use = (name: string, usage: ParameterUsage) => {
    if (!names.has(name)) return;
    let list = out.get(name);
    if (!list) out.set(name, (list = []));
    list.push(usage);
  };
  for (const root of evaluatedRoots(t)) {
    const view = root.resource;
    if (!view) continue;
    walkValues(root.value, [], (value, path) => {
      const usage = (direct: boolean): ParameterUsage => ({ resourceId: view.id, resourceType: view.type || undefined, path: path.map(String), direct });
      const name = intrinsicName(value);
      const arg = name ? (value as JsonObject)[name] : undefined;
      if (name === 'Ref' && typeof arg === 'string') {
        use(arg, usage(true));
        return false;
      }
      if (name === 'Fn::Sub') {
        const [text, variables] = Array.isArray(arg) ? [arg[0], asObject(arg[1])] : [arg, undefined];
        if (typeof text === 'string') {
          for (const variable of parseSubVariables(text)) {
            if (!variable.includes('.') && !(variables && hasOwn(variables, variable))) use(variable, usage(false));
          }
        }
      }
      return true;
    });
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

// ---------------------------------------------------------------------------------------------
// Words

/**
 * Acronyms written in capitals in labels (matched case-insensitively on a whole word).
 * `Id` becomes `ID`, `Vpc` becomes `VPC`, and so on.
 */
export const ACRONYMS: ReadonlyMap<string, string> = new Map(
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

// ---------------------------------------------------------------------------------------------
// Environment and project parameters

/**
 * Lower-cased names of parameters that hold the deployment environment or a name suffix, the
 * one to prefer first when a template declares several.
 */
export const ENVIRONMENT_PARAMETER_NAMES: readonly string[] = [
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
const ENVIRONMENT_NAME_SET: ReadonlySet<string> = new Set(ENVIRONMENT_PARAMETER_NAMES);

/** Lower-cased names of parameters that hold the project / application name, the one to prefer first. */
export const PROJECT_PARAMETER_NAMES: readonly string[] = ['projectname', 'project', 'projecttag', 'applicationname', 'application', 'appname', 'app'];

/** Endings that mark a prefixed environment parameter (`SecureEnvEnvironment`, `AppEnvironmentName`). */
const ENVIRONMENT_ENDINGS = ['environmentsuffix', 'environmentname', 'environment', 'envsuffix', 'envname'];
/** Endings that mark a prefixed project parameter (`SecureEnvProjectName`). */
const PROJECT_ENDINGS = ['projectname', 'applicationname', 'appname'];

function endsWithAny(lower: string, endings: readonly string[]): boolean {
  return endings.some((e) => lower.length > e.length && lower.endsWith(e));
}

/** Whether `name` is one of {@link ENVIRONMENT_PARAMETER_NAMES} (ignoring case). */
export function isEnvironmentParameterName(name: string): boolean {
  return ENVIRONMENT_NAME_SET.has(name.toLowerCase());
}

/** Whether `name` is an environment parameter name with a prefix (`AppEnvironment`, `SecureEnvEnvironmentName`). */
export function isPrefixedEnvironmentName(name: string): boolean {
  return endsWithAny(name.toLowerCase(), ENVIRONMENT_ENDINGS);
}

/** Whether `name` is a project parameter name with a prefix (`SecureEnvProjectName`, `WebAppName`). */
export function isPrefixedProjectName(name: string): boolean {
  return endsWithAny(name.toLowerCase(), PROJECT_ENDINGS);
}
