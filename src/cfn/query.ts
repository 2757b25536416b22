// The query layer: how transforms read a template. Resources come with their logical id, pointer,
// type, condition and properties (guarded once: missing or computed Properties read as
// undefined); property paths give values with the pointers they were read at, visiting both
// branches of Fn::If the way cfn-lint's get_resource_properties does; values are resolved with the
// one `resolve` of values.ts. Answers for a frozen template are cached, so transforms may ask freely.
import type { JsonObject, JsonValue, Resource, Template } from '../types.js';
import { pointer as makePointer } from './pointer.js';
import { asObject, hasOwn, intrinsicName, resolve, type Resolved } from './values.js';

/** One resource of the template, as transforms see it. */
export interface ResourceView {
  readonly id: string;
  readonly type: string;
  /** `/Resources/<id>` */
  readonly pointer: string;
  readonly resource: Resource;
  /** The resource's `Condition`, when it names one. */
  readonly condition: string | undefined;
  /**
   * The resource's Properties when they are a plain object; undefined when missing or computed
   * (an intrinsic such as Fn::If at the top, which no transform edits).
   */
  readonly properties: Readonly<JsonObject> | undefined;
  /** `/Resources/<id>/Properties` */
  readonly propertiesPointer: string;
}

/** A value read at a path, with where it is written. */
export interface Located<T = JsonValue> {
  value: T;
  pointer: string;
}

/** A value reached through zero or more Fn::If branches. */
export interface BranchValue extends Located {
  /** The conditions and branch taken to reach it (`true`: the first branch). Empty: unconditional. */
  readonly when: ReadonlyArray<{ condition: string; value: boolean }>;
}

function makeView(id: string, resource: Resource): ResourceView {
  const at = makePointer('Resources', id);
  const props = resource.Properties;
  return {
    id,
    type: typeof resource.Type === 'string' ? resource.Type : '',
    pointer: at,
    resource,
    condition: typeof resource.Condition === 'string' ? resource.Condition : undefined,
    properties: asObject(props) && !intrinsicName(props) ? (props as JsonObject) : undefined,
    propertiesPointer: `${at}/Properties`,
  };
}

interface Views {
  list: ResourceView[];
  byId: Map<string, ResourceView>;
  /** The views of the types asked for (key: the types joined by NUL), in template order. */
  byTypes?: Map<string, ResourceView[]>;
}

const viewsCache = new WeakMap<object, Views>();
// A fix leaves most resources as they were (the same frozen objects): their views are kept.
const viewCache = new WeakMap<object, ResourceView>();

function views(resources: JsonObject): Views {
  // Only frozen objects are cached, so a hit needs no isFrozen check (which is linear in the
  // number of keys once V8 keeps a large Resources object as a dictionary).
  const cached = viewsCache.get(resources);
  if (cached) return cached;
  const frozen = Object.isFrozen(resources);
  const list: ResourceView[] = [];
  const byId = new Map<string, ResourceView>();
  for (const id of Object.keys(resources)) {
    const resource = asObject(resources[id]);
    if (!resource) continue;
    let view = frozen ? viewCache.get(resource) : undefined;
    if (view === undefined || view.id !== id) {
      view = makeView(id, resource as unknown as Resource);
      if (frozen && Object.isFrozen(resource)) viewCache.set(resource, view);
    }
    list.push(view);
    byId.set(id, view);
  }
  const out = { list, byId };
  if (frozen) viewsCache.set(resources, out);
  return out;
}

/** The resources whose Type is one of `types` (every resource when none is given), in template order. */
export function resources(t: Template, ...types: string[]): ResourceView[] {
  const resources = asObject(t.Resources);
  if (!resources) return [];
  const all = views(resources);
  if (types.length === 0) return all.list.slice();
  const select = () => {
    const wanted = new Set(types);
    return all.list.filter((r) => wanted.has(r.type));
  };
  if (viewsCache.get(resources) !== all) return select();
  // Kept per template and type list: checks ask for the same few types again and again.
  const key = types.join('\u0000');
  let selected = (all.byTypes ??= new Map()).get(key);
  if (!selected) all.byTypes.set(key, (selected = select()));
  return selected.slice();
}

