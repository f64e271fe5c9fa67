import { useMemo, useRef } from 'react';
import { useViewport } from '../../components/useViewport.js';
import { Link } from '../../router.js';
import { Empty, ErrorState, Loading } from '../../components/States.js';
import { serviceColor } from '../../model/colors.js';
import { compareTraces, type CompareRow } from '../../model/compare.js';
import { rowWindow } from '../../model/row-window.js';
import { countOf, formatDuration } from '../../model/format.js';
import { useTrace } from '../Trace/useTrace.js';

const PRESENCE = { a: 'only in A', b: 'only in B', both: 'in both' } as const;

/** Two traces merged into one tree: what only A has, what only B has, and how durations differ. */
export function ComparePage({ a, b }: { a?: string; b?: string }) {
  if (!a || !b) {
    return <Empty title="Pick two traces to compare.">Tick two traces in the <Link to="/search">search results</Link>, then press Compare.</Empty>;
  }
  return <Compare a={a} b={b} />;
}

function Compare({ a, b }: { a: string; b: string }) {
  const ta = useTrace(a);
  const tb = useTrace(b);
  const rows = useMemo(() => (ta.loaded && tb.loaded ? compareTraces(ta.loaded.trace, tb.loaded.trace) : undefined), [ta.loaded, tb.loaded]);
  if (ta.query.isError) return <ErrorState error={ta.query.error} hint={`Trace A (${a}) could not be opened.`} />;
  if (tb.query.isError) return <ErrorState error={tb.query.error} hint={`Trace B (${b}) could not be opened.`} />;
  if (!rows || !ta.loaded || !tb.loaded) return <Loading what="both traces" />;
  return (
    <div className="compare-page">
      <h1>
        Compare <Link to={`/trace/${a}`} className="mono">A {a.slice(-12)}</Link> ({countOf(ta.loaded.trace.spanCount, 'span')},{' '}
        {formatDuration(ta.loaded.trace.durationUs)}) with <Link to={`/trace/${b}`} className="mono">B {b.slice(-12)}</Link> (
        {countOf(tb.loaded.trace.spanCount, 'span')}, {formatDuration(tb.loaded.trace.durationUs)})
      </h1>
      <CompareTable rows={rows} />
    </div>
  );
}

/** Height of one compare row, px (fixed by the stylesheet, so the table is virtualised by arithmetic). */
const ROW_HEIGHT = 26;

/** Rows drawn beyond each edge of the scrolled view. */
const OVERSCAN = 10;

/**
 * The merged tree as a table that only renders the rows in view (plus a margin), like the
 * timeline: spacer rows above and below stand for the rest, so 50 000 merged nodes cost what 60 do.
 */
function CompareTable({ rows }: { rows: CompareRow[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const view = useViewport(scrollRef);
  const { first, end } = rowWindow({ scrollTop: view.scrollTop, viewportHeight: view.height, rowHeight: ROW_HEIGHT, count: rows.length }, OVERSCAN);
  const shown: number[] = [];
  for (let i = first; i < end; i++) shown.push(i);
  return (
    <div className="compare-scroll" ref={scrollRef} data-testid="compare-scroll">
      <table className="compare" data-testid="compare-table" aria-rowcount={rows.length + 1}>
        <thead>
          <tr><th>Service &amp; operation</th><th>Where</th><th>Calls A / B</th><th>Time A</th><th>Time B</th><th>B − A</th></tr>
        </thead>
        <tbody>
          {first > 0 ? <tr className="compare-spacer" aria-hidden="true" style={{ height: first * ROW_HEIGHT }} /> : null}
          {shown.map((i) => {
            const r = rows[i]!;
            const diff = r.durationB - r.durationA;
            return (
              <tr key={i} className={`presence-${r.presence}`} aria-rowindex={i + 2}>
                <td style={{ paddingLeft: 8 + Math.min(r.depth, 30) * 14 }}>
                  <span className="swatch" style={{ background: serviceColor(r.service) }} />
                  <span className="svc">{r.service}</span> {r.operation}
                </td>
                <td>{PRESENCE[r.presence]}</td>
                <td className="num">{r.countA} / {r.countB}</td>
                <td className="num">{r.countA ? formatDuration(r.durationA) : '–'}</td>
                <td className="num">{r.countB ? formatDuration(r.durationB) : '–'}</td>
                <td className={`num ${diff > 0 ? 'slower' : diff < 0 ? 'faster' : ''}`}>{r.presence === 'both' ? `${diff > 0 ? '+' : ''}${formatDuration(diff)}` : ''}</td>
              </tr>
            );
          })}
          {end < rows.length ? <tr className="compare-spacer" aria-hidden="true" style={{ height: (rows.length - end) * ROW_HEIGHT }} /> : null}
        </tbody>
      </table>
    </div>
  );
}
