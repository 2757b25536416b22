// YAML templates through js-yaml 5 events: one parse gives both the value (constructed from the
// events with CloudFormation's short-form tags mapped to the long form) and a source tree with
// offsets for every node, so the writer can edit text in place.
import {
  CORE_SCHEMA,
  DUMP_SCHEMA,
  EVENT_ID,
  SCALAR_STYLE,
  COLLECTION_STYLE,
  CHOMPING_MODE,
  constructFromEvents,
  defineMappingTag,
  defineScalarTag,
  defineSequenceTag,
  getScalarValue,
  parseEvents,
  type Event,
  type ScalarEvent,
  type TagDefinition,
} from 'js-yaml';
import type { JsonValue } from '../types.js';
import { SourceError } from './errors.js';
import { detectEol, detectIndent } from './json.js';
import { MAX_NESTING, TOO_DEEP, type ParsedSource, type PropNode, type SourceNode, type YamlStyle } from './tree.js';

/** Short-form tag -> long-form key. */
export const INTRINSIC_TAGS: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Join', 'Select', 'Split',
    'Base64', 'Cidr', 'ImportValue', 'GetAZs', 'Transform', 'Length', 'ToJsonString',
    // Rules-section functions.
    'Contains', 'EachMemberEquals', 'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll',
  ]
    .map((name) => [`!${name}`, `Fn::${name}`])
    .concat([
      ['!Ref', 'Ref'],
      ['!Condition', 'Condition'],
    ]),
);

/**
 * Nodes a document may hold once its aliases are expanded: the larger of a floor and a multiple
 * of the nodes written. Aliases share one value, but every walk over the template (the
 * transforms, freezing, comparing, the writer) visits a shared subtree once per alias, so ten
 * lines of nested aliases can mean billions of visits.
 */
const MIN_EXPANDED_NODES = 1_000_000;
const EXPANSION_FACTOR = 100;

/** The argument of `{ [key]: argument }`, a mapping of that one key; undefined for anything else. */
function single(data: unknown, key: string): unknown {
  // js-yaml asks every tag of the schema about every mapping it dumps: reject without allocating.
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !Object.hasOwn(data, key)) return undefined;
  for (const k in data) if (k !== key) return undefined;
  return (data as Record<string, unknown>)[key];
}

function buildTags(): TagDefinition[] {
  const tags: TagDefinition[] = [];
  for (const [tag, key] of Object.entries(INTRINSIC_TAGS)) {
    const isGetAtt = key === 'Fn::GetAtt';
    tags.push(
      defineScalarTag(tag, {
        // `!GetAtt A.B.C` is ['A', 'B.C']: attribute names may contain dots, logical ids cannot.
        resolve: (source) => {
          if (!isGetAtt) return { [key]: source };
          const dot = source.indexOf('.');
          return { [key]: dot < 0 ? [source] : [source.slice(0, dot), source.slice(dot + 1)] };
        },
        identify: (data) => {
          const arg = single(data, key);
          if (isGetAtt) return Array.isArray(arg) && arg.length === 2 && arg.every((s) => typeof s === 'string');
          return typeof arg === 'string';
        },
        represent: (data) => {
          const arg = single(data, key);
          return Array.isArray(arg) ? arg.join('.') : String(arg);
        },
      }),
      defineSequenceTag(tag, {
        create: () => [] as unknown[],
        addItem: (carrier, item) => {
          carrier.push(item);
        },
        finalize: (carrier) => ({ [key]: carrier }),
        identify: (data) => Array.isArray(single(data, key)),
        represent: (data) => single(data, key) as unknown[],
      }),
      defineMappingTag(tag, {
        create: () => ({}) as Record<string, unknown>,
        addPair: (carrier, k, v) => {
          carrier[String(k)] = v;
          return '';
        },
        has: (carrier, k) => Object.hasOwn(carrier, String(k)),
        keys: (result) => Object.keys(result),
        get: (result, k) => result[String(k)],
        finalize: (carrier) => ({ [key]: carrier }),
        // Mapping arguments are dumped in long form: `Fn::Transform:` reads as well as a tag.
        identify: () => false,
      }),
    );
  }
  return tags;
}

