// Where new CloudWatch alarms send notifications: the configured topic, the one target existing
// alarms notify, or the one topic named for operators; and making sure CloudWatch can publish to
// it (key-policy grants, or a stand-in topic on a key CloudWatch may use).
import type { Finding, JsonObject, JsonValue, Resource, Template } from '../types.js';
import { newResource } from './edits.js';
import { refersTo } from './expressions.js';
import { Fixer } from './fixer.js';
import { policyOfProperties } from './iam.js';
import { accountRootStatement, actionsCloudWatchLacks, cloudWatchAlarmsKeyStatement, createdKeyProperties, keyOf, KMS_KEY } from './kms.js';
import { firstUnusedName, freshLogicalId } from './naming.js';
import { pointer, unescapePointerSegment } from './pointer.js';
import { isNoValue, parameter, property, propertyValues, resource, resources, targetOfValue, type ResourceView } from './query.js';
import { skipsTransform } from './skip.js';
import { PSEUDO_PARAMETERS, referencesTo } from './template.js';
import { asObject, hasOwn, intrinsicName, subText } from './values.js';

export interface AlarmTopic {
  /** The value of AlarmActions / OKActions (a list, or Fn::If of a list and AWS::NoValue). */
  actions: JsonValue;
  /** For messages: "topic OpsTopic", "arn:aws:sns:...". */
  describe: string;
  /** The template topic the actions name, when they name one. */
  topicId?: string;
}

export type TopicChoice =
  | {
      kind: 'topic';
      topic: AlarmTopic;
      /**
       * How the topic was chosen without the option: the one target every existing alarm uses, the
       * topic tapfix added for alarms, its name, or 'new': the topic `delivery` adds.
       */
      auto: false | 'alarms' | 'added' | 'name' | 'new';
      /** The template topic that was chosen, when CloudWatch cannot publish to it and `topic` stands in for it. */
      insteadOf?: string;
      /**
       * What makes `topic` receive alarm notifications: key-policy grants, the topic that stands in
       * and why. A transform reports these once, when it wires at least one alarm.
       */
      delivery: Finding[];
      /** Logical ids the delivery fixes add. */
      added: string[];
    }
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string };

const TOPIC = 'AWS::SNS::Topic';

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
function looksLikeAlarmTopic(topic: ResourceView): boolean {
  const name = subText(property(topic, 'TopicName')?.value) ?? '';
  const found = [words(topic.id), words(name.replace(/\$\{[^}]*\}/g, ' '))];
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

const isPerson = (protocol: unknown): boolean => typeof protocol === 'string' && HUMAN_PROTOCOLS.has(protocol.toLowerCase());

/** The `AWS::SNS::Subscription` resources of topic `topicId`. */
function subscriptionsOf(t: Template, topicId: string): ResourceView[] {
  return resources(t, 'AWS::SNS::Subscription').filter((s) => refersTo(property(s, 'TopicArn')?.value, topicId));
}

/** True when every subscriber of the topic declared in the template is a person (email, SMS). */
function onlyHumanSubscribers(t: Template, topic: ResourceView): boolean {
  const inline = property(topic, 'Subscription')?.value;
  if (inline !== undefined && !Array.isArray(inline)) return false;
  const protocols: unknown[] = (inline ?? []).map((s) => asObject(s)?.['Protocol']);
  for (const s of subscriptionsOf(t, topic.id)) protocols.push(property(s, 'Protocol')?.value);
  return protocols.every(isPerson);
}

