import { defineTransform } from '../src/transform.js';
import { launchTemplatesOfGroup, literalIndex } from '../src/cfn/compute.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependenciesOf } from '../src/cfn/graph.js';
import { getAt, parsePointer, pointer } from '../src/cfn/pointer.js';
import { parameter, property, resource, resources, targetOfValue, type ResourceView } from '../src/cfn/query.js';
import { freshLogicalId } from '../src/cfn/naming.js';
import { referencesTo, type Reference } from '../src/cfn/template.js';
import { asObject, cloneJson, intrinsicName, resolve } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

const ID = 'single-instance';

/** Resources that only act on an Auto Scaling group: they go with it. */
const GROUP_SATELLITES = new Set([
  'AWS::AutoScaling::ScalingPolicy',
  'AWS::AutoScaling::ScheduledAction',
  'AWS::AutoScaling::LifecycleHook',
  'AWS::AutoScaling::WarmPool',
]);
const ALARM_ACTION_LISTS = ['AlarmActions', 'OKActions', 'InsufficientDataActions'];

/** Everything the rewrite does, collected before any op is written (removals must not overlap edits). */
interface Plan {
  removeResources: Set<string>;
  replace: Map<string, JsonValue>;
  /** Array pointer -> element indexes to remove. */
  removeElements: Map<string, Set<number>>;
  removeKeys: Set<string>;
  blockers: string[];
  notes: string[];
}

export default defineTransform({
  meta: {
    id: ID,
    title: 'Run a one- or two-instance Auto Scaling group as a single EC2 instance (opt-in design choice)',
    severity: 'medium',
    safety: 'unsafe',
    enabledByDefault: false,
    seeds: ['000#6'],
    equivalents: [],
    defaultOptions: {},
    docs: `## Why
The catalogue (000#6) lists an Auto Scaling group of two instances where the prompt asked for "an
EC2 instance" as over-engineering: more cost, more moving parts, harder per-instance monitoring.
That is a design choice, not a defect, so this transform is off by default (\`--enable
single-instance\`) and its fix is unsafe.

**When not to use it.** Keep the Auto Scaling group for anything that must heal itself or scale:
production web tiers, anything behind a load balancer that must survive an instance or AZ failure,
anything patched by replacing instances. A lone EC2 instance is not replaced when it fails its
health check or its AZ goes down; with a desired capacity of 2 the fix also halves capacity and
removes the second AZ. A group with MinSize 1 and MaxSize 1 is the usual way to get self-healing
for a single instance, and that is often the better answer.

## Fix
An \`AWS::AutoScaling::AutoScalingGroup\` that launches from a launch template defined in the same
template, with a literal \`MinSize\` of 1 or 2 and a \`DesiredCapacity\` of 1 or 2 (or none),
becomes one \`AWS::EC2::Instance\`:
- launched from the same launch template and version (\`LaunchTemplate\`), so it keeps exactly
  the image, instance type, instance profile, security groups, user data, key pair, IMDS settings,
  volume encryption and tag specifications the group used — nothing is copied and so nothing can
  be lost in the copy;
- in the first subnet of \`VPCZoneIdentifier\` (\`Fn::Select [0, ...]\` of a subnet-list parameter);
- with the group's tags that were propagated at launch, the group's \`DependsOn\` and \`Condition\`;
- registered in each of the group's \`TargetGroupARNs\` that is a target group of this template,
  through the target group's \`Targets\` (\`{Id: {Ref: Instance}, Port}\`; the private IP for
  \`TargetType: ip\`).

The group is removed, and so is what only acts on it: scaling policies, scheduled actions,
lifecycle hooks, warm pools, and alarms whose only actions were its scaling policies. Alarms that
also notify (e.g. an SNS topic) stay, without the scaling actions; an \`AWS/EC2\` alarm dimension
\`AutoScalingGroupName\` becomes \`InstanceId\`. \`DependsOn\` on the group moves to the instance
(except on a target group the instance is registered in, or on what depends on one, such as the
listener a group usually waits for: the target group now depends on the instance, so either would
be a dependency cycle) and an output \`{"Ref": group}\` outputs the instance id.

Reported without a fix when the rewrite could leave something broken: a launch template that
declares network interfaces (they conflict with an instance-level subnet) or is not in the
template, user data or a \`CreationPolicy\` that signals the group by name (cfn-signal), classic
load balancers (\`LoadBalancerNames\`), a target group outside the template, a subnet list that
is not a list, or any other reference to the group (CodeDeploy deployment groups, \`Fn::GetAtt\`,
\`Fn::Sub\`) that cannot be rewritten.

## Fix safety
Unsafe: it deletes the group (terminating its instances) and creates a new instance; whatever
lived on the old instances' disks is gone, and the service is down until the new instance passes
its health checks.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const group of resources(template, 'AWS::AutoScaling::AutoScalingGroup')) {
      const { id, properties: props } = group;
      if (skipsTransform(group.resource, ID)) continue;
      const spec = asObject(property(group, 'LaunchTemplate')?.value);
      if (!props || !spec || props['MixedInstancesPolicy'] !== undefined || props['LaunchConfigurationName'] !== undefined) continue;
      const min = literalIndex(props['MinSize']);
      const desired = props['DesiredCapacity'] === undefined ? min : literalIndex(props['DesiredCapacity']);
      if (min === undefined || desired === undefined || min < 1 || min > 2 || desired < 1 || desired > 2) continue;

      const instanceId = freshLogicalId(template, instanceName(id), fx.taken);
      const plan: Plan = { removeResources: new Set([id]), replace: new Map(), removeElements: new Map(), removeKeys: new Set(), blockers: [], notes: [] };
      const instance = buildInstance(template, group, props, spec, plan);
      const targets = targetGroups(template, props, plan);
      planReferences(template, id, instanceId, plan);
      if (instance) dropCyclicDependsOn(template, instance, plan.removeResources, targets.map((tg) => tg.id));

      const size = `MinSize ${min}, DesiredCapacity ${props['DesiredCapacity'] === undefined ? 'unset' : desired}`;
      const summary =
        `Auto Scaling group ${id} (${size}) could be a single EC2 instance, as the catalogue suggests for a prompt that asked for one; ` +
        `this is a design choice: the instance does not heal itself or scale` +
        (desired === 2 || min === 2 ? ' and the group ran two instances' : '');
      if (plan.blockers.length || !instance) {
        findings.push({ pointer: group.pointer, messageId: 'groupNotRewritten', message: `${summary}. Not rewritten: ${plan.blockers.join('; ')}` });
        continue;
      }
      const removed = [...plan.removeResources].filter((r) => r !== id);
      const notes = [
        `launch ${instanceId} from the group's launch template in its first subnet`,
        ...plan.notes,
        ...(removed.length ? [`remove ${removed.join(', ')}, which only acted on the group`] : []),
      ];
      applyPlan(fx, template, plan);
      for (const tg of targets) registerTarget(fx, tg, instanceId);
      fx.set(pointer('Resources', instanceId), instance);
      findings.push({ pointer: group.pointer, messageId: 'groupCouldBeInstance', message: `${summary}; ${notes.join('; ')}`, fix: fx.take() });
    }
    return findings;
  },
});

