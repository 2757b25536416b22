// The resource dependency graph and its cycles (src/cfn/graph.ts).
import { describe, expect, it } from 'vitest';
import { cyclicComponents, dependencyGraph, newDependencyCycle } from '../src/cfn/graph.js';
import { deepFreeze } from '../src/cfn/template.js';
import type { JsonObject, Template } from '../src/types.js';

function template(resources: Record<string, JsonObject>, rest: JsonObject = {}): Template {
  return deepFreeze({ ...rest, Resources: resources }) as unknown as Template;
}

/** A resource whose properties are `properties`. */
const r = (properties: JsonObject, extra: JsonObject = {}): JsonObject => ({ Type: 'AWS::SNS::Topic', Properties: properties, ...extra });
const plain: JsonObject = { Type: 'AWS::SNS::Topic' };

function edgesOf(t: Template): Record<string, string[]> {
  return Object.fromEntries(dependencyGraph(t).edges);
}

describe('dependencyGraph', () => {
  it('follows Ref', () => {
    expect(edgesOf(template({ A: r({ X: { Ref: 'B' } }), B: plain }))).toEqual({ A: ['B'], B: [] });
  });

  it('follows Fn::GetAtt in the list and the dotted string form', () => {
    const t = template({ A: r({ X: { 'Fn::GetAtt': ['B', 'Arn'] }, Y: { 'Fn::GetAtt': 'C.Endpoint.Address' } }), B: plain, C: plain });
    expect(edgesOf(t)['A']).toEqual(['B', 'C']);
  });

  it('follows Fn::Sub variables in the string and the list form, ${A.B} meaning A', () => {
    const t = template({
      A: r({ X: { 'Fn::Sub': 'arn:${B}/${C.Arn}' }, Y: { 'Fn::Sub': ['${D}-${Local}', { Local: { Ref: 'E' } }] } }),
      B: plain,
      C: plain,
      D: plain,
      E: plain,
    });
    expect(edgesOf(t)['A']).toEqual(['B', 'C', 'D', 'E']);
  });

  it('does not read ${!Literal} or a name bound in the Sub map as a resource', () => {
    const t = template({ A: r({ X: { 'Fn::Sub': '${!B}' }, Y: { 'Fn::Sub': ['${C}', { C: 'literal' }] } }), B: plain, C: plain });
    expect(edgesOf(t)['A']).toEqual([]);
  });

  it('follows DependsOn as a string and as a list', () => {
    const t = template({ A: { ...plain, DependsOn: 'B' }, B: { ...plain, DependsOn: ['C', 'A'] }, C: plain });
    expect(edgesOf(t)).toEqual({ A: ['B'], B: ['C', 'A'], C: [] });
  });

  it('follows both branches of Fn::If, not its condition', () => {
    const t = template(
      { A: r({ X: { 'Fn::If': ['IsProd', { Ref: 'B' }, { 'Fn::GetAtt': ['C', 'Arn'] }] } }), B: plain, C: plain },
      { Conditions: { IsProd: { 'Fn::Equals': ['a', 'b'] } } },
    );
    expect(edgesOf(t)['A']).toEqual(['B', 'C']);
  });

  it('gives no edge for parameters, pseudo parameters, conditions, mappings or Outputs', () => {
    const t = template(
      {
        A: r({ X: { Ref: 'Param' }, Y: { Ref: 'AWS::Region' }, Z: { 'Fn::Sub': '${AWS::AccountId}-${Param}' }, M: { 'Fn::FindInMap': ['Map', 'a', 'b'] } }, { Condition: 'IsProd' }),
        B: plain,
      },
      {
        Parameters: { Param: { Type: 'String' } },
        Mappings: { Map: { a: { b: 'c' } } },
        Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Param' }, 'prod'] } },
        Outputs: { Out: { Value: { Ref: 'A' } } },
      },
    );
    expect(edgesOf(t)).toEqual({ A: [], B: [] });
  });

  it('counts a dependency once, and one written anywhere in the resource (Metadata too)', () => {
    const t = template({ A: { ...r({ X: { Ref: 'B' }, Y: [{ Ref: 'B' }] }), Metadata: { Init: { 'Fn::GetAtt': ['C', 'Arn'] } } }, B: plain, C: plain });
    expect(edgesOf(t)['A']).toEqual(['B', 'C']);
  });

  it('reads logical ids that need escaping in a pointer', () => {
    const t = template({ 'A/1': r({ X: { Ref: 'B~2' } }), 'B~2': plain });
    expect(edgesOf(t)['A/1']).toEqual(['B~2']);
  });

  it('is kept per frozen template', () => {
    const t = template({ A: r({ X: { Ref: 'B' } }), B: plain });
    expect(dependencyGraph(t)).toBe(dependencyGraph(t));
  });
});

