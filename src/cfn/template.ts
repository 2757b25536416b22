// Template helpers shared by the transforms: resource lookup, the reference graph, the template's
// region and freezing. Everything here is pure and never mutates the template.

import type { JsonObject, JsonValue, Operation, Resource, Template } from '../types.js';
import { escapePointerSegment, pointer } from './pointer.js';
import { asObject, cloneJson, intrinsicName } from './values.js';

// ---------------------------------------------------------------------------------------------
// Intrinsics

export { asObject, intrinsicName, isIntrinsic } from './values.js';

/**
 * The pseudo parameters CloudFormation resolves with `Ref` / `${}`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
 */
export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/**
 * The variables of an `Fn::Sub` string, in order of appearance, as written inside `${...}`
 * (trimmed). `${!Literal}` is an escaped literal, not a variable, and is left out.
 */
export function parseSubVariables(text: string): string[] {
  const names: string[] = [];
  const re = /\$\{([^}]*)\}/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const name = m[1]!.trim();
    if (name === '' || name.startsWith('!')) continue;
    names.push(name);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Resources

export interface ResourceEntry {
  id: string;
  resource: Resource;
  pointer: string;
}

/** Resources whose Type is one of `types` (every resource when no type is given), in template order. */
/** Per frozen Resources object: type list -> entries. Frozen templates never change, so the
 *  answer can be reused; helpers that ask per resource would otherwise be quadratic. */
const resourcesCache = new WeakMap<object, Map<string, ResourceEntry[]>>();

export function resourcesOfType(t: Template, ...types: string[]): ResourceEntry[] {
  const resources = asObject(t.Resources);
  if (!resources) return [];
  // A cached object is frozen: look it up before Object.isFrozen, which is linear in the number
  // of keys once V8 keeps a large Resources object as a dictionary.
  let byTypes = resourcesCache.get(resources);
  if (!byTypes) {
    if (!Object.isFrozen(resources)) return scanResources(resources, types);
    resourcesCache.set(resources, (byTypes = new Map()));
  }
  const key = types.join('\u0000');
  let entries = byTypes.get(key);
  if (!entries) byTypes.set(key, (entries = scanResources(resources, types)));
  return entries.slice();
}

