// KMS keys of a template: which key a key id, ARN or alias expression names, who uses each key,
// whether a role may decrypt with it, and the key-policy statements AWS services (CloudTrail,
// CloudWatch Logs and alarms, CloudFront, the Auto Scaling service-linked role) need, with the
// operations that add them. Reads frozen templates and never throws on odd input: values that are
// not understood resolve to `undefined` and callers skip them.
import type { JsonObject, JsonValue, Operation, Resource, Template } from '../types.js';
import { CLOUDFRONT_SERVICE } from './cloudfront.js';
import { Fixer } from './fixer.js';
import { actionPatternMatches, conditionValues, policyDocument, policyDocumentsOfRole, principalsOf, statementAllows, statementView, statementViews, type StatementView } from './iam.js';
import { firstUnusedName } from './naming.js';
import { parsePointer } from './pointer.js';
import { property, propertiesComputed, resource as resourceView, resources, typeOf, type ResourceView } from './query.js';
import { allReferences } from './template.js';
import { asObject, deepEqual, hasOwn, intrinsicName, subText, subTextVariables } from './values.js';

const PARTITION = '(?:aws|aws-cn|aws-us-gov|\\$\\{AWS::Partition\\})';

/** True when a statement applies to every principal (`Principal: "*"` or `{AWS: "*"}`). */
function anyPrincipal(s: StatementView): boolean {
  return principalsOf(s, 'AWS').includes('*');
}

function propsOf(t: Template, id: string): JsonObject | undefined {
  return asObject(resourceView(t, id)?.resource.Properties);
}

export const KMS_KEY = 'AWS::KMS::Key';
export const KMS_ALIAS = 'AWS::KMS::Alias';

/**
 * The logical id of the AWS::KMS::Key that a key reference resolves to: key id or ARN
 * (`Ref K`, `GetAtt K.Arn`, `GetAtt K.KeyId`, `arn:...:key/${K}`), an alias (`Ref A`, the alias
 * name or alias ARN written out) resolved through the alias's TargetKeyId. Undefined for keys
 * that are not defined in the template (parameters, imports, literal key ARNs).
 */
export function keyOf(t: Template, value: unknown, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  const text = subText(value);
  if (text === undefined) return undefined;
  const whole = /^\$\{([^}.]+)(?:\.(Arn|KeyId))?\}$/.exec(text);
  if (whole) {
    const id = whole[1]!;
    const type = typeOf(t, id);
    if (type === KMS_KEY) return id;
    if (type === KMS_ALIAS && whole[2] === undefined) return keyOf(t, propsOf(t, id)?.['TargetKeyId'], depth + 1);
    return undefined;
  }
  const keyArn = /:key\/\$\{([^}.]+)\}$/.exec(text);
  if (keyArn && typeOf(t, keyArn[1]!) === KMS_KEY) return keyArn[1];
  const alias = /(?:^|:)(alias\/.+)$/.exec(text);
  if (alias) {
    for (const view of resources(t, KMS_ALIAS)) {
      const props = asObject(view.resource.Properties);
      if (subText(props?.['AliasName']) === alias[1]) return keyOf(t, props?.['TargetKeyId'], depth + 1);
    }
  }
  return undefined;
}

// Whether a value holds the text `alias/` anywhere (a key or a string in it), kept for the
// Properties object and each property's value: fixes leave most of them as they were, so keyUses,
// asked on every pass, looks again only at what changed. Not deeper: a cache entry per object of
// the template would slow every garbage collection more than reading those objects again costs.
const aliasMentions = new WeakMap<object, boolean>();
function mentionsAlias(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('alias/');
  if (value === null || typeof value !== 'object') return false;
  let mentions = depth <= 1 ? aliasMentions.get(value) : undefined;
  if (mentions === undefined) {
    mentions = Array.isArray(value)
      ? value.some((item) => mentionsAlias(item, depth + 1))
      : Object.keys(value).some((key) => key.includes('alias/') || mentionsAlias((value as JsonObject)[key], depth + 1));
    if (depth <= 1 && Object.isFrozen(value)) aliasMentions.set(value, mentions);
  }
  return mentions;
}

export interface KeyUses {
  /** Key -> the resources whose properties name it. */
  users: Map<string, Set<string>>;
  /** Keys an exported output names: other stacks may use them. */
  exported: Set<string>;
}

