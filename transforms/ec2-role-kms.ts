import { defineTransform } from '../src/transform.js';
import { launchTemplatesOfGroup } from '../src/cfn/compute.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf, dependsOnResource } from '../src/cfn/graph.js';
import { policyDocument, policyDocumentsOfRole, roleByArn, rolesIn, statementAllows, statementViews } from '../src/cfn/iam.js';
import {
  addKeyPolicyStatements,
  AUTOSCALING_KEY_USE_ACTIONS,
  AUTOSCALING_SERVICE_LINKED_ROLE,
  autoScalingKeyStatements,
  keyOf,
  keyPolicyAllowsPrincipal,
  roleCanDecrypt,
} from '../src/cfn/kms.js';
import { parsePointer, pointer } from '../src/cfn/pointer.js';
import { property, propertiesComputed, resource, resources, typeOf, type ResourceView } from '../src/cfn/query.js';
import { BUCKET_TYPE, bucketByArn, bucketEncryption } from '../src/cfn/s3.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { referencesIn, referencesTo } from '../src/cfn/template.js';
import { asObject, subText, toList } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

const ID = 'ec2-role-kms';
const SECRET = 'AWS::SecretsManager::Secret';

interface Options extends Record<string, unknown> {
  /** Name of the inline policy added to the role. */
  policyName: string;
  /** Also fix roles that are neither EC2 instance roles nor Lambda execution roles. */
  allRoles: boolean;
}

const PROFILE_USERS = new Set(['AWS::EC2::Instance', 'AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::LaunchConfiguration', 'AWS::EC2::SpotFleet']);
const FUNCTION_TYPES = ['AWS::Lambda::Function', 'AWS::Serverless::Function'];

/** True when a resource of one of `types` refers to `id` in its body. */
function referredToBy(t: Template, id: string, types: ReadonlySet<string>): boolean {
  return referencesTo(t, id).some((r) => {
    const [section, owner, ...within] = parsePointer(r.pointer);
    return section === 'Resources' && owner !== undefined && within.length > 0 && types.has(typeOf(t, owner) ?? '');
  });
}

/** Roles used by EC2 (through an instance profile an instance or launch template uses) and by Lambda functions, with what uses them. */
function computeRoles(t: Template): Map<string, { kind: string; via?: string }> {
  const out = new Map<string, { kind: string; via?: string }>();
  for (const profile of resources(t, 'AWS::IAM::InstanceProfile')) {
    if (!referredToBy(t, profile.id, PROFILE_USERS)) continue;
    for (const role of rolesIn(t, property(profile, 'Roles')?.value)) if (!out.has(role)) out.set(role, { kind: 'EC2 instance role', via: `profile ${profile.id}` });
  }
  for (const fn of resources(t, ...FUNCTION_TYPES)) {
    const role = roleByArn(t, property(fn, 'Role')?.value);
    if (role && !out.has(role)) out.set(role, { kind: 'Lambda execution role', via: `function ${fn.id}` });
  }
  return out;
}

interface KeyUse {
  write: boolean;
  what: Set<string>;
}

/** Template KMS keys the role needs because of the buckets and secrets its policies reach. */
function keysNeeded(t: Template, roleId: string, bucketKeys: Map<string, string>, secretKeys: Map<string, string>): Map<string, KeyUse> {
  const needs = new Map<string, KeyUse>();
  const note = (key: string, write: boolean, what: string) => {
    const use = needs.get(key) ?? { write: false, what: new Set<string>() };
    use.write ||= write;
    use.what.add(what);
    needs.set(key, use);
  };
  for (const doc of policyDocumentsOfRole(t, roleId)) {
    for (const statement of statementViews(doc)) {
      const reads = statementAllows(statement, 's3:GetObject');
      const writes = statementAllows(statement, 's3:PutObject');
      const secrets = statementAllows(statement, 'secretsmanager:GetSecretValue');
      if (!reads && !writes && !secrets) continue;
      for (const resource of statement.resources) {
        if (reads || writes) {
          const match = bucketByArn(t, resource);
          const key = match?.objects ? bucketKeys.get(match.bucket) : undefined;
          if (key) note(key, writes, `bucket ${match!.bucket}`);
        }
        if (secrets) {
          const secret = secretOf(t, resource);
          const key = secret ? secretKeys.get(secret) : undefined;
          if (key) note(key, false, `secret ${secret}`);
        }
      }
    }
  }
  return needs;
}

