import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { iamResourcesWithStatement, type StatementView } from '../src/cfn/iam.js';
import {
  addKeyPolicyStatements,
  directGrantAllow,
  directGrantStatements,
  grantsOnlyForAwsResourcesStatement,
  keyPolicyEditable,
  keyPolicyRestrictsGrants,
  KMS_KEY,
  resourceCoversKey,
} from '../src/cfn/kms.js';
import { property, propertiesComputed, resources } from '../src/cfn/query.js';
import { subText } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

/** How a key-policy statement's principals read in a message. */
function principalText(s: StatementView): string {
  if (s.principal === undefined) return 'a principal';
  if (s.principal === '*') return '*';
  const names = Object.values(s.principal).flat().map((p) => subText(p) ?? JSON.stringify(p));
  return names.join(', ');
}

export default defineTransform({
  meta: {
    id: 'kms-grant-restriction',
    title: 'Let KMS keys grant access only to AWS services acting for AWS resources',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      {
        tool: 'control-tower',
        id: 'CT.KMS.PR.3',
        source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/keymanagementservice/ct-kms-pr-3.guard',
      },
    ],
    defaultOptions: {},
    docs: `## Why
A KMS grant gives a principal the use of a key without any policy change: whoever may call
\`kms:CreateGrant\` can hand the key to another role, user or account, and grants do not show in
the key policy. AWS services that encrypt resources for you (EBS, RDS, Auto Scaling, Redshift,
Secrets Manager, ...) create their grants with \`kms:GrantIsForAWSResource\` true, or call as a
service principal. Denying every other grant closes the side door; AWS Control Tower checks it
with CT.KMS.PR.3.

## Fix
Appends to the key policy of every \`AWS::KMS::Key\` that lacks it the statement

\`\`\`yaml
Sid: DenyGrantsExceptForAwsResources
Effect: Deny
Principal: '*'
Action: kms:CreateGrant
Resource: '*'
Condition:
  BoolIfExists:
    kms:GrantIsForAWSResource: 'false'
    aws:PrincipalIsAWSService: 'false'
\`\`\`

(the Sid gets a number when the policy already uses it), the shape the Control Tower rule accepts
and the one tapfix writes into the keys it creates. A key without \`KeyPolicy\` gets a policy with
the account-root statement first (\`kms:*\` to \`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root\`,
which is what the default key policy grants) and the deny. A single \`Statement\` object becomes a
list. A key whose \`KeyPolicy\` is a JSON string or computed by an intrinsic (\`Fn::If\`, ...) is
reported, not changed.

## Fix safety
Safe in general: AWS services keep creating the grants they need for the resources they encrypt
(\`kms:GrantIsForAWSResource\` true, https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource),
and service principals are exempt through \`aws:PrincipalIsAWSService\`. What the deny refuses is
a direct \`CreateGrant\` call by a role, user or account: software that hands the key to another
principal with a grant (a cross-account share, a worker role given temporary use), or an
administrator running \`aws kms create-grant\`. The fix is marked **unsafe** for a key when the
template shows such a caller: the key policy allows \`kms:CreateGrant\` (named, or \`kms:Create*\`)
to an IAM or account principal without a \`Bool\` \`kms:GrantIsForAWSResource: true\` or a
\`kms:ViaService\` condition (service-linked roles, such as the Auto Scaling one, excepted: they
create grants for the resources their service encrypts), or
an IAM role, user, group or policy of the template does so on the key (or on \`*\`). Review those
principals before applying it. \`kms:*\` statements (the account-root delegation, key
administrators) are not counted: they are the usual key policy, not a sign of grant-creating software.

## Options
None.
`,
  },
  check({ template: t }) {
    const findings: Finding[] = [];
    const fx = new Fixer(t);
    for (const key of resources(t, KMS_KEY)) {
      if (propertiesComputed(key)) continue;
      const policy = property(key, 'KeyPolicy');
      if (policy !== undefined && keyPolicyRestrictsGrants(policy.value)) continue;
      if (!keyPolicyEditable(t, key.id)) {
        findings.push({
          pointer: policy?.pointer ?? key.pointer,
          messageId: 'keyPolicyNotEditable',
          message: `Key ${key.id} lets any principal create grants, and its KeyPolicy is not a plain policy object tapfix can extend; add a statement denying kms:CreateGrant unless kms:GrantIsForAWSResource or aws:PrincipalIsAWSService`,
        });
        continue;
      }
      addKeyPolicyStatements(fx, key.id, [grantsOnlyForAwsResourcesStatement()]);
      const callers = [...directGrantStatements(policy?.value).map((s) => `key policy statement ${s.sid ?? s.pointer.split('/').pop()} (${principalText(s)})`), ...iamResourcesWithStatement(t, (s) => directGrantAllow(s) && s.resources.some((r) => resourceCoversKey(t, r, key.id)))];
      if (callers.length > 0) fx.unsafe();
      findings.push({
        pointer: policy?.pointer ?? key.pointer,
        messageId: callers.length > 0 ? 'grantsUnrestrictedWithCallers' : 'grantsUnrestricted',
        message:
          `Key ${key.id} lets principals create grants for any purpose; fix: deny kms:CreateGrant unless the grant is for an AWS resource or the caller is an AWS service` +
          (callers.length > 0 ? ` (unsafe: ${callers.join('; ')} may create grants directly)` : ''),
        fix: fx.take(),
      });
    }
    return findings;
  },
});
