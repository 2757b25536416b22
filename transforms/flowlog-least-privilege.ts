import { defineTransform } from '../src/transform.js';
import { deepEqual } from '../src/cfn/values.js';
import { dependenciesOf, textWithoutDependencies } from '../src/cfn/graph.js';
import { pointer } from '../src/cfn/pointer.js';
import { asObject, hasOwn, resourceRef } from '../src/cfn/network.js';
import { intrinsicName, resourcesOfType } from '../src/cfn/template.js';
import type { Finding, JsonObject, JsonValue, Operation, Template } from '../src/types.js';

const FLOW_LOGS_SERVICE = /^vpc-flow-logs\.(?:amazonaws\.com|\$\{AWS::URLSuffix\})$/;
const AWS_MANAGED_POLICY = /^arn:(?:aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):iam::aws:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;
const LOGS_ARN = 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:';
const POLICY_NAME = 'VPCFlowLogsDelivery';

/** AWS managed policies far broader than log delivery: `*FullAccess` (any service), admin, power user. */
function isBroadManagedPolicy(name: string): boolean {
  return /FullAccess(?:V\d+)?$/.test(name) || name === 'AdministratorAccess' || name === 'PowerUserAccess';
}

/** Text of a string-valued node: a literal, a one-argument Fn::Sub, or a Fn::Join of literals and pseudo-parameter Refs. */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const name = intrinsicName(v);
  const arg = name ? (v as JsonObject)[name] : undefined;
  if (name === 'Fn::Sub') {
    if (typeof arg === 'string') return arg;
    if (Array.isArray(arg) && typeof arg[0] === 'string' && Object.keys(asObject(arg[1]) ?? {}).length === 0) return arg[0];
    return undefined;
  }
  if (name === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
    const parts: string[] = [];
    for (const part of arg[1]) {
      if (typeof part === 'string') parts.push(part);
      else if (intrinsicName(part) === 'Ref' && typeof (part as JsonObject)['Ref'] === 'string' && ((part as JsonObject)['Ref'] as string).startsWith('AWS::')) {
        parts.push('${' + ((part as JsonObject)['Ref'] as string) + '}');
      } else return undefined;
    }
    return parts.join(arg[0]);
  }
  return undefined;
}

