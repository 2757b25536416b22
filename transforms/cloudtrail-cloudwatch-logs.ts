import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf } from '../src/cfn/graph.js';
import { newResource } from '../src/cfn/edits.js';
import { DEFAULT_LOG_RETENTION_DAYS, logGroupKeyArn, LOG_RETENTION_PARAMETER_NAME, logRetentionParameter, retentionDays, RETENTION_OPTION_SCHEMA } from '../src/cfn/logs.js';
import { property, resources, type ResourceView } from '../src/cfn/query.js';
import { referencesTo } from '../src/cfn/template.js';
import { subText } from '../src/cfn/values.js';
import type { Finding, JsonValue, Template } from '../src/types.js';

/**
 * A log group the author declared for the trail but never wired to it: its logical id or name
 * mentions "trail", nothing refers to it, and it has the trail's condition. Only when it is the
 * only such group and `trails` (the trails to fix) has one element.
 */
function orphanTrailLogGroup(t: Template, trails: readonly ResourceView[]): string | undefined {
  if (trails.length !== 1) return undefined;
  const trail = trails[0]!;
  const candidates = resources(t, 'AWS::Logs::LogGroup').filter((group) => {
    const name = subText(property(group, 'LogGroupName')?.value) ?? '';
    // A group named after the trail (/aws/cloudtrail/${Trail}) depends on it, so cannot be its destination.
    return (
      /trail/i.test(group.id + ' ' + name) &&
      group.resource.Condition === trail.resource.Condition &&
      referencesTo(t, group.id).length === 0 &&
      !dependenciesOf(t, group.id).has(trail.id)
    );
  });
  return candidates.length === 1 ? candidates[0]!.id : undefined;
}

/** True when a trail is an organization trail (IsOrganizationTrail set and not literally false). */
function isOrganizationTrail(trail: ResourceView): boolean {
  const value = property(trail, 'IsOrganizationTrail')?.value;
  return value !== undefined && value !== false && value !== 'false';
}

interface Options extends Record<string, unknown> {
  retentionInDays: number;
}