function onlyOpsReferrers(t: Template, topicId: string): boolean {
  for (const ref of referencesTo(t, topicId)) {
    const m = /^\/(Resources|Outputs)\/([^/]+)/.exec(ref.pointer);
    if (!m) return false;
    if (m[1] === 'Outputs') continue;
    const referrer = resource(t, unescapePointerSegment(m[2]!));
    if (!referrer || !OPS_REFERRERS.has(referrer.type)) return false;
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
  for (const alarm of resources(t, 'AWS::CloudWatch::Alarm')) {
    const actions = property(alarm, 'AlarmActions')?.value;
    if (!Array.isArray(actions)) continue;
    for (const action of actions) {
      const target = snsTarget(t, action);
      if (target) seen.set(JSON.stringify(action), target);
    }
  }
  // The topic tapfix added for the alarms of a topic CloudWatch cannot use stands for that topic.
  const targets = [...seen.values()].filter((a) => ![...seen.values()].some((b) => a.topicId && b.topicId && standsInFor(a.topicId, b.topicId)));
  return targets.length === 1 ? targets[0] : undefined;
}

function snsTarget(t: Template, action: JsonValue): AlarmTopic | undefined {
  switch (intrinsicName(action)) {
    case 'Ref': {
      const ref = asObject(action)!['Ref'];
      if (typeof ref !== 'string') return undefined;
      if (resource(t, ref)?.type === TOPIC) return templateTopic(t, ref);
      if (parameter(t, ref)) return { actions: [action], describe: `the topic in parameter ${ref}` };
      return undefined;
    }
    case 'Fn::ImportValue':
      return { actions: [action], describe: 'the imported topic' };
    case undefined:
      return typeof action === 'string' && SNS_ARN.test(action) ? { actions: [action], describe: action } : undefined;
    default:
      return undefined;
  }
}

const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/;

function templateTopic(t: Template, topicId: string, condition = resource(t, topicId)?.condition): AlarmTopic {
  const list: JsonValue = [{ Ref: topicId }];
  const actions = condition !== undefined ? { 'Fn::If': [condition, list, { Ref: 'AWS::NoValue' }] } : list;
  return { actions, describe: `topic ${topicId}`, topicId };
}

/**
 * The option schema every alarm transform shares: `alarmTopic` (a topic logical id, a parameter,
 * an ARN or an intrinsic; null: choose or add one) and `okActions` (also notify on return to OK).
 */
export const ALARM_TOPIC_OPTION_SCHEMAS = {
  alarmTopic: { type: ['string', 'object', 'null'] },
  okActions: { type: 'boolean' },
} as const;

/**
 * Where new alarms send notifications:
 * 1. the `alarmTopic` option (an SNS topic's logical id, a parameter holding a topic ARN, a topic
 *    ARN, or an intrinsic such as `{"Fn::ImportValue": ...}`);
 * 2. else the one target all the template's existing alarms notify;
 * 3. else the template's only `AWS::SNS::Topic` whose logical id or name says it is for alarms
 *    (Alarm, Alert, Ops, OnCall, Pager, Incident, Monitoring), that nothing but alarms,
 *    subscriptions, topic policies, event rules and the like refer to, and whose subscribers
 *    are all people (email, SMS);
 * 4. else a new topic (see {@link newAlarmTopic}), which the next alarm transform finds by step 2
 *    or by its subscription to the address in parameter `AlarmEmail`.
 * A topic of the template is also made one CloudWatch can publish to: `delivery` holds the
 * key-policy grants it lacks or, where none can be given, the topic added in its place (see
 * {@link deliverable}). `none` only when the new topic cannot be added (`AlarmEmail` names a resource).
 */
export function chooseAlarmTopic(t: Template, option: unknown, ruleId = ''): TopicChoice {
  if (option !== undefined && option !== null && option !== '') {
    if (typeof option === 'string') {
      const view = resource(t, option);
      if (view) {
        if (view.type !== TOPIC) return { kind: 'invalid', reason: `alarmTopic "${option}" has type ${String(view.resource.Type)}, not AWS::SNS::Topic` };
        return deliverable(t, chosen(templateTopic(t, option), false), ruleId);
      }
      if (parameter(t, option)) return chosen({ actions: [{ Ref: option }], describe: `the topic in parameter ${option}` }, false);
      if (SNS_ARN.test(option)) return chosen({ actions: [option], describe: option }, false);
      return { kind: 'invalid', reason: `alarmTopic "${option}" is neither an SNS topic or parameter of this template nor an SNS topic ARN` };
    }
    const fn = intrinsicName(option);
    if (fn === 'Fn::ImportValue' || fn === 'Fn::Sub' || fn === 'Fn::Join') {
      const referenced = JSON.stringify(option).match(/\$\{([^}.!]+)[^}]*\}|"Ref":"([^"]+)"/g) ?? [];
      for (const r of referenced) {
        const name = (/\$\{([^}.!]+)/.exec(r)?.[1] ?? /"Ref":"([^"]+)"/.exec(r)?.[1] ?? '').trim();
        if (!PSEUDO_PARAMETERS.has(name) && !hasOwn(t.Parameters, name) && !hasOwn(t.Resources, name)) {
          return { kind: 'invalid', reason: `alarmTopic refers to "${name}", which this template does not define` };
        }
      }
      return chosen({ actions: [option as JsonValue], describe: 'the configured topic' }, false);
    }
    return { kind: 'invalid', reason: 'alarmTopic must be a logical id, a parameter name, a topic ARN or an Fn::ImportValue / Fn::Sub expression' };
  }
  // Both alarm transforms ask, every pass: the answer for a frozen template is kept.
  let choice = Object.isFrozen(t) ? chosenTopics.get(t) : undefined;
  if (!choice) {
    choice = chooseTopicAutomatically(t);
    if (Object.isFrozen(t)) chosenTopics.set(t, choice);
  }
  return choice.kind === 'none' ? newAlarmTopic(t) : deliverable(t, choice, ruleId);
}

