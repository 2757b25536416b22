import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf, textWithoutDependencies } from '../src/cfn/graph.js';
import { conditionValues, policyOfProperties, type StatementView } from '../src/cfn/iam.js';
import { property, resources } from '../src/cfn/query.js';
import {
  BUCKET_POLICY_TYPE,
  BUCKET_TYPE,
  bucketPoliciesOf,
  tlsDenyOf,
  tlsDenyStatement,
  TLS_DENY_SID,
  unresolvedPolicies,
  unresolvedPoliciesMentioning,
} from '../src/cfn/s3.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

const S3_ARN = 'arn:${AWS::Partition}:s3:::';

/**
 * The deny statement naming the bucket by an ARN built from `name`, the policy's own `Bucket`
 * value, for a bucket that depends on its policy: the policy then depends on nothing new.
 */
function denyByName(t: Template, name: JsonValue, sid: string): JsonObject {
  const text = textWithoutDependencies(t, name);
  const arn = (suffix: string): JsonValue =>
    text !== undefined ? { 'Fn::Sub': `${S3_ARN}${text}${suffix}` } : { 'Fn::Sub': [`${S3_ARN}\${BucketName}${suffix}`, { BucketName: name }] };
  return tlsDenyOf([arn(''), arn('/*')], sid);
}

/**
 * True for a statement that denies requests made without TLS: `Effect: Deny` with a
 * `Bool` or `BoolIfExists` condition `aws:SecureTransport` equal to `false` ("false", false,
 * or a one-element list of either). Sid, Principal, Action and Resource are not compared: any
 * such statement shows the author enforces TLS, and a second one would only duplicate it.
 */
function deniesInsecureTransport(statement: StatementView): boolean {
  if (statement.effect !== 'Deny') return false;
  return ['Bool', 'BoolIfExists'].some((operator) => {
    const values = conditionValues(statement, operator, 'aws:SecureTransport') ?? [];
    return values.length > 0 && values.every((v) => v === false || (typeof v === 'string' && v.toLowerCase() === 'false'));
  });
}

