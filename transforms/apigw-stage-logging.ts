import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { newResource } from '../src/cfn/edits.js';
import { dependsOnResource } from '../src/cfn/graph.js';
import { DEFAULT_LOG_RETENTION_DAYS, logGroupKeyArn, LOG_RETENTION_PARAMETER_NAME, logRetentionParameter, retentionDays, RETENTION_OPTION_SCHEMA } from '../src/cfn/logs.js';
import { property, resources, targetOfValue, type ResourceView } from '../src/cfn/query.js';
import { asObject, intrinsicName } from '../src/cfn/values.js';
import type { Finding, JsonObject, Template } from '../src/types.js';

interface Options extends Record<string, unknown> {
  level: 'ERROR' | 'INFO';
  accountRole: boolean;
  retentionInDays: number;
}

const LEVELS = ['ERROR', 'INFO'];
const ACCOUNT = 'AWS::ApiGateway::Account';

/** AWS's documented single-line JSON access log formats (HTTP and WebSocket APIs). */
const HTTP_FORMAT =
  '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}';
const WEBSOCKET_FORMAT =
  '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","eventType":"$context.eventType","routeKey":"$context.routeKey","status":"$context.status","connectionId":"$context.connectionId"}';

/** The protocol of the API a V2 stage belongs to: HTTP, WEBSOCKET, or undefined when not known. */
function protocolOf(t: Template, stage: ResourceView): string | undefined {
  const api = targetOfValue(t, property(stage, 'ApiId')?.value);
  if (api.kind !== 'resource' || api.view.type !== 'AWS::ApiGatewayV2::Api') return undefined;
  const protocol = property(api.view, 'ProtocolType')?.value;
  return typeof protocol === 'string' ? protocol : undefined;
}

/** Where a logging level is missing on the method settings of a REST stage, or why it is not fixed. */
type Plan = { kind: 'ok' } | { kind: 'skip' } | { kind: 'off'; pointer: string } | { kind: 'set'; pointer: string } | { kind: 'append'; pointer: string };

function planMethodSettings(settings: { value: unknown; pointer: string } | undefined): Plan {
  if (settings === undefined) return { kind: 'append', pointer: '' };
  if (!Array.isArray(settings.value)) return { kind: 'skip' };
  let wildcard: number | undefined;
  for (let i = 0; i < settings.value.length; i++) {
    const entry = asObject(settings.value[i]);
    if (!entry || intrinsicName(entry)) return { kind: 'skip' };
    const level = entry['LoggingLevel'];
    if (level !== undefined && typeof level !== 'string') return { kind: 'skip' };
    if (typeof level === 'string' && !LEVELS.includes(level)) return { kind: 'off', pointer: `${settings.pointer}/${i}/LoggingLevel` };
    if (entry['HttpMethod'] === '*' && entry['ResourcePath'] === '/*' && wildcard === undefined) wildcard = i;
  }
  if (wildcard === undefined) return { kind: 'append', pointer: settings.pointer };
  const entry = asObject(settings.value[wildcard])!;
  return entry['LoggingLevel'] === undefined ? { kind: 'set', pointer: `${settings.pointer}/${wildcard}/LoggingLevel` } : { kind: 'ok' };
}

