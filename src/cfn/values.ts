// The value helpers every part of tapfix shares: shape tests, the one deep equality, and the one
// answer to "what does this value refer to" (resolve). Pure; never throws on odd input.
import type { JsonObject, JsonValue } from '../types.js';

/** True when `o` is an object that has `key` as its own property (never through the prototype). */
export function hasOwn(o: unknown, key: string): boolean {
  return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, key);
}

/** `v` when it is a JSON object (not null, not a list), else undefined. */
export function asObject(v: unknown): JsonObject | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

/** IAM-style "one or many": undefined is [], a list is itself, anything else is [v]. */
export function toList(v: JsonValue | undefined): JsonValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * A fresh, unfrozen copy of a JSON value, as a JSON round trip gives it (an undefined member
 * dropped, an undefined item or a non-finite number null) without printing and parsing text.
 */
export function cloneJson<T extends JsonValue>(v: T): T {
  return copyJson(v) as T;
}

function copyJson(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const items = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) items[i] = v[i] === undefined || typeof v[i] === 'function' ? null : copyJson(v[i]);
    return items;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const member = (v as Record<string, unknown>)[key];
    if (member === undefined || typeof member === 'function') continue;
    // An own "__proto__" member stays a member, as JSON.parse makes it.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copyJson(member), enumerable: true, writable: true, configurable: true });
    else out[key] = copyJson(member);
  }
  return out;
}

/**
 * Structural equality of two JSON values. Object key order is ignored, as CloudFormation ignores
 * it, unless `keyOrder` is set (the engine's fixed-point check compares states as written text).
 */
export function deepEqual(a: unknown, b: unknown, options?: { keyOrder?: boolean }): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i], options)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a as object);
  const bk = Object.keys(b as object);
  if (ak.length !== bk.length) return false;
  for (let i = 0; i < ak.length; i++) {
    const k = ak[i]!;
    if (options?.keyOrder ? bk[i] !== k : !Object.hasOwn(b as object, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], options)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Intrinsics

/**
 * The function name of an intrinsic node (`'Ref'`, `'Fn::GetAtt'`, `'Condition'`, ...): a plain
 * object with exactly one key that is `Ref`, `Condition` or starts with `Fn::`; else undefined.
 */
export function intrinsicName(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/**
 * True for an intrinsic function node (see {@link intrinsicName}). A one-key `{Condition: ...}`
 * object is only the Condition intrinsic inside the Conditions section; elsewhere it may be a
 * property named Condition — the reference walk takes care of that, this predicate only looks at
 * the shape.
 */
export function isIntrinsic(v: unknown): v is JsonObject {
  return intrinsicName(v) !== undefined;
}

/**
 * A string-valued expression as canonical `Fn::Sub` text, so that the forms people write for the
 * same string compare equal: `"x"`, `{Ref: P}` (`${P}`), `{Fn::GetAtt: [A, B]}` and `"A.B"`
 * (`${A.B}`), `{Fn::Sub: "..."}` (whitespace inside `${ }` trimmed), `{Fn::Sub: [text, vars]}`
 * (vars substituted when each is itself expressible), `{Fn::Join: [sep, parts]}`. A literal `${`
 * in a plain string is written `${!`, as Sub needs it, so a plain string never reads as a
 * reference. Numbers are their decimal text. Undefined for anything else (Fn::If, Fn::Select,
 * Fn::ImportValue, ...): what it denotes is not known before deployment.
 */
export function subText(v: unknown, depth = 0): string | undefined {
  if (depth > 20) return undefined;
  if (typeof v === 'string') return v.replace(/\$\{/g, '${!');
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  const name = intrinsicName(v);
  if (!name) return undefined;
  const arg = (v as JsonObject)[name];
  switch (name) {
    case 'Ref':
      return typeof arg === 'string' ? '${' + arg + '}' : undefined;
    case 'Fn::GetAtt': {
      if (typeof arg === 'string') return '${' + arg + '}';
      if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && typeof arg[1] === 'string') return '${' + arg[0] + '.' + arg[1] + '}';
      return undefined;
    }
    case 'Fn::Sub': {
      if (typeof arg === 'string') return normalizeSub(arg);
      if (!Array.isArray(arg) || typeof arg[0] !== 'string') return undefined;
      const vars = asObject(arg[1]) ?? {};
      let failed = false;
      const out = normalizeSub(arg[0]).replace(/\$\{([^!}][^}]*)\}/g, (whole, variable: string) => {
        if (!hasOwn(vars, variable)) return whole;
        const rendered = subText(vars[variable], depth + 1);
        if (rendered === undefined) failed = true;
        return rendered ?? '';
      });
      return failed ? undefined : out;
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return undefined;
      const parts: string[] = [];
      for (const part of arg[1]) {
        const rendered = subText(part, depth + 1);
        if (rendered === undefined) return undefined;
        parts.push(rendered);
      }
      return parts.join(arg[0]);
    }
    default:
      return undefined;
  }
}

