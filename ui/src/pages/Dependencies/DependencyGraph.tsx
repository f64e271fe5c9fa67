import { useMemo } from 'react';
import type { DependencyLink } from '../../api/types.js';
import { serviceColor } from '../../model/colors.js';
import { focusLinks, layoutDependencies } from '../../model/dependency-layout.js';

/** The laid-out DAG as SVG; service names and labels are text nodes; each service is a button (Tab, Enter) that focuses on it. */
export default function DependencyGraph({ links, focus, onFocus }: { links: DependencyLink[]; focus: string | undefined; onFocus: (s: string) => void }) {
  const graph = useMemo(() => layoutDependencies(focusLinks(links, focus)), [links, focus]);
  return (
    <div className="dep-graph" data-testid="dependency-graph">
      <svg width={graph.width} height={graph.height} role="group" aria-label="Service dependency graph: Tab reaches each service, Enter focuses on it">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" />
          </marker>
        </defs>
        {graph.edges.map((e) => {
          const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ');
          const mid = e.points[Math.floor(e.points.length / 2)]!;
          return (
            <g key={`${e.parent}>${e.child}`} className={e.errorCount > 0 ? 'dep-edge has-errors' : 'dep-edge'}>
              <path d={d} markerEnd="url(#arrow)" />
              <text x={mid.x} y={mid.y - 5} textAnchor="middle">{e.label}</text>
            </g>
          );
        })}
        {graph.nodes.map((n) => (
          <g
            key={n.name}
            className={n.name === focus ? 'dep-node focus' : 'dep-node'}
            transform={`translate(${n.x - n.width / 2}, ${n.y - n.height / 2})`}
            tabIndex={0}
            role="button"
            aria-pressed={n.name === focus}
            aria-label={`${n.name}: focus on it and its neighbours`}
            data-service={n.name}
            onClick={() => onFocus(n.name)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter' && e.key !== ' ') return;
              e.preventDefault();
              onFocus(n.name);
            }}
          >
            <rect width={n.width} height={n.height} rx={6} style={{ stroke: serviceColor(n.name) }} />
            <text x={n.width / 2} y={n.height / 2 + 4} textAnchor="middle">{n.name}</text>
          </g>
        ))}
      </svg>
    </div>
  );
}
