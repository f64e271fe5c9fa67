import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useSearchParams } from '../../router.js';
import { ApiError, fetchFind } from '../../api/client.js';
import { Empty, ErrorState, Loading } from '../../components/States.js';
import { criticalPath, type PathSegment } from '../../model/critical-path.js';
import { ancestorsOf, childrenOf, visibleRows } from '../../model/tree.js';
import { countOf } from '../../model/format.js';
import { FlameGraph } from './FlameGraph.js';
import { Minimap } from './Minimap.js';
import { SpanDetail } from './SpanDetail.js';
import { StatsTable } from './StatsTable.js';
import { Timeline } from './Timeline.js';
import { TraceHeader } from './TraceHeader.js';
import { useTrace, type LoadedTrace } from './useTrace.js';

/** One trace: header, find bar, timeline (or statistics), span detail. State in the URL. */
export function TracePage({ traceId }: { traceId: string }) {
  const { query, loaded } = useTrace(traceId);
  if (query.isPending) return <Loading what={`trace ${traceId}`} />;
  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return notFound ? (
      <Empty title={`Trace ${traceId} was not found.`}>
        It may be older than the retention period, or its spans have not arrived yet (they are searchable within a second of
        arriving). <Link to="/search">Search</Link> for recent traces.
      </Empty>
    ) : (
      <ErrorState error={query.error} hint="Reload the page; if it persists, check the server log." />
    );
  }
  return <TraceView key={traceId} loaded={loaded!} />;
}