/** `WebServerGroup` -> `WebServerInstance`, `EC2AutoScalingGroup` -> `EC2Instance`, `AppASG` -> `AppInstance`. */
function instanceName(groupId: string): string {
  const stem = groupId.replace(/(AutoScalingGroup|AutoScaling|ScalingGroup|ASG|Asg|Group)$/, '');
  return stem ? `${stem}Instance` : 'EC2Instance';
}

function buildInstance(t: Template, view: ResourceView, props: Readonly<JsonObject>, spec: JsonObject, plan: Plan): JsonObject | undefined {
  const { id: groupId, resource: group } = view;
  // The launch template must be ours to inspect: network interfaces in it conflict with SubnetId.
  const [ltId] = launchTemplatesOfGroup(t, group);
  const lt = ltId === undefined ? undefined : resource(t, ltId);
  if (!lt) {
    plan.blockers.push('its launch template is not defined in this template');
    return undefined;
  }
  if (spec['Version'] === undefined) plan.blockers.push('its LaunchTemplate has no Version');
  const data = asObject(property(lt, 'LaunchTemplateData')?.value);
  if (data?.['NetworkInterfaces'] !== undefined) plan.blockers.push(`launch template ${ltId} declares NetworkInterfaces, which conflict with an instance-level subnet`);
  const signalled = new RegExp(`--resource[= ]+${groupId}\\b|"${groupId}"`);
  if (signalled.test(JSON.stringify(data?.['UserData'] ?? '')) || signalled.test(JSON.stringify(lt.resource.Metadata ?? ''))) {
    plan.blockers.push(`the launch template's user data signals the group by name (cfn-signal --resource ${groupId})`);
  }
  if (group['CreationPolicy'] !== undefined) plan.blockers.push('the group has a CreationPolicy that waits for signals sent to the group');
  const update = asObject(asObject(group['UpdatePolicy'])?.['AutoScalingRollingUpdate']);
  if (update?.['WaitOnResourceSignals'] === true || update?.['WaitOnResourceSignals'] === 'true') {
    plan.blockers.push('its UpdatePolicy waits for signals sent to the group');
  }
  if (props['LoadBalancerNames'] !== undefined) plan.blockers.push('it registers with classic load balancers (LoadBalancerNames)');

  const subnet = firstSubnet(t, props['VPCZoneIdentifier']);
  if (subnet === undefined) plan.blockers.push('VPCZoneIdentifier is missing or not a subnet list');

  const launchTemplate: JsonObject = {};
  for (const key of ['LaunchTemplateId', 'LaunchTemplateName', 'Version']) if (spec[key] !== undefined) launchTemplate[key] = clone(spec[key]!);
  const properties: JsonObject = { LaunchTemplate: launchTemplate };
  if (subnet !== undefined) properties['SubnetId'] = subnet;

  const tags = props['Tags'];
  if (tags !== undefined && !Array.isArray(tags)) plan.blockers.push('its Tags are computed by an intrinsic function');
  if (Array.isArray(tags)) {
    const propagated = tags
      .map(asObject)
      .filter((tag): tag is JsonObject => !!tag && tag['Key'] !== undefined && (tag['PropagateAtLaunch'] === true || tag['PropagateAtLaunch'] === 'true'))
      .map((tag) => ({ Key: clone(tag['Key']!), Value: clone(tag['Value'] ?? '') }));
    if (propagated.length) properties['Tags'] = propagated;
  }
  const dropped = ['LifecycleHookSpecificationList', 'NotificationConfigurations', 'NotificationConfiguration', 'WarmPool'].filter((k) => props[k] !== undefined);
  if (dropped.length) plan.notes.push(`drop the group-only ${dropped.join(', ')}`);

  const instance: JsonObject = { Type: 'AWS::EC2::Instance' };
  if (typeof group.Condition === 'string') instance['Condition'] = group.Condition;
  if (group.DependsOn !== undefined) instance['DependsOn'] = clone(group.DependsOn as JsonValue);
  instance['Properties'] = properties;
  return instance;
}

