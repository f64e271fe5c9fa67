import type { CompactTrace } from '../../api/types.js';
import { displayTraceId, formatDuration, formatTimestamp } from '../../model/format.js';

/** Root service and operation, start, duration, services, depth and span count, and trace warnings. */
export function TraceHeader({ trace }: { trace: CompactTrace }) {
  const rootService = trace.services[trace.rows.service[0] ?? 0] ?? '';
  const rootName = trace.names[trace.rows.name[0] ?? 0] ?? '';
  return (
    <div className="trace-header">
      <h1>
        <span className="svc">{rootService}</span>: {rootName} <span className="trace-id" title={trace.traceId}>{displayTraceId(trace.traceId)}</span>
      </h1>
      <dl className="trace-facts">
        <div><dt>Start</dt><dd>{formatTimestamp(trace.startUs)}</dd></div>
        <div><dt>Duration</dt><dd>{formatDuration(trace.durationUs)}</dd></div>
        <div><dt>Services</dt><dd>{trace.services.length}</dd></div>
        <div><dt>Depth</dt><dd>{trace.depth}</dd></div>
        <div><dt>Total spans</dt><dd data-testid="span-count">{trace.spanCount}</dd></div>
      </dl>
      {trace.warnings.length > 0 ? (
        <ul className="trace-warnings">
          {trace.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
