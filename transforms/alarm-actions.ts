import { defineTransform } from '../src/transform.js';
import { ALARM_TOPIC_OPTION_SCHEMAS, chooseAlarmTopic, describeChoice } from '../src/cfn/alarm-topic.js';
import { Fixer } from '../src/cfn/fixer.js';
import { unescapePointerSegment } from '../src/cfn/pointer.js';
import { propertiesComputed, property, resources, typeOf, type ResourceView } from '../src/cfn/query.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { referencesTo } from '../src/cfn/template.js';
import { intrinsicName } from '../src/cfn/values.js';
import type { Finding, Template } from '../src/types.js';

const ID = 'alarm-actions';
const COMPOSITE = 'AWS::CloudWatch::CompositeAlarm';

interface Options extends Record<string, unknown> {
  alarmTopic: unknown;
  okActions: boolean;
}

/**
 * The composite alarm whose AlarmRule names `alarm`: by Ref / GetAtt / `${Alarm}` of its logical
 * id, or by its literal AlarmName written in the rule.
 */
function compositeParent(t: Template, alarm: ResourceView): string | undefined {
  for (const ref of referencesTo(t, alarm.id)) {
    const m = /^\/Resources\/([^/]+)\/Properties\/AlarmRule(\/|$)/.exec(ref.pointer);
    if (m && typeOf(t, unescapePointerSegment(m[1]!)) === COMPOSITE) return unescapePointerSegment(m[1]!);
  }
  const name = property(alarm, 'AlarmName')?.value;
  if (typeof name !== 'string' || name === '') return undefined;
  // ALARM(name), ALARM("name") or an alarm ARN ending in :name, in the rule as JSON text.
  const named = new RegExp(`[(":]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\\\"|"|\\))`);
  return resources(t, COMPOSITE).find((c) => named.test(JSON.stringify(property(c, 'AlarmRule')?.value ?? '')))?.id;
}

