// No fix may close a dependency cycle among resources: CloudFormation rejects such a template
// (cfn-lint E3004). First the engine's refusal, driven by small transforms written for it, then
// every real transform that adds a reference between resources, on a template shaped to tempt it.
import { describe, expect, it } from 'vitest';
import { fixText, type FileResult } from '../src/engine/fix.js';
import { defineTransform } from '../src/transform.js';
import { cyclicComponents, dependencyGraph } from '../src/cfn/graph.js';
import type { Finding, JsonObject, Operation, Template, Transform } from '../src/types.js';

const docs = '## Why\nx\n## Fix\nx\n## Fix safety\nx\n## Options\nnone';
function transform(id: string, check: Transform['check'], extra: Partial<Transform['meta']> = {}): Transform {
  return defineTransform({ meta: { id, title: id, severity: 'medium', safety: 'safe', seeds: ['000#1'], docs, defaultOptions: {}, ...extra }, check });
}

/** A transform whose findings carry these fixes (each applied only while the template lacks its first op's path). */
function fixing(id: string, fixes: Array<{ pointer: string; ops: Operation[] }>, extra: Partial<Transform['meta']> = {}): Transform {
  return transform(
    id,
    ({ template }) =>
      fixes
        .filter(({ ops }) => !has(template, ops[0]!.path))
        .map(({ pointer, ops }): Finding => ({ pointer, message: `fix ${pointer}`, fix: { ops } })),
    extra,
  );
}

function has(template: Template, path: string): boolean {
  let at: unknown = template;
  for (const segment of path.slice(1).split('/')) {
    if (at === null || typeof at !== 'object' || !Object.prototype.hasOwnProperty.call(at, segment)) return false;
    at = (at as Record<string, unknown>)[segment];
  }
  return true;
}

const topic = (properties: JsonObject = {}): JsonObject => ({ Type: 'AWS::SNS::Topic', Properties: properties });
const json = (resources: Record<string, JsonObject>): string => JSON.stringify({ Resources: resources }, null, 2) + '\n';
const cycles = (value: unknown): string[][] => cyclicComponents(dependencyGraph(value as Template));
const byPointer = (result: FileResult, pointer: string) => result.findings.find((f) => f.pointer === pointer)!;

