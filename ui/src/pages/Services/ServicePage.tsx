import { useQuery } from '@tanstack/react-query';
import { Empty, ErrorState, Loading } from '../../components/States.js';
import { formatDuration, groupThousands } from '../../model/format.js';
import { endpointPath, rangeQuery, servicePath, type Neighbour, type ServiceDetail } from '../../model/services.js';
import { Link } from '../../router.js';
import { fetchServiceDetail } from './api.js';
import { TimeChart } from './Charts.js';
import { FiguresStrip, RangePicker, RequestsHint, useServicesParams } from './Common.js';
import { PerfTable } from './PerfTable.js';
import './services.css';

/** One service: figures, requests / errors / latency charts, its endpoints, and the services calling it and called by it. */
export function ServicePage({ service }: { service: string }) {
  const { params, range, sort, setRange, setSort } = useServicesParams();
  const detail = useQuery({
    queryKey: ['service', service, range],
    queryFn: ({ signal }) => fetchServiceDetail(service, range, signal),
  });
  const carry = rangeQuery(params);
  return (
    <div className="services-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={`/services${carry}`}>Services</Link> <span aria-hidden="true">›</span>
      </nav>
      <div className="services-bar">
        <h1 className="svc">{service}</h1>
        <RangePicker range={range} onChange={setRange} />
        <Link to={`/search?service=${encodeURIComponent(service)}`}>Find traces</Link>
      </div>
      {detail.isPending ? (
        <Loading what={`figures of ${service}`} />
      ) : detail.isError ? (
        <ErrorState error={detail.error} hint={<>Go back to <Link to={`/services${carry}`}>Services</Link> and pick a service.</>} />
      ) : (
        <ServiceView detail={detail.data} carry={carry} sort={sort} setSort={setSort} />
      )}
    </div>
  );
}

function ServiceView({ detail, carry, sort, setSort }: { detail: ServiceDetail; carry: string; sort: ReturnType<typeof useServicesParams>['sort']; setSort: ReturnType<typeof useServicesParams>['setSort'] }) {
  const s = detail.series;
  const count = (v: number) => groupThousands(Math.round(v));
  const us = (v: number) => formatDuration(v);
  return (
    <>
      <FiguresStrip figures={detail} />
      {detail.requests === 0 ? (
        <Empty title={`${detail.service} had no requests in this time range.`}>
          <RequestsHint />
        </Empty>
      ) : (
        <div className="chart-grid">
          <TimeChart title="Requests" kind="bars" testId="chart-requests" firstBucketMs={s.firstBucketMs} bucketMs={s.bucketMs} format={count}
            lines={[{ label: 'Requests', values: s.requests, tone: 'accent' }]} />
          <TimeChart title="Errors" kind="bars" testId="chart-errors" firstBucketMs={s.firstBucketMs} bucketMs={s.bucketMs} format={count}
            lines={[{ label: 'Errors', values: s.errors, tone: 'error' }]} />
          <TimeChart title="Latency" kind="lines" testId="chart-latency" firstBucketMs={s.firstBucketMs} bucketMs={s.bucketMs} format={us}
            lines={[{ label: 'p50', values: s.p50Us, tone: 'p50' }, { label: 'p95', values: s.p95Us, tone: 'p95' }, { label: 'p99', values: s.p99Us, tone: 'p99' }]} />
        </div>
      )}
      <section aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        {detail.endpoints.length === 0 ? (
          <p className="muted">No endpoint had requests in this time range.</p>
        ) : (
          <PerfTable rows={detail.endpoints} nameLabel="Endpoint" sort={sort} onSort={setSort}
            linkOf={(r) => endpointPath(detail.service, r.name, carry)} testId="endpoints-table" />
        )}
      </section>
      <div className="neighbours">
        <NeighbourList title="Upstream" hint="services calling this one" list={detail.upstream} carry={carry} testId="upstream" />
        <NeighbourList title="Downstream" hint="services this one calls" list={detail.downstream} carry={carry} testId="downstream" />
      </div>
    </>
  );
}

function NeighbourList({ title, hint, list, carry, testId }: { title: string; hint: string; list: Neighbour[]; carry: string; testId: string }) {
  return (
    <section className="neighbour-list" aria-labelledby={`${testId}-title`} data-testid={testId}>
      <h2 id={`${testId}-title`}>{title} <span className="muted">({hint})</span></h2>
      {list.length === 0 ? (
        <p className="muted">None in this time range.</p>
      ) : (
        <ul>
          {list.map((n) => (
            <li key={n.service}>
              <Link to={servicePath(n.service, carry)} className="svc">{n.service}</Link>
              <span className="num">{groupThousands(n.calls)} {n.calls === 1 ? 'call' : 'calls'}</span>
              <span className={n.errors > 0 ? 'num error-mark' : 'num muted'}>{groupThousands(n.errors)} {n.errors === 1 ? 'error' : 'errors'}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