/** The first subnet of a VPCZoneIdentifier: a list's first item, Fn::Select 0 of a list parameter or Fn::Split, per branch of a Fn::If. */
function firstSubnet(t: Template, zones: unknown): JsonValue | undefined {
  if (Array.isArray(zones)) return zones.length ? clone(zones[0] as JsonValue) : undefined;
  const reference = resolve(zones);
  if (reference.kind === 'ref') {
    const type = parameter(t, reference.target)?.['Type'];
    if (typeof type === 'string' && (type.startsWith('List<') || type === 'CommaDelimitedList' || /^AWS::SSM::Parameter::Value<List</.test(type))) {
      return { 'Fn::Select': [0, { Ref: reference.target }] };
    }
    return undefined;
  }
  const name = intrinsicName(zones);
  if (name === 'Fn::Split') return { 'Fn::Select': [0, clone(zones as JsonObject)] };
  const branches = name === 'Fn::If' ? (zones as JsonObject)['Fn::If'] : undefined;
  if (Array.isArray(branches) && branches.length === 3 && typeof branches[0] === 'string') {
    const [yes, no] = [firstSubnet(t, branches[1]), firstSubnet(t, branches[2])];
    return yes !== undefined && no !== undefined ? { 'Fn::If': [branches[0], yes, no] } : undefined;
  }
  return undefined;
}

/**
 * The group's DependsOn, copied to the instance, must not name a resource removed with the group,
 * nor a target group that now lists the instance as a target or anything that depends on one (the
 * group's usual DependsOn on the listener): either would be a dependency cycle. The target group
 * registers the instance itself, so nothing has to wait for the listener any more.
 */
function dropCyclicDependsOn(t: Template, instance: JsonObject, removed: Set<string>, targetGroups: readonly string[]): void {
  const dependsOn = instance['DependsOn'];
  const cyclic = (d: string) => removed.has(d) || targetGroups.includes(d) || targetGroups.some((g) => dependenciesOf(t, d).has(g));
  const kept = (Array.isArray(dependsOn) ? dependsOn : [dependsOn]).filter((d) => !(typeof d === 'string' && cyclic(d)));
  if (dependsOn === undefined) return;
  if (kept.length === 0) delete instance['DependsOn'];
  else instance['DependsOn'] = Array.isArray(dependsOn) ? kept : kept[0]!;
}

