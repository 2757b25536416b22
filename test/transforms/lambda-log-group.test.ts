import { describe, expect, it } from 'vitest';
import transform from '../../transforms/lambda-log-group.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { Operation, Template } from '../../src/types.js';

const run = (t: unknown) =>
  transform.check({ template: deepFreeze(t) as Template, options: {} as never, region: undefined, filePath: undefined, format: 'json' });
const fn = (props: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  ...extra,
  Properties: { Runtime: 'python3.12', Handler: 'a.b', Role: 'r', Code: { ZipFile: 'x' }, ...props },
});
const added = (ops: Operation[], path: string) => ops.find((o) => o.path === path);

describe('lambda-log-group', () => {
  it('names the group after FunctionName and makes the function wait for it', () => {
    const [f] = run({ Resources: { F: fn({ FunctionName: { 'Fn::Sub': '${AWS::StackName}-f' } }, { DependsOn: 'Role' }) } });
    const ops = f!.fix!.ops;
    expect(added(ops, '/Resources/FLogGroup')).toMatchObject({ value: { Properties: { LogGroupName: { 'Fn::Sub': '/aws/lambda/${AWS::StackName}-f' } } } });
    expect(added(ops, '/Resources/F/DependsOn')).toEqual({ op: 'replace', path: '/Resources/F/DependsOn', value: ['Role', 'FLogGroup'] });
  });

  it('uses ${Function} without DependsOn when the name is generated (a DependsOn would be a cycle)', () => {
    for (const props of [{}, { FunctionName: { 'Fn::If': ['C', 'x', { Ref: 'AWS::NoValue' }] } }]) {
      const ops = run({ Resources: { F: fn(props) } })[0]!.fix!.ops;
      expect(added(ops, '/Resources/FLogGroup')).toMatchObject({ value: { Properties: { LogGroupName: { 'Fn::Sub': '/aws/lambda/${F}' } } } });
      expect(ops.some((o) => o.path.startsWith('/Resources/F/DependsOn'))).toBe(false);
    }
  });

  it('adds the retention parameter once for several functions', () => {
    const f = run({ Resources: { A: fn(), B: fn() } });
    const params = f.flatMap((x) => x.fix!.ops).filter((o) => o.path.startsWith('/Parameters'));
    expect(params).toHaveLength(1);
  });

  it('reports without fixing when LogRetentionInDays is a resource id', () => {
    const f = run({ Resources: { A: fn(), LogRetentionInDays: { Type: 'AWS::SQS::Queue' } } });
    expect(f[0]!.fix).toBeUndefined();
  });
});
