import { useQuery } from '@tanstack/react-query';
import { Empty, ErrorState, Loading } from '../../components/States.js';
import { displayTraceId, formatDuration, formatTimestamp, groupThousands } from '../../model/format.js';
import { rangeQuery, servicePath, type EndpointDetail } from '../../model/services.js';
import { Link } from '../../router.js';
import { fetchEndpointDetail } from './api.js';
import { LatencyHistogram, TimeChart } from './Charts.js';
import { FiguresStrip, RangePicker, RequestsHint, useServicesParams } from './Common.js';
import './services.css';

/** One endpoint of a service: figures, latency histogram, latency over time and its 100 slowest requests, each opening its trace. */
export function EndpointPage({ service, operation }: { service: string; operation: string }) {
  const { params, range, setRange } = useServicesParams();
  const detail = useQuery({
    queryKey: ['endpoint', service, operation, range],
    queryFn: ({ signal }) => fetchEndpointDetail(service, operation, range, signal),
  });
  const carry = rangeQuery(params);
  return (
    <div className="services-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={`/services${carry}`}>Services</Link> <span aria-hidden="true">›</span>{' '}
        <Link to={servicePath(service, carry)}>{service}</Link> <span aria-hidden="true">›</span>
      </nav>
      <div className="services-bar">
        <h1>{operation === '' ? '(no name)' : operation}</h1>
        <RangePicker range={range} onChange={setRange} />
      </div>
      {detail.isPending ? (
        <Loading what={`figures of ${operation}`} />
      ) : detail.isError ? (
        <ErrorState error={detail.error} hint={<>Go back to <Link to={servicePath(service, carry)}>{service}</Link> and pick an endpoint.</>} />
      ) : (
        <EndpointView detail={detail.data} />
      )}
    </div>
  );
}

function EndpointView({ detail }: { detail: EndpointDetail }) {
  if (detail.requests === 0) {
    return (
      <>
        <FiguresStrip figures={detail} />
        <Empty title={`${detail.operation} had no requests in this time range.`}>
          <RequestsHint />
        </Empty>
      </>
    );
  }
  const s = detail.series;
  return (
    <>
      <FiguresStrip figures={detail} />
      <div className="chart-grid">
        <LatencyHistogram bars={detail.histogram} />
        <TimeChart title="Latency" kind="lines" testId="chart-latency" firstBucketMs={s.firstBucketMs} bucketMs={s.bucketMs} format={(v) => formatDuration(v)}
          lines={[{ label: 'p50', values: s.p50Us, tone: 'p50' }, { label: 'p95', values: s.p95Us, tone: 'p95' }, { label: 'p99', values: s.p99Us, tone: 'p99' }]} />
      </div>
      <section aria-labelledby="slowest-title">
        <h2 id="slowest-title">
          Slowest {detail.slowest.length === 1 ? 'request' : `${groupThousands(detail.slowest.length)} requests`}
        </h2>
        <table className="perf-table slowest" data-testid="slowest">
          <thead>
            <tr>
              <th scope="col">Trace</th>
              <th scope="col">Start</th>
              <th scope="col" className="num">Duration</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {detail.slowest.map((r) => (
              <tr key={`${r.traceId}/${r.spanId}`}>
                <td className="mono"><Link to={`/trace/${r.traceId}`}>{displayTraceId(r.traceId)}</Link></td>
                <td>{formatTimestamp(r.startUs)}</td>
                <td className="num">{formatDuration(r.durationUs)}</td>
                <td className={r.status === 'error' ? 'error-mark' : 'muted'}>{r.status === 'error' ? 'error' : r.status === 'ok' ? 'ok' : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
