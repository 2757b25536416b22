// data/cfn-lint-tags.json against the cfn-lint installed here. CI installs cfn-lint, so this runs
// there; on a machine without it the check is skipped, naming the reason.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
});
