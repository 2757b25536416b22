import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { DEFAULT_LOG_RETENTION_DAYS, LOG_RETENTION_PARAMETER_NAME, logRetentionParameter, retentionDays, RETENTION_OPTION_SCHEMA } from '../src/cfn/logs.js';
import { pointer } from '../src/cfn/pointer.js';
import { parameter, propertiesComputed, property, propertyValues, resources, type ResourceView } from '../src/cfn/query.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { referencesTo } from '../src/cfn/template.js';
import { asObject, hasOwn, intrinsicName } from '../src/cfn/values.js';
import type { Finding, JsonValue, Template } from '../src/types.js';

const ID = 'log-group-retention';
const LOG_GROUP = 'AWS::Logs::LogGroup';

interface Options extends Record<string, unknown> {
  retentionInDays: number;
}

/** A retention written as a number or a numeric string, as a number; undefined for anything else. */
function days(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

/** The parameter a `{Ref: P}` names, when P is a parameter of the template. */
function parameterRef(t: Template, v: unknown): string | undefined {
  if (intrinsicName(v) !== 'Ref') return undefined;
  const name = asObject(v)!['Ref'];
  return typeof name === 'string' && parameter(t, name) ? name : undefined;
}

/** A short retention parameter and the log groups that read it. */
interface ShortParameter {
  name: string;
  groups: string[];
}

/**
 * Why the Default of retention parameter `name` cannot be raised to `wanted`, or undefined when
 * it can: every reference to it is the RetentionInDays of a log group (`retentionRefs`, so
 * nothing else changes with it), no such group opts out, and its type and constraints admit
 * `wanted`.
 */
function whyParameterKept(t: Template, name: string, wanted: number, retentionRefs: ReadonlyMap<string, ResourceView>): string | undefined {
  const spec = parameter(t, name)!;
  const type = spec['Type'] ?? 'String';
  if (type !== 'Number' && type !== 'String') return `parameter ${name} has type ${String(type)}`;
  const users = referencesTo(t, name);
  if (users.some((r) => !retentionRefs.has(r.pointer))) return `parameter ${name} is used for more than log retention`;
  if (users.some((r) => skipsTransform(retentionRefs.get(r.pointer)!.resource, ID))) return `a log group that reads parameter ${name} opts out of ${ID}`;
  const allowed = spec['AllowedValues'];
  if (allowed !== undefined && !(Array.isArray(allowed) && allowed.some((v) => days(v) === wanted))) return `the AllowedValues of parameter ${name} do not include ${wanted}`;
  const min = days(spec['MinValue']);
  const max = days(spec['MaxValue']);
  if ((min !== undefined && wanted < min) || (max !== undefined && wanted > max)) return `the MinValue/MaxValue of parameter ${name} exclude ${wanted}`;
  if (hasOwn(spec, 'AllowedPattern')) return `parameter ${name} has an AllowedPattern`;
  return undefined;
}

export default defineTransform<Options>({
  meta: {
    id: ID,
    title: 'Keep CloudWatch Logs log groups for at least a year',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.CLOUDWATCH.PR.2', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/cloudwatch/ct-cloudwatch-pr-2.guard' },
      {
        tool: 'checkov',
        id: 'CKV_AWS_66',
        source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/CloudWatchLogGroupRetention.py',
        note: 'only a log group without RetentionInDays',
      },
      {
        tool: 'cfn_nag',
        id: 'W86',
        source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/LogsLogGroupRetentionRule.rb',
        note: 'only a log group without RetentionInDays',
      },
    ],
    order: 50,
    defaultOptions: { retentionInDays: DEFAULT_LOG_RETENTION_DAYS },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { retentionInDays: RETENTION_OPTION_SCHEMA } },
    docs: `## Why
A log group without \`RetentionInDays\` keeps its events forever ("Never expire"): storage and
its cost grow without end. A log group kept for days or weeks loses the events an incident
investigation or an audit asks for months later; the AWS Control Tower control
CT.CLOUDWATCH.PR.2 asks for at least one year (365 days). checkov (CKV_AWS_66) and cfn_nag (W86)
flag the first case, Control Tower the second.

## Fix
For every \`AWS::Logs::LogGroup\`:
- **no \`RetentionInDays\`**: sets \`RetentionInDays: {"Ref": "LogRetentionInDays"}\`, the
  retention parameter lambda-log-group and cloudtrail-cloudwatch-logs give the log groups they
  add, so the template keeps one retention setting for all its log groups. The parameter is added
  when missing, with the \`retentionInDays\` option as its default (365 days) and the retention
  values CloudWatch Logs accepts as \`AllowedValues\`. A \`LogRetentionInDays\` parameter the
  template already has is used as it is (its default is the author's retention for the stack's
  log groups). When that logical id is taken by a resource, the option's value is written as a
  literal instead.
- **a literal shorter than the option** (\`7\`, \`"30"\`, on either branch of an \`Fn::If\`): raised to
  the option's value, as an **unsafe** fix (see Fix safety).
- **\`{"Ref": <parameter>}\` whose \`Default\` is shorter**: the parameter's \`Default\` is raised to the
  option's value (unsafe), one fix per parameter however many groups read it, when every
  reference to the parameter is a log group's \`RetentionInDays\` (a parameter that also feeds a
  condition, a function's environment or a lifecycle rule would change those too), no such
  group opts out of this rule, and its \`Type\` (Number or String), \`AllowedValues\`, \`MinValue\`,
  \`MaxValue\` admit the new value (and it has no \`AllowedPattern\`). Otherwise the parameter is
  reported, not changed. The value given at deployment still wins over the \`Default\`: a stack
  deployed with an explicit short value keeps it.

Retentions written with other intrinsics (\`Fn::FindInMap\`, \`Fn::Select\`, an imported value) and
parameters without a \`Default\` are left alone: their value is only known at deployment.
Log groups whose \`Properties\` are an intrinsic are skipped.

## Fix safety
Setting a retention where there was none is **safe** and in place, but note that CloudWatch Logs
then deletes the events older than the retention from a group already deployed: a group that has
kept everything for years keeps the last year only. When the template's own \`LogRetentionInDays\`
is shorter than the option, the group would get that shorter retention: that fix is **unsafe**.

Raising a shorter retention, literal or parameter default, is **unsafe**: it is a cost decision.
Storage is billed per GB-month: a group kept for 365 days stores 52 times what it stores when
kept for 7 (ingestion costs the same either way; see the CloudWatch pricing page). Run with \`--unsafe\` to apply it;
without it the finding shows what would change. A group the author keeps short on purpose (debug
logs, high-volume access logs already shipped elsewhere) can opt out with
\`Metadata: {tapfix: {skip: [${ID}]}}\`.

## Options
- \`retentionInDays\` (default 365): the retention given to groups without one, and the minimum
  shorter ones are raised to; one of the values CloudWatch Logs accepts. Below 365 the groups
  still fail CT.CLOUDWATCH.PR.2. In \`tapfix.config.json\`:
  \`{"transforms": {"${ID}": {"options": {"retentionInDays": 731}}}}\`.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const wanted = retentionDays(options.retentionInDays);
    const groups = resources(template, LOG_GROUP).filter((group) => !propertiesComputed(group));

    // Where each group's retention reads a parameter (by pointer of the Ref), to know whether a parameter serves retention only.
    const retentionRefs = new Map<string, ResourceView>();
    for (const group of groups) {
      for (const v of propertyValues(group, 'RetentionInDays')) if (parameterRef(template, v.value)) retentionRefs.set(v.pointer, group);
    }
    const shortParameters = new Map<string, ShortParameter>();

    for (const group of groups) {
      const retention = property(group, 'RetentionInDays');
      if (retention === undefined) {
        const message = `Log group ${group.id} has no RetentionInDays: its events are kept forever`;
        let value: JsonValue = wanted;
        let shorter: number | undefined;
        try {
          fx.ensureParameter(LOG_RETENTION_PARAMETER_NAME, logRetentionParameter(wanted));
          value = { Ref: LOG_RETENTION_PARAMETER_NAME };
          const current = days(fx.valueAt(pointer('Parameters', LOG_RETENTION_PARAMETER_NAME, 'Default')));
          if (current !== undefined && current < wanted) shorter = current;
        } catch {
          // The logical id is a resource's: the option's value, written as a literal.
        }
        if (group.resource.Properties === undefined) fx.set(group.propertiesPointer, { RetentionInDays: value });
        else fx.setProperty(group.id, ['RetentionInDays'], value);
        if (shorter !== undefined) fx.unsafe();
        const to = shorter !== undefined ? `the ${shorter} days of parameter ${LOG_RETENTION_PARAMETER_NAME}, shorter than ${wanted}` : `${wanted} days`;
        findings.push({ pointer: group.pointer, messageId: 'noRetention', message: `${message}; sets it to ${to}`, fix: fx.take() });
        continue;
      }
      for (const v of propertyValues(group, 'RetentionInDays')) {
        const literal = days(v.value);
        if (literal !== undefined) {
          if (literal >= wanted) continue;
          fx.set(v.pointer, wanted).unsafe();
          findings.push({
            pointer: v.pointer,
            messageId: 'shortRetention',
            message: `Log group ${group.id} keeps its events for ${literal} days, less than ${wanted}; raises RetentionInDays to ${wanted} (costs more storage)`,
            fix: fx.take(),
          });
          continue;
        }
        const name = parameterRef(template, v.value);
        if (name === undefined) continue;
        const fallback = days(parameter(template, name)!['Default']);
        if (fallback === undefined || fallback >= wanted) continue;
        const entry = shortParameters.get(name) ?? { name, groups: [] };
        if (!entry.groups.includes(group.id)) entry.groups.push(group.id);
        shortParameters.set(name, entry);
      }
    }

    for (const { name, groups: readers } of shortParameters.values()) {
      const spec = parameter(template, name)!;
      const fallback = days(spec['Default'])!;
      const at = pointer('Parameters', name, 'Default');
      const message = `Log group${readers.length === 1 ? '' : 's'} ${readers.join(', ')} keep${readers.length === 1 ? 's' : ''} events for the ${fallback} days parameter ${name} defaults to, less than ${wanted}`;
      const kept = whyParameterKept(template, name, wanted, retentionRefs);
      if (kept) {
        findings.push({ pointer: at, messageId: 'shortRetentionParameter', message: `${message} (not fixed: ${kept})` });
        continue;
      }
      fx.set(at, typeof spec['Default'] === 'string' ? String(wanted) : wanted).unsafe();
      findings.push({ pointer: at, messageId: 'shortRetentionParameter', message: `${message}; raises the default to ${wanted} (costs more storage)`, fix: fx.take() });
    }
    return findings;
  },
});
