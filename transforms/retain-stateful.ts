import { defineTransform } from '../src/transform.js';
import { KMS_ALIAS, KMS_KEY, keyUses, type KeyUses } from '../src/cfn/kms.js';
import { FUNCTION_TYPES, functionOfLogGroupName } from '../src/cfn/logs.js';
import { Fixer } from '../src/cfn/fixer.js';
import { pointer } from '../src/cfn/pointer.js';
import { property, resource, resources, type ResourceView } from '../src/cfn/query.js';
import { isStateful, nameProperty, supportsSnapshot } from '../src/cfn/spec.js';
import { referencesIn } from '../src/cfn/template.js';
import { intrinsicName } from '../src/cfn/values.js';
import type { Finding, JsonValue, Severity, Template } from '../src/types.js';

interface Options extends Record<string, unknown> {
  /** Replace a `Delete` the author wrote with Retain/Snapshot instead of only reporting it. */
  overrideExplicitDelete: boolean;
  /** Stateful resource types to leave alone (e.g. `AWS::Logs::LogGroup` for short-lived stacks). */
  excludeTypes: string[];
}

type Policy = 'Retain' | 'Snapshot';
const ATTRIBUTES = ['DeletionPolicy', 'UpdateReplacePolicy'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

/**
 * Types the spec marks stateful that are never given a policy here:
 * - a nested stack's data lives in its own resources, which carry their own policies in the
 *   child template (Retain on the stack would orphan a whole stack of resources);
 * - DocumentDB and Neptune instances always belong to a cluster, which holds the data and gets
 *   the Snapshot policy; the instances are compute only.
 */
const NEVER: ReadonlySet<string> = new Set(['AWS::CloudFormation::Stack', 'AWS::DocDB::DBInstance', 'AWS::Neptune::DBInstance']);

/** Stateful types whose loss is recoverable or whose content is operational, not primary data. */
const HIGH_NOT_CRITICAL: ReadonlySet<string> = new Set(['AWS::Logs::LogGroup', 'AWS::SQS::Queue']);

const KIND: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::KMS::Key': 'KMS key',
  'AWS::Logs::LogGroup': 'Log group',
  'AWS::RDS::DBInstance': 'RDS instance',
  'AWS::RDS::DBCluster': 'RDS cluster',
  'AWS::DynamoDB::Table': 'DynamoDB table',
  'AWS::EFS::FileSystem': 'EFS file system',
  'AWS::SecretsManager::Secret': 'Secret',
  'AWS::SQS::Queue': 'SQS queue',
  'AWS::OpenSearchService::Domain': 'OpenSearch domain',
  'AWS::Elasticsearch::Domain': 'Elasticsearch domain',
  'AWS::ElastiCache::CacheCluster': 'ElastiCache cluster',
};

const RDS_IMPLICIT_SNAPSHOT: ReadonlySet<string> = new Set(['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance']);

function label(kind: string | undefined, id: string, type: string): string {
  return kind ? `${kind} ${id}` : `${id} (${type})`;
}

/** The kind inside a sentence ("log group", "S3 bucket"). */
function noun(kind: string | undefined): string {
  return kind ? kind.replace(/^[A-Z][a-z]+(?=\s|$)/, (word) => word.toLowerCase()) : 'resource';
}

/** Why a stateful resource is left to something else, or undefined when it needs policies. */
function skipReason(type: string, props: Readonly<Record<string, JsonValue>> | undefined): string | undefined {
  if (NEVER.has(type)) return 'not primary data';
  if (type === 'AWS::RDS::DBInstance' && props) {
    // An Aurora (or Multi-AZ DB cluster) member: the cluster holds the data and its policy
    // decides; a member instance is compute only.
    if (props['DBClusterIdentifier'] !== undefined) return 'cluster member';
    // A read replica holds a copy of its source; RDS refuses a final snapshot of a replica.
    if (props['SourceDBInstanceIdentifier'] !== undefined || props['SourceDBClusterIdentifier'] !== undefined) return 'read replica';
  }
  // Memcached keeps no durable data and has no snapshots.
  if (type === 'AWS::ElastiCache::CacheCluster' && typeof props?.['Engine'] === 'string' && props['Engine'].toLowerCase() === 'memcached') {
    return 'memcached';
  }
  return undefined;
}

