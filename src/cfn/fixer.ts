// The fixer API: how transforms build RFC 6902 operations. A transform states what the template
// should hold (this property set, this statement appended, this resource added) and the fixer
// chooses add or replace, creates missing parents as one operation, picks fresh logical ids and
// adds shared parameters once. Operations are grouped per finding: `take()` returns the fix built
// since the previous take. Later fixes of the same check see what earlier ones add (the engine
// applies them in order), but never change an operation already taken.
import type { Fix, JsonObject, JsonValue, Operation, Safety, Template } from '../types.js';
import type { PolicyView } from './iam.js';
import { getAt, parsePointer, pointer as makePointer } from './pointer.js';
import { ensureParameter as ensureParameterOps, freshLogicalId, type PendingParameters } from './naming.js';
import { asObject, cloneJson, deepEqual } from './values.js';

export class FixerError extends Error {}

interface Written {
  /** Pointer of the value an operation of this fixer wrote. */
  at: string;
  /** undefined: removed. */
  value: JsonValue | undefined;
  /** Still in the current batch: may be extended in place. */
  open: boolean;
  /** Order of writing: the latest write covering a pointer says what is there. */
  seq: number;
}

export class Fixer {
  private batch: Operation[] = [];
  /** The latest write at each pointer (see {@link covering}). */
  private latestAt = new Map<string, Written>();
  private writes = 0;
  /** The writes of the current batch still open. */
  private openWrites: Written[] = [];
  private unsafeBatch = false;
  /** Logical ids chosen by {@link addResource}, shared by every fix of this check. */
  readonly taken = new Set<string>();
  private readonly parameters: PendingParameters = {};

  constructor(readonly template: Template) {}

  /** The value at `path` as it will be once the operations so far are applied; undefined when missing. */
  valueAt(path: string): JsonValue | undefined {
    const w = this.covering(path);
    if (!w) return getAt(this.template, path);
    if (path === w.at) return w.value;
    return w.value === undefined ? undefined : getAt(w.value, path.slice(w.at.length));
  }

  /**
   * The latest write at `path` or at one of its ancestors, or undefined. Looked up pointer by
   * pointer up the path: a fix of every resource makes thousands of writes, and scanning them all
   * for each read made such a check quadratic.
   */
  private covering(path: string): Written | undefined {
    if (this.latestAt.size === 0) return undefined;
    let best: Written | undefined;
    for (let at = path; ; ) {
      const w = this.latestAt.get(at);
      if (w && (!best || w.seq > best.seq)) best = w;
      if (at === '') return best;
      const cut = at.lastIndexOf('/');
      if (cut < 0) return best;
      at = at.slice(0, cut);
    }
  }

  private record(at: string, value: JsonValue | undefined, open: boolean): void {
    const w: Written = { at, value, open, seq: this.writes++ };
    this.latestAt.set(at, w);
    if (open) this.openWrites.push(w);
  }

  /** Sets `path` to `value`: replace when it exists (and differs), else add, creating missing parents. */
  set(path: string, value: JsonValue): this {
    const current = this.valueAt(path);
    if (current !== undefined) {
      if (!deepEqual(current, value, { keyOrder: true })) this.emit({ op: 'replace', path, value: cloneJson(value) }, path);
      return this;
    }
    const segments = parsePointer(path);
    // The deepest existing ancestor decides where the add goes.
    let depth = segments.length - 1;
    while (depth > 0 && this.valueAt(makePointer(...segments.slice(0, depth))) === undefined) depth--;
    const parentPath = makePointer(...segments.slice(0, depth));
    const parent = this.valueAt(parentPath);
    if (parent === undefined || parent === null || typeof parent !== 'object') {
      throw new FixerError(`cannot set ${path}: ${parentPath || 'the template'} is not an object`);
    }
    if (Array.isArray(parent) && depth < segments.length - 1) throw new FixerError(`cannot set ${path}: ${parentPath} is a list`);
    let built: JsonValue = cloneJson(value);
    for (let i = segments.length - 1; i > depth; i--) built = { [segments[i]!]: built };
    const addAt = makePointer(...segments.slice(0, depth + 1));
    const open = this.openContainer(parentPath);
    if (open && !Array.isArray(open)) {
      (open as JsonObject)[segments[depth]!] = built;
      return this;
    }
    this.emit({ op: 'add', path: addAt, value: built }, addAt);
    return this;
  }

