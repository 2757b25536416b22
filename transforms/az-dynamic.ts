import { defineTransform } from '../src/transform.js';
import { findInMapLookup, literalIndex, mapCandidates, unusedMappingEntries, type MapCandidate } from '../src/cfn/compute.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { Fixer } from '../src/cfn/fixer.js';
import { pointer } from '../src/cfn/pointer.js';
import { evaluatedRoots, walkValues, type Root } from '../src/cfn/query.js';
import { regionFacts } from '../src/cfn/regions.js';
import { asObject, intrinsicName, subText } from '../src/cfn/values.js';
import type { Finding, JsonValue, Template } from '../src/types.js';

const ID = 'az-dynamic';

interface Options extends Record<string, unknown> {
  /** 'select' (default): a list of N literal AZs becomes N Fn::Select; 'all': it becomes Fn::GetAZs. */
  listStyle?: 'select' | 'all';
}

/** Properties holding availability zone names (AZ IDs such as use1-az1 are account-independent and left alone). */
const AZ_KEYS = new Set([
  'AvailabilityZone',
  'AvailabilityZones',
  'AvailabilityZoneName',
  'PreferredAvailabilityZone',
  'PreferredAvailabilityZones',
  'PreferredCacheClusterAZs',
  'PrimaryAvailabilityZone',
  'ReplicaAvailabilityZones',
]);