/**
 * Who names each KMS key of the template: resources whose properties refer to it (Ref, GetAtt,
 * an ARN, an alias resource, an alias name written out) and exported outputs.
 */
export function keyUses(t: Template): KeyUses {
  const users = new Map<string, Set<string>>();
  const exported = new Set<string>();
  const use = (keyId: string, user: string): void => {
    if (user === keyId) return;
    let set = users.get(keyId);
    if (!set) users.set(keyId, (set = new Set()));
    set.add(user);
  };
  const outputs = asObject(t.Outputs);
  // Most references name something else: test them against the keys and aliases first.
  const aliases = resources(t, KMS_ALIAS);
  const kmsIds = new Set([...resources(t, KMS_KEY), ...aliases].map((view) => view.id));
  for (const ref of allReferences(t)) {
    if (!kmsIds.has(ref.target) || (ref.kind !== 'Ref' && ref.kind !== 'GetAtt' && ref.kind !== 'Sub')) continue;
    const type = typeOf(t, ref.target);
    const keyId = type === KMS_KEY ? ref.target : keyOf(t, { Ref: ref.target });
    if (keyId === undefined) continue;
    const [section, owner, part] = parsePointer(ref.pointer);
    if (section === 'Resources' && owner !== undefined && part === 'Properties') use(keyId, owner);
    else if (section === 'Outputs' && owner !== undefined && asObject(outputs?.[owner])?.['Export'] !== undefined) exported.add(keyId);
  }
  // Alias names written out refer to no logical id; only texts naming an alias can be one.
  if (aliases.length > 0) {
    for (const { id, resource } of resources(t)) {
      const props = asObject(resource.Properties);
      if (props === undefined || !mentionsAlias(props)) continue;
      const visit = (v: unknown): void => {
        if (typeof v === 'string' || intrinsicName(v) !== undefined) {
          const keyId = subText(v)?.includes('alias/') ? keyOf(t, v) : undefined;
          if (keyId !== undefined) return use(keyId, id);
          if (typeof v === 'string') return;
        }
        if (Array.isArray(v)) v.forEach(visit);
        else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
      };
      visit(props);
    }
  }
  return { users, exported };
}

// ---------------------------------------------------------------------------------------------
// Roles using a key

/** True when a policy resource entry covers key `keyId`: `*`, the key (any form), or a `key/*` wildcard ARN. */
export function resourceCoversKey(t: Template, resource: JsonValue, keyId: string): boolean {
  if (resource === '*') return true;
  if (keyOf(t, resource) === keyId) return true;
  const text = subText(resource);
  if (text === undefined) return false;
  if (text.includes('${' + keyId + '}') || text.includes('${' + keyId + '.Arn}')) return true;
  return /^arn:[^:]+:kms:[^:]*:[^:]*:(\*|key\/\*)$/.test(text);
}

