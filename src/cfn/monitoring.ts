import { asObject } from './template.js';
// Helpers shared by the monitoring transforms (lambda-log-group, lambda-alarms, apigw-alarms,
// cloudtrail-cloudwatch-logs, cloudtrail-data-events): comparing string-valued expressions
// written in different intrinsic forms, finding the metrics existing alarms watch, choosing
// where alarms send notifications, and small resource-attribute edits.
import type { JsonObject, JsonValue, Operation, Resource, Template } from '../types.js';
import { pointer, unescapePointerSegment } from './pointer.js';
import { PSEUDO_PARAMETERS, referencesTo, resourcesOfType } from './template.js';

export { asObject } from './template.js';

export function hasOwn(o: unknown, key: string): boolean {
  return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, key);
}

/** Resource `id` of the template, when it is declared as an object (never from the prototype). */
export function resourceAt(t: Template, id: string): Resource | undefined {
  const resources = asObject(t.Resources);
  if (!resources || !hasOwn(resources, id)) return undefined;
  return asObject(resources[id]) as Resource | undefined;
}

// ---------------------------------------------------------------------------------------------
// String expressions

/**
 * A canonical `Fn::Sub`-style text for a string-valued expression, so that the forms people
 * write for the same string compare equal: `"x"`, `{Ref: P}` (`${P}`), `{Fn::GetAtt: [A, B]}`
 * (`${A.B}`), `{Fn::Sub: "..."}` (whitespace inside `${ }` trimmed), `{Fn::Sub: [text, vars]}`
 * (vars substituted), `{Fn::Join: [sep, parts]}`. Literal `${` in a plain string is written
 * `${!` as Sub would need it. Undefined for anything else (Fn::If, Fn::Select, ...).
 */
export function renderText(v: unknown, depth = 0): string | undefined {
  if (depth > 20) return undefined;
  if (typeof v === 'string') return v.replace(/\$\{/g, '${!');
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  const o = asObject(v);
  if (!o) return undefined;
  const keys = Object.keys(o);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  const arg = o[key];
  switch (key) {
    case 'Ref':
      return typeof arg === 'string' ? '${' + arg + '}' : undefined;
    case 'Fn::GetAtt': {
      if (typeof arg === 'string') return '${' + arg + '}';
      if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && typeof arg[1] === 'string') return '${' + arg[0] + '.' + arg[1] + '}';
      return undefined;
    }
    case 'Fn::Sub': {
      if (typeof arg === 'string') return normalizeSub(arg);
      if (!Array.isArray(arg) || typeof arg[0] !== 'string') return undefined;
      const vars = asObject(arg[1]) ?? {};
      let failed = false;
      const out = normalizeSub(arg[0]).replace(/\$\{([^!}][^}]*)\}/g, (whole, name: string) => {
        if (!hasOwn(vars, name)) return whole;
        const rendered = renderText(vars[name], depth + 1);
        if (rendered === undefined) failed = true;
        return rendered ?? '';
      });
      return failed ? undefined : out;
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return undefined;
      const parts: string[] = [];
      for (const part of arg[1]) {
        const rendered = renderText(part, depth + 1);
        if (rendered === undefined) return undefined;
        parts.push(rendered);
      }
      return parts.join(arg[0]);
    }
    default:
      return undefined;
  }
}

function normalizeSub(text: string): string {
  return text.replace(/\$\{\s*([^}]*?)\s*\}/g, (_whole, inner: string) => '${' + inner + '}');
}

/** True when two string-valued expressions certainly denote the same string. */
export function sameText(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  if (JSON.stringify(a) === JSON.stringify(b)) return true;
  const ra = renderText(a);
  return ra !== undefined && ra === renderText(b);
}

/** True when `v` is a reference to resource `id`: `{Ref: id}` or an expression rendering to `${id}`. */
export function refersTo(v: unknown, id: string): boolean {
  return renderText(v) === '${' + id + '}';
}

/** True when `AWS::NoValue` appears anywhere in `v` (it cannot be copied into another string). */
export function mentionsNoValue(v: unknown): boolean {
  return JSON.stringify(v ?? null).includes('AWS::NoValue');
}

