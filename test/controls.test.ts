// The two seed templates of the controls issue, fixed with --unsafe: strictly fewer AWS Control
// Tower violations than their input, and none on a resource tapfix added or changed that
// data/control-exceptions.json does not document. Read in place from ../shared/corpus.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixText } from '../src/engine/fix.js';
import { loadTransforms } from '../src/engine/registry.js';
import { packageRoot } from '../src/paths.js';
import {
  checkTemplates,
  controlExceptions,
  ensureControlsPackage,
  exceptionFor,
  parseTemplate,
  resourceOrigins,
  violationKey,
  type ControlsPackage,
} from '../scripts/controls.js';
import { readRegionFile } from '../scripts/corpus-files.js';

const corpus = join(packageRoot, '..', 'shared', 'corpus');
const seeds = ['json/Pr7524/model.json', 'json/Pr5588/model.json'];
const transforms = (await loadTransforms()).filter((t) => t.meta.enabledByDefault !== false);

let pkg: ControlsPackage;
beforeAll(() => {
  pkg = ensureControlsPackage();
});

describe.skipIf(!existsSync(corpus))('Control Tower controls on the seed templates', () => {
  for (const seed of seeds) {
    it(`${seed}: fewer violations, none added on what tapfix wrote`, async () => {
      const file = join(corpus, seed);
      const text = readFileSync(file, 'utf8');
      const result = fixText(text, { transforms, unsafe: true, region: readRegionFile(dirname(file)), filePath: file });
      expect(result.errors).toEqual([]);
      expect(result.status).toBe('changed');
      const found = await checkTemplates(
        new Map([
          ['before', parseTemplate(text, file)],
          ['after', parseTemplate(result.output, file)],
        ]),
        { pkg },
      );
      const before = found.get('before')!;
      const after = found.get('after')!;
      const had = new Set(before.map(violationKey));
      const origins = resourceOrigins(result.applied, result.before);
      const exceptions = controlExceptions();
      const added = after.filter((v) => !had.has(violationKey(v)));
      const documented = added.filter((v) => exceptionFor(exceptions, v, origins.get(v.logicalId)));
      expect(added.filter((v) => !documented.includes(v)).map((v) => `${v.control} ${v.logicalId}`)).toEqual([]);
      // Strictly fewer, the documented exceptions on what tapfix wrote aside.
      expect(after.length - documented.length).toBeLessThan(before.length);
    });
  }
});
