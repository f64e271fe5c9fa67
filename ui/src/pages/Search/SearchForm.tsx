import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchOperations } from '../../api/client.js';
import { LOOKBACKS, type SearchState } from '../../model/search.js';

function toLocalInput(us: string): string {
  if (us === '') return '';
  const d = new Date(Number(us) / 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fromLocalInput(text: string): string {
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? String(ms * 1000) : '';
}

/** The search form; edits stay local until Find Traces writes them to the URL. */
export function SearchForm({ initial, services, onSubmit }: { initial: SearchState; services: string[]; onSubmit: (s: SearchState) => void }) {
  const [form, setForm] = useState<SearchState>(() => ({
    ...initial,
    service: initial.service !== '' ? initial.service : services[0] ?? '',
  }));
  const set = (patch: Partial<SearchState>) => setForm((f) => ({ ...f, ...patch }));
  const operations = useQuery({
    queryKey: ['operations', form.service],
    enabled: form.service !== '',
    queryFn: ({ signal }) => fetchOperations(form.service, signal),
  });
  return (
    <form
      className="search-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(form);
      }}
    >
      <label>
        Service
        <select name="service" value={form.service} onChange={(e) => set({ service: e.target.value, operation: '' })}>
          {services.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Operation
        <select name="operation" value={form.operation} onChange={(e) => set({ operation: e.target.value })}>
          <option value="">All operations</option>
          {(operations.data ?? []).map((op) => (
            <option key={op} value={op}>{op}</option>
          ))}
          {form.operation !== '' && !(operations.data ?? []).includes(form.operation) ? (
            <option value={form.operation}>{form.operation}</option>
          ) : null}
        </select>
      </label>
      <label>
        Tags
        <input
          name="tags"
          value={form.tags}
          onChange={(e) => set({ tags: e.target.value })}
          placeholder="http.status_code=500 error=true"
          spellCheck={false}
        />
      </label>
      <label>
        Lookback
        <select name="lookback" value={form.lookback} onChange={(e) => set({ lookback: e.target.value })}>
          {LOOKBACKS.map((l) => (
            <option key={l.value} value={l.value}>{l.label}</option>
          ))}
        </select>
      </label>
      {form.lookback === 'custom' ? (
        <div className="row2">
          <label>
            From
            <input type="datetime-local" value={toLocalInput(form.start)} onChange={(e) => set({ start: fromLocalInput(e.target.value) })} />
          </label>
          <label>
            To
            <input type="datetime-local" value={toLocalInput(form.end)} onChange={(e) => set({ end: fromLocalInput(e.target.value) })} />
          </label>
        </div>
      ) : null}
      <div className="row2">
        <label>
          Min duration
          <input name="minDuration" value={form.minDuration} onChange={(e) => set({ minDuration: e.target.value })} placeholder="e.g. 100ms" />
        </label>
        <label>
          Max duration
          <input name="maxDuration" value={form.maxDuration} onChange={(e) => set({ maxDuration: e.target.value })} placeholder="e.g. 1.5s" />
        </label>
      </div>
      <label>
        Limit results
        <input name="limit" type="number" min={1} max={1500} value={form.limit} onChange={(e) => set({ limit: e.target.value })} />
      </label>
      <button type="submit" className="primary">Find Traces</button>
    </form>
  );
}