/** Resource `id` (own property of Resources, an object), else undefined. */
export function resource(t: Template, id: string): ResourceView | undefined {
  const resources = asObject(t.Resources);
  if (!resources || !hasOwn(resources, id)) return undefined;
  const r = asObject(resources[id]);
  if (!r) return undefined;
  if (viewsCache.has(resources) || Object.isFrozen(resources)) return views(resources).byId.get(id);
  return makeView(id, r as unknown as Resource);
}

/** The Type of resource `id`, else undefined. */
export function typeOf(t: Template, id: string): string | undefined {
  return resource(t, id)?.type || undefined;
}

/** Parameter `name` of the template (an object), else undefined. */
export function parameter(t: Template, name: string): Readonly<JsonObject> | undefined {
  const parameters = asObject(t.Parameters);
  return parameters && hasOwn(parameters, name) ? asObject(parameters[name]) : undefined;
}

/** The logical ids of the template's resources and parameters (one namespace). */
export function logicalIds(t: Template): Set<string> {
  return new Set([...Object.keys(asObject(t.Resources) ?? {}), ...Object.keys(asObject(t.Parameters) ?? {})]);
}

/**
 * The value at `path` under the resource's Properties, read literally (no Fn::If descent), with
 * its pointer; undefined when any step is missing or not a container.
 */
export function property(view: ResourceView, ...path: Array<string | number>): Located | undefined {
  if (!view.properties) return undefined;
  let value: JsonValue = view.properties as JsonObject;
  let at = view.propertiesPointer;
  for (const step of path) {
    const next = child(value, step);
    if (next === undefined) return undefined;
    value = next;
    at += makePointer(step);
  }
  return { value, pointer: at };
}

function child(value: JsonValue, step: string | number): JsonValue | undefined {
  if (Array.isArray(value)) {
    const index = typeof step === 'number' ? step : /^(0|[1-9][0-9]*)$/.test(step) ? Number(step) : -1;
    return index >= 0 && index < value.length ? value[index] : undefined;
  }
  const o = asObject(value);
  return o && hasOwn(o, String(step)) ? o[String(step)] : undefined;
}

/**
 * Every value `path` can take under the resource's Properties: where a step meets
 * `Fn::If [c, a, b]`, both branches are followed (and `Ref AWS::NoValue` branches dropped), as
 * cfn-lint's get_resource_properties does. A `'*'` step visits every element of a list. Values
 * that are themselves an Fn::If are expanded too. Missing paths give no values.
 */
export function propertyValues(view: ResourceView, ...path: Array<string | number>): BranchValue[] {
  if (!view.resource.Properties) return [];
  const out: BranchValue[] = [];
  walk(view.resource.Properties as JsonValue, view.propertiesPointer, path, [], out);
  return out;
}

