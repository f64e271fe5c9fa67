import { useQuery } from '@tanstack/react-query';
import { Empty, ErrorState, Loading } from '../../components/States.js';
import { formatWidth, rangeQuery, servicePath } from '../../model/services.js';
import { fetchServicesList } from './api.js';
import { RangePicker, RequestsHint, useServicesParams } from './Common.js';
import { PerfTable } from './PerfTable.js';
import './services.css';

/** Every service with requests in the range: a sortable table of figures and sparklines; a name opens the service. */
export function ServicesPage() {
  const { params, range, sort, setRange, setSort } = useServicesParams();
  const list = useQuery({
    queryKey: ['services', range],
    queryFn: ({ signal }) => fetchServicesList(range, signal),
  });
  const carry = rangeQuery(params);
  return (
    <div className="services-page">
      <div className="services-bar">
        <h1>Services</h1>
        <RangePicker range={range} onChange={setRange} />
        {list.data ? <span className="muted">sparklines per {formatWidth(list.data.bucketMs)}</span> : null}
      </div>
      {list.isPending ? (
        <Loading what="services" />
      ) : list.isError ? (
        <ErrorState error={list.error} hint="Reload the page; if it persists, check the server log." />
      ) : list.data.services.length === 0 ? (
        <Empty title="No requests in this time range.">
          <RequestsHint />
        </Empty>
      ) : (
        <PerfTable rows={list.data.services} nameLabel="Service" sort={sort} onSort={setSort} linkOf={(r) => servicePath(r.name, carry)} testId="services-table" />
      )}
    </div>
  );
}