const CFN_TAGS = buildTags();
/** Loads plain scalars as YAML 1.2 core (dates stay strings, as CloudFormation reads them). */
export const LOAD_SCHEMA = CORE_SCHEMA.withTags(...CFN_TAGS);
/** Dumps with short-form tags and quotes anything a YAML 1.1 reader could mistake. */
export const DUMP_SCHEMA_SHORT = DUMP_SCHEMA.withTags(...CFN_TAGS);

export interface ParsedYaml extends ParsedSource {
  format: 'yaml';
  style: YamlStyle;
}

export function parseYaml(text: string): ParsedYaml {
  const { body, bom, events, value } = loadYaml(text);
  const builder = new TreeBuilder(body, events);
  const root = builder.build();
  return { format: 'yaml', body, bom, root, value, style: detectYamlStyle(structureOnly(body, events), builder.shortTags) };
}

/**
 * `body` without the content lines of its block scalars: an inline script or policy indents and
 * quotes in its own language, and must not outvote the template's own style.
 */
function structureOnly(body: string, events: Event[]): string {
  const kept: string[] = [];
  let from = 0;
  for (const e of events) {
    if (e.type !== EVENT_ID.SCALAR || (e.style !== SCALAR_STYLE.LITERAL_BLOCK && e.style !== SCALAR_STYLE.FOLDED_BLOCK)) continue;
    const start = body.lastIndexOf('\n', e.valueStart - 1) + 1;
    if (start < from || e.valueEnd <= start) continue;
    kept.push(body.slice(from, start));
    from = e.valueEnd;
  }
  if (from === 0) return body;
  kept.push(body.slice(from));
  return kept.join('');
}

/**
 * The value of a YAML text, exactly as `parseYaml(text).value` gives it (and throwing the same
 * errors), without building the source tree or detecting the style: what checking a written
 * text needs.
 */
export function parseYamlValue(text: string): JsonValue {
  const { events, value } = loadYaml(text);
  rejectComplexKeys(events);
  return value;
}

function loadYaml(text: string): { body: string; bom: boolean; events: Event[]; value: JsonValue } {
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  const base = bom ? 1 : 0;
  let events: Event[];
  try {
    // js-yaml counts the document as a level.
    events = parseEvents(body, { maxDepth: MAX_NESTING + 1 });
  } catch (error) {
    throw yamlError(error, base, body);
  }
  const documents = events.filter((e) => e.type === EVENT_ID.DOCUMENT).length;
  if (documents === 0 || events.length <= 2) throw new SourceError('empty YAML file', base);
  if (documents > 1) {
    const second = secondDocumentOffset(body);
    throw new SourceError('multi-document YAML: a CloudFormation template is a single document', second + base);
  }
  boundExpansion(events, body, base);

  let value: JsonValue;
  try {
    value = constructFromEvents(events, { source: body, schema: LOAD_SCHEMA })[0] as JsonValue;
  } catch (error) {
    throw yamlError(error, base, body);
  }
  return { body, bom, events, value };
}

/**
 * Refuses a document whose aliases expand to more nodes than the bound (MIN_EXPANDED_NODES, or
 * EXPANSION_FACTOR times the nodes written), nest deeper than MAX_NESTING or make a cycle, at the
 * alias that does it. Sizes are kept per anchor, so this is one pass over the events however
 * large the expansion would be.
 */
