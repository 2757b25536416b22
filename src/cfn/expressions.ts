// String-valued expressions written in different intrinsic forms: whether one refers to a
// resource, and building "prefix + value" as a new expression (literal, Fn::Sub or Fn::Join,
// whichever the value allows).
import type { JsonValue } from '../types.js';
import { asObject, subText } from './values.js';

/**
 * True when `v` is exactly the variable `id` as Sub text: `{Ref: id}` or an expression rendering
 * to `${id}`; `id` may name an attribute (`Fn.Arn` for `GetAtt Fn.Arn`).
 */
export function refersTo(v: unknown, id: string): boolean {
  return subText(v) === '${' + id + '}';
}

/**
 * `prefix` followed by the string `value` denotes, as a new expression: a literal when `value`
 * is a literal, an `Fn::Sub` when it is one (or a Ref), else an `Fn::Join`.
 */
export function prefixed(prefix: string, value: JsonValue): JsonValue {
  if (typeof value === 'string') return prefix + value;
  const o = asObject(value);
  if (o && typeof o['Ref'] === 'string' && Object.keys(o).length === 1) return { 'Fn::Sub': prefix + '${' + o['Ref'] + '}' };
  const sub = o && Object.keys(o).length === 1 ? o['Fn::Sub'] : undefined;
  if (typeof sub === 'string') return { 'Fn::Sub': prefix + sub };
  if (Array.isArray(sub) && sub.length === 2 && typeof sub[0] === 'string') return { 'Fn::Sub': [prefix + sub[0], sub[1]!] };
  return { 'Fn::Join': ['', [prefix, value]] };
}
