/**
 * The UI's trace shape: one trace as columnar arrays in pre-order (every span directly followed by
 * its subtree), so a browser can draw a 50 000-span timeline without building 50 000 objects, and
 * collapse a subtree by skipping `subtree[i]` rows. Pure: no I/O.
 */
import { SPAN_KINDS, compareStrings } from '../../model/index.js';
import type { Span, SpanKind } from '../../model/index.js';
import { correctClockSkew, dedupeSharedSpanIds } from '../jaeger/index.js';

/** Row flag: the span failed (statusCode "error"). */
export const FLAG_ERROR = 1;
/** Row flag: the span carries read-time warnings (clock skew, id problems). */
export const FLAG_WARNING = 2;
/** Row flag: the span names a parent that is not in the trace (it is drawn as a root). */
export const FLAG_ORPHAN = 4;

/** Per-row columns; index i of every array describes row i. */
export interface CompactRows {
  /** The rows' span ids, 16 hex chars each, concatenated (row i at [16i, 16i+16)). */
  spanIds: string;
  /** Row index of the parent, -1 for a root (or an orphan). */
  parent: number[];
  depth: number[];
  /** Start relative to the trace start, µs. */
  startUs: number[];
  durationUs: number[];
  /** Index into `services`. */
  service: number[];
  /** Index into `names`. */
  name: number[];
  /** Index into SPAN_KINDS. */
  kind: number[];
  /** Bit set of FLAG_ERROR, FLAG_WARNING, FLAG_ORPHAN. */
  flags: number[];
  /** Rows in this span's subtree, itself included: row i's subtree is rows [i, i + subtree[i]). */
  subtree: number[];
}

/** A trace for the UI. */
export interface CompactTrace {
  traceId: string;
  /** Earliest span start, µs since the epoch. */
  startUs: number;
  /** Latest span end minus startUs. */
  durationUs: number;
  spanCount: number;
  /** Deepest row's depth + 1 (a lone root has depth 1). */
  depth: number;
  /** Distinct service names, sorted. */
  services: string[];
  /** Distinct operation names, in order of first appearance in the rows. */
  names: string[];
  /** The kinds `kind` indexes into (SPAN_KINDS). */
  kinds: readonly SpanKind[];
  rows: CompactRows;
  /** Trace-level notes, e.g. how many spans were shifted for clock skew or have a missing parent. */
  warnings: string[];
}

/** A trace prepared once and kept for detail and find requests: the spans in row order. */
export interface PreparedTrace {
  compact: CompactTrace;
  /**
   * spans[i] is row i, after the read-time adjustments. From a skeleton read (SpanReader's
   * getTraceSkeleton) they lack attributes, events and the like: see withDetails.
   */
  spans: Span[];
  /** sources[i] is the span as read that row i was made from, before the adjustments. */
  sources: Span[];
  /** Row of a span id, or undefined when the trace has no such span. */
  rowOf(spanId: string): number | undefined;
}

/** Options of {@link prepareTrace}. */
export interface PrepareOptions {
  /** Shift clock-skewed spans into their parents (otherwise only flag them). */
  adjustClockSkew: boolean;
}

/**
 * Applies the read-time fixes the Jaeger API applies (shared-id re-identification, clock skew),
 * orders spans in pre-order (siblings by start, then name, then id) and builds the columns.
 * Spans whose parent is missing become roots flagged FLAG_ORPHAN; a parent cycle is broken at the
 * span reached last. `spans` must be one non-empty trace.
 */
