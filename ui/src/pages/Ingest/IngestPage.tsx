import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { fetchIngest } from '../../api/client.js';
import type { IngestReceiver, IngestRefusal, IngestSnapshot, IngestSource } from '../../api/types.js';
import { DoctorHint } from '../../components/DoctorHint.js';
import { Empty, ErrorState, Loading } from '../../components/States.js';
import { countOf, groupThousands } from '../../model/format.js';
import { CLOCK_WARN_MS, formatSince, readClockOffset, receiverLabel, receiverName, sampleView, type ListenerPort } from '../../model/ingest.js';

/** How often the page asks the server again while not paused. */
const REFRESH_MS = 5000;

/** The current time, ticking every `everyMs` so relative times stay true between refreshes. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * What each receiver took and refused (with the last reasons, senders and body samples) and every
 * source service seen, refreshed every 5 s unless paused: the first stop when traces do not show up.
 */
export function IngestPage() {
  const [paused, setPaused] = useState(false);
  const now = useNow(REFRESH_MS);
  const ingest = useQuery({
    queryKey: ['ingest'],
    queryFn: ({ signal }) => fetchIngest(signal),
    refetchInterval: paused ? false : REFRESH_MS,
    staleTime: 0,
  });

  return (
    <div className="ingest-page">
      <div className="ingest-bar">
        <h1>Ingest</h1>
        <span className="muted" data-testid="ingest-status">
          {ingest.data ? `since ${formatSince(ingest.data.since, now)} · updated ${formatSince(new Date(ingest.dataUpdatedAt).toISOString(), now)}` : null}
          {ingest.isRefetchError ? ' · the last refresh failed' : null}
        </span>
        <span className="spacer" />
        <button type="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
          {paused ? 'Resume auto-refresh' : 'Pause auto-refresh'}
        </button>
        <button type="button" onClick={() => void ingest.refetch()} disabled={ingest.isFetching}>Refresh now</button>
      </div>
      {ingest.isPending ? (
        <Loading what="ingest statistics" />
      ) : ingest.isError ? (
        <ErrorState error={ingest.error} hint="Check that the Ariadne query port is reachable, then refresh." />
      ) : (
        <IngestView snapshot={ingest.data} now={now} />
      )}
    </div>
  );
}

function IngestView({ snapshot, now }: { snapshot: IngestSnapshot; now: number }) {
  if (snapshot.receivers.length === 0 && snapshot.sources.length === 0) {
    return (
      <Empty title="Nothing received yet.">
        <DoctorHint />
      </Empty>
    );
  }
  const listeners = snapshot.listeners;
  const byLabel = (a: IngestReceiver, b: IngestReceiver) => receiverLabel(a.format).localeCompare(receiverLabel(b.format));
  const seen = new Set(snapshot.receivers.map((r) => r.format));
  // Receivers listening but silent so far get a card too: a sender that never arrives shows as zeros.
  const idle = [...new Set(listeners.flatMap((l) => l.formats))].filter((f) => !seen.has(f))
    .map((format): IngestReceiver => ({ format, requests: 0, spans: 0, refusedRequests: 0, refusedSpans: 0, refusals: [] }));
  const receivers = [...[...snapshot.receivers].sort(byLabel), ...idle.sort(byLabel)];
  return (
    <>
      <section aria-labelledby="receivers-title">
        <h2 id="receivers-title">Receivers</h2>
        <div className="receiver-grid">
          {receivers.map((r) => <ReceiverCard key={r.format} receiver={r} listeners={listeners} now={now} />)}
        </div>
      </section>
      <section aria-labelledby="sources-title">
        <h2 id="sources-title">Sources</h2>
        {snapshot.sources.length === 0 ? (
          <Empty title="No service has sent an accepted span yet.">Every request so far was refused: the reasons are listed above.</Empty>
        ) : (
          <SourcesTable sources={snapshot.sources} now={now} />
        )}
      </section>
    </>
  );
}