const chosenTopics = new WeakMap<Template, TopicChoice>();

const AUTO_NOTE: Record<string, string> = {
  alarms: ' (what the existing alarms notify)',
  added: ' (the topic added for alarms)',
  name: ' (the only topic named for alarms)',
  new: ', added for them',
};

/** Where the chosen topic's alarms go, for messages: "topic OpsTopic (the only topic named for alarms)". */
export function describeChoice(choice: Extract<TopicChoice, { kind: 'topic' }>): string {
  const how = AUTO_NOTE[String(choice.auto)] ?? '';
  if (choice.insteadOf) return `${choice.topic.describe}, in place of topic ${choice.insteadOf}${how}, which cannot receive alarm notifications`;
  return `${choice.topic.describe}${how}`;
}

function chosen(topic: AlarmTopic, auto: false | 'alarms' | 'added' | 'name'): TopicChoice {
  return { kind: 'topic', topic, auto, delivery: [], added: [] };
}

function chooseTopicAutomatically(t: Template): TopicChoice {
  const existing = existingAlarmTarget(t);
  if (existing) return chosen(existing, 'alarms');
  const added = addedAlarmTopic(t);
  if (added) return chosen(templateTopic(t, added), 'added');
  const topics = resources(t, TOPIC);
  const candidates = topics.filter(
    (topic) => looksLikeAlarmTopic(topic) && onlyOpsReferrers(t, topic.id) && onlyHumanSubscribers(t, topic) && !topics.some((other) => standsInFor(topic.id, other.id)),
  );
  if (candidates.length !== 1) return { kind: 'none' };
  return chosen(templateTopic(t, candidates[0]!.id), 'name');
}

// ---------------------------------------------------------------------------------------------
// Topics CloudWatch can publish to
//
// CloudWatch publishes alarm notifications to an encrypted topic only when the topic's KMS key
// lets cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*); otherwise the
// notification is dropped and the failure shows only in the alarm's history. The AWS managed key
// alias/aws/sns has a policy nobody can change, so it never works
// (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).

/** The keys a topic's KmsMasterKeyId may name, one per Fn::If branch. */
type TopicKey = { when: string } & ({ kind: 'template'; keyId: string } | { kind: 'aws-managed'; alias: string } | { kind: 'outside'; what: string });

function topicKeys(t: Template, topic: ResourceView): TopicKey[] {
  const keys = propertyValues(topic, 'KmsMasterKeyId').filter(({ value }) => !isNoValue(value));
  return keys.map(({ value, when: branches }) => {
    const branch = branches[branches.length - 1];
    const when = branch ? ` (when condition ${branch.condition} is ${branch.value})` : '';
    const keyId = keyOf(t, value);
    if (keyId) return { when, kind: 'template', keyId };
    const text = subText(value);
    const managed = text === undefined ? null : /(?:^|:)(alias\/aws\/[^/]+)$/.exec(text);
    if (managed) return { when, kind: 'aws-managed', alias: managed[1]! };
    const ref = intrinsicName(value) === 'Ref' ? asObject(value)!['Ref'] : undefined;
    let what = 'a key expression tapfix cannot resolve';
    if (typeof ref === 'string' && hasOwn(t.Parameters, ref)) what = `the key in parameter ${ref}`;
    else if (intrinsicName(value) === 'Fn::ImportValue') what = 'an imported key';
    else if (text !== undefined) what = `key ${text}`;
    return { when, kind: 'outside', what };
  });
}