function scanResources(resources: Record<string, unknown>, types: string[]): ResourceEntry[] {
  const out: ResourceEntry[] = [];
  const wanted = new Set(types);
  for (const id of Object.keys(resources)) {
    const resource = resources[id] as unknown as Resource;
    if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) continue;
    if (wanted.size > 0 && !wanted.has(resource.Type)) continue;
    out.push({ id, resource, pointer: pointer('Resources', id) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// References

export type ReferenceKind = 'Ref' | 'GetAtt' | 'Sub' | 'DependsOn' | 'Condition' | 'FindInMap';

export interface Reference {
  kind: ReferenceKind;
  /** Logical id (resource, parameter, pseudo parameter), condition name or mapping name. */
  target: string;
  /** GetAtt attribute, or the part after the first dot of a `${X.Attr}` Sub variable. */
  attribute?: string;
  /**
   * Where the reference is written: the intrinsic node (`{Ref: X}`, `{Fn::GetAtt: ...}`,
   * `{Fn::Sub: ...}`, `{Fn::If: ...}`, `{Fn::FindInMap: ...}`, `{Condition: X}`), the
   * `DependsOn` string or its list element, or the resource/output `Condition` value.
   */
  pointer: string;
}

/** Top-level sections whose values CloudFormation evaluates (Parameters, Mappings and the
 * template Metadata are stored as written and cannot hold references). */
const WALKED_SECTIONS = new Set(['Conditions', 'Resources', 'Outputs', 'Rules', 'Globals']);

const referenceCache = new WeakMap<object, readonly Reference[]>();

/**
 * Every reference in the template body, in document order: Ref, Fn::GetAtt (list and `A.B`
 * string form), Fn::Sub variables (`${X}` / `${X.Attr}`, not `${!Literal}`, not names bound in
 * the Sub's own variable map; `${AWS::Region}` is a reference to the pseudo parameter),
 * resource DependsOn (string or list), resource- and output-level `Condition`, the condition
 * name of Fn::If, the `Condition` intrinsic inside Conditions, and Fn::FindInMap map names.
 *
 * The result for a frozen template is cached (templates given to transforms are deeply frozen),
 * so transforms may call this and {@link referencesTo} freely.
 */
export function allReferences(t: Template): Reference[] {
  const frozen = Object.isFrozen(t);
  if (frozen) {
    const cached = referenceCache.get(t);
    if (cached) return cached.slice();
  }
  const out: Reference[] = [];
  for (const section of Object.keys(t)) {
    if (!WALKED_SECTIONS.has(section)) continue;
    const value = t[section];
    const base = pointer(section);
    if (section === 'Resources') walkResources(value, base, out);
    else if (section === 'Outputs') walkOutputs(value, base, out);
    else walk(value, base, out, section === 'Conditions');
  }
  for (const r of out) Object.freeze(r);
  if (frozen) referenceCache.set(t, out);
  return out.slice();
}

/** The references written in one value (a property, a policy principal), found as {@link allReferences} finds them; pointers are relative to the value. */
export function referencesIn(value: unknown): Reference[] {
  const out: Reference[] = [];
  walk(value, '', out, false);
  return out;
}

/** References whose target is `logicalId` (resource, parameter, condition or mapping name). */
export function referencesTo(t: Template, logicalId: string): Reference[] {
  if (!Object.isFrozen(t)) return allReferences(t).filter((r) => r.target === logicalId);
  // Indexed by target once per template: a check asking about each resource in turn would
  // otherwise go through every reference of the template each time.
  let index = referenceIndex.get(t);
  if (!index) {
    index = new Map();
    for (const r of allReferences(t)) {
      const same = index.get(r.target);
      if (same) same.push(r);
      else index.set(r.target, [r]);
    }
    referenceIndex.set(t, index);
  }
  return index.get(logicalId)?.slice() ?? [];
}

const referenceIndex = new WeakMap<object, Map<string, Reference[]>>();

/**
 * References that cannot resolve:
 * - Ref and `${X}` Sub variables whose target is not a resource, parameter or pseudo parameter;
 * - Fn::GetAtt, `${X.Attr}` Sub variables and DependsOn whose target is not a resource
 *   (CloudFormation rejects these naming a parameter too);
 * - Condition references (resource/output Condition, Fn::If, Condition intrinsic) to a name
 *   missing from Conditions;
 * - Fn::FindInMap naming a mapping missing from Mappings.
 * Resources a macro would generate (e.g. SAM's implicit `ServerlessRestApi`) are not known here.
 */
export function danglingReferences(t: Template): Reference[] {
  const resources = keySet(t.Resources);
  const parameters = keySet(t.Parameters);
  const conditions = keySet(t.Conditions);
  const mappings = keySet(t.Mappings);
  const isValue = (id: string): boolean => resources.has(id) || parameters.has(id) || PSEUDO_PARAMETERS.has(id);
  return allReferences(t).filter((r) => {
    switch (r.kind) {
      case 'Ref':
        return !isValue(r.target);
      case 'Sub':
        return r.attribute === undefined ? !isValue(r.target) : !resources.has(r.target);
      case 'GetAtt':
      case 'DependsOn':
        return !resources.has(r.target);
      case 'Condition':
        return !conditions.has(r.target);
      case 'FindInMap':
        return !mappings.has(r.target);
    }
  });
}

/** A parameter, condition or mapping, by the word cfn-lint's messages use for it. */
export interface DeclaredName {
  kind: 'parameter' | 'condition' | 'mapping';
  name: string;
}

/**
 * Parameters, conditions and mappings the template uses now and would no longer use once the
 * nodes at `removed` (JSON pointers) are gone: removing those nodes alone would leave them
 * declared and unused (cfn-lint W2001, W8001, W7001). Names already unused are not listed.
 */
export function namesLeftUnused(t: Template, removed: readonly string[]): DeclaredName[] {
  const isRemoved = (p: string) => removed.some((r) => p === r || p.startsWith(r + '/'));
  const sections: Array<[DeclaredName['kind'], Set<string>, (r: Reference) => boolean]> = [
    ['parameter', keySet(t.Parameters), (r) => r.kind === 'Ref' || (r.kind === 'Sub' && r.attribute === undefined)],
    ['condition', keySet(t.Conditions), (r) => r.kind === 'Condition'],
    ['mapping', keySet(t.Mappings), (r) => r.kind === 'FindInMap'],
  ];
  const out: DeclaredName[] = [];
  for (const [kind, declared, names] of sections) {
    const uses = new Map<string, boolean>();
    for (const r of allReferences(t)) {
      if (!declared.has(r.target) || !names(r)) continue;
      uses.set(r.target, (uses.get(r.target) ?? false) || !isRemoved(r.pointer));
    }
    for (const [name, kept] of uses) if (!kept) out.push({ kind, name });
  }
  return out;
}

/**
 * References of one frozen resource, by its object. Fixes are copy-on-write, so a resource no
 * fix touched is the same object in the next state of the template, and its references need
 * not be found again (the key is part of each pointer, so it is checked too).
 */
const resourceReferences = new WeakMap<object, { pointer: string; refs: Reference[] }>();

function walkResources(value: unknown, base: string, out: Reference[]): void {
  const resources = asObject(value);
  if (!resources) return walk(value, base, out, false);
  for (const id of Object.keys(resources)) {
    const resource = asObject(resources[id]);
    const rp = base + '/' + escapePointerSegment(id);
    if (!resource) {
      walk(resources[id], rp, out, false);
      continue;
    }
    const frozen = Object.isFrozen(resource);
    const cached = frozen ? resourceReferences.get(resource) : undefined;
    if (cached && cached.pointer === rp) {
      for (const ref of cached.refs) out.push(ref);
      continue;
    }
    const refs = frozen ? [] : out;
    walkResource(resource, rp, refs);
    if (frozen) {
      resourceReferences.set(resource, { pointer: rp, refs });
      for (const ref of refs) out.push(ref);
    }
  }
}

function walkResource(resource: Record<string, unknown>, rp: string, out: Reference[]): void {
  for (const key of Object.keys(resource)) {
    const v = resource[key];
    const kp = rp + '/' + escapePointerSegment(key);
    if (key === 'Type') continue;
    if (key === 'DependsOn' && typeof v === 'string') {
      out.push({ kind: 'DependsOn', target: v, pointer: kp });
    } else if (key === 'DependsOn' && Array.isArray(v)) {
      v.forEach((d, i) => {
        if (typeof d === 'string') out.push({ kind: 'DependsOn', target: d, pointer: kp + '/' + i });
        else walk(d, kp + '/' + i, out, false);
      });
    } else if (key === 'Condition' && typeof v === 'string') {
      out.push({ kind: 'Condition', target: v, pointer: kp });
    } else {
      walk(v, kp, out, false);
    }
  }
}

function walkOutputs(value: unknown, base: string, out: Reference[]): void {
  const outputs = asObject(value);
  if (!outputs) return walk(value, base, out, false);
  for (const id of Object.keys(outputs)) {
    const output = asObject(outputs[id]);
    const op = base + '/' + escapePointerSegment(id);
    if (!output) {
      walk(outputs[id], op, out, false);
      continue;
    }
    for (const key of Object.keys(output)) {
      const v = output[key];
      const kp = op + '/' + escapePointerSegment(key);
      if (key === 'Condition' && typeof v === 'string') out.push({ kind: 'Condition', target: v, pointer: kp });
      else walk(v, kp, out, false);
    }
  }
}

function walk(value: unknown, p: string, out: Reference[], inConditions: boolean): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], p + '/' + i, out, inConditions);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && handleIntrinsic(keys[0]!, obj[keys[0]!], p, out, inConditions)) return;
  for (const key of keys) walk(obj[key], p + '/' + escapePointerSegment(key), out, inConditions);
}

