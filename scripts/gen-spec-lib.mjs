// Pure builder for data/resource-spec.json.
//
// `buildResourceSpec(db)` turns a loaded `@aws-cdk/aws-service-spec` database
// (a tskb `SpecDatabase`, see `@aws-cdk/service-spec-types`) into the compact,
// deterministic JSON object that tapfix commits under data/resource-spec.json.
// `serializeResourceSpec(data)` renders it exactly as the file is written, so a
// staleness test can regenerate in memory and compare byte for byte.
//
// No I/O happens here apart from reading the spec package's own package.json
// for SPEC_PACKAGE_VERSION; scripts/gen-spec.mjs is the thin CLI that loads the
// database and writes the file.
//
// ---------------------------------------------------------------------------
// Output shape (format 3)
// ---------------------------------------------------------------------------
// {
//   "format": 3,
//   "source": "@aws-cdk/aws-service-spec@<version>",
//   "index": { "<AWS::Service::Type>": [offset, length], ... },
//                              where each type's entry lies in the file: its byte offset from
//                              the line after `"resources": {`, and its length in bytes. A run
//                              reads the index and then only the entries it asks about
//                              (src/cfn/spec.ts), not the whole 2 MB.
//   "resources": {             one type per line:
//     "<AWS::Service::Type>": {
//       "attributes": [...],   sorted Fn::GetAtt names (Resource.attributes keys;
//                              may contain dotted names such as "Endpoint.Address")
//       "customName": [...],   the properties whose values name the resource (see below);
//                              [] when CloudFormation always generates the name
//       "mayReplace": [...],   sorted top-level properties with causesReplacement 'maybe'
//       "name": null | "<Prop>", the property that names the resource (see below)
//       "properties": [...],   sorted top-level property names (Resource.properties keys)
//       "props": {...},        top-level property -> type expression, ONLY for properties
//                              whose type has structure below it (see "Type expressions")
//       "replaces": [...],     sorted top-level properties with causesReplacement 'yes'
//       "snapshot": bool,      supports DeletionPolicy: Snapshot (see SNAPSHOT_TYPES)
//       "stateful": bool,      Resource.isStateful (see below)
//       "tags": null | { "property": "<Tags|...>", "variant": "standard"|"map"|"asg" },
//       "tagsReplace": bool,   updating the tag property replaces the resource
//       "types": {...}         property types reachable from the properties of this
//                              resource type: "<TypeName>" -> { "<Prop>": <type expression> }
//     }
//   }
// }
//
// Type expressions (strings) describe only what matters for "does this
// property path exist": what may come *below* a value.
//   ""        scalar (string/number/integer/boolean/date-time/null): nothing below
//   "*"       free-form JSON: any path below exists
//   "Name"    named property type: a key of this resource type's "types"
//   "@Tag"    the spec's builtin tag type {Key, Value}; emitted as a synthetic
//             entry "@Tag" in "types" (the "@" cannot clash with a spec name)
//   "[E]"     list whose elements are E ("[]" = list of scalars)
//   "{E}"     map (string keys) whose values are E ("{}" = map of scalars)
//   "A|B"     union; scalar members are dropped (a scalar member never adds a
//             path), a "*" member absorbs the union, members are sorted
// Only the *current* type of each property is used (Property.type), not
// Property.previousTypes (historic shapes kept by the CDK for compatibility).
//
// ---------------------------------------------------------------------------
// Where each fact comes from
// ---------------------------------------------------------------------------
// tags / tagsReplace:
//   Resource.tagInformation = { tagPropertyName, variant: 'standard'|'asg'|'map' }
//   (undefined when the type is not taggable). tagsReplace is true when that
//   property has causesReplacement === 'yes', or when one of
//   Resource.additionalReplacementProperties (nested paths that replace, e.g.
//   ["Tags","*","Key"]) starts at the tag property.
// replaces / mayReplace:
//   Property.causesReplacement ('yes' / 'maybe'; default 'no') of the top-level
//   properties.
// customName:
//   CloudFormation replaces a resource by creating the new one before deleting
//   the old one, so it cannot replace a resource whose name (or identifier) the
//   template sets: the new one would need the name the old one still holds, and
//   the update fails. Which properties set that name is derived from the spec:
//   1. the top-level string property with causesReplacement 'yes' named
//      `<Type>Name` or `Name`, where <Type> is the last part of the type name
//      (JobQueueName for AWS::Batch::JobQueue, Name for
//      AWS::OpenSearchServerless::Collection); references to other resources
//      such as CollectionGroupName do not match; else
//   2. Resource.primaryIdentifier (the Cloud Control identifier) when every part
//      of it is a top-level string property with causesReplacement 'yes', i.e.
//      the author chooses the identifier: KeyName for AWS::EC2::KeyPair,
//      DBInstanceIdentifier for AWS::RDS::DBInstance, Bucket for
//      AWS::S3::BucketPolicy (a replacement would attach a second policy to the
//      same bucket). The resource is named when all of the parts are set.
//   Otherwise [] (the identifier is generated, e.g. AWS::EC2::Instance).
// stateful:
//   Resource.isStateful, a flag of the spec itself. awscdk-service-spec sets it
//   in its importer `importStatefulResources` from its source
//   sources/StatefulResources/StatefulResources.json, which is a copy of
//   cfn-lint's src/cfnlint/data/AdditionalSpecs/StatefulResources.json
//   ("resources that should be considered stateful"; the CDK L2 constructs give
//   these a RETAIN removal policy by default). No rule or list lives here.
// snapshot:
//   The spec has NO field for DeletionPolicy support (checked in
//   @aws-cdk/service-spec-types Resource/Property and in db.json.gz: nothing
//   about DeletionPolicy or snapshots). So this one fact comes from the
//   CloudFormation documentation of the DeletionPolicy attribute,
//   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
//   section "Snapshot" -> "Resources that support snapshots include:", which
//   lists exactly the types in SNAPSHOT_TYPES below. (AWS::MemoryDB::Cluster is
//   not listed there; it has its own FinalSnapshotName property instead.)
//   Every type in the list must exist in the spec, otherwise building fails.
// name:
//   The top-level string property that, when the template sets it, names the
//   resource: no other resource of the type can have the same value in the
//   account and region (CloudFormation's "custom name"). From the spec: a
//   property only a replacement can change (causesReplacement 'yes') that is
//   Resource.primaryIdentifier (one property), else Resource.cfnRefIdentifier
//   (the value Ref returns), else the one variable of Resource.arnTemplate that
//   is not partition, region or account. null when the type has none (its
//   identifier is generated, or its name need not be unique, like an EMR
//   cluster's Name). NAME_PROPERTIES adds the few names the spec does not
//   identify that way; each must be a create-only property the rule above
//   misses, otherwise building fails.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const SPEC_PACKAGE_NAME = '@aws-cdk/aws-service-spec';