/** The spec's name property; the spec knows SAM functions but not their `FunctionName`. */
function namePropertyOf(type: string): string | undefined {
  return nameProperty(type) ?? (FUNCTION_TYPES.includes(type) ? 'FunctionName' : undefined);
}

/**
 * True when the resource's name property is set to a value that is the same each time the stack
 * is created: a literal, a parameter, the stack name, the name of a resource that has a fixed
 * name itself. A name built from `AWS::StackId` or from a resource whose name CloudFormation
 * generates is new on every creation.
 */
function hasFixedName(t: Template, id: string, seen: Set<string> = new Set([id])): boolean {
  const view = resource(t, id);
  const nameKey = view ? namePropertyOf(view.type) : undefined;
  const name = nameKey === undefined ? undefined : property(view!, nameKey)?.value;
  if (name === undefined) return false;
  for (const { kind, target } of referencesIn(name)) {
    if (kind === 'Condition' || kind === 'FindInMap' || seen.has(target)) continue;
    if (target === 'AWS::StackId') return false;
    if (resource(t, target) === undefined) continue;
    seen.add(target);
    if (!hasFixedName(t, target, seen)) return false;
  }
  return true;
}

/**
 * What the stack should do with a resource on deletion and replacement when its author has not
 * said: a policy, or none (the resource goes with the stack), then with a note for the author
 * when its data may matter.
 */
type Decision = { policy: Policy; keeps?: readonly string[] } | { policy: undefined; note?: string };

const searchDomainNote = (name: string): string =>
  `${name} has no DeletionPolicy: deleting the stack deletes its indices. Not retained: a retained domain keeps billing for its instances by the hour, and CloudFormation cannot snapshot it; take a manual snapshot to S3 before deleting the stack, or set DeletionPolicy yourself`;

/**
 * Stateful types that bill by the hour for as long as they exist and that CloudFormation cannot
 * snapshot: retained, they would keep billing after the stack is gone, so they get no policy.
 * Each maps to the note for the author when the data may matter, or to undefined when it belongs
 * elsewhere by design.
 */
const BILLED_BY_THE_HOUR: Readonly<Record<string, ((name: string) => string) | undefined>> = {
  // Instance hours; HDFS is scratch space, the durable data of an EMR job lives in S3 (EMRFS).
  'AWS::EMR::Cluster': undefined,
  // Shard or stream hours; records expire after the retention period anyway, and consumers keep
  // what must last.
  'AWS::Kinesis::Stream': undefined,
  // Instance hours, and the indices may be the only copy.
  'AWS::OpenSearchService::Domain': searchDomainNote,
  'AWS::Elasticsearch::Domain': searchDomainNote,
};

function decide(t: Template, id: string, type: string, props: Readonly<Record<string, JsonValue>> | undefined): Decision {
  const name = label(KIND[type], id, type);
  if (Object.prototype.hasOwnProperty.call(BILLED_BY_THE_HOUR, type)) return { policy: undefined, note: BILLED_BY_THE_HOUR[type]?.(name) };
  // A function's own log group holds that function's logs, which go with it; with a fixed name a
  // retained group would make the next creation of the stack fail ("already exists").
  if (type === 'AWS::Logs::LogGroup' && functionOfLogGroupName(t, props?.['LogGroupName']) !== undefined && hasFixedName(t, id)) {
    return { policy: undefined };
  }
  if (!supportsSnapshot(type)) return { policy: 'Retain' };
  // A cache cluster whose engine is computed may be memcached, which cannot snapshot, and a
  // retained cluster bills by the hour.
  if (type === 'AWS::ElastiCache::CacheCluster' && typeof props?.['Engine'] !== 'string') {
    return {
      policy: undefined,
      note: `${name} computes its Engine: Snapshot fails for memcached and a retained cluster keeps billing by the hour; set DeletionPolicy and UpdateReplacePolicy to Snapshot if it runs Redis or Valkey`,
    };
  }
  return { policy: 'Snapshot' };
}

