// Elastic Load Balancing v2 load balancers and listeners: which kind a load balancer is, and its
// `LoadBalancerAttributes` (a list of `{Key, Value}` string pairs) read and written as one map.
// An attribute is set by replacing the Value of the element with its key, never by adding a
// second element with the same key (ELB rejects duplicate keys), and a list that is computed
// (Fn::If around it, or an element whose shape cannot be read and that may hold the key) is left
// alone.
import type { Finding, JsonValue, Template } from '../types.js';
import { ALB_TYPE } from './elb-logs.js';
import type { Fixer } from './fixer.js';
import { property, resources, type ResourceView } from './query.js';
import { asObject, intrinsicName } from './values.js';

export const LISTENER_TYPE = 'AWS::ElasticLoadBalancingV2::Listener';

export type LoadBalancerKind = 'application' | 'network' | 'gateway';

/**
 * The kind of an ELBv2 load balancer: its `Type`, `application` when it has none (the
 * CloudFormation default); undefined when Properties or Type are computed or unknown.
 */
export function loadBalancerKind(view: ResourceView): LoadBalancerKind | undefined {
  if (view.type !== ALB_TYPE || !view.properties) return undefined;
  const type = property(view, 'Type')?.value ?? 'application';
  return type === 'application' || type === 'network' || type === 'gateway' ? type : undefined;
}

/** Every ELBv2 load balancer of one of `kinds`, in template order. */
export function loadBalancersOfKind(t: Template, ...kinds: LoadBalancerKind[]): Array<{ view: ResourceView; kind: LoadBalancerKind }> {
  return resources(t, ALB_TYPE).flatMap((view) => {
    const kind = loadBalancerKind(view);
    return kind && kinds.includes(kind) ? [{ view, kind }] : [];
  });
}

export type AttributeState =
  /** The list (or an element that may hold the key) is an intrinsic: not ours to edit. */
  | { state: 'computed' }
  /** No element has the key. */
  | { state: 'missing' }
  /** The element with the key, its Value as written (undefined when the element has none). */
  | { state: 'set'; value: JsonValue | undefined; pointer: string };

function mentions(v: JsonValue, key: string): boolean {
  return JSON.stringify(v).includes(JSON.stringify(key));
}

/** Where attribute `key` of ELBv2 load balancer `view` stands. */
export function loadBalancerAttribute(view: ResourceView, key: string): AttributeState {
  if (!view.properties) return { state: 'computed' };
  const list = property(view, 'LoadBalancerAttributes');
  if (list === undefined) return { state: 'missing' };
  if (!Array.isArray(list.value)) return { state: 'computed' };
  let found: AttributeState = { state: 'missing' };
  for (const [i, element] of list.value.entries()) {
    const o = asObject(element);
    if (!o || intrinsicName(o) || typeof o['Key'] !== 'string') {
      if (mentions(element, key)) return { state: 'computed' };
      continue;
    }
    if (o['Key'] === key && found.state === 'missing') found = { state: 'set', value: o['Value'], pointer: `${list.pointer}/${i}/Value` };
  }
  return found;
}

/** The Value of an attribute read as a boolean: `true`/`"true"`, `false`/`"false"`, else undefined. */
export function attributeFlag(value: JsonValue | undefined): boolean | undefined {
  if (value === true || value === false) return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}

/**
 * Sets attribute `key` of `view` to `value` (a string, or an expression giving one): replaces the Value of the element with
 * that key, or appends `{Key, Value}` (creating the list). Returns false, changing nothing, when
 * the attribute is computed.
 */
export function setLoadBalancerAttribute(fx: Fixer, view: ResourceView, key: string, value: JsonValue): boolean {
  const current = loadBalancerAttribute(view, key);
  if (current.state === 'computed') return false;
  if (current.state === 'set') fx.set(current.pointer, value);
  else fx.append(`${view.propertiesPointer}/LoadBalancerAttributes`, { Key: key, Value: value });
  return true;
}

/** What to say about a load balancer whose boolean attribute is off or missing. */
export interface FlagFindingText {
  /** messageId and message when the attribute is missing (the finding carries the fix). */
  missing: [messageId: string, message: string];
  /** messageId and message when the author set it to false (reported, not flipped). */
  off: [messageId: string, message: string];
}

/**
 * The finding for boolean attribute `key` of `lb`: none when it is true, computed or an
 * unreadable value; a report when it is false; else a fix setting it to `"true"` (in place of an
 * element with the key and no Value, or appended).
 */
export function enableFlagAttribute(fx: Fixer, lb: ResourceView, key: string, text: FlagFindingText): Finding | undefined {
  const current = loadBalancerAttribute(lb, key);
  if (current.state === 'computed') return undefined;
  if (current.state === 'set' && current.value !== undefined) {
    if (attributeFlag(current.value) !== false) return undefined;
    return { pointer: current.pointer, messageId: text.off[0], message: text.off[1] };
  }
  setLoadBalancerAttribute(fx, lb, key, 'true');
  return { pointer: lb.pointer, messageId: text.missing[0], message: text.missing[1], fix: fx.take() };
}
