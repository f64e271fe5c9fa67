import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { useSearchParams } from '../../router.js';
import { fetchDependencies } from '../../api/client.js';
import { Empty, ErrorState, Loading } from '../../components/States.js';

// dagre is only needed here: load it with this view, not with the app.
const DependencyGraph = lazy(() => import('./DependencyGraph.js'));

const RANGES = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
];

/** System architecture: the service dependency DAG over a time range, optionally focused on one service. */
export function DependenciesPage() {
  const [params, setParams] = useSearchParams();
  const range = RANGES.find((r) => r.value === params.get('lookback')) ?? RANGES[2]!;
  const focus = params.get('service') ?? undefined;
  const deps = useQuery({
    queryKey: ['dependencies', range.value],
    queryFn: ({ signal }) => fetchDependencies(Date.now(), range.ms, signal),
  });
  const set = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const services = deps.data ? [...new Set(deps.data.flatMap((l) => [l.parent, l.child]))].sort() : [];
  return (
    <div className="deps-page">
      <div className="deps-tools">
        <label>
          Time range{' '}
          <select value={range.value} onChange={(e) => set('lookback', e.target.value)}>
            {RANGES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
          </select>
        </label>
        <label>
          Focus{' '}
          <select value={focus ?? ''} onChange={(e) => set('service', e.target.value || undefined)} aria-label="Focus on a service">
            <option value="">All services</option>
            {services.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <span className="muted">Click a service to focus on it and its neighbours.</span>
      </div>
      {deps.isPending ? (
        <Loading what="dependencies" />
      ) : deps.isError ? (
        <ErrorState error={deps.error} hint="Reload the page; if it persists, check the server log." />
      ) : deps.data.length === 0 ? (
        <Empty title="No service calls in this time range.">
          Calls between services appear once traces with spans from more than one service arrive. Widen the time range, or send traces
          to port 9411.
        </Empty>
      ) : (
        <Suspense fallback={<Loading what="graph layout" />}>
          <DependencyGraph links={deps.data} focus={focus} onFocus={(s) => set('service', s === focus ? undefined : s)} />
        </Suspense>
      )}
    </div>
  );
}