export default defineTransform<Options>({
  meta: {
    id: 'cloudtrail-cloudwatch-logs',
    title: 'Send CloudTrail events to CloudWatch Logs',
    severity: 'high',
    safety: 'safe',
    seeds: ['000#12'],
    equivalents: [
      { tool: 'control-tower', id: 'CT.CLOUDTRAIL.PR.3', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/cloudtrail/ct-cloudtrail-pr-3.guard' },
    ],
    order: 30,
    defaultOptions: { retentionInDays: DEFAULT_LOG_RETENTION_DAYS },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { retentionInDays: RETENTION_OPTION_SCHEMA } },
    docs: `## Why
A trail that only writes to S3 delivers its events as files every few minutes: nothing can
alarm on a root login or an IAM policy change as it happens, and investigating means downloading
and parsing objects. Sending the trail to CloudWatch Logs enables metric filters, alarms and
Logs Insights queries on API activity.

## Fix
For every \`AWS::CloudTrail::Trail\` that sets neither \`CloudWatchLogsLogGroupArn\` nor
\`CloudWatchLogsRoleArn\`, adds:
- an \`AWS::Logs::LogGroup\` (\`<Trail>LogGroup\`) with \`RetentionInDays: {"Ref": "LogRetentionInDays"}\`
  (the shared parameter, added when missing with the \`retentionInDays\` option as its default:
  365 days, the one-year minimum of the AWS Control Tower control CT.CLOUDWATCH.PR.2; an existing
  \`LogRetentionInDays\` parameter is used as it is) and \`KmsKeyId: {"Fn::GetAtt": ["LogGroupKey", "Arn"]}\`
  (CT.CLOUDWATCH.PR.3): the one customer managed key of the log groups tapfix adds, shared with
  lambda-log-group and described there (rotation on, the CT.KMS.PR.3 grant restriction, and
  the regional CloudWatch Logs principal scoped by \`kms:EncryptionContext:aws:logs:arn\` to this
  account's log groups in this region, as
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html shows; the
  key names no log group, which would be a circular dependency). \`LogGroupName\` is left out:
  CloudFormation generates a unique name carrying the stack name and logical id, so two stacks
  never collide and a re-created stack never trips on a group an earlier one left behind;
- an \`AWS::IAM::Role\` (\`<Trail>CloudWatchLogsRole\`) that \`cloudtrail.amazonaws.com\` can assume,
  allowing only \`logs:CreateLogStream\` and \`logs:PutLogEvents\` on the trail's log streams:
  \`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:<group>:log-stream:\${AWS::AccountId}_CloudTrail_\${AWS::Region}*\`.
  This is the resource of the default policy in AWS's "Role policy document for CloudTrail to use
  CloudWatch Logs for monitoring": CloudTrail names its streams
  \`<account id>_CloudTrail_<trail region>\` (with a \`_<n>\` suffix when it needs several), and
  the trail lives in the stack's region. An organization trail (\`IsOrganizationTrail\` not
  literally false) also gets \`log-stream:o-*\`, where CloudTrail writes the member accounts'
  streams (\`<organization id>_*\`). No \`aws:SourceArn\` condition: AWS documents that the role
  policy does not support it;
- \`CloudWatchLogsLogGroupArn: {"Fn::GetAtt": [<group>, "Arn"]}\` and
  \`CloudWatchLogsRoleArn: {"Fn::GetAtt": [<role>, "Arn"]}\` on the trail.

A template that already declares the trail's log group but never wired it (a log group whose
logical id or name mentions "trail", that nothing refers to, with the trail's \`Condition\`; the
only one, and only one trail to fix) gets that group used instead of a new one, with its name,
retention and key as the author wrote them — unless the group depends on the trail (a name made
from the trail's, \`/aws/cloudtrail/\${Trail}\`): the trail naming the group would then close a
dependency cycle, so a new group is added. A role the author declared for CloudTrail is not
reused: its policy often grants the wrong log group or far more than the two actions.

No \`DependsOn\` is added: the two \`Fn::GetAtt\`s already make CloudFormation create the group
and the role (with its inline policy) before it updates the trail; an existing \`DependsOn\` (the
usual one on the bucket policy) is kept. A trail with a \`Condition\` passes it to the new resources.
A trail that sets only one of the two properties is reported, not fixed: CloudTrail needs both,
and tapfix cannot tell which group or role was meant.

The role passes the AWS Control Tower IAM controls (no \`*\` or \`service:*\` action, no
\`NotAction\`); with the group and the role the trail passes CT.CLOUDTRAIL.PR.3. The trail's own
encryption (CT.CLOUDTRAIL.PR.1) and log file validation (CT.CLOUDTRAIL.PR.2) are left as the
author set them.

## Fix safety
Safe: the trail is updated in place and keeps delivering to S3. The key costs about 1 USD a
month; the group's events cannot be read without it.

## Options
- \`retentionInDays\` (default 365): the default of the \`LogRetentionInDays\` parameter when tapfix
  adds it; one of the values CloudWatch Logs accepts. Below 365 the new group fails
  CT.CLOUDWATCH.PR.2.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const retention = logRetentionParameter(retentionDays(options.retentionInDays));
    const trails = resources(template, 'AWS::CloudTrail::Trail').filter((trail) => trail.properties);
    const unwired = trails.filter((trail) => property(trail, 'CloudWatchLogsLogGroupArn') === undefined && property(trail, 'CloudWatchLogsRoleArn') === undefined);
    const orphan = orphanTrailLogGroup(template, unwired);

    for (const trail of trails) {
      const hasGroup = property(trail, 'CloudWatchLogsLogGroupArn') !== undefined;
      const hasRole = property(trail, 'CloudWatchLogsRoleArn') !== undefined;
      if (hasGroup && hasRole) continue;
      if (hasGroup || hasRole) {
        const [set, missing] = hasGroup ? ['CloudWatchLogsLogGroupArn', 'CloudWatchLogsRoleArn'] : ['CloudWatchLogsRoleArn', 'CloudWatchLogsLogGroupArn'];
        findings.push({
          pointer: property(trail, set)!.pointer,
          messageId: hasGroup ? 'noRole' : 'noLogGroup',
          message: `Trail ${trail.id} sets ${set} without ${missing}; CloudTrail needs both to deliver to CloudWatch Logs`,
        });
        continue;
      }
      const message = `Trail ${trail.id} does not send its events to CloudWatch Logs`;
      if (!orphan) {
        try {
          fx.ensureParameter(LOG_RETENTION_PARAMETER_NAME, retention);
        } catch {
          findings.push({ pointer: trail.pointer, messageId: 'retentionParameterTaken', message: `${message} (not fixed: the logical id ${LOG_RETENTION_PARAMETER_NAME} is taken by a resource)` });
          continue;
        }
      }
      const groupId =
        orphan ??
        fx.addResource(`${trail.id}LogGroup`, newResource('AWS::Logs::LogGroup', { RetentionInDays: { Ref: LOG_RETENTION_PARAMETER_NAME }, KmsKeyId: logGroupKeyArn(fx) }, trail.resource));
      const streams = (stream: string): JsonValue => ({
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${groupId}}:log-stream:${stream}`,
      });
      const streamArns: JsonValue[] = [streams('${AWS::AccountId}_CloudTrail_${AWS::Region}*')];
      if (isOrganizationTrail(trail)) streamArns.push(streams('o-*'));
      const roleId = fx.addResource(
        `${trail.id}CloudWatchLogsRole`,
        newResource(
          'AWS::IAM::Role',
          {
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }],
            },
            Policies: [
              {
                PolicyName: 'cloudtrail-to-cloudwatch-logs',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: streamArns }],
                },
              },
            ],
          },
          trail.resource,
        ),
      );
      fx.setProperty(trail.id, ['CloudWatchLogsLogGroupArn'], { 'Fn::GetAtt': [groupId, 'Arn'] });
      fx.setProperty(trail.id, ['CloudWatchLogsRoleArn'], { 'Fn::GetAtt': [roleId, 'Arn'] });
      const group = orphan ? `uses log group ${groupId} (declared for it but not wired)` : `adds log group ${groupId}`;
      findings.push({ pointer: trail.pointer, messageId: 'notSentToLogs', message: `${message}; ${group} and role ${roleId}`, fix: fx.take() });
    }
    return findings;
  },
});
