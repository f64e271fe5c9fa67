import { Link } from '../../router.js';
import type { TraceSummary } from '../../api/types.js';
import { serviceColor } from '../../model/colors.js';
import { countOf, formatAgo, formatDuration, formatTimestamp } from '../../model/format.js';
import { useTraceIntent } from '../Trace/useTrace.js';

/** The result list: one card per trace with its services, counts and a compare checkbox. */
export function ResultList({ summaries, selected, onToggle }: { summaries: TraceSummary[]; selected: string[]; onToggle: (traceId: string) => void }) {
  const maxDuration = Math.max(1, ...summaries.map((s) => s.durationUs));
  const nowUs = Date.now() * 1000;
  const intent = useTraceIntent();
  return (
    <ol className="result-list">
      {summaries.map((s) => (
        <li key={s.traceId} className="result" data-trace-id={s.traceId}>
          <div className="result-head">
            <input
              type="checkbox"
              checked={selected.includes(s.traceId)}
              onChange={() => onToggle(s.traceId)}
              aria-label={`Select trace ${s.traceId} to compare`}
            />
            <Link className="result-title" to={`/trace/${s.traceId}`} {...intent(s.traceId)}>
              <span className="svc">{s.rootService || '(no root span)'}</span>: <span>{s.rootOperation}</span>
              <span className="trace-id-short">{s.traceId.slice(-7)}</span>
            </Link>
            <span className="result-duration">{formatDuration(s.durationUs)}</span>
          </div>
          <div className="result-bar" style={{ width: `${(100 * s.durationUs) / maxDuration}%` }} />
          <div className="result-meta">
            <span>{countOf(s.spanCount, 'span')}</span>
            {s.errorCount > 0 ? <span className="error-mark">{countOf(s.errorCount, 'error')}</span> : null}
            {s.orphanCount > 0 ? <span className="muted">{countOf(s.orphanCount, 'orphan')}</span> : null}
            <span className="spacer" />
            <span title={formatTimestamp(s.startUs)}>{formatAgo(s.startUs, nowUs)} · {formatTimestamp(s.startUs)}</span>
          </div>
          <ul className="service-chips">
            {s.services.map((svc) => (
              <li key={svc.name} className="chip" style={{ borderLeftColor: serviceColor(svc.name) }}>
                {svc.name} ({svc.spanCount}){svc.errorCount > 0 ? <span className="error-mark" title={countOf(svc.errorCount, 'error')}> !</span> : null}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