export function prepareTrace(spans: readonly Span[], options: PrepareOptions): PreparedTrace {
  const deduped = dedupeSharedSpanIds(spans);
  const n = deduped.length;
  // Typed arrays and index lists throughout: this runs on every trace open, for up to hundreds of
  // thousands of spans, and per-span arrays or objects would dominate its cost.
  const indexOf = new Map<string, number>();
  let uniqueIds = true;
  for (let i = 0; i < n; i++) {
    const id = deduped[i]!.spanId;
    if (indexOf.get(id) === undefined) indexOf.set(id, i);
    else uniqueIds = false;
  }
  // parentOf[i]: the parent's index, or -1 for a root (no parent, a missing one, or itself). The
  // clock-skew adjustment changes no id, so the tree is the same before and after it.
  const parentOf = new Int32Array(n);
  const orphan = new Uint8Array(n);
  const childCount = new Int32Array(n);
  let rootCount = 0;
  for (let i = 0; i < n; i++) {
    const parentId = deduped[i]!.parentSpanId;
    const p = parentId === undefined ? undefined : indexOf.get(parentId);
    if (p === undefined || p === i) {
      if (parentId !== undefined && p === undefined) orphan[i] = 1;
      parentOf[i] = -1;
      rootCount++;
    } else {
      parentOf[i] = p;
      childCount[p]!++;
    }
  }
  const adjusted = uniqueIds && !mayBeSkewed(deduped, parentOf)
    ? deduped
    : correctClockSkew(deduped, { apply: options.adjustClockSkew });
  const startOf = new Float64Array(n);
  for (let i = 0; i < n; i++) startOf[i] = adjusted[i]!.startUs;
  const bySiblingOrder = (a: number, b: number): number => {
    const d = startOf[a]! - startOf[b]!;
    if (d !== 0) return d;
    const sa = adjusted[a]!;
    const sb = adjusted[b]!;
    return compareStrings(sa.name, sb.name) || compareStrings(sa.spanId, sb.spanId) || a - b;
  };
  // Children of i sorted: childList[childStart[i] .. childStart[i + 1]).
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) childStart[i + 1] = childStart[i]! + childCount[i]!;
  const fill = childStart.slice(0, n);
  const childList = new Int32Array(childStart[n]!);
  const roots = new Int32Array(rootCount);
  for (let i = 0, r = 0; i < n; i++) {
    const p = parentOf[i]!;
    if (p >= 0) childList[fill[p]!++] = i;
    else roots[r++] = i;
  }
  roots.sort(bySiblingOrder);
  for (let i = 0; i < n; i++) {
    if (childCount[i]! > 1) childList.subarray(childStart[i]!, childStart[i + 1]!).sort(bySiblingOrder);
  }

  // Pre-order walk with an explicit stack (real traces can be deeper than the call stack allows).
  const order = new Int32Array(n);
  const depthOf = new Array<number>(n);
  const parentRowOf = new Array<number>(n);
  const rowOfSpan = new Int32Array(n);
  const visited = new Uint8Array(n);
  const stack = new Int32Array(n);
  let rows = 0;
  const walk = (start: number): void => {
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const i = stack[--top]!;
      if (visited[i]) continue;
      visited[i] = 1;
      const row = rows++;
      order[row] = i;
      rowOfSpan[i] = row;
      const p = parentOf[i]!;
      // A cycle's entry span has a parent that is not yet placed: it is drawn as a root.
      const parentRow = p >= 0 && visited[p] && i !== start ? rowOfSpan[p]! : -1;
      parentRowOf[row] = parentRow;
      depthOf[row] = parentRow < 0 ? 0 : depthOf[parentRow]! + 1;
      for (let k = childStart[i + 1]! - 1; k >= childStart[i]!; k--) stack[top++] = childList[k]!;
    }
  };
  for (const r of roots) walk(r);
  // Spans only reachable through a parent cycle: start from the earliest unvisited one.
  if (rows < n) {
    const rest: number[] = [];
    for (let i = 0; i < n; i++) if (!visited[i]) rest.push(i);
    rest.sort(bySiblingOrder);
    for (const r of rest) walk(r);
  }

  let minStart = Infinity;
  let maxEnd = -Infinity;
  const serviceIndex = new Map<string, number>();
  for (const span of adjusted) {
    if (span.startUs < minStart) minStart = span.startUs;
    if (span.startUs + span.durationUs > maxEnd) maxEnd = span.startUs + span.durationUs;
    if (!serviceIndex.has(span.service)) serviceIndex.set(span.service, 0);
  }
  const services = [...serviceIndex.keys()].sort(compareStrings);
  services.forEach((s, i) => serviceIndex.set(s, i));
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const kindIndex = new Map<string, number>(SPAN_KINDS.map((k, i) => [k, i]));

  const columns: CompactRows = {
    spanIds: '', parent: parentRowOf, depth: depthOf, startUs: new Array<number>(n), durationUs: new Array<number>(n),
    service: new Array<number>(n), name: new Array<number>(n), kind: new Array<number>(n), flags: new Array<number>(n),
    subtree: new Array<number>(n),
  };
  const ordered: Span[] = new Array<Span>(n);
  const sources: Span[] = new Array<Span>(n);
  const ids: string[] = new Array<string>(n);
  let maxDepth = 0;
  let skewed = 0;
  let orphans = 0;
  for (let row = 0; row < n; row++) {
    const i = order[row]!;
    const span = adjusted[i]!;
    ordered[row] = span;
    sources[row] = spans[i]!;
    ids[row] = span.spanId;
    columns.startUs[row] = span.startUs - minStart;
    columns.durationUs[row] = span.durationUs;
    columns.service[row] = serviceIndex.get(span.service)!;
    let name = nameIndex.get(span.name);
    if (name === undefined) {
      name = names.length;
      names.push(span.name);
      nameIndex.set(span.name, name);
    }
    columns.name[row] = name;
    columns.kind[row] = kindIndex.get(span.kind) ?? 0;
    columns.subtree[row] = 1;
    let flags = 0;
    if (span.statusCode === 'error') flags |= FLAG_ERROR;
    const spanWarnings = span.warnings;
    if (spanWarnings !== undefined && spanWarnings.length > 0) {
      flags |= FLAG_WARNING;
      for (const w of spanWarnings) {
        if (w.startsWith('clock skew')) {
          skewed++;
          break;
        }
      }
    }
    if (orphan[i]) {
      flags |= FLAG_ORPHAN;
      orphans++;
    }
    columns.flags[row] = flags;
    if (depthOf[row]! > maxDepth) maxDepth = depthOf[row]!;
  }
  // Pre-order: children come after their parent, so one backward pass sums subtree sizes.
  for (let row = n - 1; row >= 0; row--) {
    const p = parentRowOf[row]!;
    if (p >= 0) columns.subtree[p]! += columns.subtree[row]!;
  }
  columns.spanIds = ids.join('');

  const warnings: string[] = [];
  if (skewed > 0) {
    warnings.push(options.adjustClockSkew
      ? `${skewed} span${skewed === 1 ? '' : 's'} shifted to correct clock skew`
      : `${skewed} span${skewed === 1 ? '' : 's'} with clock skew (not adjusted)`);
  }
  if (orphans > 0) warnings.push(`${orphans} span${orphans === 1 ? '' : 's'} whose parent is missing from the trace`);

  return {
    compact: {
      traceId: adjusted[0]!.traceId,
      startUs: minStart,
      durationUs: maxEnd - minStart,
      spanCount: n,
      depth: n === 0 ? 0 : maxDepth + 1,
      services,
      names,
      kinds: SPAN_KINDS,
      rows: columns,
      warnings,
    },
    spans: ordered,
    sources,
    rowOf: (spanId) => {
      const i = indexOf.get(spanId);
      return i === undefined ? undefined : rowOfSpan[i];
    },
  };
}

