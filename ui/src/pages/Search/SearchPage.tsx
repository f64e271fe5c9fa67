import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from '../../router.js';
import { fetchServices, fetchTraceSummaries } from '../../api/client.js';
import { DoctorHint } from '../../components/DoctorHint.js';
import { Empty, ErrorState, Loading } from '../../components/States.js';
import { countOf } from '../../model/format.js';
import { searchFromParams, searchToParams, searchWindow, toSummaryQuery, type SearchState } from '../../model/search.js';
import { SORTS, sortSummaries, type SortKey } from '../../model/sort.js';
import { ServiceTimes, TraceHistogram } from './Overview.js';
import { fetchFilteredTraces, StatementFailure } from '../Query/api.js';
import { StatementErrorView } from '../Query/StatementErrorView.js';
import { AdvancedSearch, type AdvancedQuery } from './AdvancedSearch.js';
import { ResultList } from './ResultList.js';
import { ScatterPlot } from './ScatterPlot.js';
import { SearchForm } from './SearchForm.js';

/** Search: the form on the left, the scatter plot and the result list on the right; all state in the URL. */
export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const state = useMemo(() => searchFromParams(params), [params]);
  const sort = (SORTS.find((s) => s.value === params.get('sort'))?.value ?? 'recent') as SortKey;
  // An advanced query (q) searches with the statement language's filter instead of the form's fields.
  const advanced = params.get('q');
  const advancedQuery: AdvancedQuery = {
    q: advanced ?? '', minTraceDuration: params.get('minTraceDuration') ?? '', maxTraceDuration: params.get('maxTraceDuration') ?? '',
  };
  const submitted = params.has('service') || params.has('lookback') || advanced !== null;
  const services = useQuery({ queryKey: ['services'], queryFn: ({ signal }) => fetchServices(signal) });

  // The query key is the URL: the same link gives the same search, and "now" is taken when it runs.
  const key = `${searchToParams(state).toString()}&${advanced === null ? '' : new URLSearchParams({ ...advancedQuery }).toString()}`;
  const summaries = useQuery({
    queryKey: ['summaries', key, params.get('t') ?? ''],
    enabled: submitted,
    staleTime: Infinity,
    retry: advanced === null ? 3 : false,
    queryFn: ({ signal }) => {
      if (advanced === null) return fetchTraceSummaries(toSummaryQuery(state, Date.now() * 1000), signal);
      return fetchFilteredTraces({ ...advancedQuery, ...searchWindow(state, Date.now() * 1000), limit: state.limit }, signal);
    },
  });
  const [selected, setSelected] = useState<string[]>([]);

  const submit = (next: SearchState) => {
    const p = searchToParams(next);
    if (sort !== 'recent') p.set('sort', sort);
    // A fresh "t" re-runs a search whose fields did not change (relative lookbacks move with time).
    p.set('t', String(Date.now()));
    setParams(p);
  };
  const submitAdvanced = (query: AdvancedQuery) => {
    // Only the range and limit of the form apply; its service, operation, tags and span durations do not.
    const p = new URLSearchParams();
    const form = searchToParams(state);
    for (const k of ['lookback', 'start', 'end', 'limit']) {
      const v = form.get(k);
      if (v !== null) p.set(k, v);
    }
    p.set('q', query.q);
    if (query.minTraceDuration !== '') p.set('minTraceDuration', query.minTraceDuration);
    if (query.maxTraceDuration !== '') p.set('maxTraceDuration', query.maxTraceDuration);
    if (sort !== 'recent') p.set('sort', sort);
    p.set('t', String(Date.now()));
    setParams(p);
  };
  const setSort = (value: SortKey) => {
    const p = new URLSearchParams(params);
    if (value === 'recent') p.delete('sort');
    else p.set('sort', value);
    setParams(p, { replace: true });
  };
  const toggleSelected = (traceId: string) => {
    setSelected((cur) => (cur.includes(traceId) ? cur.filter((id) => id !== traceId) : [...cur.slice(-1), traceId]));
  };

  /** A brush on the scatter plot narrows the search to its time range (a custom range in the URL). */
  const zoomTo = (range: { startUs: number; endUs: number }) => {
    submit({ ...state, lookback: 'custom', start: String(range.startUs), end: String(range.endUs) });
  };
  let period: { startUs: number; endUs: number } | undefined;
  try {
    period = summaries.data ? searchWindow(state, summaries.dataUpdatedAt * 1000) : undefined;
  } catch {
    period = undefined;
  }

  let formError: string | undefined;
  if (submitted) {
    try {
      if (advanced === null) toSummaryQuery(state, Date.now() * 1000);
      else searchWindow(state, Date.now() * 1000);
    } catch (err) {
      formError = (err as Error).message;
    }
  }

  return (
    <div className="search-page">
      <aside className="search-side">
        {services.isPending ? (
          <Loading what="services" />
        ) : services.isError ? (
          <ErrorState error={services.error} hint="Check that the Ariadne query port is reachable, then reload." />
        ) : services.data.length === 0 ? (
          <Empty title="No services yet: nothing received.">
            <DoctorHint />
            <p>
              What arrived and what was refused: <Link to="/ingest">Ingest</Link>.
            </p>
          </Empty>
        ) : (
          <>
            <SearchForm key={key} initial={state} services={services.data} onSubmit={submit} />
            <AdvancedSearch key={`advanced-${key}`} initial={advancedQuery} onSubmit={submitAdvanced} />
          </>
        )}
      </aside>
      <section className="search-results">
        {!submitted ? (
          <Empty title="Pick a service and press Find Traces.">
            Or open a trace by id: <TraceIdJump onOpen={(id) => navigate(`/trace/${id}`)} />
          </Empty>
        ) : formError ? (
          <ErrorState error={formError} hint="Fix the field in the form and search again." />
        ) : summaries.isPending ? (
          <Loading what="traces" />
        ) : summaries.isError ? (
          advanced !== null && summaries.error instanceof StatementFailure && summaries.error.status === 400 ? (
            <StatementErrorView message={summaries.error.message} statement={advanced} position={summaries.error.position} />
          ) : (
            <ErrorState error={summaries.error} hint="Change the search and try again." />
          )
        ) : summaries.data.length === 0 ? (
          <Empty title="No traces match this search.">Widen the time range, remove tags or duration bounds, or pick another service.</Empty>
        ) : (
          <>
            <ScatterPlot summaries={summaries.data} onOpen={(id) => navigate(`/trace/${id}`)} onBrush={zoomTo} />
            <div className="search-overviews">
              {period ? <TraceHistogram summaries={summaries.data} startUs={period.startUs} endUs={period.endUs} /> : null}
              <ServiceTimes summaries={summaries.data} />
            </div>
            <div className="results-bar">
              <span className="results-count">{countOf(summaries.data.length, 'trace')}</span>
              <label>
                Sort{' '}
                <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} aria-label="Sort results">
                  {SORTS.map((s) => (
                    <option key={s.value} value={s.value}>{s.label}</option>
                  ))}
                </select>
              </label>
              <span className="spacer" />
              {selected.length === 2 ? (
                <Link className="button" to={`/trace/${selected[0]}...${selected[1]}`}>Compare the two selected</Link>
              ) : (
                <span className="muted">Select two traces to compare them</span>
              )}
            </div>
            <ResultList summaries={sortSummaries(summaries.data, sort)} selected={selected} onToggle={toggleSelected} />
          </>
        )}
      </section>
    </div>
  );
}

function TraceIdJump({ onOpen }: { onOpen: (traceId: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        const id = value.trim().toLowerCase();
        if (/^[0-9a-f]{1,32}$/.test(id)) onOpen(id);
      }}
    >
      <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="trace id (hex)" aria-label="Trace id" />
      <button type="submit">Open</button>
    </form>
  );
}
