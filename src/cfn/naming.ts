// Names tapfix gives what it adds: fresh logical ids (unused in any section, ignoring case), the
// first unused name of a series (Sids, stand-in topics), and parameters added once per check with
// the shared specs transforms declare them with (environment suffix).
import type { JsonObject, Operation, Template } from '../types.js';
import { pointer } from './pointer.js';
import { asObject, cloneJson, hasOwn } from './values.js';

/** CloudFormation's limit on logical id length. */
const MAX_LOGICAL_ID_LENGTH = 255;
const NAMED_SECTIONS = ['Resources', 'Parameters', 'Conditions', 'Mappings', 'Outputs'] as const;

const namesCache = new WeakMap<object, Map<string, ReadonlySet<string>>>();

/**
 * The keys of these template sections, in lower case. Kept per frozen template: transforms ask
 * once per new id or parameter, which would otherwise cost the template's size each time.
 */
export function namesInLowerCase(t: Template, sections: readonly (keyof Template & string)[]): ReadonlySet<string> {
  const frozen = Object.isFrozen(t);
  let bySections = frozen ? namesCache.get(t) : undefined;
  const key = sections.join('|');
  const cached = bySections?.get(key);
  if (cached) return cached;
  const names = new Set<string>();
  for (const section of sections) for (const id of keySet(t[section])) names.add(id.toLowerCase());
  if (frozen) {
    if (!bySections) namesCache.set(t, (bySections = new Map()));
    bySections.set(key, names);
  }
  return names;
}

/**
 * A logical id derived from `base` that is used nowhere in Resources, Parameters, Conditions,
 * Mappings, Outputs or `taken`: `base`, then `base2`, `base3`, ... Non-alphanumerics are
 * stripped (logical ids are `[A-Za-z0-9]+`); a base that would not start with a letter gets an
 * `R` prefix (`Resource` when nothing is left). Comparison ignores case, so the new id never
 * differs from an existing one only in case. The chosen id is added to `taken`, so several
 * calls in one transform sharing a set never collide.
 */
export function freshLogicalId(t: Template, base: string, taken?: Set<string>): string {
  let stem = base.replace(/[^A-Za-z0-9]/g, '');
  if (stem === '') stem = 'Resource';
  else if (!/^[A-Za-z]/.test(stem)) stem = 'R' + stem;
  return firstUnusedName(
    (n) => {
      const suffix = n === 1 ? '' : String(n);
      return stem.slice(0, MAX_LOGICAL_ID_LENGTH - suffix.length) + suffix;
    },
    namesInLowerCase(t, NAMED_SECTIONS),
    taken,
  );
}

/**
 * The first of `candidate(1)`, `candidate(2)`, ... that is in neither `used` (lower case) nor
 * `taken`, compared ignoring case; it is added to `taken`.
 */
export function firstUnusedName(candidate: (n: number) => string, used: ReadonlySet<string>, taken?: Set<string>): string {
  const takenLower = new Set(taken ? [...taken].map((id) => id.toLowerCase()) : []);
  for (let n = 1; ; n++) {
    const name = candidate(n);
    const lower = name.toLowerCase();
    if (!used.has(lower) && !takenLower.has(lower)) {
      taken?.add(name);
      return name;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters

/**
 * What earlier {@link ensureParameter} calls of the same check already emitted. Pass the same
 * object (start with `{}`) to every call; it is updated in place.
 */
export interface PendingParameters {
  /** Parameter names whose add was emitted. */
  names?: Set<string>;
  /** True once an op creating the `/Parameters` section was emitted. */
  sectionCreated?: boolean;
}

/**
 * Ops adding parameter `name` with `spec` when the template lacks it; [] when it exists (its
 * spec is left alone) or `pending` says it was already added. A template without Parameters
 * gets one `add /Parameters {name: spec}`. Throws when `name` is already a resource's logical
 * id (parameters and resources share one namespace). The op value is a fresh copy of `spec`.
 */
export function ensureParameter(
  t: Template,
  name: string,
  spec: Readonly<JsonObject>,
  pending?: PendingParameters,
): Operation[] {
  const parameters = asObject(t.Parameters);
  if (parameters && hasOwn(parameters, name)) return [];
  if (pending?.names?.has(name)) return [];
  if (hasOwn(t.Resources, name)) {
    throw new Error(`Cannot add parameter ${name}: a resource already uses that logical id`);
  }
  const value = cloneJson(spec as JsonObject);
  const sectionExists = parameters !== undefined || pending?.sectionCreated === true;
  const ops: Operation[] = sectionExists
    ? [{ op: 'add', path: pointer('Parameters', name), value }]
    : [{ op: 'add', path: pointer('Parameters'), value: { [name]: value } }];
  if (pending) {
    (pending.names ??= new Set()).add(name);
    pending.sectionCreated = true;
  }
  return ops;
}

/** Name the transforms give the environment-suffix parameter. */
export const ENVIRONMENT_SUFFIX_PARAMETER_NAME = 'EnvironmentSuffix';

/** The one way every transform declares the environment-suffix parameter. */
export const ENVIRONMENT_SUFFIX_PARAMETER: Readonly<JsonObject> = Object.freeze({
  Type: 'String',
  Default: 'dev',
  Description: 'Environment suffix appended to resource names and tags (e.g. dev, staging, prod)',
  AllowedPattern: '^[a-zA-Z0-9-]+$',
  ConstraintDescription: 'Must contain only alphanumeric characters and hyphens.',
});

function keySet(v: unknown): Set<string> {
  const o = asObject(v);
  return new Set(o ? Object.keys(o) : []);
}