interface TopicDelivery {
  /** Why CloudWatch cannot publish to the topic, even with the grants below. */
  problems: string[];
  /** Key-policy grants that let CloudWatch publish to the topic. */
  grants: Finding[];
}

function topicDelivery(t: Template, topicId: string, ruleId: string): TopicDelivery {
  const out: TopicDelivery = { problems: [], grants: [] };
  const topic = resource(t, topicId)!;
  if (!topic.properties && topic.resource.Properties !== undefined) {
    out.problems.push('its properties are an expression tapfix cannot read, so its encryption is unknown');
    return out;
  }
  const granted = new Set<string>();
  for (const key of topicKeys(t, topic)) {
    if (key.kind === 'aws-managed') {
      out.problems.push(`it is encrypted with the AWS managed key ${key.alias}${key.when}, whose key policy cannot be changed to let CloudWatch use it`);
    } else if (key.kind === 'outside') {
      out.problems.push(`it is encrypted with ${key.what}${key.when}, which is not defined in this template, so tapfix cannot let CloudWatch use it`);
    } else if (!granted.has(key.keyId)) {
      granted.add(key.keyId);
      const grant = cloudWatchGrant(t, key.keyId, topicId, ruleId);
      if (typeof grant === 'string') out.problems.push(grant);
      else if (grant) out.grants.push(grant);
    }
  }
  return out;
}

/** The finding that lets CloudWatch use a template key, undefined when it may already, or why it cannot be given. */
function cloudWatchGrant(t: Template, keyId: string, topicId: string, ruleId: string): Finding | string | undefined {
  const key = resource(t, keyId)!;
  const policy = property(key, 'KeyPolicy');
  const missing = actionsCloudWatchLacks(policy?.value);
  if (missing.length === 0) return undefined;
  if (skipsTransform(key.resource, ruleId)) return `its key ${keyId} opts out of ${ruleId} (Metadata tapfix skip), so tapfix leaves the key policy as it is`;
  const notPlain = `the policy of key ${keyId} is not a plain policy document tapfix can extend, so it cannot let CloudWatch use it`;
  const fx = new Fixer(t);
  const document = policyOfProperties(key.properties, key.propertiesPointer, 'KeyPolicy');
  const sids = new Set(document.statements.flatMap((s) => (s.sid !== undefined ? [s.sid.toLowerCase()] : [])));
  const statement = cloudWatchAlarmsKeyStatement(missing, firstUnusedName((n) => `AllowCloudWatchAlarms${n === 1 ? '' : n}`, sids));
  if (key.resource.Properties !== undefined && !key.properties) return notPlain;
  if (!policy) {
    // No policy is the default key policy: the account root statement, kept.
    fx.setProperty(keyId, ['KeyPolicy'], { Version: '2012-10-17', Statement: [accountRootStatement(), statement] });
  } else if (document.kind === 'opaque') {
    return notPlain;
  } else {
    fx.appendStatement(document, statement);
  }
  return {
    pointer: pointer('Resources', keyId, 'Properties', 'KeyPolicy'),
    messageId: 'keyPolicyLacksCloudWatch',
    message:
      `Key ${keyId} encrypts topic ${topicId}, which new alarms notify, but its key policy does not let CloudWatch use it (${missing.join(', ')}), ` +
      'so alarm notifications are dropped; adds a statement for cloudwatch.amazonaws.com limited to this account (aws:SourceAccount)',
    fix: fx.take(),
  };
}

const STAND_IN_SUFFIX = 'ForAlarms';

/** True when topic `id` is the topic tapfix adds for the alarms of topic `topicId`. */
function standsInFor(id: string, topicId: string): boolean {
  return id.startsWith(topicId + STAND_IN_SUFFIX) && /^\d*$/.test(id.slice(topicId.length + STAND_IN_SUFFIX.length));
}

/**
 * The choice, made deliverable: a template topic whose keys CloudWatch may use (or may once the
 * grants are added) is kept; any other is reported and replaced by a topic on a customer managed
 * key CloudWatch may use — the one added before, or a new one with its people subscribers.
 */
