/** Empty, loading and error states that say what to do next. */
import type { ReactNode } from 'react';

/** A spinner line while something loads. */
export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

/** A failure with its message and the next step. */
export function ErrorState({ error, hint }: { error: unknown; hint?: ReactNode }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert">
      <strong>Something went wrong:</strong> <span className="state-message">{message}</span>
      {hint ? <div className="state-hint">{hint}</div> : null}
    </div>
  );
}

/** Nothing to show, and why. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div className="state-hint">{children}</div> : null}
    </div>
  );
}
