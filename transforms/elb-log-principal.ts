import { defineTransform } from '../src/transform.js';
import { pointer } from '../src/cfn/pointer.js';
import { elbAccountIds, elbLogDeliveryServicePrincipal, regionFacts } from '../src/cfn/regions.js';
import { asObject, BUCKET_POLICY_TYPE, jsonEqual, oneOrMany, policyStatements } from '../src/cfn/s3.js';
import { freshLogicalId, intrinsicName, resourcesOfType } from '../src/cfn/template.js';
import type { Finding, JsonObject, JsonValue, Operation, Severity, Template } from '../src/types.js';

const MAPPING_BASE = 'ElbLogAccounts';
/** A service principal people write for ELB log delivery that S3 never sees ELB use. */
const WRONG_SERVICE = 'elasticloadbalancing.amazonaws.com';
const ARN = /^arn:(?:aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):iam::(\d{12}):root$/;

/** Region code -> `{AccountId}` for every region with an ELB log-delivery account (sorted). */
function mappingTable(): JsonObject {
  const table: JsonObject = {};
  for (const [region, account] of [...elbAccountIds()].sort(([a], [b]) => a.localeCompare(b))) table[region] = { AccountId: account };
  return table;
}

function portablePrincipal(mapName: string): JsonObject {
  return {
    'Fn::Sub': [
      'arn:${AWS::Partition}:iam::${ElbAccount}:root',
      { ElbAccount: { 'Fn::FindInMap': [mapName, { Ref: 'AWS::Region' }, 'AccountId'] } },
    ],
  };
}

/**
 * The account id a principal value names as a literal: `"127311923021"`,
 * `"arn:aws:iam::127311923021:root"`, `!Sub "arn:${AWS::Partition}:iam::127311923021:root"`, or
 * a Fn::Join of literals and `!Ref AWS::Partition` spelling such an ARN.
 */
function literalAccount(v: JsonValue): string | undefined {
  let text: string | undefined;
  if (typeof v === 'string') {
    if (/^\d{12}$/.test(v)) return v;
    text = v;
  } else {
    const name = intrinsicName(v);
    const arg = name ? (v as JsonObject)[name] : undefined;
    if (name === 'Fn::Sub') {
      if (typeof arg === 'string') text = arg;
      else if (Array.isArray(arg) && typeof arg[0] === 'string' && (arg.length === 1 || Object.keys(asObject(arg[1]) ?? {}).length === 0)) text = arg[0];
    } else if (name === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
      const parts: string[] = [];
      for (const part of arg[1]) {
        if (typeof part === 'string') parts.push(part);
        else if (asObject(part)?.['Ref'] === 'AWS::Partition' && intrinsicName(part) === 'Ref') parts.push('${AWS::Partition}');
        else return undefined;
      }
      text = parts.join(arg[0]);
    }
  }
  const m = text === undefined ? null : ARN.exec(text);
  return m ? m[1] : undefined;
}

interface Plan {
  /** Mapping name to use, and the op that creates it (absent when it already exists). */
  mapName: string;
  mappingOps: Operation[];
}

function planMapping(t: Template): Plan {
  const table = mappingTable();
  const mappings = asObject(t.Mappings);
  if (mappings && jsonEqual(mappings[MAPPING_BASE], table)) return { mapName: MAPPING_BASE, mappingOps: [] };
  const mapName = freshLogicalId(t, MAPPING_BASE);
  // The same op in every finding's fix: applying it twice gives the same template, and a fix
  // suppressed on one resource never leaves another fix pointing at a missing mapping.
  const mappingOps: Operation[] = mappings
    ? [{ op: 'add', path: pointer('Mappings', mapName), value: table }]
    : [{ op: 'add', path: pointer('Mappings'), value: { [mapName]: table } }];
  return { mapName, mappingOps };
}

