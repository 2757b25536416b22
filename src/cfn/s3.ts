import { asObject } from './template.js';
// S3 helpers shared by the data-protection transforms: which AWS::S3::BucketPolicy belongs to
// which AWS::S3::Bucket, and reading the statements of a policy document safely.
// Everything here is pure and tolerant: intrinsics, missing properties and odd shapes give
// "unknown" answers, never exceptions.

import type { JsonObject, JsonValue, Template } from '../types.js';
import { pointer } from './pointer.js';
import { deepEqual } from './values.js';
import { intrinsicName, referencesTo, resourcesOfType, type ResourceEntry } from './template.js';

export const BUCKET_TYPE = 'AWS::S3::Bucket';
export const BUCKET_POLICY_TYPE = 'AWS::S3::BucketPolicy';

export { asObject } from './template.js';

/** Structural equality of two JSON values (key order ignored). */
export const jsonEqual = deepEqual;

/**
 * The logical id of the template bucket a BucketPolicy's `Bucket` value names, or undefined:
 * - `{Ref: X}` or `{Fn::Sub: "${X}"}` where X is an AWS::S3::Bucket of the template;
 * - a value (literal or intrinsic) equal to the `BucketName` a template bucket declares — the
 *   same expression gives the same name (e.g. both `{Fn::Sub: "logs-${AWS::AccountId}"}`).
 * A name matching several buckets (a template error) names none of them.
 */
export function bucketIdOf(t: Template, bucketValue: JsonValue | undefined): string | undefined {
  if (bucketValue === undefined) return undefined;
  const ref = refTarget(bucketValue);
  if (ref !== undefined) return asObject(asObject(t.Resources)?.[ref])?.['Type'] === BUCKET_TYPE ? ref : undefined;
  const named = resourcesOfType(t, BUCKET_TYPE).filter((b) => {
    const name = asObject(b.resource.Properties)?.['BucketName'];
    return name !== undefined && jsonEqual(name, bucketValue);
  });
  return named.length === 1 ? named[0]!.id : undefined;
}

/** X of `{Ref: X}` or of `{Fn::Sub: "${X}"}` (a Sub that is exactly one plain variable). */
function refTarget(v: JsonValue): string | undefined {
  const name = intrinsicName(v);
  const o = v as JsonObject;
  if (name === 'Ref' && typeof o['Ref'] === 'string') return o['Ref'];
  if (name === 'Fn::Sub' && typeof o['Fn::Sub'] === 'string') {
    const m = /^\$\{([A-Za-z0-9]+)\}$/.exec(o['Fn::Sub']);
    if (m) return m[1];
  }
  return undefined;
}

export interface BucketPolicyEntry extends ResourceEntry {
  /** Logical id of the template bucket the policy is attached to. */
  bucketId: string;
}

/** Every AWS::S3::BucketPolicy attached to a bucket of the template, grouped by bucket id. */
export function bucketPoliciesByBucket(t: Template): Map<string, BucketPolicyEntry[]> {
  const out = new Map<string, BucketPolicyEntry[]>();
  for (const entry of resourcesOfType(t, BUCKET_POLICY_TYPE)) {
    const bucketId = bucketIdOf(t, asObject(entry.resource.Properties)?.['Bucket']);
    if (bucketId === undefined) continue;
    const list = out.get(bucketId) ?? [];
    list.push({ ...entry, bucketId });
    out.set(bucketId, list);
  }
  return out;
}

/** BucketPolicy resources whose `Bucket` is given but names no template bucket, with where it is. */
export function unresolvedPolicies(t: Template): Array<{ id: string; at: string }> {
  const out: Array<{ id: string; at: string }> = [];
  for (const { id, resource } of resourcesOfType(t, BUCKET_POLICY_TYPE)) {
    const value = asObject(resource.Properties)?.['Bucket'];
    if (value === undefined || bucketIdOf(t, value) !== undefined) continue;
    out.push({ id, at: pointer('Resources', id, 'Properties', 'Bucket') });
  }
  return out;
}

