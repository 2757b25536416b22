import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf, textWithoutDependencies } from '../src/cfn/graph.js';
import { policyOfProperties, type PolicyView, type StatementView } from '../src/cfn/iam.js';
import { property, resources, parameter, type ResourceView } from '../src/cfn/query.js';
import { asObject, deepEqual, hasOwn, intrinsicName, resolve, subText } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

const FLOW_LOGS_SERVICE = /^vpc-flow-logs\.(?:amazonaws\.com|\$\{AWS::URLSuffix\})$/;
const AWS_MANAGED_POLICY = /^arn:(?:aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):iam::aws:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;
const LOGS_ARN = 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:';
const POLICY_NAME = 'VPCFlowLogsDelivery';

/** AWS managed policies far broader than log delivery: `*FullAccess` (any service), admin, power user. */
function isBroadManagedPolicy(name: string): boolean {
  return /FullAccess(?:V\d+)?$/.test(name) || name === 'AdministratorAccess' || name === 'PowerUserAccess';
}

function managedPolicyName(v: unknown): string | undefined {
  const text = subText(v);
  const m = text === undefined ? null : AWS_MANAGED_POLICY.exec(text);
  return m ? m[1] : undefined;
}

/** 'only' when every Allow statement of the trust policy admits only the flow-logs service. */
function trustOf(trustPolicy: PolicyView): 'only' | 'mixed' | 'none' {
  let flowLogs = false;
  let other = false;
  for (const statement of trustPolicy.statements) {
    if (statement.effect !== 'Allow') continue;
    const principal = statement.principal;
    if (principal === undefined || principal === '*' || Object.keys(principal).some((k) => k !== 'Service')) {
      other = true;
      continue;
    }
    for (const service of principal['Service'] ?? []) {
      const text = subText(service);
      if (text !== undefined && FLOW_LOGS_SERVICE.test(text)) flowLogs = true;
      else other = true;
    }
  }
  return !flowLogs ? 'none' : other ? 'mixed' : 'only';
}

