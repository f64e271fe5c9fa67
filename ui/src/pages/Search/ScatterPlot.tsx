import { useMemo, useRef, useState, type PointerEvent } from 'react';
import type { TraceSummary } from '../../api/types.js';
import { formatDuration, formatTimestamp } from '../../model/format.js';
import { brushRange, scatterLayout } from '../../model/scatter.js';
import { useTraceIntent } from '../Trace/useTrace.js';

const WIDTH = 900;
const HEIGHT = 200;

interface Props {
  summaries: TraceSummary[];
  onOpen: (traceId: string) => void;
  /** A brushed time range (µs since the epoch): the page narrows the search to it. */
  onBrush: (range: { startUs: number; endUs: number }) => void;
}

/**
 * Duration against start time, one dot per trace (bigger with more spans, red with errors); a
 * click opens it, dragging across the plot selects a time range to search again. Each dot is a
 * link for the keyboard too: Tab reaches it, Enter or Space opens it.
 */
export function ScatterPlot({ summaries, onOpen, onBrush }: Props) {
  const layout = useMemo(() => scatterLayout(summaries, { width: WIDTH, height: HEIGHT, padLeft: 64, padBottom: 24 }), [summaries]);
  const svgRef = useRef<SVGSVGElement>(null);
  const [brush, setBrush] = useState<[number, number] | undefined>();
  const intent = useTraceIntent();
  const toX = (e: PointerEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    return ((e.clientX - box.left) / Math.max(1, box.width)) * WIDTH;
  };
  return (
    <figure className="scatter" aria-label="Trace duration over time; drag across it to zoom the time range">
      <svg
        ref={svgRef}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="group"
        aria-label="Traces by start time and duration: Tab reaches each dot, Enter opens its trace"
        data-testid="scatter"
        onPointerDown={(e) => {
          if ((e.target as Element).tagName === 'circle') return;
          e.currentTarget.setPointerCapture(e.pointerId);
          const x = toX(e);
          setBrush([x, x]);
        }}
        onPointerMove={(e) => brush && setBrush([brush[0], toX(e)])}
        onPointerUp={() => {
          if (brush) {
            const range = brushRange(layout.axis, brush[0], brush[1]);
            if (range) onBrush(range);
          }
          setBrush(undefined);
        }}
      >
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
            tabIndex={0}
            role="link"
            aria-label={`${p.title}, ${formatDuration(p.durationUs)}, ${formatTimestamp(p.startUs)}`}
            onClick={() => onOpen(p.traceId)}
            {...intent(p.traceId)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter' && e.key !== ' ') return;
              e.preventDefault();
              onOpen(p.traceId);
            }}
          >
            <title>{`${p.title}\n${formatDuration(p.durationUs)} · ${formatTimestamp(p.startUs)}`}</title>
          </circle>
        ))}
        {brush ? (
          <rect className="brush" x={Math.min(brush[0], brush[1])} y={0} width={Math.abs(brush[1] - brush[0])} height={HEIGHT - 24} />
        ) : null}
      </svg>
    </figure>
  );
}
