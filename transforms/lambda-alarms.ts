import { defineTransform } from '../src/transform.js';
import { chooseAlarmTopic, describeChoice, type TopicChoice, ALARM_TOPIC_OPTION_SCHEMAS } from '../src/cfn/alarm-topic.js';
import { dimension, isMetric, watchedMetrics } from '../src/cfn/alarms.js';
import { newResource } from '../src/cfn/edits.js';
import { refersTo } from '../src/cfn/expressions.js';
import { Fixer } from '../src/cfn/fixer.js';
import { parameter, property, resources, type ResourceView } from '../src/cfn/query.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { asObject, intrinsicName, sameText } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

interface Options extends Record<string, unknown> {
  alarmTopic: unknown;
  okActions: boolean;
  errorThreshold: number;
  durationPercent: number;
}

/** Lambda's default timeout, in seconds, when the function does not set Timeout. */
const DEFAULT_TIMEOUT_SECONDS = 3;
/** Lambda's maximum timeout, in seconds. */
const MAX_TIMEOUT_SECONDS = 900;

/** Seconds (a literal), or per-branch seconds of an `Fn::If` whose branches are literals. */
type Timeout = { seconds: number; note?: string } | { condition: string; then: number; else: number } | { problem: string };

/** The function's timeout in seconds: literal, Lambda's default, or a parameter's Default. */
function timeoutOf(t: Template, fn: ResourceView): Timeout {
  const value = property(fn, 'Timeout')?.value;
  const seconds = (v: unknown): number | undefined => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
    return n !== undefined && n >= 1 && n <= MAX_TIMEOUT_SECONDS ? n : undefined;
  };
  if (value === undefined) return { seconds: DEFAULT_TIMEOUT_SECONDS, note: `no Timeout set, Lambda's default of ${DEFAULT_TIMEOUT_SECONDS} s` };
  const literal = seconds(value);
  if (literal !== undefined) return { seconds: literal };
  const ref = intrinsicName(value) === 'Ref' ? asObject(value)!['Ref'] : undefined;
  if (typeof ref === 'string') {
    const fallback = seconds(parameter(t, ref)?.['Default']);
    if (fallback !== undefined) return { seconds: fallback, note: `Timeout is parameter ${ref}; the threshold uses its default of ${fallback} s and does not follow other values` };
    return { problem: `Timeout is parameter ${ref}, which has no usable Default` };
  }
  const branches = asObject(value)?.['Fn::If'];
  if (Array.isArray(branches) && branches.length === 3 && typeof branches[0] === 'string') {
    const then = seconds(branches[1]);
    const otherwise = seconds(branches[2]);
    if (then !== undefined && otherwise !== undefined) return { condition: branches[0], then, else: otherwise };
  }
  return { problem: 'Timeout is an expression tapfix cannot evaluate' };
}