function walk(value: JsonValue, at: string, path: ReadonlyArray<string | number>, when: BranchValue['when'], out: BranchValue[]): void {
  const branch = ifBranches(value);
  if (branch) {
    const [condition, a, b] = branch;
    if (!isNoValue(a)) walk(a, `${at}/Fn::If/1`, path, [...when, { condition, value: true }], out);
    if (!isNoValue(b)) walk(b, `${at}/Fn::If/2`, path, [...when, { condition, value: false }], out);
    return;
  }
  if (path.length === 0) {
    out.push({ value, pointer: at, when });
    return;
  }
  const [step, ...rest] = path;
  if (step === '*') {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${at}/${i}`, rest, when, out));
    return;
  }
  const next = child(value, step!);
  if (next !== undefined) walk(next, at + makePointer(step!), rest, when, out);
}

function ifBranches(v: JsonValue): [string, JsonValue, JsonValue] | undefined {
  if (intrinsicName(v) !== 'Fn::If') return undefined;
  const arg = (v as JsonObject)['Fn::If'];
  if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return undefined;
  return [arg[0], arg[1]!, arg[2]!];
}

/** True for `{Ref: AWS::NoValue}`. */
export function isNoValue(v: unknown): boolean {
  return intrinsicName(v) === 'Ref' && (v as JsonObject)['Ref'] === 'AWS::NoValue';
}

/**
 * What `value` refers to, with the target's kind when it is in the template: a resource (with its
 * view), a parameter, a pseudo parameter, or nothing known.
 */
export type Target =
  | { kind: 'resource'; id: string; attribute?: string; view: ResourceView }
  | { kind: 'parameter'; id: string }
  | { kind: 'pseudo'; id: string }
  | { kind: 'none'; resolved: Resolved };

export function targetOfValue(t: Template, value: unknown): Target {
  const r = resolve(value);
  if (r.kind !== 'ref' && r.kind !== 'getatt') return { kind: 'none', resolved: r };
  if (r.target.startsWith('AWS::')) return r.kind === 'ref' ? { kind: 'pseudo', id: r.target } : { kind: 'none', resolved: r };
  const view = resource(t, r.target);
  if (view) return r.kind === 'getatt' ? { kind: 'resource', id: r.target, attribute: r.attribute, view } : { kind: 'resource', id: r.target, view };
  if (r.kind === 'ref' && parameter(t, r.target)) return { kind: 'parameter', id: r.target };
  return { kind: 'none', resolved: r };
}

// ---------------------------------------------------------------------------------------------
// Traversal

/** A value tapfix may read and rewrite, with the path it sits at. */
export interface Root {
  value: JsonValue;
  path: Array<string | number>;
  /** The resource it belongs to (for Properties roots). */
  resource?: ResourceView;
}

/**
 * The values CloudFormation evaluates that fixes may edit: each resource's Properties (when an
 * object, computed ones included) and each output's Value and Export, in template order.
 */
export function evaluatedRoots(t: Template): Root[] {
  const out: Root[] = [];
  for (const view of resources(t)) {
    // Computed Properties (a top-level Fn::If) are roots too: their branches hold values as well.
    const properties = asObject(view.resource.Properties);
    if (properties) out.push({ value: properties, path: ['Resources', view.id, 'Properties'], resource: view });
  }
  const outputs = asObject(t.Outputs);
  for (const id of Object.keys(outputs ?? {})) {
    const output = asObject(outputs![id]);
    for (const key of ['Value', 'Export']) if (output && hasOwn(output, key)) out.push({ value: output[key]!, path: ['Outputs', id, key] });
  }
  return out;
}

/**
 * Visits `value` and everything below it depth first, in document order. `path` is one live
 * stack of segments (starting with `at`): copy it (or build a pointer with `makePointer(...path)`)
 * to keep it. The visitor returns false to skip a node's children. Depth is bounded (the loader
 * already refuses deeper nesting).
 */
export function walkValues(value: JsonValue, at: ReadonlyArray<string | number>, visit: (value: JsonValue, path: ReadonlyArray<string | number>) => boolean | void): void {
  const path = [...at];
  const step = (v: JsonValue, depth: number): void => {
    if (depth > 1000 || visit(v, path) === false || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        step(v[i]!, depth + 1);
        path.pop();
      }
      return;
    }
    for (const key of Object.keys(v)) {
      path.push(key);
      step((v as JsonObject)[key]!, depth + 1);
      path.pop();
    }
  };
  step(value, 0);
}

/**
 * The values `value` (written at `at`) can take through Fn::If, as {@link propertyValues} reads
 * each step: both branches followed, `Ref AWS::NoValue` branches dropped; a value that is not an
 * Fn::If is its own one branch. For the items of a list read with {@link propertyValues}, which
 * may each be an Fn::If.
 */
export function branchesOf(value: JsonValue, at: string): BranchValue[] {
  const out: BranchValue[] = [];
  walk(value, at, [], [], out);
  return out;
}

/**
 * True when the resource's Properties are written but are not a plain object (an intrinsic such
 * as Fn::If, a string, a list): no fix can edit them, so transforms leave the resource alone.
 * Missing Properties are not computed: a fix adds them.
 */
export function propertiesComputed(view: ResourceView): boolean {
  return view.properties === undefined && view.resource.Properties !== undefined;
}