function deliverable(t: Template, choice: TopicChoice, ruleId: string): TopicChoice {
  if (choice.kind !== 'topic' || !choice.topic.topicId) return choice;
  const topicId = choice.topic.topicId;
  const delivery = topicDelivery(t, topicId, ruleId);
  if (delivery.problems.length === 0) return { ...choice, delivery: delivery.grants };

  const topic = resource(t, topicId)!;
  const standIn = (id: string): Finding => ({
    pointer: pointer('Resources', topicId, 'Properties', 'KmsMasterKeyId'),
    messageId: 'topicUnusableByCloudWatch',
    message:
      `Topic ${topicId} cannot receive alarm notifications: ${delivery.problems.join('; ')}. CloudWatch drops them, and the failure shows ` +
      `only in each alarm's history. New alarms notify topic ${id} instead; ${topicId} and the alarms that already notify it are left as they are`,
  });
  for (let n = 1; n <= 20; n++) {
    const id = `${topicId}${STAND_IN_SUFFIX}${n === 1 ? '' : n}`;
    if (resource(t, id)?.type !== TOPIC) continue;
    const existing = topicDelivery(t, id, ruleId);
    if (existing.problems.length) continue;
    return { ...choice, topic: templateTopic(t, id), insteadOf: topicId, delivery: [standIn(id), ...existing.grants], added: [] };
  }

  const fx = new Fixer(t);
  const subscribers = peopleSubscribers(t, topic);
  const displayName = property(topic, 'DisplayName')?.value;
  const { id, keyId } = addEncryptedTopic(
    fx,
    topicId + STAND_IN_SUFFIX,
    (id) => `Customer managed key of the alarm topic ${id}: CloudWatch may use it to publish alarm notifications`,
    {
      ...(displayName !== undefined ? { DisplayName: displayName } : {}),
      ...(subscribers.copied.length ? { Subscription: subscribers.copied } : {}),
    },
    topic.resource,
  );
  const n = subscribers.copied.length;
  const who = n
    ? `the ${n === 1 ? 'email or SMS subscription' : `${n} email and SMS subscriptions`} of ${topicId} ${n === 1 ? 'is' : 'are'} copied to it`
    : `${topicId} has no email or SMS subscription to copy: subscribe the people who answer alarms to ${id}`;
  const left = subscribers.left.length ? `; left on ${topicId} only: ${subscribers.left.join(', ')}` : '';
  const create: Finding = {
    pointer: pointer('Resources'),
    messageId: 'standInTopic',
    message: `Adds topic ${id} for the new alarms, encrypted with the new customer managed key ${keyId}, whose key policy lets CloudWatch use it; ${who}${left}`,
    fix: fx.take(),
  };
  return { ...choice, topic: templateTopic(t, id, topic.condition), insteadOf: topicId, delivery: [standIn(id), create], added: [id, keyId] };
}

/** A topic's subscribers that are people (email, SMS), as inline Subscription entries, and the others. */
function peopleSubscribers(t: Template, topic: ResourceView): { copied: JsonValue[]; left: string[] } {
  const out: { copied: JsonValue[]; left: string[] } = { copied: [], left: [] };
  const inline = property(topic, 'Subscription')?.value;
  if (Array.isArray(inline)) {
    for (const entry of inline) {
      const protocol = asObject(entry)?.['Protocol'];
      if (isPerson(protocol) && asObject(entry)?.['Endpoint'] !== undefined) out.copied.push(entry);
      else out.left.push(`a ${typeof protocol === 'string' ? protocol : 'subscription'} entry of its Subscription list`);
    }
  } else if (inline !== undefined) {
    out.left.push('its Subscription list (an expression)');
  }
  for (const subscription of subscriptionsOf(t, topic.id)) {
    const protocol = property(subscription, 'Protocol')?.value;
    const endpoint = property(subscription, 'Endpoint')?.value;
    if (isPerson(protocol) && endpoint !== undefined && subscription.resource.Condition === undefined) {
      out.copied.push({ Protocol: protocol!, Endpoint: endpoint });
    } else out.left.push(`subscription ${subscription.id}`);
  }
  return out;
}

/**
 * Adds an SNS topic encrypted with a new customer managed key that CloudWatch may use to publish
 * alarm notifications: the key (createdKeyProperties: rotation, account root, the CT.KMS.PR.3
 * grant restriction, and the CloudWatch statement) named after the topic, then the topic with
 * `properties` and `KmsMasterKeyId`. Both share `like`'s Condition.
 */
