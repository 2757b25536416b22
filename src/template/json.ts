// JSON templates through jsonc-parser: a tree with offsets, strict-JSON checks reported with
// positions (comments and trailing commas are JSONC, not CloudFormation), and the file's style.
import { parseTree, printParseErrorCode, visit, type Node as JsoncNode, type ParseError } from 'jsonc-parser';
import type { JsonValue } from '../types.js';
import { SourceError, type SourceNotice } from './errors.js';
import { MAX_NESTING, TOO_DEEP, type ParsedSource, type SourceNode, type TextStyle } from './tree.js';

export interface ParsedJson extends ParsedSource {
  format: 'json';
  style: TextStyle;
  notices: SourceNotice[];
}

export function parseJson(text: string): ParsedJson {
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  const offsetBase = bom ? 1 : 0;

  // jsonc-parser recurses once per level: thousands of levels end in a RangeError, not an error.
  const tooDeep = nestingPastLimit(body);
  if (tooDeep >= 0) throw new SourceError(TOO_DEEP, tooDeep + offsetBase);

  const errors: ParseError[] = [];
  const tree = parseTree(body, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length > 0 || !tree) {
    const first = errors[0];
    const message = first ? describeParseError(first.error) : 'empty file';
    throw new SourceError(`invalid JSON: ${message}`, (first?.offset ?? 0) + offsetBase);
  }

  // JSON.parse is exact and fast for strict JSON, and when it accepts the text there are no
  // comments or trailing commas to report; only JSONC needs the second, strict parse.
  let value: JsonValue | undefined;
  try {
    value = JSON.parse(body) as JsonValue;
  } catch {
    value = undefined;
  }
  const notices = value === undefined ? jsoncNotices(body, offsetBase) : [];
  const root = convert(tree, offsetBase);
  value ??= valueOf(root, tree);
  return { format: 'json', body, bom, root, value, style: detectJsonStyle(body), notices };
}

/**
 * The value of a JSON text, exactly as `parseJson(text).value` gives it (and throwing the same
 * errors), without building a source tree when the text is strict JSON: JSON.parse plus a
 * duplicate-key scan (JSON.parse would silently keep the last of two equal keys) and the nesting
 * bound (JSON.parse has none).
 */
export function parseJsonValue(text: string): JsonValue {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: JsonValue;
  try {
    value = JSON.parse(body) as JsonValue;
  } catch {
    return parseJson(text).value;
  }
  return hasDuplicateKey(body) || nestingPastLimit(body) >= 0 ? parseJson(text).value : value;
}

/**
 * Offset of the bracket that opens level MAX_NESTING + 1, or -1. Strings and comments are skipped
 * the way jsonc-parser's scanner reads them (a string also ends at a line break), so brackets
 * inside them do not count and none that the parser would recurse into is missed.
 */
export function nestingPastLimit(body: string): number {
  let depth = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_NESTING) return i;
    } else if (c === 0x7d || c === 0x5d) {
      if (depth > 0) depth--;
    } else if (c === 0x22) {
      for (i++; i < n; i++) {
        const d = body.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22 || d === 0x0a || d === 0x0d) break;
      }
    } else if (c === 0x2f && body.charCodeAt(i + 1) === 0x2f) {
      for (i += 2; i < n; i++) {
        const d = body.charCodeAt(i);
        if (d === 0x0a || d === 0x0d) break;
      }
    } else if (c === 0x2f && body.charCodeAt(i + 1) === 0x2a) {
      const close = body.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 1;
    }
  }
  return -1;
}

/** Whether an object in `body`, which must be strict JSON, has the same key twice. */
export function hasDuplicateKey(body: string): boolean {
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x22) {
      // A string: its closing quote is the first one not escaped by an odd run of backslashes.
      let j = i;
      for (;;) {
        j = body.indexOf('"', j + 1);
        let k = j - 1;
        while (body.charCodeAt(k) === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      if (expectKey) {
        const raw = body.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        const keys = stack[stack.length - 1]!;
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] !== null;
    }
  }
  return false;
}

function describeParseError(code: number): string {
  const names: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'property name expected',
    ValueExpected: 'value expected',
    ColonExpected: 'colon expected',
    CommaExpected: 'comma expected',
    CloseBraceExpected: 'closing brace expected (truncated file?)',
    CloseBracketExpected: 'closing bracket expected (truncated file?)',
    EndOfFileExpected: 'end of file expected (more than one JSON value?)',
    InvalidCommentToken: 'invalid comment',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in string (raw newline or control character?)',
  };
  const name = printParseErrorCode(code as Parameters<typeof printParseErrorCode>[0]);
  return names[name] ?? name;
}