describe('engine: a fix that would close a dependency cycle', () => {
  const text = json({ A: topic(), B: topic({ TopicName: { 'Fn::GetAtt': ['A', 'TopicName'] } }), C: topic() });
  const link = fixing('link', [
    { pointer: '/Resources/C', ops: [{ op: 'add', path: '/Resources/C/Properties/DisplayName', value: { Ref: 'A' } }] },
    { pointer: '/Resources/A', ops: [{ op: 'add', path: '/Resources/A/DependsOn', value: 'B' }] },
    { pointer: '/Resources/B', ops: [{ op: 'add', path: '/Resources/B/DependsOn', value: ['C'] }] },
  ]);
  const retainAll = transform('retain-all', ({ template }) =>
    Object.entries(template.Resources)
      .filter(([, r]) => r.DeletionPolicy === undefined)
      .map(([id]): Finding => ({ pointer: `/Resources/${id}`, message: `${id} has no DeletionPolicy`, fix: { ops: [{ op: 'add', path: `/Resources/${id}/DeletionPolicy`, value: 'Retain' }] } })),
  );

  it('is refused on its own: the other findings of the transform and the other transforms are fixed', () => {
    const result = fixText(text, { transforms: [link, retainAll], filePath: 't.json' });
    expect(result.status).toBe('changed');
    expect(result.errors).toEqual([]);
    const refused = byPointer(result, '/Resources/A');
    expect(refused.fix).toBe('none');
    expect(refused.message).toBe('fix /Resources/A; not fixed: the fix would create a dependency cycle A -> B -> A');
    expect(result.findings.filter((f) => f.transform === 'link').map((f) => [f.pointer, f.fix])).toEqual([
      ['/Resources/C', 'applied'],
      ['/Resources/A', 'none'],
      ['/Resources/B', 'applied'],
    ]);
    const after = result.after as { Resources: Record<string, JsonObject> };
    expect(after.Resources['A']!['DependsOn']).toBeUndefined();
    expect(after.Resources['A']!['DeletionPolicy']).toBe('Retain');
    expect(cycles(result.after)).toEqual([]);
    // Each finding once, however many passes saw it again; the refusal does not look like a fix cycle.
    expect(result.findings.filter((f) => f.transform === 'link')).toHaveLength(3);
    expect(result.passes).toBeLessThanOrEqual(3);
    const again = fixText(result.output, { transforms: [link, retainAll] });
    expect(again.status).toBe('unchanged');
    expect(again.findings.map((f) => f.fix)).toEqual(['none']);
  });

  it('applies a fix refused in one pass once another fix removed the dependency that closed the cycle', () => {
    const unlink = transform(
      'unlink',
      ({ template }) =>
        template.Resources['B']?.Properties?.['TopicName'] === undefined
          ? []
          : [{ pointer: '/Resources/B', message: 'B names itself after A', fix: { ops: [{ op: 'remove', path: '/Resources/B/Properties/TopicName' }] } }],
      { order: 200 },
    );
    const linkA = fixing('link', [{ pointer: '/Resources/A', ops: [{ op: 'add', path: '/Resources/A/DependsOn', value: 'B' }] }]);
    const result = fixText(text, { transforms: [linkA, unlink] });
    expect(result.errors).toEqual([]);
    expect(byPointer(result, '/Resources/A')).toMatchObject({ message: 'fix /Resources/A', fix: 'applied' });
    expect((result.after as { Resources: Record<string, JsonObject> }).Resources['A']!['DependsOn']).toBe('B');
  });

  it('leaves the cycles a template already has to its author', () => {
    const cyclic = json({ A: topic({ DisplayName: { Ref: 'B' } }), B: topic({ DisplayName: { Ref: 'A' } }), C: topic() });
    const more = fixing('more', [
      { pointer: '/Resources/A', ops: [{ op: 'add', path: '/Resources/A/DependsOn', value: 'B' }] },
      { pointer: '/Resources/C', ops: [{ op: 'add', path: '/Resources/C/DependsOn', value: 'A' }] },
    ]);
    const result = fixText(cyclic, { transforms: [more, retainAll] });
    expect(result.errors).toEqual([]);
    expect(result.findings.every((f) => f.fix === 'applied')).toBe(true);
  });

  it('also refuses the fixes that build on a refused one', () => {
    const grow = fixing('grow', [
      {
        pointer: '/Resources/A',
        ops: [
          { op: 'add', path: '/Resources/N', value: topic({ DisplayName: { Ref: 'A' } }) },
          { op: 'add', path: '/Resources/A/DependsOn', value: 'N' },
        ],
      },
      { pointer: '/Resources/C', ops: [{ op: 'add', path: '/Resources/C/Properties/DisplayName', value: { Ref: 'N' } }] },
      { pointer: '/Resources/B', ops: [{ op: 'add', path: '/Resources/N/Properties/TopicName', value: 'n' }] },
      { pointer: '/Resources/D', ops: [{ op: 'add', path: '/Resources/D', value: topic() }] },
    ]);
    const result = fixText(text, { transforms: [grow] });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.pointer, f.fix, f.message.replace(/^.*; not fixed: /, '')])).toEqual([
      ['/Resources/A', 'none', 'the fix would create a dependency cycle A -> N -> A'],
      ['/Resources/C', 'none', 'it builds on a fix refused because it would create a dependency cycle'],
      ['/Resources/B', 'none', 'it builds on a fix refused because it would create a dependency cycle'],
      ['/Resources/D', 'applied', 'fix /Resources/D'],
    ]);
    expect(Object.keys((result.after as { Resources: object }).Resources)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('reports an unsafe fix held back as held, not refused', () => {
    const unsafe = fixing('unsafe-link', [{ pointer: '/Resources/A', ops: [{ op: 'add', path: '/Resources/A/DependsOn', value: 'B' }] }], { safety: 'unsafe' });
    expect(fixText(text, { transforms: [unsafe] }).findings.map((f) => [f.fix, f.message])).toEqual([['held', 'fix /Resources/A']]);
  });
});
