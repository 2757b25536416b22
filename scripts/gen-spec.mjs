#!/usr/bin/env node
// npm run gen:spec
//
// Regenerates data/resource-spec.json from the installed
// @aws-cdk/aws-service-spec (a devDependency). The logic lives in
// scripts/gen-spec-lib.mjs (see its header for the output format and where
// every fact comes from); test/spec.test.ts fails when the committed file is
// stale. Usage: node scripts/gen-spec.mjs [--check]
//   --check  do not write; exit 1 if the committed file differs.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { buildResourceSpec, serializeResourceSpec } from './gen-spec-lib.mjs';

const outFile = fileURLToPath(new URL('../data/resource-spec.json', import.meta.url));
const check = process.argv.includes('--check');

const db = await loadAwsServiceSpec();
const data = buildResourceSpec(db);
const text = serializeResourceSpec(data);
const count = Object.keys(data.resources).length;

if (check) {
  let current = '';
  try {
    current = readFileSync(outFile, 'utf8');
  } catch {
    // missing file counts as stale
  }
  if (current !== text) {
    console.error(`${outFile} is stale; run \`npm run gen:spec\`.`);
    process.exit(1);
  }
  console.log(`${outFile} is up to date (${data.source}, ${count} resource types).`);
} else {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, text);
  console.log(
    `wrote ${outFile}: ${data.source}, ${count} resource types, ${Buffer.byteLength(text)} bytes`,
  );
}
