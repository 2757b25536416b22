#!/usr/bin/env node
// Copies the AWS facts the transforms need from shared/data/aws-facts.json into data/aws-facts.json.
// Deterministic: fixed key order, regions sorted by code, 2-space JSON with a final newline, so a
// re-run over the same source gives the same bytes.
//
//   node scripts/copy-aws-facts.mjs [source]     (default: ../shared/data/aws-facts.json)
//   node scripts/copy-aws-facts.mjs --check      (exit 1 when data/aws-facts.json is out of date)

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const sourceArg = args.find((a) => !a.startsWith('--'));
const source = resolve(sourceArg ?? resolve(root, '..', 'shared', 'data', 'aws-facts.json'));
const target = resolve(root, 'data', 'aws-facts.json');

const REGION_FIELDS = [
  'name',
  'partition',
  'elbAccountId',
  'elbPrincipalArn',
  'elbLogDeliveryServicePrincipal',
  'availabilityZones',
  'availabilityZonesCaveat',
  'sources',
];
const REQUIRED_REGION_FIELDS = ['name', 'partition', 'elbAccountId', 'elbLogDeliveryServicePrincipal', 'availabilityZones', 'sources'];

const facts = JSON.parse(readFileSync(source, 'utf8'));

const regions = {};
for (const code of Object.keys(facts.regions).sort()) {
  const from = facts.regions[code];
  for (const field of REQUIRED_REGION_FIELDS) {
    if (!(field in from)) throw new Error(`${source}: regions.${code} lacks ${field}`);
  }
  const to = {};
  for (const field of REGION_FIELDS) if (from[field] !== undefined) to[field] = from[field];
  regions[code] = to;
}

for (const section of ['sources', 'amazonLinuxSsmParameters', 'elbLogDelivery', 'notes']) {
  if (facts[section] === undefined) throw new Error(`${source}: missing top-level ${section}`);
}

const out = {
  copiedFrom: 'shared/data/aws-facts.json',
  copiedBy: 'scripts/copy-aws-facts.mjs',
  generated: facts.generated,
  sources: facts.sources,
  regions,
  elbLogDelivery: facts.elbLogDelivery,
  amazonLinuxSsmParameters: facts.amazonLinuxSsmParameters,
  notes: facts.notes,
  ...(facts.unverified !== undefined ? { unverified: facts.unverified } : {}),
};
const text = JSON.stringify(out, null, 2) + '\n';

if (check) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as out of date
  }
  if (current !== text) {
    console.error(`${target} is out of date; run: node scripts/copy-aws-facts.mjs`);
    process.exit(1);
  }
  console.log(`${target} is up to date`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${target} (${Object.keys(regions).length} regions) from ${source}`);
}
