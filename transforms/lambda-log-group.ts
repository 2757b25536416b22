import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { newResource } from '../src/cfn/edits.js';
import { prefixed } from '../src/cfn/expressions.js';
import {
  DEFAULT_LOG_RETENTION_DAYS,
  LAMBDA_LOG_GROUP_PREFIX as PREFIX,
  logGroupKeyArn,
  LOG_RETENTION_PARAMETER_NAME,
  logRetentionParameter,
  retentionDays,
  RETENTION_OPTION_SCHEMA,
} from '../src/cfn/logs.js';
import { property, resources } from '../src/cfn/query.js';
import { asObject, subText } from '../src/cfn/values.js';
import type { Finding, JsonValue, Template } from '../src/types.js';

/**
 * The names of every log group the template declares: as Sub text (see subText) and, for names
 * that have none (Fn::If, Fn::Select, ...), as written (JSON text prefixed with `=`).
 */
function logGroupNames(t: Template): Set<string> {
  const names = new Set<string>();
  for (const group of resources(t, 'AWS::Logs::LogGroup')) {
    const name = property(group, 'LogGroupName')?.value;
    if (name === undefined) continue;
    const text = subText(name);
    if (text !== undefined) names.add(text);
    names.add('=' + JSON.stringify(name));
  }
  return names;
}

/** True when `AWS::NoValue` appears anywhere in `v` (it cannot be copied into another string). */
function mentionsNoValue(v: unknown): boolean {
  return JSON.stringify(v ?? null).includes('AWS::NoValue');
}

interface Options extends Record<string, unknown> {
  retentionInDays: number;
}