/**
 * `prefix` followed by the string `value` denotes, as a new expression: a literal when `value`
 * is a literal, an `Fn::Sub` when it is one (or a Ref), else an `Fn::Join`.
 */
export function prefixed(prefix: string, value: JsonValue): JsonValue {
  if (typeof value === 'string') return prefix + value;
  const o = asObject(value);
  if (o && typeof o['Ref'] === 'string' && Object.keys(o).length === 1) return { 'Fn::Sub': prefix + '${' + o['Ref'] + '}' };
  const sub = o && Object.keys(o).length === 1 ? o['Fn::Sub'] : undefined;
  if (typeof sub === 'string') return { 'Fn::Sub': prefix + sub };
  if (Array.isArray(sub) && sub.length === 2 && typeof sub[0] === 'string') return { 'Fn::Sub': [prefix + sub[0], sub[1]!] };
  return { 'Fn::Join': ['', [prefix, value]] };
}

/** Lambda writes a function's logs to the log group of this prefix and the function's name. */
export const LAMBDA_LOG_GROUP_PREFIX = '/aws/lambda/';

/** Lambda functions, and SAM functions (a Lambda function once SAM has expanded the template). */
export const FUNCTION_TYPES: readonly string[] = ['AWS::Lambda::Function', 'AWS::Serverless::Function'];

/**
 * The function of the template whose own log group `logGroupName` names: the prefix and
 * the function (`${Fn}`), its `FunctionName` in any form that renders the same, or the expression
 * {@link prefixed} builds from a `FunctionName` that does not render (what lambda-log-group writes).
 */
