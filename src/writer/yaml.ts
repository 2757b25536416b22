// YAML: value changes -> text edits over the js-yaml event offsets. Scalars are replaced in
// place, new keys and items are inserted as whole lines at the right column, new subtrees are
// rendered by js-yaml in the file's style, and every other byte (comments included) stays.
import { DUMP_SCHEMA } from 'js-yaml';
import type { JsonValue } from '../types.js';
import { DUMP_SCHEMA_SHORT, type ParsedYaml } from '../template/yaml.js';
import type { ArrayNode, ObjectNode, SourceNode } from '../template/tree.js';
import { diffValue, type ChangeSink, type Slot } from './diff.js';
import { columnOf, isBlank, lineEndOf, lineStartOf, nextLineStart, type TextEdit } from './edits.js';
import { flowEdits, flowLayout, type FlowEntry } from './flow.js';
import { yamlRenderer } from './yaml-render.js';

export function yamlEdits(parsed: ParsedYaml, after: JsonValue): TextEdit[] {
  const text = parsed.body;
  const style = parsed.style;
  const eol = style.eol;
  const edits: TextEdit[] = [];
  const renderer = yamlRenderer({
    schema: style.shortTags ? DUMP_SCHEMA_SHORT : DUMP_SCHEMA,
    shortTags: style.shortTags,
    indent: style.indent.length,
    seqNoIndent: style.seqNoIndent,
    quoteStyle: style.quote,
  });

  /** Block YAML lines for `value`, as js-yaml prints it at column 0 (no trailing newline). */
  const blockLines = (value: JsonValue): string[] => renderer.block(value).replace(/\n$/, '').split('\n');
  // Rendered as the item of a flow list, so js-yaml quotes what a flow context needs quoted
  // (`{`, `,`, multi-line text), then the brackets come off.
  const flow = (value: JsonValue): string => renderer.flowItem(value);
  const indentLines = (lines: string[], column: number): string =>
    lines.map((line, i) => (i === 0 || line === '' ? line : ' '.repeat(column) + line)).join(eol);

  /** `key: value` as lines placed at `column` (first line unindented). */
  // Rendered under a placeholder key: `{Ref: x}` or `{Condition: c}` alone would print as a tag.
  const keyValue = (key: string, value: JsonValue, column: number) =>
    flow(key) + indentLines(blockLines({ k: value }), column).slice(1);
  /** `- value` as lines placed at `column`. */
  const seqItem = (value: JsonValue, column: number) => indentLines(blockLines([value]), column);

  const dashOf = (item: SourceNode): number => {
    let i = item.start - 1;
    while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
    return text[i] === '-' ? i : item.start;
  };

  /** Where a replaced value may start: just after its `key:` or `-` when only blanks lie between. */
  const indicatorBefore = (offset: number): number | undefined => {
    let i = offset - 1;
    while (i >= 0 && /[ \t\r\n]/.test(text[i]!)) i--;
    return i >= 0 && (text[i] === ':' || text[i] === '-') ? i + 1 : undefined;
  };

  /**
   * The end of the line holding `offset`, moved past following comment lines indented deeper than
   * `column`: those comment the value just before, so new siblings go after them.
   */
  const insertionPoint = (offset: number, column: number): number => {
    let at = lineEndOf(text, offset);
    for (;;) {
      const next = nextLineStart(text, at);
      if (next >= text.length) return at;
      const m = /^([ \t]*)#/.exec(text.slice(next, Math.min(text.length, next + 400)));
      if (!m || m[1]!.length <= column) return at;
      at = lineEndOf(text, next);
    }
  };

  /**
   * Deletes the lines from `lineStart` through the line holding `end`, taking the line break
   * before them rather than after, so the end of the line before stays free for insertions.
   */
  const wholeLines = (lineStart: number, end: number): TextEdit => {
    const stop = lineEndOf(text, end);
    if (lineStart === 0) return { offset: 0, length: nextLineStart(text, end), content: '' };
    const from = lineStart >= 2 && text[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1;
    return { offset: from, length: stop - from, content: '' };
  };

  /**
   * A value replaced by several lines would push the old value's trailing comment down onto its
   * last, unrelated line: move the comment to the end of the first line instead.
   */
  const keepTrailingComment = (end: number, rendered: string): { end: number; content: string } => {
    const lineEnd = lineEndOf(text, end);
    const comment = /^[ \t]+(#.*)$/.exec(text.slice(end, lineEnd));
    const firstBreak = rendered.indexOf(eol);
    if (!comment || firstBreak < 0) return { end, content: rendered };
    return { end: lineEnd, content: rendered.slice(0, firstBreak) + ' ' + comment[1] + rendered.slice(firstBreak) };
  };

  /** Whether most keys after the first of a block mapping follow a blank line. */
  const spacedSiblings = (props: ObjectNode['props']): boolean => {
    if (props.length < 2) return false;
    let spaced = 0;
    for (let i = 1; i < props.length; i++) {
      const start = lineStartOf(text, props[i]!.keyStart);
      if (start < 2) continue;
      const previousStart = lineStartOf(text, start - 1);
      if (/^[ \t]*\r?\n$/.test(text.slice(previousStart, start))) spaced++;
    }
    return spaced * 2 > props.length - 1;
  };

  const inFlow = (slot: Slot): boolean =>
    slot.kind === 'tagged' ? inFlow(slot.outer) : slot.kind !== 'root' && slot.parent.flow;

  const sink: ChangeSink = {
    replace(node: SourceNode, slot: Slot, value: JsonValue) {
      if (inFlow(slot) || slot.kind === 'tagged') {
        let from = node.start;
        if (slot.kind === 'tagged') {
          // Flow content goes right after the tag, even where block content started a line below.
          while (from > slot.tag.start && /[ \t\r\n]/.test(text[from - 1]!)) from--;
        }
        const glued = from > 0 && !/[\s[{,:]/.test(text[from - 1]!);
        // After a tag in block context a one-line string needs no flow-context quoting (`!Sub a-${X}`).
        const blockString = slot.kind === 'tagged' && !inFlow(slot) && typeof value === 'string' && !/[\r\n]/.test(value);
        const content = blockString ? blockLines({ k: value })[0]!.slice(3) : flow(value);
        edits.push({ offset: from, length: node.end - from, content: (glued ? ' ' : '') + content });
        return;
      }
      if (slot.kind === 'root') {
        edits.push({ offset: node.start, length: node.end - node.start, content: indentLines(blockLines(value), 0) });
        return;
      }
      if (slot.kind === 'item') {
        // From the dash, so the item keeps js-yaml's own alignment (`-   Key:` with 4 spaces).
        const dash = dashOf(node);
        const column = columnOf(text, dash);
        if (dash === node.start) {
          edits.push({ offset: node.start, length: node.end - node.start, content: flow(value) });
        } else {
          const { end, content } = keepTrailingComment(node.end, seqItem(value, column));
          edits.push({ offset: dash, length: end - dash, content });
        }
        return;
      }
      // A mapping value: render `k: value` at the key's column and keep what follows `k:`.
      const keyColumn = columnOf(text, slot.prop.keyStart);
      const rendered = keyValue('k', value, keyColumn).slice(2); // ' scalar' or '<eol>  block'
      const from = indicatorBefore(node.start);
      const { end, content } = keepTrailingComment(node.end, rendered);
      if (from !== undefined) {
        edits.push({ offset: from, length: end - from, content });
      } else {
        edits.push({ offset: node.start, length: end - node.start, content: content.replace(/^\s+/, '') });
      }
    },

    object({ node, removed, added, before }) {
      if (node.flow) return flowObject(node, removed, added);
      const props = node.props;
      const keyColumn = columnOf(text, props[0]!.keyStart);
      const gone = new Set(removed);
      for (let i = 0; i < props.length; i++) {
        if (!gone.has(i)) continue;
        let j = i;
        while (j + 1 < props.length && gone.has(j + 1)) j++;
        const first = props[i]!;
        const ownLine = isBlank(text, lineStartOf(text, first.keyStart), first.keyStart);
        if (i > 0 || ownLine) {
          edits.push(wholeLines(lineStartOf(text, first.keyStart), props[j]!.value.end));
        } else {
          // `- Key: v` — the first key shares its line with the dash: pull the next key up.
          const next = props[j + 1]!;
          edits.push({ offset: first.keyStart, length: next.keyStart - first.keyStart, content: '' });
        }
        i = j;
      }
      // Sections and resources separated by blank lines keep that rhythm.
      const gap = keyColumn <= style.indent.length && spacedSiblings(props) ? eol : '';
      const placed = added.filter(([key]) => before?.has(key));
      for (const [key, value] of placed) {
        // Before a section, and before the comment lines that introduce it.
        let at = lineStartOf(text, props[before!.get(key)!]!.keyStart);
        while (at > 0) {
          const previous = lineStartOf(text, at - 1);
          if (!/^[ \t]*#/.test(text.slice(previous, at))) break;
          at = previous;
        }
        edits.push({ offset: at, length: 0, content: ' '.repeat(keyColumn) + keyValue(key, value, keyColumn) + eol + gap });
      }
      const appended = added.filter(([key]) => !before?.has(key));
      if (appended.length === 0) return;
      let anchor = props.length - 1;
      while (anchor > 0 && gone.has(anchor)) anchor--;
      const at = insertionPoint(props[anchor]!.value.end, keyColumn);
      const content = appended.map(([key, value]) => eol + gap + ' '.repeat(keyColumn) + keyValue(key, value, keyColumn)).join('');
      edits.push({ offset: at, length: 0, content });
    },

    array({ node, removed, inserted }) {
      if (node.flow) return flowArray(node, removed, inserted);
      const items = node.items;
      const dashes = items.map(dashOf);
      const column = columnOf(text, dashes[0]!);
      const gone = new Set(removed);
      for (let i = 0; i < items.length; i++) {
        if (!gone.has(i)) continue;
        let j = i;
        while (j + 1 < items.length && gone.has(j + 1)) j++;
        const ownLine = isBlank(text, lineStartOf(text, dashes[i]!), dashes[i]!);
        if (i > 0 || ownLine) {
          edits.push(wholeLines(lineStartOf(text, dashes[i]!), items[j]!.end));
        } else {
          edits.push({ offset: dashes[i]!, length: dashes[j + 1]! - dashes[i]!, content: '' });
        }
        i = j;
      }
      for (const { after, values } of inserted) {
        if (after < 0) {
          const content = values.map((v) => seqItem(v, column) + eol + ' '.repeat(column)).join('');
          edits.push({ offset: dashes[0]!, length: 0, content });
        } else {
          const content = values.map((v) => eol + ' '.repeat(column) + seqItem(v, column)).join('');
          edits.push({ offset: insertionPoint(items[after]!.end, column), length: 0, content });
        }
      }
    },
  };

  function flowObject(node: ObjectNode, removed: number[], added: Array<[string, JsonValue]>) {
    const entries: FlowEntry[] = node.props.map((p) => ({ start: p.keyStart, end: p.value.end }));
    const layout = flowLayout(text, node.start, node.end, entries, style.indent);
    const texts = added.map(([key, value]) => `${flow(key)}: ${flow(value)}`);
    let anchor = entries.length - 1;
    while (anchor > 0 && removed.includes(anchor)) anchor--;
    edits.push(...flowEdits({ start: node.start, end: node.end, entries, removed, inserted: [{ after: anchor, texts }] }, layout, eol));
  }

  function flowArray(node: ArrayNode, removed: number[], inserted: Array<{ after: number; values: JsonValue[] }>) {
    const entries: FlowEntry[] = node.items.map((item) => ({ start: item.start, end: item.end }));
    const layout = flowLayout(text, node.start, node.end, entries, style.indent);
    const rendered = inserted.map(({ after, values }) => ({ after, texts: values.map(flow) }));
    edits.push(...flowEdits({ start: node.start, end: node.end, entries, removed, inserted: rendered }, layout, eol));
  }

  diffValue(parsed.root, { kind: 'root' }, parsed.value, after, sink);
  return edits;
}
