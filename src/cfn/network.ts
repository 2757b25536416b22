// Security group rules as the security-group transforms (lambda-dedicated-sg, sg-rule-descriptions)
// read them: which template group a value names, every inline and standalone rule, and a rule
// described in words AWS accepts as a rule Description. Pure and tolerant: intrinsics, missing
// properties and odd shapes give "unknown" answers, never exceptions.
import type { JsonObject, JsonValue, Template } from '../types.js';
import { branchesOf, isNoValue, propertyValues, resources, targetOfValue, type ResourceView } from './query.js';
import { hasOwn, intrinsicName, isIntrinsic, resolve } from './values.js';

export const SECURITY_GROUP = 'AWS::EC2::SecurityGroup';
export const SECURITY_GROUP_INGRESS = 'AWS::EC2::SecurityGroupIngress';
export const SECURITY_GROUP_EGRESS = 'AWS::EC2::SecurityGroupEgress';

/** How a value names a template security group: `Ref SG`, or `GetAtt SG.GroupId` (either written form). */
export interface GroupRef {
  id: string;
  form: 'Ref' | 'GetAtt';
}

/**
 * The template security group a value names as a group id: a reference (see `resolve`) to an
 * AWS::EC2::SecurityGroup of the template, by Ref or by its GroupId attribute.
 */
export function securityGroupRef(t: Template, v: unknown): GroupRef | undefined {
  const target = targetOfValue(t, v);
  if (target.kind !== 'resource' || target.view.type !== SECURITY_GROUP) return undefined;
  if (target.attribute === undefined) return { id: target.id, form: 'Ref' };
  return target.attribute === 'GroupId' ? { id: target.id, form: 'GetAtt' } : undefined;
}

export type Direction = 'ingress' | 'egress';

/** One security group rule, wherever it is written. */
export interface RuleEntry {
  direction: Direction;
  /** Inline: an item of a SecurityGroup's SecurityGroupIngress/Egress; standalone: a rule resource. */
  kind: 'inline' | 'standalone';
  /** The rule object (inline item, or the standalone resource's Properties). */
  rule: Readonly<JsonObject>;
  /** JSON pointer of the rule object. */
  pointer: string;
  /** The SecurityGroup resource (inline) or the rule resource (standalone). */
  resource: ResourceView;
  /** Logical id of {@link resource}. */
  resourceId: string;
  /** The group the rule belongs to, when it is a template SecurityGroup (inline: always). */
  groupId?: string;
  /** Inline rules: pointer of the list the rule is an item of (the list that can take a twin). */
  listPointer?: string;
  /** Inline rules: the list item as written (the rule, or an Fn::If holding it). */
  item?: JsonValue;
}

/**
 * Every inline and standalone security group rule, in template order. Inline lists written as
 * `Fn::If` are followed into both branches; items that are themselves `Fn::If` are followed
 * into their object branches. Anything else that is not a plain object is skipped.
 */
export function securityGroupRules(t: Template): RuleEntry[] {
  const out: RuleEntry[] = [];
  for (const view of resources(t, SECURITY_GROUP, SECURITY_GROUP_INGRESS, SECURITY_GROUP_EGRESS)) {
    if (!view.properties) continue;
    if (view.type === SECURITY_GROUP) {
      for (const [key, direction] of [['SecurityGroupIngress', 'ingress'], ['SecurityGroupEgress', 'egress']] as const) {
        for (const list of propertyValues(view, key)) {
          if (!Array.isArray(list.value)) continue;
          list.value.forEach((item, i) => {
            for (const branch of branchesOf(item, `${list.pointer}/${i}`)) {
              if (!isRule(branch.value)) continue;
              out.push({ direction, kind: 'inline', rule: branch.value, pointer: branch.pointer, resource: view, resourceId: view.id, groupId: view.id, listPointer: list.pointer, item });
            }
          });
        }
      }
    } else {
      const direction: Direction = view.type === SECURITY_GROUP_INGRESS ? 'ingress' : 'egress';
      const entry: RuleEntry = { direction, kind: 'standalone', rule: view.properties, pointer: view.propertiesPointer, resource: view, resourceId: view.id };
      const owner = securityGroupRef(t, view.properties['GroupId']);
      if (owner) entry.groupId = owner.id;
      out.push(entry);
    }
  }
  return out;
}

function isRule(v: JsonValue): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !isIntrinsic(v);
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
const MAX_DESCRIPTION_LENGTH = 255;

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
  const name = intrinsicName(v);
  if (name === 'Ref' || name === 'Fn::GetAtt') {
    const r = resolve(v);
    if ((r.kind === 'ref' || r.kind === 'getatt') && !r.target.startsWith('AWS::')) return r.kind === 'getatt' && /Port$/.test(r.attribute) ? `${r.target} port` : r.target;
  }
  const arg = name ? (v as JsonObject)[name] : undefined;
  if (name === 'Fn::ImportValue' && typeof arg === 'string') return arg;
  if (name === 'Fn::FindInMap' && Array.isArray(arg) && typeof arg[0] === 'string') {
    return typeof arg[2] === 'string' ? `${arg[0]}.${arg[2]}` : arg[0];
  }
  if (name === 'Fn::If' && Array.isArray(arg) && arg.length === 3) {
    const branches = [arg[1], arg[2]].filter((b) => !isNoValue(b));
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

function trafficText(rule: Readonly<JsonObject>): string {
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

function peerText(rule: Readonly<JsonObject>, direction: Direction): string | undefined {
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
export function describeRule(rule: Readonly<JsonObject>, direction: Direction): string {
  const peer = peerText(rule, direction);
  const text = trafficText(rule) + (peer ? ` ${direction === 'ingress' ? 'from' : 'to'} ${peer}` : '');
  return safeDescription(text) || (direction === 'ingress' ? 'Inbound rule' : 'Outbound rule');
}