const KEY_POLICY_TYPES: ReadonlySet<string> = new Set(['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy']);

/** Types that name a key to grant or route its use; they encrypt nothing with it. */
function onlyNamesKeys(type: string): boolean {
  return type === KMS_ALIAS || type.startsWith('AWS::IAM::') || KEY_POLICY_TYPES.has(type);
}

/**
 * A key follows the data it encrypts: retained while any of it outlives the stack (a deleted key
 * makes retained data and snapshots unreadable), gone with it otherwise. Data the template does
 * not show (no user, an export, a resource that is not a data store and may write elsewhere)
 * keeps the key.
 */
function decideKey(t: Template, keyId: string, uses: KeyUses, keptAfterwards: (id: string) => boolean): Decision {
  const users = [...(uses.users.get(keyId) ?? [])].filter((u) => {
    const type = resource(t, u)?.type;
    return !!type && !onlyNamesKeys(type);
  });
  const kept = users.filter(keptAfterwards);
  const keeps = kept.filter((u) => isStateful(resource(t, u)!.type));
  if (keeps.length > 0) return { policy: 'Retain', keeps };
  return kept.length > 0 || users.length === 0 || uses.exported.has(keyId) ? { policy: 'Retain' } : { policy: undefined };
}

/** What CloudFormation does when the attribute is absent. */
function cloudFormationDefault(type: string, props: Readonly<Record<string, JsonValue>> | undefined, attribute: Attribute): string {
  return attribute === 'DeletionPolicy' && RDS_IMPLICIT_SNAPSHOT.has(type) && props?.['DBClusterIdentifier'] === undefined ? 'Snapshot' : 'Delete';
}

function listed(ids: readonly string[]): string {
  return ids.length > 3 ? `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more` : ids.join(', ');
}

/** The value to add for a missing attribute, following the author's choice for the other one. */
function valueFor(other: unknown, fallback: Policy, type: string): Policy {
  if (other === 'Retain' || other === 'RetainExceptOnCreate') return 'Retain';
  if (other === 'Snapshot' && supportsSnapshot(type)) return 'Snapshot';
  return fallback;
}