function addEncryptedTopic(
  fx: Fixer,
  base: string,
  description: (topicId: string) => string,
  properties: JsonObject,
  like?: Pick<Resource, 'Condition'>,
): { id: string; keyId: string } {
  // The topic's id is chosen first (its key is named after it), the key is added first.
  const id = freshLogicalId(fx.template, base, fx.taken);
  const keyId = fx.addResource(`${id}Key`, newResource(KMS_KEY, createdKeyProperties(description(id), [cloudWatchAlarmsKeyStatement()]), like));
  const { DisplayName: displayName, ...rest } = properties;
  const topicProperties = { ...(displayName !== undefined ? { DisplayName: displayName } : {}), KmsMasterKeyId: { Ref: keyId }, ...rest };
  fx.set(pointer('Resources', id), newResource(TOPIC, topicProperties, like));
  return { id, keyId };
}

// ---------------------------------------------------------------------------------------------
// The topic tapfix adds when the template has none for alarms

/** The parameter holding the address the added topic notifies. */
export const ALARM_EMAIL_PARAMETER_NAME = 'AlarmEmail';

const ALARM_EMAIL_PARAMETER: Readonly<JsonObject> = Object.freeze({
  Type: 'String',
  Default: '',
  Description: 'Email address notified of CloudWatch alarms (empty: no subscription; the address must confirm the subscription AWS sends it)',
  AllowedPattern: '^$|^[^\\s@]+@[^\\s@]+$',
  ConstraintDescription: 'must be an email address, or empty',
});

const ALARM_TOPIC_BASE = 'AlarmTopic';

/** The topic tapfix added for alarms: the topic that an AWS::SNS::Subscription of the address in parameter AlarmEmail subscribes to. */
function addedAlarmTopic(t: Template): string | undefined {
  for (const subscription of resources(t, 'AWS::SNS::Subscription')) {
    const endpoint = targetOfValue(t, property(subscription, 'Endpoint')?.value);
    if (endpoint.kind !== 'parameter' || endpoint.id !== ALARM_EMAIL_PARAMETER_NAME) continue;
    const topic = targetOfValue(t, property(subscription, 'TopicArn')?.value);
    if (topic.kind === 'resource' && topic.attribute === undefined && topic.view.type === TOPIC) return topic.id;
  }
  return undefined;
}

/**
 * A new topic for the template's alarms, when it has none: encrypted with a new customer managed
 * key CloudWatch may use (see {@link addEncryptedTopic}), with an email subscription of the address
 * in the parameter `AlarmEmail` (default empty) under a condition that leaves it out while the
 * address is empty. Alarms must have an action (AWS Control Tower CT.CLOUDWATCH.PR.1): an alarm
 * that notifies nobody changes colour in the console and nothing else.
 */
function newAlarmTopic(t: Template): TopicChoice {
  const fx = new Fixer(t);
  try {
    fx.ensureParameter(ALARM_EMAIL_PARAMETER_NAME, ALARM_EMAIL_PARAMETER);
  } catch {
    return { kind: 'none' };
  }
  const condition = freshLogicalId(t, 'HasAlarmEmail', fx.taken);
  fx.set(pointer('Conditions', condition), { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: ALARM_EMAIL_PARAMETER_NAME }, ''] }] });
  const { id, keyId } = addEncryptedTopic(fx, ALARM_TOPIC_BASE, () => "Encrypts the SNS topic of this stack's CloudWatch alarms; CloudWatch may use it to publish alarm notifications", {});
  const subscription = fx.addResource(`${id}EmailSubscription`, {
    Type: 'AWS::SNS::Subscription',
    Condition: condition,
    Properties: { TopicArn: { Ref: id }, Protocol: 'email', Endpoint: { Ref: ALARM_EMAIL_PARAMETER_NAME } },
  });
  const create: Finding = {
    pointer: pointer('Resources'),
    messageId: 'newAlarmTopic',
    message:
      `No topic receives alarm notifications: adds topic ${id} for the new alarms, encrypted with the new customer managed key ${keyId}, whose key policy lets CloudWatch use it, ` +
      `and subscription ${subscription}, which sends them to the address in parameter ${ALARM_EMAIL_PARAMETER_NAME} once it is set`,
    fix: fx.take(),
  };
  return { kind: 'topic', topic: { actions: [{ Ref: id }], describe: `topic ${id}`, topicId: id }, auto: 'new', delivery: [create], added: [...fx.taken] };
}