/** A regional AZ name: region code plus one letter. Local and Wavelength zones (us-west-2-lax-1a) are deliberate and not matched. */
const AZ_NAME = /^((?:us-gov|us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-\d+)([a-z])$/;
const REGION_CODE = /^(?:us-gov|us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-\d+$/;

/** One distinct AZ the template means; sites with the same key get the same Fn::Select index. */
interface Identity {
  key: string;
  /** The AZ name when known (a literal, a `${AWS::Region}x` in a known region, a resolved mapping value). */
  name?: string;
}

interface Site {
  resourceId: string;
  /** Where the property sits below Properties, for messages. */
  property: string;
  /** The node the fix replaces. */
  pointer: string;
  /** How the template writes it, for messages. */
  written: string;
  kind: 'single' | 'list' | 'getazs';
  identities: Identity[];
  /** Mapping lookups the replaced node reads. */
  reads: Array<{ map: string; secondKey: string }>;
  /** list sites: replaced by Fn::GetAZs (listStyle all) instead of one Select per element. */
  all?: boolean;
}

const selectAz = (index: number): JsonValue => ({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] });

export default defineTransform<Options>({
  meta: {
    id: ID,
    title: 'Select availability zones with Fn::GetAZs instead of hard-coding them',
    severity: 'critical',
    safety: 'unsafe',
    seeds: ['000#1', '001#1'],
    equivalents: [
      { tool: 'cfn-lint', id: 'W3010', source: 'https://github.com/aws-cloudformation/cfn-lint/blob/main/src/cfnlint/rules/resources/properties/AvailabilityZone.py' },
    ],
    defaultOptions: { listStyle: 'select' },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { listStyle: { enum: ['select', 'all'] } } },
    docs: `## Why
An availability zone name such as \`us-west-1a\` exists in one region only, so a template that
hard-codes it fails in every other region. Inside its own region it is still fragile: in older
regions AWS maps AZ letters to physical zones per account, and an account is not offered every
letter. us-west-1 offers two AZs per account, and which two letters they are varies (cfn-lint
lists us-west-1a and us-west-1c; other accounts see us-west-1b and us-west-1c). A subnet in a
letter the account does not have fails with "Value (us-west-1b) for parameter availabilityZone is
invalid". The catalogue's "ideal" for 000#1 swaps us-west-1b for a hard-coded us-west-1c: that
works in some accounts and fails in others, and still pins the template to one region. The fix
that works everywhere is to ask CloudFormation for the zones the account has.

## Fix
Every literal AZ name in an \`AvailabilityZone\`/\`AvailabilityZones\` property of any resource
(subnets, instances, volumes, Auto Scaling groups, RDS, ELB, ElastiCache, launch-template
placement, ...) becomes \`{"Fn::Select": [i, {"Fn::GetAZs": ""}]}\`. Each distinct AZ gets its own
index in order of first appearance in the template, so resources that shared an AZ still share
one (a volume stays with its instance) and resources in different AZs stay apart. Indexes already
used by \`Fn::Select\` over \`Fn::GetAZs\` in the template are skipped, so a literal next to an
existing \`Select 0\` does not land in the same zone. Also rewritten:
- \`{"Fn::Sub": "\${AWS::Region}a"}\` and \`Fn::Join ["", [{"Ref": "AWS::Region"}, "a"]]\`: the
  letter is just as account-specific;
- \`Fn::FindInMap\` reading AZ names (or a \`Fn::Select\` over a mapped list of AZs): the lookup
  is replaced, and the mapping entries nothing reads any more are removed (the whole mapping when
  no \`Fn::FindInMap\` names it; keys of a mapping still read elsewhere are kept);
- \`Fn::GetAZs\` with a literal region (\`!GetAZs us-west-2\`) becomes \`Fn::GetAZs ""\`.

A list of literal AZs keeps its count: \`[us-east-1a, us-east-1b]\` becomes two \`Fn::Select\`s,
because \`Fn::GetAZs\` alone returns every AZ of the region (an Auto Scaling group or load balancer
would then span three to six zones instead of two).

When the target region is known (flag, region file, or the template itself), AZ names that do not
exist there are reported: another region's AZ "does not exist in <region>"; an unlisted letter in
a region with per-account AZ mapping "may not exist in your account". When the template needs more
distinct AZs than the region has (three in us-west-1), those resources are reported and left as
they are: \`Fn::Select [2, ...]\` would fail there, and only you can decide which of them may
share a zone. An existing \`Fn::Select [2, Fn::GetAZs ""]\` in a two-AZ region is reported too
(the stack fails there; there is nothing to rewrite).

AZ IDs (\`AvailabilityZoneId\`, e.g. \`usw1-az1\`) are the same in every account and are left
alone, as are Local and Wavelength zones and AZ parameters with a literal Default (the deployer
can override those).

## Fix safety
Unsafe. Changing the AZ of a subnet, instance, volume or DB instance replaces the resource, even
when \`Fn::GetAZs\` happens to return the same zone name in your account; review the change set.

## Options
- \`listStyle\`: \`"select"\` (default) writes one \`Fn::Select\` per literal in a list;
  \`"all"\` writes \`{"Fn::GetAZs": ""}\` for a list made only of AZ literals, when spreading over
  every zone of the region is what you want.
`,
  },
  check(ctx) {
    const { template, region } = ctx;
    const listAll = ctx.options.listStyle === 'all';
    const sites: Site[] = [];
    const usedIndexes = new Set<number>();
    const existing: Array<{ resourceId: string; pointer: string; index: number }> = [];

    for (const root of evaluatedRoots(template)) {
      if (!root.resource) continue;
      const selects = selectsOverGetAzs(root);
      for (const s of selects) usedIndexes.add(s.index);
      if (skipsTransform(root.resource.resource, ID)) continue;
      existing.push(...selects.map((s) => ({ resourceId: root.resource!.id, ...s })));
      collectSites({ t: template, region, listAll }, root, sites);
    }
    const capacity = region ? azCapacity(region) : undefined;
    const findings: Finding[] = [];
    // An existing Fn::Select past the region's zones fails at deploy time: report it (nothing to rewrite).
    for (const s of capacity === undefined ? [] : existing.filter((e) => e.index >= capacity)) {
      findings.push({
        pointer: s.pointer,
        messageId: 'selectPastZones',
        message: `${s.resourceId} selects availability zone index ${s.index} but ${region} has only ${capacity} availability zones in most accounts, so Fn::GetAZs has no item ${s.index} there and the stack fails`,
      });
    }
    if (sites.length === 0) return findings;

    // Distinct AZs in order of first appearance, each on the lowest index not used yet.
    const indexOf = new Map<string, number>();
    let next = 0;
    for (const site of sites) {
      for (const identity of site.identities) {
        if (indexOf.has(identity.key)) continue;
        while (usedIndexes.has(next)) next++;
        indexOf.set(identity.key, next++);
      }
    }
    const fixed: Array<{ finding: Finding; site: Site; value: JsonValue }> = [];
    for (const site of sites) {
      const indexes = site.identities.map((i) => indexOf.get(i.key)!);
      const problems = site.identities
        .map((i) => (i.name && region ? azProblem(i.name, region) : undefined))
        .filter((p): p is string => p !== undefined);
      const where = `${site.resourceId} ${site.property}`;
      const over = capacity !== undefined && site.kind !== 'getazs' && !site.all ? indexes.filter((i) => i >= capacity) : [];
      let message: string;
      if (site.kind === 'getazs') {
        message = `${where} calls Fn::GetAZs with the literal region "${site.written}"; in any other region the zones it returns do not exist`;
        if (region && site.written !== region) problems.push(`${site.written} is not ${region}, the template's region`);
      } else {
        message = `${where} ${site.written}`;
      }
      if (problems.length) message += `; ${problems.join('; ')}`;
      if (over.length) {
        findings.push({
          pointer: site.pointer,
          messageId: 'tooManyZones',
          severity: 'critical',
          message:
            `${message}. The template needs ${Math.max(...over) + 1} distinct availability zones but ${region} has only ${capacity}` +
            ` in most accounts, so Fn::Select [${Math.max(...over)}, Fn::GetAZs ""] would fail: decide which resources may share a zone; left unchanged`,
        });
        continue;
      }
      const finding: Finding = {
        pointer: site.pointer,
        messageId: site.kind === 'getazs' ? 'getAzsLiteralRegion' : 'hardCodedZone',
        message: `${message}; use ${describe(site, indexes)} so it deploys in any region and account`,
      };
      findings.push(finding);
      fixed.push({ finding, site, value: replacement(site, indexes) });
    }

    // The mapping entries the replaced lookups leave unread go with the last fix, once every
    // lookup that read them is gone.
    const reads = fixed.flatMap(({ site }) => site.reads);
    const unused = reads.length ? unusedMappingEntries(template, fixed.map(({ site }) => site.pointer), reads) : [];
    const fx = new Fixer(template);
    fixed.forEach(({ finding, site, value }, i) => {
      fx.set(site.pointer, value);
      if (i === fixed.length - 1) for (const at of unused) fx.remove(at);
      finding.fix = fx.take();
    });
    return findings;
  },
});