function isCustomResource(view: ResourceView): boolean {
  const type: unknown = view.resource.Type;
  return typeof type === 'string' && (type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::'));
}

/** True when `provider` is a custom resource whose ServiceToken is function `id`. */
function isProviderOf(provider: ResourceView, id: string): boolean {
  const token = property(provider, 'ServiceToken')?.value;
  return refersTo(token, `${id}.Arn`) || refersTo(token, id);
}

function notifyNote(choice: TopicChoice): string {
  if (choice.kind === 'topic') return `; it notifies ${describeChoice(choice)}`;
  return '; nobody is notified until you set the alarmTopic option (see the rule docs)';
}

export default defineTransform<Options>({
  meta: {
    id: 'lambda-alarms',
    title: 'Alarm on Lambda errors and on durations close to the timeout',
    severity: 'high',
    safety: 'safe',
    seeds: ['000#11', '001#5'],
    equivalents: [],
    order: 40,
    defaultOptions: { alarmTopic: null, okActions: true, errorThreshold: 5, durationPercent: 80 },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...ALARM_TOPIC_OPTION_SCHEMAS,
        errorThreshold: { type: 'number', minimum: 0 },
        durationPercent: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
      },
    },
    docs: `## Why
A Lambda function that fails or runs into its timeout does so silently: the invocation is
retried or dropped and nobody hears about it until a user or a downstream system complains.
Two alarms catch most of it: one on the \`Errors\` metric, one on \`Duration\` getting close to
the function's timeout (the step before timeouts, which also count as errors).

## Fix
For every \`AWS::Lambda::Function\`, adds the alarms it lacks (an existing
\`AWS::CloudWatch::Alarm\` on the same metric in \`AWS/Lambda\` with a \`FunctionName\` dimension
naming the function, plain or inside metric math, counts):
- \`<Function>ErrorsAlarm\`: \`Errors\`, \`Sum\` over 300 s, 1 period, \`GreaterThanThreshold\` 5;
- \`<Function>DurationAlarm\`: \`Duration\`, \`Maximum\` over 300 s, 1 period,
  \`GreaterThanThreshold\` 80% of the timeout in milliseconds. The timeout is the function's
  literal \`Timeout\` (seconds), Lambda's default of 3 s when it is not set, or the \`Default\` of
  the parameter \`Timeout\` refers to (the finding says so: the threshold does not follow a
  different parameter value); an \`Fn::If\` of two literal timeouts gives an \`Fn::If\` of two
  thresholds on the same condition. Any other expression (\`Fn::FindInMap\`, ...): the duration
  alarm is reported, not added.

Both use \`Dimensions: [{Name: FunctionName, Value: {"Ref": <Function>}}]\` and
\`TreatMissingData: notBreaching\` (a function that is not invoked is not failing). A function
with a \`Condition\` gets alarms with the same \`Condition\`. Functions that only serve as a
custom resource provider (their ARN is a \`ServiceToken\`) are skipped: they run during
deployments, where a failure already shows as a failed stack operation.

**AlarmName is left out on purpose.** Changing an alarm's name replaces the alarm, names must be
unique per account and region (a fixed name breaks the second stack built from the template),
and CloudFormation generates a unique one (\`<stack>-<LogicalId>-<random>\`) that already says
which stack and function the alarm belongs to. \`AlarmDescription\` names the function.

**Who hears the alarm.** The catalogue's ideal alarms have no \`AlarmActions\`, so they change
colour in the console and nobody is told. tapfix adds \`AlarmActions\` (and \`OKActions\`, so the
recovery is announced too) pointing at:
1. the \`alarmTopic\` option, when set; else
2. the one SNS target the template's existing alarms notify (their \`AlarmActions\`; scaling
   policies and EC2 actions aside): the author already decided where alarms go; several
   targets (critical vs. warning) leave the choice open; else
3. the template's only \`AWS::SNS::Topic\` whose logical id or \`TopicName\` says it is meant for
   alarms (contains Alarm, Alert, Ops, OnCall, Pager, Incident or Monitoring), that only
   alarm-like resources refer to (alarms, subscriptions, topic policies, event rules, budgets,
   Chatbot) and whose declared subscribers are all people (email, SMS). A topic a Lambda
   function, an IAM policy or an S3 notification refers to, or that a function or queue
   subscribes to, carries application messages ("order-notifications", "price-alerts"): its
   consumers must not receive alarm messages, so it is never guessed. "Notification" alone is
   not taken as a sign: in real templates it names application topics as often as operator ones.
   A topic with a \`Condition\` is used through \`Fn::If\`, as the author's alarms use it; else
4. the topic tapfix added before (found by its subscription to the address in \`AlarmEmail\`); else
5. a new topic, \`AlarmTopic\`, added once for the template's alarms: an alarm without an action
   notifies nobody, and the AWS Control Tower control CT.CLOUDWATCH.PR.1 rejects it. It is
   encrypted with a new customer managed key \`AlarmTopicKey\` (rotation on; its policy delegates
   to IAM in the account, has the CloudWatch statement described below, and denies grants that
   are not for AWS resources, as CT.KMS.PR.3 asks). The address in the new parameter
   \`AlarmEmail\` (default empty) is subscribed by \`AlarmTopicEmailSubscription\`, under the new
   condition \`HasAlarmEmail\`, so nothing is subscribed until an address is given. lambda-alarms
   and apigw-alarms share it: whichever runs first adds it, the other finds it through the alarms
   that notify it. No AWS Control Tower control applies to SNS topics or subscriptions.

Only when \`AlarmEmail\` is already the logical id of a resource are the alarms added without
actions, and the finding says that nobody is notified.

**Encrypted topics.** CloudWatch publishes to a topic encrypted with a KMS key only when the key
policy lets the service principal \`cloudwatch.amazonaws.com\` call \`kms:Decrypt\` and
\`kms:GenerateDataKey*\`. Without that the notification is dropped, and the failure shows only in
the alarm's history ("CloudWatch Alarms does not have authorization to access the SNS topic
encryption key"). The policy of the AWS managed key \`alias/aws/sns\` cannot be changed, so a topic
encrypted with it never receives alarm notifications: alarms need a customer managed key. AWS
documents both in the SNS Developer Guide, "Enable compatibility between event sources from AWS
services and encrypted topics"
(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services),
and in the Knowledge Center article on alarms with encrypted topics
(https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns). So, when the new alarms
notify a topic of the template:
- encrypted with a key of the template (\`Ref\` or \`GetAtt\` of the key, its ARN, an
  \`AWS::KMS::Alias\` of the template or its name, on either branch of an \`Fn::If\`) whose policy
  does not allow it yet: a key-policy statement \`AllowCloudWatchAlarms\` lets
  \`cloudwatch.amazonaws.com\` call the missing actions, on behalf of this account only
  (\`aws:SourceAccount\` is \`AWS::AccountId\`). It names nothing else, so the key never depends on
  the topic and the alarms that depend on it. A statement that already allows those actions to the
  service, or to everyone without a condition, is left alone; the existing alarms that notify the
  topic start working too.
- encrypted with \`alias/aws/sns\` (any \`alias/aws/...\` key), with a key outside the template (a
  parameter, an ARN, an imported value, on any branch of an \`Fn::If\`), or with a template key
  whose policy cannot be extended (an expression or a JSON string, or a key that opts out of
  this rule in its \`Metadata\`): the topic is reported and the new alarms do not notify it. They
  notify \`<Topic>ForAlarms\` instead, which is added once: encrypted with a new customer managed
  key \`<Topic>ForAlarmsKey\` (built like \`AlarmTopicKey\` above), with the topic's
  \`DisplayName\`, \`Condition\` and email and SMS
  subscriptions (inline or \`AWS::SNS::Subscription\`). Other subscribers (functions, queues,
  HTTPS endpoints) are named in the finding, not copied. The topic and the alarms that already
  notify it are left as they are.

A topic outside the template (a parameter, an ARN, an imported value, an \`alarmTopic\`
expression) is used as it is: its key cannot be seen from the template.

## Fix safety
Safe: adds new alarm resources. The only change to an existing resource is the key-policy
statement that lets CloudWatch, acting for this account, use the key of the topic the alarms
notify. A topic added for the alarms, or in place of one CloudWatch cannot use, comes with a
customer managed key (about 1 USD a month), and its email subscribers receive a request to
confirm the subscription.

## Options
- \`alarmTopic\` (default none: chosen as above): where alarms notify: the logical id of an \`AWS::SNS::Topic\` in the
  template, the name of a parameter holding a topic ARN, a topic ARN, or an intrinsic such as
  \`{"Fn::ImportValue": "shared-alarm-topic-arn"}\`. An invalid value is reported and no alarm
  is added (so that fixing the option later still wires every alarm). An intrinsic is used as
  given, even \`{"Fn::Sub": "\${Topic}"}\` for a topic of the template: a way to keep a topic whose
  key outside the template already lets CloudWatch use it. In \`tapfix.config.json\`:
  \`{"transforms": {"lambda-alarms": {"options": {"alarmTopic": "OpsAlertsTopic"}}}}\`.
- \`okActions\` (default true): also notify when the alarm returns to OK.
- \`errorThreshold\` (default 5): errors per 5 minutes above which the errors alarm fires.
- \`durationPercent\` (default 80): the duration alarm fires above this percentage of the timeout.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const metrics = watchedMetrics(template);
    const choice = chooseAlarmTopic(template, options.alarmTopic, 'lambda-alarms');
    if (choice.kind === 'topic') for (const id of choice.added) fx.taken.add(id);
    /** Whether an alarm that notifies the chosen topic is added (its function does not opt out). */
    let wired = false;
    const errorThreshold = typeof options.errorThreshold === 'number' && options.errorThreshold >= 0 ? options.errorThreshold : 5;
    const percent = typeof options.durationPercent === 'number' && options.durationPercent > 0 && options.durationPercent <= 100 ? options.durationPercent : 80;
    const providers = resources(template).filter(isCustomResource);

    for (const fn of resources(template, 'AWS::Lambda::Function')) {
      if (!fn.properties) continue;
      const id = fn.id;
      if (providers.some((p) => isProviderOf(p, id))) continue;
      const functionName = property(fn, 'FunctionName')?.value;
      const watched = (metricName: string) =>
        metrics.some((m) => {
          if (!isMetric(m, 'AWS/Lambda', [metricName])) return false;
          const d = dimension(m, 'FunctionName');
          return !!d && (refersTo(d.value, id) || sameText(d.value, functionName));
        });

      const alarm = (metric: 'Errors' | 'Duration', properties: JsonObject, note: string): Finding => {
        const messageId = `no${metric}Alarm`;
        const message = `Lambda function ${id} has no alarm on ${metric}`;
        if (choice.kind === 'invalid') return { pointer: fn.pointer, messageId: 'invalidAlarmTopic', message: `${message} (not fixed: ${choice.reason})` };
        const actions: JsonObject = {};
        if (choice.kind === 'topic') {
          actions['AlarmActions'] = choice.topic.actions;
          if (options.okActions !== false) actions['OKActions'] = choice.topic.actions;
          wired ||= !skipsTransform(fn.resource, 'lambda-alarms');
        }
        const alarmId = fx.addResource(`${id}${metric}Alarm`, newResource('AWS::CloudWatch::Alarm', { ...properties, TreatMissingData: 'notBreaching', ...actions }, fn.resource));
        return { pointer: fn.pointer, messageId, message: `${message}; adds ${alarmId}${note}${notifyNote(choice)}`, fix: fx.take() };
      };
      const dimensions: JsonValue = [{ Name: 'FunctionName', Value: { Ref: id } }];

      if (!watched('Errors')) {
        findings.push(
          alarm(
            'Errors',
            {
              AlarmDescription: `Lambda function ${id} reported more than ${errorThreshold} errors in 5 minutes`,
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: dimensions,
              Statistic: 'Sum',
              Period: 300,
              EvaluationPeriods: 1,
              Threshold: errorThreshold,
              ComparisonOperator: 'GreaterThanThreshold',
            },
            '',
          ),
        );
      }
      if (!watched('Duration')) {
        const timeout = timeoutOf(template, fn);
        if ('problem' in timeout) {
          findings.push({
            pointer: property(fn, 'Timeout')!.pointer,
            messageId: 'unknownTimeout',
            message: `Lambda function ${id} has no alarm on Duration (not fixed: ${timeout.problem})`,
          });
        } else {
          const ms = (s: number) => Math.round((s * 1000 * percent) / 100);
          const threshold: JsonValue = 'seconds' in timeout ? ms(timeout.seconds) : { 'Fn::If': [timeout.condition, ms(timeout.then), ms(timeout.else)] };
          const shown = 'seconds' in timeout ? `${threshold as number} ms` : `${ms(timeout.then)} or ${ms(timeout.else)} ms following condition ${timeout.condition}`;
          const timeoutText = 'seconds' in timeout ? `its ${timeout.seconds} s timeout` : 'its timeout';
          findings.push(
            alarm(
              'Duration',
              {
                AlarmDescription: `Lambda function ${id} ran longer than ${percent}% of ${timeoutText}`,
                Namespace: 'AWS/Lambda',
                MetricName: 'Duration',
                Dimensions: dimensions,
                Statistic: 'Maximum',
                Period: 300,
                EvaluationPeriods: 1,
                Threshold: threshold,
                ComparisonOperator: 'GreaterThanThreshold',
              },
              ` (threshold ${shown}${'note' in timeout && timeout.note ? `: ${timeout.note}` : ''})`,
            ),
          );
        }
      }
    }
    return wired && choice.kind === 'topic' ? [...choice.delivery, ...findings] : findings;
  },
});
