import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resource, resources, type ResourceView } from '../src/cfn/query.js';
import { bucketOfName } from '../src/cfn/s3.js';
import { asObject, sameText, subText } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Template } from '../src/types.js';

interface Options extends Record<string, unknown> {
  keepFor: unknown;
}

const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', '${AWS::Partition}'];
/** What follows `arn:<partition>:s3` in the values people write for "every bucket". */
const EVERY_BUCKET_SUFFIXES = ['', ':::', ':::*', ':::*/', ':::*/*'];

/** True for a DataResources value (or advanced StartsWith value) that selects every bucket's objects. */
function isEveryBucket(v: unknown): boolean {
  const text = subText(v);
  if (text === undefined) return false;
  return PARTITIONS.some((p) => EVERY_BUCKET_SUFFIXES.some((s) => text === `arn:${p}:s3${s}`));
}

/** The values that log one bucket's objects: `${Bucket.Arn}/`. */
function bucketValue(bucketId: string): JsonValue {
  return { 'Fn::Sub': '${' + bucketId + '.Arn}/' };
}

/** The keepFor buckets, or a problem when the option names something that is not a bucket here. */
function keptBuckets(t: Template, option: unknown): { ids: string[] } | { problem: string } {
  if (option === undefined || option === null) return { ids: [] };
  const list = typeof option === 'string' ? [option] : option;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) return { problem: 'keepFor must be a list of bucket logical ids' };
  const buckets = new Set(resources(t, 'AWS::S3::Bucket').map((b) => b.id));
  const unknown = (list as string[]).filter((id) => !buckets.has(id));
  if (unknown.length) return { problem: `keepFor names ${unknown.join(', ')}, not an AWS::S3::Bucket of this template` };
  return { ids: [...new Set(list as string[])] };
}

function field(selector: Readonly<JsonObject>, name: string): { index: number; value: Readonly<JsonObject> }[] {
  const fields = selector['FieldSelectors'];
  if (!Array.isArray(fields)) return [];
  const out: { index: number; value: Readonly<JsonObject> }[] = [];
  fields.forEach((f, index) => {
    const o = asObject(f);
    if (o && o['Field'] === name) out.push({ index, value: o });
  });
  return out;
}

/**
 * Where a trail delivers its log files, as the texts an S3 object ARN prefix naming that bucket is
 * written with, so that a selector value can be compared with it whatever form either takes.
 */
interface Destination {
  /** The template bucket the trail writes to, when it is one. */
  bucketId: string | undefined;
  /** The bucket as messages name it. */
  label: string;
  /** `arn:<partition>:s3:::<name>` for every name the bucket is written with, and `${Bucket.Arn}`. */
  arns: string[];
  /** Key prefixes of the delivered files; undefined when S3KeyPrefix cannot be read. */
  roots: string[] | undefined;
  /** A `resources.ARN NotStartsWith` value that leaves the bucket out. */
  exclusion: JsonValue;
}

