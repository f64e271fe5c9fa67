import { useMemo } from 'react';
import type { TraceSummary } from '../../api/types.js';
import { formatDuration, formatTimestamp } from '../../model/format.js';
import { scatterLayout } from '../../model/scatter.js';

const WIDTH = 900;
const HEIGHT = 200;

/** Duration against start time, one dot per trace (bigger with more spans, red with errors); a click opens it. */
export function ScatterPlot({ summaries, onOpen }: { summaries: TraceSummary[]; onOpen: (traceId: string) => void }) {
  const layout = useMemo(() => scatterLayout(summaries, { width: WIDTH, height: HEIGHT, padLeft: 64, padBottom: 24 }), [summaries]);
  return (
    <figure className="scatter" aria-label="Trace duration over time">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img">
        {layout.yTicks.map((t) => (
          <g key={`y${t.y}`}>
            <line className="grid" x1={64} x2={WIDTH} y1={t.y} y2={t.y} />
            <text className="axis" x={58} y={t.y + 4} textAnchor="end">{t.label}</text>
          </g>
        ))}
        {layout.xTicks.map((t) => (
          <text key={`x${t.x}`} className="axis" x={t.x} y={HEIGHT - 6} textAnchor="middle">{t.label}</text>
        ))}
        {layout.points.map((p) => (
          <circle
            key={p.traceId}
            className={p.error ? 'dot dot-error' : 'dot'}
            cx={p.x}
            cy={p.y}
            r={p.r}
            data-trace-id={p.traceId}
            onClick={() => onOpen(p.traceId)}
          >
            <title>{`${p.title}\n${formatDuration(p.durationUs)} · ${formatTimestamp(p.startUs)}`}</title>
          </circle>
        ))}
      </svg>
    </figure>
  );
}
