import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { pointer } from '../src/cfn/pointer.js';
import { evaluatedRoots, walkValues } from '../src/cfn/query.js';
import { isKnownServiceAccount } from '../src/cfn/regions.js';
import { asObject, intrinsicName } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

interface Options {
  /** The account ids to rewrite; when given, only these (and no guessing). */
  accounts?: string[] | string;
  [key: string]: unknown;
}

/** A string (or a number written where an account id goes) that CloudFormation evaluates. */
interface Slot {
  pointer: string;
  /** `sub`: the text of an Fn::Sub (edit in place); `plain`: any other string; `number`: a bare number. */
  kind: 'plain' | 'sub' | 'number';
  text: string;
  /** The value is exactly an account id where one is expected (Principal AWS, *Account* keys, ARN-prefixed Join part). */
  accountPosition: boolean;
}

interface WalkContext {
  key: string;
  inPrincipal: boolean;
  principalAws: boolean;
}

const ACCOUNT_ID = /^\d{12}$/;
/** An ARN with a 12-digit account field: partition, service, region, account, resource. */
const ARN_WITH_ACCOUNT = /arn:(aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):([a-z0-9-]+):([a-z0-9-]*|\*|\$\{AWS::Region\}):(\d{12}):([^\s"',]*)/g;
/** Account ids AWS documentation uses as examples; a template holding one means "my account". */
const DOCUMENTATION_ACCOUNTS = new Set(['123456789012', '111122223333', '444455556666']);
/** Resource id prefixes a 12-digit token can follow without being an account id (`vol-123456789012`). */
const RESOURCE_ID_PREFIX = /(?:^|[^A-Za-z0-9])(?:ami|sg|subnet|vpc|igw|eigw|rtb|eni|i|vol|snap|nat|eipalloc|acl|pl|vpce|tgw|lt|fs|fsap|cgw|vgw|dopt|key)-$/;
/** Keys whose literal value is an account id when it is 12 digits (`SourceAccount`, `aws:SourceAccount`, `AccountId`, ...). */
const ACCOUNT_KEY = /account/i;

/**
 * ARNs of resources AWS (or a vendor) publishes from its own accounts: Lambda layers (Lambda
 * Insights, Powertools, the Parameters and Secrets extension, ...), Inspector rules packages,
 * Serverless Application Repository applications. Their account is not the stack's account, so
 * they neither tell which account the template belongs to nor get rewritten unless they name it.
 */
function isPublishedArn(service: string, resource: string): boolean {
  return (
    (service === 'lambda' && resource.startsWith('layer:')) ||
    (service === 'inspector' && resource.startsWith('rulespackage/')) ||
    service === 'serverlessrepo'
  );
}

function isIdToken(text: string, index: number, length: number): boolean {
  const before = text[index - 1];
  const after = text[index + length];
  if (before !== undefined && /[A-Za-z0-9]/.test(before)) return false;
  if (after !== undefined && /[A-Za-z0-9]/.test(after)) return false;
  return !RESOURCE_ID_PREFIX.test(text.slice(0, index));
}

/**
 * Every evaluated string (see {@link evaluatedRoots}) that holds a 12-digit run (nothing else can
 * name an account), in order. A pointer is written only for what is kept: most strings of a
 * template hold no such run.
 */
function slotsOf(template: Template): Slot[] {
  const slots: Slot[] = [];
  for (const root of evaluatedRoots(template)) collect(root.value, root.path, PLAIN, slots);
  return slots;
}

const PLAIN: WalkContext = { key: '', inPrincipal: false, principalAws: false };
const TWELVE_DIGITS = /\d{12}/;

/** The context of a child: an object key names its position, a list item keeps its list's. */
function childContext(parent: WalkContext, segment: string | number): WalkContext {
  if (typeof segment === 'number') return parent;
  return { key: segment, inPrincipal: segment === 'Principal' || segment === 'NotPrincipal', principalAws: parent.inPrincipal && segment === 'AWS' };
}

/**
 * Collects the slots of `value`, found at `at` in context `context`, into `out`. Intrinsics are
 * read by their meaning: only the arguments that are values are visited, some in a plain context.
 */
function collect(value: JsonValue, at: ReadonlyArray<string | number>, context: WalkContext, out: Slot[]): void {
  const contexts: WalkContext[] = [context];
  walkValues(value, at, (v, path) => {
    const depth = path.length - at.length;
    const ctx = depth === 0 ? context : (contexts[depth] = childContext(contexts[depth - 1]!, path[path.length - 1]!));
    if (typeof v === 'string') {
      if (TWELVE_DIGITS.test(v)) out.push({ pointer: pointer(...path), kind: 'plain', text: v, accountPosition: ACCOUNT_ID.test(v) && isAccountPosition(ctx) });
      return;
    }
    if (typeof v === 'number') {
      if (Number.isInteger(v) && ACCOUNT_ID.test(String(v)) && isAccountPosition(ctx)) out.push({ pointer: pointer(...path), kind: 'number', text: String(v), accountPosition: true });
      return;
    }
    const name = intrinsicName(v);
    if (name === undefined) return;
    collectIntrinsic(name, (v as JsonObject)[name]!, path, ctx, out);
    return false;
  });
}

function collectIntrinsic(name: string, arg: JsonValue, path: ReadonlyArray<string | number>, ctx: WalkContext, out: Slot[]): void {
  const inside = (v: JsonValue, segments: Array<string | number>, context: WalkContext) => collect(v, [...path, name, ...segments], context, out);
  switch (name) {
    case 'Fn::Sub':
      if (typeof arg === 'string') {
        if (TWELVE_DIGITS.test(arg)) out.push({ pointer: pointer(...path, name), kind: 'sub', text: arg, accountPosition: false });
      } else if (Array.isArray(arg)) {
        if (typeof arg[0] === 'string' && TWELVE_DIGITS.test(arg[0])) out.push({ pointer: pointer(...path, name, 0), kind: 'sub', text: arg[0], accountPosition: false });
        const vars = asObject(arg[1]);
        for (const k of Object.keys(vars ?? {})) inside(vars![k]!, [1, k], PLAIN);
      }
      return;
    case 'Fn::Join':
      if (Array.isArray(arg) && Array.isArray(arg[1])) {
        const parts = arg[1];
        parts.forEach((part, i) => {
          const previous = parts[i - 1];
          if (typeof part === 'string' && ACCOUNT_ID.test(part) && typeof previous === 'string' && /arn:[^:]*:[^:]*:[^:]*:$/.test(previous)) {
            out.push({ pointer: pointer(...path, name, 1, i), kind: 'plain', text: part, accountPosition: true });
          } else {
            inside(part, [1, i], ctx);
          }
        });
      }
      return;
    case 'Fn::If':
      if (Array.isArray(arg)) for (const i of [1, 2]) if (arg[i] !== undefined) inside(arg[i]!, [i], ctx);
      return;
    case 'Fn::Select':
    case 'Fn::Split':
      if (Array.isArray(arg) && arg[1] !== undefined) inside(arg[1], [1], PLAIN);
      return;
    case 'Fn::Base64':
    case 'Fn::ToJsonString':
      inside(arg, [], PLAIN);
      return;
    default:
      // Ref, Fn::GetAtt, Fn::FindInMap, Fn::ImportValue, Fn::GetAZs, Fn::Cidr, Fn::Transform, ...:
      // their arguments are names, not values.
      return;
  }
}

function isAccountPosition(ctx: WalkContext): boolean {
  return ctx.principalAws || ctx.key === 'Principal' || ACCOUNT_KEY.test(ctx.key);
}


/** Account ids the template shows in account positions (ARN account fields, principals, ...). */
function evidenceOf(slots: Slot[]): Map<string, string> {
  const found = new Map<string, string>(); // id -> pointer of the first sighting
  const note = (id: string, at: string) => {
    if (!isKnownServiceAccount(id) && !found.has(id)) found.set(id, at);
  };
  for (const slot of slots) {
    if (slot.accountPosition) note(slot.text, slot.pointer);
    for (const m of slot.text.matchAll(ARN_WITH_ACCOUNT)) {
      if (!isPublishedArn(m[2]!, m[5]!)) note(m[4]!, slot.pointer);
    }
    for (const m of slot.text.matchAll(/\d{12}/g)) {
      if (DOCUMENTATION_ACCOUNTS.has(m[0]) && isIdToken(slot.text, m.index, 12)) note(m[0], slot.pointer);
    }
  }
  return found;
}

/** `text` with every standalone occurrence of an id in `ids` replaced by `${AWS::AccountId}`. */
function replaceIds(text: string, ids: ReadonlySet<string>): string {
  return text.replace(/\d{12}/g, (match, offset: number) => (ids.has(match) && isIdToken(text, offset, 12) ? '${AWS::AccountId}' : match));
}

function mentions(text: string, ids: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\d{12}/g)) if (ids.has(m[0]) && isIdToken(text, m.index, 12) && !out.includes(m[0])) out.push(m[0]);
  return out;
}