function destinationOf(t: Template, trail: ResourceView): Destination | undefined {
  const nameValue = property(trail, 'S3BucketName')?.value;
  const bucketId = bucketOfName(t, nameValue);
  // An empty name would turn `arn:aws:s3:::` (every bucket) into "the trail's bucket".
  const usable = (name: string | undefined): name is string => !!name && !name.includes('*');
  const written = subText(nameValue);
  const names = new Set<string>();
  if (usable(written)) names.add(written);
  if (bucketId !== undefined) {
    names.add('${' + bucketId + '}');
    const bucket = resource(t, bucketId);
    const declared = bucket && subText(property(bucket, 'BucketName')?.value);
    if (usable(declared)) names.add(declared);
  }
  if (!names.size) return undefined;
  const arns = [...names].flatMap((name) => PARTITIONS.map((p) => `arn:${p}:s3:::${name}`));
  if (bucketId !== undefined) arns.push('${' + bucketId + '.Arn}');
  // CloudTrail writes <S3KeyPrefix>/AWSLogs/...; a prefix written with its own trailing slash is
  // read both ways rather than guessing which one the service keeps.
  const prefixValue = property(trail, 'S3KeyPrefix')?.value;
  const keyPrefix = prefixValue === undefined ? '' : subText(prefixValue);
  const roots = keyPrefix === undefined ? undefined : keyPrefix === '' ? ['AWSLogs/'] : [`${keyPrefix}/AWSLogs/`, ...(keyPrefix.endsWith('/') ? [`${keyPrefix}AWSLogs/`] : [])];
  if (bucketId !== undefined) return { bucketId, label: bucketId, arns, roots, exclusion: bucketValue(bucketId) };
  const name = written as string;
  return { bucketId, label: name, arns, roots, exclusion: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::' + name + '/' } };
}

/**
 * True for an object ARN prefix that takes in the files the trail delivers: every bucket, the
 * trail's bucket, or a key prefix of it that overlaps the delivery prefix. A `*` is read as its
 * author meant it (the rest of the bucket), though CloudTrail documents no wildcard there.
 */
function takesInDeliveries(destination: Destination, value: unknown): boolean {
  if (isEveryBucket(value)) return true;
  const text = subText(value);
  if (text === undefined) return false;
  for (const arn of destination.arns) {
    if (text === arn) return true;
    if (!text.startsWith(arn + '/')) continue;
    const key = text.slice(arn.length + 1).replace(/\*.*$/, '');
    return destination.roots ? destination.roots.some((root) => root.startsWith(key) || key.startsWith(root)) : key === '';
  }
  return false;
}

/** Whether an advanced field selector certainly lets `value` through (literal operators only). */
function admits(f: Readonly<JsonObject>, value: string): boolean {
  return Object.keys(f).every((operator) => {
    if (operator === 'Field') return true;
    const list = f[operator];
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' || typeof v === 'boolean')) return false;
    const values = list.map(String);
    switch (operator) {
      case 'Equals': return values.includes(value);
      case 'NotEquals': return !values.includes(value);
      case 'StartsWith': return values.some((v) => value.startsWith(v));
      case 'NotStartsWith': return !values.some((v) => value.startsWith(v));
      case 'EndsWith': return values.some((v) => value.endsWith(v));
      case 'NotEndsWith': return !values.some((v) => value.endsWith(v));
      default: return false;
    }
  });
}

/**
 * True when an S3 data selector certainly logs the PutObject that delivers a log file (a write,
 * event name PutObject). Any other field — userIdentity.arn, eventSource... — could filter the
 * delivery out, so the selector is left to its author.
 */
function logsDeliveryWrite(selector: Readonly<JsonObject>): boolean {
  const fields = selector['FieldSelectors'];
  return Array.isArray(fields) && fields.every((f) => {
    const o = asObject(f);
    switch (o?.['Field']) {
      case 'eventCategory':
      case 'resources.type':
      case 'resources.ARN':
        return true;
      case 'readOnly':
        return admits(o, 'false');
      case 'eventName':
        return admits(o, 'PutObject');
      default:
        return false;
    }
  });
}

/** The `resources.ARN` condition of an advanced selector: null when there is none, undefined when it is not read here. */
function arnCondition(selector: Readonly<JsonObject>): { index: number; startsWith?: JsonValue[]; notStartsWith?: JsonValue[] } | null | undefined {
  const arns = field(selector, 'resources.ARN');
  if (arns.length === 0) return null;
  if (arns.length > 1) return undefined;
  const { index, value } = arns[0]!;
  const operators = Object.keys(value).filter((k) => k !== 'Field');
  if (!operators.length || operators.some((k) => (k !== 'StartsWith' && k !== 'NotStartsWith') || !Array.isArray(value[k]))) return undefined;
  const list = (k: string) => (Array.isArray(value[k]) ? [...(value[k] as JsonValue[])] : undefined);
  const startsWith = list('StartsWith');
  const notStartsWith = list('NotStartsWith');
  return { index, ...(startsWith ? { startsWith } : {}), ...(notStartsWith ? { notStartsWith } : {}) };
}

function equalsOnly(f: Readonly<JsonObject>, expected: string): boolean {
  const keys = Object.keys(f).filter((k) => k !== 'Field');
  const equals = f['Equals'];
  return keys.length === 1 && Array.isArray(equals) && equals.length === 1 && equals[0] === expected;
}

export default defineTransform<Options>({
  meta: {
    id: 'cloudtrail-data-events',
    title: "Do not log S3 data events for every bucket or for the trail's own log bucket",
    severity: 'medium',
    safety: 'unsafe',
    seeds: ['001#8'],
    equivalents: [],
    order: 50,
    defaultOptions: { keepFor: [] },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { keepFor: { type: 'array', items: { type: 'string' } } } },
    docs: `## Why
A trail event selector whose S3 data resource is "every bucket" (\`arn:aws:s3\`, \`arn:aws:s3:::\`,
or the \`arn:aws:s3:::*/*\` models like to write) records every GetObject and PutObject in the
account, including writes to the trail's own log bucket and every bucket the application uses at
volume. Data events are billed per event (about $0.10 per 100,000) on top of the log storage:
a busy application can multiply the trail's cost and volume many times over while the
security-relevant record — who changed buckets, policies, keys and roles — is already in the
management events.

A selector that logs object writes of the bucket the trail delivers to (\`S3BucketName\`) — by
naming it (\`\${TrailBucket.Arn}/\`, \`arn:\${AWS::Partition}:s3:::\${TrailBucket}/\`, its name) or by
taking in every bucket — logs its own deliveries: each log file CloudTrail writes is a \`PutObject\`
the trail records, the record goes into the next log file, which is another \`PutObject\`, and so on
for as long as the trail runs. AWS calls these *recursive events*
([Suppressing recursive events with recursive logging](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-trail-recursive-logging.html))
and shows leaving the trail's bucket out of S3 data events as the way to avoid them
([Filtering data events by using advanced event selectors](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/filtering-data-events.html)).
The records only say that CloudTrail delivered a file, and each is billed as a data event. The
trail setting that suppresses them, \`RecursiveLogging\`, is not a property of
\`AWS::CloudTrail::Trail\` in the resource specification tapfix checks its fixes against, so the
fix is in the selectors.

## Fix
In \`EventSelectors\`, removes the every-bucket values from \`AWS::S3::Object\` data resources
(literal, \`Fn::Sub\` with \`\${AWS::Partition}\`, or \`Fn::Join\`; any partition); a data resource
left with no value is removed, and a selector left with no data resource loses its
\`DataResources\` key — a selector with only \`ReadWriteType\` / \`IncludeManagementEvents\` is valid
and keeps logging management events (both default to \`All\` / \`true\`). Data resources for
specific buckets, Lambda functions or other types are kept.

The \`keepFor\` option lists bucket logical ids whose object events should still be logged
(e.g. the bucket holding regulated data): they replace the wildcard as \`{"Fn::Sub": "\${Bucket.Arn}/"}\`,
which selects that bucket's objects only.

\`AdvancedEventSelectors\`: a selector with \`eventCategory = Data\`, \`resources.type =
AWS::S3::Object\` and no \`resources.ARN\` filter (or only \`StartsWith\` an every-bucket value,
or only \`NotStartsWith\` exclusions: every bucket but a few is still every bucket) is removed when
another selector logs management events, or scoped to the \`keepFor\` buckets with a
\`resources.ARN StartsWith\` filter.

A selector that logs no management events (\`IncludeManagementEvents: false\`, or advanced
selectors without a Management one) is only reported: removing its data events would leave a
trail that logs nothing, which is a decision for its author (use \`keepFor\`).

The trail's own log bucket is its \`S3BucketName\`: a \`Ref\` to a template bucket, a literal name,
a parameter, or a name equal to a template bucket's \`BucketName\` (a bucket computed by
\`Fn::If\` or \`Fn::ImportValue\` is not known, and nothing is changed for it). Selector values are
compared with it whatever form they are written in (literal, \`Fn::Sub\`, \`Fn::GetAtt\`,
\`Fn::Join\`; any partition). A key prefix counts when it overlaps where the trail delivers
(\`<S3KeyPrefix>/AWSLogs/\`): \`\${TrailBucket.Arn}/exports/\` stays when the trail delivers under
another prefix. A value ending in \`/*\`, which CloudTrail does not document as a wildcard, is read
as its author meant it: the rest of the bucket. Only selectors that can log a delivery count:
\`ReadWriteType: ReadOnly\`, \`readOnly = true\` or an \`eventName\` filter that leaves out
\`PutObject\` cannot, and an advanced selector with a field this rule does not read
(\`userIdentity.arn\`, \`eventSource\`...) is left to its author.

- \`EventSelectors\`: the values naming the trail's bucket are removed like the every-bucket ones.
  A data-events-only selector (\`IncludeManagementEvents: false\`) that would be left with nothing
  is reported instead.
- \`AdvancedEventSelectors\`: a \`resources.ARN StartsWith\` value naming the trail's bucket is
  removed; a selector that names nothing else is removed while another selector remains, and
  reported when it is the trail's only one.
- \`keepFor\` never puts the trail's own log bucket back: for that trail it is skipped, and the
  message says so.

Every bucket, data events only (the selectors the every-bucket fix only reports): an advanced
selector keeps logging every bucket but the trail's own, through a \`resources.ARN NotStartsWith\`
field with \`\${TrailBucket.Arn}/\` (\`arn:\${AWS::Partition}:s3:::<name>/\` for a bucket outside the
template) — the exclusion the filtering page above describes. A basic selector is reported, not
converted: \`arn:aws:s3\` cannot leave one bucket out, and moving to \`AdvancedEventSelectors\` means
rewriting every selector of the trail at once (a trail has one kind or the other), with
\`ReadWriteType\`, \`ExcludeManagementEventSources\` and the other data resource types — a rewrite
for its author to review, not one to receive unasked. The message says how.

## Fix safety
Unsafe: the trail records fewer events. Object-level reads and writes of buckets not in
\`keepFor\` are no longer audited; if a compliance rule requires them for some bucket, list it in
\`keepFor\`.

Removing the trail's own bucket from its data events also stops recording other principals'
reads and writes of the log files. Those belong in the bucket's server access logs, written to
another bucket (\`s3-access-logging\` sets that up for trail buckets), or in a trail that delivers
elsewhere; in the trail's own bucket they were buried under its deliveries.

## Options
- \`keepFor\` (default \`[]\`): logical ids of \`AWS::S3::Bucket\`s whose object events stay logged.
  In \`tapfix.config.json\`: \`{"transforms": {"cloudtrail-data-events": {"options": {"keepFor": ["PatientRecordsBucket"]}}}}\`.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const kept = keptBuckets(template, options.keepFor);

    for (const trail of resources(template, 'AWS::CloudTrail::Trail')) {
      if (!trail.properties) continue;
      const id = trail.id;
      const destination = destinationOf(template, trail);
      /** A fix that keepFor decides: reported unfixed when the option is wrong, else built by `edit`. */
      const report = (at: string, messageId: string, message: string, edit: () => void) => {
        if ('problem' in kept) {
          findings.push({ pointer: at, messageId, message: `${message} (not fixed: ${kept.problem})` });
          return;
        }
        edit();
        findings.push({ pointer: at, messageId, message, fix: fx.take() });
      };
      // Logging the trail's own bucket is the loop this rule removes, so keepFor never puts it back.
      const allKept = 'ids' in kept ? kept.ids : [];
      const keepIds = allKept.filter((b) => b !== destination?.bucketId);
      const notKept = keepIds.length < allKept.length ? ` (not ${destination!.bucketId}: it is this trail's log bucket)` : '';
      const keeps = keepIds.length ? `; keeps object events for ${keepIds.join(', ')}${notKept}` : `; keeps management events${notKept}`;
      const everyBucket = (writes: boolean) => `Trail ${id} logs S3 object events for every bucket in the account${writes ? ', its own log bucket included' : ''}`;
      const ownBucket = `Trail ${id} logs S3 object events for its own log bucket ${destination?.label}, so each log file it delivers is a PutObject it logs again`;

      const selectors = property(trail, 'EventSelectors');
      if (selectors && Array.isArray(selectors.value)) {
        selectors.value.forEach((s, i) => {
          const selector = asObject(s);
          const dataResources = selector?.['DataResources'];
          if (!selector || !Array.isArray(dataResources)) return;
          const at = `${selectors.pointer}/${i}`;
          const readWrite = selector['ReadWriteType'];
          const writes = readWrite === undefined || readWrite === 'All' || readWrite === 'WriteOnly';
          const plans: { index: number; drop: number[]; add: JsonValue[]; remaining: number }[] = [];
          const present: JsonValue[] = [];
          let every = false;
          let own = false;
          dataResources.forEach((r, j) => {
            const dataResource = asObject(r);
            if (dataResource?.['Type'] !== 'AWS::S3::Object' || !Array.isArray(dataResource['Values'])) return;
            const values = dataResource['Values'];
            present.push(...values);
            const drop: number[] = [];
            values.forEach((v, k) => {
              if (isEveryBucket(v)) every = true;
              else if (writes && destination && takesInDeliveries(destination, v)) own = true;
              else return;
              drop.push(k);
            });
            if (drop.length) plans.push({ index: j, drop, add: [], remaining: values.length - drop.length });
          });
          if (!plans.length) return;
          if (every) {
            plans[0]!.add = keepIds.map(bucketValue).filter((v) => !present.some((p) => sameText(p, v)));
            plans[0]!.remaining += plans[0]!.add.length;
          }
          const emptied = plans.filter((p) => p.remaining === 0).length;
          const noneLeft = emptied === dataResources.length;
          const message = every ? everyBucket(writes) + (own ? `, and names its own log bucket ${destination!.label} as well` : '') : ownBucket;
          if (noneLeft && selector['IncludeManagementEvents'] === false) {
            const advice = every
              ? `set keepFor to the buckets that need object-level auditing${writes ? ' (EventSelectors cannot leave the log bucket out of every bucket; AdvancedEventSelectors can, with resources.ARN NotStartsWith)' : ''}`
              : 'remove the selector, or log that bucket from a trail that delivers elsewhere';
            findings.push({ pointer: `${at}/DataResources`, messageId: every ? 'everyBucketDataOnly' : 'ownBucketDataOnly', message: `${message}, and this selector logs no management events; ${advice}` });
            return;
          }
          const edit = () => {
            if (noneLeft) {
              fx.remove(`${at}/DataResources`);
              return;
            }
            for (const plan of [...plans].sort((a, b) => b.index - a.index)) {
              const rp = `${at}/DataResources/${plan.index}`;
              if (plan.remaining === 0) {
                fx.remove(rp);
                continue;
              }
              for (const k of [...plan.drop].sort((a, b) => b - a)) fx.remove(`${rp}/Values/${k}`);
              for (const v of plan.add) fx.append(`${rp}/Values`, v);
            }
          };
          if (every) report(`${at}/DataResources`, 'everyBucket', message + keeps, edit);
          else {
            edit();
            findings.push({ pointer: `${at}/DataResources`, messageId: 'ownBucket', message: `${message}; stops logging it`, fix: fx.take() });
          }
        });
      }

      const advanced = property(trail, 'AdvancedEventSelectors');
      if (advanced && Array.isArray(advanced.value)) {
        const list = advanced.value;
        const logsManagement = list.some((s) => {
          const selector = asObject(s);
          return !!selector && field(selector, 'eventCategory').some((f) => equalsOnly(f.value, 'Management'));
        });
        let left = list.length;
        // Highest index first: a removal never shifts a selector a later op addresses.
        for (let i = list.length - 1; i >= 0; i--) {
          const selector = asObject(list[i]);
          if (!selector) continue;
          const category = field(selector, 'eventCategory');
          const type = field(selector, 'resources.type');
          if (category.length !== 1 || !equalsOnly(category[0]!.value, 'Data')) continue;
          if (type.length !== 1 || !equalsOnly(type[0]!.value, 'AWS::S3::Object')) continue;
          const arn = arnCondition(selector);
          if (arn === undefined) continue;
          const at = `${advanced.pointer}/${i}`;
          const fields = `${at}/FieldSelectors`;
          const loops = !!destination && logsDeliveryWrite(selector) && !arn?.notStartsWith?.some((v) => takesInDeliveries(destination, v));

          if (!arn?.startsWith || (arn.startsWith.length && arn.startsWith.every(isEveryBucket))) {
            const message = everyBucket(loops);
            if (keepIds.length) {
              const values = keepIds.map(bucketValue);
              const scoped = { Field: 'resources.ARN', StartsWith: values };
              report(at, 'everyBucket', message + keeps, () => {
                if (!arn) fx.append(fields, scoped);
                else if (arn.notStartsWith) fx.set(`${fields}/${arn.index}`, scoped);
                else fx.set(`${fields}/${arn.index}/StartsWith`, values);
              });
            } else if (logsManagement) {
              left--;
              report(at, 'everyBucket', `${message}; removes the selector (another selector keeps management events)`, () => fx.remove(at));
            } else {
              findings.push({ pointer: at, messageId: 'everyBucketDataOnly', message: `${everyBucket(false)} and no selector logs management events; set keepFor to the buckets that need object-level auditing` });
              if (loops) {
                const exclusion = destination!.exclusion;
                if (!arn) fx.append(fields, { Field: 'resources.ARN', NotStartsWith: [exclusion] });
                else if (arn.notStartsWith) fx.append(`${fields}/${arn.index}/NotStartsWith`, exclusion);
                else fx.set(`${fields}/${arn.index}`, { Field: 'resources.ARN', NotStartsWith: [exclusion] });
                findings.push({ pointer: at, messageId: 'ownBucket', message: `${ownBucket}; leaves it out with resources.ARN NotStartsWith`, fix: fx.take() });
              }
            }
            continue;
          }

          if (!loops) continue;
          const drop = arn.startsWith.map((v, k) => (takesInDeliveries(destination!, v) ? k : -1)).filter((k) => k >= 0);
          if (!drop.length) continue;
          if (drop.length < arn.startsWith.length) {
            for (const k of drop.reverse()) fx.remove(`${fields}/${arn.index}/StartsWith/${k}`);
            findings.push({ pointer: at, messageId: 'ownBucket', message: `${ownBucket}; stops logging it`, fix: fx.take() });
          } else if (left > 1) {
            left--;
            fx.remove(at);
            findings.push({ pointer: at, messageId: 'ownBucket', message: `${ownBucket}; removes the selector, which logs nothing else`, fix: fx.take() });
          } else {
            findings.push({ pointer: at, messageId: 'ownBucketOnlySelector', message: `${ownBucket}, and it is the trail's only selector; remove it, or log that bucket from a trail that delivers elsewhere` });
          }
        }
      }
    }
    return findings;
  },
});