export default defineTransform<Options>({
  meta: {
    id: 'apigw-stage-logging',
    title: 'Turn on API Gateway execution logging and V2 access logging',
    severity: 'medium',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.APIGATEWAY.PR.1', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/apigateway/ct-apigateway-pr-1.guard' },
      { tool: 'control-tower', id: 'CT.APIGATEWAY.PR.4', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/apigateway/ct-apigateway-pr-4.guard' },
      { tool: 'checkov', id: 'CKV_AWS_95', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/APIGatewayV2AccessLogging.py' },
      { tool: 'cfn_nag', id: 'W46', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/ApiGatewayV2AccessLoggingRule.rb' },
    ],
    order: 40,
    defaultOptions: { level: 'ERROR', accountRole: false, retentionInDays: DEFAULT_LOG_RETENTION_DAYS },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { type: 'string', enum: LEVELS }, accountRole: { type: 'boolean' }, retentionInDays: RETENTION_OPTION_SCHEMA },
    },
    docs: `## Why
Without execution logging a REST or WebSocket API leaves no record of why a request failed
(authorizer denials, integration timeouts, mapping errors); without access logging an HTTP API
leaves no record of who called it. Both are what an incident responder reaches for first.

## Fix
- \`AWS::ApiGateway::Stage\` (REST): a \`MethodSettings\` entry for every method
  (\`HttpMethod: "*"\`, \`ResourcePath: "/*"\`) gets \`LoggingLevel\` (the \`level\` option,
  \`ERROR\` by default): added to the author's wildcard entry when there is one, else appended
  as a new entry. An entry that sets \`LoggingLevel: OFF\` is reported, not changed.
- \`AWS::ApiGateway::Deployment\` that creates its stage (\`StageName\`): \`StageDescription.LoggingLevel\`.
  AWS Control Tower does not read deployments, so these are not counted against CT.APIGATEWAY.PR.1.
- \`AWS::ApiGatewayV2::Stage\` without \`AccessLogSettings\`: a new \`AWS::Logs::LogGroup\`
  (\`<Stage>AccessLogs\`, retention from the shared \`LogRetentionInDays\` parameter, added with the
  \`retentionInDays\` option as its default when missing, and the customer managed key of the log
  groups tapfix adds, as lambda-log-group describes) and \`AccessLogSettings\` with its ARN and
  AWS's single-line JSON format for HTTP or WebSocket APIs. A stage with \`AccessLogSettings\`
  that lacks a destination or format is reported.

Execution logging (REST, WebSocket) needs the account-level setting "CloudWatch log role ARN"
(\`AWS::ApiGateway::Account\`); without it API Gateway rejects the stage update with "CloudWatch
Logs role ARN must be set in account settings to enable logging". There is one such setting per
account and Region, shared by every API, so a template should not take it over silently:
- the template declares an \`AWS::ApiGateway::Account\`: the fix is safe, and the stage gets a
  \`DependsOn\` on it so that the setting exists before the stage is updated;
- the option \`accountRole: true\`: adds an \`AWS::IAM::Role\` that \`apigateway.amazonaws.com\` may
  assume with the AWS managed policy \`AmazonAPIGatewayPushToCloudWatchLogs\` and an
  \`AWS::ApiGateway::Account\` naming it, both with \`DeletionPolicy: Retain\` (deleting the stack
  must not pull the role from under every other API of the account); it replaces whatever role
  the account used before;
- otherwise the fix is unsafe: apply it (\`--unsafe\`) when the account already has the setting
  (an AWS Control Tower or landing-zone baseline usually sets it).

HTTP API access logging does not need the setting (API Gateway writes through its service-linked
role), so that fix is safe.

## Fix safety
Unsafe unless the template declares the account setting (see above). Logs cost CloudWatch Logs
ingestion and storage; \`INFO\` logs every request, \`ERROR\` only failures.

## Options
- \`level\` (\`ERROR\` or \`INFO\`, default \`ERROR\`): the execution logging level written.
- \`accountRole\` (default false): add the account-level CloudWatch role and setting when the
  template has none.
- \`retentionInDays\` (default 365): default of the \`LogRetentionInDays\` parameter when tapfix adds it.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const level = LEVELS.includes(options.level) ? options.level : 'ERROR';
    const declared = resources(template, ACCOUNT).find((a) => a.condition === undefined)?.id;
    let created: string | undefined;

    /** Makes the fix being built wait for the account setting; false when it is unsafe (no setting known). */
    const accountSetting = (stage: ResourceView): boolean => {
      let account = declared ?? created;
      if (account === undefined && options.accountRole) {
        const role = fx.addResource('ApiGatewayCloudWatchRole', {
          Type: 'AWS::IAM::Role',
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
            },
            ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs' }],
          },
        });
        account = created = fx.addResource('ApiGatewayAccount', {
          Type: ACCOUNT,
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': [role, 'Arn'] } },
        });
      }
      if (account === undefined) return false;
      if (!dependsOnResource(template, stage.id, account) && (account === created || !dependsOnResource(template, account, stage.id))) fx.addDependsOn(stage.id, account);
      return true;
    };

    for (const stage of resources(template, 'AWS::ApiGateway::Stage')) {
      if (!stage.properties) continue;
      const plan = planMethodSettings(property(stage, 'MethodSettings'));
      if (plan.kind === 'ok' || plan.kind === 'skip') continue;
      if (plan.kind === 'off') {
        findings.push({ pointer: plan.pointer, messageId: 'loggingOff', message: `Stage ${stage.id} turns execution logging off for some methods` });
        continue;
      }
      if (plan.kind === 'set') fx.set(plan.pointer, level);
      else fx.append(plan.pointer || `${stage.propertiesPointer}/MethodSettings`, { ResourcePath: '/*', HttpMethod: '*', LoggingLevel: level });
      const safe = accountSetting(stage);
      const fix = fx.take();
      findings.push({
        pointer: stage.pointer,
        messageId: 'noExecutionLogging',
        message: `Stage ${stage.id} has no execution logging${safe ? '' : ' (the fix needs the API Gateway CloudWatch role set for the account and Region)'}`,
        fix: safe ? { ...fix, safety: 'safe' } : { ...fix, safety: 'unsafe' },
      });
    }

    for (const deployment of resources(template, 'AWS::ApiGateway::Deployment')) {
      if (!deployment.properties || property(deployment, 'StageName') === undefined) continue;
      const description = property(deployment, 'StageDescription');
      if (description !== undefined && (!asObject(description.value) || intrinsicName(description.value))) continue;
      const current = asObject(description?.value)?.['LoggingLevel'];
      const plan = planMethodSettings(property(deployment, 'StageDescription', 'MethodSettings'));
      if (plan.kind === 'skip' || plan.kind === 'ok' || current !== undefined) {
        if (typeof current === 'string' && !LEVELS.includes(current)) {
          findings.push({ pointer: `${deployment.propertiesPointer}/StageDescription/LoggingLevel`, messageId: 'loggingOff', message: `Deployment ${deployment.id} turns execution logging off for its stage` });
        }
        continue;
      }
      if (plan.kind === 'off') {
        findings.push({ pointer: plan.pointer, messageId: 'loggingOff', message: `Deployment ${deployment.id} turns execution logging off for some methods` });
        continue;
      }
      fx.setProperty(deployment.id, ['StageDescription', 'LoggingLevel'], level);
      const safe = accountSetting(deployment);
      const fix = fx.take();
      findings.push({
        pointer: deployment.pointer,
        messageId: 'noExecutionLogging',
        message: `Deployment ${deployment.id} creates a stage without execution logging${safe ? '' : ' (the fix needs the API Gateway CloudWatch role set for the account and Region)'}`,
        fix: { ...fix, safety: safe ? 'safe' : 'unsafe' },
      });
    }

    for (const stage of resources(template, 'AWS::ApiGatewayV2::Stage')) {
      if (!stage.properties) continue;
      const settings = property(stage, 'AccessLogSettings');
      if (settings !== undefined) {
        const o = asObject(settings.value);
        if (o && !intrinsicName(o) && (o['DestinationArn'] === undefined || o['Format'] === undefined)) {
          findings.push({ pointer: settings.pointer, messageId: 'partialAccessLogs', message: `Stage ${stage.id} sets AccessLogSettings without a destination or a format` });
        }
        continue;
      }
      const protocol = protocolOf(template, stage);
      try {
        fx.ensureParameter(LOG_RETENTION_PARAMETER_NAME, logRetentionParameter(retentionDays(options.retentionInDays)));
      } catch {
        findings.push({ pointer: stage.pointer, messageId: 'retentionParameterTaken', message: `Stage ${stage.id} has no access logging (not fixed: the logical id ${LOG_RETENTION_PARAMETER_NAME} is taken by a resource)` });
        continue;
      }
      const group = fx.addResource(
        `${stage.id}AccessLogs`,
        newResource('AWS::Logs::LogGroup', { RetentionInDays: { Ref: LOG_RETENTION_PARAMETER_NAME }, KmsKeyId: logGroupKeyArn(fx) }, stage.resource),
      );
      const accessLogs: JsonObject = { DestinationArn: { 'Fn::GetAtt': [group, 'Arn'] }, Format: protocol === 'WEBSOCKET' ? WEBSOCKET_FORMAT : HTTP_FORMAT };
      fx.setProperty(stage.id, ['AccessLogSettings'], accessLogs);
      // WebSocket APIs log through the account's CloudWatch role; HTTP APIs through their service-linked role.
      const safe = protocol === 'HTTP' || accountSetting(stage);
      const fix = fx.take();
      findings.push({
        pointer: stage.pointer,
        messageId: 'noAccessLogging',
        message: `Stage ${stage.id} has no access logging; adds log group ${group}${safe ? '' : ' (a WebSocket API, or one tapfix cannot see, needs the API Gateway CloudWatch role set for the account and Region)'}`,
        fix: { ...fix, safety: safe ? 'safe' : 'unsafe' },
      });
    }
    return findings;
  },
});