export default defineTransform<Options>({
  meta: {
    id: 'retain-stateful',
    title: 'Retain stateful resources on deletion and replacement',
    severity: 'critical',
    safety: 'safe',
    seeds: ['000#4', '001#9'],
    equivalents: [
      { tool: 'cfn-lint', id: 'I3011', source: 'https://github.com/aws-cloudformation/cfn-lint/blob/main/src/cfnlint/rules/resources/UpdateReplacePolicyDeletionPolicyOnStatefulResourceTypes.py', note: 'leaves out types deleted only when empty, such as S3 buckets' },
      { tool: 'cfn-lint', id: 'W3011', source: 'https://github.com/aws-cloudformation/cfn-lint/blob/main/src/cfnlint/rules/resources/BothUpdateReplacePolicyDeletionPolicyNeeded.py', note: 'a resource that sets one of the two policies' },
    ],
    order: 60,
    defaultOptions: { overrideExplicitDelete: false, excludeTypes: [] },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { overrideExplicitDelete: { type: 'boolean' }, excludeTypes: { type: 'array', items: { type: 'string' } } },
    },
    docs: `## Why
Without a \`DeletionPolicy\`, deleting the stack (or removing the resource from the template)
deletes the resource and everything in it; without an \`UpdateReplacePolicy\`, a stack update that
changes a replacing property (a bucket's \`BucketName\`, a table's key schema, a database's
\`Engine\`) creates a new, empty resource and deletes the old one with its data. \`DeletionPolicy\`
does not cover replacement, so both attributes are needed.

## Fix
Every resource the CloudFormation resource spec marks *stateful* (cfn-lint's
StatefulResources list, carried by the AWS CDK service spec: S3 buckets, RDS instances and clusters, DynamoDB tables, EFS and FSx file systems,
EBS volumes, ElastiCache, Redshift, OpenSearch, KMS keys, log groups, secrets, queues, Cognito
user pools, ...) gets the attributes it lacks:
- \`Snapshot\` for the types where CloudFormation supports it (RDS, DocumentDB and Neptune
  clusters, Redshift, ElastiCache, EBS volumes): the resource is deleted after a final snapshot,
  so nothing keeps billing but the data can be restored;
- \`Retain\` for every other type, S3 buckets included;
- nothing for the types that bill by the hour for as long as they exist and cannot snapshot: a
  retained EMR cluster, Kinesis stream or OpenSearch / Elasticsearch domain keeps billing after
  the stack is gone. EMR clusters keep their durable data in S3 (HDFS is scratch space) and a
  stream's records expire after its retention period, so they go with the stack silently; a
  search domain's indices may be the only copy, so the finding says so and leaves the choice
  (a manual snapshot to S3 before deleting the stack, or a \`DeletionPolicy\` of the author's).
  An ElastiCache cache cluster whose \`Engine\` is computed is reported the same way: it may be
  memcached, which cannot snapshot, and a retained cluster bills by the hour.

A resource with a fixed name (\`BucketName\`, \`LogGroupName\`, \`TableName\`, a secret's
\`Name\`: the property the resource spec says names it) is still retained: its data matters more
than a smooth re-creation. But the name stays taken by the retained resource, so creating the
stack again fails ("already exists") until that resource is deleted or the template names it
differently; the finding says so. A name is fixed when it is the same on every creation (literals,
parameters, \`\${AWS::StackName}\`, the name of another resource with a fixed name); a name built
from \`AWS::StackId\` or from a resource whose name CloudFormation generates is new each time.
Snapshot policies delete the resource after the snapshot, so they free the name.

A function's own log group (\`/aws/lambda/\` and the name of an \`AWS::Lambda::Function\` or
\`AWS::Serverless::Function\` of the template, in any form; the groups lambda-log-group adds are
of this kind) gets no policy when the function has a fixed name: it holds that function's logs,
which are replaceable and go with the function, and a retained group would make every later
creation of the stack fail. The log group of a function whose name
CloudFormation generates is retained like any other: its name is new on every creation.

Only the missing attribute is added; it follows the author's value for the other one when there
is one (\`DeletionPolicy: Retain\` gets \`UpdateReplacePolicy: Retain\`; \`RetainExceptOnCreate\`,
valid only for \`DeletionPolicy\`, pairs with \`Retain\`).

Left alone on purpose:
- Aurora / Multi-AZ cluster member instances (\`AWS::RDS::DBInstance\` with
  \`DBClusterIdentifier\`), DocumentDB and Neptune instances: the cluster holds the data and
  carries the policy.
- RDS read replicas (\`SourceDBInstanceIdentifier\` / \`SourceDBClusterIdentifier\`): a copy of
  their source; RDS refuses a final snapshot of a replica.
- Memcached cache clusters: no durable data, no snapshots.
- Nested stacks (\`AWS::CloudFormation::Stack\`): their resources carry their own policies in the
  child template.
- A policy computed by an intrinsic (\`Fn::If\`, \`Ref\` under \`AWS::LanguageExtensions\`): the
  author chose per environment; a missing partner attribute is reported, not guessed.
- An explicit \`Delete\` in either attribute: the author declared the resource disposable (a test
  stack, a cache). It is reported and changed only with \`overrideExplicitDelete\`, unless Delete
  is what this rule chooses too (the types above that get nothing): then there is nothing to say.

A KMS key follows the data it encrypts. Retaining data while deleting its key leaves the data
unreadable (a deleted key cannot be recovered after its waiting period), so a key is retained
while anything it encrypts outlives the stack: a resource that is retained or snapshotted (by its
author or by this rule), or whose policy is computed; the finding names that data. A key whose
users in the template all go with the stack (a database set to \`Delete\`, an Aurora cluster's
member instances, the log group of a function with a fixed name) gets no policy and goes with
them. Users are the resources whose properties name the key: by \`Ref\`, \`Fn::GetAtt\`, an ARN, an
alias resource or an alias name; aliases, IAM roles and policies and resource policies only name
it. A key is retained too when its use is out of sight: no user in the template (other stacks or
applications may use it), an exported output that names it, a nested stack it is passed to, or a
user that is not a data store (a trail, a stream processor or a function may write what it
encrypts somewhere the template does not show). A key whose author wrote \`Delete\` while it
encrypts data the stack keeps is reported as such.

Log groups often hold the audit trail (CloudTrail, VPC flow logs) that must outlive the stack; the
CDK retains them by default too.

The catalogue's ideal covers S3 buckets only; the same data loss happens to every other stateful
resource, so the fix covers them all.

## Fix safety
Safe: both attributes only act when the resource is deleted or replaced, never on a running
resource. Two costs to know: a retained resource keeps billing after the stack is gone, and a
retained resource with a fixed name blocks re-creating the stack until it is removed by hand (the
finding names it). RDS resources already default to \`DeletionPolicy: Snapshot\` in CloudFormation, but their
replacement default is still \`Delete\`; both are written out.

## Options
- \`overrideExplicitDelete\` (default \`false\`): replace an explicit \`Delete\` with the policy above
  instead of only reporting it.
- \`excludeTypes\` (default \`[]\`): resource types to leave alone, e.g.
  \`["AWS::Logs::LogGroup", "AWS::SQS::Queue"]\` for short-lived stacks.
`,
  },
  check({ template, options }) {
    const excluded = new Set(Array.isArray(options.excludeTypes) ? options.excludeTypes.filter((t) => typeof t === 'string') : []);
    const override = options.overrideExplicitDelete === true;
    const entries = resources(template).filter(({ type, properties }) => isStateful(type) && !excluded.has(type) && !skipReason(type, properties));
    // Each fix sets attributes of its own resource only, so the order fixes are built in is free.
    const fx = new Fixer(template);

    // Keys last: whether a key stays depends on what happens to the data it encrypts.
    const reviews = new Map<string, Finding | undefined>();
    for (const entry of entries) {
      if (entry.type !== KMS_KEY) reviews.set(entry.id, review(template, fx, entry, decide(template, entry.id, entry.type, entry.properties), override));
    }
    const keptAfterwards = (id: string): boolean => {
      const view = resource(template, id)!;
      // A nested stack passes the key to resources of its own, whose policies are not in view.
      if (!isStateful(view.type) || view.type === 'AWS::CloudFormation::Stack') return true;
      const ops = reviews.get(id)?.fix?.ops ?? [];
      return ATTRIBUTES.some((a) => {
        const op = ops.find((o) => o.path === pointer('Resources', id, a));
        const value = op && 'value' in op ? op.value : (view.resource[a] ?? cloudFormationDefault(view.type, view.properties, a));
        return value !== 'Delete';
      });
    };
    const keys = entries.filter(({ type }) => type === KMS_KEY);
    const uses = keys.length > 0 ? keyUses(template) : undefined;
    for (const entry of keys) reviews.set(entry.id, review(template, fx, entry, decideKey(template, entry.id, uses!, keptAfterwards), override));
    return entries.flatMap(({ id }) => reviews.get(id) ?? []);
  },
});