export function functionOfLogGroupName(t: Template, logGroupName: unknown): string | undefined {
  if (logGroupName === undefined) return undefined;
  const rendered = renderText(logGroupName);
  const written = JSON.stringify(logGroupName);
  for (const { id, resource } of resourcesOfType(t, ...FUNCTION_TYPES)) {
    if (rendered === LAMBDA_LOG_GROUP_PREFIX + '${' + id + '}') return id;
    const functionName = asObject(resource.Properties)?.['FunctionName'];
    if (functionName === undefined) continue;
    const renderedName = renderText(functionName);
    if (rendered !== undefined && renderedName !== undefined && rendered === LAMBDA_LOG_GROUP_PREFIX + renderedName) return id;
    if (written === JSON.stringify(prefixed(LAMBDA_LOG_GROUP_PREFIX, functionName))) return id;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Alarms

export interface WatchedMetric {
  alarmId: string;
  namespace: JsonValue | undefined;
  metricName: JsonValue | undefined;
  dimensions: Array<{ name: JsonValue | undefined; value: JsonValue | undefined; pointer: string }>;
}

/**
 * Every metric the template's `AWS::CloudWatch::Alarm`s watch: the single metric of a plain
 * alarm and each `MetricStat` of a metric-math alarm.
 */
export function watchedMetrics(t: Template): WatchedMetric[] {
  const out: WatchedMetric[] = [];
  for (const { id, resource } of resourcesOfType(t, 'AWS::CloudWatch::Alarm')) {
    const props = asObject(resource.Properties);
    if (!props) continue;
    const base = pointer('Resources', id, 'Properties');
    out.push({ alarmId: id, namespace: props['Namespace'], metricName: props['MetricName'], dimensions: dimensionsOf(props['Dimensions'], base + '/Dimensions') });
    const metrics = props['Metrics'];
    if (!Array.isArray(metrics)) continue;
    metrics.forEach((query, i) => {
      const metric = asObject(asObject(asObject(query)?.['MetricStat'])?.['Metric']);
      if (!metric) return;
      out.push({
        alarmId: id,
        namespace: metric['Namespace'],
        metricName: metric['MetricName'],
        dimensions: dimensionsOf(metric['Dimensions'], `${base}/Metrics/${i}/MetricStat/Metric/Dimensions`),
      });
    });
  }
  return out;
}

function dimensionsOf(v: unknown, at: string): WatchedMetric['dimensions'] {
  if (!Array.isArray(v)) return [];
  return v.map((d, i) => ({ name: asObject(d)?.['Name'], value: asObject(d)?.['Value'], pointer: `${at}/${i}` }));
}

/** The value of dimension `name` of a watched metric, when it has exactly one such dimension. */
export function dimension(m: WatchedMetric, name: string): { value: JsonValue | undefined; pointer: string } | undefined {
  const found = m.dimensions.filter((d) => d.name === name);
  return found.length === 1 ? found[0] : undefined;
}

export function isMetric(m: WatchedMetric, namespace: string, metricNames: readonly string[]): boolean {
  return m.namespace === namespace && typeof m.metricName === 'string' && metricNames.includes(m.metricName);
}

// ---------------------------------------------------------------------------------------------
// Where alarms notify

export interface AlarmTopic {
  /** The value of AlarmActions / OKActions (a list, or Fn::If of a list and AWS::NoValue). */
  actions: JsonValue;
  /** For messages: "topic OpsTopic", "arn:aws:sns:...". */
  describe: string;
}

export type TopicChoice =
  /** auto: how the topic was chosen without the option — the one target every existing alarm uses, or its name. */
  | { kind: 'topic'; topic: AlarmTopic; auto: false | 'alarms' | 'name' }
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string };

/**
 * Words in a topic's logical id or name that say it is for operators. "Notification" is not one:
 * in real templates it names application topics as often as operator ones ("order-notifications",
 * "push-notifications", "AppointmentNotifications").
 */
const TOPIC_WORDS = /^(alarms?|alerts?|alerting|ops|devops|oncall|pager|pagerduty|incidents?|monitoring)$/;

function words(text: string): string[] {
  return (text.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((w) => w.toLowerCase());
}

/** True when a topic's logical id or name says it is meant for alarms. */
function looksLikeAlarmTopic(id: string, resource: Resource): boolean {
  const name = renderText(asObject(resource.Properties)?.['TopicName']) ?? '';
  const found = [words(id), words(name.replace(/\$\{[^}]*\}/g, ' '))];
  // Adjacent pairs too: OnCall, DevOps, PagerDuty.
  const candidates = found.flatMap((ws) => [...ws, ...ws.slice(1).map((w, i) => ws[i] + w)]);
  return candidates.some((w) => TOPIC_WORDS.test(w) || w.startsWith('alarm') || w.startsWith('alert'));
}

/**
 * Resource types that may refer to an alarm topic. A topic referred to by anything else (a
 * Lambda function's environment, an IAM policy granting sns:Publish, an S3 notification, a state
 * machine) carries application messages — "OrderNotifications", "PriceAlerts" — whose
 * subscribers must not receive alarm messages.
 */
const OPS_REFERRERS: ReadonlySet<string> = new Set([
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
  'AWS::SNS::Subscription',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::TopicInlinePolicy',
  'AWS::Events::Rule',
  'AWS::Budgets::Budget',
  'AWS::AutoScaling::AutoScalingGroup',
  'AWS::CodeStarNotifications::NotificationRule',
  'AWS::Chatbot::SlackChannelConfiguration',
  'AWS::Chatbot::MicrosoftTeamsChannelConfiguration',
]);

/** Protocols of subscribers that are people, not code that would parse an alarm as its own message. */
const HUMAN_PROTOCOLS: ReadonlySet<string> = new Set(['email', 'email-json', 'sms']);

/** True when every subscriber of the topic declared in the template is a person (email, SMS). */
function onlyHumanSubscribers(t: Template, topicId: string): boolean {
  const protocols: unknown[] = [];
  const inline = asObject(resourceAt(t, topicId)?.Properties)?.['Subscription'];
  if (inline !== undefined && !Array.isArray(inline)) return false;
  for (const s of inline ?? []) protocols.push(asObject(s)?.['Protocol']);
  for (const { resource } of resourcesOfType(t, 'AWS::SNS::Subscription')) {
    const props = asObject(resource.Properties);
    if (props && refersTo(props['TopicArn'], topicId)) protocols.push(props['Protocol']);
  }
  return protocols.every((p) => typeof p === 'string' && HUMAN_PROTOCOLS.has(p.toLowerCase()));
}

function onlyOpsReferrers(t: Template, topicId: string): boolean {
  for (const ref of referencesTo(t, topicId)) {
    const m = /^\/(Resources|Outputs)\/([^/]+)/.exec(ref.pointer);
    if (!m) return false;
    if (m[1] === 'Outputs') continue;
    const referrer = resourceAt(t, unescapePointerSegment(m[2]!));
    if (!referrer || !OPS_REFERRERS.has(referrer.Type)) return false;
  }
  return true;
}

/**
 * The one SNS target the template's existing alarms notify (their `AlarmActions`, ignoring
 * non-SNS actions such as scaling policies and EC2 recover/stop ARNs): a topic of the template,
 * a parameter, an SNS topic ARN or an `Fn::ImportValue`. Undefined when there is none, or more
 * than one (then the author routes alarms by kind and tapfix cannot tell which fits).
 */
function existingAlarmTarget(t: Template): AlarmTopic | undefined {
  const seen = new Map<string, AlarmTopic>();
  for (const { resource } of resourcesOfType(t, 'AWS::CloudWatch::Alarm')) {
    const actions = asObject(resource.Properties)?.['AlarmActions'];
    if (!Array.isArray(actions)) continue;
    for (const action of actions) {
      const target = snsTarget(t, action);
      if (target) seen.set(JSON.stringify(action), target);
    }
  }
  return seen.size === 1 ? [...seen.values()][0] : undefined;
}

function snsTarget(t: Template, action: JsonValue): AlarmTopic | undefined {
  const o = asObject(action);
  const single = o && Object.keys(o).length === 1;
  const ref = single ? o['Ref'] : undefined;
  if (typeof ref === 'string') {
    if (resourceAt(t, ref)?.Type === 'AWS::SNS::Topic') return { actions: topicActions(t, ref), describe: `topic ${ref}` };
    if (hasOwn(t.Parameters, ref)) return { actions: [action], describe: `the topic in parameter ${ref}` };
    return undefined;
  }
  if (typeof action === 'string' && SNS_ARN.test(action)) return { actions: [action], describe: action };
  if (single && o['Fn::ImportValue'] !== undefined) return { actions: [action], describe: 'the imported topic' };
  return undefined;
}

const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/;

function topicActions(t: Template, topicId: string): JsonValue {
  const condition = resourceAt(t, topicId)?.Condition;
  const list: JsonValue = [{ Ref: topicId }];
  return typeof condition === 'string' ? { 'Fn::If': [condition, list, { Ref: 'AWS::NoValue' }] } : list;
}

/**
 * Where new alarms send notifications:
 * 1. the `alarmTopic` option (an SNS topic's logical id, a parameter holding a topic ARN, a topic
 *    ARN, or an intrinsic such as `{"Fn::ImportValue": ...}`);
 * 2. else the one target all the template's existing alarms notify;
 * 3. else the template's only `AWS::SNS::Topic` whose logical id or name says it is for alarms
 *    (Alarm, Alert, Ops, OnCall, Pager, Incident, Monitoring), that nothing but alarms,
 *    subscriptions, topic policies, event rules and the like refer to, and whose subscribers
 *    are all people (email, SMS);
 * 4. else none.
 */
export function chooseAlarmTopic(t: Template, option: unknown): TopicChoice {
  if (option !== undefined && option !== null && option !== '') {
    if (typeof option === 'string') {
      const resource = resourceAt(t, option);
      if (resource) {
        if (resource.Type !== 'AWS::SNS::Topic') return { kind: 'invalid', reason: `alarmTopic "${option}" has type ${String(resource.Type)}, not AWS::SNS::Topic` };
        return { kind: 'topic', topic: { actions: topicActions(t, option), describe: `topic ${option}` }, auto: false };
      }
      if (hasOwn(t.Parameters, option)) return { kind: 'topic', topic: { actions: [{ Ref: option }], describe: `the topic in parameter ${option}` }, auto: false };
      if (SNS_ARN.test(option)) return { kind: 'topic', topic: { actions: [option], describe: option }, auto: false };
      return { kind: 'invalid', reason: `alarmTopic "${option}" is neither an SNS topic or parameter of this template nor an SNS topic ARN` };
    }
    const o = asObject(option);
    const fn = o && Object.keys(o).length === 1 ? Object.keys(o)[0]! : undefined;
    if (fn === 'Fn::ImportValue' || fn === 'Fn::Sub' || fn === 'Fn::Join') {
      const referenced = JSON.stringify(option).match(/\$\{([^}.!]+)[^}]*\}|"Ref":"([^"]+)"/g) ?? [];
      for (const r of referenced) {
        const name = /\$\{([^}.!]+)/.exec(r)?.[1] ?? /"Ref":"([^"]+)"/.exec(r)?.[1] ?? '';
        if (!PSEUDO_PARAMETERS.has(name.trim()) && !hasOwn(t.Parameters, name.trim()) && !hasOwn(t.Resources, name.trim())) {
          return { kind: 'invalid', reason: `alarmTopic refers to "${name.trim()}", which this template does not define` };
        }
      }
      return { kind: 'topic', topic: { actions: [option as JsonValue], describe: 'the configured topic' }, auto: false };
    }
    return { kind: 'invalid', reason: 'alarmTopic must be a logical id, a parameter name, a topic ARN or an Fn::ImportValue / Fn::Sub expression' };
  }
  // Both alarm transforms ask, every pass: the answer for a frozen template is kept.
  const cached = Object.isFrozen(t) ? chosenTopics.get(t) : undefined;
  if (cached) return cached;
  const choice = chooseTopicAutomatically(t);
  if (Object.isFrozen(t)) chosenTopics.set(t, choice);
  return choice;
}

