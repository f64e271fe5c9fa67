import { useMemo, useState } from 'react';
import type { CompactTrace } from '../../api/types.js';
import { serviceColor } from '../../model/colors.js';
import { formatDuration } from '../../model/format.js';
import { traceStats, type StatLine } from '../../model/stats.js';

type Column = 'service' | 'operation' | 'count' | 'errors' | 'totalUs' | 'avgUs' | 'maxUs' | 'selfUs';

const COLUMNS: Array<{ key: Column; label: string }> = [
  { key: 'service', label: 'Service' },
  { key: 'operation', label: 'Operation' },
  { key: 'count', label: 'Count' },
  { key: 'errors', label: 'Errors' },
  { key: 'totalUs', label: 'Total' },
  { key: 'avgUs', label: 'Avg' },
  { key: 'maxUs', label: 'Max' },
  { key: 'selfUs', label: 'Self time' },
];

/** Per service and operation: count, errors, total, average, max and self time; click a header to sort. */
export function StatsTable({ trace }: { trace: CompactTrace }) {
  const lines = useMemo(() => traceStats(trace.rows, trace.services, trace.names), [trace]);
  const [sort, setSort] = useState<Column>('selfUs');
  const sorted = useMemo(() => {
    const copy = [...lines];
    copy.sort((a: StatLine, b: StatLine) => {
      const x = a[sort];
      const y = b[sort];
      return typeof x === 'string' ? x.localeCompare(y as string) : (y as number) - x;
    });
    return copy;
  }, [lines, sort]);
  return (
    <table className="stats" data-testid="stats-table">
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th key={c.key} aria-sort={sort === c.key ? 'descending' : 'none'}>
              <button type="button" onClick={() => setSort(c.key)}>{c.label}</button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((l) => (
          <tr key={`${l.service}\u0000${l.operation}`}>
            <td><span className="swatch" style={{ background: serviceColor(l.service) }} />{l.service}</td>
            <td>{l.operation}</td>
            <td className="num">{l.count}</td>
            <td className={l.errors > 0 ? 'num error-mark' : 'num'}>{l.errors}</td>
            <td className="num">{formatDuration(l.totalUs)}</td>
            <td className="num">{formatDuration(l.avgUs)}</td>
            <td className="num">{formatDuration(l.maxUs)}</td>
            <td className="num">{formatDuration(l.selfUs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