describe('cyclicComponents', () => {
  it('finds cycles of two or more resources and resources that depend on themselves', () => {
    const t = template({
      A: r({ X: { Ref: 'B' } }),
      B: r({ X: { Ref: 'A' } }),
      C: r({ X: { Ref: 'C' } }),
      D: r({ X: { Ref: 'A' } }),
      E: r({ X: { Ref: 'F' } }),
      F: r({ X: { Ref: 'G' } }),
      G: r({ X: { Ref: 'E' } }),
    });
    expect(cyclicComponents(dependencyGraph(t)).sort()).toEqual([['A', 'B'], ['C'], ['E', 'F', 'G']]);
  });

  it('walks a long chain without recursion', () => {
    const resources: Record<string, JsonObject> = {};
    // Deeper than the call stack would let a recursive walk go.
    const n = 20_000;
    for (let i = 0; i < n; i++) resources[`R${i}`] = r({ X: { Ref: `R${(i + 1) % n}` } });
    const [cycle] = cyclicComponents(dependencyGraph(template(resources)));
    expect(cycle).toHaveLength(n);
    expect(cyclicComponents(dependencyGraph(template({ ...resources, R0: plain })))).toEqual([]);
  });
});

describe('newDependencyCycle', () => {
  const before = template({ A: r({ X: { Ref: 'B' } }), B: plain, C: plain });

  it('is undefined when the change adds no dependency', () => {
    expect(newDependencyCycle(before, template({ A: r({ X: { Ref: 'B' }, Y: 1 }), B: plain, C: plain }))).toBeUndefined();
  });

  it('is undefined for a new dependency that closes no cycle', () => {
    expect(newDependencyCycle(before, template({ A: r({ X: { Ref: 'B' } }), B: r({ X: { Ref: 'C' } }), C: plain }))).toBeUndefined();
  });

  it('names the new cycle, starting with the dependency the change added', () => {
    const after = template({ A: r({ X: { Ref: 'B' } }), B: r({ X: { Ref: 'C' } }), C: r({ X: { Ref: 'A' } }) });
    expect(newDependencyCycle(before, after)).toEqual(['B', 'C', 'A', 'B']);
    expect(newDependencyCycle(before, template({ A: r({ X: { Ref: 'B' } }), B: plain, C: { ...plain, DependsOn: 'C' } }))).toEqual(['C', 'C']);
  });

  it('leaves the cycles the template already had to its author', () => {
    const cyclic = template({ A: r({ X: { Ref: 'B' } }), B: r({ X: { Ref: 'A' } }), C: plain, D: plain });
    // More dependencies inside the old cycle, and new ones that close nothing, are not new cycles.
    const inside = template({ A: r({ X: { Ref: 'B' } }), B: r({ X: { Ref: 'A' }, Y: { 'Fn::GetAtt': ['A', 'Arn'] } }), C: r({ X: { Ref: 'A' } }), D: plain });
    expect(newDependencyCycle(cyclic, inside)).toBeUndefined();
    const dependent = template({ A: r({ X: { Ref: 'B' } }), B: r({ X: { Ref: 'A' } }), C: r({ X: { Ref: 'A' } }), D: plain, E: r({ X: { Ref: 'C' } }) });
    expect(newDependencyCycle(cyclic, dependent)).toBeUndefined();
    // Pulling another resource into it is.
    const closed = template({ A: r({ X: { Ref: 'B' }, Y: { Ref: 'C' } }), B: r({ X: { Ref: 'A' } }), C: r({ X: { Ref: 'A' } }), D: plain });
    expect(newDependencyCycle(cyclic, closed)).toEqual(['A', 'C', 'A']);
    // A second, separate cycle is new as well.
    const second = template({ A: r({ X: { Ref: 'B' } }), B: r({ X: { Ref: 'A' } }), C: r({ X: { Ref: 'D' } }), D: r({ X: { Ref: 'C' } }) });
    expect(newDependencyCycle(cyclic, second)).toEqual(['C', 'D', 'C']);
  });
});
