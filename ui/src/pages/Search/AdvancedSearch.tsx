import { useState, type FormEvent, type KeyboardEvent } from 'react';
import './advanced-search.css';

/** What the advanced search submits: a span filter and optional whole-trace duration bounds, as typed. */
export interface AdvancedQuery {
  q: string;
  minTraceDuration: string;
  maxTraceDuration: string;
}

/**
 * The advanced trace search: a filter in the statement language (a trace matches when one of its
 * spans does) and bounds on the whole trace's duration, kept apart from any span's duration.
 * Uses the form's time range and limit.
 */
export function AdvancedSearch({ initial, onSubmit }: { initial: AdvancedQuery; onSubmit: (query: AdvancedQuery) => void }) {
  const [q, setQ] = useState(initial.q);
  const [min, setMin] = useState(initial.minTraceDuration);
  const [max, setMax] = useState(initial.maxTraceDuration);
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    onSubmit({ q, minTraceDuration: min.trim(), maxTraceDuration: max.trim() });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
  };
  return (
    <form className="advanced-search" onSubmit={submit} aria-label="Advanced query">
      <label htmlFor="advanced-q"><strong>Advanced query</strong> <span className="muted">(a trace matches when one span does)</span></label>
      <textarea
        id="advanced-q"
        rows={3}
        value={q}
        spellCheck={false}
        maxLength={4096}
        placeholder={'service = "cart" and (http.status_code >= 500 or error exists) and not operation =~ "health"'}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={onKeyDown}
        aria-label="Advanced query filter"
      />
      <div className="bounds">
        <input value={min} onChange={(e) => setMin(e.target.value)} placeholder="trace ≥ e.g. 1s" aria-label="Whole trace at least" />
        <input value={max} onChange={(e) => setMax(e.target.value)} placeholder="trace ≤ e.g. 5s" aria-label="Whole trace at most" />
      </div>
      <button type="submit">Find traces with the query</button>
    </form>
  );
}
