import { Link } from '../../router.js';
import type { QueryResult } from './api.js';
import { formatCell } from './chart-model.js';

/** A statement's rows as a table; in span lists the trace id opens the trace. Every value is text. */
export function ResultTable({ result }: { result: QueryResult }) {
  const traceColumn = result.kind === 'spans' ? result.columns.findIndex((c) => c.name === 'trace_id') : -1;
  return (
    <div className="query-table-wrap">
      <table className="query-table" data-testid="query-table">
        <thead>
          <tr>
            {result.columns.map((c) => (
              <th key={c.name} scope="col" className={c.type === 'string' ? undefined : 'num'}>{c.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) => {
                const column = result.columns[i]!;
                const text = formatCell(cell, column.type);
                return (
                  <td key={i} className={column.type === 'string' ? undefined : 'num'} title={typeof cell === 'number' && column.type !== 'number' ? String(cell) : undefined}>
                    {i === traceColumn && typeof cell === 'string' ? <Link to={`/trace/${cell}`}>{text}</Link> : text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