/** True when `v` names role `roleId`'s ARN (`GetAtt Role.Arn` in any written form). */
function isRoleArn(v: unknown, roleId: string): boolean {
  const r = resolve(v);
  return r.kind === 'getatt' && r.target === roleId && r.attribute === 'Arn';
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
function targetOf(t: Template, flowLog: ResourceView, logGroups: ResourceView[], roleId: string): Target {
  const target = declaredTargetOf(t, flowLog, logGroups);
  if (target.kind !== 'resource' || !dependenciesOf(t, target.id).has(roleId)) return target;
  const group = logGroups.find((g) => g.id === target.id)!;
  const name = textWithoutDependencies(t, property(group, 'LogGroupName')?.value);
  return name !== undefined && /^[\w./#${}:-]+$/.test(name) ? { kind: 'name', sub: name, declared: true } : { kind: 'any' };
}

function declaredTargetOf(t: Template, flowLog: ResourceView, logGroups: ResourceView[]): Target {
  const isLogGroup = (id: string) => logGroups.some((g) => g.id === id);
  const destination = property(flowLog, 'LogDestination')?.value;
  if (destination !== undefined) {
    const r = resolve(destination);
    return r.kind === 'getatt' && r.attribute === 'Arn' && isLogGroup(r.target) ? { kind: 'resource', id: r.target } : { kind: 'any' };
  }
  const name = property(flowLog, 'LogGroupName')?.value;
  if (name === undefined) return { kind: 'any' };
  const r = resolve(name);
  if (r.kind === 'ref' && isLogGroup(r.target)) return { kind: 'resource', id: r.target };
  const named = logGroups.filter((g) => {
    const n = property(g, 'LogGroupName')?.value;
    return n !== undefined && sameJson(n, name);
  });
  if (named.length === 1) return { kind: 'resource', id: named[0]!.id };
  if (typeof name === 'string' && /^[\w./#-]+$/.test(name)) return { kind: 'name', sub: name };
  if (r.kind === 'ref' && !r.target.startsWith('AWS::') && parameter(t, r.target)) return { kind: 'name', sub: '${' + r.target + '}' };
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

/** The statement's actions, when every one is a literal string. */
function actionsOf(statement: StatementView): string[] | undefined {
  return statement.actions.every((a): a is string => typeof a === 'string') ? (statement.actions as string[]) : undefined;
}

/** An Allow statement granting CloudWatch Logs wholesale (`logs:*` or `*`) on every resource. */
function isLogsWildcard(statement: StatementView): boolean {
  const written = statement.statement;
  if (statement.effect !== 'Allow' || hasOwn(written, 'Condition') || hasOwn(written, 'NotAction') || hasOwn(written, 'NotResource')) return false;
  const actions = actionsOf(statement);
  if (!actions || actions.length === 0) return false;
  if (!actions.every((a) => a === '*' || a.toLowerCase().startsWith('logs:'))) return false;
  if (!actions.some((a) => a === '*' || a.toLowerCase() === 'logs:*')) return false;
  const resources = statement.resources;
  return resources.length > 0 && resources.every((r) => r === '*' || (typeof r === 'string' && /^arn:[\w-]+:logs:\*:\*:\*$/.test(r)));
}

/** True when some Allow statement already grants PutLogEvents (exactly, `logs:*` or `*`). */
function grantsDelivery(policy: PolicyView): boolean {
  return policy.statements.some(
    (statement) => statement.effect === 'Allow' && (actionsOf(statement) ?? []).some((a) => ['*', 'logs:*', 'logs:putlogevents'].includes(a.toLowerCase())),
  );
}

function freshPolicyName(policies: readonly JsonValue[]): string {
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
    const fixer = new Fixer(t);
    const flowLogs = resources(t, 'AWS::EC2::FlowLog');
    const logGroups = resources(t, 'AWS::Logs::LogGroup');
    for (const role of resources(t, 'AWS::IAM::Role')) {
      if (!role.properties) continue;
      const trust = trustOf(policyOfProperties(role.properties, role.propertiesPointer, 'AssumeRolePolicyDocument'));
      if (trust === 'none') continue;

      const managed = property(role, 'ManagedPolicyArns');
      const broad: Array<{ index: number; name: string }> = [];
      if (managed && Array.isArray(managed.value)) {
        managed.value.forEach((arn, index) => {
          const name = managedPolicyName(arn);
          if (name !== undefined && isBroadManagedPolicy(name)) broad.push({ index, name });
        });
      }
      const policies = property(role, 'Policies');
      const policyList = policies && Array.isArray(policies.value) ? policies.value : undefined;
      const inline = (policyList ?? []).map((p, i) => policyOfProperties(p, `${policies!.pointer}/${i}`));
      const wildcards: Array<{ at: string; single: boolean }> = [];
      for (const policy of inline) {
        for (const statement of policy.statements) if (isLogsWildcard(statement)) wildcards.push({ at: statement.pointer, single: policy.kind === 'single' });
      }
      if (broad.length === 0 && wildcards.length === 0) continue;

      const names = broad.map((b) => b.name).join(', ');
      const problem = [
        broad.length > 0 ? `the managed ${broad.length > 1 ? 'policies' : 'policy'} ${names}` : '',
        wildcards.length > 0 ? 'an inline statement allowing logs:* on every resource' : '',
      ]
        .filter(Boolean)
        .join(' and ');
      const message = `VPC Flow Logs role ${role.id} has ${problem}; flow log delivery needs only a few CloudWatch Logs actions on its log group`;
      const at = broad.length > 0 ? `${managed!.pointer}/${broad[0]!.index}` : wildcards[0]!.at;

      const users = flowLogs.filter((f) => isRoleArn(property(f, 'DeliverLogsPermissionArn')?.value, role.id));
      const nonCwl = users.find((f) => {
        const type = property(f, 'LogDestinationType')?.value;
        return type !== undefined && type !== 'cloud-watch-logs';
      });
      const blocker: [string, string] | undefined =
        trust === 'mixed'
          ? ['broadPermissionsMixedTrust', 'the role is also trusted by other principals']
          : nonCwl
            ? ['broadPermissionsOtherDestination', `flow log ${nonCwl.id} does not deliver to CloudWatch Logs`]
            : policies && !policyList
              ? ['broadPermissionsOpaquePolicies', 'its Policies are not a plain list']
              : wildcards.length > 1
                ? ['broadPermissionsSeveralWildcards', 'several inline statements allow logs:*']
                : undefined;
      if (blocker) {
        findings.push({ pointer: at, message: `${message} (not fixed: ${blocker[1]})`, messageId: blocker[0] });
        continue;
      }

      const targets: Target[] = users.length > 0 ? users.map((f) => targetOf(t, f, logGroups, role.id)) : [{ kind: 'any' }];
      const statements = deliveryStatements(targets);
      if (wildcards.length === 1) {
        const w = wildcards[0]!;
        if (w.single) {
          fixer.set(w.at, statements);
        } else {
          // The least-privilege statements take the wildcard's place, in order.
          const index = Number(w.at.slice(w.at.lastIndexOf('/') + 1));
          const list = w.at.slice(0, w.at.lastIndexOf('/'));
          fixer.set(w.at, statements[0]!);
          statements.slice(1).forEach((s, i) => fixer.push({ op: 'add', path: `${list}/${index + 1 + i}`, value: s }));
        }
      } else if (!inline.some(grantsDelivery)) {
        const policy: JsonObject = { PolicyName: freshPolicyName(policyList ?? []), PolicyDocument: { Version: '2012-10-17', Statement: statements } };
        fixer.append(`${role.propertiesPointer}/Policies`, policy);
      }
      if (managed && broad.length > 0) {
        if (broad.length === (managed.value as JsonValue[]).length) fixer.remove(managed.pointer);
        else for (const { index } of [...broad].sort((a, b) => b.index - a.index)) fixer.remove(`${managed.pointer}/${index}`);
      }
      findings.push({ pointer: at, message, messageId: 'broadPermissions', fix: fixer.take() });
    }
    return findings;
  },
});
