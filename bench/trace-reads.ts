/** Reading traces back through the query APIs and checking them against what was sent. */
import type { Getter } from './http-client.js';
import { Prng, type TraceSummary } from './workload.js';

/** Traces whose every batch was acknowledged, so all their spans must be readable. */
export function acceptedTraces(traces: readonly TraceSummary[], acceptedBatches: ReadonlySet<number>): TraceSummary[] {
  return traces.filter((t) => {
    for (let b = t.firstBatch; b <= t.lastBatch; b++) if (!acceptedBatches.has(b)) return false;
    return true;
  });
}

/** `count` traces drawn with replacement by a seeded PRNG (the same draw for the same seed). */
export function sampleTraces(traces: readonly TraceSummary[], count: number, seed: number): TraceSummary[] {
  if (traces.length === 0) return [];
  const rng = new Prng(seed);
  return Array.from({ length: count }, () => rng.pick(traces));
}

/** Spans in a Jaeger `GET /api/traces/<id>` answer (`{data:[{spans:[...]}]}`), or undefined if malformed. */
export function jaegerSpanCount(body: Buffer): number | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { data?: Array<{ spans?: unknown[] }> };
    return parsed.data?.reduce((n, t) => n + (t.spans?.length ?? 0), 0);
  } catch {
    return undefined;
  }
}

/** Spans in a Zipkin `GET /api/v2/trace/<id>` answer (a JSON array of spans), or undefined. */
export function zipkinSpanCount(body: Buffer): number | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return Array.isArray(parsed) ? parsed.length : undefined;
  } catch {
    return undefined;
  }
}

/** Outcome of reading a list of traces. */
export interface ReadCheck {
  checked: number;
  ok: number;
  latenciesMs: number[];
  statusCounts: Map<number, number>;
  /** The first few mismatches: wrong status or span count. */
  problems: string[];
}

/**
 * GETs `pathOf(trace)` for each trace in turn and checks status 200 and the span count, as read by
 * `countSpans`.
 */
export async function readTraces(options: {
  getter: Getter;
  traces: readonly TraceSummary[];
  pathOf: (t: TraceSummary) => string;
  countSpans: (body: Buffer) => number | undefined;
}): Promise<ReadCheck> {
  const check: ReadCheck = { checked: 0, ok: 0, latenciesMs: [], statusCounts: new Map(), problems: [] };
  for (const t of options.traces) {
    const path = options.pathOf(t);
    const res = await options.getter.get(path);
    check.checked++;
    check.latenciesMs.push(res.ms);
    check.statusCounts.set(res.status, (check.statusCounts.get(res.status) ?? 0) + 1);
    const spans = res.status === 200 ? options.countSpans(res.body) : undefined;
    if (res.status === 200 && spans === t.spanCount) {
      check.ok++;
    } else if (check.problems.length < 5) {
      check.problems.push(res.status === 200
        ? `GET ${path}: ${spans ?? 'unreadable'} spans, expected ${t.spanCount}`
        : `GET ${path}: status ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
    }
  }
  return check;
}