function boundExpansion(events: Event[], body: string, base: number): void {
  let written = 0;
  let aliases = false;
  for (const e of events) {
    if (e.type === EVENT_ID.ALIAS) aliases = true;
    if (e.type !== EVENT_ID.POP && e.type !== EVENT_ID.DOCUMENT) written++;
  }
  if (!aliases) return;
  const limit = Math.max(MIN_EXPANDED_NODES, EXPANSION_FACTOR * written);
  // Per anchor: nodes once expanded, and collection levels (0 for a scalar); OPEN while the
  // anchored collection is still being read, where an alias would make a cycle.
  const OPEN = { size: -1, height: -1 };
  const anchored = new Map<string, { size: number; height: number }>();
  const open: Array<{ size: number; height: number; anchor: string | undefined }> = [];
  let total = 0;
  const close = (size: number, height: number, anchor: string | undefined) => {
    if (anchor !== undefined) anchored.set(anchor, { size, height });
    const parent = open[open.length - 1];
    if (parent) {
      parent.size += size;
      parent.height = Math.max(parent.height, height + 1);
    }
  };
  const anchorOf = (e: { anchorStart: number; anchorEnd: number }) => (e.anchorStart >= 0 ? body.slice(e.anchorStart, e.anchorEnd) : undefined);
  for (let i = 1; i < events.length; i++) {
    const e = events[i]!;
    switch (e.type) {
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        total++;
        const anchor = anchorOf(e);
        if (anchor !== undefined) anchored.set(anchor, OPEN);
        open.push({ size: 1, height: 1, anchor });
        break;
      }
      case EVENT_ID.SCALAR:
        total++;
        close(1, 0, anchorOf(e));
        break;
      case EVENT_ID.ALIAS: {
        // An alias of an unknown anchor is js-yaml's error to report, later.
        const name = body.slice(e.anchorStart, e.anchorEnd);
        const target = anchored.get(name) ?? { size: 1, height: 0 };
        if (target === OPEN) {
          throw new SourceError(`YAML alias *${name} is inside the node it names: a cycle has no JSON value`, e.anchorStart - 1 + base, 'unsupported');
        }
        total += target.size;
        if (total > limit) {
          throw new SourceError(`YAML aliases expand to more than ${limit} nodes: refusing to expand them`, e.anchorStart - 1 + base, 'unsupported');
        }
        if (open.length + target.height > MAX_NESTING) {
          throw new SourceError(`YAML nesting deeper than ${MAX_NESTING} levels once aliases are expanded`, e.anchorStart - 1 + base, 'unsupported');
        }
        close(target.size, target.height, undefined);
        break;
      }
      case EVENT_ID.POP: {
        const done = open.pop();
        if (done) close(done.size, done.height, done.anchor);
        break;
      }
    }
  }
}

/** The one check TreeBuilder makes that loading does not: every mapping key is a scalar. */
function rejectComplexKeys(events: Event[]): void {
  const isMapping: boolean[] = [];
  const expectKey: boolean[] = [];
  const nodeDone = () => {
    const d = isMapping.length - 1;
    if (d >= 0 && isMapping[d]) expectKey[d] = !expectKey[d];
  };
  for (let i = 1; i < events.length; i++) {
    const e = events[i]!;
    if (e.type === EVENT_ID.POP) {
      isMapping.pop();
      expectKey.pop();
      nodeDone();
      continue;
    }
    const d = isMapping.length - 1;
    if (d >= 0 && isMapping[d] && expectKey[d] && e.type !== EVENT_ID.SCALAR) {
      throw new SourceError('complex mapping keys are not supported in CloudFormation templates', (e as { start?: number }).start ?? 0);
    }
    if (e.type === EVENT_ID.MAPPING) {
      isMapping.push(true);
      expectKey.push(true);
    } else if (e.type === EVENT_ID.SEQUENCE) {
      isMapping.push(false);
      expectKey.push(false);
    } else {
      nodeDone();
    }
  }
}

function secondDocumentOffset(body: string): number {
  const m = /^---/gm;
  let count = 0;
  let match: RegExpExecArray | null;
  let firstContent = /\S/.exec(body)?.index ?? 0;
  while ((match = m.exec(body))) {
    if (match.index > firstContent || ++count > 1) return match.index;
    firstContent = body.slice(match.index + 3).search(/\S/) + match.index + 3;
  }
  return 0;
}