function replacement(site: Site, indexes: number[]): JsonValue {
  if (site.kind === 'getazs') return '';
  if (site.kind === 'single') return selectAz(indexes[0]!);
  if (site.all) return { 'Fn::GetAZs': '' };
  return indexes.map(selectAz);
}

function describe(site: Site, indexes: number[]): string {
  if (site.kind === 'getazs') return 'Fn::GetAZs ""';
  if (site.all) return 'Fn::GetAZs ""';
  return indexes.map((i) => `Fn::Select [${i}, Fn::GetAZs ""]`).join(', ');
}

/** How many AZs an account can count on in `region` (cfn-lint's list, fewer when account dumps saw fewer). */
function azCapacity(region: string): number | undefined {
  const facts = regionFacts(region);
  if (!facts || facts.availabilityZones.length === 0) return undefined;
  let n = facts.availabilityZones.length;
  const observed = facts.availabilityZonesCaveat?.['observedInAccountDumps'];
  if (Array.isArray(observed) && observed.length > 0) n = Math.min(n, observed.length);
  return n;
}

function azProblem(name: string, region: string): string | undefined {
  const m = AZ_NAME.exec(name);
  if (!m) return undefined;
  if (m[1] !== region) return `${name} does not exist in ${region}, the template's region`;
  const facts = regionFacts(region);
  if (!facts || facts.availabilityZones.includes(name)) return undefined;
  const caveat = facts.availabilityZonesCaveat;
  const listed = facts.availabilityZones.join(', ');
  if (caveat && (caveat.accountSpecific || caveat.otherObservedNames?.includes(name))) {
    return `${name} may not exist in your account (AZ letters in ${region} are mapped per account; commonly listed: ${listed})`;
  }
  return `${name} is not an availability zone of ${region} (${listed})`;
}

/** Every `Fn::Select [n, Fn::GetAZs ...]` with a literal n in a resource's properties. */
function selectsOverGetAzs(root: Root): Array<{ pointer: string; index: number }> {
  const out: Array<{ pointer: string; index: number }> = [];
  walkValues(root.value, root.path, (v, path) => {
    if (intrinsicName(v) !== 'Fn::Select') return;
    const select = asObject(v)!['Fn::Select'];
    if (!Array.isArray(select) || select.length !== 2 || asObject(select[1])?.['Fn::GetAZs'] === undefined) return;
    const index = literalIndex(select[0]);
    if (index !== undefined) out.push({ pointer: pointer(...path), index });
  });
  return out;
}

