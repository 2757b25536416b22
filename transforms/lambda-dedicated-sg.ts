import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf } from '../src/cfn/graph.js';
import {
  describeRule,
  safeDescription,
  SECURITY_GROUP,
  SECURITY_GROUP_EGRESS,
  SECURITY_GROUP_INGRESS,
  securityGroupRef,
  securityGroupRules,
  type GroupRef,
  type RuleEntry,
} from '../src/cfn/network.js';
import { parsePointer, pointer } from '../src/cfn/pointer.js';
import { isNoValue, property, resource, resources, type ResourceView } from '../src/cfn/query.js';
import { allReferences, namesLeftUnused, referencesTo } from '../src/cfn/template.js';
import { asObject, cloneJson, deepEqual, hasOwn, intrinsicName } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

const LAMBDA_TYPES = ['AWS::Lambda::Function', 'AWS::Serverless::Function'];
const ALLOW_ALL_EGRESS: JsonObject = { IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'All outbound traffic' };
/** Matches no traffic (ICMP type 252 code 86 to a broadcast address): an egress list that is not empty, so EC2 adds no allow-all rule. */
const NO_OTHER_EGRESS: JsonObject = { IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32', Description: 'No other outbound traffic' };
/** Keys of an egress rule (AWS::EC2::SecurityGroup Egress); a standalone rule's GroupId is dropped. */
const EGRESS_KEYS = ['IpProtocol', 'FromPort', 'ToPort', 'CidrIp', 'CidrIpv6', 'DestinationPrefixListId', 'DestinationSecurityGroupId', 'Description'];

type Use = 'lambda' | 'ec2' | 'rule' | 'other';

interface GroupFacts {
  id: string;
  view: ResourceView;
  lambdaUsers: Set<string>;
  ec2Users: Set<string>;
  otherUsers: Set<string>;
  /** Outputs with an Export that name the group: other stacks may use it by that export. */
  exportedBy: Set<string>;
  /** Another role the group's names give it (web tier, database...), though only Lambda uses it here. */
  role: NamedRole | undefined;
  ingress: RuleEntry[];
  /** Inline SecurityGroupIngress is present and not a plain list (an intrinsic). */
  opaqueIngress: boolean;
}

/** What a reference to a security group at `at` is: a consumer (Lambda, EC2, other) or part of a rule. */
function useAt(t: Template, at: string): { use: Use; id: string } {
  let segments: string[];
  try {
    segments = parsePointer(at);
  } catch {
    return { use: 'other', id: '' };
  }
  const [section, id = '', props, ...rest] = segments;
  if (section === 'Outputs') return { use: 'other', id: `output ${id}` };
  if (section !== 'Resources') return { use: 'other', id: section ?? '' };
  if (props !== 'Properties') return { use: 'other', id };
  const [a, b, c, d] = rest;
  switch (resource(t, id)?.type) {
    case 'AWS::Lambda::Function':
    case 'AWS::Serverless::Function':
      return { use: a === 'VpcConfig' && b === 'SecurityGroupIds' ? 'lambda' : 'other', id };
    case 'AWS::EC2::Instance':
      return { use: a === 'SecurityGroupIds' || a === 'SecurityGroups' || (a === 'NetworkInterfaces' && c === 'GroupSet') ? 'ec2' : 'other', id };
    case 'AWS::EC2::LaunchTemplate':
      return {
        use: a === 'LaunchTemplateData' && (b === 'SecurityGroupIds' || b === 'SecurityGroups' || (b === 'NetworkInterfaces' && d === 'Groups')) ? 'ec2' : 'other',
        id,
      };
    case 'AWS::AutoScaling::LaunchConfiguration':
      return { use: a === 'SecurityGroups' ? 'ec2' : 'other', id };
    case SECURITY_GROUP_INGRESS:
    case SECURITY_GROUP_EGRESS:
      return { use: 'rule', id };
    case SECURITY_GROUP:
      return { use: a === 'SecurityGroupIngress' || a === 'SecurityGroupEgress' ? 'rule' : 'other', id };
    default:
      return { use: 'other', id };
  }
}

function groupFacts(t: Template, rules: RuleEntry[]): Map<string, GroupFacts> {
  const facts = new Map<string, GroupFacts>();
  for (const view of resources(t, SECURITY_GROUP)) {
    const ingress = property(view, 'SecurityGroupIngress')?.value;
    facts.set(view.id, {
      id: view.id,
      view,
      lambdaUsers: new Set(),
      ec2Users: new Set(),
      otherUsers: new Set(),
      exportedBy: new Set(),
      role: otherRoleNamed(view),
      ingress: [],
      opaqueIngress: ingress !== undefined && !Array.isArray(ingress) && !isNoValue(ingress),
    });
  }
  for (const ref of allReferences(t)) {
    const group = facts.get(ref.target);
    if (!group || ref.kind === 'DependsOn' || ref.kind === 'Condition' || ref.kind === 'FindInMap') continue;
    const { use, id } = useAt(t, ref.pointer);
    if (use === 'lambda') group.lambdaUsers.add(id);
    else if (use === 'ec2') group.ec2Users.add(id);
    else if (use === 'other') group.otherUsers.add(id);
    const output = exportingOutput(t, ref.pointer);
    if (output !== undefined) group.exportedBy.add(output);
  }
  for (const rule of rules) {
    if (rule.direction === 'ingress' && rule.groupId !== undefined) facts.get(rule.groupId)?.ingress.push(rule);
  }
  return facts;
}

/** The output with an Export that the reference at `at` is written in, if any. */
function exportingOutput(t: Template, at: string): string | undefined {
  if (!at.startsWith('/Outputs/')) return undefined;
  const [, name] = parsePointer(at);
  return name !== undefined && asObject(asObject(t.Outputs)?.[name])?.['Export'] !== undefined ? name : undefined;
}

const hasIngress = (g: GroupFacts): boolean => g.ingress.length > 0 || g.opaqueIngress;
/**
 * A group whose members include something other than Lambda functions, so its ingress is real:
 * an instance uses it, or it has inbound rules and something else uses it or its names give it
 * to another role (a web-tier group whose instances another stack launches).
 */
const isShared = (g: GroupFacts): boolean => g.ec2Users.size > 0 || (hasIngress(g) && (g.otherUsers.size > 0 || g.role !== undefined));

/** Why a shared group is shared, for the finding. */
function sharedBecause(g: GroupFacts): string {
  if (g.ec2Users.size > 0) return `${g.id} (also used by ${list(g.ec2Users)})`;
  if (g.otherUsers.size > 0) return `${g.id} (which admits inbound traffic and is also used by ${list(g.otherUsers)})`;
  return `${g.id} (which admits inbound traffic and whose ${g.role!.source} names another role: ${g.role!.role})`;
}

/** A reference to `id` written the way `like` names its group (Ref stays Ref, GetAtt GroupId stays GetAtt). */
function sameFormRef(like: GroupRef, id: string): JsonObject {
  return like.form === 'Ref' ? { Ref: id } : { 'Fn::GetAtt': [id, 'GroupId'] };
}

const sameJson = (a: unknown, b: unknown): boolean => deepEqual(a, b, { keyOrder: true });

interface EgressRule {
  rule: JsonValue;
  /** The Condition of the standalone rule it copies. */
  condition?: string;
}

/**
 * The egress the dedicated group needs to keep what the function could reach: allow-all when
 * any replaced group allows all outbound IPv4 traffic (the default of a group with no egress
 * rule), else the union of the replaced groups' egress rules; a lone intrinsic is kept as it is.
 * Undefined when a group's egress is an intrinsic that cannot be merged.
 */
function egressFor(groups: GroupFacts[], rules: RuleEntry[]): EgressRule[] | { intrinsic: JsonValue } | undefined {
  const collected: EgressRule[] = [];
  for (const group of groups) {
    const inline = property(group.view, 'SecurityGroupEgress')?.value;
    const standalone = rules.filter((r) => r.kind === 'standalone' && r.direction === 'egress' && r.groupId === group.id);
    if ((inline === undefined || isNoValue(inline)) && standalone.length === 0) return [{ rule: cloneJson(ALLOW_ALL_EGRESS) }];
    if (inline !== undefined && !isNoValue(inline)) {
      if (!Array.isArray(inline)) {
        if (groups.length > 1 || standalone.length > 0) return undefined;
        return { intrinsic: cloneJson(inline) };
      }
      collected.push(...inline.map((r) => ({ rule: cloneJson(r) })));
    }
    for (const r of standalone) {
      const copy: JsonObject = {};
      for (const key of EGRESS_KEYS) if (hasOwn(r.rule, key)) copy[key] = cloneJson(r.rule[key]!);
      const condition = r.resource.condition;
      collected.push(condition !== undefined ? { rule: copy, condition } : { rule: copy });
    }
  }
  const allowsAll = collected.some(({ rule }) => {
    const o = asObject(rule);
    return o !== undefined && String(o['IpProtocol']) === '-1' && o['CidrIp'] === '0.0.0.0/0';
  });
  const bare = (r: JsonValue) => (asObject(r) ? { ...asObject(r), Description: undefined } : r);
  const unique: EgressRule[] = [];
  for (const r of collected) if (!unique.some((u) => sameJson(bare(u.rule), bare(r.rule)))) unique.push(r);
  if (allowsAll && unique.every(({ rule }) => asObject(rule)?.['CidrIpv6'] === undefined)) return [{ rule: cloneJson(ALLOW_ALL_EGRESS) }];
  return unique;
}

/**
 * The egress rules written inline, and those (to `standalone` groups) written as
 * AWS::EC2::SecurityGroupEgress resources because the group they name will name the dedicated
 * group inline: two groups whose inline rules name each other depend on each other, which
 * CloudFormation rejects.
 */
function splitEgress(t: Template, egress: EgressRule[], standalone: (group: string) => boolean): { inline: JsonValue[]; outside: Array<{ rule: JsonObject; group: string; condition?: string }> } {
  const inline: JsonValue[] = [];
  const outside: Array<{ rule: JsonObject; group: string; condition?: string }> = [];
  for (const { rule, condition } of egress) {
    const o = asObject(rule);
    const group = o && !intrinsicName(o) ? securityGroupRef(t, o['DestinationSecurityGroupId'])?.id : undefined;
    if (group !== undefined && standalone(group)) outside.push(condition ? { rule: o!, group, condition } : { rule: o!, group });
    else inline.push(condition ? { 'Fn::If': [condition, rule, { Ref: 'AWS::NoValue' }] } : rule);
  }
  // Without an inline rule EC2 would add its default allow-all rule next to the standalone ones.
  if (inline.length === 0 && outside.length > 0) inline.push(cloneJson(NO_OTHER_EGRESS));
  return { inline, outside };
}

/** Adds the twin of a rule, admitting the dedicated group `newId`. */
type Twin = (fixer: Fixer, newId: string) => void;

/**
 * The rule that admits the dedicated group wherever `rule` admits one of the replaced groups.
 * Inline rules get a sibling item in the same list (wrapped in the same Fn::If when the rule was
 * a conditional item); standalone rules get a sibling resource. Undefined when the rule sits
 * somewhere a twin cannot be placed safely.
 */
function twinOf(rule: RuleEntry, source: GroupRef, functionId: string): Twin | undefined {
  const twin = (newId: string): JsonObject => {
    const copy: JsonObject = { ...cloneJson(rule.rule as JsonObject), SourceSecurityGroupId: sameFormRef(source, newId) };
    delete copy['Description'];
    copy['Description'] = describeRule(copy, 'ingress');
    return copy;
  };
  if (rule.kind === 'inline') {
    const list = rule.listPointer!;
    const rest = rule.pointer.slice(list.length + 1).split('/');
    if (rest.length === 1) return (fixer, newId) => fixer.append(list, twin(newId));
    const arg = asObject(rule.item)?.['Fn::If'];
    if (rest.length !== 3 || rest[1] !== 'Fn::If' || !Array.isArray(arg) || typeof arg[0] !== 'string') return undefined;
    const condition = arg[0];
    const noValue = { Ref: 'AWS::NoValue' };
    return (fixer, newId) => fixer.append(list, { 'Fn::If': rest[2] === '1' ? [condition, twin(newId), noValue] : [condition, noValue, twin(newId)] });
  }
  return (fixer, newId) => {
    const copy: JsonObject = { Type: SECURITY_GROUP_INGRESS };
    if (rule.resource.condition !== undefined) copy['Condition'] = rule.resource.condition;
    if (rule.resource.resource.DependsOn !== undefined) copy['DependsOn'] = cloneJson(rule.resource.resource.DependsOn as JsonValue);
    copy['Properties'] = twin(newId);
    fixer.addResource(`${rule.resourceId}For${functionId}`, copy);
  };
}

function list(ids: Iterable<string>): string {
  return [...ids].sort().join(', ');
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
interface NamedRole {
  role: string;
  /** `logical id`, `GroupName`, `GroupDescription` or `Name tag`. */
  source: string;
}

/**
 * The role other than a Lambda function that the logical id, GroupName, GroupDescription or Name
 * tag of a security group names, if any. A name that also mentions Lambda or a function is the
 * function's own (`Lambda access to the database` names what the function reaches), so each
 * name is read on its own and only one that names another role without Lambda counts.
 */
function otherRoleNamed(group: ResourceView): NamedRole | undefined {
  const tags = property(group, 'Tags')?.value;
  const nameTag = (Array.isArray(tags) ? tags : []).map((tag) => asObject(tag)).find((tag) => tag?.['Key'] === 'Name')?.['Value'];
  const names: Array<[string, string]> = [
    ['logical id', group.id],
    ['GroupName', literalText(property(group, 'GroupName')?.value)],
    ['GroupDescription', literalText(property(group, 'GroupDescription')?.value)],
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

export default defineTransform({
  meta: {
    id: 'lambda-dedicated-sg',
    title: 'Give VPC Lambda functions a dedicated security group',
    severity: 'medium',
    safety: 'safe',
    seeds: ['000#7'],
    equivalents: [],
    defaultOptions: {},
    docs: `## Why
A Lambda function attached to a VPC through a security group it shares with EC2 instances (or
with a database, an endpoint, a cache) inherits that group's inbound rules — which a function
never uses, since Lambda does not accept inbound connections on its VPC interfaces — and its
reach changes whenever someone edits the group for the instances. Flow logs and rules can no
longer tell the function's traffic from the instances'. A dedicated group with no inbound rules is
least privilege and keeps the two independent.

## Fix
For each function (\`AWS::Lambda::Function\`, \`AWS::Serverless::Function\`) whose
\`VpcConfig.SecurityGroupIds\` names a template security group that is shared — used by an
\`AWS::EC2::Instance\`, \`AWS::EC2::LaunchTemplate\` or \`AWS::AutoScaling::LaunchConfiguration\`, or
having inbound rules and either used by anything else that is not a Lambda function (an output
counts) or named for another role:

- adds \`<Function>SecurityGroup\` (\`AWS::EC2::SecurityGroup\`) in the same VPC (\`VpcId\` copied),
  with a \`GroupDescription\`, no inbound rules, and the outbound rules the function had: allow-all
  (\`-1\` to \`0.0.0.0/0\`, "All outbound traffic") when the shared group allowed all outbound
  traffic (explicitly or by having no egress rule), otherwise a copy of the shared group's inline
  and standalone egress rules — restricting egress was a decision, and the function keeps it (a
  standalone rule with a \`Condition\` is copied inside \`Fn::If\` on that condition);
- replaces the shared group in the function's list by the new one, written the way the template
  wrote the old one (\`Ref\` or \`Fn::GetAtt ... GroupId\`);
- keeps connectivity: every rule that admits the shared group as source
  (\`SourceSecurityGroupId\` of an inline rule, also on the shared group itself, or of an
  \`AWS::EC2::SecurityGroupIngress\`) gets a twin admitting the new group — an item added to the
  same list, or a new \`AWS::EC2::SecurityGroupIngress\` (same \`Condition\`) — so a database
  that admitted the EC2 group on 3306 still admits the function.

A copied egress rule to a group that admits the new group through an inline rule (a twin, or a
group that depends on one) becomes a standalone \`AWS::EC2::SecurityGroupEgress\`
(\`<Function>To<Group>Egress\`) instead of an inline item: two groups whose inline rules name each
other depend on each other, which CloudFormation rejects — AWS's advice for rules between groups.
Other rules stay inline, where the template reads them most easily. If no inline rule is left, the
group keeps one that matches no traffic (ICMP type 252 code 86 to 255.255.255.255/32, "No other
outbound traffic"): with an empty inline list EC2 would add its allow-all rule next to the
standalone ones.

The catalogue's ideal answer only creates the group; without the twins the function would lose
its database access on deployment. The twins keep everything the function could reach, which may
be more than it needs (a secret-rotation function sharing an ECS group also gets the cache and
file-system rules): review them and drop what the function does not use.

A group is *named for another role* when its logical id, \`GroupName\`, \`GroupDescription\` or
\`Name\` tag names a web or application tier, a load balancer, instances, a bastion, a database, a
cache, containers, a file system or an endpoint ("Security group for web tier", \`ALBSecurityGroup\`,
\`sg-db-\${Env}\`; only the literal parts of a \`Fn::Sub\` or \`Fn::Join\` are read). Such a group
serves that role even when this template only attaches a Lambda function to it: the instances or
the database may be launched by another stack. The function gets its dedicated group as above and
the group keeps its rules. Each name is read on its own, and one that also names Lambda or a
function is the function's own ("Lambda access to the database" says what it reaches). "App"
alone names Lambda applications as often as an application tier, so only "app tier" and "app
server" count.

A group used **only** by Lambda functions, not named for another role and not exported, but
carrying inbound rules is already dedicated; a new group would orphan it. Its inbound rules are
reported instead, with an unsafe fix that removes them (the inline \`SecurityGroupIngress\` and
unreferenced standalone ingress resources).

## Fix safety
Safe. Changing \`VpcConfig.SecurityGroupIds\` updates the function in place; it reaches everything
it reached before, through the twins and the copied egress. A function whose shared group has a
\`Condition\`, or whose rules cannot be twinned (rules nested deeper in \`Fn::If\`, egress given by an
intrinsic shared by several groups), is reported without a fix. Removing the inbound rules of a
Lambda-only group is marked unsafe: nothing in the template uses them, but something outside it
might use the group by id. When a parameter, condition or mapping is used only by those rules, they
are reported without a fix: removing the parameter too would break deployments that pass it, and
keeping it alone would leave it unused (cfn-lint W2001; W8001 and W7001 for conditions and
mappings). A rule that takes its CIDR from a parameter was meant to be set at deployment.

A group an output exports (\`Export\`) is never stripped, and the dedicated-group fix for a function
using it is unsafe: a stack that imports the group may admit it in its own rules or attach other
members to it, and the twins cover only this template's rules.

## Options
None.
`,
  },
  check({ template: t }) {
    const findings: Finding[] = [];
    const fixer = new Fixer(t);
    const rules = securityGroupRules(t);
    const facts = groupFacts(t, rules);

    for (const fn of resources(t, ...LAMBDA_TYPES)) {
      const groupList = property(fn, 'VpcConfig', 'SecurityGroupIds');
      if (!groupList || !Array.isArray(groupList.value)) continue;
      const ids = groupList.value;
      const shared: Array<{ index: number; ref: GroupRef; group: GroupFacts }> = [];
      ids.forEach((entry, index) => {
        const ref = securityGroupRef(t, entry);
        const group = ref ? facts.get(ref.id) : undefined;
        if (ref && group && isShared(group) && !shared.some((s) => s.ref.id === ref.id)) shared.push({ index, ref, group });
      });
      if (shared.length === 0) continue;

      const first = shared[0]!;
      const why = shared.map(({ group }) => sharedBecause(group)).join(' and ');
      const message = `Lambda function ${fn.id} shares security group ${why}; give it a dedicated group without inbound rules`;
      const at = `${groupList.pointer}/${first.index}`;

      const conditional = shared.find(({ group }) => group.view.condition !== undefined);
      if (conditional) {
        findings.push({ pointer: at, message: `${message} (not fixed: ${conditional.ref.id} has a Condition)`, messageId: 'sharedGroupConditional' });
        continue;
      }
      const replaced = shared.map((s) => s.ref.id);
      const egress = egressFor(shared.map((s) => s.group), rules);
      if (!egress) {
        findings.push({ pointer: at, message: `${message} (not fixed: the shared groups' egress cannot be merged)`, messageId: 'sharedGroupEgressUnmergeable' });
        continue;
      }

      const twins: Twin[] = [];
      // Groups that will admit the dedicated group through an inline rule, so depend on it.
      const admitting = new Set<string>();
      let twinsOk = true;
      for (const rule of rules) {
        if (rule.direction !== 'ingress') continue;
        const source = securityGroupRef(t, rule.rule['SourceSecurityGroupId']);
        if (!source || !replaced.includes(source.id)) continue;
        const twin = twinOf(rule, source, fn.id);
        if (!twin) {
          twinsOk = false;
          break;
        }
        if (rule.kind === 'inline') admitting.add(rule.resourceId);
        twins.push(twin);
      }
      if (!twinsOk) {
        findings.push({ pointer: at, message: `${message} (not fixed: a rule admitting it is nested too deep in Fn::If to be twinned)`, messageId: 'sharedGroupRuleTooDeep' });
        continue;
      }

      const properties: JsonObject = {
        GroupDescription: safeDescription(`Dedicated security group for Lambda function ${fn.id}, no inbound rules`),
      };
      const vpcId = property(first.group.view, 'VpcId')?.value;
      if (vpcId !== undefined) properties['VpcId'] = vpcId;
      let outside: ReturnType<typeof splitEgress>['outside'] = [];
      if ('intrinsic' in egress) {
        properties['SecurityGroupEgress'] = egress.intrinsic;
      } else {
        const reachesAdmitting = (group: string) => admitting.has(group) || [...dependenciesOf(t, group)].some((d) => admitting.has(d));
        const split = splitEgress(t, egress, reachesAdmitting);
        properties['SecurityGroupEgress'] = split.inline;
        outside = split.outside;
      }
      const newId = fixer.addResource(`${fn.id}SecurityGroup`, { Type: SECURITY_GROUP, Properties: properties });
      for (const { rule, group, condition } of outside) {
        const value: JsonObject = { Type: SECURITY_GROUP_EGRESS };
        if (condition) value['Condition'] = condition;
        value['Properties'] = { GroupId: sameFormRef(first.ref, newId), ...rule };
        fixer.addResource(`${fn.id}To${group}Egress`, value);
      }
      for (const twin of twins) twin(fixer, newId);
      fixer.set(at, sameFormRef(first.ref, newId));
      // Every other entry naming a replaced group (another shared group, or the same one twice) goes.
      const others = ids
        .map((entry, index) => ({ index, ref: securityGroupRef(t, entry) }))
        .filter(({ index, ref }) => index !== first.index && ref !== undefined && replaced.includes(ref.id))
        .map(({ index }) => index)
        .sort((a, b) => b - a);
      for (const index of others) fixer.remove(`${groupList.pointer}/${index}`);
      // Twins reach only this template's rules; a stack importing the group may admit it too.
      const exported = shared.filter(({ group }) => group.exportedBy.size > 0);
      if (exported.length > 0) {
        const by = exported.map(({ group }) => `${group.id} is exported by output ${list(group.exportedBy)}`).join(' and ');
        findings.push({
          pointer: at,
          message: `${message} (unsafe: ${by}; a stack that imports it may admit it, and the function would lose that access)`,
          messageId: 'sharedGroupExported',
          fix: fixer.unsafe().take(),
        });
      } else {
        findings.push({ pointer: at, message, messageId: 'sharedGroup', fix: fixer.take() });
      }
    }

    // Groups used only by Lambda functions that still carry inbound rules.
    for (const group of facts.values()) {
      if (group.lambdaUsers.size === 0 || isShared(group) || !hasIngress(group) || group.otherUsers.size > 0) continue;
      const inline = property(group.view, 'SecurityGroupIngress');
      const standalone = group.ingress.filter((r) => r.kind === 'standalone');
      const message = `Security group ${group.id} is used only by Lambda functions (${list(group.lambdaUsers)}), which never accept inbound connections, yet it has inbound rules; remove them`;
      const removed = [...(inline ? [inline.pointer] : []), ...standalone.map((r) => r.resource.pointer)];
      const findingPointer = inline?.pointer ?? standalone[0]?.pointer ?? group.view.pointer;
      if (standalone.some((r) => referencesTo(t, r.resourceId).length > 0)) {
        findings.push({ pointer: findingPointer, message, messageId: 'lambdaOnlyIngress' });
        continue;
      }
      // Removing a parameter breaks deployments that pass it; keeping it unused is a cfn-lint warning.
      const orphans = namesLeftUnused(t, removed);
      if (orphans.length > 0) {
        const names = orphans.map(({ kind, name }) => `${kind} ${name}`).join(', ');
        findings.push({ pointer: findingPointer, message: `${message} (not fixed: removing them would leave ${names} unused)`, messageId: 'lambdaOnlyIngressLeavesUnused' });
        continue;
      }
      for (const at of removed) fixer.remove(at);
      findings.push({ pointer: findingPointer, message, messageId: 'lambdaOnlyIngress', fix: fixer.unsafe().take() });
    }
    return findings;
  },
});