/**
 * Whether the clock-skew adjustment could change any span: false only when every child starts no
 * earlier than its parent and either ends no later or is the longer of the two, where it moves
 * nothing whatever the hosts (see correctClockSkew). Most traces pass, and skip the adjustment's
 * own id map and per-span host keys; any doubt leaves the work to the adjustment itself.
 * `parentOf` must be the tree of spans with unique ids.
 */
function mayBeSkewed(spans: readonly Span[], parentOf: Int32Array): boolean {
  for (let i = 0; i < spans.length; i++) {
    const p = parentOf[i]!;
    if (p < 0) continue;
    const child = spans[i]!;
    const parent = spans[p]!;
    // Written as the condition to pass, so that anything odd (NaN included) fails it.
    const fits = child.startUs >= parent.startUs
      && (child.startUs + child.durationUs <= parent.startUs + parent.durationUs || child.durationUs > parent.durationUs);
    if (!fits) return true;
  }
  return false;
}

/**
 * Rows whose span (`spans[row]`, the rows' spans with their details) matches a find text, ascending. The text is split on spaces; every word must
 * match (case-insensitive substring) the span id, service, operation, or a tag, resource or event
 * key or value; a `key=value` word matches a tag or resource entry with exactly that key whose
 * value contains the value part.
 */
export function findRows(spans: readonly Span[], text: string): number[] {
  const words = text.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [];
  const out: number[] = [];
  spans.forEach((span, row) => {
    if (words.every((word) => spanMatches(span, word))) out.push(row);
  });
  return out;
}

function spanMatches(span: Span, word: string): boolean {
  const eq = word.indexOf('=');
  if (eq > 0) {
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    return entryMatches(span.attributes, key, value) || entryMatches(span.resource, key, value);
  }
  if (span.spanId.includes(word) || span.service.toLowerCase().includes(word) || span.name.toLowerCase().includes(word)) {
    return true;
  }
  if (anyMatches(span.attributes, word) || anyMatches(span.resource, word)) return true;
  return span.events.some((e) => e.name.toLowerCase().includes(word) || (e.attributes !== undefined && anyMatches(e.attributes, word)));
}

function entryMatches(attributes: Span['attributes'], key: string, value: string): boolean {
  for (const k in attributes) {
    if (k.toLowerCase() === key && String(attributes[k]).toLowerCase().includes(value)) return true;
  }
  return false;
}

function anyMatches(attributes: Span['attributes'], word: string): boolean {
  for (const k in attributes) {
    if (k.toLowerCase().includes(word) || String(attributes[k]).toLowerCase().includes(word)) return true;
  }
  return false;
}
