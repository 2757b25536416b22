import { defineTransform } from '../src/transform.js';
import { pointer } from '../src/cfn/pointer.js';
import { resourcesOfType } from '../src/cfn/template.js';
import { asObject, renderText, sameText } from '../src/cfn/monitoring.js';
import type { Finding, JsonObject, JsonValue, Operation, Template } from '../src/types.js';

interface Options extends Record<string, unknown> {
  keepFor: unknown;
}

const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', '${AWS::Partition}'];
/** What follows `arn:<partition>:s3` in the values people write for "every bucket". */
const EVERY_BUCKET_SUFFIXES = ['', ':::', ':::*', ':::*/', ':::*/*'];

/** True for a DataResources value (or advanced StartsWith value) that selects every bucket's objects. */
function isEveryBucket(v: unknown): boolean {
  const text = renderText(v);
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
  const buckets = new Set(resourcesOfType(t, 'AWS::S3::Bucket').map((b) => b.id));
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

function equalsOnly(f: Readonly<JsonObject>, expected: string): boolean {
  const keys = Object.keys(f).filter((k) => k !== 'Field');
  const equals = f['Equals'];
  return keys.length === 1 && Array.isArray(equals) && equals.length === 1 && equals[0] === expected;
}

export default defineTransform<Options>({
  meta: {
    id: 'cloudtrail-data-events',
    title: 'Do not log S3 data events for every bucket in the account',
    severity: 'medium',
    safety: 'unsafe',
    seeds: ['001#8'],
    order: 50,
    defaultOptions: { keepFor: [] },
    docs: `## Why
A trail event selector whose S3 data resource is "every bucket" (\`arn:aws:s3\`, \`arn:aws:s3:::\`,
or the \`arn:aws:s3:::*/*\` models like to write) records every GetObject and PutObject in the
account, including writes to the trail's own log bucket and every bucket the application uses at
volume. Data events are billed per event (about $0.10 per 100,000) on top of the log storage:
a busy application can multiply the trail's cost and volume many times over while the
security-relevant record — who changed buckets, policies, keys and roles — is already in the
management events.

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
AWS::S3::Object\` and no \`resources.ARN\` filter (or only \`StartsWith\` an every-bucket value) is
removed when another selector logs management events, or scoped to the \`keepFor\` buckets with a
\`resources.ARN StartsWith\` filter.

A selector that logs no management events (\`IncludeManagementEvents: false\`, or advanced
selectors without a Management one) is only reported: removing its data events would leave a
trail that logs nothing, which is a decision for its author (use \`keepFor\`).

## Fix safety
Unsafe: the trail records fewer events. Object-level reads and writes of buckets not in
\`keepFor\` are no longer audited; if a compliance rule requires them for some bucket, list it in
\`keepFor\`.

## Options
- \`keepFor\` (default \`[]\`): logical ids of \`AWS::S3::Bucket\`s whose object events stay logged.
  In \`tapfix.config.json\`: \`{"transforms": {"cloudtrail-data-events": {"options": {"keepFor": ["PatientRecordsBucket"]}}}}\`.
`,
  },
  check({ template, options }) {
    const findings: Finding[] = [];
    const kept = keptBuckets(template, options.keepFor);

    for (const { id, resource } of resourcesOfType(template, 'AWS::CloudTrail::Trail')) {
      const props = asObject(resource.Properties);
      if (!props) continue;
      const base = pointer('Resources', id, 'Properties');
      const report = (at: string, message: string, ops: Operation[]) => {
        if ('problem' in kept) findings.push({ pointer: at, message: `${message} (not fixed: ${kept.problem})` });
        else findings.push({ pointer: at, message, fix: { ops } });
      };
      const keepIds = 'ids' in kept ? kept.ids : [];

      const selectors = props['EventSelectors'];
      if (Array.isArray(selectors)) {
        selectors.forEach((s, i) => {
          const selector = asObject(s);
          const resources = selector?.['DataResources'];
          if (!selector || !Array.isArray(resources)) return;
          const at = `${base}/EventSelectors/${i}`;
          const plans: { index: number; drop: number[]; add: JsonValue[]; remaining: number }[] = [];
          const present: JsonValue[] = [];
          resources.forEach((r, j) => {
            const dataResource = asObject(r);
            if (dataResource?.['Type'] !== 'AWS::S3::Object' || !Array.isArray(dataResource['Values'])) return;
            const values = dataResource['Values'];
            present.push(...values);
            const drop = values.map((v, k) => (isEveryBucket(v) ? k : -1)).filter((k) => k >= 0);
            if (drop.length) plans.push({ index: j, drop, add: [], remaining: values.length - drop.length });
          });
          if (!plans.length) return;
          plans[0]!.add = keepIds.map(bucketValue).filter((v) => !present.some((p) => sameText(p, v)));
          plans[0]!.remaining += plans[0]!.add.length;
          const emptied = plans.filter((p) => p.remaining === 0).length;
          const noneLeft = emptied === resources.length;
          const message = `Trail ${id} logs S3 object events for every bucket in the account`;
          if (noneLeft && selector['IncludeManagementEvents'] === false) {
            findings.push({ pointer: `${at}/DataResources`, message: `${message} and no management events; set keepFor to the buckets that need object-level auditing` });
            return;
          }
          const ops: Operation[] = [];
          if (noneLeft) ops.push({ op: 'remove', path: `${at}/DataResources` });
          else {
            for (const plan of [...plans].sort((a, b) => b.index - a.index)) {
              const rp = `${at}/DataResources/${plan.index}`;
              if (plan.remaining === 0) {
                ops.push({ op: 'remove', path: rp });
                continue;
              }
              for (const k of [...plan.drop].sort((a, b) => b - a)) ops.push({ op: 'remove', path: `${rp}/Values/${k}` });
              for (const v of plan.add) ops.push({ op: 'add', path: `${rp}/Values/-`, value: v });
            }
          }
          const scope = keepIds.length ? `; keeps object events for ${keepIds.join(', ')}` : '; keeps management events';
          report(`${at}/DataResources`, message + scope, ops);
        });
      }

      const advanced = props['AdvancedEventSelectors'];
      if (Array.isArray(advanced)) {
        const logsManagement = advanced.some((s) => {
          const selector = asObject(s);
          return !!selector && field(selector, 'eventCategory').some((f) => equalsOnly(f.value, 'Management'));
        });
        // Highest index first: a removal never shifts a selector a later op addresses.
        for (let i = advanced.length - 1; i >= 0; i--) {
          const selector = asObject(advanced[i]);
          if (!selector) continue;
          const category = field(selector, 'eventCategory');
          const type = field(selector, 'resources.type');
          if (category.length !== 1 || !equalsOnly(category[0]!.value, 'Data')) continue;
          if (type.length !== 1 || !equalsOnly(type[0]!.value, 'AWS::S3::Object')) continue;
          const arns = field(selector, 'resources.ARN');
          if (arns.length > 1) continue;
          const arn = arns[0];
          if (arn) {
            const keys = Object.keys(arn.value).filter((k) => k !== 'Field');
            const startsWith = arn.value['StartsWith'];
            if (keys.length !== 1 || !Array.isArray(startsWith) || !startsWith.length || !startsWith.every(isEveryBucket)) continue;
          }
          const at = `${base}/AdvancedEventSelectors/${i}`;
          const message = `Trail ${id} logs S3 object events for every bucket in the account`;
          if (keepIds.length) {
            const values = keepIds.map(bucketValue);
            const ops: Operation[] = arn
              ? [{ op: 'replace', path: `${at}/FieldSelectors/${arn.index}/StartsWith`, value: values }]
              : [{ op: 'add', path: `${at}/FieldSelectors/-`, value: { Field: 'resources.ARN', StartsWith: values } }];
            report(at, `${message}; keeps object events for ${keepIds.join(', ')}`, ops);
          } else if (logsManagement) {
            report(at, `${message}; removes the selector (another selector keeps management events)`, [{ op: 'remove', path: at }]);
          } else {
            findings.push({ pointer: at, message: `${message} and no selector logs management events; set keepFor to the buckets that need object-level auditing` });
          }
        }
      }
    }
    return findings;
  },
});
