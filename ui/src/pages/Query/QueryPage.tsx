import { useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Empty, Loading } from '../../components/States.js';
import { countOf, formatTimestamp } from '../../model/format.js';
import { useSearchParams } from '../../router.js';
import { fetchQuery, StatementFailure } from './api.js';
import { plotOf } from './chart-model.js';
import { ResultChart } from './ResultChart.js';
import { ResultTable } from './ResultTable.js';
import { StatementErrorView } from './StatementErrorView.js';
import './query.css';

const RANGES: ReadonlyArray<{ value: string; label: string }> = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '2d', label: 'Last 2 days' },
  { value: '7d', label: 'Last 7 days' },
];

const EXAMPLES: readonly string[] = [
  '| stats count(), errors(), p95(duration) by service | sort count() desc',
  'kind = "server" | stats count(), p50(duration), p99(duration) by service, bucket()',
  'status = "error" | sort duration | limit 50',
  'http.status_code >= 500 | stats count() by service, http.status_code',
];

/**
 * The Query page: a statement editor (Ctrl/Cmd+Enter runs), its range, and the answer as a chart
 * and a table. The statement and range live in the URL (q, lookback or start/end in ms), so a
 * result can be shared as a link.
 */
export function QueryPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q');
  const start = params.get('start') ?? '';
  const end = params.get('end') ?? '';
  const lookback = start === '' ? params.get('lookback') ?? '1h' : '';
  const editor = useRef<HTMLTextAreaElement>(null);
  const [draft, setDraft] = useState(q ?? EXAMPLES[0]!);
  const [range, setRange] = useState(start !== '' ? 'custom' : lookback);
  const [lastQ, setLastQ] = useState(q);
  if (q !== lastQ) {
    // The URL moved (back, forward, a link): the editor shows the statement it names.
    setLastQ(q);
    if (q !== null) setDraft(q);
  }

  const result = useQuery({
    queryKey: ['statement', q, start, end, lookback, params.get('t') ?? ''],
    enabled: q !== null,
    staleTime: Infinity,
    retry: false,
    queryFn: ({ signal }) => fetchQuery({ q: q ?? '', start, end, lookback }, signal),
  });

  const run = () => {
    const p = new URLSearchParams();
    p.set('q', draft);
    if (range === 'custom' && start !== '') {
      p.set('start', start);
      if (end !== '') p.set('end', end);
    } else {
      p.set('lookback', range === 'custom' ? '1h' : range);
    }
    p.set('t', String(Date.now()));
    setParams(p);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  };
  const locate = (offset: number) => {
    const el = editor.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(offset, offset + 1);
  };

  return (
    <div className="query-page">
      <section className="query-editor">
        <label htmlFor="statement" className="muted">Statement — a filter, then <code>| stats … by …</code>, <code>| sort …</code>, <code>| limit N</code></label>
        <textarea
          id="statement"
          ref={editor}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          rows={4}
          spellCheck={false}
          aria-label="Statement"
          maxLength={4096}
        />
        <div className="query-controls">
          <select value={range} onChange={(e) => setRange(e.target.value)} aria-label="Time range">
            {RANGES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
            {start !== '' ? (
              <option value="custom">{`${formatTimestamp(Number(start) * 1000)} – ${end === '' ? 'now' : formatTimestamp(Number(end) * 1000)}`}</option>
            ) : null}
          </select>
          <button type="button" className="primary" onClick={run}>Run</button>
          <span className="muted">Ctrl+Enter (⌘+Enter) runs · language: docs/query-language.md</span>
        </div>
        <div className="query-examples">
          <span className="muted">Examples:</span>
          {EXAMPLES.map((ex) => (
            <button key={ex} type="button" className="link-button" onClick={() => setDraft(ex)}>{ex}</button>
          ))}
        </div>
      </section>
      <section className="query-results">
        {q === null ? (
          <Empty title="Write a statement and run it.">For example <code>{EXAMPLES[0]}</code>.</Empty>
        ) : result.isPending ? (
          <Loading what="the answer" />
        ) : result.isError ? (
          <StatementErrorView
            message={result.error.message}
            statement={q}
            position={result.error instanceof StatementFailure ? result.error.position : undefined}
            onLocate={draft === q ? locate : undefined}
          />
        ) : (
          <Answer result={result.data} />
        )}
      </section>
    </div>
  );
}

function Answer({ result }: { result: Awaited<ReturnType<typeof fetchQuery>> }) {
  const series = result.chart?.series ?? [];
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const measure = picked !== undefined && series.includes(picked) ? picked : series[0];
  const plot = useMemo(() => (measure === undefined ? undefined : plotOf(result, measure)), [result, measure]);
  const type = result.columns.find((c) => c.name === measure)?.type ?? 'number';
  const noun = result.kind === 'spans' ? 'span' : 'row';
  return (
    <>
      <div className="results-bar">
        <span className="results-count" data-testid="query-count">{countOf(result.rows.length, noun)}</span>
        <span className="muted">{`in ${result.elapsedMs} ms`}</span>
        {result.truncated ? <span className="muted">(cut by the limit)</span> : null}
        <span className="spacer" />
        {plot && series.length > 1 ? (
          <label>
            Chart{' '}
            <select value={measure} onChange={(e) => setPicked(e.target.value)} aria-label="Chart measure">
              {series.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
        ) : null}
      </div>
      {result.rows.length === 0 ? (
        <Empty title={result.kind === 'spans' ? 'No spans match.' : 'No groups: no spans match.'}>Widen the time range or loosen the filter.</Empty>
      ) : (
        <>
          {plot && measure !== undefined ? <ResultChart plot={plot} measure={measure} type={type} /> : null}
          <ResultTable result={result} />
        </>
      )}
    </>
  );
}