/** True when some Allow statement of the role's policies grants kms:Decrypt on the key. */
export function roleCanDecrypt(t: Template, roleId: string, keyId: string): boolean {
  for (const doc of policyDocumentsOfRole(t, roleId)) {
    for (const statement of statementViews(doc)) {
      if (!statementAllows(statement, 'kms:Decrypt')) continue;
      if (statement.resources.some((r) => resourceCoversKey(t, r, keyId))) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Key policies

/** The key-policy statement that delegates key access to IAM in this account. */
export function accountRootStatement(): JsonObject {
  return {
    Sid: 'EnableIAMPolicies',
    Effect: 'Allow',
    Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
    Action: 'kms:*',
    Resource: '*',
  };
}

/** True when a key can encrypt data (S3 objects, log events): symmetric, ENCRYPT_DECRYPT, not disabled. */
export function isSymmetricEncryptionKey(key: ResourceView): boolean {
  const value = (name: string) => property(key, name)?.value;
  if (value('KeySpec') !== undefined && value('KeySpec') !== 'SYMMETRIC_DEFAULT') return false;
  if (value('KeyUsage') !== undefined && value('KeyUsage') !== 'ENCRYPT_DECRYPT') return false;
  return value('Enabled') !== false && value('Enabled') !== 'false';
}

/**
 * Denies `kms:CreateGrant` to every principal unless the grant is for an AWS resource or the caller
 * is an AWS service: the statement AWS Control Tower control CT.KMS.PR.3 asks of a key policy
 * (Effect Deny, Principal "*", Action kms:CreateGrant, Resource "*", only `BoolIfExists` with both
 * keys "false"). Services that integrate with KMS create their grants with
 * kms:GrantIsForAWSResource true (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource),
 * so EBS, RDS, Auto Scaling and the rest keep working.
 */
export function grantsOnlyForAwsResourcesStatement(): JsonObject {
  return {
    Sid: 'DenyGrantsExceptForAwsResources',
    Effect: 'Deny',
    Principal: '*',
    Action: 'kms:CreateGrant',
    Resource: '*',
    Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  };
}

/**
 * The Properties of a KMS key tapfix creates: symmetric (the default), rotation on (CT.KMS.PR.1),
 * a key policy with the account root statement (IAM policies of the account decide, as for a key
 * created without a policy), the service `statements` given, and the grant restriction of
 * {@link grantsOnlyForAwsResourcesStatement} (CT.KMS.PR.3). Every key a transform adds is built here.
 */
export function createdKeyProperties(description: JsonValue, statements: readonly JsonObject[]): JsonObject {
  return {
    Description: description,
    EnableKeyRotation: true,
    KeyPolicy: { Version: '2012-10-17', Statement: [accountRootStatement(), ...statements, grantsOnlyForAwsResourcesStatement()] },
  };
}

/**
 * The ARN pattern of a trail for an `aws:SourceArn` condition, as Fn::Sub text. Uses the trail's
 * TrailName when it is a literal or a Sub/Ref of parameters only (a GetAtt of the trail would make
 * a cycle: trail -> bucket -> key -> trail), else `trail/*` in this account.
 */
function trailArnText(t: Template, trailId: string): string {
  const name = propsOf(t, trailId)?.['TrailName'];
  let text = subText(name);
  const parameters = asObject(t.Parameters) ?? {};
  if (text !== undefined) {
    const vars = subTextVariables(text);
    const ok = vars.every((v) => v.startsWith('AWS::') || hasOwn(parameters, v));
    if (!ok || text === '' || text.includes(':')) text = undefined;
  }
  return 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/' + (text ?? '*');
}

/**
 * Key-policy statements that let CloudTrail write to a bucket whose default encryption uses the
 * key. S3 encrypts the delivered objects with the bucket's key on CloudTrail's behalf, so the
 * encryption context is the S3 one, not `aws:cloudtrail:arn`: the grant is scoped with
 * `aws:SourceArn` (the trail ARNs), as AWS recommends for CloudTrail key policies
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
 * DescribeKey is the statement AWS documents "as is" (create-kms-key-policy-for-cloudtrail-describe).
 */
export function cloudTrailKeyStatements(t: Template, trailIds: readonly string[]): JsonObject[] {
  const arns = [...new Set(trailIds.map((id) => trailArnText(t, id)))].sort();
  const sourceArn: JsonValue = arns.length === 1 ? { 'Fn::Sub': arns[0]! } : arns.map((a) => ({ 'Fn::Sub': a }));
  return [
    {
      Sid: 'AllowCloudTrailToEncryptLogs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringLike: { 'aws:SourceArn': sourceArn } },
    },
    {
      Sid: 'AllowCloudTrailToDescribeKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
    },
  ];
}

/**
 * The key-policy statement CloudWatch Logs needs to encrypt log groups with the key
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html): the
 * regional service principal, scoped to this account's log groups by encryption context.
 */
export function logsKeyStatement(): JsonObject {
  return {
    Sid: 'AllowCloudWatchLogs',
    Effect: 'Allow',
    Principal: { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } },
    Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    Resource: '*',
    Condition: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*' } },
    },
  };
}

/** What CloudWatch must be allowed on the key of an encrypted SNS topic to publish alarm notifications to it. */
export const CLOUDWATCH_ALARM_KEY_ACTIONS: readonly string[] = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/**
 * The key-policy statement that lets CloudWatch alarms publish to SNS topics encrypted with the
 * key (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services),
 * on behalf of this account only. It names nothing but a pseudo parameter, so the key never
 * depends on the topics and alarms that depend on it.
 */
export function cloudWatchAlarmsKeyStatement(actions: readonly string[] = CLOUDWATCH_ALARM_KEY_ACTIONS, sid = 'AllowCloudWatchAlarms'): JsonObject {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: [...actions],
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
  };
}