  /** Sets property `path` of resource `id` (see {@link set}). */
  setProperty(id: string, path: ReadonlyArray<string | number>, value: JsonValue): this {
    return this.set(makePointer('Resources', id, 'Properties', ...path), value);
  }

  /** Appends `value` to the list at `path`, creating the list when it is missing. */
  append(path: string, value: JsonValue): this {
    const current = this.valueAt(path);
    if (current === undefined) return this.set(path, [value]);
    if (!Array.isArray(current)) throw new FixerError(`cannot append to ${path}: not a list`);
    const open = this.openContainer(path);
    if (open && Array.isArray(open)) {
      open.push(cloneJson(value));
      return this;
    }
    this.batch.push({ op: 'add', path: `${path}/-`, value: cloneJson(value) });
    // The list as it will be, so later reads and appends see this element.
    this.record(path, [...current, value], false);
    return this;
  }

  /**
   * Adds a statement to a policy document: appended to a Statement list; a single Statement object
   * becomes a list of it and the new one. Opaque documents cannot be extended (FixerError).
   */
  appendStatement(policy: PolicyView, statement: JsonObject): this {
    if (policy.kind === 'list') return this.append(policy.pointer, statement);
    if (policy.kind === 'single') return this.set(policy.pointer, [cloneJson(policy.statements[0]!.statement as JsonObject), statement]);
    throw new FixerError(`cannot add a statement at ${policy.pointer}: ${policy.reason}`);
  }

  /** Removes `path` when it exists. */
  remove(path: string): this {
    if (this.valueAt(path) !== undefined) this.emit({ op: 'remove', path }, path, true);
    return this;
  }

  /** Adds resource `resource` under a fresh logical id derived from `base`; returns the id. */
  addResource(base: string, resource: JsonObject): string {
    const id = freshLogicalId(this.template, base, this.taken);
    this.set(makePointer('Resources', id), resource);
    return id;
  }

  /** Declares parameter `name` with `spec` unless the template or an earlier fix has it. */
  ensureParameter(name: string, spec: Readonly<JsonObject>): this {
    for (const op of ensureParameterOps(this.template, name, spec, this.parameters)) {
      if (op.op !== 'add') continue;
      const open = op.path === '/Parameters' ? undefined : this.openContainer('/Parameters');
      if (open && !Array.isArray(open)) open[name] = op.value;
      else this.emit(op, op.path);
    }
    return this;
  }

  /** Makes resource `id` depend on `target`, keeping the DependsOn it has; false when DependsOn is computed. */
  addDependsOn(id: string, target: string): boolean {
    const at = makePointer('Resources', id, 'DependsOn');
    const current = this.valueAt(at);
    if (current === undefined) this.set(at, target);
    else if (typeof current === 'string') {
      if (current !== target) this.set(at, [current, target]);
    } else if (Array.isArray(current)) {
      if (!current.includes(target)) this.append(at, target);
    } else return false;
    return true;
  }

  /** Marks the fix being built unsafe (it may replace a resource or change behaviour). */
  unsafe(): this {
    this.unsafeBatch = true;
    return this;
  }

  /** True when the fix being built has operations. */
  get pending(): boolean {
    return this.batch.length > 0;
  }

  /** The fix built since the last take (ops in order), and starts a new one. */
  take(): Fix {
    const fix: Fix = { ops: this.batch };
    if (this.unsafeBatch) fix.safety = 'unsafe' satisfies Safety;
    this.batch = [];
    this.unsafeBatch = false;
    for (const w of this.openWrites) w.open = false;
    this.openWrites = [];
    return fix;
  }

  /** The raw operation list of the current fix, for the rare edit the methods above do not cover. */
  push(op: Operation): this {
    if (op.op === 'add' || op.op === 'replace') this.emit({ ...op, value: cloneJson(op.value) }, op.path);
    else this.emit(op, op.path, op.op === 'remove');
    return this;
  }

  private emit(op: Operation, at: string, removed = false): void {
    this.batch.push(op);
    if (removed) this.record(at, undefined, false);
    else if ('value' in op) this.record(at, op.value, true);
  }

  /** A container that an operation of the current batch wrote (so it can be extended in place). */
  private openContainer(path: string): JsonObject | JsonValue[] | undefined {
    const w = this.covering(path);
    if (!w || !w.open || w.value === undefined) return undefined;
    const v = path === w.at ? w.value : getAt(w.value, path.slice(w.at.length));
    return Array.isArray(v) ? v : asObject(v);
  }
}

/** A fixer for one check of one template. */
export function fixer(template: Template): Fixer {
  return new Fixer(template);
}
