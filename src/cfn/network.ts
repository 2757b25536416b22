import { asObject } from './template.js';
// Network helpers shared by the security-group transforms (lambda-dedicated-sg,
// sg-rule-descriptions): reading security group references, walking every inline and standalone
// rule, and describing a rule in words AWS accepts as a rule Description.
// Everything here is pure and tolerant: intrinsics, missing properties and odd shapes give
// "unknown" answers, never exceptions.

import type { JsonObject, JsonValue, Template } from '../types.js';
import { pointer } from './pointer.js';
import { intrinsicName, resourcesOfType } from './template.js';

export const SECURITY_GROUP = 'AWS::EC2::SecurityGroup';
export const SECURITY_GROUP_INGRESS = 'AWS::EC2::SecurityGroupIngress';
export const SECURITY_GROUP_EGRESS = 'AWS::EC2::SecurityGroupEgress';

export { asObject } from './template.js';

import { hasOwn } from './values.js';
export { hasOwn };

/** How a template names a resource: `{Ref: X}` or `{Fn::GetAtt: [X, Attribute]}` (or `"X.Attribute"`). */
export interface ResourceRef {
  id: string;
  form: 'Ref' | 'GetAtt';
  /** The GetAtt attribute (GetAtt form only). */
  attribute?: string;
}

/** The resource a `Ref`/`Fn::GetAtt` node names, or undefined for anything else. */
export function resourceRef(v: unknown): ResourceRef | undefined {
  const name = intrinsicName(v);
  if (name === 'Ref') {
    const target = (v as JsonObject)['Ref'];
    return typeof target === 'string' ? { id: target, form: 'Ref' } : undefined;
  }
  if (name === 'Fn::GetAtt') {
    const arg = (v as JsonObject)['Fn::GetAtt'];
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      return dot > 0 ? { id: arg.slice(0, dot), form: 'GetAtt', attribute: arg.slice(dot + 1) } : undefined;
    }
    if (Array.isArray(arg) && typeof arg[0] === 'string' && typeof arg[1] === 'string') {
      return { id: arg[0], form: 'GetAtt', attribute: arg[1] };
    }
  }
  return undefined;
}

/**
 * The logical id of the template security group a value names as a group id: `{Ref: SG}` or
 * `{Fn::GetAtt: [SG, GroupId]}` where SG is an AWS::EC2::SecurityGroup of the template.
 */
export function securityGroupRef(t: Template, v: unknown): ResourceRef | undefined {
  const ref = resourceRef(v);
  if (!ref) return undefined;
  if (ref.form === 'GetAtt' && ref.attribute !== 'GroupId') return undefined;
  const resource = asObject(asObject(t.Resources)?.[ref.id]);
  return resource?.['Type'] === SECURITY_GROUP ? ref : undefined;
}

/** A reference to `id` written the same way as `like` (Ref stays Ref, GetAtt GroupId stays GetAtt). */
export function sameFormRef(like: ResourceRef, id: string): JsonObject {
  return like.form === 'Ref' ? { Ref: id } : { 'Fn::GetAtt': [id, like.attribute ?? 'GroupId'] };
}

export type Direction = 'ingress' | 'egress';

/** One security group rule, wherever it is written. */
export interface RuleEntry {
  direction: Direction;
  /** Inline: an item of a SecurityGroup's SecurityGroupIngress/Egress; standalone: a rule resource. */
  kind: 'inline' | 'standalone';
  /** The rule object (inline item, or the standalone resource's Properties). */
  rule: JsonObject;
  /** JSON pointer of the rule object. */
  pointer: string;
  /** Logical id of the SecurityGroup resource (inline) or of the rule resource (standalone). */
  resourceId: string;
  /** The group the rule belongs to, when it is a template SecurityGroup (inline: always). */
  groupId?: string;
  /** Inline rules: pointer of the list the rule is an item of (the list that can take a twin). */
  listPointer?: string;
}

/**
 * Every inline and standalone security group rule, in template order. Inline lists written as
 * `Fn::If` are followed into both branches; items that are themselves `Fn::If` are followed
 * into their object branches. Anything else that is not a plain object is skipped.
 */