/** Comments and trailing commas: loadable, but not valid CloudFormation JSON. */
function jsoncNotices(body: string, offsetBase: number): SourceNotice[] {
  const notices: SourceNotice[] = [];
  const strictErrors: ParseError[] = [];
  parseTree(body, strictErrors, { allowTrailingComma: false, disallowComments: true });
  if (strictErrors.length === 0) return notices;
  visit(
    body,
    {
      onComment: (offset) => {
        notices.push({ code: 'jsonc-comment', message: 'comment in JSON: CloudFormation rejects comments', offset: offset + offsetBase });
      },
    },
    { disallowComments: false, allowTrailingComma: true },
  );
  // A trailing comma shows up as a strict error right before a closing bracket.
  for (const error of strictErrors) {
    const name = printParseErrorCode(error.error);
    if (name !== 'PropertyNameExpected' && name !== 'ValueExpected') continue;
    const comma = previousSignificant(body, error.offset);
    if (comma >= 0 && body[comma] === ',') {
      notices.push({ code: 'jsonc-trailing-comma', message: 'trailing comma: CloudFormation rejects it', offset: comma + offsetBase });
    }
  }
  // One comma can stand behind several strict errors: report it once.
  const seen = new Set<string>();
  return notices
    .filter((n) => {
      const key = `${n.code}:${n.offset}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.offset - b.offset);
}

function previousSignificant(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  return i;
}

function convert(node: JsoncNode, base: number): SourceNode {
  // Offsets stay relative to the body; `base` is only for error positions.
  switch (node.type) {
    case 'object': {
      const props = [];
      const seen = new Map<string, number>();
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || !valueNode) throw new SourceError('invalid JSON: property without a value', prop.offset + base);
        const key = String(keyNode.value);
        if (seen.has(key)) {
          throw new SourceError(`duplicate key "${key}": the value CloudFormation uses is ambiguous, fix it by hand`, keyNode.offset + base);
        }
        seen.set(key, keyNode.offset);
        props.push({ key, keyStart: keyNode.offset, keyEnd: keyNode.offset + keyNode.length, value: convert(valueNode, base) });
      }
      return { kind: 'object', flow: true, start: node.offset, end: node.offset + node.length, props };
    }
    case 'array':
      return {
        kind: 'array',
        flow: true,
        start: node.offset,
        end: node.offset + node.length,
        items: (node.children ?? []).map((child) => convert(child, base)),
      };
    default:
      return { kind: 'scalar', block: false, start: node.offset, end: node.offset + node.length };
  }
}

function valueOf(_root: SourceNode, tree: JsoncNode): JsonValue {
  const build = (node: JsoncNode): JsonValue => {
    if (node.type === 'object') {
      const out: Record<string, JsonValue> = {};
      for (const prop of node.children ?? []) out[String(prop.children![0]!.value)] = build(prop.children![1]!);
      return out;
    }
    if (node.type === 'array') return (node.children ?? []).map(build);
    return node.value as JsonValue;
  };
  return build(tree);
}

export function detectEol(text: string): '\n' | '\r\n' {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

/** The indentation unit: tabs if lines start with tabs, else the most common positive step. */
export function detectIndent(text: string, fallback = '  '): string {
  let tabs = 0;
  let spaces = 0;
  const steps = new Map<number, number>();
  let previous = 0;
  const re = /\n([ \t]*)(?=\S)/g;
  let m: RegExpExecArray | null;
  let lines = 0;
  while ((m = re.exec(text)) && lines++ < 2000) {
    const ws = m[1]!;
    if (ws.startsWith('\t')) {
      tabs++;
      continue;
    }
    if (ws.length > 0) spaces++;
    const step = ws.length - previous;
    if (step > 0) steps.set(step, (steps.get(step) ?? 0) + 1);
    previous = ws.length;
  }
  if (tabs > spaces) return '\t';
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of steps) {
    if (count > bestCount || (count === bestCount && step < best)) {
      best = step;
      bestCount = count;
    }
  }
  return best > 0 && best <= 8 ? ' '.repeat(best) : fallback;
}

function detectJsonStyle(body: string): TextStyle {
  return { eol: detectEol(body), indent: detectIndent(body) };
}