/** Records the references of a one-key node; false when the node is not a recognised intrinsic form. */
function handleIntrinsic(key: string, arg: unknown, p: string, out: Reference[], inConditions: boolean): boolean {
  const argPointer = p + '/' + escapePointerSegment(key);
  switch (key) {
    case 'Ref':
      if (typeof arg !== 'string') return false;
      out.push({ kind: 'Ref', target: arg, pointer: p });
      return true;
    case 'Fn::GetAtt': {
      if (typeof arg === 'string') {
        const dot = arg.indexOf('.');
        if (dot > 0) out.push({ kind: 'GetAtt', target: arg.slice(0, dot), attribute: arg.slice(dot + 1), pointer: p });
        else out.push({ kind: 'GetAtt', target: arg, pointer: p });
        return true;
      }
      if (!Array.isArray(arg) || typeof arg[0] !== 'string') return false;
      const ref: Reference = { kind: 'GetAtt', target: arg[0], pointer: p };
      if (typeof arg[1] === 'string') ref.attribute = arg[1];
      out.push(ref);
      for (let i = 1; i < arg.length; i++) walk(arg[i], argPointer + '/' + i, out, inConditions);
      return true;
    }
    case 'Fn::Sub': {
      let text: unknown;
      let variables: Record<string, unknown> | undefined;
      if (typeof arg === 'string') text = arg;
      else if (Array.isArray(arg)) {
        text = arg[0];
        variables = asObject(arg[1]);
      } else return false;
      if (typeof text === 'string') {
        for (const name of parseSubVariables(text)) {
          if (variables && Object.prototype.hasOwnProperty.call(variables, name)) continue;
          const dot = name.indexOf('.');
          if (dot > 0) out.push({ kind: 'Sub', target: name.slice(0, dot), attribute: name.slice(dot + 1), pointer: p });
          else out.push({ kind: 'Sub', target: name, pointer: p });
        }
      }
      if (Array.isArray(arg)) {
        if (typeof text !== 'string') walk(text, argPointer + '/0', out, inConditions);
        for (let i = 1; i < arg.length; i++) walk(arg[i], argPointer + '/' + i, out, inConditions);
      }
      return true;
    }
    case 'Fn::If':
      if (!Array.isArray(arg) || typeof arg[0] !== 'string') return false;
      out.push({ kind: 'Condition', target: arg[0], pointer: p });
      for (let i = 1; i < arg.length; i++) walk(arg[i], argPointer + '/' + i, out, inConditions);
      return true;
    case 'Fn::FindInMap':
      if (!Array.isArray(arg) || typeof arg[0] !== 'string') return false;
      out.push({ kind: 'FindInMap', target: arg[0], pointer: p });
      for (let i = 1; i < arg.length; i++) walk(arg[i], argPointer + '/' + i, out, inConditions);
      return true;
    case 'Condition':
      // Outside Conditions a one-key {Condition: ...} is an ordinary property (IAM, WAF, ...).
      if (!inConditions || typeof arg !== 'string') return false;
      out.push({ kind: 'Condition', target: arg, pointer: p });
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Naming and parameters live in naming.ts, the log-retention parameter in logs.ts.


// ---------------------------------------------------------------------------------------------
// Region

const REGION_CODE = /^(?:us-gov|us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-\d+$/;
const AZ_NAME = /^((?:us-gov|us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-\d+)[a-z]$/;
const METADATA_REGION_KEYS = ['Region', 'region', 'AWS::Region'];

/**
 * The region the template pins itself to, or undefined. Clear signals only:
 * 1. a template Rule with no RuleCondition whose Assertion is `Fn::Equals` of `{Ref: AWS::Region}`
 *    and a literal region (or `Fn::Contains` of a one-region list and `{Ref: AWS::Region}`) —
 *    the stack cannot be created anywhere else;
 * 2. a literal region code under `Region` / `AWS::Region` in the template Metadata;
 * 3. literal `AvailabilityZone` / `AvailabilityZones` property values (e.g. `us-west-1a`) — a
 *    hard-coded AZ only exists in its own region.
 * All signals found must name the same region, else undefined. A Condition comparing
 * AWS::Region with a literal is not a signal: it means the template runs in several regions.
 */
export function templateRegion(t: Template): string | undefined {
  const found = new Set<string>();

  const rules = asObject(t['Rules']);
  if (rules) {
    for (const rule of Object.values(rules)) {
      const r = asObject(rule);
      if (!r || r['RuleCondition'] !== undefined || !Array.isArray(r['Assertions'])) continue;
      for (const assertion of r['Assertions']) {
        const region = pinnedRegion(asObject(assertion)?.['Assert']);
        if (region) found.add(region);
      }
    }
  }

  const metadata = asObject(t.Metadata);
  if (metadata) {
    for (const key of METADATA_REGION_KEYS) {
      const v = metadata[key];
      if (typeof v === 'string' && REGION_CODE.test(v)) found.add(v);
    }
  }

  for (const { resource } of resourcesOfType(t)) {
    const props = asObject(resource.Properties);
    if (!props) continue;
    const azs = [props['AvailabilityZone'], ...(Array.isArray(props['AvailabilityZones']) ? props['AvailabilityZones'] : [])];
    for (const az of azs) {
      const m = typeof az === 'string' ? AZ_NAME.exec(az) : null;
      if (m) found.add(m[1]!);
    }
  }

  return found.size === 1 ? [...found][0] : undefined;
}

function pinnedRegion(assert: unknown): string | undefined {
  const node = asObject(assert);
  if (!node) return undefined;
  const isRegionRef = (v: unknown): boolean => asObject(v)?.['Ref'] === 'AWS::Region' && Object.keys(v as object).length === 1;
  const equals = node['Fn::Equals'];
  if (Array.isArray(equals) && equals.length === 2) {
    const [a, b] = equals;
    if (isRegionRef(a) && typeof b === 'string' && REGION_CODE.test(b)) return b;
    if (isRegionRef(b) && typeof a === 'string' && REGION_CODE.test(a)) return a;
  }
  const contains = node['Fn::Contains'];
  if (Array.isArray(contains) && contains.length === 2 && isRegionRef(contains[1])) {
    const list = contains[0];
    if (Array.isArray(list) && list.length === 1 && typeof list[0] === 'string' && REGION_CODE.test(list[0])) return list[0];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Freezing and small utilities

/**
 * Freezes `v` and everything reachable from it, in place. Already-frozen objects are not
 * descended into: under the invariant that a frozen node's children are frozen, re-freezing a
 * copy-on-write edit of a frozen tree costs O(new nodes).
 */
export function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const key of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[key]);
  return v;
}

function keySet(v: unknown): Set<string> {
  const o = asObject(v);
  return new Set(o ? Object.keys(o) : []);
}