export function securityGroupRules(t: Template): RuleEntry[] {
  const out: RuleEntry[] = [];
  const resources = asObject(t.Resources) ?? {};
  for (const id of Object.keys(resources)) {
    const resource = asObject(resources[id]);
    if (!resource) continue;
    const type = resource['Type'];
    const props = asObject(resource['Properties']);
    if (!props) continue;
    if (type === SECURITY_GROUP) {
      for (const [key, direction] of [['SecurityGroupIngress', 'ingress'], ['SecurityGroupEgress', 'egress']] as const) {
        if (!hasOwn(props, key)) continue;
        collectInline(props[key]!, pointer('Resources', id, 'Properties', key), direction, id, out, 0);
      }
    } else if (type === SECURITY_GROUP_INGRESS || type === SECURITY_GROUP_EGRESS) {
      const direction: Direction = type === SECURITY_GROUP_INGRESS ? 'ingress' : 'egress';
      const owner = securityGroupRef(t, props['GroupId']);
      const entry: RuleEntry = { direction, kind: 'standalone', rule: props, pointer: pointer('Resources', id, 'Properties'), resourceId: id };
      if (owner) entry.groupId = owner.id;
      out.push(entry);
    }
  }
  return out;
}

function collectInline(v: JsonValue, at: string, direction: Direction, groupId: string, out: RuleEntry[], depth: number): void {
  if (depth > 8) return;
  if (Array.isArray(v)) {
    v.forEach((item, i) => collectItem(item, `${at}/${i}`, at, direction, groupId, out, depth));
    return;
  }
  if (intrinsicName(v) === 'Fn::If') {
    const arg = (v as JsonObject)['Fn::If'];
    if (!Array.isArray(arg) || arg.length !== 3) return;
    for (const branch of [1, 2]) collectInline(arg[branch]!, `${at}/Fn::If/${branch}`, direction, groupId, out, depth + 1);
  }
}

function collectItem(v: JsonValue, at: string, listPointer: string, direction: Direction, groupId: string, out: RuleEntry[], depth: number): void {
  if (depth > 8) return;
  const name = intrinsicName(v);
  if (name === 'Fn::If') {
    const arg = (v as JsonObject)['Fn::If'];
    if (!Array.isArray(arg) || arg.length !== 3) return;
    for (const branch of [1, 2]) collectItem(arg[branch]!, `${at}/Fn::If/${branch}`, listPointer, direction, groupId, out, depth + 1);
    return;
  }
  if (name !== undefined) return;
  const rule = asObject(v);
  if (rule) out.push({ direction, kind: 'inline', rule, pointer: at, resourceId: groupId, groupId, listPointer });
}

/** The peer key of a rule: Source* for ingress, Destination* for egress. */
export function peerGroupKey(direction: Direction): 'SourceSecurityGroupId' | 'DestinationSecurityGroupId' {
  return direction === 'ingress' ? 'SourceSecurityGroupId' : 'DestinationSecurityGroupId';
}

// ---------------------------------------------------------------------------------------------
// Describing rules

/**
 * Characters EC2 accepts in a security group rule description (and in GroupDescription):
 * "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*", at most 255 characters. Source: EC2 API
 * IpRange/Ipv6Range/PrefixListId/UserIdGroupPair `Description` and the CloudFormation
 * AWS::EC2::SecurityGroup Ingress/Egress `Description` property docs.
 */