interface Scan {
  t: Template;
  region: string | undefined;
  listAll: boolean;
}

/**
 * The sites of a resource's properties: the values of AZ properties (at any depth), and
 * `Fn::GetAZs` with a literal region anywhere. A value that is a site is not looked into.
 */
function collectSites(scan: Scan, root: Root, out: Site[]): void {
  const resourceId = root.resource!.id;
  const base = root.path.length;
  walkValues(root.value, root.path, (v, path) => {
    const key = path[path.length - 1];
    if (path.length > base && typeof key === 'string' && AZ_KEYS.has(key)) {
      const before = out.length;
      analyze(scan.t, scan.region, scan.listAll, { resourceId, property: propertyName(path.slice(base)) }, v, pointer(...path), out);
      if (out.length > before) return false;
    }
    const getAzs = asObject(v)?.['Fn::GetAZs'];
    if (typeof getAzs === 'string' && intrinsicName(v) === 'Fn::GetAZs' && REGION_CODE.test(getAzs)) {
      const property = propertyName(path.slice(base)) || '(value)';
      out.push({ resourceId, property, pointer: pointer(...path, 'Fn::GetAZs'), written: getAzs, kind: 'getazs', identities: [], reads: [] });
      return false;
    }
  });
}

/**
 * The property a path below Properties names, for messages: `Key.Sub[0]`. Intrinsic keys add
 * nothing, nor do the argument positions of an intrinsic (only a list inside them does).
 */
function propertyName(segments: ReadonlyArray<string | number>): string {
  let name = '';
  segments.forEach((segment, i) => {
    const previous = segments[i - 1];
    if (typeof segment === 'number') {
      if (!(typeof previous === 'string' && previous.startsWith('Fn::'))) name += `[${segment}]`;
    } else if (!segment.startsWith('Fn::')) name += name ? `.${segment}` : segment;
  });
  return name;
}

interface Place {
  resourceId: string;
  property: string;
}

/** Sites in the value of an AZ property: a name, a list of names, or the intrinsics that compute one. */
function analyze(t: Template, region: string | undefined, listAll: boolean, place: Place, v: unknown, at: string, out: Site[]): void {
  const single = singleIdentity(t, region, v);
  if (single) {
    out.push({ ...place, pointer: at, written: single.written, kind: 'single', identities: [single.identity], reads: single.reads });
    return;
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => singleIdentity(t, region, x));
    if (listAll && v.length > 0 && items.every((x) => x && x.reads.length === 0)) {
      out.push({
        ...place,
        pointer: at,
        written: `hard-codes availability zones ${items.map((x) => x!.shown).join(', ')}`,
        kind: 'list',
        identities: items.map((x) => x!.identity),
        reads: [],
        all: true,
      });
      return;
    }
    v.forEach((x, i) => {
      const item = items[i];
      if (item) out.push({ ...place, property: `${place.property}[${i}]`, pointer: `${at}/${i}`, written: item.written, kind: 'single', identities: [item.identity], reads: item.reads });
      else analyze(t, region, listAll, { ...place, property: `${place.property}[${i}]` }, x, `${at}/${i}`, out);
    });
    return;
  }
  const o = asObject(v);
  if (!o || Object.keys(o).length !== 1) return;
  const lookup = findInMapLookup(o);
  if (lookup) {
    const lists = mappedAzLists(t, region, o);
    if (lists) {
      out.push({
        ...place,
        pointer: at,
        written: `reads hard-coded availability zones from mapping ${lookup.map} (${lookup.secondKey})`,
        kind: 'list',
        identities: lists.identities,
        reads: [{ map: lookup.map, secondKey: lookup.secondKey }],
        all: listAll,
      });
    }
    return;
  }
  const branches = o['Fn::If'];
  if (Array.isArray(branches) && branches.length === 3) {
    for (const i of [1, 2]) analyze(t, region, listAll, place, branches[i], `${at}/Fn::If/${i}`, out);
  }
}

interface SingleResult {
  identity: Identity;
  /** What the value does, for messages ("hard-codes availability zone us-west-1a"). */
  written: string;
  /** The AZ as written, for list messages. */
  shown: string;
  reads: Array<{ map: string; secondKey: string }>;
}

