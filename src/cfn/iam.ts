// IAM policy documents read once, the same way for every transform: statements as a list, Action /
// Resource / Principal values as lists, each statement with the pointer it is written at so a fix
// can edit the original. Documents that are missing, computed or oddly shaped are "opaque" with a
// reason, never guessed at.
import type { JsonObject, JsonValue, Template } from '../types.js';
import { pointer as makePointer } from './pointer.js';
import { resource, resources, typeOf } from './query.js';
import { asObject, intrinsicName, resolve, subText, toList } from './values.js';

export interface StatementView {
  /** The statement as written. */
  readonly statement: Readonly<JsonObject>;
  /** Where it is written: `.../Statement/<i>` for a list, `.../Statement` for a single object. */
  readonly pointer: string;
  readonly sid: string | undefined;
  /** 'Allow' | 'Deny' when written literally, else undefined. */
  readonly effect: 'Allow' | 'Deny' | undefined;
  readonly actions: readonly JsonValue[];
  readonly notActions: readonly JsonValue[];
  readonly resources: readonly JsonValue[];
  readonly notResources: readonly JsonValue[];
  /** `'*'` for `Principal: "*"`; else the principal map with each value as a list. */
  readonly principal: '*' | Readonly<Record<string, readonly JsonValue[]>> | undefined;
  readonly condition: Readonly<JsonObject> | undefined;
}

export type PolicyView =
  /** `Statement` is a list; `pointer` is the list's pointer (append at `${pointer}/-`). */
  | { kind: 'list'; pointer: string; statements: StatementView[] }
  /** `Statement` is one statement object (valid IAM; appending means turning it into a list). */
  | { kind: 'single'; pointer: string; statements: StatementView[] }
  /** The document or its Statement is missing, computed or of another shape. */
  | { kind: 'opaque'; pointer: string; reason: string; statements: StatementView[] };

/**
 * The policy document `document` written at `documentPointer` (for example a BucketPolicy's
 * `/Resources/P/Properties/PolicyDocument`), normalised. `name` is used in reasons.
 */
export function policyDocument(document: unknown, documentPointer: string, name = 'PolicyDocument'): PolicyView {
  if (document === undefined) return { kind: 'opaque', reason: `has no ${name}`, pointer: documentPointer, statements: [] };
  const doc = asObject(document);
  if (!doc || intrinsicName(doc)) return { kind: 'opaque', reason: `${name} is ${describe(document)}`, pointer: documentPointer, statements: [] };
  const statementPointer = `${documentPointer}/Statement`;
  const statement = doc['Statement'];
  if (Array.isArray(statement)) {
    const statements: StatementView[] = [];
    statement.forEach((s, i) => {
      const o = asObject(s);
      if (o && !intrinsicName(o)) statements.push(statementView(o, `${statementPointer}/${i}`));
    });
    return { kind: 'list', pointer: statementPointer, statements };
  }
  const single = asObject(statement);
  if (single && !intrinsicName(single)) return { kind: 'single', pointer: statementPointer, statements: [statementView(single, statementPointer)] };
  if (statement === undefined) return { kind: 'opaque', reason: `${name} has no Statement`, pointer: documentPointer, statements: [] };
  return { kind: 'opaque', reason: `its Statement is ${describe(statement)}`, pointer: statementPointer, statements: [] };
}

/** The policy document held in property `name` of a resource's Properties. */
export function policyOfProperties(properties: unknown, propertiesPointer: string, name = 'PolicyDocument'): PolicyView {
  return policyDocument(asObject(properties)?.[name], propertiesPointer + makePointer(name), name);
}

export function statementView(statement: Readonly<JsonObject>, at: string): StatementView {
  const effect = statement['Effect'];
  const rawPrincipal = statement['Principal'];
  let principal: StatementView['principal'];
  if (rawPrincipal === '*') principal = '*';
  else {
    const p = asObject(rawPrincipal);
    if (p && !intrinsicName(p)) principal = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, toList(v)]));
  }
  return {
    statement,
    pointer: at,
    sid: typeof statement['Sid'] === 'string' ? statement['Sid'] : undefined,
    effect: effect === 'Allow' || effect === 'Deny' ? effect : undefined,
    actions: toList(statement['Action']),
    notActions: toList(statement['NotAction']),
    resources: toList(statement['Resource']),
    notResources: toList(statement['NotResource']),
    principal,
    condition: asObject(statement['Condition']),
  };
}

/** The principals of one kind (`Service`, `AWS`, `Federated`) of a statement, as Sub text. */
export function principalsOf(s: StatementView, kind: 'Service' | 'AWS' | 'Federated' | 'CanonicalUser'): string[] {
  if (s.principal === '*') return kind === 'AWS' ? ['*'] : [];
  return (s.principal?.[kind] ?? []).map((v) => subText(v)).filter((v): v is string => v !== undefined);
}

