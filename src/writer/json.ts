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
  const style = writingStyle(text);
  const render = (value: JsonValue, baseIndent: string, inline: boolean) =>
    inline ? compactJson(value, style.pad) : prettyJson(value, baseIndent, indent, eol, style);

  const sink: ChangeSink = {
    replace(node: SourceNode, slot: Slot, value: JsonValue) {
      edits.push({
        offset: node.start,
        length: node.end - node.start,
        content: render(value, lineIndentOf(text, node.start), parentInline(slot)),
      });
    },
    object({ node, removed, added, before }) {
      const entries: FlowEntry[] = node.props.map((p) => ({ start: p.keyStart, end: p.value.end }));
      const layout = flowLayout(text, node.start, node.end, entries, indent);
      const sep = layout.multiline ? eol + layout.itemIndent : ' ';
      const prop = ([key, value]: [string, JsonValue]) => `${JSON.stringify(key)}: ${render(value, layout.itemIndent, !layout.multiline)}`;
      for (const entry of added) {
        const index = before?.get(entry[0]);
        if (index !== undefined) edits.push({ offset: entries[index]!.start, length: 0, content: prop(entry) + ',' + sep });
      }
      const texts = added.filter(([key]) => !before?.has(key)).map(prop);
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
export function compactJson(value: JsonValue, pad = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => compactJson(v, pad)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const body = Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v, pad)}`)
      .join(', ');
    return pad && body ? `{ ${body} }` : `{${body}}`;
  }
  return JSON.stringify(value);
}

interface WritingStyle {
  /** Write `{"Ref": "X"}` on one line (most CloudFormation JSON does). */
  inline: boolean;
  /** `{ "Ref": "X" }` rather than `{"Ref": "X"}`. */
  pad: boolean;
  /** Write short lists of scalars on one line (`["dev", "prod"]`), as the file mostly does. */
  inlineScalarLists: boolean;
}

const SCALAR = String.raw`(?:"(?:[^"\\\n]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)`;
const INLINE_SCALAR_LIST = new RegExp(String.raw`\[[ \t]*${SCALAR}(?:[ \t]*,[ \t]*${SCALAR})*[ \t]*\]`, 'g');
const BLOCK_SCALAR_LIST = new RegExp(String.raw`\[[ \t]*\r?\n[ \t]*${SCALAR}[ \t]*[,\r\n]`, 'g');

/** How the file writes intrinsic functions and lists of scalars; files without intrinsics get the
 *  inline style, files without scalar lists the one-item-per-line style. */
function writingStyle(text: string): WritingStyle {
  const inline = text.match(/\{[ \t]*"(?:Ref|Fn::[A-Za-z]+)"/g) ?? [];
  const expanded = (text.match(/\{[ \t]*\r?\n[ \t]*"(?:Ref|Fn::[A-Za-z]+)"/g) ?? []).length;
  const padded = inline.filter((m) => /^\{[ \t]/.test(m)).length;
  const inlineLists = (text.match(INLINE_SCALAR_LIST) ?? []).length;
  const blockLists = (text.match(BLOCK_SCALAR_LIST) ?? []).length;
  return { inline: inline.length >= expanded, pad: padded * 2 > inline.length, inlineScalarLists: inlineLists > blockLists };
}

const INTRINSIC_KEY = /^(Ref|Condition|Fn::[A-Za-z]+)$/;
const INLINE_LIMIT = 80;

/** Multi-line JSON in the file's indentation, with short intrinsics on one line. */
export function prettyJson(value: JsonValue, baseIndent: string, unit: string, eol: string, style: WritingStyle): string {
  const write = (v: JsonValue, level: number): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    const keys = Array.isArray(v) ? [] : Object.keys(v);
    if (style.inline && keys.length === 1 && INTRINSIC_KEY.test(keys[0]!)) {
      const compact = compactJson(v, style.pad);
      // A one-string argument (`{"Fn::Sub": "..."}`) gains nothing from more lines, whatever its length.
      if (compact.length <= INLINE_LIMIT || typeof (v as Record<string, JsonValue>)[keys[0]!] === 'string') return compact;
    }
    if (style.inlineScalarLists && Array.isArray(v) && v.length > 0 && v.every((item) => item === null || typeof item !== 'object')) {
      const compact = compactJson(v);
      if (compact.length <= INLINE_LIMIT) return compact;
    }
    const pad = baseIndent + unit.repeat(level + 1);
    const close = eol + baseIndent + unit.repeat(level);
    if (Array.isArray(v)) return v.length ? `[${eol}${v.map((item) => pad + write(item, level + 1)).join(',' + eol)}${close}]` : '[]';
    return keys.length ? `{${eol}${keys.map((k) => `${pad}${JSON.stringify(k)}: ${write(v[k]!, level + 1)}`).join(',' + eol)}${close}}` : '{}';
  };
  return write(value, 0);
}