/** The one AZ a value names, if it is a literal, a region-plus-letter Sub/Join, a mapped AZ, or a Select over mapped/literal AZs. */
function singleIdentity(t: Template, region: string | undefined, v: unknown): SingleResult | undefined {
  if (typeof v === 'string') {
    const m = AZ_NAME.exec(v);
    return m ? { identity: { key: v, name: v }, written: `hard-codes availability zone ${v}`, shown: v, reads: [] } : undefined;
  }
  const o = asObject(v);
  if (!o || Object.keys(o).length !== 1) return undefined;

  const letter = regionLetter(o);
  if (letter) {
    const shown = `"\${AWS::Region}${letter}"`;
    const written = `hard-codes availability zone letter ${letter} (${shown})`;
    const identity = region ? { key: region + letter, name: region + letter } : { key: '${AWS::Region}' + letter };
    return { identity, written, shown, reads: [] };
  }

  const lookup = findInMapLookup(o);
  if (lookup) {
    const found = mapCandidates(t, lookup, region);
    if (!found || !found.candidates.every((c) => typeof c.value === 'string' && AZ_NAME.test(c.value))) return undefined;
    return {
      identity: identityOf(found.candidates, found.resolved, (c) => c.value as string),
      written: `reads a hard-coded availability zone from mapping ${lookup.map} (${lookup.secondKey})`,
      shown: `${lookup.map}.${lookup.secondKey}`,
      reads: [{ map: lookup.map, secondKey: lookup.secondKey }],
    };
  }

  const select = o['Fn::Select'];
  if (Array.isArray(select) && select.length === 2) {
    const index = literalIndex(select[0]);
    if (index === undefined) return undefined;
    const list = select[1];
    if (Array.isArray(list)) {
      const item = list[index];
      if (!list.every((x) => typeof x === 'string' && AZ_NAME.test(x)) || typeof item !== 'string') return undefined;
      return { identity: { key: item, name: item }, written: `hard-codes availability zone ${item} (Fn::Select over a literal list)`, shown: item, reads: [] };
    }
    const mapped = mappedAzLists(t, region, list);
    if (!mapped || index >= mapped.identities.length) return undefined;
    const lookup2 = findInMapLookup(list)!;
    return {
      identity: mapped.identities[index]!,
      written: `reads a hard-coded availability zone from mapping ${lookup2.map} (${lookup2.secondKey}, item ${index})`,
      shown: `${lookup2.map}.${lookup2.secondKey}[${index}]`,
      reads: [{ map: lookup2.map, secondKey: lookup2.secondKey }],
    };
  }
  return undefined;
}

/** A FindInMap whose every candidate is a list of AZ names of one common length: one identity per position. */
function mappedAzLists(t: Template, region: string | undefined, v: unknown): { identities: Identity[] } | undefined {
  const lookup = findInMapLookup(v);
  if (!lookup) return undefined;
  const found = mapCandidates(t, lookup, region);
  if (!found) return undefined;
  const lists = found.candidates.map((c) => c.value);
  if (!lists.every((l) => Array.isArray(l) && l.length > 0 && l.every((x) => typeof x === 'string' && AZ_NAME.test(x)))) return undefined;
  const length = (lists[0] as string[]).length;
  if (!lists.every((l) => (l as string[]).length === length)) return undefined;
  const identities: Identity[] = [];
  for (let i = 0; i < length; i++) identities.push(identityOf(found.candidates, found.resolved, (c) => (c.value as string[])[i]!));
  return { identities };
}

/**
 * A resolved lookup is its AZ name (so it merges with the same literal elsewhere); an unresolved
 * one (the region is not known) is the set of names it can be, one per mapping entry.
 */
function identityOf(candidates: MapCandidate[], resolved: boolean, pick: (c: MapCandidate) => string): Identity {
  if (resolved) {
    const name = pick(candidates[0]!);
    return { key: name, name };
  }
  const names = candidates.map((c) => `${c.topKey}=${pick(c)}`).sort();
  return { key: `map:${names.join(',')}` };
}

/** The letter of `{"Fn::Sub": "${AWS::Region}a"}`, `Fn::Join ["", [{"Ref": "AWS::Region"}, "a"]]` or another form of that text. */
function regionLetter(o: Record<string, unknown>): string | undefined {
  const m = /^\$\{AWS::Region\}([a-z])$/.exec(subText(o) ?? '');
  return m ? m[1] : undefined;
}
