import { serviceColor } from '../../model/colors.js';
import { formatTimestamp } from '../../model/format.js';
import type { QueryColumn } from './api.js';
import { formatCell, type BarPlot, type LinePlot } from './chart-model.js';

const W = 900;
const H = 240;
const LEFT = 70;
const BOTTOM = 22;

/** A line chart over time or horizontal bars of one measure, drawn as SVG; labels are text nodes. */
export function ResultChart({ plot, measure, type }: { plot: LinePlot | BarPlot; measure: string; type: QueryColumn['type'] }) {
  return plot.kind === 'line' ? <Lines plot={plot} measure={measure} type={type} /> : <Bars plot={plot} measure={measure} type={type} />;
}

function Lines({ plot, measure, type }: { plot: LinePlot; measure: string; type: QueryColumn['type'] }) {
  const span = Math.max(1, plot.xMax - plot.xMin);
  const x = (v: number) => LEFT + ((v - plot.xMin) / span) * (W - LEFT - 10);
  const y = (v: number) => H - BOTTOM - (v / plot.yMax) * (H - BOTTOM - 10);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * plot.yMax);
  const xTicks = plot.xMax > plot.xMin ? [0, 0.5, 1].map((f) => plot.xMin + f * span) : [plot.xMin];
  return (
    <figure className="query-chart" data-testid="query-chart" data-kind="line" aria-label={`${measure} over time`}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img">
        {ticks.map((t) => (
          <g key={t}>
            <line className="grid" x1={LEFT} x2={W - 10} y1={y(t)} y2={y(t)} />
            <text className="axis-label" x={LEFT - 6} y={y(t) + 4} textAnchor="end">{formatCell(t, type)}</text>
          </g>
        ))}
        {xTicks.map((t, i) => (
          <text key={t} className="axis-label" x={x(t)} y={H - 6} textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}>{formatTimestamp(t).slice(5, 16)}</text>
        ))}
        {plot.lines.map((line) => (
          <g key={line.label} className="query-line">
            <polyline fill="none" stroke={serviceColor(line.label)} strokeWidth={2} points={line.points.map(([px, py]) => `${x(px)},${y(py)}`).join(' ')} />
            {line.points.map(([px, py]) => (
              <circle key={px} cx={x(px)} cy={y(py)} r={line.points.length === 1 ? 4 : 2.5} fill={serviceColor(line.label)}>
                <title>{`${line.label}: ${formatCell(py, type)} at ${formatTimestamp(px)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <figcaption className="query-legend">
        {plot.lines.map((line) => (
          <span key={line.label} className="legend-item">
            <span className="swatch" style={{ background: serviceColor(line.label) }} />
            {line.label}
          </span>
        ))}
        {plot.omitted > 0 ? <span className="muted">and {plot.omitted} more (see the table)</span> : null}
      </figcaption>
    </figure>
  );
}

function Bars({ plot, measure, type }: { plot: BarPlot; measure: string; type: QueryColumn['type'] }) {
  const row = 22;
  const label = 260;
  const height = plot.bars.length * row + 8;
  const width = (v: number) => Math.max(1, (v / plot.yMax) * (W - label - 90));
  return (
    <figure className="query-chart" data-testid="query-chart" data-kind="bar" aria-label={`${measure} per group`}>
      <svg viewBox={`0 0 ${W} ${height}`} role="img">
        {plot.bars.map((b, i) => (
          <g key={i} className="query-bar">
            <text className="axis-label" x={label - 8} y={i * row + 16} textAnchor="end">{b.label.length > 40 ? `${b.label.slice(0, 39)}…` : b.label}</text>
            <rect x={label} y={i * row + 4} width={width(b.value)} height={row - 6} className="hist-bar">
              <title>{`${b.label}: ${formatCell(b.value, type)}`}</title>
            </rect>
            <text className="axis-label" x={label + width(b.value) + 6} y={i * row + 16}>{formatCell(b.value, type)}</text>
          </g>
        ))}
      </svg>
      {plot.omitted > 0 ? <figcaption className="muted">{plot.omitted} more rows in the table</figcaption> : null}
    </figure>
  );
}
