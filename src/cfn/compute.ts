import { asObject } from './template.js';
// Helpers shared by the network and compute transforms (az-dynamic, ami-from-ssm,
// single-instance, ec2-role-kms): small value predicates, Mappings lookups and clean-up, the CPU
// architecture of an EC2 instance type, and the launch templates of an Auto Scaling group. Pure;
// never mutates the template.

import type { JsonObject, JsonValue, Operation, Resource, Template } from '../types.js';
import { getAt, pointer } from './pointer.js';
import { templateText } from './kms.js';
import { allReferences, resourcesOfType } from './template.js';

// ---------------------------------------------------------------------------------------------
// Small predicates

export { asObject } from './template.js';

/** `{Ref: name}` with nothing else. */
export function isRefTo(v: unknown, name: string): boolean {
  const o = asObject(v);
  return !!o && Object.keys(o).length === 1 && o['Ref'] === name;
}

/** The target of a one-key `{Ref: X}` node with a string X, else undefined. */
export function refTarget(v: unknown): string | undefined {
  const o = asObject(v);
  return o && Object.keys(o).length === 1 && typeof o['Ref'] === 'string' ? o['Ref'] : undefined;
}

/** A non-negative integer written as a number or a decimal string (`0`, `"1"`), else undefined. */
export function literalIndex(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^(0|[1-9][0-9]*)$/.test(v)) return Number(v);
  return undefined;
}

/**
 * True when the resource opts out of `transformId` through `Metadata.tapfix.skip`. The engine
 * drops such findings itself; transforms whose fix spans several resources (a removed mapping
 * shared by many readers) check it first so that the part they do emit is self-consistent.
 */
export function skipsTransform(resource: Resource | undefined, transformId: string): boolean {
  const tapfix = asObject(asObject(resource?.Metadata)?.['tapfix']);
  const skip = tapfix?.['skip'];
  return Array.isArray(skip) && skip.some((s) => s === transformId || s === 'all');
}

// ---------------------------------------------------------------------------------------------
// Fn::FindInMap

export interface MapLookup {
  map: string;
  /** Literal top-level key, or undefined when it is an intrinsic (e.g. `{Ref: AWS::Region}`). */
  topKey?: string;
  /** The top-level key node as written. */
  topNode: JsonValue;
  secondKey: string;
}

/** The parts of a 3-argument `Fn::FindInMap` node whose map name and second key are literal. */
export function findInMapLookup(v: unknown): MapLookup | undefined {
  const o = asObject(v);
  if (!o || Object.keys(o).length !== 1) return undefined;
  const args = o['Fn::FindInMap'];
  if (!Array.isArray(args) || args.length !== 3) return undefined;
  const [map, top, second] = args;
  if (typeof map !== 'string' || typeof second !== 'string') return undefined;
  return typeof top === 'string' ? { map, topKey: top, topNode: top, secondKey: second } : { map, topNode: top as JsonValue, secondKey: second };
}

export interface MapCandidate {
  topKey: string;
  value: JsonValue;
}

/**
 * The values a lookup can return, one per top-level entry that has the second key.
 * A literal top key gives its one entry; `{Ref: AWS::Region}` with a known region that the map
 * holds gives that region's entry (`resolved` true); any other intrinsic top key gives every entry.
 * Undefined when the map is missing or a literal top key / the region entry lacks the key.
 */
export function mapCandidates(t: Template, lookup: MapLookup, region: string | undefined): { candidates: MapCandidate[]; resolved: boolean } | undefined {
  const map = asObject(asObject(t.Mappings)?.[lookup.map]);
  if (!map) return undefined;
  const entry = (key: string): MapCandidate | undefined => {
    const e = asObject(map[key]);
    return e && Object.prototype.hasOwnProperty.call(e, lookup.secondKey) ? { topKey: key, value: e[lookup.secondKey]! } : undefined;
  };
  if (lookup.topKey !== undefined) {
    const one = entry(lookup.topKey);
    return one ? { candidates: [one], resolved: true } : undefined;
  }
  if (region && isRefTo(lookup.topNode, 'AWS::Region') && Object.prototype.hasOwnProperty.call(map, region)) {
    const one = entry(region);
    return one ? { candidates: [one], resolved: true } : undefined;
  }
  const candidates = Object.keys(map)
    .map(entry)
    .filter((c): c is MapCandidate => c !== undefined);
  return candidates.length ? { candidates, resolved: false } : undefined;
}