export default defineTransform<Options>({
  meta: {
    id: 'lambda-log-group',
    title: 'Give every Lambda function its own log group with a retention period',
    severity: 'medium',
    safety: 'safe',
    seeds: ['000#10'],
    equivalents: [],
    order: 30,
    defaultOptions: { retentionInDays: DEFAULT_LOG_RETENTION_DAYS },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { retentionInDays: RETENTION_OPTION_SCHEMA } },
    docs: `## Why
A Lambda function writes to the log group \`/aws/lambda/<function name>\`. When the template does
not declare it, Lambda creates it on the first invocation with **no retention** ("Never expire"):
logs pile up forever, cost grows with them, and the group is left behind when the stack is
deleted. Declaring the group in the template gives it a retention period and a lifecycle.

## Fix
For every \`AWS::Lambda::Function\` whose log group the template does not declare, adds an
\`AWS::Logs::LogGroup\` (logical id \`<Function>LogGroup\`) with
\`RetentionInDays: {"Ref": "LogRetentionInDays"}\` and
\`KmsKeyId: {"Fn::GetAtt": ["LogGroupKey", "Arn"]}\`:
- the shared \`LogRetentionInDays\` parameter (the retention values CloudWatch Logs accepts) is
  added when the template lacks it, with the \`retentionInDays\` option as its default: 365 days,
  the one-year minimum of the AWS Control Tower control CT.CLOUDWATCH.PR.2. A
  \`LogRetentionInDays\` parameter the template already has is used as it is: its default is the
  author's retention choice;
- the log groups tapfix adds are encrypted with one customer managed key (CT.CLOUDWATCH.PR.3),
  shared with cloudtrail-cloudwatch-logs: \`LogGroupKey\`, added once, with rotation on, the
  account root statement, the CT.KMS.PR.3 statement that denies grants not for AWS resources, and
  the statement CloudWatch Logs needs
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html): the
  regional service principal \`logs.\${AWS::Region}.amazonaws.com\`, scoped with \`ArnLike\` on
  \`kms:EncryptionContext:aws:logs:arn\` to this account's log groups in this region
  (\`log-group:*\`). The key names no log group: a log group refers to its key, so a key policy
  naming the group (\`Fn::GetAtt\` of it) would be a circular dependency. A key of the template
  that already has this statement is used instead of a new one.

The log group name follows the function name:
- when the function sets \`FunctionName\` (literal, \`Fn::Sub\`, \`Ref\`, \`Fn::Join\`, ...), the
  group is named \`/aws/lambda/\` + that same expression, and the function gets a \`DependsOn\` on
  the group (added to an existing DependsOn string or list). CloudFormation then creates the
  group before the function, so nothing can invoke the function (an event source, a custom
  resource) and make Lambda create the group first;
- when it does not, the physical name is generated, so the group is named
  \`{"Fn::Sub": "/aws/lambda/\${Function}"}\`. The group then depends on the function, and no
  \`DependsOn\` is added (it would be a circular dependency).

A function is already covered when a log group's \`LogGroupName\` is \`/aws/lambda/\` followed by
the function's name in any form (\`Fn::Sub "/aws/lambda/\${Fn}"\`, \`Fn::Join\`, a literal equal to
a literal \`FunctionName\`, the same Sub text as \`FunctionName\`), or when the function sends its
logs elsewhere with \`LoggingConfig.LogGroup\` (the \`/aws/lambda/\` group is then never used).
A function with a \`Condition\` gets a log group with the same \`Condition\`.

\`AWS::Serverless::Function\` (SAM) is not handled: SAM expands it after tapfix sees the
template. Declare the log group for those functions the same way by hand.

## Fix safety
Safe for a new stack. **For a stack that is already deployed and whose function has already
run**, Lambda has created \`/aws/lambda/<name>\` itself, so the update fails with "already
exists". Either import the existing group first — a change set of type \`IMPORT\` whose template
is the deployed one plus only the new log group, which needs a \`DeletionPolicy\` for the import
(\`aws cloudformation create-change-set --change-set-type IMPORT --resources-to-import
'[{"ResourceType":"AWS::Logs::LogGroup","LogicalResourceId":"<Function>LogGroup","ResourceIdentifier":{"LogGroupName":"/aws/lambda/<name>"}}]' ...\`),
then deploy the fixed template — or delete the existing group before the update (its log
events are lost). The same applies when a stack whose log group has \`DeletionPolicy: Retain\`
is deleted and created again: the retained group is in the way. For that reason retain-stateful
gives the log group of a function with a fixed name no policy: it goes with the function.

The key costs about 1 USD a month, and CloudWatch Logs cannot read the groups' events without
it: disabling it or scheduling its deletion makes them unreadable (retain-stateful keeps a key
that encrypts retained data).

## Options
- \`retentionInDays\` (default 365): the default of the \`LogRetentionInDays\` parameter when tapfix
  adds it; one of the values CloudWatch Logs accepts. Below 365 the new groups fail
  CT.CLOUDWATCH.PR.2. In \`tapfix.config.json\`:
  \`{"transforms": {"lambda-log-group": {"options": {"retentionInDays": 731}}}}\`.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const retention = logRetentionParameter(retentionDays(options.retentionInDays));
    const names = logGroupNames(template);

    for (const fn of resources(template, 'AWS::Lambda::Function')) {
      if (!fn.properties) continue; // computed: nothing sensible to add
      if (property(fn, 'LoggingConfig', 'LogGroup') !== undefined) continue;
      const functionName = property(fn, 'FunctionName')?.value;
      const byId = PREFIX + '${' + fn.id + '}';
      const nameText = functionName === undefined ? undefined : subText(functionName);
      if (names.has(byId) || (nameText !== undefined && names.has(PREFIX + nameText))) continue;

      // The function's own name expression, when it can be copied (no AWS::NoValue branch).
      const named = functionName !== undefined && !mentionsNoValue(functionName) && (typeof functionName === 'string' || asObject(functionName) !== undefined);
      const logGroupName: JsonValue = named ? prefixed(PREFIX, functionName) : { 'Fn::Sub': byId };
      if (names.has('=' + JSON.stringify(logGroupName))) continue;
      const message = `Lambda function ${fn.id} has no log group in the template; Lambda creates /aws/lambda/${typeof functionName === 'string' ? functionName : '<name>'} with no retention`;

      try {
        fx.ensureParameter(LOG_RETENTION_PARAMETER_NAME, retention);
      } catch {
        findings.push({ pointer: fn.pointer, messageId: 'retentionParameterTaken', message: `${message} (not fixed: the logical id ${LOG_RETENTION_PARAMETER_NAME} is taken by a resource)` });
        continue;
      }
      const properties = { LogGroupName: logGroupName, RetentionInDays: { Ref: LOG_RETENTION_PARAMETER_NAME }, KmsKeyId: logGroupKeyArn(fx) };
      const group = newResource('AWS::Logs::LogGroup', properties, fn.resource);
      const groupId = fx.addResource(`${fn.id}LogGroup`, group);
      if (named) fx.addDependsOn(fn.id, groupId);
      findings.push({ pointer: fn.pointer, messageId: 'noLogGroup', message, fix: fx.take() });
    }
    return findings;
  },
});
