/**
 * Layout of the service dependency graph with dagre (left to right): node boxes sized to their
 * names, edges as polylines with call counts and error rates, optionally narrowed to one
 * service and its direct neighbours.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { DependencyLink } from '../api/types.js';
import { countOf } from './format.js';

/** A laid-out service. */
export interface GraphNode {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  calls: number;
}

/** A laid-out edge. */
export interface GraphEdge {
  parent: string;
  child: string;
  callCount: number;
  errorCount: number;
  points: Array<{ x: number; y: number }>;
  /** "1,234 calls, 2.1% errors". */
  label: string;
}

/** The whole drawing. */
export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

/** Links touching `focus` (all when undefined). */
export function focusLinks(links: readonly DependencyLink[], focus: string | undefined): DependencyLink[] {
  return focus ? links.filter((l) => l.parent === focus || l.child === focus) : [...links];
}

/** Edge label: calls, and the error rate when there are errors. */
export function edgeLabel(link: DependencyLink): string {
  const calls = countOf(link.callCount, 'call');
  if (link.errorCount === 0) return calls;
  return `${calls}, ${((100 * link.errorCount) / Math.max(1, link.callCount)).toFixed(1)}% errors`;
}

/** Lays the graph out; deterministic for the same links. */
export function layoutDependencies(links: readonly DependencyLink[]): GraphLayout {
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 110, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const calls = new Map<string, number>();
  for (const l of links) {
    calls.set(l.child, (calls.get(l.child) ?? 0) + l.callCount);
    if (!calls.has(l.parent)) calls.set(l.parent, 0);
  }
  for (const name of [...calls.keys()].sort()) g.setNode(name, { width: 24 + 7.5 * name.length, height: 34 });
  for (const l of links) {
    if (l.parent !== l.child) g.setEdge(l.parent, l.child, { width: 90, height: 16, labelpos: 'c' });
  }
  layout(g);
  const nodes: GraphNode[] = g.nodes().map((name: string) => {
    const n = g.node(name) as { x: number; y: number; width: number; height: number };
    return { name, x: n.x, y: n.y, width: n.width, height: n.height, calls: calls.get(name) ?? 0 };
  });
  const edges: GraphEdge[] = links.filter((l) => l.parent !== l.child).map((l) => {
    const e = g.edge(l.parent, l.child) as { points: Array<{ x: number; y: number }> };
    return { ...l, points: e.points, label: edgeLabel(l) };
  });
  const graph = g.graph() as { width?: number; height?: number };
  return { nodes, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}
