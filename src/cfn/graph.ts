// The dependency graph CloudFormation builds between the resources of a template, and the
// cycles in it. CloudFormation refuses a template whose resources depend on each other in a
// circle (cfn-lint E3004), so the engine asks this module whether a fix closes one.

import type { Template } from '../types.js';
import { allReferences, asObject, parseSubVariables } from './template.js';

export interface DependencyGraph {
  /** Resource logical ids, in template order. */
  readonly nodes: readonly string[];
  /** What each resource depends on, in order of first mention, without repeats. */
  readonly edges: ReadonlyMap<string, readonly string[]>;
}

const graphCache = new WeakMap<object, DependencyGraph>();
const namesCache = new WeakMap<object, { id: string; names: readonly string[] }>();

/**
 * What one resource names through Ref, GetAtt, Sub and DependsOn (resources or not). Kept per
 * frozen resource: fixes are copy-on-write, so a resource no fix touched is the same object in
 * the next state, and only the resources a fix changed are read again.
 */
function namedBy(id: string, resource: unknown): readonly string[] {
  if (resource === null || typeof resource !== 'object') return [];
  const cached = namesCache.get(resource);
  if (cached && cached.id === id) return cached.names;
  // allReferences keeps the references of each frozen resource, so a resource the transforms
  // already read as part of the template is not walked again here.
  const refs = allReferences({ Resources: { [id]: resource } } as unknown as Template);
  const names = [...new Set(refs.filter((r) => r.kind !== 'Condition' && r.kind !== 'FindInMap').map((r) => r.target))];
  if (Object.isFrozen(resource)) namesCache.set(resource, { id, names });
  return names;
}

/**
 * Resource -> resource dependencies: Ref, Fn::GetAtt (list and `A.B` forms), Fn::Sub variables
 * (`${A}`, `${A.Attr}`; not `${!Literal}`, not names bound in the Sub's own map) and DependsOn,
 * wherever they are written in the resource, both branches of Fn::If included (CloudFormation
 * orders creation before it evaluates conditions). Parameters, pseudo parameters, conditions,
 * mappings and Outputs are not resources and give no edge. Kept per frozen template.
 */
export function dependencyGraph(t: Template): DependencyGraph {
  const frozen = Object.isFrozen(t);
  const cached = frozen ? graphCache.get(t) : undefined;
  if (cached) return cached;
  const resources = asObject(t.Resources) ?? {};
  const nodes = Object.keys(resources);
  const edges = new Map<string, string[]>();
  const isResource = (name: string) => Object.prototype.hasOwnProperty.call(resources, name);
  for (const id of nodes) edges.set(id, namedBy(id, resources[id]).filter(isResource));
  const graph: DependencyGraph = { nodes, edges };
  if (frozen) graphCache.set(t, graph);
  return graph;
}

/**
 * The strongly connected components that hold a cycle (two or more resources, or one that
 * depends on itself), each in template order. Tarjan's algorithm with an explicit stack: a
 * template of thousands of resources chained one after the other must not exhaust the call stack.
 */
export function cyclicComponents(graph: DependencyGraph): string[][] {
  const { nodes } = graph;
  const indexOf = new Map<string, number>();
  nodes.forEach((id, i) => indexOf.set(id, i));
  const successors = nodes.map((id) => (graph.edges.get(id) ?? []).flatMap((target) => indexOf.get(target) ?? []));
  const n = nodes.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: string[][] = [];
  // One frame per node being visited: the node and how many of its successors were looked at.
  const frames: Array<{ node: number; next: number }> = [];
  let counter = 0;

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    frames.push({ node: root, next: 0 });
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const v = frame.node;
      const out = successors[v]!;
      if (frame.next < out.length) {
        const w = out[frame.next++]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          frames.push({ node: w, next: 0 });
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1]!.node;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] !== index[v]) continue;
      const members: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        members.push(w);
      } while (w !== v);
      if (members.length > 1 || out.includes(v)) components.push(members.sort((a, b) => a - b).map((i) => nodes[i]!));
    }
  }
  return components;
}

const groupsCache = new WeakMap<object, ReadonlyMap<string, number>>();

/** Resource id -> number of the cycle it is part of, for the resources on a cycle. Kept per frozen template. */
function cycleGroups(t: Template): ReadonlyMap<string, number> {
  const cached = Object.isFrozen(t) ? groupsCache.get(t) : undefined;
  if (cached) return cached;
  const groups = new Map<string, number>();
  cyclicComponents(dependencyGraph(t)).forEach((members, i) => members.forEach((id) => groups.set(id, i)));
  if (Object.isFrozen(t)) groupsCache.set(t, groups);
  return groups;
}

/**
 * A dependency cycle `after` has that `before` did not, as the path that walks it
 * (`['A', 'B', 'A']`), or undefined. A cycle the template already had is its author's: more
 * dependencies among resources already on one cycle are not a new cycle, but joining it with
 * anything else is. When there is a new cycle, the path starts with a dependency `before` did not
 * have, so it shows what the change added.
 */