function yamlError(error: unknown, base: number, body: string): SourceError {
  const e = error as { reason?: string; message?: string; mark?: { position?: number } };
  let reason = e.reason ?? e.message ?? String(error);
  const position = e.mark?.position ?? 0;
  if (/nesting exceeded maxDepth/.test(reason)) {
    // js-yaml stops at the first token inside the level too many; a flow one opened just before.
    let at = position;
    while (at > 0 && (body[at - 1] === ' ' || body[at - 1] === '\t')) at--;
    return new SourceError(TOO_DEEP, (body[at - 1] === '[' || body[at - 1] === '{' ? at - 1 : position) + base, 'unsupported');
  }
  if (/unknown (scalar|sequence|mapping) tag/.test(reason)) {
    reason += ' (not a CloudFormation intrinsic function tag)';
  }
  if (/duplicated mapping key/.test(reason)) {
    const key = /^[^\n:]*/.exec(body.slice(position))?.[0]?.trim();
    reason = `duplicate key${key ? ` "${key}"` : ''}: the value CloudFormation uses is ambiguous, fix it by hand`;
  }
  return new SourceError(`invalid YAML: ${reason}`, position + base);
}

class TreeBuilder {
  private i = 1; // events[0] is the DOCUMENT event
  shortTags = false;
  constructor(
    private readonly text: string,
    private readonly events: Event[],
  ) {}

  build(): SourceNode {
    return this.node();
  }

  private node(): SourceNode {
    const e = this.events[this.i++]!;
    let node: SourceNode;
    let tagStart = -1;
    let tagEnd = -1;
    let anchorStart = -1;
    switch (e.type) {
      case EVENT_ID.SCALAR: {
        const [start, end] = this.scalarRange(e);
        node = { kind: 'scalar', block: e.style === SCALAR_STYLE.LITERAL_BLOCK || e.style === SCALAR_STYLE.FOLDED_BLOCK, start, end };
        tagStart = e.tagStart;
        tagEnd = e.tagEnd;
        anchorStart = e.anchorStart;
        break;
      }
      case EVENT_ID.MAPPING: {
        const props: PropNode[] = [];
        while (this.events[this.i]!.type !== EVENT_ID.POP) {
          const keyEvent = this.events[this.i]!;
          if (keyEvent.type !== EVENT_ID.SCALAR) {
            throw new SourceError('complex mapping keys are not supported in CloudFormation templates', (keyEvent as { start?: number }).start ?? 0);
          }
          this.i++;
          const [keyStart, keyEnd] = this.scalarRange(keyEvent);
          const value = this.node();
          props.push({ key: getScalarValue(this.text, keyEvent), keyStart, keyEnd, value });
        }
        this.i++;
        const flow = e.style === COLLECTION_STYLE.FLOW;
        const last = props.length ? props[props.length - 1]!.value.end : e.start + 1;
        node = { kind: 'object', flow, start: e.start, end: flow ? this.flowEnd(last, '}') : last, props };
        tagStart = e.tagStart;
        tagEnd = e.tagEnd;
        anchorStart = e.anchorStart;
        break;
      }
      case EVENT_ID.SEQUENCE: {
        const items: SourceNode[] = [];
        while (this.events[this.i]!.type !== EVENT_ID.POP) items.push(this.node());
        this.i++;
        const flow = e.style === COLLECTION_STYLE.FLOW;
        const last = items.length ? items[items.length - 1]!.end : e.start + 1;
        node = { kind: 'array', flow, start: e.start, end: flow ? this.flowEnd(last, ']') : last, items };
        tagStart = e.tagStart;
        tagEnd = e.tagEnd;
        anchorStart = e.anchorStart;
        break;
      }
      case EVENT_ID.ALIAS:
        return { kind: 'alias', start: e.anchorStart - 1, end: e.anchorEnd };
      default:
        throw new SourceError('unexpected YAML structure', 0);
    }
    // The node's range covers its anchor and tag so a replacement never leaves them behind.
    const prefixStart = Math.min(...[tagStart, anchorStart >= 0 ? anchorStart - 1 : -1, node.start].filter((n) => n >= 0));
    if (tagStart >= 0) {
      const tag = this.text.slice(tagStart, tagEnd);
      const fn = INTRINSIC_TAGS[tag];
      if (fn) {
        this.shortTags = true;
        return { kind: 'tag', fn, inner: node, atomic: fn === 'Fn::GetAtt' && node.kind === 'scalar', start: prefixStart, end: node.end };
      }
    }
    node.start = prefixStart;
    return node;
  }