/** The secret a policy resource names: `Ref S` (the secret ARN), or an ARN written with its Name. */
function secretOf(t: Template, resource: JsonValue): string | undefined {
  const text = subText(resource);
  if (text === undefined) return undefined;
  const ref = /^\$\{([^}.]+)\}$/.exec(text);
  if (ref && typeOf(t, ref[1]!) === SECRET) return ref[1];
  for (const secret of resources(t, SECRET)) {
    const name = subText(property(secret, 'Name')?.value);
    if (name && !name.includes('*') && new RegExp(`:secret:${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-\\*|\\*|-[A-Za-z0-9]{6})?$`).test(text)) return secret.id;
  }
  return undefined;
}

/** True when the key's own policy lets the role do `actions` with it: a key policy that names a principal needs no IAM grant. */
function keyPolicyGrants(t: Template, key: ResourceView, roleId: string, actions: readonly string[]): boolean {
  const statements = statementViews(property(key, 'KeyPolicy')?.value).filter(
    (s) => s.principal !== '*' && (s.principal?.['AWS'] ?? []).some((principal) => roleByArn(t, principal) === roleId),
  );
  return actions.every((action) => statements.some((s) => statementAllows(s, action)));
}

/** Inline policies for roles that read or write S3 objects and secrets encrypted with a template key. */
function roleFindings(t: Template, options: Options, fx: Fixer): Finding[] {
  const findings: Finding[] = [];
  const bucketKeys = new Map<string, string>();
  for (const bucket of resources(t, BUCKET_TYPE)) {
    const enc = bucketEncryption(t, bucket.resource);
    if (enc.keyId && (enc.state === 'kms' || enc.state === 'dsse')) bucketKeys.set(bucket.id, enc.keyId);
  }
  const secretKeys = new Map<string, string>();
  for (const secret of resources(t, SECRET)) {
    const key = keyOf(t, property(secret, 'KmsKeyId')?.value);
    if (key) secretKeys.set(secret.id, key);
  }
  if (bucketKeys.size === 0 && secretKeys.size === 0) return findings;

  const roles = computeRoles(t);
  if (options.allRoles !== false) for (const { id } of resources(t, 'AWS::IAM::Role')) if (!roles.has(id)) roles.set(id, { kind: 'IAM role' });
  const policyName = typeof options.policyName === 'string' && /^[\w+=,.@-]{1,128}$/.test(options.policyName) ? options.policyName : 'KmsAccessForEncryptedData';

  for (const [roleId, usage] of roles) {
    const role = resource(t, roleId);
    if (!role || propertiesComputed(role)) continue;
    const needs = keysNeeded(t, roleId, bucketKeys, secretKeys);
    const missing = [...needs].filter(([keyId, use]) => {
      const key = resource(t, keyId)!;
      if (roleCanDecrypt(t, roleId, keyId)) return false;
      if (keyPolicyGrants(t, key, roleId, use.write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'])) return false;
      return key.condition === undefined || key.condition === role.condition;
    });
    if (missing.length === 0) continue;

    const statements: JsonObject[] = [];
    const writeKeys = missing.filter(([, use]) => use.write).map(([key]) => key);
    const readKeys = missing.filter(([, use]) => !use.write).map(([key]) => key);
    const arns = (keys: string[]): JsonValue => (keys.length === 1 ? { 'Fn::GetAtt': [keys[0]!, 'Arn'] } : keys.map((k) => ({ 'Fn::GetAtt': [k, 'Arn'] })));
    if (writeKeys.length) statements.push({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: arns(writeKeys) });
    if (readKeys.length) statements.push({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: arns(readKeys) });
    addGrant(fx, role, policyName, { Version: '2012-10-17', Statement: statements }, missing.some(([key]) => dependenciesOf(t, key).has(roleId)));

    const data = [...new Set(missing.flatMap(([, use]) => [...use.what]))].join(', ');
    const keys = missing.map(([key]) => key);
    findings.push({
      pointer: role.pointer,
      messageId: 'roleCannotDecrypt',
      message: `${usage.kind} ${roleId}${usage.via ? ` (${usage.via})` : ''} uses ${data}, encrypted with KMS ${keys.length === 1 ? 'key' : 'keys'} ${keys.join(', ')}, but may not decrypt with ${keys.length === 1 ? 'it' : 'them'}; fix: allow kms:Decrypt${writeKeys.length ? ' (and kms:GenerateDataKey where it writes objects)' : ''}`,
      ...(fx.pending ? { fix: fx.take() } : {}),
    });
  }
  return findings;
}

/**
 * Grants `document` to the role: a new inline policy, or the statements appended to the one this
 * rule added on an earlier run; a separate AWS::IAM::Policy when a key depends on the role
 * (`separate`), since the role naming the key would then make each wait for the other. Nothing
 * when the role's Policies are computed.
 */
function addGrant(fx: Fixer, role: ResourceView, policyName: string, document: JsonObject, separate: boolean): void {
  const policies = property(role, 'Policies');
  if (separate) {
    const policy: JsonObject = { Type: 'AWS::IAM::Policy' };
    if (role.condition !== undefined) policy['Condition'] = role.condition;
    policy['Properties'] = { PolicyName: policyName, Roles: [{ Ref: role.id }], PolicyDocument: document };
    fx.addResource(`${role.id}${policyName}`, policy);
  } else if (policies === undefined) {
    fx.setProperty(role.id, ['Policies'], [{ PolicyName: policyName, PolicyDocument: document }]);
  } else if (Array.isArray(policies.value)) {
    const names = new Set(policies.value.map((p) => asObject(p)?.['PolicyName']));
    // A policy this rule added on an earlier run: extend it rather than adding a twin.
    const ownIndex = policies.value.findIndex((p) => asObject(p)?.['PolicyName'] === policyName);
    const own = ownIndex >= 0 ? property(role, 'Policies', ownIndex, 'PolicyDocument') : undefined;
    const ownPolicy = own ? policyDocument(own.value, own.pointer) : undefined;
    if (ownPolicy?.kind === 'list') {
      for (const statement of document['Statement'] as JsonObject[]) fx.appendStatement(ownPolicy, statement);
    } else {
      let name = policyName;
      for (let n = 2; names.has(name); n++) name = `${policyName}${n}`;
      fx.append(policies.pointer, { PolicyName: name, PolicyDocument: document });
    }
  }
}

/** An EBS KmsKeyId naming the AWS managed key aws/ebs, which Auto Scaling may use without a grant. */
const AWS_MANAGED_EBS_KEY = /(^|:)alias\/aws\/ebs$/;

/** The role name of a service-linked role ARN, for messages. */
function roleName(role: JsonValue): string {
  const text = subText(role);
  return text === undefined ? 'named by ServiceLinkedRoleARN' : text.slice(text.lastIndexOf('/') + 1);
}

/**
 * Key-policy grants for the service-linked role of each Auto Scaling group that launches from a
 * launch template whose volumes are encrypted with a template key; a report for keys defined
 * outside the template. Launch configurations cannot name a key (their volumes use the account's
 * EBS default key), so only launch templates are read.
 */
function autoScalingFindings(t: Template, fx: Fixer): Finding[] {
  const findings: Finding[] = [];
  // Key -> service-linked role (by its JSON) -> the role and the groups launching with it.
  const byKey = new Map<string, Map<string, { role: JsonValue; groups: string[] }>>();
  for (const group of resources(t, 'AWS::AutoScaling::AutoScalingGroup')) {
    if (skipsTransform(group.resource, ID)) continue;
    const role: JsonValue = property(group, 'ServiceLinkedRoleARN')?.value ?? { 'Fn::Sub': AUTOSCALING_SERVICE_LINKED_ROLE };
    const outside = new Set<string>();
    for (const launchTemplate of launchTemplatesOfGroup(t, group.resource)) {
      const mappings = property(resource(t, launchTemplate)!, 'LaunchTemplateData', 'BlockDeviceMappings')?.value;
      for (const mapping of toList(mappings)) {
        const keyRef = asObject(asObject(mapping)?.['Ebs'])?.['KmsKeyId'];
        if (keyRef === undefined || AWS_MANAGED_EBS_KEY.test(subText(keyRef) ?? '')) continue;
        const key = keyOf(t, keyRef);
        if (!key) {
          outside.add(launchTemplate);
          continue;
        }
        const roles = byKey.get(key) ?? new Map<string, { role: JsonValue; groups: string[] }>();
        const use = roles.get(JSON.stringify(role)) ?? { role, groups: [] };
        const entry = `${group.id} (launch template ${launchTemplate})`;
        if (!use.groups.includes(entry)) use.groups.push(entry);
        roles.set(JSON.stringify(role), use);
        byKey.set(key, roles);
      }
    }
    if (outside.size > 0) {
      findings.push({
        pointer: group.pointer,
        severity: 'low',
        messageId: 'volumeKeyOutsideTemplate',
        message: `Auto Scaling group ${group.id} launches from ${[...outside].join(', ')}, whose volumes are encrypted with a KMS key defined outside this template: that key's policy must let the service-linked role ${roleName(role)} use the key and create grants for AWS resources, or instances fail to launch`,
      });
    }
  }
  for (const [key, uses] of byKey) {
    const keyView = resource(t, key)!;
    const policy = property(keyView, 'KeyPolicy')?.value;
    const roles = [...uses.values()].map((u) => u.role);
    const useFor = roles.filter((r) => !AUTOSCALING_KEY_USE_ACTIONS.every((action) => keyPolicyAllowsPrincipal(policy, r, action)));
    const grantFor = roles.filter((r) => !keyPolicyAllowsPrincipal(policy, r, 'kms:CreateGrant'));
    if (useFor.length === 0 && grantFor.length === 0) continue;
    // A custom role ARN built from a resource that waits for the key would close a dependency cycle.
    const cyclic = [...useFor, ...grantFor].some((r) =>
      referencesIn(r).some((ref) => resource(t, ref.target) !== undefined && (ref.target === key || dependsOnResource(t, ref.target, key))),
    );
    if (!cyclic) addKeyPolicyStatements(fx, key, autoScalingKeyStatements(useFor, grantFor));
    const lacking = [...uses.values()].filter((u) => useFor.includes(u.role) || grantFor.includes(u.role));
    const roleNames = [...new Set(lacking.map((u) => roleName(u.role)))].join(', ');
    const groups = lacking.flatMap((u) => u.groups);
    const subject = groups.length === 1 ? `group ${groups[0]} launches` : `groups ${groups.join(', ')} launch`;
    const missing = [...(useFor.length ? ['use the key'] : []), ...(grantFor.length ? ['create grants for the volumes'] : [])];
    findings.push({
      pointer: pointer('Resources', key, 'Properties', 'KeyPolicy'),
      messageId: 'autoScalingRoleLacksKey',
      message: `Auto Scaling ${subject} instances whose volumes are encrypted with KMS key ${key}, but the key policy does not let the service-linked role ${roleNames} ${missing.join(' and ')}: instances fail to launch (Client.InternalError); fix: add the key-policy ${missing.length === 1 ? 'statement' : 'statements'} the EC2 Auto Scaling guide documents`,
      ...(fx.pending ? { fix: fx.take() } : {}),
    });
  }
  return findings;
}

export default defineTransform<Options>({
  meta: {
    id: ID,
    title: 'Grant IAM roles and Auto Scaling service-linked roles the KMS permissions their encrypted data needs',
    severity: 'high',
    safety: 'safe',
    seeds: ['000#13'],
    equivalents: [],
    order: 40,
    defaultOptions: { policyName: 'KmsAccessForEncryptedData', allRoles: true },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { policyName: { type: 'string', minLength: 1, maxLength: 128 }, allRoles: { type: 'boolean' } } },
    docs: `## Why
S3 objects encrypted with a customer managed KMS key (SSE-KMS) and Secrets Manager secrets
encrypted with one can only be used by principals that may use the key as well: reading an
object or a secret needs \`kms:Decrypt\`, writing an object needs \`kms:GenerateDataKey\`. An EC2
instance role, a Lambda execution role or a Firehose delivery role with \`s3:GetObject\` /
\`s3:PutObject\` on the bucket but no KMS permission gets \`AccessDenied\` at run time, although
the template deploys fine.

An Auto Scaling group launches its instances as its service-linked role
(\`AWSServiceRoleForAutoScaling\`, or the role its \`ServiceLinkedRoleARN\` names). When the launch
template encrypts volumes with a customer managed key, the key policy itself must let that role
use the key: a service-linked role's permissions cannot be changed, so the account-root statement
that delegates to IAM does not reach it. Without the grant every launch fails
(\`Client.InternalError\`) and the group never reaches its capacity.

## Fix
### Roles that read encrypted data
For every IAM role of the template — in particular EC2 instance roles (through an instance profile
that an instance, launch template or launch configuration uses) and Lambda execution roles, but
also Firehose delivery roles, Glue, ECS task and other service roles — looks at every policy that
applies to it (inline \`Policies\`, \`AWS::IAM::Policy\` / \`ManagedPolicy\` resources naming the
role, \`ManagedPolicyArns\` references) for statements that allow
- \`s3:GetObject\` or \`s3:PutObject\` (any wildcard form, e.g. \`s3:*\`) on the objects of a bucket
  whose default encryption uses a KMS key defined in the template (resource forms:
  \`!Sub '\${Bucket.Arn}/*'\`, \`arn:\${AWS::Partition}:s3:::\${Bucket}/*\`, \`Fn::Join\`, the bucket's
  literal name), or
- \`secretsmanager:GetSecretValue\` on a secret with a template \`KmsKeyId\`,

and adds one inline policy (\`KmsAccessForEncryptedData\`) to the role's \`Policies\` allowing, on
exactly those keys (\`!GetAtt Key.Arn\`), \`kms:Decrypt\`, plus \`kms:GenerateDataKey\` where the role
writes objects. Keys reached through an alias are resolved to the key.

Roles that already allow \`kms:Decrypt\` on the key in any statement (including \`kms:*\`, \`*\`,
\`Resource: '*'\` or any reference to the key or its alias) are left alone, and so are roles the
key policy itself names as principal with the actions needed: a key policy grant needs no IAM
grant.

When the key depends on the role (its key policy names the role for some other action, say), the
grant goes into a new \`AWS::IAM::Policy\` (\`<Role>KmsAccessForEncryptedData\`, \`Roles: [!Ref
Role]\`) instead of the role's \`Policies\`: a role naming the key whose policy names the role makes
each depend on the other, which CloudFormation rejects. Statements with
\`Resource: '*'\` for S3 do not count: they say nothing about which buckets the code uses.

The catalogue's ideal also grants \`kms:DescribeKey\` and grants \`kms:GenerateDataKey\` to readers;
neither is needed for S3 or Secrets Manager, so the grant is kept to what the role's own S3 and
secret permissions use (least privilege).

The IAM grant is enough when the key policy delegates to IAM (the account-root \`kms:*\`
statement every key gets by default and \`s3-customer-managed-key\` creates); a key policy that
names its users explicitly must list the role itself.

### Auto Scaling groups on encrypted volumes
For every Auto Scaling group that launches from a launch template of the template (its
\`LaunchTemplate\`, its \`MixedInstancesPolicy\` launch template and the overrides' launch
templates, named by \`LaunchTemplateId\` — \`Ref\` or \`GetAtt .LaunchTemplateId\` — or by
\`LaunchTemplateName\`, whatever the \`Version\`) whose \`BlockDeviceMappings[].Ebs.KmsKeyId\` is a key
of the template (the key or an alias of it, by \`Ref\`, \`GetAtt\` or ARN), adds to that key's policy
the two statements the EC2 Auto Scaling user guide requires
([Required AWS KMS key policy for use with encrypted volumes](https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html)),
for the group's service-linked role:
- \`kms:Encrypt\`, \`kms:Decrypt\`, \`kms:ReEncrypt*\`, \`kms:GenerateDataKey*\` and \`kms:DescribeKey\`;
- \`kms:CreateGrant\` with the condition \`Bool: {kms:GrantIsForAWSResource: true}\` (grants for the
  volumes only).

The role is
\`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling\`,
or the group's \`ServiceLinkedRoleARN\` as written when it has one. Every key of the template
gets the grant, whoever created it (\`s3-customer-managed-key\` included). What the policy already
allows the role counts (its ARN written with any partition or account form, or the principal
\`*\`, conditions aside): only the missing statement is added, with a Sid of its own. A key without
\`KeyPolicy\` gets the account-root statement (its default policy) with the two.

Reported without a fix: a volume key defined outside the template (a parameter, an import, a key
ARN): only its owner can change its policy; a key policy that is not a plain document; a
\`ServiceLinkedRoleARN\` built from a resource that itself waits for the key (a dependency cycle).
The AWS managed key \`alias/aws/ebs\` needs no grant. Launch configurations cannot name a key
(their volumes use the account's default EBS key), so groups launched from one are not checked;
neither are encrypted snapshots or AMIs, whose keys the template does not show.

## Fix safety
Safe: it only adds permissions the role's existing S3 and Secrets Manager permissions already
imply, and the key-policy statements the EC2 Auto Scaling guide requires for the service-linked
role.

KMS accepts a key policy only when its principals exist. In an account where no Auto Scaling
group was ever created, \`AWSServiceRoleForAutoScaling\` does not exist yet and the key cannot be
created until it does (\`aws iam create-service-linked-role --aws-service-name
autoscaling.amazonaws.com\`, once per account); without the grant the same stack would fail later,
when the group cannot launch.

## Options
- \`policyName\` (default \`KmsAccessForEncryptedData\`): name of the inline policy added.
- \`allRoles\` (default true): fix every role of the template. The catalogue item is about EC2
  and Lambda roles, but \`s3-customer-managed-key\` moving a bucket to a CMK breaks a Firehose,
  Glue or ECS role writing into it just the same. \`false\` limits the rule to EC2 instance roles
  and Lambda execution roles.
`,
  },
  check({ template: t, options }) {
    const fx = new Fixer(t);
    return [...roleFindings(t, options, fx), ...autoScalingFindings(t, fx)];
  },
});