/**
 * Ops removing what the replacement of some Fn::FindInMap reads leaves unused.
 * `replaced` are the pointers of the nodes the fix replaces (a FindInMap reference at or below one
 * of them disappears); `readKeys` are the (map, second key) pairs those replaced lookups read.
 * - A map no remaining FindInMap names is removed (the whole Mappings section when no map is left).
 * - Otherwise, when every remaining lookup of the map has a literal second key, a second key the
 *   replaced lookups read and no remaining lookup reads is removed from every top-level entry;
 *   an entry left empty is removed. When that would empty the map, nothing is removed.
 * Lookups with an intrinsic second key may read any key, so they keep every key of their map.
 */
export function mappingCleanupOps(t: Template, replaced: readonly string[], readKeys: ReadonlyArray<{ map: string; secondKey: string }>): Operation[] {
  const mappings = asObject(t.Mappings);
  if (!mappings || readKeys.length === 0) return [];
  const isReplaced = (p: string) => replaced.some((r) => p === r || p.startsWith(r + '/'));
  const remaining = allReferences(t).filter((r) => r.kind === 'FindInMap' && !isReplaced(r.pointer));
  const maps = [...new Set(readKeys.map((k) => k.map))].filter((m) => asObject(mappings[m]));

  const unusedMaps = maps.filter((m) => !remaining.some((r) => r.target === m));
  const remainingMapCount = Object.keys(mappings).filter((m) => !unusedMaps.includes(m)).length;
  const ops: Operation[] = [];
  if (unusedMaps.length && remainingMapCount === 0) ops.push({ op: 'remove', path: pointer('Mappings') });
  else for (const m of unusedMaps) ops.push({ op: 'remove', path: pointer('Mappings', m) });

  for (const m of maps) {
    if (unusedMaps.includes(m)) continue;
    const readers = remaining.filter((r) => r.target === m);
    const stillRead = new Set<string>();
    let allLiteral = true;
    for (const r of readers) {
      const args = asObject(getAt(t, r.pointer))?.['Fn::FindInMap'];
      const second = Array.isArray(args) ? args[2] : undefined;
      if (typeof second === 'string') stillRead.add(second);
      else allLiteral = false;
    }
    if (!allLiteral) continue;
    const drop = new Set(readKeys.filter((k) => k.map === m && !stillRead.has(k.secondKey)).map((k) => k.secondKey));
    if (drop.size === 0) continue;
    const map = asObject(mappings[m])!;
    const mapOps: Operation[] = [];
    let emptied = 0;
    const tops = Object.keys(map);
    for (const top of tops) {
      const entry = asObject(map[top]);
      if (!entry) continue;
      const keys = Object.keys(entry);
      const gone = keys.filter((k) => drop.has(k));
      if (gone.length === 0) continue;
      if (gone.length === keys.length) {
        mapOps.push({ op: 'remove', path: pointer('Mappings', m, top) });
        emptied++;
      } else {
        for (const k of gone) mapOps.push({ op: 'remove', path: pointer('Mappings', m, top, k) });
      }
    }
    if (emptied === tops.length) continue;
    ops.push(...mapOps);
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// Instance types

export type Arch = 'x86_64' | 'arm64';

/**
 * The CPU architecture of an EC2 instance type name, or undefined when it is not one.
 * Graviton families carry a `g` right after the generation digit (t4g, m6g, m7gd, c7gn, r8g,
 * im4gn, is4gen, x2gd, hpc7g, g5g); `a1` is the first-generation Graviton. GPU families whose
 * name starts with g (g4dn, g5, g6) are x86_64: there the g is the family, not a suffix.
 */
export function archOfInstanceType(name: string): Arch | undefined {
  const m = /^([a-z]+)(\d+)([a-z-]*)\.[a-z0-9-]+$/.exec(name.trim().toLowerCase());
  if (!m) return undefined;
  const [, family, generation, suffix] = m;
  if (family === 'a' && generation === '1') return 'arm64';
  return suffix!.startsWith('g') ? 'arm64' : 'x86_64';
}

/**
 * The architecture an instance-type property value implies: a literal; a Ref to a parameter
 * (its Default, else its AllowedValues when they agree); the values of a Fn::FindInMap or of both
 * branches of a Fn::If when they agree. Undefined when unknown or mixed.
 */
export function archOfInstanceTypeValue(t: Template, v: unknown, region: string | undefined): Arch | undefined {
  const agree = (values: unknown[]): Arch | undefined => {
    const archs = new Set(values.map((x) => archOfInstanceTypeValue(t, x, region)));
    return archs.size === 1 ? [...archs][0] : undefined;
  };
  if (typeof v === 'string') return archOfInstanceType(v);
  const ref = refTarget(v);
  if (ref !== undefined) {
    const parameter = asObject(asObject(t.Parameters)?.[ref]);
    if (!parameter) return undefined;
    if (typeof parameter['Default'] === 'string') return archOfInstanceType(parameter['Default']);
    return Array.isArray(parameter['AllowedValues']) && parameter['AllowedValues'].length ? agree(parameter['AllowedValues']) : undefined;
  }
  const lookup = findInMapLookup(v);
  if (lookup) {
    const found = mapCandidates(t, lookup, region);
    return found ? agree(found.candidates.map((c) => c.value)) : undefined;
  }
  const branches = asObject(v)?.['Fn::If'];
  if (Array.isArray(branches) && branches.length === 3) return agree([branches[1], branches[2]]);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Auto Scaling

export const LAUNCH_TEMPLATE = 'AWS::EC2::LaunchTemplate';

/**
 * The template launch templates an Auto Scaling group launches from: its LaunchTemplate, its
 * MixedInstancesPolicy launch template and that policy's per-override launch templates. A
 * specification names one by LaunchTemplateId (`Ref LT`, `GetAtt LT.LaunchTemplateId`) or by
 * LaunchTemplateName (`Ref LT`, or the same text as the launch template's LaunchTemplateName).
 */
export function launchTemplatesOfGroup(t: Template, group: Resource): string[] {
  const props = asObject(group.Properties);
  const mixed = asObject(asObject(props?.['MixedInstancesPolicy'])?.['LaunchTemplate']);
  const overrides = Array.isArray(mixed?.['Overrides']) ? mixed['Overrides'] : [];
  const specs = [props?.['LaunchTemplate'], mixed?.['LaunchTemplateSpecification'], ...overrides.map((o) => asObject(o)?.['LaunchTemplateSpecification'])];
  const out = new Set<string>();
  for (const spec of specs.map(asObject)) {
    if (!spec) continue;
    const id = launchTemplateById(t, spec['LaunchTemplateId']) ?? launchTemplateByName(t, spec['LaunchTemplateName']);
    if (id) out.add(id);
  }
  return [...out];
}

function launchTemplateById(t: Template, v: unknown): string | undefined {
  const getAtt = asObject(v)?.['Fn::GetAtt'];
  const [id, attribute] = Array.isArray(getAtt) ? getAtt : typeof getAtt === 'string' ? getAtt.split('.') : [refTarget(v), undefined];
  if (getAtt !== undefined && attribute !== 'LaunchTemplateId') return undefined;
  return typeof id === 'string' && asObject(asObject(t.Resources)?.[id])?.['Type'] === LAUNCH_TEMPLATE ? id : undefined;
}

function launchTemplateByName(t: Template, v: unknown): string | undefined {
  if (refTarget(v) !== undefined) return launchTemplateById(t, v);
  const name = templateText(v);
  if (name === undefined) return undefined;
  return resourcesOfType(t, LAUNCH_TEMPLATE).find(({ resource }) => templateText(asObject(resource.Properties)?.['LaunchTemplateName']) === name)?.id;
}
