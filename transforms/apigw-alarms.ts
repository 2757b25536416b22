import { defineTransform } from '../src/transform.js';
import { chooseAlarmTopic, describeChoice, type TopicChoice, ALARM_TOPIC_OPTION_SCHEMAS } from '../src/cfn/alarm-topic.js';
import { dimension, isMetric, type WatchedMetric, watchedMetrics } from '../src/cfn/alarms.js';
import { newResource } from '../src/cfn/edits.js';
import { refersTo } from '../src/cfn/expressions.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources, type ResourceView } from '../src/cfn/query.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { sameText } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

interface Options extends Record<string, unknown> {
  alarmTopic: unknown;
  okActions: boolean;
  clientErrorRate: number;
  serverErrorCount: number;
  httpApis: boolean;
}

const NAMESPACE = 'AWS/ApiGateway';
const PERIOD = 300;
/** 4XX alarms wait for this many consecutive 5-minute periods: bursts of bad requests are normal. */
const CLIENT_ERROR_PERIODS = 3;

/** The name API Gateway reports as the ApiName dimension: Name, else the OpenAPI body's title. */
function restApiName(api: ResourceView): JsonValue | undefined {
  const name = property(api, 'Name');
  if (name) return name.value;
  const title = property(api, 'Body', 'info', 'title')?.value;
  return typeof title === 'string' ? title : undefined;
}

/**
 * The stage name when the API has exactly one stage in the template (a Stage resource or a
 * Deployment's StageName), else undefined. A conditional stage makes the answer unknown.
 */
function onlyStage(t: Template, apiId: string, stageTypes: readonly string[], apiProperty: string): JsonValue | undefined {
  const names: JsonValue[] = [];
  let unsure = false;
  for (const type of stageTypes) {
    for (const stage of resources(t, type)) {
      if (!refersTo(property(stage, apiProperty)?.value, apiId)) continue;
      const name = property(stage, 'StageName')?.value;
      if (name === undefined) continue;
      if (stage.resource.Condition !== undefined) unsure = true;
      if (!names.some((n) => sameText(n, name))) names.push(name);
    }
  }
  return !unsure && names.length === 1 ? names[0] : undefined;
}

function notifyNote(choice: TopicChoice, plural: boolean): string {
  if (choice.kind === 'topic') return `; ${plural ? 'they notify' : 'it notifies'} ${describeChoice(choice)}`;
  return '; nobody is notified until you set the alarmTopic option (see the rule docs)';
}

function percentText(rate: number): string {
  return `${Math.round(rate * 10000) / 100}%`;
}

