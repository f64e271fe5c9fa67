/**
 * Small SVG charts of the service pages: sparklines, time-series charts and the latency histogram.
 * Every label is SVG text (never markup from data), and each chart carries a text summary for
 * screen readers.
 */
import { formatDuration, groupThousands } from '../../model/format.js';
import { barHeights, bucketLabel, formatWidth, linePath, maxOf, niceMax, type LatencyBar } from '../../model/services.js';

const SPARK_W = 96;
const SPARK_H = 22;

/** A line of per-bucket values, scaled to its own maximum; `label` says what it shows. */
export function Sparkline({ values, label, tone = 'accent', connect = false }: { values: ReadonlyArray<number | null>; label: string; tone?: 'accent' | 'error' | 'muted'; connect?: boolean }) {
  const max = maxOf(values);
  return (
    <svg className={`sparkline tone-${tone}`} viewBox={`0 0 ${SPARK_W} ${SPARK_H}`} width={SPARK_W} height={SPARK_H} role="img" aria-label={label}>
      <path d={linePath(values, SPARK_W, SPARK_H - 2, max, connect)} transform="translate(0,1)" />
    </svg>
  );
}

/** Gridlines at 0, half and the top of the axis, the half one left out when it would read like a neighbour (small counts). */
function axisTicks(max: number, format: (value: number) => string): Array<{ f: number; label: string }> {
  const ticks = [0, 0.5, 1].map((f) => ({ f, label: format(f * max) }));
  return ticks.filter((t, i) => i !== 1 || (t.label !== ticks[0]!.label && t.label !== ticks[2]!.label && Number.isInteger(max / 2)));
}

const W = 640;
const H = 170;
const PAD_L = 56;
const PAD_B = 22;
const PAD_T = 8;

/** A named line or bar series of a time chart. */
export interface ChartLine {
  label: string;
  values: ReadonlyArray<number | null>;
  tone: 'accent' | 'error' | 'p50' | 'p95' | 'p99';
}

interface TimeChartProps {
  title: string;
  kind: 'bars' | 'lines';
  lines: ChartLine[];
  firstBucketMs: number;
  bucketMs: number;
  /** How a value reads on the axis and in the summary. */
  format: (value: number) => string;
  testId?: string;
}

/** Values per time bucket as bars (one series) or lines (several), with a y axis of 0 … a round maximum and time labels. */
export function TimeChart({ title, kind, lines, firstBucketMs, bucketMs, format, testId }: TimeChartProps) {
  const n = Math.max(1, ...lines.map((l) => l.values.length));
  const max = niceMax(maxOf(...lines.map((l) => l.values)));
  const plotW = W - PAD_L - 8;
  const plotH = H - PAD_B - PAD_T;
  const rangeMs = n * bucketMs;
  const ticks = axisTicks(max, format).map((t) => ({ y: PAD_T + plotH - t.f * plotH, label: t.label }));
  const labelEvery = Math.max(1, Math.ceil(n / 5));
  const xLabels = Array.from({ length: n }, (_, i) => i).filter((i) => i % labelEvery === 0);
  const peak = lines.map((l) => `${l.label} peak ${format(maxOf(l.values))}`).join(', ');
  const barW = plotW / n;
  return (
    <figure className="time-chart" data-testid={testId}>
      <figcaption>
        {title}
        {lines.length > 1 ? (
          <span className="legend">
            {lines.map((l) => <span key={l.label} className={`legend-item tone-${l.tone}`}><span className="legend-swatch" aria-hidden="true" />{l.label}</span>)}
          </span>
        ) : null}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title} per ${formatWidth(bucketMs)} over ${n} buckets: ${peak}`}>
        {ticks.map((t) => (
          <g key={t.y} className="axis">
            <line x1={PAD_L} x2={W - 8} y1={t.y} y2={t.y} className="grid" />
            <text x={PAD_L - 6} y={t.y + 4} textAnchor="end">{t.label}</text>
          </g>
        ))}
        {xLabels.map((i) => (
          <text key={i} className="axis" x={PAD_L + (kind === 'bars' ? (i + 0.5) * barW : (n === 1 ? plotW / 2 : (i * plotW) / (n - 1)))} y={H - 6} textAnchor="middle">
            {bucketLabel(firstBucketMs + i * bucketMs, rangeMs)}
          </text>
        ))}
        <g transform={`translate(${PAD_L},${PAD_T})`}>
          {kind === 'bars'
            ? lines.map((l) => l.values.map((v, i) => (v === null || v === 0 ? null : (
              <rect key={`${l.label}-${i}`} className={`chart-bar tone-${l.tone}`} x={i * barW + barW * 0.1} width={Math.max(0.5, barW * 0.8)}
                y={plotH - (v / max) * plotH} height={(v / max) * plotH} />
            ))))
            : lines.map((l) => <path key={l.label} className={`line tone-${l.tone}`} d={linePath(l.values, plotW, plotH, max, true)} />)}
        </g>
      </svg>
    </figure>
  );
}

/** Counts per log-spaced latency bar, labelled at the ends and middle. */
export function LatencyHistogram({ bars }: { bars: readonly LatencyBar[] }) {
  const heights = barHeights(bars);
  const plotW = W - PAD_L - 8;
  const plotH = H - PAD_B - PAD_T;
  const barW = plotW / Math.max(1, bars.length);
  const maxCount = bars.reduce((m, b) => Math.max(m, b.count), 0);
  const first = bars[0];
  const last = bars[bars.length - 1];
  const middle = bars[Math.floor(bars.length / 2)];
  const busiest = bars.find((b) => b.count === maxCount);
  return (
    <figure className="time-chart latency-histogram" data-testid="latency-histogram">
      <figcaption>Latency distribution <span className="muted">(requests per duration band, log scale)</span></figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={busiest ? `${bars.length} bands from ${formatDuration(first!.fromUs)} to ${formatDuration(last!.toUs)}; most requests (${groupThousands(maxCount)}) between ${formatDuration(busiest.fromUs)} and ${formatDuration(busiest.toUs)}` : 'No requests'}
      >
        {axisTicks(maxCount, (v) => groupThousands(Math.round(v))).map(({ f, label }) => {
          const y = PAD_T + plotH - f * plotH;
          return (
            <g key={f} className="axis">
              <line x1={PAD_L} x2={W - 8} y1={y} y2={y} className="grid" />
              <text x={PAD_L - 6} y={y + 4} textAnchor="end">{label}</text>
            </g>
          );
        })}
        <g transform={`translate(${PAD_L},${PAD_T})`}>
          {bars.map((b, i) => (
            <rect key={i} className="chart-bar tone-accent" x={i * barW + 1} width={Math.max(0.5, barW - 2)} y={plotH - heights[i]! * plotH} height={heights[i]! * plotH}>
              <title>{`${formatDuration(b.fromUs)} – ${formatDuration(b.toUs)}: ${groupThousands(b.count)}`}</title>
            </rect>
          ))}
        </g>
        {first ? <text className="axis" x={PAD_L} y={H - 6} textAnchor="start">{formatDuration(first.fromUs)}</text> : null}
        {middle && bars.length > 2 ? <text className="axis" x={PAD_L + plotW / 2} y={H - 6} textAnchor="middle">{formatDuration(middle.fromUs)}</text> : null}
        {last ? <text className="axis" x={W - 8} y={H - 6} textAnchor="end">{formatDuration(last.toUs)}</text> : null}
      </svg>
    </figure>
  );
}