const DESCRIPTION_FORBIDDEN = /[^a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g;
export const MAX_DESCRIPTION_LENGTH = 255;

/** `text` reduced to the characters EC2 accepts in a description, cut to 255 characters. */
export function safeDescription(text: string): string {
  const cleaned = text.replace(DESCRIPTION_FORBIDDEN, '').replace(/\s+/g, ' ').trim();
  return cleaned.length <= MAX_DESCRIPTION_LENGTH ? cleaned : cleaned.slice(0, MAX_DESCRIPTION_LENGTH).trimEnd();
}

/** Well-known TCP ports (IANA service names, as the EC2 console labels them where it does). */
const TCP_PORTS: Readonly<Record<number, string>> = {
  20: 'FTP data',
  21: 'FTP',
  22: 'SSH',
  23: 'Telnet',
  25: 'SMTP',
  53: 'DNS',
  80: 'HTTP',
  110: 'POP3',
  143: 'IMAP',
  389: 'LDAP',
  443: 'HTTPS',
  445: 'SMB',
  465: 'SMTPS',
  587: 'SMTP submission',
  636: 'LDAPS',
  993: 'IMAPS',
  995: 'POP3S',
  1433: 'MSSQL',
  1521: 'Oracle',
  2049: 'NFS',
  2181: 'ZooKeeper',
  2375: 'Docker',
  2376: 'Docker TLS',
  3306: 'MySQL/Aurora',
  3389: 'RDP',
  5432: 'PostgreSQL',
  5439: 'Redshift',
  5601: 'Kibana',
  5671: 'AMQPS',
  5672: 'AMQP',
  6379: 'Redis',
  8080: 'HTTP alternate',
  8443: 'HTTPS alternate',
  9042: 'Cassandra',
  9092: 'Kafka',
  9094: 'Kafka TLS',
  9200: 'OpenSearch',
  11211: 'Memcached',
  27017: 'MongoDB',
};

const UDP_PORTS: Readonly<Record<number, string>> = {
  53: 'DNS',
  123: 'NTP',
  161: 'SNMP',
  500: 'IKE',
  514: 'Syslog',
  1194: 'OpenVPN',
  2049: 'NFS',
  4500: 'IPsec NAT-T',
  51820: 'WireGuard',
};

const ICMP_TYPES: Readonly<Record<number, string>> = {
  0: 'ICMP echo reply',
  3: 'ICMP destination unreachable',
  8: 'ICMP echo request',
  11: 'ICMP time exceeded',
};

const OTHER_PROTOCOLS: Readonly<Record<number, string>> = { 47: 'GRE', 50: 'ESP', 51: 'AH', 132: 'SCTP' };

type Protocol = { k: 'all' } | { k: 'tcp' } | { k: 'udp' } | { k: 'icmp' } | { k: 'icmpv6' } | { k: 'number'; n: number } | { k: 'unknown' };

function protocolOf(v: unknown): Protocol {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim().toLowerCase() : undefined;
  if (s === undefined) return { k: 'unknown' };
  if (s === '-1' || s === 'all') return { k: 'all' };
  if (s === 'tcp' || s === '6') return { k: 'tcp' };
  if (s === 'udp' || s === '17') return { k: 'udp' };
  if (s === 'icmp' || s === '1') return { k: 'icmp' };
  if (s === 'icmpv6' || s === '58') return { k: 'icmpv6' };
  if (/^\d+$/.test(s)) return { k: 'number', n: Number(s) };
  return { k: 'unknown' };
}

function literalInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/**
 * Words for a value given by an intrinsic: the parameter or resource a Ref/GetAtt names, the
 * mapping entry of a Fn::FindInMap (`DBEngineMap.Port`), both branches of a Fn::If
 * (`3306 or 5432`), the export name of a Fn::ImportValue; else undefined.
 */
function intrinsicWords(v: unknown, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim() || undefined;
  const ref = resourceRef(v);
  if (ref && !ref.id.startsWith('AWS::')) return ref.form === 'GetAtt' && ref.attribute && /Port$/.test(ref.attribute) ? `${ref.id} port` : ref.id;
  const name = intrinsicName(v);
  const arg = name ? (v as JsonObject)[name] : undefined;
  if (name === 'Fn::ImportValue' && typeof arg === 'string') return arg;
  if (name === 'Fn::FindInMap' && Array.isArray(arg) && typeof arg[0] === 'string') {
    return typeof arg[2] === 'string' ? `${arg[0]}.${arg[2]}` : arg[0];
  }
  if (name === 'Fn::If' && Array.isArray(arg) && arg.length === 3) {
    const branches = [arg[1], arg[2]].filter((b) => !(intrinsicName(b) === 'Ref' && (b as JsonObject)['Ref'] === 'AWS::NoValue'));
    const words = branches.map((b) => intrinsicWords(b, depth + 1));
    if (words.length > 0 && words.every((w): w is string => w !== undefined)) return [...new Set(words)].join(' or ');
  }
  return undefined;
}

function portsText(protocol: 'tcp' | 'udp', from: unknown, to: unknown): string {
  const upper = protocol.toUpperCase();
  const f = literalInt(from);
  const t = literalInt(to);
  if (from === undefined && to === undefined) return `All ${upper}`;
  if (f !== undefined && t !== undefined) {
    if (f === -1 || t === -1 || (f <= 0 && t >= 65535)) return `All ${upper}`;
    if (f === t) {
      const name = (protocol === 'tcp' ? TCP_PORTS : UDP_PORTS)[f];
      return name ? `${name} (${protocol}/${f})` : `${protocol}/${f}`;
    }
    return `${protocol}/${f}-${t}`;
  }
  // Ports from parameters or other intrinsics: say where they come from.
  const fw = f !== undefined ? String(f) : intrinsicWords(from) ?? 'configured port';
  const tw = t !== undefined ? String(t) : intrinsicWords(to) ?? 'configured port';
  return fw === tw ? `${protocol}/${fw}` : `${protocol}/${fw}-${tw}`;
}

function icmpText(v6: boolean, type: unknown, code: unknown): string {
  const label = v6 ? 'ICMPv6' : 'ICMP';
  const ty = literalInt(type);
  const co = literalInt(code);
  if (type === undefined || ty === -1) return `All ${label}`;
  if (ty === undefined) return label;
  const named = v6 ? undefined : ICMP_TYPES[ty];
  const base = named ?? `${label} type ${ty}`;
  return co === undefined || co === -1 ? base : `${base} code ${co}`;
}

function trafficText(rule: JsonObject): string {
  const protocol = protocolOf(rule['IpProtocol']);
  switch (protocol.k) {
    case 'all':
      return 'All traffic';
    case 'tcp':
    case 'udp':
      return portsText(protocol.k, rule['FromPort'], rule['ToPort']);
    case 'icmp':
    case 'icmpv6':
      return icmpText(protocol.k === 'icmpv6', rule['FromPort'], rule['ToPort']);
    case 'number':
      return OTHER_PROTOCOLS[protocol.n] ?? `IP protocol ${protocol.n}`;
    case 'unknown': {
      const words = intrinsicWords(rule['IpProtocol']);
      return words ? `Protocol ${words}` : 'Traffic';
    }
  }
}

const PEER_KEYS: Readonly<Record<Direction, ReadonlyArray<[string, string]>>> = {
  // [property, words for a peer we cannot name]
  ingress: [
    ['CidrIp', 'CIDR range'],
    ['CidrIpv6', 'IPv6 CIDR range'],
    ['SourceSecurityGroupId', 'security group'],
    ['SourceSecurityGroupName', 'security group'],
    ['SourcePrefixListId', 'prefix list'],
  ],
  egress: [
    ['CidrIp', 'CIDR range'],
    ['CidrIpv6', 'IPv6 CIDR range'],
    ['DestinationSecurityGroupId', 'security group'],
    ['DestinationPrefixListId', 'prefix list'],
  ],
};

function peerText(rule: JsonObject, direction: Direction): string | undefined {
  for (const [key, generic] of PEER_KEYS[direction]) {
    if (!hasOwn(rule, key)) continue;
    const v = rule[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    return intrinsicWords(v) ?? generic;
  }
  return undefined;
}

/**
 * A description of a rule from its protocol, ports and peer, e.g. `HTTPS (tcp/443) from 0.0.0.0/0`,
 * `MySQL/Aurora (tcp/3306) from EC2SecurityGroup`, `All traffic to 0.0.0.0/0`,
 * `tcp/8000-8080 from 10.0.0.0/16`. The peer is the CIDR or prefix list as written, or the
 * logical id / parameter name a Ref or GetAtt names. Always within EC2's character set and length.
 */
export function describeRule(rule: JsonObject, direction: Direction): string {
  const peer = peerText(rule, direction);
  const text = trafficText(rule) + (peer ? ` ${direction === 'ingress' ? 'from' : 'to'} ${peer}` : '');
  return safeDescription(text) || (direction === 'ingress' ? 'Inbound rule' : 'Outbound rule');
}

// ---------------------------------------------------------------------------------------------
// What a group's names say it is for

/**
 * Words that, in a security group's names, give it to something other than a Lambda function:
 * a web or application tier, a load balancer, instances, a database, a cache, containers, a file
 * system, an endpoint. "app" and "application" alone also name Lambda applications, so they
 * count only in the phrases below.
 */
const ROLE_WORDS = new Set([
  'web', 'www', 'webserver', 'webservers', 'frontend', 'appserver', 'appservers',
  'alb', 'elb', 'nlb', 'lb', 'loadbalancer',
  'ec2', 'instance', 'instances', 'bastion', 'jumpbox', 'jumphost', 'nat',
  'db', 'database', 'databases', 'rds', 'aurora', 'mysql', 'mariadb', 'postgres', 'postgresql', 'redshift',
  'cache', 'redis', 'memcached', 'elasticache',
  'ecs', 'eks', 'fargate', 'container', 'containers', 'kubernetes', 'k8s',
  'efs', 'nfs', 'opensearch', 'elasticsearch', 'kafka', 'msk', 'emr',
  'endpoint', 'endpoints', 'vpce',
]);
const ROLE_PHRASES: ReadonlyArray<readonly [string, string]> = [
  ['load', 'balancer'], ['load', 'balancers'],
  ['app', 'tier'], ['application', 'tier'], ['app', 'server'], ['app', 'servers'], ['application', 'server'], ['application', 'servers'],
];
const LAMBDA_WORDS = new Set(['lambda', 'lambdas', 'function', 'functions', 'fn', 'serverless']);

/** The literal text of a name: a string, or the fixed parts of a Fn::Sub or Fn::Join (never what a variable holds). */
function literalText(v: unknown, depth = 0): string {
  if (typeof v === 'string') return v;
  if (depth > 4) return '';
  const name = intrinsicName(v);
  const arg = name ? (v as JsonObject)[name] : undefined;
  if (name === 'Fn::Sub') {
    const text = Array.isArray(arg) ? arg[0] : arg;
    return typeof text === 'string' ? text.replace(/\$\{[^}]*\}/g, ' ') : '';
  }
  if (name === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) return arg[1].map((part) => literalText(part, depth + 1)).join(' ');
  return '';
}

/** Lower-case words of a name, splitting camelCase and acronyms (`ALBSecurityGroup` -> alb, security, group). */
function words(text: string): string[] {
  return text
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function roleIn(ws: readonly string[]): string | undefined {
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    if (ROLE_WORDS.has(w)) return w;
    // `DBSG`, `RDSSG`: an acronym run into the group's own abbreviation.
    if (w.endsWith('sg') && ROLE_WORDS.has(w.slice(0, -2))) return w.slice(0, -2);
    const phrase = ROLE_PHRASES.find(([a, b]) => a === w && b === ws[i + 1]);
    if (phrase) return phrase.join(' ');
  }
  return undefined;
}

/** Another role a security group's names give it, and which name says so. */
export interface NamedRole {
  role: string;
  /** `logical id`, `GroupName`, `GroupDescription` or `Name tag`. */
  source: string;
}

/**
 * The role other than a Lambda function that the logical id, GroupName, GroupDescription or Name
 * tag of security group `id` names, if any. A name that also mentions Lambda or a function is
 * the function's own (`Lambda access to the database` names what the function reaches), so
 * each name is read on its own and only one that names another role without Lambda counts.
 */
export function otherRoleNamed(t: Template, id: string): NamedRole | undefined {
  const props = asObject(asObject(asObject(t.Resources)?.[id])?.['Properties']) ?? {};
  const tags = Array.isArray(props['Tags']) ? props['Tags'] : [];
  const nameTag = tags.map((tag) => asObject(tag)).find((tag) => tag?.['Key'] === 'Name')?.['Value'];
  const names: Array<[string, string]> = [
    ['logical id', id],
    ['GroupName', literalText(props['GroupName'])],
    ['GroupDescription', literalText(props['GroupDescription'])],
    ['Name tag', literalText(nameTag)],
  ];
  for (const [source, text] of names) {
    const ws = words(text);
    if (ws.some((w) => LAMBDA_WORDS.has(w))) continue;
    const role = roleIn(ws);
    if (role) return { role, source };
  }
  return undefined;
}
