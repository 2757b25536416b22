// One id everywhere: file name, meta.id, golden folder, docs page, README row.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleDoc, ruleTable, TABLE_END, TABLE_START } from '../src/docs.js';
import { loadTransforms, transformFiles } from '../src/engine/registry.js';
import { optionProblems } from '../src/engine/config.js';

const root = join(import.meta.dirname, '..');
const transforms = await loadTransforms();

describe('transform registry', () => {
  it('discovers every file in transforms/ and nothing else', () => {
    const ids = transformFiles().map((f) => f.replace(/^.*[\\/]/, '').replace(/\.ts$/, ''));
    expect(transforms.map((t) => t.meta.id).sort()).toEqual(ids.sort());
    expect(ids.length).toBeGreaterThan(0);
  });

  it('gives every transform complete metadata', () => {
    for (const t of transforms) {
      // Catalogue v1 transforms cite the seed failures they fix; catalogue v2 ones the AWS Control
      // Tower controls they fix or report.
      const controls = (t.meta.equivalents ?? []).filter((e) => e.tool === 'control-tower');
      expect(t.meta.seeds.length + controls.length, `${t.meta.id} cites no catalogue item and no Control Tower control`).toBeGreaterThan(0);
      for (const section of ['## Why', '## Fix', '## Fix safety', '## Options']) {
        expect(t.meta.docs, `${t.meta.id} docs lack ${section}`).toContain(section);
      }
    }
  });

  it('declares options with a schema their defaults satisfy', () => {
    for (const t of transforms) {
      expect(optionProblems(t, t.meta.defaultOptions), `${t.meta.id} defaults do not fit its optionsSchema`).toEqual([]);
      expect(optionProblems(t, { noSuchOption: 1 }).map((p) => p.path), `${t.meta.id} accepts an unknown option`).toEqual([['noSuchOption']]);
    }
  });

  it('keeps docs/rules in sync with the metadata (npm run gen:docs)', () => {
    for (const t of transforms) {
      const file = join(root, 'docs', 'rules', `${t.meta.id}.md`);
      expect(existsSync(file), `${file} missing: run npm run build && npm run gen:docs`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${file} is stale: run npm run build && npm run gen:docs`).toBe(ruleDoc(t));
    }
    const pages = readdirSync(join(root, 'docs', 'rules')).filter((f) => f.endsWith('.md'));
    expect(pages.sort()).toEqual(transforms.map((t) => `${t.meta.id}.md`).sort());
  });

  it('keeps the README rule table in sync (npm run gen:docs)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    expect(table).toBe(ruleTable(transforms));
  });
});