/** Version of the installed @aws-cdk/aws-service-spec (read from its package.json). */
export const SPEC_PACKAGE_VERSION = /** @type {string} */ (
  require(`${SPEC_PACKAGE_NAME}/package.json`).version
);

export const FORMAT_VERSION = 3;

/**
 * Resource types for which CloudFormation supports `DeletionPolicy: Snapshot`.
 * Source: CloudFormation Template Reference, "DeletionPolicy attribute",
 * Snapshot option, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 * (the spec database carries no such information; see the header comment).
 */
export const SNAPSHOT_TYPES = Object.freeze([
  'AWS::DocDB::DBCluster',
  'AWS::EC2::Volume',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Neptune::DBCluster',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
]);

/**
 * Names the spec does not identify (the primary identifier is an id or ARN the service generates,
 * and the ARN template calls the name something else), with where the uniqueness is documented:
 * - AWS::DocDB::DBCluster DBClusterIdentifier: CreateDBCluster fails with
 *   DBClusterAlreadyExistsFault when the identifier is taken,
 *   https://docs.aws.amazon.com/documentdb/latest/developerguide/API_CreateDBCluster.html
 * - AWS::QLDB::Ledger Name: the spec's own property documentation says the name is unique among
 *   the ledgers of the account in the region.
 * - AWS::SecretsManager::Secret Name: CreateSecret fails with ResourceExistsException when a
 *   secret of that name exists, https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
 */
export const NAME_PROPERTIES = Object.freeze({
  'AWS::DocDB::DBCluster': 'DBClusterIdentifier',
  'AWS::QLDB::Ledger': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
});

const ARN_ACCOUNT_PARTS = new Set(['Partition', 'Region', 'Account', 'AccountId']);

const BUILTIN_TAG_TYPE = '@Tag';

const TAG_VARIANTS = new Set(['standard', 'map', 'asg']);

/** Code-point order: locale independent and stable across machines. */
function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorted(values) {
  return [...values].sort(compareStrings);
}

