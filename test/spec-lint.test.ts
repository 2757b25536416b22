// data/cfn-lint-tags.json against the cfn-lint installed here. CI installs cfn-lint, so these run
// there; on a machine without it the checks that need it are skipped, naming the reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tagInfo } from '../src/cfn/spec.js';
import { deepFreeze } from '../src/cfn/template.js';
import { applyOperations } from '../src/engine/patch.js';
import standardTags from '../transforms/standard-tags.js';
import type { JsonObject, JsonValue, Template } from '../src/types.js';

interface CfnLintTags {
  source: string;
  spec: string;
  rejected: Record<string, unknown>;
}
interface GenSpecLint {
  findCfnLint(): { python?: string; version?: string; reason?: string };
  buildCfnLintTags(python: string, resourceSpec: unknown): CfnLintTags;
  serializeCfnLintTags(data: unknown): string;
}

// Imported through a URL so the .mjs generator needs no TypeScript declaration file.
const lib = (await import(new URL('../scripts/gen-spec-lint.mjs', import.meta.url).href)) as GenSpecLint;
const dataFile = (name: string) => fileURLToPath(new URL(`../data/${name}`, import.meta.url));
const committedText = readFileSync(dataFile('cfn-lint-tags.json'), 'utf8');
const committed = JSON.parse(committedText) as CfnLintTags;
const resourceSpec = JSON.parse(readFileSync(dataFile('resource-spec.json'), 'utf8')) as { source: string; resources: Record<string, unknown> };

const cfnLint = lib.findCfnLint();
const noPython = cfnLint.python ? '' : ` (skipped: ${cfnLint.reason})`;
const cfnLintCommand = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const noCommand = cfnLintCommand.status === 0 ? '' : ' (skipped: no cfn-lint command on PATH)';

const LINT_REGION = 'us-east-1';

describe('data/cfn-lint-tags.json', () => {
  it('starts from the spec data/resource-spec.json holds (else run `npm run gen:spec` with cfn-lint installed)', () => {
    expect(committed.spec).toBe(resourceSpec.source);
  });

  it.skipIf(!cfnLint.python)(`is what the installed cfn-lint's schemas say${noPython}`, () => {
    const built = lib.buildCfnLintTags(cfnLint.python!, resourceSpec);
    const stale = `data/cfn-lint-tags.json was made with ${committed.source}, cfn-lint here is ${built.source}: run \`npm run gen:spec\` and commit the result`;
    expect(committed.source, stale).toBe(built.source);
    const types = new Set([...Object.keys(committed.rejected), ...Object.keys(built.rejected)]);
    const differing = [...types].filter((t) => JSON.stringify(committed.rejected[t]) !== JSON.stringify(built.rejected[t]));
    expect(differing, stale).toEqual([]);
    expect(committedText === lib.serializeCfnLintTags(built), stale).toBe(true);
  });

  // End to end: the tags standard-tags really writes (intrinsic values, every tag shape), on a
  // resource of every taggable type, through the cfn-lint command users run.
  it.skipIf(cfnLintCommand.status !== 0)(`holds no tag cfn-lint rejects in ${LINT_REGION} among those standard-tags adds there${noCommand}`, () => {
    const resources: JsonObject = {};
    const ids = new Map<string, string>();
    for (const type of Object.keys(resourceSpec.resources)) {
      if (!tagInfo(type) || type.startsWith('AWS::Serverless::')) continue;
      const id = type.replace(/[^A-Za-z0-9]/g, '');
      ids.set(id, type);
      resources[id] = { Type: type, Properties: {} };
    }
    const template = deepFreeze({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }) as unknown as Template;
    const findings = standardTags.check({ template, options: standardTags.meta.defaultOptions, region: LINT_REGION, filePath: 'lint-check.json', format: 'json' });
    const ops = findings.flatMap((f) => f.fix?.ops ?? []);
    const tagged = applyOperations(template as unknown as JsonValue, ops) as unknown as Template;
    const taggedIds = [...ids.keys()].filter((id) => tagged.Resources[id]?.Properties?.[tagInfo(ids.get(id)!)!.property] !== undefined);
    expect(taggedIds.length).toBeGreaterThan(1000);

    const dir = mkdtempSync(join(tmpdir(), 'tapfix-lint-'));
    try {
      const file = join(dir, 'lint-check.json');
      writeFileSync(file, JSON.stringify(tagged));
      const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', LINT_REGION, '--', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      const matches = JSON.parse(run.stdout || '[]') as Array<{ Rule: { Id: string }; Message: string; Location: { Path: Array<string | number> } }>;
      const onTags = matches
        .filter((m) => {
          const [section, id, properties, property] = m.Location.Path;
          return section === 'Resources' && properties === 'Properties' && property === tagInfo(ids.get(String(id)) ?? '')?.property;
        })
        .map((m) => `${ids.get(String(m.Location.Path[1]))}: ${m.Rule.Id} ${m.Message}`);
      expect(onTags).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
