// The pipeline and its guarantees, driven by small transforms written for each behaviour.
import { describe, expect, it } from 'vitest';
import { fixText } from '../src/engine/fix.js';
import { defineTransform } from '../src/transform.js';
import type { Finding, Transform } from '../src/types.js';

const docs = '## Why\nx\n## Fix\nx\n## Fix safety\nx\n## Options\nnone';
function transform(id: string, check: Transform['check'], extra: Partial<Transform['meta']> = {}): Transform {
  return defineTransform({ meta: { id, title: id, severity: 'medium', safety: 'safe', seeds: ['000#1'], docs, defaultOptions: {}, ...extra }, check });
}

const YAML = `Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
`;

/** Adds a DeletionPolicy to every resource that has none. */
const retainAll = transform('retain-all', ({ template }) =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.DeletionPolicy === undefined)
    .map(([id]): Finding => ({
      pointer: `/Resources/${id}`,
      message: `${id} has no DeletionPolicy`,
      fix: { ops: [{ op: 'add', path: `/Resources/${id}/DeletionPolicy`, value: 'Retain' }] },
    })),
);

describe('pipeline', () => {
  it('applies fixes, reports line:col, and reaches a fixed point', () => {
    const result = fixText(YAML, { transforms: [retainAll], filePath: 't.yaml' });
    expect(result.status).toBe('changed');
    expect(result.findings.map((f) => [f.line, f.col, f.fix])).toEqual([
      [2, 3, 'applied'],
      [4, 3, 'applied'],
    ]);
    expect(result.output).toBe(YAML.replace('Bucket\n', 'Bucket\n    DeletionPolicy: Retain\n').replace('Queue\n', 'Queue\n    DeletionPolicy: Retain\n'));
    expect(result.passes).toBe(2);
    expect(fixText(result.output, { transforms: [retainAll] }).status).toBe('unchanged');
  });

  it('lets a later pass see what an earlier transform added', () => {
    const addQueue = transform(
      'add-topic',
      ({ template }) =>
        template.Resources['Topic']
          ? []
          : [{ pointer: '/Resources', message: 'no topic', fix: { ops: [{ op: 'add', path: '/Resources/Topic', value: { Type: 'AWS::SNS::Topic' } }] } }],
      { order: 200 },
    );
    const result = fixText(YAML, { transforms: [retainAll, addQueue] });
    const after = result.after as { Resources: Record<string, { DeletionPolicy?: string }> };
    expect(after.Resources['Topic']!.DeletionPolicy).toBe('Retain');
    expect(result.passes).toBe(3);
  });


  it('does not run a transform again on the very state it already checked', () => {
    const seen: object[] = [];
    const watcher = transform('watcher', ({ template }) => {
      seen.push(template);
      return [];
    });
    const first = transform('first', retainAll.check);
    // Pass 1: first changes the template, watcher checks the result; pass 2: first finds nothing,
    // so the state is the one watcher saw and it is not asked again.
    const settled = fixText(YAML, { transforms: [first, watcher] });
    expect(settled.passes).toBe(2);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(settled.after);
    // Ahead of the changer it runs in both passes, on two different states.
    seen.length = 0;
    fixText(YAML, { transforms: [watcher, first] });
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
  });
  it('holds unsafe fixes back unless asked', () => {
    const unsafe = transform('unsafe-one', retainAll.check, { safety: 'unsafe' });
    const held = fixText(YAML, { transforms: [unsafe] });
    expect(held.status).toBe('unchanged');
    expect(held.findings.every((f) => f.fix === 'held')).toBe(true);
    expect(fixText(YAML, { transforms: [unsafe], unsafe: true }).status).toBe('changed');
    // A safe transform can mark one fix unsafe.
    const mixed = transform('mixed', (ctx) => retainAll.check(ctx).map((f, i) => (i === 0 ? { ...f, fix: { ...f.fix!, safety: 'unsafe' as const } } : f)));
    expect(fixText(YAML, { transforms: [mixed] }).findings.map((f) => f.fix)).toEqual(['held', 'applied']);
  });

  it('names the transforms of a cycle and leaves the file alone', () => {
    const on = transform('turn-on', ({ template }) =>
      template.Resources['Bucket']!.DeletionPolicy === 'Retain'
        ? []
        : [{ pointer: '/Resources/Bucket', message: 'on', fix: { ops: [{ op: 'add', path: '/Resources/Bucket/DeletionPolicy', value: 'Retain' }] } }],
    );
    const off = transform('turn-off', ({ template }) =>
      template.Resources['Bucket']!.DeletionPolicy === undefined
        ? []
        : [{ pointer: '/Resources/Bucket', message: 'off', fix: { ops: [{ op: 'remove', path: '/Resources/Bucket/DeletionPolicy' }] } }],
    );
    const result = fixText(YAML, { transforms: [on, off] });
    expect(result.status).toBe('error');
    expect(result.errors[0]!.message).toMatch(/cycle: transforms turn-off, turn-on/);
    expect(result.output).toBe(YAML);
  });

  it('stops after the pass limit when a transform never settles', () => {
    let n = 0;
    const grow = transform('grow', () => [{ pointer: '', message: 'more', fix: { ops: [{ op: 'add', path: `/Metadata${n++ === 0 ? '' : `/k${n}`}`, value: n === 1 ? {} : n } as never] } }]);
    const result = fixText(YAML, { transforms: [grow] });
    expect(result.status).toBe('error');
    expect(result.errors[0]!.message).toMatch(/did not settle after 10 passes \(still changing: grow\)/);
  });

  it('honours template and resource suppressions', () => {
    const resourceSkip = YAML.replace('Type: AWS::SQS::Queue', 'Type: AWS::SQS::Queue\n    Metadata:\n      tapfix:\n        skip: [retain-all]');
    const result = fixText(resourceSkip, { transforms: [retainAll] });
    expect(result.findings.map((f) => f.pointer)).toEqual(['/Resources/Bucket']);
    const templateSkip = `Metadata:\n  tapfix:\n    skip: [retain-all]\n${YAML}`;
    expect(fixText(templateSkip, { transforms: [retainAll] }).findings).toEqual([]);
  });

  it('refuses a fix that adds a dangling reference, naming the transform', () => {
    const dangling = transform('dangling', () => [
      { pointer: '/Resources/Bucket', message: 'x', fix: { ops: [{ op: 'add', path: '/Resources/Bucket/Properties', value: { BucketName: { Ref: 'Nope' } } }] } },
    ]);
    const result = fixText(YAML, { transforms: [dangling] });
    expect(result.status).toBe('error');
    expect(result.errors[0]!.message).toMatch(/dangling adds a Ref to "Nope"/);
    expect(result.output).toBe(YAML);
  });

  it('refuses a property the resource spec does not define', () => {
    const bogus = transform('bogus', () => [
      { pointer: '/Resources/Bucket', message: 'x', fix: { ops: [{ op: 'add', path: '/Resources/Bucket/Properties', value: { BucketColour: 'red' } }] } },
    ]);
    const result = fixText(YAML, { transforms: [bogus] });
    expect(result.errors[0]!.message).toMatch(/AWS::S3::Bucket property BucketColour, which the resource spec does not define/);
    expect(result.errors[0]!.line).toBe(2);
  });

  it('reports a fix that does not apply and a transform that throws, and goes on with none written', () => {
    const broken = transform('broken', () => [{ pointer: '', message: 'x', fix: { ops: [{ op: 'remove', path: '/Resources/Missing' }] } }]);
    const throws = transform('throws', () => {
      throw new Error('boom');
    });
    const result = fixText(YAML, { transforms: [broken, throws, retainAll] });
    expect(result.status).toBe('error');
    expect(result.errors.map((e) => e.transforms)).toEqual([['broken'], ['throws']]);
    expect(result.output).toBe(YAML);
  });

  it('gives transforms a frozen template', () => {
    const mutates = transform('mutates', ({ template }) => {
      (template.Resources as Record<string, unknown>)['X'] = {};
      return [];
    });
    expect(fixText(YAML, { transforms: [mutates] }).errors[0]!.message).toMatch(/internal error in transform mutates/);
  });

  it('skips what is not a template and reports what cannot be parsed', () => {
    expect(fixText('name: app\nversion: 1\n', { transforms: [retainAll], filePath: 'x.yaml' })).toMatchObject({ status: 'skipped' });
    const broken = fixText('{\n  "Resources": {\n    "A": {"Type": "AWS::S3::Bucket",}\n  }\n}\n', { transforms: [retainAll], filePath: 'x.json' });
    expect(broken.status).toBe('error');
    expect(broken.errors[0]).toMatchObject({ line: 3, col: 36 });
    expect(broken.errors[0]!.message).toMatch(/trailing comma.*--allow-jsonc/);
    const allowed = fixText('{\n  "Resources": {\n    "A": {"Type": "AWS::S3::Bucket",}\n  }\n}\n', { transforms: [retainAll], filePath: 'x.json', allowJsonc: true });
    expect(allowed.status).toBe('changed');
    expect(allowed.output).toBe('{\n  "Resources": {\n    "A": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain",}\n  }\n}\n');
  });
});
