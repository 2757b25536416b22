// New YAML subtrees as text: the same output as js-yaml's `dump` with our schemas, built faster.
// `dump` finds each node's tag by asking every tag of the schema in turn (over seventy with the
// CloudFormation short forms) and rebuilds its tables on every call; the writer calls it for
// every key and item it inserts. Here the node tree is built directly for JSON values, with the
// tag choice the schema would make, and handed to js-yaml's own presenter, which does all the
// quoting and layout. test/writer.test.ts checks the output stays byte-identical to `dump`.
import { COLLECTION_STYLE, SCALAR_STYLE, jsToAst, present, type Node, type PresenterOptions, type Schema, type ScalarNode } from 'js-yaml';
import type { JsonValue } from '../types.js';
import { INTRINSIC_TAGS } from '../template/yaml.js';

export interface YamlRenderOptions {
  schema: Schema;
  /** Whether the schema holds the short-form tags (`!Ref`, `!Sub`...) and they are to be used. */
  shortTags: boolean;
  indent: number;
  seqNoIndent: boolean;
  quoteStyle: 'single' | 'double';
}

export interface YamlRenderer {
  /** Block YAML for `value` at column 0, as `dump` prints it (with its final line break). */
  block(value: JsonValue): string;
  /** `value` as an item of a flow list (quoted as a flow context needs), without the brackets
   *  or a line break. Strings are remembered: the same keys come up again and again. */
  flowItem(value: JsonValue): string;
}

const renderers = new WeakMap<Schema, Map<string, YamlRenderer>>();
const REMEMBERED_STRINGS = 20_000;

/** The renderer for these options, made once per process. */
export function yamlRenderer(options: YamlRenderOptions): YamlRenderer {
  let bySchema = renderers.get(options.schema);
  if (!bySchema) renderers.set(options.schema, (bySchema = new Map()));
  const key = `${options.shortTags}|${options.indent}|${options.seqNoIndent}|${options.quoteStyle}`;
  let renderer = bySchema.get(key);
  if (!renderer) bySchema.set(key, (renderer = createYamlRenderer(options)));
  return renderer;
}

/** Long-form key -> short tag, e.g. `Fn::Sub` -> `!Sub`. */
const SHORT_TAG: ReadonlyMap<string, string> = new Map(Object.entries(INTRINSIC_TAGS).map(([tag, key]) => [key, tag]));

export function createYamlRenderer(options: YamlRenderOptions): YamlRenderer {
  const { schema, shortTags } = options;
  const presenter: PresenterOptions = {
    schema,
    indent: options.indent,
    seqNoIndent: options.seqNoIndent,
    quoteStyle: options.quoteStyle,
    lineWidth: -1,
  };
  // Scalars other than strings (numbers, booleans, null) take the schema's own representation,
  // asked once per distinct value; strings share the shape js-yaml gives a plain string.
  const scalarCache = new Map<string, ScalarNode>();
  const schemaScalar = (value: number | boolean | null): ScalarNode => {
    const key = Object.is(value, -0) ? 'number:-0' : `${typeof value}:${String(value)}`;
    let node = scalarCache.get(key);
    if (!node) scalarCache.set(key, (node = jsToAst(value, schema)[0]!.contents as ScalarNode));
    return { ...node };
  };
  const stringShape = jsToAst('text', schema)[0]!.contents as ScalarNode;
  const collectionTag = (value: object) => (jsToAst(value, schema)[0]!.contents as Node & { tag: string }).tag;
  const sequenceTag = collectionTag([]);
  const mappingTag = collectionTag({});

  const build = (value: JsonValue, style: number): Node => {
    if (typeof value === 'string') return { kind: 'scalar', tag: stringShape.tag, tagged: stringShape.tagged, style: stringShape.style, value };
    if (value === null || typeof value !== 'object') return schemaScalar(value);
    if (Array.isArray(value)) return { kind: 'sequence', tag: sequenceTag, tagged: false, style, items: value.map((v) => build(v, style)) } as Node;
    const keys = Object.keys(value);
    const short = shortTags && keys.length === 1 ? SHORT_TAG.get(keys[0]!) : undefined;
    if (short) {
      // The order the schema asks its tags: the scalar form first, then the sequence form; a
      // mapping argument stays in long form.
      const arg = value[keys[0]!]!;
      const isGetAtt = short === '!GetAtt';
      const scalar = isGetAtt ? Array.isArray(arg) && arg.length === 2 && arg.every((s) => typeof s === 'string') : typeof arg === 'string';
      if (scalar) {
        const text = Array.isArray(arg) ? arg.join('.') : (arg as string);
        // `!GetAZs ''`, as documented, rather than a bare `!GetAZs`.
        return { kind: 'scalar', tag: short, tagged: true, style: text === '' ? SCALAR_STYLE.SINGLE_QUOTED : SCALAR_STYLE.PLAIN, value: text } as Node;
      }
      if (Array.isArray(arg)) return { kind: 'sequence', tag: short, tagged: true, style, items: arg.map((v) => build(v, style)) } as Node;
    }
    return {
      kind: 'mapping',
      tag: mappingTag,
      tagged: false,
      style,
      items: keys.map((k) => ({ key: build(k, style), value: build(value[k]!, style) })),
    } as Node;
  };

  const render = (value: JsonValue, style: number) => present([{ contents: build(value, style), directives: [] }], presenter);
  const flowItem = (value: JsonValue) => render([value], COLLECTION_STYLE.FLOW).replace(/\n$/, '').slice(1, -1);
  const strings = new Map<string, string>();
  const pairs = new Map<string, string>();
  return {
    block: (value) => {
      // The writer asks for `k: scalar` and `- scalar` again and again (DeletionPolicy: Retain,
      // tag keys and values): those are remembered.
      const key = smallKey(value);
      if (key === undefined) return render(value, COLLECTION_STYLE.BLOCK);
      let text = pairs.get(key);
      if (text === undefined) {
        if (pairs.size >= REMEMBERED_STRINGS) pairs.clear();
        pairs.set(key, (text = render(value, COLLECTION_STYLE.BLOCK)));
      }
      return text;
    },
    flowItem: (value) => {
      if (typeof value !== 'string') return flowItem(value);
      let text = strings.get(value);
      if (text === undefined) {
        if (strings.size >= REMEMBERED_STRINGS) strings.clear();
        strings.set(value, (text = flowItem(value)));
      }
      return text;
    },
  };
}

/** A key for `{k: scalar}` or `[scalar]` (what the writer renders most), else undefined. */
function smallKey(value: JsonValue): string | undefined {
  let inner: JsonValue;
  let shape: string;
  if (Array.isArray(value)) {
    if (value.length !== 1) return undefined;
    inner = value[0]!;
    shape = '';
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length !== 1) return undefined;
    inner = value[keys[0]!]!;
    shape = `:${keys[0]}`;
  } else return undefined;
  if (inner !== null && typeof inner === 'object') return undefined;
  return JSON.stringify([shape, typeof inner, Object.is(inner, -0) ? '-0' : String(inner)]);
}