interface TargetGroup {
  id: string;
  ip: boolean;
  port: JsonValue | undefined;
  /** Its Targets list, when it has one. */
  targets: string | undefined;
}

/** The group's target groups, when each is a target group of this template the instance can join. */
function targetGroups(t: Template, props: Readonly<JsonObject>, plan: Plan): TargetGroup[] {
  const arns = props['TargetGroupARNs'];
  if (arns === undefined) return [];
  if (!Array.isArray(arns)) {
    plan.blockers.push('TargetGroupARNs is not a list');
    return [];
  }
  const out: TargetGroup[] = [];
  for (const arn of arns) {
    const target = targetOfValue(t, arn);
    if (target.kind !== 'resource' || target.attribute !== undefined || target.view.type !== 'AWS::ElasticLoadBalancingV2::TargetGroup') {
      plan.blockers.push(`target group ${JSON.stringify(arn)} is not a target group of this template`);
      continue;
    }
    const tg = target.view;
    const type = property(tg, 'TargetType')?.value ?? 'instance';
    if (type !== 'instance' && type !== 'ip') {
      plan.blockers.push(`target group ${tg.id} has TargetType ${JSON.stringify(type)}`);
      continue;
    }
    const targets = property(tg, 'Targets');
    if (targets && !Array.isArray(targets.value)) {
      plan.blockers.push(`target group ${tg.id} computes its Targets`);
      continue;
    }
    out.push({ id: tg.id, ip: type === 'ip', port: property(tg, 'Port')?.value, targets: targets?.pointer });
  }
  if (out.length) plan.notes.push(`register it in ${out.map((tg) => tg.id).join(', ')}`);
  return out;
}

/** Registers the instance in a target group through its Targets. */
function registerTarget(fx: Fixer, tg: TargetGroup, instanceId: string): void {
  const target: JsonObject = { Id: tg.ip ? { 'Fn::GetAtt': [instanceId, 'PrivateIp'] } : { Ref: instanceId } };
  if (tg.port !== undefined) target['Port'] = clone(tg.port);
  if (tg.targets) fx.append(tg.targets, target);
  else fx.setProperty(tg.id, ['Targets'], [target]);
}

/** Decides what happens to every reference to the group and to the resources removed with it. */
function planReferences(t: Template, groupId: string, instanceId: string, plan: Plan): void {
  const queue: string[] = [groupId];
  const seen = new Set<string>();
  while (queue.length) {
    const target = queue.shift()!;
    if (seen.has(target)) continue;
    seen.add(target);
    for (const ref of referencesTo(t, target)) {
      const segments = parsePointer(ref.pointer);
      const [section, owner] = segments;
      if (section === 'Resources' && owner !== undefined && plan.removeResources.has(owner) && owner !== target) continue;
      if (section === 'Resources' && owner === target) continue; // its own references go with it
      const handled = target === groupId ? groupReference(t, ref, segments, instanceId, plan, queue) : satelliteReference(t, ref, segments, plan, queue);
      if (!handled) plan.blockers.push(`${describeReference(ref, segments)} references ${target}`);
    }
  }
  // Edits inside removed resources are moot.
  const inRemoved = (p: string) => [...plan.removeResources].some((r) => p.startsWith(pointer('Resources', r) + '/') || p === pointer('Resources', r));
  for (const p of [...plan.replace.keys()]) if (inRemoved(p)) plan.replace.delete(p);
  for (const p of [...plan.removeElements.keys()]) if (inRemoved(p)) plan.removeElements.delete(p);
  for (const p of [...plan.removeKeys]) if (inRemoved(p)) plan.removeKeys.delete(p);
}