const chosenTopics = new WeakMap<Template, TopicChoice>();

function chooseTopicAutomatically(t: Template): TopicChoice {
  const existing = existingAlarmTarget(t);
  if (existing) return { kind: 'topic', topic: existing, auto: 'alarms' };
  const candidates = resourcesOfType(t, 'AWS::SNS::Topic').filter(({ id, resource }) => looksLikeAlarmTopic(id, resource) && onlyOpsReferrers(t, id) && onlyHumanSubscribers(t, id));
  if (candidates.length !== 1) return { kind: 'none' };
  const id = candidates[0]!.id;
  return { kind: 'topic', topic: { actions: topicActions(t, id), describe: `topic ${id}` }, auto: 'name' };
}

// ---------------------------------------------------------------------------------------------
// Resource attributes

/** The resource's `Condition` name, when it has one. */
export function conditionOf(resource: Resource): string | undefined {
  return typeof resource.Condition === 'string' ? resource.Condition : undefined;
}

/** `{Type, Condition?, Properties}` for a new resource that shares `like`'s condition. */
export function newResource(type: string, properties: JsonObject, like?: Resource): JsonObject {
  const condition = like ? conditionOf(like) : undefined;
  return condition ? { Type: type, Condition: condition, Properties: properties } : { Type: type, Properties: properties };
}

/**
 * Ops making resource `id` depend on `target`, keeping the DependsOn it has (string or list);
 * [] when it already does, undefined when DependsOn is something else (left alone).
 */
export function addDependsOn(resource: Resource, id: string, target: string): Operation[] | undefined {
  const at = pointer('Resources', id, 'DependsOn');
  const current = resource.DependsOn as unknown;
  if (current === undefined) return [{ op: 'add', path: at, value: target }];
  if (typeof current === 'string') return current === target ? [] : [{ op: 'replace', path: at, value: [current, target] }];
  if (Array.isArray(current)) return current.includes(target) ? [] : [{ op: 'add', path: `${at}/-`, value: target }];
  return undefined;
}

/** True when resource `id` depends (DependsOn) on `target`. */
export function dependsOn(resource: Resource, target: string): boolean {
  const d = resource.DependsOn as unknown;
  return d === target || (Array.isArray(d) && d.includes(target));
}