export default defineTransform<Options>({
  meta: {
    id: ID,
    title: 'Give every CloudWatch alarm an action for the ALARM state',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.CLOUDWATCH.PR.1', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/cloudwatch/ct-cloudwatch-pr-1.guard' },
      {
        tool: 'control-tower',
        id: 'CT.CLOUDWATCH.PR.4',
        source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/cloudwatch/ct-cloudwatch-pr-4.guard',
        note: 'reported, not fixed: ActionsEnabled false is the author turning the actions off',
      },
    ],
    order: 50,
    defaultOptions: { alarmTopic: null, okActions: true },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { ...ALARM_TOPIC_OPTION_SCHEMAS } },
    docs: `## Why
An alarm without \`AlarmActions\` changes colour in the console and does nothing else: nobody is
told, nothing scales or recovers. The AWS Control Tower control CT.CLOUDWATCH.PR.1 asks every
\`AWS::CloudWatch::Alarm\` for at least one action in the ALARM state, CT.CLOUDWATCH.PR.4 for
actions that are not turned off.

## Fix
Every \`AWS::CloudWatch::Alarm\` whose \`AlarmActions\` is missing or an empty list gets
\`AlarmActions\` (and \`OKActions\`, when the alarm has none and the \`okActions\` option is on, so
the recovery is announced too) naming the stack's alarm topic, chosen and created exactly as
lambda-alarms and apigw-alarms do (see lambda-alarms for the details): the \`alarmTopic\` option;
else the one SNS target the template's other alarms notify; else the one topic named and used
for operators; else the topic tapfix added before; else a new \`AlarmTopic\`, encrypted with the
new customer managed key \`AlarmTopicKey\` that CloudWatch may use, with an email subscription of
the address in the new parameter \`AlarmEmail\` under the condition \`HasAlarmEmail\` (nothing is
subscribed while the address is empty). A topic whose key does not let CloudWatch publish gets
the key-policy statement it needs, or a stand-in topic, as lambda-alarms describes. A topic with a
\`Condition\` is named through \`Fn::If\`, as the author's alarms name it.

Left alone, reported:
- an alarm with \`ActionsEnabled: false\`: the author turned its actions off on purpose (a
  maintenance switch, an alarm kept for dashboards); CT.CLOUDWATCH.PR.4 (and PR.1 when it has no
  actions) keep failing until the author decides;
- an alarm a composite alarm's \`AlarmRule\` names (by \`Ref\`, \`Fn::GetAtt\`, \`\${Alarm}\` or its
  literal \`AlarmName\`): AWS recommends notifying at the composite level only, so that one
  incident sends one notification
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-combining.html);
  wiring every child would bring back the noise the composite removes;
- an \`alarmTopic\` option that names nothing usable.

\`AlarmActions\` written as an intrinsic (\`Fn::If\`, ...) is left as it is. Composite alarms are not
changed: CT.CLOUDWATCH.PR.1 reports on metric alarms only.

## Fix safety
Safe: actions are updated in place and the alarm keeps its state. An alarm that was silent
notifies the chosen topic from its next state change on (actions run on state changes only, so
an alarm already in ALARM does not notify at once). A new topic comes with a customer managed key
(about 1 USD a month); its email subscriber must confirm the subscription. An alarm meant to stay
silent can opt out with \`Metadata: {tapfix: {skip: [${ID}]}}\`.

## Options
- \`alarmTopic\` (default none: chosen as above): the logical id of an \`AWS::SNS::Topic\` of the
  template, a parameter holding a topic ARN, a topic ARN, or an intrinsic such as
  \`{"Fn::ImportValue": "shared-alarm-topic-arn"}\`; shared with lambda-alarms and apigw-alarms.
- \`okActions\` (default true): also notify when the alarm returns to OK.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const choice = chooseAlarmTopic(template, options.alarmTopic, ID);
    if (choice.kind === 'topic') for (const id of choice.added) fx.taken.add(id);
    let wired = false;

    for (const alarm of resources(template, 'AWS::CloudWatch::Alarm')) {
      if (propertiesComputed(alarm) || skipsTransform(alarm.resource, ID)) continue;
      const actions = property(alarm, 'AlarmActions');
      const enabled = property(alarm, 'ActionsEnabled');
      if (enabled?.value === false || enabled?.value === 'false') {
        findings.push({ pointer: enabled.pointer, messageId: 'actionsDisabled', message: `Alarm ${alarm.id} has its actions turned off (ActionsEnabled false); left as the author set it` });
        continue;
      }
      if (actions !== undefined && (intrinsicName(actions.value) !== undefined || !Array.isArray(actions.value) || actions.value.length > 0)) continue;
      const message = `Alarm ${alarm.id} has no action for the ALARM state: nobody is notified`;
      const parent = compositeParent(template, alarm);
      if (parent !== undefined) {
        findings.push({ pointer: alarm.pointer, messageId: 'compositeChild', message: `${message}; left as it is: composite alarm ${parent} watches it and notifies for it` });
        continue;
      }
      if (choice.kind === 'invalid') {
        findings.push({ pointer: alarm.pointer, messageId: 'invalidAlarmTopic', message: `${message} (not fixed: ${choice.reason})` });
        continue;
      }
      if (choice.kind === 'none') {
        findings.push({ pointer: alarm.pointer, messageId: 'noAlarmTopic', message: `${message} (not fixed: no alarm topic, and none can be added: AlarmEmail is taken)` });
        continue;
      }
      fx.setProperty(alarm.id, ['AlarmActions'], choice.topic.actions);
      if (options.okActions !== false && property(alarm, 'OKActions') === undefined) fx.setProperty(alarm.id, ['OKActions'], choice.topic.actions);
      wired = true;
      findings.push({ pointer: actions?.pointer ?? alarm.pointer, messageId: 'noAlarmActions', message: `${message}; notifies ${describeChoice(choice)}`, fix: fx.take() });
    }
    return wired && choice.kind === 'topic' ? [...choice.delivery, ...findings] : findings;
  },
});
