#!/usr/bin/env node
// npm run gen:spec
//
// Regenerates data/resource-spec.json from the installed
// @aws-cdk/aws-service-spec (a devDependency), and data/cfn-lint-tags.json from
// that and the installed cfn-lint. The logic lives in scripts/gen-spec-lib.mjs
// and scripts/gen-spec-lint.mjs (see their headers for the formats and where
// every fact comes from); test/spec.test.ts and test/spec-lint.test.ts fail when
// the committed files are stale. Without cfn-lint the committed
// data/cfn-lint-tags.json is kept, as long as it was made from the same spec.
// Usage: node scripts/gen-spec.mjs [--check]
//   --check  do not write; exit 1 if a committed file differs.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { buildResourceSpec, serializeResourceSpec } from './gen-spec-lib.mjs';
import { buildCfnLintTags, findCfnLint, serializeCfnLintTags } from './gen-spec-lint.mjs';

const specFile = fileURLToPath(new URL('../data/resource-spec.json', import.meta.url));
const lintFile = fileURLToPath(new URL('../data/cfn-lint-tags.json', import.meta.url));
const check = process.argv.includes('--check');

function readOrEmpty(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // a missing file counts as stale
  }
}

/** Writes `text` to `file`, or in --check mode reports whether it is up to date. */
function emit(file, text, summary) {
  if (check) {
    if (readOrEmpty(file) !== text) {
      console.error(`${file} is stale; run \`npm run gen:spec\`.`);
      process.exitCode = 1;
    } else {
      console.log(`${file} is up to date (${summary}).`);
    }
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${file}: ${summary}, ${Buffer.byteLength(text)} bytes`);
}

const db = await loadAwsServiceSpec();
const spec = buildResourceSpec(db);
emit(specFile, serializeResourceSpec(spec), `${spec.source}, ${Object.keys(spec.resources).length} resource types`);

const cfnLint = findCfnLint();
if (cfnLint.python) {
  const lint = buildCfnLintTags(cfnLint.python, spec);
  emit(lintFile, serializeCfnLintTags(lint), `${lint.source}, ${Object.keys(lint.rejected).length} types with rejected tags`);
} else {
  const committed = JSON.parse(readOrEmpty(lintFile) || '{}');
  if (committed.spec !== spec.source) {
    console.error(`${lintFile} was made from ${committed.spec ?? 'nothing'}, not ${spec.source}, and cannot be remade here: ${cfnLint.reason}.`);
    process.exit(1);
  }
  console.log(`${lintFile} kept (${committed.source}): ${cfnLint.reason}.`);
}
