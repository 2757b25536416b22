// Builder for data/cfn-lint-tags.json: which taggable types cfn-lint rejects tags on.
//
// The aws-service-spec database says a type is taggable as soon as CloudFormation's newest
// schema lets it be; the linter teams run in CI (cfn-lint) ships the regional CloudFormation
// schemas of its release date, and CloudFormation itself rolls a new schema out region by
// region. Until both have caught up, a Tags property tapfix adds is a new E3002 ("'Tags' was
// unexpected") in the lint gate, or an E3012 when the schema wants another shape, and a
// deploy in a region whose schema lacks it fails. standard-tags therefore only tags a type by
// default where cfn-lint accepts its tags.
//
// The facts come from cfn-lint itself: a small Python program (CFN_LINT_PROGRAM) asks cfn-lint's
// own schema manager for every region's schema of every taggable type (one load per distinct
// schema) and validates, with cfn-lint's own JSON-schema validator, the tag value tapfix writes
// (a list of {Key, Value}, a map, or {Key, Value, PropagateAtLaunch} entries) against the tag
// property. A region rejects the tags when its schema has no such property ("absent") or the
// value does not validate ("shape"). It also records the region cfn-lint lints in when the
// command line and AWS_REGION / AWS_DEFAULT_REGION name none: most lint gates check every
// template there, whatever region the template is deployed to. The data file is committed, so
// tapfix and CI do not need cfn-lint at run time; scripts/gen-spec.mjs regenerates it when
// cfn-lint is installed.
//
// Output shape (format 1), one line per rejected type:
// {
//   "format": 1,
//   "source": "cfn-lint@<version>",
//   "spec": "@aws-cdk/aws-service-spec@<version>",   the taggability the check started from
//   "regions": [...],                                every region cfn-lint has schemas for
//   "defaultRegion": "us-east-1",                    where cfn-lint lints when not told
//   "rejected": {
//     "<AWS::Service::Type>": { "absent"?: [regions], "shape"?: [regions] }
//   }
// }
// Regions where cfn-lint does not know the type at all are in neither list: there cfn-lint
// reports the type itself (E3006), whether tagged or not.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const LINT_FORMAT_VERSION = 1;

/** Reads [[type, tagProperty, variant], ...] on stdin; writes the rejecting regions per type. */
export const CFN_LINT_PROGRAM = String.raw`
import json, sys
from cfnlint.config import ConfigMixIn
from cfnlint.helpers import REGIONS
from cfnlint.jsonschema import StandardValidator
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
from cfnlint.version import __version__

TAGS = [{"Key": "Name", "Value": "app-dev"}, {"Key": "Environment", "Value": "dev"}]

def sample(variant):
    if variant == "map":
        return {tag["Key"]: tag["Value"] for tag in TAGS}
    if variant == "asg":
        return [dict(tag, PropagateAtLaunch=True) for tag in TAGS]
    return TAGS

def verdict(schema, prop, variant):
    properties = schema.get("properties", {})
    if prop not in properties:
        return "absent" if schema.get("additionalProperties") is False else None
    only_tags = {"definitions": schema.get("definitions", {}), "type": "object", "properties": {prop: properties[prop]}}
    return "shape" if next(StandardValidator(only_tags).iter_errors({prop: sample(variant)}), None) else None

rejected = {}
for type_name, prop, variant in json.load(sys.stdin):
    for regions, schema in PROVIDER_SCHEMA_MANAGER.get_resource_schemas_by_regions(type_name, REGIONS):
        found = verdict(schema.schema, prop, variant)
        if found:
            rejected.setdefault(type_name, {}).setdefault(found, []).extend(regions)
default_region = ConfigMixIn([]).regions[0]
json.dump({"version": __version__, "regions": list(REGIONS), "defaultRegion": default_region, "rejected": rejected}, sys.stdout)
`;

