// One source tree for JSON and YAML: every node knows its byte range in the file, so the
// writer can turn value changes into text edits and the CLI can turn pointers into line:col.
import type { JsonValue } from '../types.js';

/**
 * Collection levels a template may nest, counting the top-level mapping as one: far past any real
 * template, and low enough that every recursive walk over a template (parsers, freezing, the
 * transforms, the writers) stays clear of the call-stack limit.
 */
export const MAX_NESTING = 1000;

/** The message for input nested past MAX_NESTING. */
export const TOO_DEEP = `nesting deeper than ${MAX_NESTING} levels`;

interface NodeBase {
  /** Offset of the first character of the node (tag/anchor included), relative to the body. */
  start: number;
  /** Offset just past the last character of the node's value (no trailing comment/newline). */
  end: number;
}

export interface ObjectNode extends NodeBase {
  kind: 'object';
  /** Flow style: JSON objects and YAML `{...}` mappings. */
  flow: boolean;
  props: PropNode[];
}

export interface PropNode {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: SourceNode;
}

export interface ArrayNode extends NodeBase {
  kind: 'array';
  flow: boolean;
  items: SourceNode[];
}

export interface ScalarNode extends NodeBase {
  kind: 'scalar';
  /** YAML block scalars (`|`, `>`) cannot be followed by anything on their last line. */
  block: boolean;
}

/**
 * A YAML short-form intrinsic (`!If [...]`, `!Ref X`): its value is `{ [fn]: inner }`.
 * `atomic` nodes (`!GetAtt A.B`, whose scalar text is not the list value) are only ever
 * replaced as a whole.
 */
export interface TagNode extends NodeBase {
  kind: 'tag';
  fn: string;
  inner: SourceNode;
  atomic: boolean;
}

/** A YAML alias (`*name`): never edited in place. */
export interface AliasNode extends NodeBase {
  kind: 'alias';
}

export type SourceNode = ObjectNode | ArrayNode | ScalarNode | TagNode | AliasNode;

export interface TextStyle {
  eol: '\n' | '\r\n';
  /** One indentation level: '  ', '    ' or '\t'. */
  indent: string;
}

export interface YamlStyle extends TextStyle {
  /** The file writes intrinsics as `!Ref`; new subtrees follow suit. */
  shortTags: boolean;
  /** Block sequences under a key start at the key's column (`Key:\n- a`). */
  seqNoIndent: boolean;
  quote: 'single' | 'double';
}

export interface ParsedSource {
  format: 'json' | 'yaml';
  /** Text without a leading BOM; every node offset refers to it. */
  body: string;
  bom: boolean;
  root: SourceNode;
  value: JsonValue;
  style: TextStyle | YamlStyle;
}

export interface Position {
  line: number;
  col: number;
}

/** Line/column (1-based) lookups by offset, built once per text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    const line = this.lineOf(offset);
    return { line: line + 1, col: offset - this.starts[line]! + 1 };
  }
  /** The 0-based line holding `offset`; a text ending with a line break has an empty last line. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  /** Where 0-based line `line` starts; undefined past the last line. */
  lineStart(line: number): number | undefined {
    return this.starts[line];
  }
}

/** The child node at one pointer segment, or undefined (tags are looked through). */
export function childNode(node: SourceNode, segment: string): SourceNode | undefined {
  if (node.kind === 'tag') {
    if (node.atomic) return undefined;
    return segment === node.fn ? node.inner : undefined;
  }
  if (node.kind === 'object') {
    for (let i = node.props.length - 1; i >= 0; i--) if (node.props[i]!.key === segment) return node.props[i]!.value;
    return undefined;
  }
  if (node.kind === 'array') {
    if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
    return node.items[Number(segment)];
  }
  return undefined;
}

/** The deepest node on the pointer's path (the node itself when it exists). */
export function nodeAtPointer(root: SourceNode, segments: readonly string[]): { node: SourceNode; depth: number; keyStart?: number } {
  let node = root;
  let keyStart: number | undefined;
  let depth = 0;
  for (const segment of segments) {
    if (node.kind === 'object') {
      const prop = node.props.find((p) => p.key === segment);
      if (!prop) break;
      keyStart = prop.keyStart;
      node = prop.value;
    } else {
      const child = childNode(node, segment);
      if (!child) break;
      keyStart = undefined;
      node = child;
    }
    depth++;
  }
  return keyStart === undefined ? { node, depth } : { node, depth, keyStart };
}
