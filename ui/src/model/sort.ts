/** Orders of the search result list. */
import type { TraceSummary } from '../api/types.js';

/** Sort keys offered above the result list. */
export const SORTS: ReadonlyArray<{ value: SortKey; label: string }> = [
  { value: 'recent', label: 'Most recent' },
  { value: 'longest', label: 'Longest first' },
  { value: 'shortest', label: 'Shortest first' },
  { value: 'spans', label: 'Most spans' },
  { value: 'errors', label: 'Most errors' },
];

/** A sort key. */
export type SortKey = 'recent' | 'longest' | 'shortest' | 'spans' | 'errors';

/** A sorted copy; ties fall back to newest first, then trace id, so the order is total. */
export function sortSummaries(list: readonly TraceSummary[], key: SortKey): TraceSummary[] {
  const primary: Record<SortKey, (a: TraceSummary, b: TraceSummary) => number> = {
    recent: () => 0,
    longest: (a, b) => b.durationUs - a.durationUs,
    shortest: (a, b) => a.durationUs - b.durationUs,
    spans: (a, b) => b.spanCount - a.spanCount,
    errors: (a, b) => b.errorCount - a.errorCount,
  };
  const cmp = primary[key];
  return [...list].sort((a, b) => cmp(a, b) || b.startUs - a.startUs || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
}
