import { defineTransform } from '../src/transform.js';
import { dependenciesOf, textWithoutDependencies } from '../src/cfn/graph.js';
import { pointer } from '../src/cfn/pointer.js';
import { freshLogicalId } from '../src/cfn/naming.js';
import {
  BUCKET_POLICY_TYPE,
  BUCKET_TYPE,
  bucketPoliciesByBucket,
  isSecureTransportDeny,
  policyStatements,
  unresolvedPolicies,
  unresolvedPoliciesMentioning,
} from '../src/cfn/s3.js';
import { resourcesOfType } from '../src/cfn/template.js';
import { asObject } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

const SID = 'DenyInsecureTransport';
const S3_ARN = 'arn:${AWS::Partition}:s3:::';

/**
 * The deny statement, naming the bucket by its ARN, or (given `name`, the policy's own `Bucket`
 * value) by an ARN built from that name: the policy then depends on nothing new.
 */
function denyStatement(t: Template, bucketId: string, sid: string, name?: JsonValue): JsonObject {
  let resource: JsonValue = [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Sub': `\${${bucketId}.Arn}/*` }];
  if (name !== undefined) {
    const text = textWithoutDependencies(t, name);
    const arn = (suffix: string): JsonValue =>
      text !== undefined ? { 'Fn::Sub': `${S3_ARN}${text}${suffix}` } : { 'Fn::Sub': [`${S3_ARN}\${BucketName}${suffix}`, { BucketName: name }] };
    resource = [arn(''), arn('/*')];
  }
  return { Sid: sid, Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: resource, Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
}

/** A Sid not used by any statement of the policy (S3 rejects duplicate Sids). */
function freshSid(statements: readonly JsonValue[]): string {
  const used = new Set(statements.map((s) => asObject(s)?.['Sid']).filter((s): s is string => typeof s === 'string'));
  for (let n = 1; ; n++) {
    const sid = n === 1 ? SID : `${SID}${n}`;
    if (!used.has(sid)) return sid;
  }
}

export default defineTransform({
  meta: {
    id: 's3-enforce-tls',
    title: 'Deny S3 requests made without TLS',
    severity: 'high',
    safety: 'safe',
    seeds: ['000#15'],
    equivalents: [
      { tool: 'control-tower', id: 'CT.S3.PR.8', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/s3/ct-s3-pr-8.guard', note: 'checks the bucket policies there are; a bucket without one passes' },
    ],
    order: 50,
    defaultOptions: {},
    docs: `## Why
S3 accepts plain-HTTP requests unless a bucket policy denies them. Without TLS, data and the
request signature headers cross the network in clear text. Denying \`aws:SecureTransport: false\`
is an AWS Security Hub control (S3.5) and a requirement of PCI DSS, HIPAA and SOC 2 reviews.

## Fix
Adds to every \`AWS::S3::Bucket\` the statement

\`\`\`yaml
Sid: DenyInsecureTransport
Effect: Deny
Principal: '*'
Action: 's3:*'
Resource: [!GetAtt Bucket.Arn, !Sub '\${Bucket.Arn}/*']
Condition: {Bool: {'aws:SecureTransport': 'false'}}
\`\`\`

- When the template already has the bucket's \`AWS::S3::BucketPolicy\` (its \`Bucket\` is
  \`!Ref Bucket\`, \`!Sub '\${Bucket}'\`, or the same value as the bucket's \`BucketName\`), the
  statement is appended to that policy: a bucket has only one policy, and a second
  \`BucketPolicy\` resource would overwrite the first.
  When the bucket depends on that policy (it waits for something that waits for the policy) and
  the policy names the bucket by name, the statement names it by an ARN built from that name
  (\`!Sub 'arn:\${AWS::Partition}:s3:::<name>'\`): an ARN of the bucket in its policy would then
  make each wait for the other, which CloudFormation rejects.
- Otherwise a new \`<Bucket>Policy\` resource is created (with the bucket's \`Condition\`, if any).
- A statement that already denies requests whose \`aws:SecureTransport\` is false (any Sid,
  \`Bool\` or \`BoolIfExists\`, \`"false"\` or \`false\`) is never duplicated.

Reported without a fix, because no edit is safe: a policy whose \`PolicyDocument\` or
\`Statement\` is computed by an intrinsic, a string, or a single statement object; a bucket with
several \`BucketPolicy\` resources (only the last one written survives); a \`BucketPolicy\` that
exists under a different \`Condition\` than its bucket; a \`BucketPolicy\` whose \`Bucket\` cannot
be resolved but mentions the bucket.

## Fix safety
Safe for buckets used through the S3 API, the console, the CLI/SDKs, CloudFront, and AWS
services (CloudTrail, ELB and S3 log delivery all use HTTPS).

**Unsafe** for a bucket with \`WebsiteConfiguration\`: S3 website endpoints serve HTTP only, so
the deny would block every website request. Such a fix is held unless unsafe fixes are enabled;
put CloudFront in front of the bucket first.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const policies = bucketPoliciesByBucket(template);
    let unresolved: Array<{ id: string; at: string }> | undefined;
    const taken = new Set<string>();

    for (const { id, resource, pointer: at } of resourcesOfType(template, BUCKET_TYPE)) {
      const props = asObject(resource.Properties);
      const website = props?.['WebsiteConfiguration'] !== undefined;
      const safety = website ? ({ safety: 'unsafe' } as const) : {};
      const websiteNote = website ? ' (the bucket serves a website over HTTP: denying plain HTTP breaks its website endpoint)' : '';
      const attached = policies.get(id) ?? [];

      if (attached.length > 1) {
        const all = attached.every((p) => {
          const view = policyStatements(p.pointer, p.resource.Properties);
          return view.kind === 'list' ? view.items.some(isSecureTransportDeny) : view.kind === 'single' && isSecureTransportDeny(view.statement);
        });
        if (!all) {
          findings.push({
            pointer: at,
            message: `Bucket ${id} has ${attached.length} bucket policies (${attached.map((p) => p.id).join(', ')}); S3 keeps one policy per bucket, so merge them and deny requests without TLS`,
          });
        }
        continue;
      }

      if (attached.length === 1) {
        const policy = attached[0]!;
        const view = policyStatements(policy.pointer, policy.resource.Properties);
        if (view.kind === 'single' && isSecureTransportDeny(view.statement)) continue;
        if (view.kind === 'list' && view.items.some(isSecureTransportDeny)) continue;
        const base = `Bucket ${id} accepts requests over plain HTTP: its policy ${policy.id} has no statement denying aws:SecureTransport false`;
        if (view.kind !== 'list') {
          const why = view.kind === 'single' ? 'its Statement is a single object' : view.reason;
          findings.push({ pointer: view.pointer, message: `${base}; not fixed automatically because ${why}` });
          continue;
        }
        if (policy.resource.Condition !== undefined && policy.resource.Condition !== resource.Condition) {
          findings.push({
            pointer: policy.pointer,
            message: `${base}; not fixed automatically because the policy's Condition differs from the bucket's`,
          });
          continue;
        }
        // A policy that names its bucket by name, for a bucket that depends on the policy: an ARN
        // of the bucket in the policy would make each wait for the other.
        const name = asObject(policy.resource.Properties)?.['Bucket'];
        const byName = name !== undefined && dependenciesOf(template, id).has(policy.id) ? name : undefined;
        findings.push({
          pointer: at,
          message: base + websiteNote,
          fix: { ops: [{ op: 'add', path: `${view.pointer}/-`, value: denyStatement(template, id, freshSid(view.items), byName) }], ...safety },
        });
        continue;
      }

      const message = `Bucket ${id} accepts requests over plain HTTP: no bucket policy denies aws:SecureTransport false`;
      const maybe = unresolvedPoliciesMentioning(template, (unresolved ??= unresolvedPolicies(template)), id);
      if (maybe.length > 0) {
        findings.push({
          pointer: at,
          message: `${message}; not fixed automatically because ${maybe.join(', ')} may be its policy (its Bucket cannot be resolved)`,
        });
        continue;
      }
      const policyId = freshLogicalId(template, `${id}Policy`, taken);
      const value: JsonObject = {
        Type: BUCKET_POLICY_TYPE,
        ...(typeof resource.Condition === 'string' ? { Condition: resource.Condition } : {}),
        Properties: {
          Bucket: { Ref: id },
          PolicyDocument: { Version: '2012-10-17', Statement: [denyStatement(template, id, SID)] },
        },
      };
      findings.push({
        pointer: at,
        message: message + websiteNote,
        fix: { ops: [{ op: 'add', path: pointer('Resources', policyId), value }], ...safety },
      });
    }
    return findings;
  },
});
