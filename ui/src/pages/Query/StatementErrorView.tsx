import type { QueryPosition } from './api.js';
import './statement-error.css';

/**
 * A refused statement: the message, and when the server said where, the line of the statement
 * with a caret under the place (tabs shown as one space so the caret lines up).
 */
export function StatementErrorView({ message, statement, position, onLocate }: {
  message: string;
  statement: string;
  position: QueryPosition | undefined;
  onLocate?: (offset: number) => void;
}) {
  const line = position ? (statement.split('\n')[position.line - 1] ?? '').replace(/\t/g, ' ') : undefined;
  return (
    <div className="state state-error statement-error" role="alert">
      <strong>The statement cannot run:</strong> <span className="state-message">{message}</span>
      {position && line !== undefined ? (
        <pre className="statement-caret" data-testid="statement-caret">
          {line}
          {'\n'}
          {' '.repeat(Math.max(0, position.column - 1))}^
        </pre>
      ) : null}
      {position && onLocate ? (
        <button type="button" onClick={() => onLocate(position.offset)}>Go to the mistake</button>
      ) : null}
    </div>
  );
}