export default defineTransform<Options>({
  meta: {
    id: 'apigw-alarms',
    title: 'Alarm on API Gateway 4XX and 5XX errors',
    severity: 'high',
    safety: 'safe',
    seeds: ['001#5'],
    equivalents: [],
    order: 40,
    defaultOptions: { alarmTopic: null, okActions: true, clientErrorRate: 0.05, serverErrorCount: 5, httpApis: true },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...ALARM_TOPIC_OPTION_SCHEMAS,
        clientErrorRate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        serverErrorCount: { type: 'number', minimum: 0 },
        httpApis: { type: 'boolean' },
      },
    },
    docs: `## Why
An API that starts failing (5XX: the backend or its integration is broken) or rejecting its
callers (4XX: a broken client release, an expired key, an authorizer change) does so silently
without alarms. The catalogue's serverless answer has none.

## Fix
For every \`AWS::ApiGateway::RestApi\`, adds the alarms it lacks (an existing alarm on the same
metric in \`AWS/ApiGateway\` whose \`ApiName\` dimension is the API's name counts):
- \`<Api>4XXErrorAlarm\`: \`4XXError\`, statistic \`Average\` — which for this metric is the
  **error rate** (4XX responses / requests, per the API Gateway metrics docs) — above 5% for
  3 consecutive 5-minute periods. A rate, not a count: the catalogue's "more than 10 4XX" fires
  all day on a busy API (bots, expired tokens) and never on a quiet one; 15 minutes rides out a
  burst from one misbehaving client.
- \`<Api>5XXErrorAlarm\`: \`5XXError\`, \`Sum\` above 5 in 5 minutes. A count: server errors matter
  even on a quiet API, where a rate would swing wildly. Raise \`serverErrorCount\` for very busy APIs.

Dimensions: \`ApiName\` is the API's \`Name\` as written (literal or the same intrinsic; for an
API imported from an OpenAPI \`Body\` without \`Name\`, the body's \`info.title\`), plus \`Stage\`
when the API has exactly one stage in the template (an \`AWS::ApiGateway::Stage\` or a
Deployment's \`StageName\`, literal or intrinsic, copied). With several stages the alarm watches
the API as a whole (API Gateway publishes both the \`ApiName\` and the \`ApiName, Stage\`
metrics). An existing alarm whose \`ApiName\` is \`{"Ref": <RestApi>}\` watches nothing — \`Ref\`
returns the API **id**, not its name — and is corrected to the name.

HTTP APIs (\`AWS::ApiGatewayV2::Api\` with \`ProtocolType: HTTP\`) publish \`4xx\` / \`5xx\` with an
\`ApiId\` dimension (\`{"Ref": <Api>}\`) and, with exactly one \`AWS::ApiGatewayV2::Stage\` (or the
\`$default\` stage of a quick-create API with \`Target\`), a \`Stage\` dimension. Their \`Average\` is
not documented as a rate, so the 4xx alarm computes it with metric math (\`4xx / Count\`). WebSocket
APIs and SAM's \`AWS::Serverless::Api\` / \`HttpApi\` are not handled.

All alarms use \`TreatMissingData: notBreaching\` (no traffic is not an outage) and share the API's
\`Condition\`. \`AlarmName\` is left out (see lambda-alarms: names are unique per account and region,
renaming replaces the alarm, and the generated name carries the stack and logical id).

**Who hears the alarm**: chosen as in lambda-alarms — the \`alarmTopic\` option, else the one
target all existing alarms notify, else the template's only \`AWS::SNS::Topic\` named for alarms
(Alarm, Alert, Ops, OnCall, Pager, Incident, Monitoring) that no application resource refers
to and that only people (email, SMS) subscribe to, else the topic tapfix added before, else a
new encrypted topic \`AlarmTopic\` with an email subscription of the address in the new
parameter \`AlarmEmail\` (nothing is subscribed while it is empty), shared with lambda-alarms
(whichever runs first adds it): an alarm without an action notifies nobody, and the AWS Control
Tower control CT.CLOUDWATCH.PR.1 rejects it. \`AlarmActions\` and \`OKActions\` point at it.

**Encrypted topics**, as in lambda-alarms: CloudWatch publishes to a topic encrypted with a KMS
key only when the key policy lets \`cloudwatch.amazonaws.com\` call \`kms:Decrypt\` and
\`kms:GenerateDataKey*\`, and the policy of the AWS managed key \`alias/aws/sns\` cannot be changed
to allow it; otherwise notifications are dropped and the failure shows only in the alarm's
history (SNS Developer Guide,
https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services;
Knowledge Center, https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns). When the
topic's key is in the template, its policy gets the statement \`AllowCloudWatchAlarms\` for
\`cloudwatch.amazonaws.com\`, limited to this account with \`aws:SourceAccount\` (unless a
statement already allows it). When the key is \`alias/aws/sns\`, is outside the template, or has
a policy that cannot be extended, the topic is reported and the alarms notify
\`<Topic>ForAlarms\` instead: a topic added once, on a new customer managed key CloudWatch may
use (rotation on, and the grant restriction CT.KMS.PR.3 asks for), with the topic's email and
SMS subscriptions.

## Fix safety
Safe: adds alarm resources. The edits to existing resources are the \`ApiName\` correction of an
alarm that could never fire and the key-policy statement that lets CloudWatch, acting for this
account, use the key of the topic the alarms notify. A topic added for the alarms, or in place
of one CloudWatch cannot use, comes with a customer managed key (about 1 USD a month).

## Options
- \`alarmTopic\` (default none: chosen as above): an \`AWS::SNS::Topic\` logical id, a parameter holding a topic ARN,
  a topic ARN, or an intrinsic such as \`{"Fn::ImportValue": "alarm-topic-arn"}\`. An invalid
  value is reported and no alarm is added. In \`tapfix.config.json\`:
  \`{"transforms": {"apigw-alarms": {"options": {"alarmTopic": "OpsAlertsTopic"}}}}\`.
- \`okActions\` (default true): also notify when an alarm returns to OK.
- \`clientErrorRate\` (default 0.05): 4XX rate (0–1) above which the 4XX alarm fires.
- \`serverErrorCount\` (default 5): 5XX responses per 5 minutes above which the 5XX alarm fires.
- \`httpApis\` (default true): also add alarms for HTTP APIs.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const metrics = watchedMetrics(template);
    const choice = chooseAlarmTopic(template, options.alarmTopic, 'apigw-alarms');
    if (choice.kind === 'topic') for (const id of choice.added) fx.taken.add(id);
    /** Whether an alarm that notifies the chosen topic is added (its API does not opt out). */
    let wired = false;
    const rate = typeof options.clientErrorRate === 'number' && options.clientErrorRate > 0 && options.clientErrorRate < 1 ? options.clientErrorRate : 0.05;
    const count = typeof options.serverErrorCount === 'number' && options.serverErrorCount >= 0 ? options.serverErrorCount : 5;

    const actions = (): JsonObject => {
      if (choice.kind !== 'topic') return {};
      return options.okActions !== false ? { AlarmActions: choice.topic.actions, OKActions: choice.topic.actions } : { AlarmActions: choice.topic.actions };
    };
    /** One finding for an API: the alarms it lacks, added together. */
    const report = (api: ResourceView, kind: string, missing: Array<{ base: string; properties: JsonObject }>) => {
      const what = missing.map((m) => m.base).join(' and ');
      const message = `${kind} ${api.id} has no ${what} alarm${missing.length > 1 ? 's' : ''}`;
      if (choice.kind === 'invalid') {
        findings.push({ pointer: api.pointer, messageId: 'invalidAlarmTopic', message: `${message} (not fixed: ${choice.reason})` });
        return;
      }
      const added = missing.map((m) =>
        fx.addResource(`${api.id}${m.base}Alarm`, newResource('AWS::CloudWatch::Alarm', { ...m.properties, TreatMissingData: 'notBreaching', ...actions() }, api.resource)),
      );
      findings.push({ pointer: api.pointer, messageId: 'missingAlarms', message: `${message}; adds ${added.join(' and ')}${notifyNote(choice, added.length > 1)}`, fix: fx.take() });
      if (choice.kind === 'topic') wired ||= !skipsTransform(api.resource, 'apigw-alarms');
    };

    for (const api of resources(template, 'AWS::ApiGateway::RestApi')) {
      if (!api.properties) continue;
      const id = api.id;
      const apiName = restApiName(api);
      if (apiName === undefined) {
        findings.push({ pointer: api.pointer, messageId: 'unknownApiName', message: `REST API ${id} has no Name tapfix can read (BodyS3Location?); add 4XXError/5XXError alarms on its ApiName by hand` });
        continue;
      }
      const watching = (metric: string): WatchedMetric[] => metrics.filter((m) => isMetric(m, NAMESPACE, [metric]));
      const missing: Array<{ base: string; properties: JsonObject }> = [];
      const stage = onlyStage(template, id, ['AWS::ApiGateway::Stage', 'AWS::ApiGateway::Deployment'], 'RestApiId');
      const dimensions: JsonValue = [{ Name: 'ApiName', Value: apiName }, ...(stage !== undefined ? [{ Name: 'Stage', Value: stage }] : [])];

      for (const metric of ['4XXError', '5XXError']) {
        let covered = false;
        for (const m of watching(metric)) {
          const d = dimension(m, 'ApiName');
          if (!d) continue;
          if (sameText(d.value, apiName)) covered = true;
          else if (refersTo(d.value, id)) {
            covered = true;
            fx.set(`${d.pointer}/Value`, apiName);
            findings.push({
              pointer: `${d.pointer}/Value`,
              messageId: 'apiNameIsId',
              message: `Alarm ${m.alarmId} sets dimension ApiName to {"Ref": "${id}"}, the API id; the metric is published under the API name, so the alarm never fires`,
              fix: fx.take(),
            });
          }
        }
        if (covered) continue;
        missing.push(
          metric === '4XXError'
            ? {
                base: '4XXError',
                properties: {
                  AlarmDescription: `REST API ${id}: more than ${percentText(rate)} of requests got a 4XX response for ${(CLIENT_ERROR_PERIODS * PERIOD) / 60} minutes`,
                  Namespace: NAMESPACE,
                  MetricName: '4XXError',
                  Dimensions: dimensions,
                  Statistic: 'Average',
                  Period: PERIOD,
                  EvaluationPeriods: CLIENT_ERROR_PERIODS,
                  Threshold: rate,
                  ComparisonOperator: 'GreaterThanThreshold',
                },
              }
            : {
                base: '5XXError',
                properties: {
                  AlarmDescription: `REST API ${id}: more than ${count} 5XX responses in 5 minutes`,
                  Namespace: NAMESPACE,
                  MetricName: '5XXError',
                  Dimensions: dimensions,
                  Statistic: 'Sum',
                  Period: PERIOD,
                  EvaluationPeriods: 1,
                  Threshold: count,
                  ComparisonOperator: 'GreaterThanThreshold',
                },
              },
        );
      }
      if (missing.length) report(api, 'REST API', missing);
    }

    const withDelivery = () => (wired && choice.kind === 'topic' ? [...choice.delivery, ...findings] : findings);
    if (options.httpApis === false) return withDelivery();
    for (const api of resources(template, 'AWS::ApiGatewayV2::Api')) {
      if (!api.properties || property(api, 'ProtocolType')?.value !== 'HTTP') continue;
      const id = api.id;
      let stage = onlyStage(template, id, ['AWS::ApiGatewayV2::Stage'], 'ApiId');
      if (stage === undefined && property(api, 'Target') !== undefined && !resources(template, 'AWS::ApiGatewayV2::Stage').some((s) => refersTo(property(s, 'ApiId')?.value, id))) {
        stage = '$default'; // quick create: API Gateway creates the $default stage itself
      }
      const dimensions: JsonValue = [{ Name: 'ApiId', Value: { Ref: id } }, ...(stage !== undefined ? [{ Name: 'Stage', Value: stage }] : [])];
      const covered = (metric: string) =>
        metrics.some((m) => {
          if (!isMetric(m, NAMESPACE, [metric])) return false;
          const d = dimension(m, 'ApiId');
          return !!d && refersTo(d.value, id);
        });
      const missing: Array<{ base: string; properties: JsonObject }> = [];
      if (!covered('4xx')) {
        const stat = (queryId: string, metricName: string): JsonObject => ({
          Id: queryId,
          MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: metricName, Dimensions: dimensions }, Period: PERIOD, Stat: 'Sum' },
          ReturnData: false,
        });
        missing.push({
          base: '4xx',
          properties: {
            AlarmDescription: `HTTP API ${id}: more than ${percentText(rate)} of requests got a 4xx response for ${(CLIENT_ERROR_PERIODS * PERIOD) / 60} minutes`,
            Metrics: [stat('errors', '4xx'), stat('requests', 'Count'), { Id: 'rate', Expression: 'errors / requests', Label: '4xx rate', ReturnData: true }],
            EvaluationPeriods: CLIENT_ERROR_PERIODS,
            Threshold: rate,
            ComparisonOperator: 'GreaterThanThreshold',
          },
        });
      }
      if (!covered('5xx')) {
        missing.push({
          base: '5xx',
          properties: {
            AlarmDescription: `HTTP API ${id}: more than ${count} 5xx responses in 5 minutes`,
            Namespace: NAMESPACE,
            MetricName: '5xx',
            Dimensions: dimensions,
            Statistic: 'Sum',
            Period: PERIOD,
            EvaluationPeriods: 1,
            Threshold: count,
            ComparisonOperator: 'GreaterThanThreshold',
          },
        });
      }
      if (missing.length) report(api, 'HTTP API', missing);
    }
    return withDelivery();
  },
});