/** Object with keys inserted in sorted order (JSON.stringify keeps insertion order). */
function sortedObject(entries) {
  const out = {};
  for (const [k, v] of [...entries].sort((a, b) => compareStrings(a[0], b[0]))) out[k] = v;
  return out;
}

/**
 * Builds the type expressions of one resource type, collecting the named
 * property types reachable from its properties.
 */
class TypeCollector {
  constructor(db, cfnType) {
    this.db = db;
    this.cfnType = cfnType;
    /** $id -> assigned name */
    this.nameById = new Map();
    /** assigned name -> $id */
    this.idByName = new Map();
    /** assigned name -> { prop: expr } (filled lazily) */
    this.types = new Map();
    this.pending = [];
    this.usesBuiltinTag = false;
  }

  /** Type expression for a PropertyType. */
  expr(type) {
    switch (type.type) {
      case 'string':
      case 'number':
      case 'integer':
      case 'boolean':
      case 'date-time':
      case 'null':
        return '';
      case 'json':
        return '*';
      case 'tag':
        this.usesBuiltinTag = true;
        return BUILTIN_TAG_TYPE;
      case 'ref':
        return this.refName(type.reference.$ref);
      case 'array':
        return `[${this.expr(type.element)}]`;
      case 'map':
        return `{${this.expr(type.element)}}`;
      case 'union': {
        const members = new Set();
        for (const t of type.types) {
          const e = this.expr(t);
          if (e === '*') return '*';
          if (e !== '') members.add(e);
        }
        return sorted(members).join('|');
      }
      default:
        throw new Error(`${this.cfnType}: unknown property type kind ${JSON.stringify(type)}`);
    }
  }

  refName(id) {
    const known = this.nameById.get(id);
    if (known !== undefined) return known;
    const def = this.db.get('typeDefinition', id);
    if (!/^[A-Za-z0-9_]+$/.test(def.name)) {
      throw new Error(`${this.cfnType}: unexpected property type name ${JSON.stringify(def.name)}`);
    }
    // Names are unique per resource type in the current spec; should two
    // distinct definitions ever share a name, number the later ones. The
    // traversal order is deterministic (sorted), so the numbering is too.
    let name = def.name;
    for (let n = 2; this.idByName.has(name); n++) name = `${def.name}_${n}`;
    this.nameById.set(id, name);
    this.idByName.set(name, id);
    this.pending.push([name, def]);
    return name;
  }

  /** Expand every referenced definition (breadth first, deterministic). */
  drain() {
    while (this.pending.length > 0) {
      const [name, def] = this.pending.shift();
      const props = [];
      for (const propName of sorted(Object.keys(def.properties))) {
        props.push([propName, this.expr(def.properties[propName].type)]);
      }
      this.types.set(name, sortedObject(props));
    }
    const all = [...this.types];
    if (this.usesBuiltinTag) all.push([BUILTIN_TAG_TYPE, { Key: '', Value: '' }]);
    return sortedObject(all);
  }
}

/** See "customName" in the header comment. */
function customNameOf(res) {
  const short = res.cloudFormationType.split('::').at(-1);
  const chosenByAuthor = (name) => {
    const prop = Object.prototype.hasOwnProperty.call(res.properties, name) ? res.properties[name] : undefined;
    return prop !== undefined && prop.causesReplacement === 'yes' && prop.type.type === 'string';
  };
  const byName = [`${short}Name`, 'Name'].find(chosenByAuthor);
  if (byName !== undefined) return [byName];
  const identifier = res.primaryIdentifier ?? [];
  return identifier.length > 0 && identifier.every(chosenByAuthor) ? sorted(identifier) : [];
}

/** A create-only string property: the only kind a custom name can be. */
function isNameLike(res, prop) {
  const p = prop === undefined ? undefined : res.properties[prop];
  return p !== undefined && p.type.type === 'string' && p.causesReplacement === 'yes';
}

function only(list) {
  return list?.length === 1 ? list[0] : undefined;
}

/** See "name" in the header comment. */
function nameProperty(res) {
  const arnParts = [...(res.arnTemplate ?? '').matchAll(/\$\{([^}]+)\}/g)]
    .map((m) => m[1])
    .filter((v) => !ARN_ACCOUNT_PARTS.has(v));
  const derived = [only(res.primaryIdentifier), only(res.cfnRefIdentifier), only(arnParts)].find((p) => isNameLike(res, p));
  const listed = Object.prototype.hasOwnProperty.call(NAME_PROPERTIES, res.cloudFormationType)
    ? NAME_PROPERTIES[res.cloudFormationType]
    : undefined;
  if (listed !== undefined && (derived !== undefined || !isNameLike(res, listed))) {
    throw new Error(`NAME_PROPERTIES entry ${res.cloudFormationType}.${listed} is ${derived ? 'derived from the spec already' : 'not a create-only string property'}`);
  }
  return derived ?? listed ?? null;
}