function normalizeSub(text: string): string {
  return text.replace(/\$\{\s*([^}]*?)\s*\}/g, (_whole, inner: string) => '${' + inner + '}');
}

/** The `${X}` / `${X.Attr}` variables of a Sub text, in order (`${!Literal}` is not one). */
export function subTextVariables(text: string): string[] {
  const out: string[] = [];
  const re = /\$\{([^}!][^}]*)\}/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1]!.trim());
  return out;
}

/** Sub text back to the plain string it denotes, when it has no variables; else undefined. */
export function literalOfSubText(text: string): string | undefined {
  if (subTextVariables(text).length > 0) return undefined;
  return text.replace(/\$\{!/g, '${');
}

/** True when two string-valued expressions certainly denote the same string. */
export function sameText(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  if (deepEqual(a, b)) return true;
  const ra = subText(a);
  return ra !== undefined && ra === subText(b);
}

/** What a value denotes, as far as the template alone can tell. */
export type Resolved =
  /** A literal string, number or boolean (also a Sub or Join with no variable). */
  | { kind: 'literal'; value: string | number | boolean }
  /** Exactly `Ref X` (or `${X}`, or a Join of just that). */
  | { kind: 'ref'; target: string }
  /** Exactly `GetAtt X.A` (or `${X.A}`, or a Join of just that). */
  | { kind: 'getatt'; target: string; attribute: string }
  /** A string built from literals and variables: the canonical Sub text (see {@link subText}). */
  | { kind: 'text'; text: string; variables: string[] }
  /** Not known before deployment: Fn::If, Fn::ImportValue, Fn::Select, Fn::FindInMap, a list... */
  | { kind: 'unknown' };

/**
 * The one answer to "what does this value refer to", for every transform: Ref, GetAtt (both
 * forms), Sub (both forms), Join of those; Fn::ImportValue and every other function is unknown.
 */
export function resolve(v: unknown): Resolved {
  if (typeof v === 'boolean') return { kind: 'literal', value: v };
  if (typeof v === 'number') return Number.isFinite(v) ? { kind: 'literal', value: v } : { kind: 'unknown' };
  const text = subText(v);
  if (text === undefined) return { kind: 'unknown' };
  const variables = subTextVariables(text);
  if (variables.length === 0) return typeof v === 'string' ? { kind: 'literal', value: v } : { kind: 'literal', value: literalOfSubText(text)! };
  const whole = /^\$\{([^}]+)\}$/.exec(text);
  if (whole && variables.length === 1) {
    const name = whole[1]!;
    const dot = name.indexOf('.');
    if (dot < 0) return { kind: 'ref', target: name };
    return { kind: 'getatt', target: name.slice(0, dot), attribute: name.slice(dot + 1) };
  }
  return { kind: 'text', text, variables };
}

/** The logical id a value names by Ref or GetAtt (any attribute), else undefined. */
export function targetOf(v: unknown): string | undefined {
  const r = resolve(v);
  return r.kind === 'ref' || r.kind === 'getatt' ? r.target : undefined;
}

/**
 * How a Boolean property that a control wants `true` is written: `'true'` (the boolean),
 * `'text-true'` (the string "true" in any case: CloudFormation reads it as true, cfn-guard rules
 * comparing `== true` do not), `'false'` (false or "false": an explicit choice), `'missing'`, or
 * `'computed'` (an intrinsic such as Fn::If or a Ref, or anything else).
 */
export type FlagState = 'true' | 'text-true' | 'false' | 'missing' | 'computed';

export function flagState(v: unknown): FlagState {
  if (v === undefined) return 'missing';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true') return 'text-true';
    if (lower === 'false') return 'false';
  }
  return 'computed';
}