function ReceiverCard({ receiver: r, listeners, now }: { receiver: IngestReceiver; listeners: readonly ListenerPort[]; now: number }) {
  const { name, port } = receiverName(r.format, listeners);
  return (
    <article className={r.refusedRequests > 0 || r.refusedSpans > 0 ? 'receiver has-refusals' : 'receiver'} data-format={r.format}>
      <h3>
        {name}
        {port !== '' ? <span className="muted"> · {port}</span> : null}
      </h3>
      <dl className="receiver-facts">
        <div><dt>Taken</dt><dd>{countOf(r.spans, 'span')}</dd></div>
        <div><dt>Requests</dt><dd>{groupThousands(r.requests)}</dd></div>
        <div><dt>Refused</dt><dd className={r.refusedRequests > 0 || r.refusedSpans > 0 ? 'error-mark' : undefined}>{countOf(r.refusedRequests, 'request')}, {countOf(r.refusedSpans, 'span')}</dd></div>
        <div><dt>Last seen</dt><dd title={r.lastSeen}>{formatSince(r.lastSeen, now)}</dd></div>
        {r.lastRefused !== undefined ? <div><dt>Last refused</dt><dd title={r.lastRefused}>{formatSince(r.lastRefused, now)}</dd></div> : null}
      </dl>
      {r.refusals.length > 0 ? (
        <>
          <h4>Last {r.refusals.length === 1 ? 'refusal' : `${r.refusals.length} refusals`}</h4>
          <ol className="refusals">
            {r.refusals.map((refusal, i) => <RefusalItem key={`${refusal.at}-${i}`} refusal={refusal} now={now} />)}
          </ol>
        </>
      ) : null}
    </article>
  );
}

function RefusalItem({ refusal, now }: { refusal: IngestRefusal; now: number }) {
  return (
    <li className="refusal">
      <div className="refusal-head">
        <span className="refusal-code">{refusal.code}</span>
        <span className="muted" title={refusal.at}>{formatSince(refusal.at, now)}</span>
        {refusal.source !== undefined ? <span className="muted">from <span className="mono">{refusal.source}</span></span> : null}
      </div>
      <div className="refusal-message">{refusal.message}</div>
      {refusal.sample !== undefined ? <Sample sample={refusal.sample} /> : null}
    </li>
  );
}

/** A refused body's start, always as text (it is whatever the sender sent). */
function Sample({ sample }: { sample: string }) {
  const [open, setOpen] = useState(false);
  const view = sampleView(sample);
  return (
    <div className="sample">
      <span className="muted">{view.encoding === 'base64' ? 'Body sample (binary, base64):' : 'Body sample:'}</span>
      <pre className="sample-text">{open ? view.full : view.preview}{view.truncated && !open ? '…' : ''}</pre>
      {view.truncated ? (
        <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {open ? 'Show less' : `Show all ${view.full.length} characters`}
        </button>
      ) : null}
    </div>
  );
}

function SourcesTable({ sources, now }: { sources: IngestSource[]; now: number }) {
  const rows = [...sources].sort((a, b) => a.service.localeCompare(b.service) || a.format.localeCompare(b.format));
  const warned = rows.map((s) => ({ s, reading: readClockOffset(s.clockOffsetMs) })).filter((r) => r.reading.warning !== undefined);
  return (
    <>
      <table className="sources" data-testid="ingest-sources">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Format</th>
            <th scope="col" className="num">Spans</th>
            <th scope="col" className="num">Error spans</th>
            <th scope="col">Addresses</th>
            <th scope="col">Last seen</th>
            <th scope="col">Clock offset</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => {
            const reading = readClockOffset(s.clockOffsetMs);
            return (
              <tr key={`${s.format}/${s.service}`}>
                <th scope="row" className="svc">{s.service}</th>
                <td>{receiverName(s.format).name}</td>
                <td className="num">{groupThousands(s.spans)}</td>
                <td className={s.errorSpans > 0 ? 'num error-mark' : 'num'}>{groupThousands(s.errorSpans)}</td>
                <td className="mono">{s.addresses.length > 0 ? s.addresses.join(', ') : <span className="muted">unknown</span>}</td>
                <td title={s.lastSeen}>{formatSince(s.lastSeen, now)}</td>
                <td className="offset">
                  {reading.warning !== undefined ? <span className="warn-mark" role="img" aria-label="clock offset warning" title={reading.warning}>⚠ </span> : null}
                  <span className="mono">{reading.text}</span>
                  {reading.range !== '' ? <span className="muted mono"> ({reading.range})</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {warned.length > 0 ? (
        <ul className="offset-warnings" data-testid="offset-warnings">
          {warned.map(({ s, reading }) => (
            <li key={`${s.format}/${s.service}`}>
              <span className="warn-mark" aria-hidden="true">⚠</span> <span className="svc">{s.service}</span> ({receiverName(s.format).name}): {reading.warning}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted offset-legend">
        Clock offset is when a span arrived minus when it ended, by this server&apos;s clock (latest, and the range seen). A few
        milliseconds to a second or two is normal: reporters send in batches. Beyond {CLOCK_WARN_MS / 1000} s either way (marked ⚠), the
        sender&apos;s clock disagrees with this server&apos;s or its reports are queued, and its traces appear shifted in time.
      </p>
    </>
  );
}
