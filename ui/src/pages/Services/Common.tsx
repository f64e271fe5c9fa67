import { formatDuration, formatTimestamp, groupThousands } from '../../model/format.js';
import { RANGES, formatPercent, formatPerMinute, pageRange, sortOf, type Figures, type PageRange, type Sort } from '../../model/services.js';
import { useSearchParams } from '../../router.js';

/** The page's range and sort from the URL, and setters that keep them there (replacing the history entry). */
export function useServicesParams(): { params: URLSearchParams; range: PageRange; sort: Sort; setRange: (lookback: string) => void; setSort: (sort: Sort) => void } {
  const [params, setParams] = useSearchParams();
  const update = (change: (next: URLSearchParams) => void) => setParams((current) => {
    const next = new URLSearchParams(current);
    change(next);
    return next;
  }, { replace: true });
  return {
    params,
    range: pageRange(params),
    sort: sortOf(params),
    setRange: (lookback) => update((next) => {
      next.delete('start');
      next.delete('end');
      next.set('lookback', lookback);
    }),
    setSort: (sort) => update((next) => {
      next.set('sort', sort.key);
      next.set('dir', sort.dir);
    }),
  };
}

/** The range picker: the lookbacks offered, or the pinned range the URL names. */
export function RangePicker({ range, onChange }: { range: PageRange; onChange: (lookback: string) => void }) {
  const value = range.kind === 'lookback' ? range.lookback : 'fixed';
  return (
    <label className="range-picker">
      Time range{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {range.kind === 'fixed' ? (
          <option value="fixed">{formatTimestamp(range.start * 1000).slice(0, 16)} – {formatTimestamp(range.end * 1000).slice(0, 16)}</option>
        ) : null}
        {RANGES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
      </select>
    </label>
  );
}

/** The figures of a service or endpoint as a row of labelled values. */
export function FiguresStrip({ figures }: { figures: Figures }) {
  const d = (us: number | null) => (us === null ? '–' : formatDuration(us));
  const items: Array<[string, string, boolean?]> = [
    ['Requests', groupThousands(figures.requests)],
    ['Per minute', formatPerMinute(figures.perMinute)],
    ['Errors', groupThousands(figures.errors), figures.errors > 0],
    ['Error rate', formatPercent(figures.errorRate), figures.errors > 0],
    ['Avg', d(figures.avgUs)],
    ['p50', d(figures.p50Us)],
    ['p95', d(figures.p95Us)],
    ['p99', d(figures.p99Us)],
    ['Max', d(figures.maxUs)],
  ];
  return (
    <dl className="figures" data-testid="figures">
      {items.map(([label, value, bad]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd className={bad ? 'error-mark' : undefined}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** What the page shows when nothing counts as a request, and where the definitions are. */
export function RequestsHint() {
  return (
    <>
      A request is a server or consumer span, or a span without a parent; client calls count for the service they call.
      Widen the time range, check the Ingest page, or read <code>docs/api.md</code> in the Ariadne sources for the definitions.
    </>
  );
}
