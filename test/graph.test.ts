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

describe('newDependencyCycle on random graphs', () => {
  // A small deterministic generator, so a failure names a seed that reproduces it.
  const random = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const ids = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
  const templateOf = (edges: Map<string, Set<string>>): Template =>
    template(Object.fromEntries(ids.map((id) => [id, r({ Needs: [...(edges.get(id) ?? [])].map((target) => ({ Ref: target })) })])));
  /** Resource -> the resources it reaches in one step or more (Floyd-Warshall over 7 nodes). */
  const closure = (edges: Map<string, Set<string>>): Map<string, Set<string>> => {
    const reach = new Map(ids.map((id) => [id, new Set(edges.get(id) ?? [])]));
    for (const k of ids) for (const i of ids) if (reach.get(i)!.has(k)) for (const j of reach.get(k)!) reach.get(i)!.add(j);
    return reach;
  };
  /** Whether `after` has a cycle that is not inside one cycle `before` already had. */
  const hasNewCycle = (before: Map<string, Set<string>>, after: Map<string, Set<string>>): boolean => {
    const was = closure(before);
    const now = closure(after);
    const onCycleTogether = (reach: Map<string, Set<string>>, a: string, b: string) => reach.get(a)!.has(b) && reach.get(b)!.has(a);
    // A pair on one cycle now (a node with itself when it loops) must have been on one before.
    return ids.some((a) => ids.some((b) => onCycleTogether(now, a, b) && !onCycleTogether(was, a, b)));
  };

  it('reports a new cycle exactly when the template gained one', () => {
    let reported = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      const before = new Map<string, Set<string>>();
      for (const a of ids) for (const b of ids) if (a !== b && next() < 0.12) before.set(a, (before.get(a) ?? new Set()).add(b));
      const after = new Map([...before].map(([k, v]) => [k, new Set(v)]));
      const added = 1 + Math.floor(next() * 3);
      for (let i = 0; i < added; i++) {
        const a = ids[Math.floor(next() * ids.length)]!;
        const b = ids[Math.floor(next() * ids.length)]!;
        after.set(a, (after.get(a) ?? new Set()).add(b));
      }
      const cycle = newDependencyCycle(templateOf(before), templateOf(after));
      expect(cycle !== undefined, `seed ${seed}`).toBe(hasNewCycle(before, after));
      if (cycle) {
        reported++;
        // The path it gives is a real cycle of the new template.
        expect(cycle[0], `seed ${seed}`).toBe(cycle.at(-1));
        for (let i = 0; i + 1 < cycle.length; i++) expect(after.get(cycle[i]!)?.has(cycle[i + 1]!), `seed ${seed}: ${cycle.join(' -> ')}`).toBe(true);
      }
    }
    // Both answers occur often enough for the comparison to mean something.
    expect(reported).toBeGreaterThan(50);
    expect(reported).toBeLessThan(350);
  });
});