/** A Sid not used by any statement of the policy (S3 rejects duplicate Sids). */
function freshSid(statements: readonly StatementView[]): string {
  const used = new Set(statements.map((s) => s.sid));
  for (let n = 1; ; n++) {
    const sid = n === 1 ? TLS_DENY_SID : `${TLS_DENY_SID}${n}`;
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
Resource: [!GetAtt Bucket.Arn, !Join ['', [!GetAtt Bucket.Arn, '/*']]]
Condition: {Bool: {'aws:SecureTransport': 'false'}}
\`\`\`

in the one shape the AWS Control Tower control CT.S3.PR.8 recognises: \`Effect: Deny\`,
\`Principal: '*'\`, \`Action: 's3:*'\`, the condition exactly \`{Bool: {'aws:SecureTransport': 'false'}}\`,
and the bucket and its objects named by \`GetAtt Bucket.Arn\` and a \`Fn::Join\` of it with
\`/*\` (the rule reads that Join; \`!Sub '\${Bucket.Arn}/*'\`, which tapfix wrote before, means the
same to S3 but fails the control). s3-access-logging and elb-log-principal write the same statement
into the bucket policies they create.

- When the template already has the bucket's \`AWS::S3::BucketPolicy\` (its \`Bucket\` is
  \`!Ref Bucket\`, \`!Sub '\${Bucket}'\`, or the same value as the bucket's \`BucketName\`), the
  statement is appended to that policy: a bucket has only one policy, and a second
  \`BucketPolicy\` resource would overwrite the first.
  When the bucket depends on that policy (it waits for something that waits for the policy) and
  the policy names the bucket by name, the statement names it by an ARN built from that name
  (\`!Sub 'arn:\${AWS::Partition}:s3:::<name>'\`): an ARN of the bucket in its policy would then
  make each wait for the other, which CloudFormation rejects. (CT.S3.PR.8 does not recognise
  that form: its rule accepts only \`GetAtt\` references, which would close the cycle, and literal
  \`arn:aws:s3:::\` ARNs, which would pin the partition; the control keeps flagging such a policy
  until the bucket no longer waits for it.)
- Otherwise a new \`<Bucket>Policy\` resource is created (with the bucket's \`Condition\`, if any).
- A statement that already denies requests whose \`aws:SecureTransport\` is false (any Sid,
  \`Bool\` or \`BoolIfExists\`, \`"false"\` or \`false\`, whatever its Resource: the \`Fn::Join\`
  above, the \`Fn::Sub\` form tapfix wrote before, literal ARNs) is never duplicated, and never
  rewritten: an existing policy that enforces TLS is left as it is.

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
    const fx = new Fixer(template);
    let unresolved: Array<{ id: string; at: string }> | undefined;

    for (const bucket of resources(template, BUCKET_TYPE)) {
      const { id } = bucket;
      const website = property(bucket, 'WebsiteConfiguration') !== undefined;
      const websiteNote = website ? ' (the bucket serves a website over HTTP: denying plain HTTP breaks its website endpoint)' : '';
      // Denying plain HTTP breaks a website endpoint: the fix is held unless unsafe fixes are on.
      const fix = () => (website ? fx.unsafe() : fx).take();
      const attached = bucketPoliciesOf(template, id);

      if (attached.length > 1) {
        if (!attached.every((p) => policyOfProperties(p.properties, p.propertiesPointer).statements.some(deniesInsecureTransport))) {
          findings.push({
            pointer: bucket.pointer,
            messageId: 'severalPolicies',
            message: `Bucket ${id} has ${attached.length} bucket policies (${attached.map((p) => p.id).join(', ')}); S3 keeps one policy per bucket, so merge them and deny requests without TLS`,
          });
        }
        continue;
      }

      if (attached.length === 1) {
        const policy = attached[0]!;
        const view = policyOfProperties(policy.properties, policy.propertiesPointer);
        if (view.statements.some(deniesInsecureTransport)) continue;
        const base = `Bucket ${id} accepts requests over plain HTTP: its policy ${policy.id} has no statement denying aws:SecureTransport false`;
        if (view.kind !== 'list') {
          const why = view.kind === 'single' ? 'its Statement is a single object' : view.reason;
          findings.push({ pointer: view.pointer, messageId: 'policyNotEditable', message: `${base}; not fixed automatically because ${why}` });
          continue;
        }
        if (policy.resource.Condition !== undefined && policy.resource.Condition !== bucket.resource.Condition) {
          findings.push({
            pointer: policy.pointer,
            messageId: 'policyConditionDiffers',
            message: `${base}; not fixed automatically because the policy's Condition differs from the bucket's`,
          });
          continue;
        }
        // A policy that names its bucket by name, for a bucket that depends on the policy: an ARN
        // of the bucket in the policy would make each wait for the other.
        const name = property(policy, 'Bucket')?.value;
        const sid = freshSid(view.statements);
        fx.appendStatement(view, name !== undefined && dependenciesOf(template, id).has(policy.id) ? denyByName(template, name, sid) : tlsDenyStatement(id, sid));
        findings.push({ pointer: bucket.pointer, messageId: 'policyWithoutTlsDeny', message: base + websiteNote, fix: fix() });
        continue;
      }

      const message = `Bucket ${id} accepts requests over plain HTTP: no bucket policy denies aws:SecureTransport false`;
      const maybe = unresolvedPoliciesMentioning(template, (unresolved ??= unresolvedPolicies(template)), id);
      if (maybe.length > 0) {
        findings.push({
          pointer: bucket.pointer,
          messageId: 'policyUnresolved',
          message: `${message}; not fixed automatically because ${maybe.join(', ')} may be its policy (its Bucket cannot be resolved)`,
        });
        continue;
      }
      fx.addResource(`${id}Policy`, {
        Type: BUCKET_POLICY_TYPE,
        ...(bucket.condition !== undefined ? { Condition: bucket.condition } : {}),
        Properties: {
          Bucket: { Ref: id },
          PolicyDocument: { Version: '2012-10-17', Statement: [tlsDenyStatement(id)] },
        },
      });
      findings.push({ pointer: bucket.pointer, messageId: 'noPolicy', message: message + websiteNote, fix: fix() });
    }
    return findings;
  },
});