export default defineTransform({
  meta: {
    id: 'elb-log-principal',
    title: 'Grant ELB access-log delivery to the account of the stack region',
    severity: 'critical',
    safety: 'safe',
    seeds: ['000#16'],
    defaultOptions: {},
    docs: `## Why
An Application or Classic Load Balancer writes access logs to S3 as an AWS-owned account that is
different in every region (us-east-1: 127311923021, us-west-1: 027434742980, ...). The bucket
policy must allow that region's account. A policy naming another region's account is accepted
by CloudFormation, but the load balancer cannot write: enabling access logs fails with *Access
Denied for bucket*, or logs silently stop. Models often copy the us-east-1 account into
templates for other regions, or write the non-existent service principal
\`elasticloadbalancing.amazonaws.com\`.

## Fix
In every \`AWS::S3::BucketPolicy\` statement that allows an ELB log-delivery account — the
principal is \`arn:aws:iam::<account>:root\`, the bare account id, or a \`Fn::Sub\`/\`Fn::Join\`
spelling that ARN, and the account is one of the ELB accounts — or the wrong service principal
\`elasticloadbalancing.amazonaws.com\`:
- When the region is known and the account is that region's, nothing changes.
- Otherwise the principal is made region-portable:
  \`!Sub ['arn:\${AWS::Partition}:iam::\${ElbAccount}:root', {ElbAccount: !FindInMap [ElbLogAccounts, !Ref 'AWS::Region', AccountId]}]\`,
  and a \`Mappings\` table \`ElbLogAccounts\` (region -> \`AccountId\`) is added with every region
  that has an ELB account. Severity is critical when the region is known (the template is wrong
  there), high when it is not (it works only in the account's own region).
- When the region is known and launched in or after August 2022 (e.g. ap-southeast-4,
  eu-central-2, il-central-1), it has no ELB account: the principal becomes
  \`{Service: logdelivery.elasticloadbalancing.amazonaws.com}\`.

Statements that already use \`Fn::FindInMap\`, a parameter, or the
\`logdelivery.elasticloadbalancing.amazonaws.com\` service principal are left alone. Other
12-digit accounts (cross-account access) are never touched.

The catalogue's ideal writes the literal us-west-1 account. That fixes one region and breaks
every other; the Mapping keeps the template correct wherever it is deployed. The Mapping cannot
serve regions launched after August 2022 (they have no ELB account and \`Fn::FindInMap\` fails the
deployment there with a clear error rather than silently losing logs): such a template needs the
service principal, which tapfix writes when it knows the region.

Source of the accounts: \`data/aws-facts.json\` (\`elbAccountId\` per region), taken from the AWS
ALB user guide "Enable access logs" (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html),
cross-checked with aws-cdk \`ELBV2_ACCOUNTS\` (region-info fact tables) and the Terraform AWS
provider's \`accountIDPerRegionMap\`; China and GovCloud accounts from their partition docs.

## Fix safety
Safe: in the region of the original account the Mapping resolves to the same account, so
nothing changes there; everywhere else delivery starts working. The policy grants the same
actions on the same resources as before.

## Options
None.
`,
  },
  check({ template, region }) {
    const findings: Finding[] = [];
    const accounts = elbAccountIds();
    const regionOf = new Map([...accounts].map(([r, a]) => [a, r]));
    const facts = region ? regionFacts(region) : undefined;
    const servicePrincipal = elbLogDeliveryServicePrincipal();
    let plan: Plan | undefined;

    for (const policy of resourcesOfType(template, BUCKET_POLICY_TYPE)) {
      const view = policyStatements(policy.pointer, policy.resource.Properties);
      const statements: Array<{ statement: JsonValue; at: string }> =
        view.kind === 'list'
          ? view.items.map((statement, i) => ({ statement, at: `${view.pointer}/${i}` }))
          : view.kind === 'single'
            ? [{ statement: view.statement, at: view.pointer }]
            : [];

      for (const { statement, at } of statements) {
        const s = asObject(statement);
        if (!s || s['Effect'] !== 'Allow') continue;
        const principal = asObject(s['Principal']);
        if (!principal || intrinsicName(principal)) continue;
        const services = oneOrMany(principal['Service']);
        if (services.includes(servicePrincipal)) continue;

        const aws = principal['AWS'];
        const awsValues = oneOrMany(aws);
        const elbIndexes: number[] = [];
        const found: string[] = [];
        awsValues.forEach((v, i) => {
          const account = literalAccount(v);
          if (account !== undefined && regionOf.has(account)) {
            elbIndexes.push(i);
            found.push(account);
          }
        });
        const wrongService = services.includes(WRONG_SERVICE);
        if (elbIndexes.length === 0 && !wrongService) continue;

        // The template works in its known region when it names that region's account.
        if (!wrongService && facts?.elbAccountId && found.includes(facts.elbAccountId)) continue;

        const principalAt = `${at}/Principal`;
        const distinct = [...new Set(found)];
        const what =
          distinct.length === 0
            ? `the service principal ${WRONG_SERVICE} is not the one ELB delivers access logs as`
            : distinct.length === 1
              ? `account ${distinct[0]!} is the ELB account of ${regionOf.get(distinct[0]!)!}`
              : `accounts ${distinct.join(', ')} are the ELB accounts of ${distinct.map((a) => regionOf.get(a)!).join(', ')}`;
        let message: string;
        let severity: Severity;
        if (facts?.elbLogDeliveryServicePrincipal) {
          severity = 'critical';
          message = `${what}; ${region} has no ELB account (launched after August 2022) and delivers access logs only as the service principal ${servicePrincipal}`;
          const next: JsonObject = { ...principal };
          const keptAws = awsValues.filter((_, i) => !elbIndexes.includes(i));
          if (keptAws.length === 0) delete next['AWS'];
          else next['AWS'] = Array.isArray(aws) ? keptAws : keptAws[0]!;
          const keptServices = services.filter((x) => x !== WRONG_SERVICE);
          next['Service'] = keptServices.length === 0 ? servicePrincipal : [...keptServices, servicePrincipal];
          findings.push({ pointer: principalAt, severity, message, fix: { ops: [{ op: 'replace', path: principalAt, value: next }] } });
          continue;
        }

        plan ??= planMapping(template);
        const portable = portablePrincipal(plan.mapName);
        if (found.length === 0) {
          severity = 'critical';
          message = `${what}: access logs will fail to deliver`;
        } else if (facts?.elbAccountId) {
          severity = 'critical';
          message = `${what}, not ${region}: access logs will fail to deliver`;
        } else {
          severity = 'high';
          message = `${what} only: deployed in any other region, access logs fail to deliver (region unknown; the principal is made portable with a per-region lookup)`;
        }

        const ops: Operation[] = [...plan.mappingOps];
        if (wrongService) {
          // Swap the service for the account principal; keep any other principals.
          const next: JsonObject = { ...principal };
          const keptServices = services.filter((x) => x !== WRONG_SERVICE);
          if (keptServices.length === 0) delete next['Service'];
          else next['Service'] = Array.isArray(principal['Service']) ? keptServices : keptServices[0]!;
          const keptAws = awsValues.filter((_, i) => !elbIndexes.includes(i));
          next['AWS'] = keptAws.length === 0 ? portable : [...keptAws, portable];
          ops.push({ op: 'replace', path: principalAt, value: next });
        } else if (!Array.isArray(aws)) {
          ops.push({ op: 'replace', path: `${principalAt}/AWS`, value: portable });
        } else {
          ops.push({ op: 'replace', path: `${principalAt}/AWS/${elbIndexes[0]!}`, value: portable });
          for (const i of elbIndexes.slice(1).reverse()) ops.push({ op: 'remove', path: `${principalAt}/AWS/${i}` });
        }
        findings.push({ pointer: Array.isArray(aws) || wrongService ? principalAt : `${principalAt}/AWS`, severity, message, fix: { ops } });
      }
    }
    return findings;
  },
});