function groupReference(t: Template, ref: Reference, segments: string[], instanceId: string, plan: Plan, queue: string[]): boolean {
  const [section, owner] = segments;
  if (ref.kind === 'DependsOn' && section === 'Resources') {
    plan.replace.set(ref.pointer, instanceId);
    return true;
  }
  if (ref.kind !== 'Ref' || owner === undefined) return false;
  if (section === 'Outputs') {
    if (segments.length === 3 && segments[2] === 'Value') {
      plan.replace.set(ref.pointer, { Ref: instanceId });
      plan.notes.push(`output ${owner} now gives the instance id`);
      return true;
    }
    return false;
  }
  if (section !== 'Resources') return false;
  const view = resource(t, owner);
  if (!view) return false;
  if (GROUP_SATELLITES.has(view.type) && segments.length === 4 && segments[2] === 'Properties' && segments[3] === 'AutoScalingGroupName') {
    plan.removeResources.add(owner);
    queue.push(owner);
    return true;
  }
  // An AWS/EC2 alarm dimension {Name: AutoScalingGroupName, Value: {Ref: group}} -> InstanceId.
  const n = segments.length;
  if (view.type === 'AWS::CloudWatch::Alarm' && n >= 6 && segments[n - 1] === 'Value' && segments[n - 3] === 'Dimensions') {
    const dimensionAt = pointer(...segments.slice(0, n - 1));
    const metricAt = pointer(...segments.slice(0, n - 3));
    const dimension = asObject(getAt(t, dimensionAt));
    const metric = asObject(getAt(t, metricAt));
    if (dimension?.['Name'] === 'AutoScalingGroupName' && metric?.['Namespace'] === 'AWS/EC2') {
      plan.replace.set(dimensionAt, { Name: 'InstanceId', Value: { Ref: instanceId } });
      return true;
    }
  }
  return false;
}

/** References to a resource removed with the group (a scaling policy, ...). */
function satelliteReference(t: Template, ref: Reference, segments: string[], plan: Plan, queue: string[]): boolean {
  const [section, owner] = segments;
  if (section !== 'Resources' || owner === undefined) return false;
  const view = resource(t, owner);
  if (!view) return false;
  if (ref.kind === 'DependsOn') {
    const dependsOn = view.resource.DependsOn;
    if (typeof dependsOn === 'string') plan.removeKeys.add(pointer('Resources', owner, 'DependsOn'));
    else addElementRemoval(plan, pointer('Resources', owner, 'DependsOn'), Number(segments[3]));
    return true;
  }
  // An alarm action {Ref: policy} (or GetAtt policy.Arn) in AlarmActions / OKActions / InsufficientDataActions.
  if (
    view.type === 'AWS::CloudWatch::Alarm' &&
    (ref.kind === 'Ref' || ref.kind === 'GetAtt') &&
    segments.length === 5 &&
    segments[2] === 'Properties' &&
    ALARM_ACTION_LISTS.includes(segments[3]!)
  ) {
    addElementRemoval(plan, pointer('Resources', owner, 'Properties', segments[3]!), Number(segments[4]));
    // An alarm left with no action at all existed only to scale the group.
    const props = view.properties ?? {};
    const remaining = ALARM_ACTION_LISTS.flatMap((list) => {
      const actions = props[list];
      if (!Array.isArray(actions)) return actions === undefined ? [] : [actions];
      const gone = plan.removeElements.get(pointer('Resources', owner, 'Properties', list)) ?? new Set<number>();
      return actions.filter((_, i) => !gone.has(i));
    });
    if (remaining.length === 0) {
      plan.removeResources.add(owner);
      queue.push(owner);
    }
    return true;
  }
  return false;
}

function addElementRemoval(plan: Plan, arrayAt: string, index: number): void {
  const set = plan.removeElements.get(arrayAt) ?? new Set<number>();
  set.add(index);
  plan.removeElements.set(arrayAt, set);
}

function applyPlan(fx: Fixer, t: Template, plan: Plan): void {
  for (const [path, value] of plan.replace) fx.set(path, value);
  for (const [arrayAt, indexes] of plan.removeElements) {
    // A list left empty (DependsOn, an alarm's OKActions) goes away as a whole.
    const list = getAt(t, arrayAt);
    if (Array.isArray(list) && list.every((_, i) => indexes.has(i))) {
      plan.removeKeys.add(arrayAt);
      continue;
    }
    for (const i of [...indexes].sort((a, b) => b - a)) fx.remove(`${arrayAt}/${i}`);
  }
  for (const path of plan.removeKeys) fx.remove(path);
  for (const id of plan.removeResources) fx.remove(pointer('Resources', id));
}

function describeReference(ref: Reference, segments: string[]): string {
  const [section, owner] = segments;
  const what = ref.kind === 'Ref' ? 'a Ref' : ref.kind === 'GetAtt' ? 'a Fn::GetAtt' : ref.kind === 'Sub' ? 'a Fn::Sub' : ref.kind;
  return `${what} in ${section === 'Resources' ? 'resource' : section === 'Outputs' ? 'output' : section} ${owner ?? ''}`.trim();
}

const clone = cloneJson;