function buildResource(db, res, snapshotTypes) {
  const cfnType = res.cloudFormationType;
  const propNames = sorted(Object.keys(res.properties));

  const replaces = [];
  const mayReplace = [];
  const props = [];
  const collector = new TypeCollector(db, cfnType);
  for (const name of propNames) {
    const prop = res.properties[name];
    if (prop.causesReplacement === 'yes') replaces.push(name);
    else if (prop.causesReplacement === 'maybe') mayReplace.push(name);
    const e = collector.expr(prop.type);
    if (e !== '') props.push([name, e]);
  }
  const types = collector.drain();

  let tags = null;
  let tagsReplace = false;
  const ti = res.tagInformation;
  if (ti) {
    if (!TAG_VARIANTS.has(ti.variant)) {
      throw new Error(`${cfnType}: unknown tag variant ${JSON.stringify(ti.variant)}`);
    }
    const tagProp = res.properties[ti.tagPropertyName];
    if (!tagProp) {
      throw new Error(`${cfnType}: tag property ${ti.tagPropertyName} is not a property`);
    }
    tags = { property: ti.tagPropertyName, variant: ti.variant };
    tagsReplace =
      tagProp.causesReplacement === 'yes' ||
      (res.additionalReplacementProperties ?? []).some((p) => p[0] === ti.tagPropertyName);
  }

  return {
    attributes: sorted(Object.keys(res.attributes ?? {})),
    customName: customNameOf(res),
    mayReplace,
    name: nameProperty(res),
    properties: propNames,
    props: sortedObject(props),
    replaces,
    snapshot: snapshotTypes.has(cfnType),
    stateful: res.isStateful === true,
    tags,
    tagsReplace,
    types,
  };
}

/**
 * Build the data object for data/resource-spec.json from a loaded SpecDatabase.
 * Covers every resource type whose CloudFormation type starts with "AWS::".
 *
 * @param {import('@aws-cdk/service-spec-types').SpecDatabase} db
 */
export function buildResourceSpec(db) {
  const snapshotTypes = new Set(SNAPSHOT_TYPES);
  const entries = [];
  const seen = new Set();
  for (const res of db.all('resource')) {
    const cfnType = res.cloudFormationType;
    if (!cfnType.startsWith('AWS::')) continue;
    if (seen.has(cfnType)) throw new Error(`duplicate resource type ${cfnType} in the spec`);
    seen.add(cfnType);
    entries.push([cfnType, buildResource(db, res, snapshotTypes)]);
  }
  for (const t of SNAPSHOT_TYPES) {
    if (!seen.has(t)) throw new Error(`SNAPSHOT_TYPES entry ${t} is not in the spec`);
  }
  for (const t of Object.keys(NAME_PROPERTIES)) {
    if (!seen.has(t)) throw new Error(`NAME_PROPERTIES entry ${t} is not in the spec`);
  }
  return {
    format: FORMAT_VERSION,
    source: `${SPEC_PACKAGE_NAME}@${SPEC_PACKAGE_VERSION}`,
    resources: sortedObject(entries),
  };
}

/**
 * Render the data object exactly as committed: a small header and one line per
 * resource type (compact, and diffs stay reviewable per type).
 */
export function serializeResourceSpec(data) {
  const types = Object.keys(data.resources);
  const index = {};
  const body = [];
  let offset = 0;
  types.forEach((t, i) => {
    const comma = i < types.length - 1 ? ',' : '';
    const prefix = `${JSON.stringify(t)}: `;
    const entry = JSON.stringify(data.resources[t]);
    const length = Buffer.byteLength(entry, 'utf8');
    index[t] = [offset + Buffer.byteLength(prefix, 'utf8'), length];
    const line = `${prefix}${entry}${comma}`;
    body.push(line);
    offset += Buffer.byteLength(line, 'utf8') + 1;
  });
  const lines = ['{'];
  lines.push(`"format": ${JSON.stringify(data.format)},`);
  lines.push(`"source": ${JSON.stringify(data.source)},`);
  lines.push(`"index": ${JSON.stringify(index)},`);
  lines.push('"resources": {');
  lines.push(...body);
  lines.push('}');
  lines.push('}');
  return lines.join('\n') + '\n';
}