/**
 * The actions of {@link CLOUDWATCH_ALARM_KEY_ACTIONS} the key policy does not let CloudWatch call.
 * A statement for every principal counts only without a Condition: the conditions such statements
 * carry (kms:ViaService, kms:CallerAccount, an encryption context) admit other callers.
 */
export function actionsCloudWatchLacks(policy: unknown): string[] {
  return CLOUDWATCH_ALARM_KEY_ACTIONS.filter((pattern) => {
    const action = pattern.replace(/\*$/, '');
    return !statementViews(policy).some((s) => {
      if (!statementAllows(s, action)) return false;
      if (principalsOf(s, 'Service').includes('cloudwatch.amazonaws.com')) return true;
      return anyPrincipal(s) && s.statement['Condition'] === undefined;
    });
  });
}

/**
 * True when the key policy lets IAM policies grant use of the key: no KeyPolicy (the default
 * policy), or an Allow of `kms:*` to the account root (`arn:...:iam::<account>:root` or the bare
 * account id). Without it, IAM grants such as ec2-role-kms adds have no effect.
 */
export function keyPolicyDelegatesToIam(policy: unknown): boolean {
  if (policy === undefined) return true;
  return statementViews(policy).some(
    (s) =>
      statementAllows(s, 'kms:Decrypt') &&
      statementAllows(s, 'kms:GenerateDataKey') &&
      principalsOf(s, 'AWS').some((p) => new RegExp(`^(arn:${PARTITION}:iam::)?(\\$\\{AWS::AccountId\\}|\\d{12})(:root)?$`).test(p)),
  );
}

/**
 * The key-policy statement that lets CloudFront origin access control use the key
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html,
 * "SSE-KMS"): the cloudfront.amazonaws.com principal with `AWS:SourceArn` of the distributions
 * that read the key's buckets. `distributions` undefined scopes it to every distribution of the
 * account instead, for when naming a distribution would close a dependency cycle.
 */
