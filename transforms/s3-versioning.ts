import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, propertiesComputed, resources } from '../src/cfn/query.js';
import { BUCKET_TYPE } from '../src/cfn/s3.js';
import { asObject, hasOwn, intrinsicName } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue } from '../src/types.js';

interface Options extends Record<string, unknown> {
  /** Days a noncurrent version is kept by the lifecycle rule the fix adds; 0 keeps them forever. */
  noncurrentExpirationDays: number;
}

const RULE_ID = 'ExpireNoncurrentVersions';
const UPLOADS_RULE_ID = 'AbortIncompleteUploads';

/** An Id for the added lifecycle rule that no rule of the bucket uses (S3 refuses duplicate Ids). */
function uniqueRuleId(rules: ReadonlyArray<Readonly<JsonObject>>, base: string): string {
  const used = new Set(rules.map((r) => r['Id']));
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}${n}`;
  return id;
}

/** True when a lifecycle rule removes current objects (which, with versioning, only hides them). */
function expiresObjects(rule: Readonly<JsonObject>): boolean {
  return hasOwn(rule, 'ExpirationInDays') || hasOwn(rule, 'ExpirationDate');
}

/** True when a lifecycle rule removes noncurrent versions. */
function expiresVersions(rule: Readonly<JsonObject>): boolean {
  return hasOwn(rule, 'NoncurrentVersionExpiration') || hasOwn(rule, 'NoncurrentVersionExpirationInDays');
}

/** The lifecycle rules as plain objects, or undefined when the configuration is computed or oddly shaped. */
function lifecycleRules(value: JsonValue | undefined): Array<Readonly<JsonObject>> | undefined {
  if (value === undefined) return [];
  const config = asObject(value);
  if (!config || intrinsicName(config)) return undefined;
  const rules = config['Rules'];
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) return undefined;
  const out = rules.map((r) => (intrinsicName(r) ? undefined : asObject(r)));
  return out.every((r): r is Readonly<JsonObject> => r !== undefined) ? out : undefined;
}

export default defineTransform<Options>({
  meta: {
    id: 's3-versioning',
    title: 'Keep previous versions of S3 objects, expiring them after a retention window',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.S3.PR.11', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/s3/ct-s3-pr-11.guard' },
      { tool: 'checkov', id: 'CKV_AWS_21', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/S3Versioning.py' },
    ],
    enabledByDefault: false,
    defaultOptions: { noncurrentExpirationDays: 90 },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { noncurrentExpirationDays: { type: 'integer', minimum: 0 } },
    },
    docs: `## Why
Without versioning an overwrite or a delete (a bug, a compromised credential, ransomware that
rewrites objects) destroys the data for good. With versioning S3 keeps the previous version of
every object, and a delete only adds a delete marker. AWS Control Tower checks it with
CT.S3.PR.11; Security Hub S3.14 and most backup policies ask for it.

