import { describe, expect, it } from 'vitest';
import { edgeLabel, focusLinks, layoutDependencies } from './dependency-layout.js';

const LINKS = [
  { parent: 'frontend', child: 'backend', callCount: 1200, errorCount: 30 },
  { parent: 'backend', child: 'mysql', callCount: 1, errorCount: 0 },
  { parent: 'frontend', child: 'cache', callCount: 5, errorCount: 0 },
];

describe('dependency graph', () => {
  it('labels edges with calls and error rate', () => {
    expect(LINKS.map(edgeLabel)).toEqual(['1,200 calls, 2.5% errors', '1 call', '5 calls']);
  });
  it('focuses on a service and its neighbours', () => {
    expect(focusLinks(LINKS, 'backend').map((l) => `${l.parent}>${l.child}`)).toEqual(['frontend>backend', 'backend>mysql']);
    expect(focusLinks(LINKS, undefined)).toHaveLength(3);
  });
  it('lays callers left of callees', () => {
    const g = layoutDependencies(LINKS);
    const x = Object.fromEntries(g.nodes.map((n) => [n.name, n.x]));
    expect(g.nodes.map((n) => n.name).sort()).toEqual(['backend', 'cache', 'frontend', 'mysql']);
    expect(x.frontend!).toBeLessThan(x.backend!);
    expect(x.backend!).toBeLessThan(x.mysql!);
    expect(g.edges).toHaveLength(3);
    expect(g.edges.every((e) => e.points.length >= 2)).toBe(true);
    expect(g.nodes.find((n) => n.name === 'backend')!.calls).toBe(1200);
  });
});
