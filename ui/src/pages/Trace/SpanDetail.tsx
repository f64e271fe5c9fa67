import { useQuery } from '@tanstack/react-query';
import { Link } from '../../router.js';
import { fetchSpan } from '../../api/client.js';
import type { AttributeValue, SpanDetail as Span } from '../../api/types.js';
import { ErrorState, Loading } from '../../components/States.js';
import { serviceColor } from '../../model/colors.js';
import { formatDuration, formatTimestamp } from '../../model/format.js';

/** Everything about one span, fetched when it is selected. All values are rendered as text. */
export function SpanDetail({ traceId, spanId, traceStartUs, onClose }: { traceId: string; spanId: string; traceStartUs: number; onClose: () => void }) {
  const query = useQuery({
    queryKey: ['span', traceId, spanId],
    queryFn: ({ signal }) => fetchSpan(traceId, spanId, signal),
    staleTime: 5 * 60_000,
  });
  return (
    <aside className="span-detail" aria-label="Span detail" data-testid="span-detail">
      <button type="button" className="close" onClick={onClose} aria-label="Close span detail (Esc)">×</button>
      {query.isPending ? (
        <Loading what="span" />
      ) : query.isError ? (
        <ErrorState error={query.error} hint="The trace may have expired from storage; reload the page." />
      ) : (
        <Body span={query.data} traceStartUs={traceStartUs} />
      )}
    </aside>
  );
}

function Body({ span, traceStartUs }: { span: Span; traceStartUs: number }) {
  const endpoint = (e: Span['localEndpoint']) =>
    e === undefined ? undefined : [e.serviceName, e.ipv4 ?? e.ipv6, e.port].filter((x) => x !== undefined && x !== '').join(' ');
  return (
    <div className="detail-body">
      <h2>
        <span className="swatch" style={{ background: serviceColor(span.service) }} />
        <span className="svc">{span.service}</span>: {span.name}
      </h2>
      <dl className="facts">
        <div><dt>Duration</dt><dd>{formatDuration(span.durationUs)}</dd></div>
        <div><dt>Start</dt><dd>{formatDuration(span.startUs - traceStartUs)} ({formatTimestamp(span.startUs)})</dd></div>
        <div><dt>Kind</dt><dd>{span.kind}</dd></div>
        <div><dt>Status</dt><dd className={span.statusCode === 'error' ? 'error-mark' : undefined}>{span.statusCode}{span.statusMessage ? `: ${span.statusMessage}` : ''}</dd></div>
        <div><dt>Span id</dt><dd className="mono">{span.spanId}</dd></div>
        {span.parentSpanId ? <div><dt>Parent</dt><dd className="mono">{span.parentSpanId}</dd></div> : null}
        {endpoint(span.localEndpoint) ? <div><dt>Local</dt><dd>{endpoint(span.localEndpoint)}</dd></div> : null}
        {endpoint(span.remoteEndpoint) ? <div><dt>Remote</dt><dd>{endpoint(span.remoteEndpoint)}</dd></div> : null}
      </dl>
      {span.warnings && span.warnings.length > 0 ? (
        <section>
          <h3>Warnings</h3>
          <ul className="warnings">
            {span.warnings.map((w, i) => <li key={i}>{w}</li>)}
          </ul>
        </section>
      ) : null}
      <KeyValues title="Tags" values={span.attributes} testId="span-tags" />
      <KeyValues title="Process / resource" values={span.resource} testId="span-resource" />
      {span.events.length > 0 ? (
        <section>
          <h3>Events / logs ({span.events.length})</h3>
          <ol className="events">
            {span.events.map((e, i) => (
              <li key={i}>
                <span className="mono">{formatDuration(e.timeUs - traceStartUs)}</span> <strong>{e.name}</strong>
                {e.attributes ? <KeyValues values={e.attributes} /> : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      {span.links.length > 0 ? (
        <section>
          <h3>References</h3>
          <ul className="links">
            {span.links.map((l, i) => (
              <li key={i}>
                {l.type}: <Link to={`/trace/${l.traceId}?span=${l.spanId}`} className="mono">{l.traceId.slice(-16)}/{l.spanId}</Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

function KeyValues({ title, values, testId }: { title?: string; values: Record<string, AttributeValue>; testId?: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  const table = (
    <table className="kv" data-testid={testId}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return title ? (
    <section>
      <h3>{title}</h3>
      {table}
    </section>
  ) : table;
}
