// Helpers shared by the network and compute transforms (az-dynamic, ami-from-ssm,
// single-instance, ec2-role-kms): a literal index, Mappings lookups and clean-up, and the launch
// templates of an Auto Scaling group. Pure; never mutates the template.

import type { JsonValue, Resource, Template } from '../types.js';
import { getAt, pointer } from './pointer.js';
import { subText } from './values.js';
import { property, resource, resources } from './query.js';
import { allReferences } from './template.js';
import { asObject, hasOwn, intrinsicName, resolve } from './values.js';

// ---------------------------------------------------------------------------------------------
// Small predicates

/** A non-negative integer written as a number or a decimal string (`0`, `"1"`), else undefined. */
export function literalIndex(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^(0|[1-9][0-9]*)$/.test(v)) return Number(v);
  return undefined;
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
  if (intrinsicName(v) !== 'Fn::FindInMap') return undefined;
  const args = (v as Record<string, JsonValue>)['Fn::FindInMap'];
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
    return e && hasOwn(e, lookup.secondKey) ? { topKey: key, value: e[lookup.secondKey]! } : undefined;
  };
  if (lookup.topKey !== undefined) {
    const one = entry(lookup.topKey);
    return one ? { candidates: [one], resolved: true } : undefined;
  }
  const top = resolve(lookup.topNode);
  if (region && top.kind === 'ref' && top.target === 'AWS::Region' && hasOwn(map, region)) {
    const one = entry(region);
    return one ? { candidates: [one], resolved: true } : undefined;
  }
  const candidates = Object.keys(map)
    .map(entry)
    .filter((c): c is MapCandidate => c !== undefined);
  return candidates.length ? { candidates, resolved: false } : undefined;
}

/**
 * The pointers of what the replacement of some Fn::FindInMap leaves unused, to remove in order.
 * `replaced` are the pointers of the nodes the fix replaces (a FindInMap reference at or below one
 * of them disappears); `readKeys` are the (map, second key) pairs those replaced lookups read.
 * - A map no remaining FindInMap names is removed (the whole Mappings section when no map is left).
 * - Otherwise, when every remaining lookup of the map has a literal second key, a second key the
 *   replaced lookups read and no remaining lookup reads is removed from every top-level entry;
 *   an entry left empty is removed. When that would empty the map, nothing is removed.
 * Lookups with an intrinsic second key may read any key, so they keep every key of their map.
 */
export function unusedMappingEntries(t: Template, replaced: readonly string[], readKeys: ReadonlyArray<{ map: string; secondKey: string }>): string[] {
  const mappings = asObject(t.Mappings);
  if (!mappings || readKeys.length === 0) return [];
  const isReplaced = (p: string) => replaced.some((r) => p === r || p.startsWith(r + '/'));
  const remaining = allReferences(t).filter((r) => r.kind === 'FindInMap' && !isReplaced(r.pointer));
  const maps = [...new Set(readKeys.map((k) => k.map))].filter((m) => asObject(mappings[m]));

  const unusedMaps = maps.filter((m) => !remaining.some((r) => r.target === m));
  const remainingMapCount = Object.keys(mappings).filter((m) => !unusedMaps.includes(m)).length;
  const out: string[] = [];
  if (unusedMaps.length && remainingMapCount === 0) out.push(pointer('Mappings'));
  else for (const m of unusedMaps) out.push(pointer('Mappings', m));

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
    const mapOut: string[] = [];
    let emptied = 0;
    const tops = Object.keys(map);
    for (const top of tops) {
      const entry = asObject(map[top]);
      if (!entry) continue;
      const keys = Object.keys(entry);
      const gone = keys.filter((k) => drop.has(k));
      if (gone.length === 0) continue;
      if (gone.length === keys.length) {
        mapOut.push(pointer('Mappings', m, top));
        emptied++;
      } else {
        for (const k of gone) mapOut.push(pointer('Mappings', m, top, k));
      }
    }
    if (emptied === tops.length) continue;
    out.push(...mapOut);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Auto Scaling

export const LAUNCH_TEMPLATE = 'AWS::EC2::LaunchTemplate';

/**
 * The template launch templates an Auto Scaling group launches from: its LaunchTemplate, its
 * MixedInstancesPolicy launch template and that policy's per-override launch templates. A
 * specification names one by LaunchTemplateId (`Ref LT`, `GetAtt LT.LaunchTemplateId`) or by
 * LaunchTemplateName (`Ref LT`, `GetAtt LT.LaunchTemplateName`, or the same text as the launch
 * template's LaunchTemplateName).
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
  const r = resolve(v);
  if (r.kind !== 'ref' && !(r.kind === 'getatt' && r.attribute === 'LaunchTemplateId')) return undefined;
  return resource(t, r.target)?.type === LAUNCH_TEMPLATE ? r.target : undefined;
}

function launchTemplateByName(t: Template, v: unknown): string | undefined {
  const r = resolve(v);
  if (r.kind === 'ref') return launchTemplateById(t, v);
  if (r.kind === 'getatt') return r.attribute === 'LaunchTemplateName' && resource(t, r.target)?.type === LAUNCH_TEMPLATE ? r.target : undefined;
  const name = subText(v);
  if (name === undefined) return undefined;
  return resources(t, LAUNCH_TEMPLATE).find((lt) => subText(property(lt, 'LaunchTemplateName')?.value) === name)?.id;
}
