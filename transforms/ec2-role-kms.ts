import { defineTransform } from '../src/transform.js';
import { dependenciesOf, dependsOnResource } from '../src/cfn/graph.js';
import { pointer } from '../src/cfn/pointer.js';
import { launchTemplatesOfGroup } from '../src/cfn/compute.js';
import { policyDocumentsOfRole, roleByArn, rolesIn } from '../src/cfn/iam.js';
import {
  allowsAction,
  AUTOSCALING_KEY_USE_ACTIONS,
  AUTOSCALING_SERVICE_LINKED_ROLE,
  autoScalingKeyStatements,
  keyOf,
  keyPolicyAdditionOps,
  keyPolicyAllowsPrincipal,
  propertiesOf,
  resourceOf,
  resourcesOfStatement,
  roleCanDecrypt,
  statementsOf,
} from '../src/cfn/kms.js';
import { freshLogicalId } from '../src/cfn/naming.js';
import { typeOf } from '../src/cfn/query.js';
import { BUCKET_TYPE as S3_BUCKET, bucketByArn, bucketEncryption } from '../src/cfn/s3.js';
import { skipsTransform as skipsRule } from '../src/cfn/skip.js';
import { referencesIn, referencesTo, resourcesOfType } from '../src/cfn/template.js';
import { asObject, intrinsicName, subText as templateText, toList } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Operation, Template } from '../src/types.js';

const ID = 'ec2-role-kms';

interface Options extends Record<string, unknown> {
  /** Name of the inline policy added to the role. */
  policyName: string;
  /** Also fix roles that are neither EC2 instance roles nor Lambda execution roles. */
  allRoles: boolean;
}

const PROFILE_USERS = new Set(['AWS::EC2::Instance', 'AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::LaunchConfiguration', 'AWS::EC2::SpotFleet']);
const FUNCTION_TYPES = new Set(['AWS::Lambda::Function', 'AWS::Serverless::Function']);

/** Logical id of the resource a reference pointer lies in. */
function resourceAt(p: string): string | undefined {
  const m = /^\/Resources\/([^/]+)\//.exec(p);
  return m ? m[1]!.replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
}

