// JSON: value changes -> text edits in the file's own indentation and line endings.
import type { JsonValue } from '../types.js';
import type { ParsedJson } from '../template/json.js';
import type { SourceNode } from '../template/tree.js';
import { diffValue, type ChangeSink, type Slot } from './diff.js';
import { lineIndentOf, type TextEdit } from './edits.js';
import { flowEdits, flowLayout, type FlowEntry } from './flow.js';

export function jsonEdits(parsed: ParsedJson, after: JsonValue): TextEdit[] {
  const text = parsed.body;
  const { eol, indent } = parsed.style;
  const edits: TextEdit[] = [];

  const isInline = (start: number, end: number) => !text.slice(start, end).includes('\n');
  const parentInline = (slot: Slot): boolean =>
    slot.kind === 'tagged' ? parentInline(slot.outer) : slot.kind !== 'root' && isInline(slot.parent.start, slot.parent.end);
  const render = (value: JsonValue, baseIndent: string, inline: boolean) =>
    inline ? compactJson(value) : JSON.stringify(value, null, indent).split('\n').join(eol + baseIndent);

  const sink: ChangeSink = {
    replace(node: SourceNode, slot: Slot, value: JsonValue) {
      edits.push({
        offset: node.start,
        length: node.end - node.start,
        content: render(value, lineIndentOf(text, node.start), parentInline(slot)),
      });
    },
    object({ node, removed, added }) {
      const entries: FlowEntry[] = node.props.map((p) => ({ start: p.keyStart, end: p.value.end }));
      const layout = flowLayout(text, node.start, node.end, entries, indent);
      const texts = added.map(([key, value]) => `${JSON.stringify(key)}: ${render(value, layout.itemIndent, !layout.multiline)}`);
      let anchor = entries.length - 1;
      while (anchor > 0 && removed.includes(anchor)) anchor--;
      edits.push(...flowEdits({ start: node.start, end: node.end, entries, removed, inserted: [{ after: anchor, texts }] }, layout, eol));
    },
    array({ node, removed, inserted }) {
      const entries: FlowEntry[] = node.items.map((item) => ({ start: item.start, end: item.end }));
      const layout = flowLayout(text, node.start, node.end, entries, indent);
      const rendered = inserted.map(({ after, values }) => ({
        after,
        texts: values.map((v) => render(v, layout.itemIndent, !layout.multiline)),
      }));
      edits.push(...flowEdits({ start: node.start, end: node.end, entries, removed, inserted: rendered }, layout, eol));
    },
  };
  diffValue(parsed.root, { kind: 'root' }, parsed.value, after, sink);
  return edits;
}

/** One-line JSON with a space after `:` and `,`, as people write inline objects. */
export function compactJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}
