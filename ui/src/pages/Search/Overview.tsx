import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { fetchServiceTimes } from '../../api/client.js';
import type { TraceSummary } from '../../api/types.js';
import { serviceColor } from '../../model/colors.js';
import { countOf, formatDuration, formatTimestamp } from '../../model/format.js';
import { traceHistogram } from '../../model/overview.js';

const BUCKETS = 40;

/** Traces started per slice of the searched period, errors stacked in red. */
export function TraceHistogram({ summaries, startUs, endUs }: { summaries: TraceSummary[]; startUs: number; endUs: number }) {
  const buckets = useMemo(() => traceHistogram(summaries, { startUs, endUs, buckets: BUCKETS }), [summaries, startUs, endUs]);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const w = 900 / BUCKETS;
  return (
    <figure className="histogram" data-testid="trace-histogram" aria-label="Traces over the searched period">
      <figcaption className="muted">Traces over the period ({formatTimestamp(startUs)} – {formatTimestamp(endUs)})</figcaption>
      <svg viewBox="0 0 900 70" role="img">
        {buckets.map((b, i) => {
          const h = (60 * b.count) / max;
          const he = (60 * b.errors) / max;
          return (
            <g key={b.startUs} data-count={b.count}>
              <rect className="hist-bar" x={i * w + 1} y={62 - h} width={w - 2} height={h} />
              {he > 0 ? <rect className="hist-bar-error" x={i * w + 1} y={62 - he} width={w - 2} height={he} /> : null}
              <title>{`${countOf(b.count, 'trace')}${b.errors ? ` (${b.errors} with errors)` : ''} from ${formatTimestamp(b.startUs)}`}</title>
            </g>
          );
        })}
        <line className="grid" x1={0} x2={900} y1={62.5} y2={62.5} />
      </svg>
    </figure>
  );
}

/** Self and total time per service across the shown traces (read from the server, at most 200 traces). */
export function ServiceTimes({ summaries }: { summaries: TraceSummary[] }) {
  const ids = useMemo(() => summaries.slice(0, 200).map((s) => s.traceId), [summaries]);
  const query = useQuery({
    queryKey: ['service-times', ids.join(',')],
    queryFn: ({ signal }) => fetchServiceTimes(ids, signal),
    staleTime: 5 * 60_000,
  });
  if (query.isPending) return <div className="service-times muted">Adding up time per service…</div>;
  if (query.isError) return <div className="service-times muted">Time per service unavailable: {query.error.message}</div>;
  const lines = query.data;
  const max = Math.max(1, ...lines.map((l) => l.totalUs));
  return (
    <figure className="service-times" data-testid="service-times" aria-label="Cumulative time per service">
      <figcaption className="muted">Cumulative time per service across {ids.length === summaries.length ? 'these' : `the first ${ids.length} of these`} traces (bar: total, dark part: self time)</figcaption>
      <table>
        <tbody>
          {lines.map((l) => (
            <tr key={l.service}>
              <th scope="row">
                <span className="swatch" style={{ background: serviceColor(l.service) }} />
                {l.service}
              </th>
              <td className="st-bar-cell">
                <div className="st-bar" style={{ width: `${(100 * l.totalUs) / max}%`, background: serviceColor(l.service) }}>
                  <div className="st-self" style={{ width: `${(100 * l.selfUs) / Math.max(1, l.totalUs)}%` }} />
                </div>
              </td>
              <td className="num">{formatDuration(l.selfUs)} self</td>
              <td className="num muted">{formatDuration(l.totalUs)} total · {countOf(l.spans, 'span')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