/** Roles used by EC2 (through an instance profile an instance or launch template uses) and by Lambda functions, with what uses them. */
function computeRoles(t: Template): Map<string, { kind: string; via?: string }> {
  const out = new Map<string, { kind: string; via?: string }>();
  for (const { id, resource } of resourcesOfType(t, 'AWS::IAM::InstanceProfile')) {
    const used = referencesTo(t, id).some((r) => {
      const user = resourceAt(r.pointer);
      return user !== undefined && PROFILE_USERS.has(typeOf(t, user) ?? '');
    });
    if (!used) continue;
    for (const role of rolesIn(t, propertiesOf(resource)?.['Roles'])) if (!out.has(role)) out.set(role, { kind: 'EC2 instance role', via: `profile ${id}` });
  }
  for (const { id, resource } of resourcesOfType(t, ...FUNCTION_TYPES)) {
    const role = roleByArn(t, propertiesOf(resource)?.['Role']);
    if (role && !out.has(role)) out.set(role, { kind: 'Lambda execution role', via: `function ${id}` });
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
    for (const statement of statementsOf(doc)) {
      const reads = allowsAction(statement, 's3:GetObject');
      const writes = allowsAction(statement, 's3:PutObject');
      const secrets = allowsAction(statement, 'secretsmanager:GetSecretValue');
      if (!reads && !writes && !secrets) continue;
      for (const resource of resourcesOfStatement(statement)) {
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
  const text = templateText(resource);
  if (text === undefined) return undefined;
  const ref = /^\$\{([^}.]+)\}$/.exec(text);
  if (ref && typeOf(t, ref[1]!) === 'AWS::SecretsManager::Secret') return ref[1];
  for (const { id, resource: secret } of resourcesOfType(t, 'AWS::SecretsManager::Secret')) {
    const name = templateText(propertiesOf(secret)?.['Name']);
    if (name && !name.includes('*') && new RegExp(`:secret:${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-\\*|\\*|-[A-Za-z0-9]{6})?$`).test(text)) return id;
  }
  return undefined;
}

/** True when the key's own policy lets the role do `actions` with it: a key policy that names a principal needs no IAM grant. */
function keyPolicyGrants(t: Template, keyId: string, roleId: string, actions: readonly string[]): boolean {
  const statements = statementsOf(propertiesOf(resourceOf(t, keyId))?.['KeyPolicy']).filter((s) =>
    toList(asObject(s['Principal'])?.['AWS']).some((principal) => roleByArn(t, principal) === roleId),
  );
  return actions.every((action) => statements.some((s) => allowsAction(s, action)));
}

/** Inline policies for roles that read or write S3 objects and secrets encrypted with a template key. */
function roleFindings(t: Template, options: Options): Finding[] {
  const findings: Finding[] = [];
  const bucketKeys = new Map<string, string>();
  for (const { id, resource } of resourcesOfType(t, S3_BUCKET)) {
    const enc = bucketEncryption(t, resource);
    if (enc.keyId && (enc.state === 'kms' || enc.state === 'dsse')) bucketKeys.set(id, enc.keyId);
  }
  const secretKeys = new Map<string, string>();
  for (const { id, resource } of resourcesOfType(t, 'AWS::SecretsManager::Secret')) {
    const key = keyOf(t, propertiesOf(resource)?.['KmsKeyId']);
    if (key) secretKeys.set(id, key);
  }
  if (bucketKeys.size === 0 && secretKeys.size === 0) return findings;

  const roles = computeRoles(t);
  if (options.allRoles !== false) for (const { id } of resourcesOfType(t, 'AWS::IAM::Role')) if (!roles.has(id)) roles.set(id, { kind: 'IAM role' });
  const policyName = typeof options.policyName === 'string' && /^[\w+=,.@-]{1,128}$/.test(options.policyName) ? options.policyName : 'KmsAccessForEncryptedData';

  for (const [roleId, usage] of roles) {
    const role = resourceOf(t, roleId);
    if (!role || (role.Properties !== undefined && (!asObject(role.Properties) || intrinsicName(role.Properties)))) continue;
    const needs = keysNeeded(t, roleId, bucketKeys, secretKeys);
    const missing = [...needs].filter(([key, use]) => {
      if (roleCanDecrypt(t, roleId, key)) return false;
      if (keyPolicyGrants(t, key, roleId, use.write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'])) return false;
      const condition = resourceOf(t, key)?.Condition;
      return condition === undefined || condition === role.Condition;
    });
    if (missing.length === 0) continue;

    const statements: JsonObject[] = [];
    const writeKeys = missing.filter(([, use]) => use.write).map(([key]) => key);
    const readKeys = missing.filter(([, use]) => !use.write).map(([key]) => key);
    const arns = (keys: string[]): JsonValue => (keys.length === 1 ? { 'Fn::GetAtt': [keys[0]!, 'Arn'] } : keys.map((k) => ({ 'Fn::GetAtt': [k, 'Arn'] })));
    if (writeKeys.length) statements.push({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: arns(writeKeys) });
    if (readKeys.length) statements.push({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: arns(readKeys) });

    const base = pointer('Resources', roleId, 'Properties');
    const policies = propertiesOf(role)?.['Policies'];
    const document = { Version: '2012-10-17', Statement: statements };
    let ops: Operation[] | undefined;
    if (missing.some(([key]) => dependenciesOf(t, key).has(roleId))) {
      // The key's policy names the role: naming the key in the role as well would make each wait for the other.
      const policy: JsonObject = { Type: 'AWS::IAM::Policy' };
      if (typeof role.Condition === 'string') policy['Condition'] = role.Condition;
      policy['Properties'] = { PolicyName: policyName, Roles: [{ Ref: roleId }], PolicyDocument: document };
      ops = [{ op: 'add', path: pointer('Resources', freshLogicalId(t, `${roleId}${policyName}`)), value: policy }];
    } else if (policies === undefined) {
      const value = [{ PolicyName: policyName, PolicyDocument: document }];
      ops = [role.Properties === undefined ? { op: 'add', path: base, value: { Policies: value } } : { op: 'add', path: `${base}/Policies`, value }];
    } else if (Array.isArray(policies)) {
      const names = new Set(policies.map((p) => asObject(p)?.['PolicyName']));
      // A policy this rule added on an earlier run: extend it rather than adding a twin.
      const ownIndex = policies.findIndex((p) => asObject(p)?.['PolicyName'] === policyName);
      const own = ownIndex >= 0 ? asObject(asObject(policies[ownIndex])?.['PolicyDocument']) : undefined;
      if (own && Array.isArray(own['Statement'])) {
        ops = statements.map((s) => ({ op: 'add', path: `${base}/Policies/${ownIndex}/PolicyDocument/Statement/-`, value: s }) as Operation);
      } else {
        let name = policyName;
        for (let n = 2; names.has(name); n++) name = `${policyName}${n}`;
        ops = [{ op: 'add', path: `${base}/Policies/-`, value: { PolicyName: name, PolicyDocument: document } }];
      }
    }
    const data = [...new Set(missing.flatMap(([, use]) => [...use.what]))].join(', ');
    const keys = missing.map(([key]) => key);
    findings.push({
      pointer: pointer('Resources', roleId),
      message: `${usage.kind} ${roleId}${usage.via ? ` (${usage.via})` : ''} uses ${data}, encrypted with KMS ${keys.length === 1 ? 'key' : 'keys'} ${keys.join(', ')}, but may not decrypt with ${keys.length === 1 ? 'it' : 'them'}; fix: allow kms:Decrypt${writeKeys.length ? ' (and kms:GenerateDataKey where it writes objects)' : ''}`,
      ...(ops ? { fix: { ops } } : {}),
    });
  }
  return findings;
}

/** An EBS KmsKeyId naming the AWS managed key aws/ebs, which Auto Scaling may use without a grant. */
const AWS_MANAGED_EBS_KEY = /(^|:)alias\/aws\/ebs$/;

/** The role name of a service-linked role ARN, for messages. */
function roleName(role: JsonValue): string {
  const text = templateText(role);
  return text === undefined ? 'named by ServiceLinkedRoleARN' : text.slice(text.lastIndexOf('/') + 1);
}

/**
 * Key-policy grants for the service-linked role of each Auto Scaling group that launches from a
 * launch template whose volumes are encrypted with a template key; a report for keys defined
 * outside the template. Launch configurations cannot name a key (their volumes use the account's
 * EBS default key), so only launch templates are read.
 */
function autoScalingFindings(t: Template): Finding[] {
  const findings: Finding[] = [];
  // Key -> service-linked role (by its JSON) -> the role and the groups launching with it.
  const byKey = new Map<string, Map<string, { role: JsonValue; groups: string[] }>>();
  for (const { id, resource } of resourcesOfType(t, 'AWS::AutoScaling::AutoScalingGroup')) {
    if (skipsRule(resource, ID)) continue;
    const role: JsonValue = propertiesOf(resource)?.['ServiceLinkedRoleARN'] ?? { 'Fn::Sub': AUTOSCALING_SERVICE_LINKED_ROLE };
    const outside = new Set<string>();
    for (const launchTemplate of launchTemplatesOfGroup(t, resource)) {
      const data = asObject(propertiesOf(resourceOf(t, launchTemplate))?.['LaunchTemplateData']);
      for (const mapping of toList(data?.['BlockDeviceMappings'])) {
        const keyRef = asObject(asObject(mapping)?.['Ebs'])?.['KmsKeyId'];
        if (keyRef === undefined || AWS_MANAGED_EBS_KEY.test(templateText(keyRef) ?? '')) continue;
        const key = keyOf(t, keyRef);
        if (!key) {
          outside.add(launchTemplate);
          continue;
        }
        const roles = byKey.get(key) ?? new Map<string, { role: JsonValue; groups: string[] }>();
        const use = roles.get(JSON.stringify(role)) ?? { role, groups: [] };
        const group = `${id} (launch template ${launchTemplate})`;
        if (!use.groups.includes(group)) use.groups.push(group);
        roles.set(JSON.stringify(role), use);
        byKey.set(key, roles);
      }
    }
    if (outside.size > 0) {
      findings.push({
        pointer: pointer('Resources', id),
        severity: 'low',
        message: `Auto Scaling group ${id} launches from ${[...outside].join(', ')}, whose volumes are encrypted with a KMS key defined outside this template: that key's policy must let the service-linked role ${roleName(role)} use the key and create grants for AWS resources, or instances fail to launch`,
      });
    }
  }
  for (const [key, uses] of byKey) {
    const policy = propertiesOf(resourceOf(t, key))?.['KeyPolicy'];
    const roles = [...uses.values()].map((u) => u.role);
    const useFor = roles.filter((r) => !AUTOSCALING_KEY_USE_ACTIONS.every((action) => keyPolicyAllowsPrincipal(policy, r, action)));
    const grantFor = roles.filter((r) => !keyPolicyAllowsPrincipal(policy, r, 'kms:CreateGrant'));
    if (useFor.length === 0 && grantFor.length === 0) continue;
    // A custom role ARN built from a resource that waits for the key would close a dependency cycle.
    const cyclic = [...useFor, ...grantFor].some((r) =>
      referencesIn(r).some((ref) => resourceOf(t, ref.target) !== undefined && (ref.target === key || dependsOnResource(t, ref.target, key))),
    );
    const ops = cyclic ? undefined : keyPolicyAdditionOps(t, key, autoScalingKeyStatements(useFor, grantFor));
    const lacking = [...uses.values()].filter((u) => useFor.includes(u.role) || grantFor.includes(u.role));
    const roleNames = [...new Set(lacking.map((u) => roleName(u.role)))].join(', ');
    const groups = lacking.flatMap((u) => u.groups);
    const subject = groups.length === 1 ? `group ${groups[0]} launches` : `groups ${groups.join(', ')} launch`;
    const missing = [...(useFor.length ? ['use the key'] : []), ...(grantFor.length ? ['create grants for the volumes'] : [])];
    findings.push({
      pointer: pointer('Resources', key, 'Properties', 'KeyPolicy'),
      message: `Auto Scaling ${subject} instances whose volumes are encrypted with KMS key ${key}, but the key policy does not let the service-linked role ${roleNames} ${missing.join(' and ')}: instances fail to launch (Client.InternalError); fix: add the key-policy ${missing.length === 1 ? 'statement' : 'statements'} the EC2 Auto Scaling guide documents`,
      ...(ops && ops.length ? { fix: { ops } } : {}),
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
    return [...roleFindings(t, options), ...autoScalingFindings(t)];
  },
});