/** Code-point order: locale independent and stable across machines. */
function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function run(command, args, input) {
  // Without the caller's region variables cfn-lint reports its own default region.
  const env = { ...process.env };
  delete env.AWS_REGION;
  delete env.AWS_DEFAULT_REGION;
  const result = spawnSync(command, args, { input, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return result.error || result.status !== 0 ? undefined : result.stdout;
}

/** The interpreter the `cfn-lint` on PATH runs with, when its launcher names one (pip, pipx, venv). */
function launcherInterpreter() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    let firstLine;
    try {
      firstLine = readFileSync(join(dir, 'cfn-lint'), 'utf8').split('\n', 1)[0];
    } catch {
      continue;
    }
    const shebang = /^#!\s*(\S*python[\d.]*)\s*$/.exec(firstLine);
    return shebang?.[1];
  }
  return undefined;
}

/**
 * Finds a Python interpreter with the cfn-lint package, preferring $TAPFIX_CFN_LINT_PYTHON, then
 * the interpreter of the `cfn-lint` command, then python3 / python. Returns { python, version }
 * or { reason } when there is none, or when it is not the release the `cfn-lint` command runs
 * (the facts must be those of the linter users run).
 */
export function findCfnLint() {
  const candidates = [process.env.TAPFIX_CFN_LINT_PYTHON, launcherInterpreter(), 'python3', 'python'].filter(Boolean);
  const command = run('cfn-lint', ['--version'], '')?.trim().replace(/^cfn-lint\s+/, '');
  for (const python of candidates) {
    const version = run(python, ['-c', 'from cfnlint.version import __version__; print(__version__)'], '')?.trim();
    if (!version) continue;
    if (command && command !== version) {
      return { reason: `${python} has cfn-lint ${version} but the cfn-lint command is ${command}; set TAPFIX_CFN_LINT_PYTHON to its interpreter` };
    }
    return { python, version };
  }
  return { reason: `no Python with the cfn-lint package (tried ${candidates.join(', ')})` };
}

/** Taggable types of a built resource spec as [type, tagProperty, variant]. */
export function taggablePairs(resourceSpec) {
  return Object.entries(resourceSpec.resources)
    .filter(([, r]) => r.tags !== null)
    .map(([type, r]) => [type, r.tags.property, r.tags.variant]);
}

/**
 * Asks cfn-lint (through `python`) which of the taggable types of `resourceSpec` it rejects tags
 * on, and builds the data object for data/cfn-lint-tags.json.
 */
export function buildCfnLintTags(python, resourceSpec) {
  const out = run(python, ['-c', CFN_LINT_PROGRAM], JSON.stringify(taggablePairs(resourceSpec)));
  if (out === undefined) throw new Error(`${python}: the cfn-lint schema check failed`);
  const found = JSON.parse(out);
  const rejected = {};
  for (const type of Object.keys(found.rejected).sort(compareStrings)) {
    const entry = {};
    for (const reason of ['absent', 'shape']) {
      const regions = found.rejected[type][reason];
      if (regions) entry[reason] = [...new Set(regions)].sort(compareStrings);
    }
    rejected[type] = entry;
  }
  return {
    format: LINT_FORMAT_VERSION,
    source: `cfn-lint@${found.version}`,
    spec: resourceSpec.source,
    regions: [...found.regions].sort(compareStrings),
    defaultRegion: found.defaultRegion,
    rejected,
  };
}

/** Renders the data object exactly as committed: a header and one line per rejected type. */
export function serializeCfnLintTags(data) {
  const lines = ['{'];
  lines.push(`"format": ${JSON.stringify(data.format)},`);
  lines.push(`"source": ${JSON.stringify(data.source)},`);
  lines.push(`"spec": ${JSON.stringify(data.spec)},`);
  lines.push(`"regions": ${JSON.stringify(data.regions)},`);
  lines.push(`"defaultRegion": ${JSON.stringify(data.defaultRegion)},`);
  lines.push('"rejected": {');
  const types = Object.keys(data.rejected);
  types.forEach((t, i) => {
    lines.push(`${JSON.stringify(t)}: ${JSON.stringify(data.rejected[t])}${i < types.length - 1 ? ',' : ''}`);
  });
  lines.push('}');
  lines.push('}');
  return lines.join('\n') + '\n';
}
