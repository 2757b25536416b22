// Region facts for the transforms, read lazily from data/aws-facts.json (a copy of
// shared/data/aws-facts.json made by scripts/copy-aws-facts.mjs; every entry keeps its `sources`).
// Sources behind the fields:
// - partition, name: botocore botocore/data/partitions.json
//   (github:boto/botocore@0e6e2404b85dc336dd2889814e089bde7d1a4c55).
// - elbAccountId / elbLogDeliveryServicePrincipal: AWS ALB guide "Enable access logs"
//   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html),
//   docs.amazonaws.cn ELB page for China, cross-checked with aws-cdk ELBV2_ACCOUNTS and Terraform
//   accountIDPerRegionMap. Regions launched in or after Aug 2022 have no ELB account and use the
//   service principal logdelivery.elasticloadbalancing.amazonaws.com.
// - availabilityZones: cfn-lint src/cfnlint/helpers.py AVAILABILITY_ZONES. AZ letters are mapped per
//   account in older regions; prefer Fn::GetAZs over hard-coded names.
// - amazonLinuxSsmParameters: aws-cdk machine-image generators (amazon-linux-2023.ts,
//   amazon-linux2.ts); AL2 end of support 2026-06-30, AL2023 supported until 2029-06-30.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegionFacts } from '../types.js';

export type Partition = RegionFacts['partition'];
export type AmazonLinuxArch = 'x86_64' | 'arm64';
export type AmazonLinuxGeneration = 'al2023' | 'al2';

export interface AvailabilityZonesCaveat {
  note: string;
  otherObservedNames?: string[];
  accountSpecific?: boolean;
  [key: string]: unknown;
}

/** {@link RegionFacts} plus the provenance fields kept in data/aws-facts.json. */
export interface RegionFactsDetail extends RegionFacts {
  /** `arn:<partition>:iam::<elbAccountId>:root`, or null when the region has no ELB account. */
  elbPrincipalArn: string | null;
  /** Present only where sources disagree about the region's AZ names. */
  availabilityZonesCaveat?: AvailabilityZonesCaveat;
  sources: string[];
}

interface FactsFile {
  sources: string[];
  regions: Record<string, Omit<RegionFactsDetail, 'region'>>;
  elbLogDelivery: { servicePrincipal: string; [key: string]: unknown };
  amazonLinuxSsmParameters: Record<AmazonLinuxGeneration, Record<string, unknown>>;
  notes: Record<string, unknown>;
}

interface LoadedFacts {
  file: FactsFile;
  regions: Map<string, RegionFactsDetail>;
  elbAccounts: Map<string, string>;
  elbAccountSet: Set<string>;
}

const FACTS_RELATIVE_PATH = join('data', 'aws-facts.json');
let loaded: LoadedFacts | undefined;

/**
 * The project root: the nearest directory at or above this module holding both package.json and
 * data/aws-facts.json (src/cfn/ under vitest, dist/src/cfn/ once compiled).
 */
function findProjectRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, FACTS_RELATIVE_PATH))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`tapfix: cannot find ${FACTS_RELATIVE_PATH} in any directory above ${start}`);
}

function load(): LoadedFacts {
  if (loaded) return loaded;
  const file = JSON.parse(readFileSync(join(findProjectRoot(), FACTS_RELATIVE_PATH), 'utf8')) as FactsFile;
  const regions = new Map<string, RegionFactsDetail>();
  const elbAccounts = new Map<string, string>();
  for (const [region, facts] of Object.entries(file.regions)) {
    const detail = deepFreezeFacts({ region, ...facts });
    regions.set(region, detail);
    if (detail.elbAccountId) elbAccounts.set(region, detail.elbAccountId);
  }
  loaded = { file, regions, elbAccounts, elbAccountSet: new Set(elbAccounts.values()) };
  return loaded;
}

function deepFreezeFacts<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreezeFacts(child);
  }
  return v;
}

/** Facts for a region code (e.g. `us-west-1`), or undefined for a region not in the data. */
export function regionFacts(region: string): RegionFactsDetail | undefined {
  return load().regions.get(region);
}

/** Every region in the data, sorted by region code. */
export function allRegions(): RegionFactsDetail[] {
  return [...load().regions.values()];
}

/** Region code -> ELB log-delivery account id, for the regions that have one. */
export function elbAccountIds(): Map<string, string> {
  return new Map(load().elbAccounts);
}

/**
 * True when `accountId` is an AWS-owned ELB log-delivery account (any region), i.e. a principal
 * that legitimately appears in an access-log bucket policy. Only ELB accounts are in the facts:
 * AWS accounts that publish Lambda layers (e.g. the Lambda Insights or Powertools layer
 * accounts) are not, so a layer ARN's account is not "known" here.
 */
export function isKnownServiceAccount(accountId: string): boolean {
  return load().elbAccountSet.has(accountId);
}

/** The service principal for ALB access-log delivery in regions without an ELB account. */
export function elbLogDeliveryServicePrincipal(): string {
  return load().file.elbLogDelivery.servicePrincipal;
}

/**
 * Public SSM parameter path of the latest Amazon Linux AMI, for a parameter of type
 * `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>` or `{{resolve:ssm:<path>}}`.
 * AL2023 (default) is current; AL2 reached end of support on 2026-06-30.
 */
export function amazonLinuxSsmPath(arch: AmazonLinuxArch, generation: AmazonLinuxGeneration = 'al2023'): string {
  const path = load().file.amazonLinuxSsmParameters[generation]?.[arch];
  if (typeof path !== 'string') throw new Error(`tapfix: no Amazon Linux SSM path for ${generation}/${arch}`);
  return path;
}

/**
 * The partition of a region code: from the facts when known, else from botocore's partition
 * regexes (aws-cn: `^cn-\w+-\d+$`, aws-us-gov: `^us-gov-\w+-\d+$`,
 * aws: `^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$`). Undefined for anything else (ISO partitions,
 * EUSC, non-region strings).
 */
export function partitionOf(region: string): Partition | undefined {
  const known = load().regions.get(region);
  if (known) return known.partition;
  if (/^cn-\w+-\d+$/.test(region)) return 'aws-cn';
  if (/^us-gov-\w+-\d+$/.test(region)) return 'aws-us-gov';
  if (/^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/.test(region)) return 'aws';
  return undefined;
}
