import { defineTransform } from '../src/transform.js';
import { dependenciesOf } from '../src/cfn/graph.js';
import { pointer } from '../src/cfn/pointer.js';
import { freshLogicalId, intrinsicName, referencesTo, resourcesOfType } from '../src/cfn/template.js';
import {
  allowsAction,
  asObject,
  bucketByArn,
  bucketEncryption,
  keyOf,
  policyDocumentsOfRole,
  propertiesOf,
  resourceOf,
  resourcesOfStatement,
  roleByArn,
  roleCanDecrypt,
  rolesIn,
  S3_BUCKET,
  statementsOf,
  templateText,
  toList,
  typeOf,
} from '../src/cfn/kms.js';
import type { Finding, JsonObject, JsonValue, Operation, Template } from '../src/types.js';

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

export default defineTransform<Options>({
  meta: {
    id: 'ec2-role-kms',
    title: 'Grant IAM roles the KMS permissions their encrypted S3 data and secrets need',
    severity: 'high',
    safety: 'safe',
    seeds: ['000#13'],
    order: 40,
    defaultOptions: { policyName: 'KmsAccessForEncryptedData', allRoles: true },
    docs: `## Why
S3 objects encrypted with a customer managed KMS key (SSE-KMS) and Secrets Manager secrets
encrypted with one can only be used by principals that may use the key as well: reading an
object or a secret needs \`kms:Decrypt\`, writing an object needs \`kms:GenerateDataKey\`. An EC2
instance role, a Lambda execution role or a Firehose delivery role with \`s3:GetObject\` /
\`s3:PutObject\` on the bucket but no KMS permission gets \`AccessDenied\` at run time, although
the template deploys fine.

## Fix
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

## Fix safety
Safe: it only adds permissions the role's existing S3 and Secrets Manager permissions already
imply.

## Options
- \`policyName\` (default \`KmsAccessForEncryptedData\`): name of the inline policy added.
- \`allRoles\` (default true): fix every role of the template. The catalogue item is about EC2
  and Lambda roles, but \`s3-customer-managed-key\` moving a bucket to a CMK breaks a Firehose,
  Glue or ECS role writing into it just the same. \`false\` limits the rule to EC2 instance roles
  and Lambda execution roles.
`,
  },
  check({ template: t, options }) {
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
  },
});