  private scalarRange(e: ScalarEvent): [number, number] {
    switch (e.style) {
      case SCALAR_STYLE.SINGLE_QUOTED:
      case SCALAR_STYLE.DOUBLE_QUOTED:
        return [e.valueStart - 1, e.valueEnd + 1];
      case SCALAR_STYLE.LITERAL_BLOCK:
      case SCALAR_STYLE.FOLDED_BLOCK: {
        // valueStart is the first content line; the header (`|`, `>-`, `|2`) is on the line before.
        const headerEnd = this.text.lastIndexOf('\n', e.valueStart - 1);
        let indicator = headerEnd;
        for (let j = headerEnd - 1; j >= 0 && this.text[j] !== '\n'; j--) {
          const c = this.text[j];
          if ((c === '|' || c === '>') && (j === 0 || /[\s:!-]/.test(this.text[j - 1]!))) {
            indicator = j;
            break;
          }
        }
        // End after the last line that is content, without its line break: trailing empty lines
        // are not content (except with `|+`), but a spaces-only line deeper than the block's
        // indentation is.
        let end = e.valueEnd;
        if (end > e.valueStart && this.text[end - 1] === '\n') end--;
        if (end > e.valueStart && this.text[end - 1] === '\r') end--;
        if (e.chomping !== CHOMPING_MODE.KEEP) {
          for (;;) {
            const lineStart = this.text.lastIndexOf('\n', end - 1) + 1;
            const line = this.text.slice(Math.max(lineStart, e.valueStart), end).replace(/\r$/, '');
            if (lineStart <= e.valueStart || line.length > e.indent || /\S/.test(line)) break;
            end = lineStart - 1;
            if (end > e.valueStart && this.text[end - 1] === '\r') end--;
          }
        }
        return [indicator, Math.max(end, headerEnd)];
      }
      default: {
        if (e.valueStart !== e.valueEnd) return [e.valueStart, e.valueEnd];
        // An empty plain scalar (`Key:` or `Key: !Sub`) sits right after its tag, anchor or
        // indicator, not at the next token where the parser reports it.
        let at = Math.max(e.tagEnd, e.anchorEnd);
        if (at < 0) {
          at = e.valueStart;
          while (at > 0 && /[ \t\r\n]/.test(this.text[at - 1]!)) at--;
        }
        return [at, at];
      }
    }
  }

  /** Offset just past the bracket that closes a flow collection whose content ends at `from`. */
  private flowEnd(from: number, close: string): number {
    const t = this.text;
    for (let j = from; j < t.length; j++) {
      const c = t[j];
      if (c === close) return j + 1;
      if (c === '#') {
        const nl = t.indexOf('\n', j);
        j = nl < 0 ? t.length : nl;
      }
    }
    return t.length;
  }
}

function detectYamlStyle(body: string, shortTags: boolean): YamlStyle {
  const indent = detectIndent(body);
  // `Key:\n- item` (dash at the key's column) versus `Key:\n  - item`.
  let noIndent = 0;
  let indented = 0;
  const re = /^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*( *)- /gm;
  let m: RegExpExecArray | null;
  let seen = 0;
  while ((m = re.exec(body)) && seen++ < 200) {
    if (m[1]!.length === m[2]!.length) noIndent++;
    else if (m[2]!.length > m[1]!.length) indented++;
  }
  const singles = (body.match(/'[^'\n]*'/g) ?? []).length;
  const doubles = (body.match(/"[^"\n]*"/g) ?? []).length;
  return {
    eol: detectEol(body),
    indent: indent === '\t' ? '  ' : indent,
    shortTags,
    seqNoIndent: noIndent > indented,
    quote: doubles > singles ? 'double' : 'single',
  };
}
