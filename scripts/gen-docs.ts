// Writes docs/rules/<id>.md for every transform, the rule table in README.md and the JSON Schema of
// tapfix.config.json (data/tapfix.config.schema.json).
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleDoc, withRuleTable } from '../src/docs.js';
import { configSchema } from '../src/engine/config.js';
import { loadTransforms } from '../src/engine/registry.js';
import { packageRoot } from '../src/paths.js';

const transforms = await loadTransforms();
const dir = join(packageRoot, 'docs', 'rules');
mkdirSync(dir, { recursive: true });
const wanted = new Set(transforms.map((t) => `${t.meta.id}.md`));
for (const file of readdirSync(dir)) if (file.endsWith('.md') && !wanted.has(file)) unlinkSync(join(dir, file));
for (const t of transforms) writeFileSync(join(dir, `${t.meta.id}.md`), ruleDoc(t));
const readmePath = join(packageRoot, 'README.md');
if (existsSync(readmePath)) writeFileSync(readmePath, withRuleTable(readFileSync(readmePath, 'utf8'), transforms));
writeFileSync(join(packageRoot, 'data', 'tapfix.config.schema.json'), JSON.stringify(configSchema(transforms), null, 2) + '\n');
console.log(`wrote ${transforms.length} rule docs, the README rule table and data/tapfix.config.schema.json`);