/** The finding for one stateful resource under a decision, with its fix; undefined when all is well. */
function review(template: Template, fx: Fixer, { id, type, resource, pointer: at }: ResourceView, decision: Decision, override: boolean): Finding | undefined {
  const name = label(KIND[type], id, type);
  const current: Record<Attribute, unknown> = {
    DeletionPolicy: resource.DeletionPolicy,
    UpdateReplacePolicy: resource.UpdateReplacePolicy,
  };
  const computed = ATTRIBUTES.filter((a) => current[a] !== undefined && typeof current[a] !== 'string');
  const missing = ATTRIBUTES.filter((a) => current[a] === undefined);
  const deletes = ATTRIBUTES.filter((a) => current[a] === 'Delete');
  const severity: Severity = HIGH_NOT_CRITICAL.has(type) ? 'high' : 'critical';
  const keeps = decision.policy !== undefined && decision.keeps?.length ? decision.keeps : undefined;
  const unreadable = keeps && `it encrypts data the stack keeps (${listed(keeps)}), which cannot be read once the key is deleted`;

  if (computed.length > 0) {
    // Fn::If / Ref: a per-environment choice. Say so when the partner is missing.
    if (missing.length === 0) return undefined;
    return {
      pointer: at,
      messageId: 'computedPolicy',
      severity: 'medium',
      message: `${name} computes its ${computed.join(' and ')} (${intrinsicName(current[computed[0]!]) ?? 'a non-string value'}) but has no ${missing.join(' or ')}; add one computed the same way`,
    };
  }

  if (deletes.length > 0) {
    // Delete is what this rule would choose too: nothing to say.
    if (decision.policy === undefined) return undefined;
    const policy = decision.policy;
    if (override) for (const a of [...deletes, ...missing]) fx.set(pointer('Resources', id, a), policy);
    const fix = fx.take();
    const consequence = unreadable
      ? `, but ${unreadable}`
      : `: its data is lost when ${
          deletes.length === 2 ? 'the stack is deleted or the resource replaced' : deletes[0] === 'DeletionPolicy' ? 'the stack is deleted' : 'the resource is replaced'
        }`;
    return {
      pointer: pointer('Resources', id, deletes[0]!),
      messageId: override ? 'explicitDeleteOverridden' : unreadable ? 'keyDeletedWithKeptData' : 'explicitDelete',
      severity: override ? severity : unreadable ? 'high' : 'medium',
      message: override
        ? `${name} sets ${deletes.join(' and ')} to Delete; changed to ${policy} (overrideExplicitDelete)`
        : `${name} sets ${deletes.join(' and ')} to Delete${consequence} (kept as written; set overrideExplicitDelete to change it)`,
      ...(fix.ops.length ? { fix } : {}),
    };
  }

  if (missing.length === 0) return undefined;
  // With no policy of the author's to follow, a resource that goes with the stack gets none.
  if (decision.policy === undefined && missing.length === ATTRIBUTES.length) {
    return decision.note === undefined ? undefined : { pointer: at, messageId: 'notRetained', severity: 'medium', message: decision.note };
  }
  const partnerOf = (a: Attribute): unknown => current[a === 'DeletionPolicy' ? 'UpdateReplacePolicy' : 'DeletionPolicy'];
  const added = (a: Attribute): Policy => valueFor(partnerOf(a), decision.policy ?? 'Retain', type);
  for (const a of missing) fx.set(pointer('Resources', id, a), added(a));
  // CloudFormation already snapshots RDS clusters and standalone instances on deletion
  // (its documented default), but not on replacement.
  const implicitSnapshot = RDS_IMPLICIT_SNAPSHOT.has(type);
  const onDelete = missing.includes('DeletionPolicy') && !implicitSnapshot;
  const onReplace = missing.includes('UpdateReplacePolicy');
  let risk: string | undefined;
  if (unreadable) risk = unreadable;
  else if (onDelete && onReplace) risk = 'deleting the stack or an update that replaces it deletes it and its data';
  else if (onDelete) risk = 'deleting the stack deletes it and its data';
  else if (onReplace) risk = 'an update that replaces it deletes the old one and its data';
  const retainsName = missing.includes('DeletionPolicy') && added('DeletionPolicy') === 'Retain' && hasFixedName(template, id);
  const nameNote = retainsName
    ? `; Retain keeps its ${namePropertyOf(type)!} taken, so creating the stack again fails until the retained ${noun(KIND[type])} is deleted or the name changed`
    : '';
  return {
    pointer: at,
    messageId: !risk ? 'implicitSnapshot' : unreadable ? 'keyOfKeptData' : retainsName ? 'fixedNameRetained' : 'noPolicy',
    severity: risk ? severity : 'low',
    message: risk
      ? `${name} has no ${missing.join(' or ')}: ${risk}${nameNote}`
      : `${name} has no explicit DeletionPolicy (CloudFormation's default for it is Snapshot)`,
    fix: fx.take(),
  };
}