## Fix
Sets \`VersioningConfiguration: {Status: Enabled}\` on every \`AWS::S3::Bucket\` without it.

Versioning keeps every overwritten and deleted version, so storage only grows. The fix bounds it,
and keeps Control Tower's CT.S3.PR.3 (a versioned bucket needs an enabled lifecycle rule) passing:
- a bucket without an enabled lifecycle rule, or whose enabled rules limit neither objects nor
  noncurrent versions (transitions only, say), gets one:
  \`{Id: ExpireNoncurrentVersions, Status: Enabled, NoncurrentVersionExpiration: {NoncurrentDays: 90},
  AbortIncompleteMultipartUpload: {DaysAfterInitiation: 7}}\` (the rule the access-log bucket
  s3-access-logging creates has the same shape). Current objects are never expired by it; a
  version is removed 90 days after it stopped being current, which is the window in which an
  overwrite or delete can be undone (\`noncurrentExpirationDays\`; 0 keeps versions forever and
  adds only the multipart clean-up, as a rule named \`AbortIncompleteUploads\`);
- an enabled rule that expires objects (\`ExpirationInDays\`, \`ExpirationDate\`) and keeps no
  limit on noncurrent versions gets \`NoncurrentVersionExpiration\` with the same number of days
  as its \`ExpirationInDays\` (the option's when it expires by date or the days are not a
  number): on a versioned bucket expiring an object only turns it into a noncurrent version, so
  without this the temporary or log data the author meant to delete would be kept forever.

\`Status: Suspended\` written out is a decision (a bucket that stopped keeping versions on
purpose): reported, not changed. A \`VersioningConfiguration\` or \`LifecycleConfiguration\`
computed by an intrinsic is left alone (the lifecycle part could not be checked).

## Fix safety
Safe: enabling versioning is an in-place update and changes no request that works today;
readers still get the current version. It costs storage for the versions kept (bounded by the
noncurrent-version expiration), and once enabled versioning can only be suspended, not removed.
The transform is off by default for that cost: enable it with \`--enable s3-versioning\`.

## Options
- \`noncurrentExpirationDays\` (default 90): days after which a noncurrent version is deleted by
  the lifecycle rule the fix adds; 0 keeps every version.
`,
  },
  check({ template: t, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(t);
    const days = Number.isInteger(options.noncurrentExpirationDays) && options.noncurrentExpirationDays >= 0 ? options.noncurrentExpirationDays : 90;
    for (const bucket of resources(t, BUCKET_TYPE)) {
      if (propertiesComputed(bucket)) continue;
      const versioning = property(bucket, 'VersioningConfiguration');
      const status = property(bucket, 'VersioningConfiguration', 'Status');
      if (status?.value === 'Enabled') continue;
      if (versioning !== undefined && (intrinsicName(versioning.value) !== undefined || !asObject(versioning.value) || intrinsicName(status?.value) !== undefined)) continue;
      if (status?.value === 'Suspended') {
        findings.push({
          pointer: status.pointer,
          messageId: 'versioningSuspended',
          message: `Bucket ${bucket.id} suspends versioning; overwritten and deleted objects cannot be recovered`,
        });
        continue;
      }
      const lifecycle = property(bucket, 'LifecycleConfiguration');
      const rules = lifecycleRules(lifecycle?.value);
      if (rules === undefined) continue;
      fx.setProperty(bucket.id, ['VersioningConfiguration'], { Status: 'Enabled' });
      const enabled = rules.filter((r) => r['Status'] === 'Enabled');
      const notes: string[] = [];
      if (!enabled.some(expiresVersions)) {
        rules.forEach((rule, index) => {
          if (rule['Status'] !== 'Enabled' || !expiresObjects(rule)) return;
          const own = rule['ExpirationInDays'];
          const after = typeof own === 'number' && Number.isInteger(own) && own > 0 ? own : days;
          if (after === 0) return;
          fx.set(`${lifecycle!.pointer}/Rules/${index}/NoncurrentVersionExpiration`, { NoncurrentDays: after });
          notes.push(`noncurrent versions expiring after ${after} days in lifecycle rule ${typeof rule['Id'] === 'string' ? rule['Id'] : index}`);
        });
      }
      // A rule of our own: versioned buckets need an enabled rule (CT.S3.PR.3), and one whose
      // rules bound no noncurrent version (transitions only, say) gets the bound.
      if (enabled.length === 0 || (notes.length === 0 && days > 0 && !enabled.some(expiresVersions))) {
        const rule: JsonObject = { Id: uniqueRuleId(rules, days > 0 ? RULE_ID : UPLOADS_RULE_ID), Status: 'Enabled' };
        if (days > 0) rule['NoncurrentVersionExpiration'] = { NoncurrentDays: days };
        rule['AbortIncompleteMultipartUpload'] = { DaysAfterInitiation: 7 };
        if (lifecycle === undefined || !hasOwn(asObject(lifecycle.value), 'Rules')) fx.setProperty(bucket.id, ['LifecycleConfiguration', 'Rules'], [rule]);
        else fx.append(`${lifecycle.pointer}/Rules`, rule);
        notes.push(days > 0 ? `a lifecycle rule expiring noncurrent versions after ${days} days` : 'a lifecycle rule aborting incomplete uploads');
      }
      findings.push({
        pointer: versioning?.pointer ?? bucket.pointer,
        messageId: 'noVersioning',
        message: `Bucket ${bucket.id} does not keep previous versions of its objects; fix: enable versioning${notes.length > 0 ? ` with ${notes.join(', ')}` : ''}`,
        fix: fx.take(),
      });
    }
    return findings;
  },
});