function TraceView({ loaded }: { loaded: LoadedTrace }) {
  const { trace } = loaded;
  const [params, setParams] = useSearchParams();
  const setParam = useCallback(
    (patch: Record<string, string | undefined>) => {
      setParams((cur) => {
        const next = new URLSearchParams(cur);
        for (const [k, v] of Object.entries(patch)) {
          if (v === undefined || v === '') next.delete(k);
          else next.set(k, v);
        }
        return next;
      }, { replace: true });
    },
    [setParams],
  );
  const view = params.get('view') === 'stats' ? 'stats' : params.get('view') === 'flame' ? 'flame' : 'timeline';
  const findText = params.get('find') ?? '';
  const onlyMatches = params.get('only') === '1';
  const showCritical = params.get('cp') === '1';
  const detailSpan = params.get('span') ?? undefined;
  const detailRow = detailSpan === undefined ? undefined : loaded.rowOf(detailSpan);

  const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
  const [cursor, setCursor] = useState<number | undefined>(detailRow);
  // The zoomed time window (µs from the trace start) lives in the URL too, so a shared link shows the same part.
  const windowUs = useMemo(() => zoomWindow(params.get('from'), params.get('to'), trace.durationUs), [params, trace.durationUs]);
  const setWindowUs = useCallback((w: [number, number]) => {
    const whole = w[0] <= 0 && w[1] >= trace.durationUs;
    setParam(whole ? { from: undefined, to: undefined } : { from: String(Math.round(w[0])), to: String(Math.round(w[1])) });
  }, [setParam, trace.durationUs]);
  const findRef = useRef<HTMLInputElement>(null);
  const timelineRef = useRef<HTMLDivElement>(null);

  const found = useQuery({
    queryKey: ['find', trace.traceId, findText],
    enabled: findText.trim() !== '',
    queryFn: ({ signal }) => fetchFind(trace.traceId, findText, signal),
    staleTime: 5 * 60_000,
  });
  const matchList = findText.trim() === '' ? EMPTY : found.data ?? EMPTY;
  const matches = useMemo(() => new Set(matchList), [matchList]);

  const visible = useMemo(
    () => visibleRows(trace.rows, collapsed, onlyMatches && findText.trim() !== '' ? matches : undefined),
    [trace, collapsed, onlyMatches, findText, matches],
  );
  const critical = useMemo(() => {
    if (!showCritical) return undefined;
    const byRow = new Map<number, PathSegment[]>();
    for (const s of criticalPath(trace.rows)) {
      const list = byRow.get(s.row);
      if (list) list.push(s);
      else byRow.set(s.row, [s]);
    }
    return byRow;
  }, [trace, showCritical]);

  /** Makes a row visible (expanding its collapsed ancestors), puts the cursor on it. */
  const reveal = useCallback((row: number) => {
    setCollapsed((cur) => {
      const hidden = ancestorsOf(trace.rows, row).filter((a) => cur.has(a));
      if (hidden.length === 0) return cur;
      const next = new Set(cur);
      for (const a of hidden) next.delete(a);
      return next;
    });
    setCursor(row);
  }, [trace]);

  const open = useCallback((row: number) => {
    reveal(row);
    setParam({ span: loaded.spanIdOf(row) });
  }, [reveal, setParam, loaded]);

  const toggle = useCallback((row: number) => {
    setCollapsed((cur) => {
      const next = new Set(cur);
      if (next.has(row)) next.delete(row);
      else next.add(row);
      return next;
    });
  }, []);

  const [matchIndex, setMatchIndex] = useState(0);
  const step = (delta: number) => {
    if (matchList.length === 0) return;
    const i = (matchIndex + delta + matchList.length) % matchList.length;
    setMatchIndex(i);
    open(matchList[i]!);
  };
  useEffect(() => setMatchIndex(0), [findText]);

  // "/" focuses find from anywhere on the page; Esc closes the detail, then clears find.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
      if (e.key === '/' && !typing) {
        e.preventDefault();
        findRef.current?.focus();
        findRef.current?.select();
      } else if (e.key === 'Escape') {
        if (typing) (e.target as HTMLElement).blur();
        if (params.get('span')) setParam({ span: undefined });
        else if (findText !== '') setParam({ find: undefined, only: undefined });
        timelineRef.current?.querySelector<HTMLElement>('.timeline')?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [params, setParam, findText]);

  const onTimelineKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (visible.length === 0) return;
    const at = cursor === undefined ? -1 : visible.indexOf(cursor);
    const moveTo = (i: number) => setCursor(visible[Math.max(0, Math.min(visible.length - 1, i))]);
    switch (e.key) {
      case 'ArrowDown':
        moveTo(at + 1);
        break;
      case 'ArrowUp':
        moveTo(at < 0 ? 0 : at - 1);
        break;
      case 'PageDown':
        moveTo(at + 20);
        break;
      case 'PageUp':
        moveTo(at - 20);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(visible.length - 1);
        break;
      case 'ArrowRight':
        if (cursor === undefined) moveTo(0);
        else if (collapsed.has(cursor)) toggle(cursor);
        else if (trace.rows.subtree[cursor]! > 1) setCursor(childrenOf(trace.rows, cursor)[0]);
        break;
      case 'ArrowLeft':
        if (cursor === undefined) break;
        if (trace.rows.subtree[cursor]! > 1 && !collapsed.has(cursor)) toggle(cursor);
        else if (trace.rows.parent[cursor]! >= 0) setCursor(trace.rows.parent[cursor]!);
        break;
      case 'Enter':
        if (cursor !== undefined) {
          if (detailRow === cursor) setParam({ span: undefined });
          else open(cursor);
        }
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const [findInput, setFindInput] = useState(findText);
  useEffect(() => setFindInput(findText), [findText]);
  useEffect(() => {
    if (findInput === findText) return;
    const timer = setTimeout(() => setParam({ find: findInput }), 250);
    return () => clearTimeout(timer);
  }, [findInput, findText, setParam]);

  const expandAll = () => setCollapsed(new Set());
  const collapseAll = () => {
    const next = new Set<number>();
    for (let row = 0; row < trace.spanCount; row++) if (trace.rows.subtree[row]! > 1 && trace.rows.parent[row]! < 0) next.add(row);
    setCollapsed(next);
  };

  return (
    <div className="trace-page">
      <TraceHeader trace={trace} />
      <div className="trace-toolbar">
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={view === 'timeline'} onClick={() => setParam({ view: undefined })}>Timeline</button>
          <button type="button" role="tab" aria-selected={view === 'flame'} onClick={() => setParam({ view: 'flame' })}>Flame graph</button>
          <button type="button" role="tab" aria-selected={view === 'stats'} onClick={() => setParam({ view: 'stats' })}>Statistics</button>
        </div>
        <a className="button" href={`/api/traces/${trace.traceId}`} download={`trace-${trace.traceId}.json`}>Download JSON</a>
        <span className="spacer" />
        <div className="find" role="search">
          <input
            ref={findRef}
            className="find-input"
            value={findInput}
            onChange={(e) => setFindInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                if (findInput !== findText) setParam({ find: findInput });
                else step(e.shiftKey ? -1 : 1);
              }
            }}
            placeholder="Find in trace ( / )"
            aria-label="Find in trace"
            spellCheck={false}
          />
          <span className="find-count" data-testid="find-count">
            {findText.trim() === '' ? '' : found.isPending ? '…' : matchList.length === 0 ? 'no match' : `${Math.min(matchIndex + 1, matchList.length)} of ${matchList.length}`}
          </span>
          <button type="button" onClick={() => step(-1)} disabled={matchList.length === 0} aria-label="Previous match">↑</button>
          <button type="button" onClick={() => step(1)} disabled={matchList.length === 0} aria-label="Next match">↓</button>
          <label className="check">
            <input type="checkbox" checked={onlyMatches} onChange={(e) => setParam({ only: e.target.checked ? '1' : undefined })} /> only matches
          </label>
        </div>
      </div>
      {view === 'stats' ? (
        <StatsTable trace={trace} />
      ) : view === 'flame' ? (
        <>
          <div className="timeline-tools">
            {windowUs[0] > 0 || windowUs[1] < trace.durationUs ? (
              <button type="button" onClick={() => setWindowUs([0, trace.durationUs])}>Reset zoom</button>
            ) : null}
            <span className="muted">{countOf(trace.spanCount, 'span')}, {countOf(trace.depth, 'level')}</span>
          </div>
          <Minimap trace={trace} windowUs={windowUs} onWindow={setWindowUs} />
          <div className={detailSpan ? 'trace-body with-detail' : 'trace-body'}>
            <FlameGraph trace={trace} windowUs={windowUs} selected={cursor} onSelect={setCursor} onOpen={open} onWindow={setWindowUs} />
            {detailSpan ? (
              <SpanDetail traceId={trace.traceId} spanId={detailSpan} traceStartUs={trace.startUs} onClose={() => setParam({ span: undefined })} />
            ) : null}
          </div>
        </>
      ) : (
        <>
          <div className="timeline-tools">
            <button type="button" onClick={expandAll}>Expand all</button>
            <button type="button" onClick={collapseAll}>Collapse all</button>
            <label className="check">
              <input type="checkbox" checked={showCritical} onChange={(e) => setParam({ cp: e.target.checked ? '1' : undefined })} /> critical path
            </label>
            {windowUs[0] > 0 || windowUs[1] < trace.durationUs ? (
              <button type="button" onClick={() => setWindowUs([0, trace.durationUs])}>Reset zoom</button>
            ) : null}
            <span className="muted">{visible.length === trace.spanCount ? countOf(trace.spanCount, 'span') : `${visible.length} of ${countOf(trace.spanCount, 'span')} shown`}</span>
          </div>
          <Minimap trace={trace} windowUs={windowUs} onWindow={setWindowUs} />
          <div className={detailSpan ? 'trace-body with-detail' : 'trace-body'} ref={timelineRef}>
            <Timeline
              trace={trace}
              visible={visible}
              collapsed={collapsed}
              selected={cursor}
              matches={matches}
              critical={critical}
              windowUs={windowUs}
              onSelect={open}
              onToggle={toggle}
              onKey={onTimelineKey}
            />
            {detailSpan ? (
              <SpanDetail traceId={trace.traceId} spanId={detailSpan} traceStartUs={trace.startUs} onClose={() => setParam({ span: undefined })} />
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}

const EMPTY: number[] = [];

/** The window named by `from`/`to` (µs from the trace start), clamped to the trace; the whole trace when absent or invalid. */
function zoomWindow(fromText: string | null, toText: string | null, durationUs: number): [number, number] {
  const from = Number(fromText);
  const to = Number(toText);
  if (fromText === null || toText === null || !Number.isFinite(from) || !Number.isFinite(to)) return [0, durationUs];
  const a = Math.max(0, Math.min(from, durationUs));
  const b = Math.max(0, Math.min(to, durationUs));
  return b > a ? [a, b] : [0, durationUs];
}