export function cloudFrontKeyStatement(actions: readonly string[], distributions: readonly string[] | undefined): JsonObject {
  const arn = (d: string): JsonValue => ({ 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/' + d });
  const sourceArn = distributions === undefined ? undefined : [...new Set(distributions)].sort().map((d) => arn('${' + d + '}'));
  return {
    Sid: 'AllowCloudFrontOriginAccessControl',
    Effect: 'Allow',
    Principal: { Service: CLOUDFRONT_SERVICE },
    Action: actions.length === 1 ? actions[0]! : [...actions],
    Resource: '*',
    Condition:
      sourceArn === undefined
        ? { ArnLike: { 'AWS:SourceArn': arn('*') } }
        : { StringEquals: { 'AWS:SourceArn': sourceArn.length === 1 ? sourceArn[0]! : sourceArn } },
  };
}

/** The default EC2 Auto Scaling service-linked role, as Fn::Sub text. */
export const AUTOSCALING_SERVICE_LINKED_ROLE = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';

/** The actions `kms:Encrypt`, `kms:Decrypt`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and `kms:DescribeKey` allow, to check an existing grant action by action. */
export const AUTOSCALING_KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'];

/**
 * The two key-policy statements the EC2 Auto Scaling guide requires for a service-linked role
 * that launches instances with volumes encrypted by the key
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html):
 * use of the key by `useFor`, and grants for AWS resources (the volumes) by `grantFor`.
 */
export function autoScalingKeyStatements(useFor: readonly JsonValue[], grantFor: readonly JsonValue[]): JsonObject[] {
  const principal = (roles: readonly JsonValue[]): JsonObject => ({ AWS: roles.length === 1 ? roles[0]! : [...roles] });
  const out: JsonObject[] = [];
  if (useFor.length > 0) {
    out.push({
      Sid: 'AllowAutoScalingServiceLinkedRoleUseOfKey',
      Effect: 'Allow',
      Principal: principal(useFor),
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    });
  }
  if (grantFor.length > 0) {
    out.push({
      Sid: 'AllowAutoScalingServiceLinkedRoleGrants',
      Effect: 'Allow',
      Principal: principal(grantFor),
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    });
  }
  return out;
}

/** An IAM ARN text with its partition and account id each written one way, to compare ARNs spelled differently. */
function comparableArn(text: string): string {
  return text.replace(new RegExp(`^arn:${PARTITION}:([^:]*):([^:]*):(\\d{12}|\\$\\{AWS::AccountId\\}):`), 'arn:*:$1:$2:*:');
}

/**
 * True when a key policy lets the IAM principal `principal` (a role ARN value) call `action`:
 * an Allow naming the same ARN however it is written, or any principal (`*`).
 */
export function keyPolicyAllowsPrincipal(policy: unknown, principal: JsonValue, action: string): boolean {
  const text = subText(principal);
  const wanted = text === undefined ? undefined : comparableArn(text);
  return statementViews(policy).some((s) => {
    if (!statementAllows(s, action)) return false;
    if (anyPrincipal(s)) return true;
    if (wanted !== undefined) return principalsOf(s, 'AWS').some((p) => comparableArn(p) === wanted);
    return s.principal !== '*' && (s.principal?.['AWS'] ?? []).some((p) => deepEqual(p, principal, { keyOrder: true }));
  });
}

/**
 * True when statements can be added to key `keyId`'s KeyPolicy: the key is a resource of the
 * template whose Properties and KeyPolicy are missing or plain, with a Statement list or object.
 * A policy that is an intrinsic or a JSON string cannot be edited safely.
 */
export function keyPolicyEditable(t: Template, keyId: string): boolean {
  const view = resourceView(t, keyId);
  if (!view || propertiesComputed(view)) return false;
  const policy = property(view, 'KeyPolicy');
  return policy === undefined || policyDocument(policy.value, policy.pointer, 'KeyPolicy').kind !== 'opaque';
}

/**
 * Adds `statements` to key `keyId`'s KeyPolicy through `fx`: appended to its Statement list (a
 * single Statement object becomes a list), each Sid an existing statement uses made unique, or a
 * whole policy (account root + statements) when the key has none (the default key policy is the
 * account-root statement, so that keeps today's access). False, with nothing added, when there
 * are statements and the policy cannot be edited (see {@link keyPolicyEditable}).
 */
export function addKeyPolicyStatements(fx: Fixer, keyId: string, statements: readonly JsonObject[]): boolean {
  if (statements.length === 0) return true;
  if (!keyPolicyEditable(fx.template, keyId)) return false;
  const policy = property(resourceView(fx.template, keyId)!, 'KeyPolicy');
  if (policy === undefined) {
    fx.setProperty(keyId, ['KeyPolicy'], { Version: '2012-10-17', Statement: [accountRootStatement(), ...statements] });
    return true;
  }
  const doc = policyDocument(policy.value, policy.pointer, 'KeyPolicy');
  const added = withUniqueSids(doc.statements.map((s) => s.statement), statements);
  if (doc.kind === 'single') fx.set(doc.pointer, [doc.statements[0]!.statement as JsonObject, ...added]);
  else for (const statement of added) fx.appendStatement(doc, statement);
  return true;
}

/** The operations {@link addKeyPolicyStatements} builds, for callers without a Fixer; undefined when the policy cannot be edited. */
export function keyPolicyAdditionOps(t: Template, keyId: string, statements: readonly JsonObject[]): Operation[] | undefined {
  const fx = new Fixer(t);
  return addKeyPolicyStatements(fx, keyId, statements) ? fx.take().ops : undefined;
}

/** `added` with each Sid that an existing statement (or an earlier one of `added`) uses made unique: `Sid2`, `Sid3`, ... */
function withUniqueSids(existing: ReadonlyArray<Readonly<JsonObject>>, added: readonly JsonObject[]): JsonObject[] {
  const used = new Set(existing.map((s) => s['Sid']).filter((sid): sid is string => typeof sid === 'string').map((sid) => sid.toLowerCase()));
  const taken = new Set<string>();
  return added.map((s) => {
    const sid = s['Sid'];
    if (typeof sid !== 'string') return s;
    const unique = firstUnusedName((n) => (n === 1 ? sid : `${sid}${n}`), used, taken);
    return unique === sid ? s : { ...s, Sid: unique };
  });
}

/**
 * Key-policy statements that let CloudTrail encrypt the log files of trails whose `KMSKeyId` is
 * the key (SSE-KMS of the trail itself, not of its bucket), as AWS documents them in
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html:
 * `kms:GenerateDataKey*` for cloudtrail.amazonaws.com scoped by `aws:SourceArn` (the trail ARNs,
 * by name so the key does not depend on the trail) and by the CloudTrail encryption context of
 * this account's trails, and `kms:DescribeKey`. Readers of the log files decrypt through the
 * account-root statement and their IAM policies.
 */
export function trailLogKeyStatements(t: Template, trailIds: readonly string[]): JsonObject[] {
  const [encrypt, describe] = cloudTrailKeyStatements(t, trailIds);
  const condition = asObject(encrypt!['Condition'])!;
  return [
    {
      ...encrypt!,
      Condition: {
        StringLike: {
          ...asObject(condition['StringLike'])!,
          'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*' },
        },
      },
    },
    describe!,
  ];
}

/**
 * True when a key policy has the statement AWS Control Tower control CT.KMS.PR.3 looks for, in the
 * shape its rule accepts: Effect Deny, Action only kms:CreateGrant, Principal `*` (or `{AWS: "*"}`),
 * Resource only `*`, and a Condition that is only `BoolIfExists` with `kms:GrantIsForAWSResource`
 * and `aws:PrincipalIsAWSService` (keys case-insensitive) both the text "false"
 * ({@link grantsOnlyForAwsResourcesStatement} is one).
 */
export function keyPolicyRestrictsGrants(policy: unknown): boolean {
  return statementViews(policy).some((s) => {
    if (s.effect !== 'Deny' || s.actions.length === 0 || s.notActions.length > 0) return false;
    if (!s.actions.every((a) => a === 'kms:CreateGrant')) return false;
    if (!anyPrincipal(s)) return false;
    if (s.resources.length === 0 || !s.resources.every((r) => r === '*')) return false;
    const condition = s.condition;
    if (!condition || Object.keys(condition).length !== 1 || Object.keys(condition)[0] !== 'BoolIfExists') return false;
    const block = asObject(condition['BoolIfExists']);
    if (!block || Object.keys(block).length !== 2) return false;
    const wanted = ['kms:grantisforawsresource', 'aws:principalisawsservice'];
    return Object.entries(block).every(([k, v]) => wanted.includes(k.toLowerCase()) && v === 'false') &&
      new Set(Object.keys(block).map((k) => k.toLowerCase())).size === 2;
  });
}

/**
 * Statements of a key policy that let a principal other than an AWS service create grants on the
 * key for any purpose: an Allow whose Action names kms:CreateGrant specifically (`kms:CreateGrant`,
 * `kms:Create*`, `kms:*Grant`; not `kms:*` or `*`, which delegate or administer), to an IAM or
 * account principal, without a `Bool` `kms:GrantIsForAWSResource` true or a `kms:ViaService` condition,
 * other than service-linked roles (`role/aws-service-role/...`). Such a principal
 * may call CreateGrant itself (to hand the key to another role or account), which the
 * {@link grantsOnlyForAwsResourcesStatement} deny refuses.
 */
export function directGrantStatements(policy: unknown): StatementView[] {
  return statementViews(policy).filter(directGrantAllow);
}

/** True when an IAM or key policy statement is such a direct CreateGrant allow (see {@link directGrantStatements}). */
export function directGrantAllow(s: StatementView): boolean {
  const named = s.effect === 'Allow' && s.actions.some((a) => typeof a === 'string' && actionMatchesOnly(a));
  if (!named) return false;
  if (s.principal !== undefined && principalsOf(s, 'AWS').length === 0 && principalsOf(s, 'Federated').length === 0) return false;
  const forAws = conditionValues(s, 'Bool', 'kms:GrantIsForAWSResource');
  if (forAws !== undefined && forAws.length > 0 && forAws.every((v) => v === true || v === 'true')) return false;
  // Calls only through a service (kms:ViaService) and service-linked roles (the Auto Scaling one
  // AWS documents with this statement) create grants for the resources the service encrypts.
  if (Object.values(s.condition ?? {}).some((block) => Object.keys(asObject(block) ?? {}).some((k) => k.toLowerCase() === 'kms:viaservice'))) return false;
  const principals = principalsOf(s, 'AWS');
  return !(principals.length > 0 && principals.every((p) => p.includes(':role/aws-service-role/')));
}

/** An action pattern that matches kms:CreateGrant but not the data actions (`kms:*`, `*` do). */
function actionMatchesOnly(pattern: string): boolean {
  return actionPatternMatches(pattern, 'kms:CreateGrant') && !actionPatternMatches(pattern, 'kms:Decrypt');
}