/** A condition value looked up case-insensitively by operator and key (IAM keys are case-insensitive). */
export function conditionValues(s: StatementView, operator: string, key: string): JsonValue[] | undefined {
  const block = asObject(getCaseless(s.condition, operator));
  if (!block) return undefined;
  const v = getCaseless(block, key);
  return v === undefined ? undefined : toList(v);
}

function getCaseless(o: Readonly<JsonObject> | undefined, key: string): JsonValue | undefined {
  if (!o) return undefined;
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

function describe(v: unknown): string {
  const name = intrinsicName(v);
  if (name) return `computed by ${name}`;
  if (typeof v === 'string') return 'a string, not an object';
  if (Array.isArray(v)) return 'a list';
  return `a ${v === null ? 'null' : typeof v}`;
}

// ---------------------------------------------------------------------------------------------
// Statement matching and role lookup

/** The statements of an IAM policy document value whose pointer does not matter (Statement may be one object or a list). */
export function statementViews(document: unknown): StatementView[] {
  return policyDocument(document, '').statements;
}

/** True when an IAM action pattern (with `*` / `?` wildcards, case-insensitive) matches `action`. */
export function actionPatternMatches(pattern: string, action: string): boolean {
  let re = actionPatterns.get(pattern);
  if (!re) {
    // Policies repeat the same few patterns across roles and passes: compile each once.
    if (actionPatterns.size > 10_000) actionPatterns.clear();
    re = new RegExp('^' + pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('') + '$', 'i');
    actionPatterns.set(pattern, re);
  }
  return re.test(action);
}

const actionPatterns = new Map<string, RegExp>();

/** True when an Allow statement's Action names `action` (NotAction statements never match). */
export function statementAllows(s: StatementView, action: string): boolean {
  return s.effect === 'Allow' && s.actions.some((a) => typeof a === 'string' && actionPatternMatches(a, action));
}

/** Roles named in a `Roles` list of an IAM policy / instance profile: `Ref R` entries. */
export function rolesIn(t: Template, roles: unknown): string[] {
  const out: string[] = [];
  for (const entry of toList(roles as JsonValue | undefined)) {
    const r = resolve(entry);
    if (r.kind === 'ref' && typeOf(t, r.target) === 'AWS::IAM::Role') out.push(r.target);
  }
  return out;
}

/** The role an ARN expression names: `GetAtt R.Arn`, `${R.Arn}`, `arn:...:role/${R}`. */
export function roleByArn(t: Template, value: unknown): string | undefined {
  const text = subText(value);
  if (text === undefined) return undefined;
  const m = /^\$\{([^}.]+)\.Arn\}$/.exec(text) ?? /:role\/(?:[^$]*\/)?\$\{([^}.]+)\}$/.exec(text);
  return m && typeOf(t, m[1]!) === 'AWS::IAM::Role' ? m[1] : undefined;
}

/** Every policy document that applies to a role: inline Policies, IAM::Policy / ManagedPolicy / RolePolicy resources naming it, ManagedPolicyArns refs. */
export function policyDocumentsOfRole(t: Template, roleId: string): JsonValue[] {
  const docs: JsonValue[] = [];
  const props = asObject(resource(t, roleId)?.resource.Properties);
  for (const policy of toList(props?.['Policies'])) {
    const doc = asObject(policy)?.['PolicyDocument'];
    if (doc !== undefined) docs.push(doc);
  }
  const managedRefs = new Set<string>();
  for (const arn of toList(props?.['ManagedPolicyArns'])) {
    const r = resolve(arn);
    if (r.kind === 'ref') managedRefs.add(r.target);
  }
  for (const view of resources(t, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy')) {
    const p = asObject(view.resource.Properties);
    const attached =
      managedRefs.has(view.id) ||
      rolesIn(t, p?.['Roles']).includes(roleId) ||
      (view.type === 'AWS::IAM::RolePolicy' && rolesIn(t, [p?.['RoleName'] ?? null]).includes(roleId));
    if (attached && p?.['PolicyDocument'] !== undefined) docs.push(p['PolicyDocument']);
  }
  return docs;
}

/** Policy resource types of IAM that attach one PolicyDocument to roles, users or groups. */
const IAM_POLICY_RESOURCE_TYPES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy', 'AWS::IAM::UserPolicy', 'AWS::IAM::GroupPolicy'];

/**
 * The IAM resources of the template (roles, users and groups by their inline `Policies`; IAM policy
 * resources by their `PolicyDocument`) that have a statement for which `matches` holds, in
 * template order: who in the template may do something, for a fix that would take it away.
 */
export function iamResourcesWithStatement(t: Template, matches: (s: StatementView) => boolean): string[] {
  const out: string[] = [];
  for (const view of resources(t, 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group', ...IAM_POLICY_RESOURCE_TYPES)) {
    const props = asObject(view.resource.Properties);
    const documents = IAM_POLICY_RESOURCE_TYPES.includes(view.type) ? [props?.['PolicyDocument']] : toList(props?.['Policies']).map((p) => asObject(p)?.['PolicyDocument']);
    if (documents.some((d) => statementViews(d).some(matches))) out.push(view.id);
  }
  return out;
}