/**
 * Of those, the ones whose `Bucket` mentions the bucket (e.g. `!If [C, !Ref B, ...]`): they may
 * be its policy, so adding another one could replace it.
 */
export function unresolvedPoliciesMentioning(t: Template, unresolved: ReadonlyArray<{ id: string; at: string }>, bucketId: string): string[] {
  if (unresolved.length === 0) return [];
  const refs = referencesTo(t, bucketId);
  return unresolved.filter(({ at }) => refs.some((r) => r.pointer === at || r.pointer.startsWith(at + '/'))).map(({ id }) => id);
}

export type StatementsView =
  /** `Statement` is a list: `items` are its elements, `pointer` is the list's pointer. */
  | { kind: 'list'; items: readonly JsonValue[]; pointer: string }
  /** `Statement` is a single statement object (valid IAM, but nothing to append to). */
  | { kind: 'single'; statement: JsonObject; pointer: string }
  /** PolicyDocument or Statement is missing, an intrinsic, a string or another odd shape. */
  | { kind: 'opaque'; reason: string; pointer: string };

/** The statements of the `PolicyDocument` of a resource's Properties (BucketPolicy, KMS key, ...). */
export function policyStatements(resourcePointer: string, properties: unknown, documentProperty = 'PolicyDocument'): StatementsView {
  const docPointer = `${resourcePointer}/Properties${pointer(documentProperty)}`;
  const document = asObject(properties)?.[documentProperty];
  if (document === undefined) return { kind: 'opaque', reason: `has no ${documentProperty}`, pointer: docPointer };
  const doc = asObject(document);
  if (!doc || intrinsicName(doc)) {
    return { kind: 'opaque', reason: `${documentProperty} is ${describe(document)}`, pointer: docPointer };
  }
  const statementPointer = `${docPointer}/Statement`;
  const statement = doc['Statement'];
  if (Array.isArray(statement)) return { kind: 'list', items: statement, pointer: statementPointer };
  const single = asObject(statement);
  if (single && !intrinsicName(single)) return { kind: 'single', statement: single, pointer: statementPointer };
  if (statement === undefined) return { kind: 'opaque', reason: `${documentProperty} has no Statement`, pointer: docPointer };
  return { kind: 'opaque', reason: `its Statement is ${describe(statement)}`, pointer: statementPointer };
}

function describe(v: unknown): string {
  const name = intrinsicName(v);
  if (name) return `computed by ${name}`;
  if (typeof v === 'string') return 'a string, not an object';
  if (Array.isArray(v)) return 'a list';
  return `a ${v === null ? 'null' : typeof v}`;
}

/** Values of a field that may be one value or a list of values (Action, Principal.AWS, ...). */
export function oneOrMany(v: JsonValue | undefined): JsonValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Looks up a key case-insensitively (IAM condition operators and keys are case-insensitive). */
function getCaseless(o: JsonObject, key: string): JsonValue | undefined {
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

/**
 * True for a statement that denies requests made without TLS: `Effect: Deny` with a
 * `Bool` or `BoolIfExists` condition `aws:SecureTransport` equal to `false` ("false", false,
 * or a one-element list of either). Sid, Principal, Action and Resource are not compared: any
 * such statement shows the author enforces TLS, and a second one would only duplicate it.
 */
export function isSecureTransportDeny(statement: unknown): boolean {
  const s = asObject(statement);
  if (!s || s['Effect'] !== 'Deny') return false;
  const condition = asObject(s['Condition']);
  if (!condition) return false;
  for (const operator of ['Bool', 'BoolIfExists']) {
    const block = asObject(getCaseless(condition, operator));
    if (!block) continue;
    const values = oneOrMany(getCaseless(block, 'aws:SecureTransport'));
    if (values.length > 0 && values.every((v) => v === false || (typeof v === 'string' && v.toLowerCase() === 'false'))) return true;
  }
  return false;
}