export function newDependencyCycle(before: Template, after: Template): string[] | undefined {
  const was = dependencyGraph(before);
  const now = dependencyGraph(after);
  // Every cycle runs through at least one new dependency; without one, nothing needs solving.
  const added: Array<[string, string]> = [];
  for (const id of now.nodes) {
    const old = was.edges.get(id);
    for (const target of now.edges.get(id)!) if (!old?.includes(target)) added.push([id, target]);
  }
  if (added.length === 0) return undefined;
  // A new cycle runs through a new dependency from -> to, and then `to` reaches `from`. Usually no
  // target of a new dependency leads back (a fix names what it adds, which names nothing of the
  // template), and that settles it without the strongly connected components below.
  if (!added.some(([from, to]) => reaches(now, to, from))) return undefined;

  // Each old cycle becomes one node, so that only cycles reaching outside it remain.
  const groups = cycleGroups(before);
  const nodeOf = (id: string) => {
    const group = groups.get(id);
    return group === undefined ? id : `\u0000${group}`;
  };
  const collapsedEdges = new Map<string, string[]>();
  for (const id of now.nodes) {
    const from = nodeOf(id);
    const targets = collapsedEdges.get(from) ?? [];
    collapsedEdges.set(from, targets);
    for (const target of now.edges.get(id)!) {
      const to = nodeOf(target);
      if (to === from && groups.has(id)) continue;
      if (!targets.includes(to)) targets.push(to);
    }
  }
  const cycles = cyclicComponents({ nodes: [...collapsedEdges.keys()], edges: collapsedEdges });
  if (cycles.length === 0) return undefined;

  const members = new Set<string>();
  for (const id of now.nodes) if (cycles[0]!.includes(nodeOf(id))) members.add(id);
  for (const [from, to] of added) {
    if (!members.has(from) || !members.has(to)) continue;
    const back = shortestPath(now, to, from, members);
    if (back) return [from, ...back];
  }
  // The old cycle the new one runs through lost a dependency of its own: name the resources.
  const ids = [...members];
  return [...ids, ids[0]!];
}

/** Whether `to` can be reached from `from` (itself counts). */
function reaches(graph: DependencyGraph, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    for (const next of graph.edges.get(id) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  return false;
}

/** The shortest path from `from` to `to` through `within`, both ends included, or undefined. */
function shortestPath(graph: DependencyGraph, from: string, to: string, within: ReadonlySet<string>): string[] | undefined {
  const previous = new Map<string, string | undefined>([[from, undefined]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    if (id === to) {
      const path: string[] = [];
      for (let at: string | undefined = id; at !== undefined; at = previous.get(at)) path.push(at);
      return path.reverse();
    }
    for (const next of graph.edges.get(id) ?? []) {
      if (!within.has(next) || previous.has(next)) continue;
      previous.set(next, id);
      queue.push(next);
    }
  }
  return undefined;
}

/** Every resource `id` depends on, directly or through others (itself only on a cycle). */
export function dependenciesOf(t: Template, id: string): Set<string> {
  const { edges } = dependencyGraph(t);
  const found = new Set<string>();
  const queue = [...(edges.get(id) ?? [])];
  for (let head = 0; head < queue.length; head++) {
    const next = queue[head]!;
    if (found.has(next)) continue;
    found.add(next);
    queue.push(...(edges.get(next) ?? []));
  }
  return found;
}

/**
 * True when resource `from` depends on `to`, directly or through other resources; `extra` adds
 * dependencies a fix is about to create. A fix that makes `to` name `from` would then close a
 * cycle, which CloudFormation rejects (cfn-lint E3004).
 */
export function dependsOnResource(t: Template, from: string, to: string, extra?: ReadonlyMap<string, Iterable<string>>): boolean {
  if (!extra) return dependenciesOf(t, from).has(to);
  const { edges } = dependencyGraph(t);
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const next of [...(edges.get(id) ?? []), ...(extra.get(id) ?? [])]) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}

/**
 * The `Fn::Sub` text of a value that names no resource: a literal, or a one-string `Fn::Sub`
 * whose variables are parameters and pseudo parameters. Such text can be copied into another
 * resource without making it depend on anything. Undefined for anything else.
 */
export function textWithoutDependencies(t: Template, value: unknown): string | undefined {
  if (typeof value === 'string') return value.replace(/\$\{/g, '${!');
  const sub = asObject(value)?.['Fn::Sub'];
  if (typeof sub !== 'string' || Object.keys(value as object).length !== 1) return undefined;
  const resources = asObject(t.Resources) ?? {};
  return parseSubVariables(sub).every((name) => !Object.prototype.hasOwnProperty.call(resources, name.split('.')[0]!)) ? sub : undefined;
}