/** Rewrites the literal parts of an Fn::Sub text, leaving `${...}` variables alone. */
function rewriteSub(text: string, ids: ReadonlySet<string>): string {
  let out = '';
  let last = 0;
  const variable = /\$\{[^}]*\}/g;
  for (let m = variable.exec(text); m !== null; m = variable.exec(text)) {
    out += rewriteLiteral(text.slice(last, m.index), ids) + m[0];
    last = m.index + m[0].length;
  }
  return out + rewriteLiteral(text.slice(last), ids);
}

function rewriteLiteral(text: string, ids: ReadonlySet<string>): string {
  return replaceIds(text, ids).replace(/arn:aws:/g, 'arn:${AWS::Partition}:');
}

function parseAccounts(option: unknown): Set<string> | undefined {
  if (option === undefined || option === null) return undefined;
  const list = Array.isArray(option) ? option : typeof option === 'string' ? option.split(',') : [];
  const ids = list.map((x) => String(x).trim()).filter((x) => ACCOUNT_ID.test(x));
  return new Set(ids);
}

export default defineTransform<Options>({
  meta: {
    id: 'account-id-pseudo',
    title: 'Use AWS::AccountId instead of a hard-coded account id',
    severity: 'medium',
    safety: 'safe',
    seeds: ['001#7'],
    equivalents: [
      { tool: 'cfn-lint', id: 'I3042', source: 'https://github.com/aws-cloudformation/cfn-lint/blob/main/src/cfnlint/rules/resources/HardCodedArnProperties.py', note: 'ARNs inside Fn::Sub; flags a hard-coded account only with its accountId setting (by default the partition)' },
    ],
    defaultOptions: {},
    optionsSchema: { type: 'object', additionalProperties: false, properties: { accounts: { type: 'array', items: { type: 'string', pattern: '^[0-9]{12}$' } } } },
    docs: `## Why
A literal account id in ARNs, principals and names ties the template to one account: deployed
anywhere else, key policies lock out the real account, IAM policies grant nothing (or something
in the wrong account) and bucket names collide. \`\${AWS::AccountId}\` resolves to the account the
stack is deployed in, and \`\${AWS::Partition}\` makes the same ARNs work in China and GovCloud.

## Fix
Finds the template's own account id: 12-digit ids in account positions — the account field of an
ARN, a bare id under \`Principal: {AWS: ...}\` or a Lambda permission \`Principal\`, the value of an
\`*Account*\` key such as \`aws:SourceAccount\` or \`SourceAccount\`, a \`Fn::Join\` part following
\`arn:...:\` — plus AWS's documentation ids (123456789012, 111122223333, 444455556666) wherever they
appear. Not counted: AWS service accounts (ELB log delivery, from the region facts) and accounts
that publish resources (Lambda layer ARNs such as Lambda Insights or Powertools, Inspector rules
packages, Serverless Application Repository applications — those are never rewritten either: SAM
reads an application id before CloudFormation resolves intrinsics).

When exactly one id is found, every standalone occurrence of it in evaluated strings
(\`Resources.*.Properties\`, \`Outputs.*.Value\` and \`Export\`) — ARNs, principals, paths such as
\`AWSLogs/123456789012/\`, names such as \`logs-123456789012\` — becomes \`\${AWS::AccountId}\`:
- a string inside \`Fn::Sub\` is edited in place (variables untouched, no double wrapping);
- another string becomes \`Fn::Sub\` (a literal \`\${\` in it is escaped as \`\${!\`), and a string that
  is exactly the id becomes \`{Ref: AWS::AccountId}\` (also a \`Fn::Join\` part);
- in the strings it rewrites, \`arn:aws:\` becomes \`arn:\${AWS::Partition}:\`.
A 12-digit run inside a longer number or word, or after a resource-id prefix (\`vol-\`, \`snap-\`,
...), is not an account id and is left alone.

When several ids are found (say the stack's account and a security account trusted across
accounts), nothing is rewritten: each id is reported, and the \`accounts\` option says which ones
are the stack's own. Parameter defaults and Mappings are left alone: they cannot hold intrinsics,
and an account id there is an input the deployer can change.

## Fix safety
Safe under the assumption the catalogue makes: the id is the account the stack is deployed in
(the template was written for it). Where that holds, the rewritten template resolves to exactly
the same values. A template meant to reference *another* account with a single literal id
would be changed in meaning; use \`accounts: []\` to turn rewriting off for it, or name the ids.

## Options
- \`accounts\` (list of 12-digit ids, default: found automatically): rewrite only these ids, and
  treat them as the stack's own account wherever they stand alone.
`,
  },
  check({ template, options }) {
    const slots = slotsOf(template);
    const explicit = parseAccounts(options.accounts);
    let ids: Set<string>;
    const findings: Finding[] = [];
    if (explicit) {
      ids = explicit;
    } else {
      const evidence = evidenceOf(slots);
      if (evidence.size > 1) {
        const all = [...evidence.keys()].sort().join(', ');
        for (const [id, at] of evidence) {
          findings.push({
            pointer: at,
            messageId: 'severalAccounts',
            message: `Hard-coded account id ${id}; the template names several accounts (${all}), so none is rewritten: list the stack's own in the accounts option`,
          });
        }
        return findings;
      }
      ids = new Set(evidence.keys());
    }
    if (ids.size === 0) return findings;

    const fx = new Fixer(template);
    for (const slot of slots) {
      // SAM resolves Serverless Application Repository ids before CloudFormation runs: keep them literal.
      if (slot.text.includes(':serverlessrepo:')) continue;
      const named = slot.kind === 'number' ? (ids.has(slot.text) ? [slot.text] : []) : mentions(slot.text, ids);
      if (named.length === 0) continue;
      if (slot.kind === 'number' || (slot.kind === 'plain' && ids.has(slot.text))) fx.set(slot.pointer, { Ref: 'AWS::AccountId' });
      else if (slot.kind === 'sub') fx.set(slot.pointer, rewriteSub(slot.text, ids));
      else fx.set(slot.pointer, { 'Fn::Sub': rewriteLiteral(slot.text.replace(/\$\{/g, '${!'), ids) });
      findings.push({
        pointer: slot.kind === 'sub' ? slot.pointer.replace(/\/Fn::Sub(\/0)?$/, '') : slot.pointer,
        messageId: 'hardCodedAccount',
        message: `Hard-coded account id ${named.join(', ')}; use \${AWS::AccountId} so the template works in any account`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