function managedPolicyName(v: unknown): string | undefined {
  const text = textOf(v);
  const m = text === undefined ? null : AWS_MANAGED_POLICY.exec(text);
  return m ? m[1] : undefined;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** 'only' when every Allow statement of the trust policy admits only the flow-logs service. */
function trustOf(document: unknown): 'only' | 'mixed' | 'none' {
  const statements = asList(asObject(document)?.['Statement']);
  let flowLogs = false;
  let other = false;
  for (const s of statements) {
    const statement = asObject(s);
    if (!statement) {
      other = true;
      continue;
    }
    if (statement['Effect'] !== 'Allow') continue;
    const principal = asObject(statement['Principal']);
    if (!principal || Object.keys(principal).some((k) => k !== 'Service')) {
      other = true;
      continue;
    }
    for (const service of asList(principal['Service'])) {
      const text = textOf(service);
      if (text !== undefined && FLOW_LOGS_SERVICE.test(text)) flowLogs = true;
      else other = true;
    }
  }
  return !flowLogs ? 'none' : other ? 'mixed' : 'only';
}

/** True when `v` names role `roleId`'s ARN: `GetAtt Role.Arn` or `Sub "${Role.Arn}"`. */
function isRoleArn(v: unknown, roleId: string): boolean {
  const ref = resourceRef(v);
  if (ref) return ref.form === 'GetAtt' && ref.id === roleId && ref.attribute === 'Arn';
  return intrinsicName(v) === 'Fn::Sub' && (v as JsonObject)['Fn::Sub'] === '${' + roleId + '.Arn}';
}

const sameJson = (a: unknown, b: unknown): boolean => deepEqual(a, b, { keyOrder: true });

/**
 * Where a flow log delivers: a log group of the template, a group known by name (that may not exist
 * yet, unless `declared`), or unknown.
 */
type Target = { kind: 'resource'; id: string } | { kind: 'name'; sub: string; declared?: true } | { kind: 'any' };

/**
 * A template log group that depends on the role (its key policy names the role, say) cannot be
 * named by reference in the role's policy: each would wait for the other. Its name is used instead,
 * or every group when the name is not plain text.
 */
function targetOf(t: Template, flowLog: JsonObject, roleId: string): Target {
  const target = declaredTargetOf(t, flowLog);
  if (target.kind !== 'resource' || !dependenciesOf(t, target.id).has(roleId)) return target;
  const name = textWithoutDependencies(t, asObject(asObject(asObject(t.Resources)?.[target.id])?.['Properties'])?.['LogGroupName']);
  return name !== undefined && /^[\w./#${}:-]+$/.test(name) ? { kind: 'name', sub: name, declared: true } : { kind: 'any' };
}

function declaredTargetOf(t: Template, flowLog: JsonObject): Target {
  const logGroups = resourcesOfType(t, 'AWS::Logs::LogGroup');
  const isLogGroup = (id: string) => logGroups.some((g) => g.id === id);
  const destination = flowLog['LogDestination'];
  if (destination !== undefined) {
    const ref = resourceRef(destination);
    if (ref?.form === 'GetAtt' && ref.attribute === 'Arn' && isLogGroup(ref.id)) return { kind: 'resource', id: ref.id };
    const sub = intrinsicName(destination) === 'Fn::Sub' ? (destination as JsonObject)['Fn::Sub'] : undefined;
    const m = typeof sub === 'string' ? /^\$\{([A-Za-z0-9]+)\.Arn\}$/.exec(sub) : null;
    if (m && isLogGroup(m[1]!)) return { kind: 'resource', id: m[1]! };
    return { kind: 'any' };
  }
  const name = flowLog['LogGroupName'];
  if (name === undefined) return { kind: 'any' };
  const ref = resourceRef(name);
  if (ref?.form === 'Ref' && isLogGroup(ref.id)) return { kind: 'resource', id: ref.id };
  const named = logGroups.filter((g) => {
    const n = asObject(g.resource.Properties)?.['LogGroupName'];
    return n !== undefined && sameJson(n, name);
  });
  if (named.length === 1) return { kind: 'resource', id: named[0]!.id };
  if (typeof name === 'string' && /^[\w./#-]+$/.test(name)) return { kind: 'name', sub: name };
  if (ref?.form === 'Ref' && !ref.id.startsWith('AWS::') && hasOwn(asObject(t.Parameters), ref.id)) return { kind: 'name', sub: '${' + ref.id + '}' };
  const sub = intrinsicName(name) === 'Fn::Sub' ? (name as JsonObject)['Fn::Sub'] : undefined;
  if (typeof sub === 'string' && /^[\w./#${}:-]+$/.test(sub) && !sub.includes('${!')) return { kind: 'name', sub };
  return { kind: 'any' };
}

function arnsOf(target: Target): JsonValue[] {
  switch (target.kind) {
    case 'resource':
      // The log group itself, and (GetAtt Arn ends in ":*") every stream in it.
      return [{ 'Fn::Sub': `${LOGS_ARN}\${${target.id}}` }, { 'Fn::GetAtt': [target.id, 'Arn'] }];
    case 'name':
      return [{ 'Fn::Sub': `${LOGS_ARN}${target.sub}` }, { 'Fn::Sub': `${LOGS_ARN}${target.sub}:*` }];
    case 'any':
      return [{ 'Fn::Sub': `${LOGS_ARN}*` }];
  }
}

function uniqueJson(values: JsonValue[]): JsonValue[] {
  const out: JsonValue[] = [];
  for (const v of values) if (!out.some((o) => sameJson(o, v))) out.push(v);
  return out;
}

/** The least-privilege statements for delivering flow logs to `targets`. */
function deliveryStatements(targets: Target[]): JsonObject[] {
  const any = targets.some((x) => x.kind === 'any');
  const effective: Target[] = any ? [{ kind: 'any' }] : targets;
  const creating = effective.filter((x) => x.kind === 'any' || (x.kind === 'name' && !x.declared));
  const allCreating = creating.length === effective.length;
  const statements: JsonObject[] = [];
  const delivery = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'];
  const one = (arns: JsonValue[]): JsonValue => (arns.length === 1 ? arns[0]! : arns);
  statements.push({
    Sid: 'DeliverFlowLogs',
    Effect: 'Allow',
    Action: allCreating ? ['logs:CreateLogGroup', ...delivery] : delivery,
    Resource: one(uniqueJson(effective.flatMap(arnsOf))),
  });
  if (creating.length > 0 && !allCreating) {
    statements.push({ Sid: 'CreateFlowLogGroup', Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: one(uniqueJson(creating.flatMap(arnsOf))) });
  }
  // DescribeLogGroups is not scoped to one group: it is authorized on the account's
  // log-group:* pattern (CloudWatch Logs User Guide, "Logs sent to CloudWatch Logs").
  statements.push({ Sid: 'DescribeLogGroups', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: { 'Fn::Sub': `${LOGS_ARN}*` } });
  return statements;
}

function actionsOf(statement: JsonObject): string[] | undefined {
  const actions = asList(statement['Action']);
  return actions.every((a): a is string => typeof a === 'string') ? actions : undefined;
}

/** An Allow statement granting CloudWatch Logs wholesale (`logs:*` or `*`) on every resource. */
function isLogsWildcard(statement: JsonObject): boolean {
  if (statement['Effect'] !== 'Allow' || hasOwn(statement, 'Condition') || hasOwn(statement, 'NotAction') || hasOwn(statement, 'NotResource')) return false;
  const actions = actionsOf(statement);
  if (!actions || actions.length === 0) return false;
  if (!actions.every((a) => a === '*' || a.toLowerCase().startsWith('logs:'))) return false;
  if (!actions.some((a) => a === '*' || a.toLowerCase() === 'logs:*')) return false;
  const resources = asList(statement['Resource']);
  return resources.length > 0 && resources.every((r) => r === '*' || (typeof r === 'string' && /^arn:[\w-]+:logs:\*:\*:\*$/.test(r)));
}

/** True when some Allow statement already grants PutLogEvents (exactly, `logs:*` or `*`). */
function grantsDelivery(document: unknown): boolean {
  return asList(asObject(document)?.['Statement']).some((s) => {
    const statement = asObject(s);
    if (!statement || statement['Effect'] !== 'Allow') return false;
    return (actionsOf(statement) ?? []).some((a) => ['*', 'logs:*', 'logs:putlogevents'].includes(a.toLowerCase()));
  });
}

function freshPolicyName(policies: unknown[]): string {
  const names = new Set(policies.map((p) => asObject(p)?.['PolicyName']).filter((n): n is string => typeof n === 'string'));
  for (let n = 1; ; n++) {
    const name = n === 1 ? POLICY_NAME : `${POLICY_NAME}${n}`;
    if (!names.has(name)) return name;
  }
}

export default defineTransform({
  meta: {
    id: 'flowlog-least-privilege',
    title: 'Give the VPC Flow Logs role only the permissions delivery needs',
    severity: 'high',
    safety: 'safe',
    seeds: ['000#8'],
    equivalents: [
      { tool: 'cfn_nag', id: 'W43', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/IamRoleAdministratorAccessPolicyRule.rb', note: 'AdministratorAccess on any role' },
      { tool: 'cfn_nag', id: 'W44', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/IamRoleElevatedManagedPolicyRule.rb', note: 'PowerUserAccess or IAMFullAccess on any role' },
    ],
    defaultOptions: {},
    docs: `## Why
A role trusted by \`vpc-flow-logs.amazonaws.com\` only ever creates log streams and puts log events
into its log group. Attaching \`CloudWatchLogsFullAccess\` (or any \`*FullAccess\`,
\`AdministratorAccess\`, \`PowerUserAccess\` managed policy) lets whoever obtains the role delete log
groups, change retention, read every log in the account and more — audit evidence included.

## Fix
For an \`AWS::IAM::Role\` whose trust policy admits only the flow-logs service:

- removes the broad AWS managed policies from \`ManagedPolicyArns\` (ARNs written literally for any
  partition, with \`Fn::Sub\` and \`\${AWS::Partition}\`, or as a \`Fn::Join\`), and the key when
  nothing is left;
- adds the inline policy \`VPCFlowLogsDelivery\` (unless an inline policy already grants
  \`logs:PutLogEvents\`):
  - \`logs:CreateLogStream\`, \`logs:PutLogEvents\`, \`logs:DescribeLogStreams\` on the flow log's log
    group — every \`AWS::EC2::FlowLog\` whose \`DeliverLogsPermissionArn\` is this role is followed
    to its \`LogGroupName\` (\`Ref\` to an \`AWS::Logs::LogGroup\`, or the same name a template log
    group declares) or \`LogDestination\` (\`GetAtt LogGroup.Arn\`). The grant names the group
    (\`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${LogGroup}\`) and
    \`GetAtt LogGroup.Arn\`, which already ends in \`:*\` and so covers the group's streams
    (\`\${LogGroup.Arn}:*\` would end in \`:*:*\`). A group that depends on the role (a KMS key
    whose policy names the role encrypts it, say) is named by its \`LogGroupName\` instead
    (\`log-group:<name>\` and \`log-group:<name>:*\`), or \`log-group:*\` when that name is not plain
    text: a reference would make the role and the group wait for each other, which CloudFormation
    rejects;
  - \`logs:CreateLogGroup\` only when the group is not a resource of the template (a literal
    name, a parameter, a flow log outside the template), scoped to that name;
  - \`logs:DescribeLogGroups\` on \`log-group:*\` of the stack's account and region: the action
    cannot be scoped to one group (CloudWatch Logs User Guide asks for the \`log-group:*\` wildcard).
  A role no template flow log uses gets the same actions on \`log-group:*\` of the account and
  region — still far narrower than the catalogue's ideal \`Resource: "*"\`.
- an inline statement of such a role that allows \`logs:*\` (or \`*\`) on every resource is
  replaced by the same least-privilege statements.

## Fix safety
Safe. The flow-logs service needs nothing beyond these actions to deliver to CloudWatch Logs, and
only that service can assume the role. Roles also trusted by other principals, and roles used by
flow logs that deliver to S3 or Kinesis Data Firehose, are reported without a fix.

## Options
None.
`,
  },
  check({ template: t }) {
    const findings: Finding[] = [];
    const flowLogs = resourcesOfType(t, 'AWS::EC2::FlowLog');
    for (const { id, resource } of resourcesOfType(t, 'AWS::IAM::Role')) {
      const props = asObject(resource.Properties);
      if (!props) continue;
      const trust = trustOf(props['AssumeRolePolicyDocument']);
      if (trust === 'none') continue;
      const base = pointer('Resources', id, 'Properties');

      const managed = props['ManagedPolicyArns'];
      const broad: Array<{ index: number; name: string }> = [];
      if (Array.isArray(managed)) {
        managed.forEach((arn, index) => {
          const name = managedPolicyName(arn);
          if (name !== undefined && isBroadManagedPolicy(name)) broad.push({ index, name });
        });
      }
      const policies = props['Policies'];
      const wildcards: Array<{ at: string; single: boolean }> = [];
      if (Array.isArray(policies)) {
        policies.forEach((p, pi) => {
          const statements = asObject(asObject(p)?.['PolicyDocument'])?.['Statement'];
          const at = `${base}/Policies/${pi}/PolicyDocument/Statement`;
          if (Array.isArray(statements)) {
            statements.forEach((s, si) => {
              const statement = asObject(s);
              if (statement && isLogsWildcard(statement)) wildcards.push({ at: `${at}/${si}`, single: false });
            });
          } else if (asObject(statements) && isLogsWildcard(asObject(statements)!)) {
            wildcards.push({ at, single: true });
          }
        });
      }
      if (broad.length === 0 && wildcards.length === 0) continue;

      const names = broad.map((b) => b.name).join(', ');
      const problem = [
        broad.length > 0 ? `the managed ${broad.length > 1 ? 'policies' : 'policy'} ${names}` : '',
        wildcards.length > 0 ? 'an inline statement allowing logs:* on every resource' : '',
      ]
        .filter(Boolean)
        .join(' and ');
      const message = `VPC Flow Logs role ${id} has ${problem}; flow log delivery needs only a few CloudWatch Logs actions on its log group`;
      const at = broad.length > 0 ? `${base}/ManagedPolicyArns/${broad[0]!.index}` : wildcards[0]!.at;

      const users = flowLogs.filter((f) => isRoleArn(asObject(f.resource.Properties)?.['DeliverLogsPermissionArn'], id));
      const nonCwl = users.find((f) => {
        const type = asObject(f.resource.Properties)?.['LogDestinationType'];
        return type !== undefined && type !== 'cloud-watch-logs';
      });
      let blocker: string | undefined;
      if (trust === 'mixed') blocker = 'the role is also trusted by other principals';
      else if (nonCwl) blocker = `flow log ${nonCwl.id} does not deliver to CloudWatch Logs`;
      else if (policies !== undefined && !Array.isArray(policies)) blocker = 'its Policies are not a plain list';
      else if (wildcards.length > 1) blocker = 'several inline statements allow logs:*';
      if (blocker) {
        findings.push({ pointer: at, message: `${message} (not fixed: ${blocker})` });
        continue;
      }

      const targets: Target[] = users.length > 0 ? users.map((f) => targetOf(t, asObject(f.resource.Properties) ?? {}, id)) : [{ kind: 'any' }];
      const statements = deliveryStatements(targets);
      const ops: Operation[] = [];
      if (wildcards.length === 1) {
        const w = wildcards[0]!;
        if (w.single) {
          ops.push({ op: 'replace', path: w.at, value: statements });
        } else {
          const index = Number(w.at.slice(w.at.lastIndexOf('/') + 1));
          const list = w.at.slice(0, w.at.lastIndexOf('/'));
          ops.push({ op: 'replace', path: w.at, value: statements[0]! });
          statements.slice(1).forEach((s, i) => ops.push({ op: 'add', path: `${list}/${index + 1 + i}`, value: s }));
        }
      } else {
        const granted = Array.isArray(policies) && policies.some((p) => grantsDelivery(asObject(p)?.['PolicyDocument']));
        if (!granted) {
          const policy: JsonObject = { PolicyName: freshPolicyName(Array.isArray(policies) ? policies : []), PolicyDocument: { Version: '2012-10-17', Statement: statements } };
          ops.push(Array.isArray(policies) ? { op: 'add', path: `${base}/Policies/-`, value: policy } : { op: 'add', path: `${base}/Policies`, value: [policy] });
        }
      }
      if (Array.isArray(managed) && broad.length > 0) {
        if (broad.length === managed.length) ops.push({ op: 'remove', path: `${base}/ManagedPolicyArns` });
        else for (const { index } of [...broad].sort((a, b) => b.index - a.index)) ops.push({ op: 'remove', path: `${base}/ManagedPolicyArns/${index}` });
      }
      findings.push({ pointer: at, message, fix: { ops } });
    }
    return findings;
  },
});
