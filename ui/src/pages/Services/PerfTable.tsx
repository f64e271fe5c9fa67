import type { ReactNode } from 'react';
import { formatDuration, groupThousands } from '../../model/format.js';
import { SORT_COLUMNS, formatPercent, formatPerMinute, nextSort, sortRows, type PerfRow, type Sort, type SortKey } from '../../model/services.js';
import { Link } from '../../router.js';
import { Sparkline } from './Charts.js';

interface Props {
  rows: readonly PerfRow[];
  /** Header of the name column ("Service", "Endpoint"). */
  nameLabel: string;
  sort: Sort;
  onSort: (sort: Sort) => void;
  /** The page a row's name links to. */
  linkOf: (row: PerfRow) => string;
  testId: string;
}

const duration = (us: number | null): ReactNode => (us === null ? <span className="muted">–</span> : formatDuration(us));

/**
 * Services or endpoints with their figures and sparklines (requests, errors, p95 per bucket).
 * Each header is a button that sorts by it (again: the other way); each name is a link.
 */
export function PerfTable({ rows, nameLabel, sort, onSort, linkOf, testId }: Props) {
  const sorted = sortRows(rows, sort);
  const header = (key: SortKey, label: string) => (
    <th key={key} scope="col" className={key === 'name' ? undefined : 'num'} aria-sort={sort.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" onClick={() => onSort(nextSort(sort, key))}>
        {key === 'name' ? nameLabel : label}
        <span className="sort-mark" aria-hidden="true">{sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
  return (
    <table className="perf-table" data-testid={testId}>
      <thead>
        <tr>
          {SORT_COLUMNS.map((c) => header(c.key, c.label))}
          <th scope="col">Requests</th>
          <th scope="col">Errors</th>
          <th scope="col">p95</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={r.name}>
            <th scope="row" className="perf-name"><Link to={linkOf(r)}>{r.name === '' ? '(no name)' : r.name}</Link></th>
            <td className="num">{groupThousands(r.requests)}</td>
            <td className="num">{formatPerMinute(r.perMinute)}</td>
            <td className={r.errors > 0 ? 'num error-mark' : 'num'}>{groupThousands(r.errors)}</td>
            <td className={r.errors > 0 ? 'num error-mark' : 'num'}>{formatPercent(r.errorRate)}</td>
            <td className="num">{duration(r.avgUs)}</td>
            <td className="num">{duration(r.p50Us)}</td>
            <td className="num">{duration(r.p95Us)}</td>
            <td className="num">{duration(r.p99Us)}</td>
            <td className="spark-cell"><Sparkline values={r.series.requests} label={`${r.name} requests over time`} /></td>
            <td className="spark-cell"><Sparkline values={r.series.errors} label={`${r.name} errors over time`} tone="error" /></td>
            <td className="spark-cell"><Sparkline values={r.series.p95Us} label={`${r.name} p95 latency over time`} tone="muted" connect /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
