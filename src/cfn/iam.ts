// IAM policy documents read once, the same way for every transform: statements as a list, Action /
// Resource / Principal values as lists, each statement with the pointer it is written at so a fix
// can edit the original. Documents that are missing, computed or oddly shaped are "opaque" with a
// reason, never guessed at.
import type { JsonObject, JsonValue } from '../types.js';
import { pointer as makePointer } from './pointer.js';
import { asObject, intrinsicName, subText, toList } from './values.js';

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
