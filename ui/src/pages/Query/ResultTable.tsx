import { Link } from '../../router.js';
import type { QueryResult } from './api.js';
import { formatCell } from './chart-model.js';

/** Most rows put in the page at once; the rest are counted below the table. */
export const MAX_TABLE_ROWS = 1000;

/** A statement's rows as a table; in span lists the trace id opens the trace. Every value is text. */
export function ResultTable({ result }: { result: QueryResult }) {
  const shown = result.rows.length > MAX_TABLE_ROWS ? result.rows.slice(0, MAX_TABLE_ROWS) : result.rows;
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
          {shown.map((row, r) => (
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
      {shown.length < result.rows.length ? (
        <p className="muted">{`The first ${shown.length} of ${result.rows.length} rows are shown: add a sort and a limit to pick the rows that matter.`}</p>
      ) : null}
    </div>
  );
}
