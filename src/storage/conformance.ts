/**
 * The storage contract as one executable suite: every engine runs it unchanged from its own test
 * file, against the same deterministic fixtures, and each case asserts exact values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyLink, Span } from '../model/index.js';
import type { FieldRef, Operation, SpanAggregation, SpanField, SpanPredicate, SpanSearch, Store, TraceQuery, TraceRef, TraceSummary } from './api.js';
import { aggregateSpans, searchSpans } from './predicate.js';
import { summarizeTrace } from './summaries.js';

/** How the suite opens the engine under test. */
export interface ConformanceTarget {
  /** Opens an empty store. */
  open(): Promise<Store>;
  /** Reopens after close, same data, for durable engines; the durability case runs only when given. */
  reopen?(): Promise<Store>;
  /** Removes whatever open() created (files, schemas); runs after the last case. */
  cleanup?(): Promise<void>;
}

/** Start of the fixture data: 2023-11-14T22:13:20Z in µs. */
export const FIXTURE_T0 = 1_700_000_000_000_000;
const T0 = FIXTURE_T0;
/** Trace E starts two hours after the others, outside their dependency window. */
const E0 = T0 + 7_200_000_000;
const HOUR = 3_600_000_000;

/** Fixture trace ids (32 hex; TB and TE are 64-bit ids, left-padded). */
export const FIXTURE_TRACE_IDS = {
  /** Zipkin shared span frontend → payments, then payments → postgres (no callee); two pieces. */
  A: '4bf92f3577b34da6a3ce929d0e0e4736',
  /** Jaeger-style frontend → cart → redis with errors; two pieces and a duplicate span. */
  B: '0000000000000000463ac35c9f6413ad',
  /** Two tiny frontend spans with only the required fields. */
  C: '80f198ee56343ba864fe8b2a57d3eff7',
  /** Tenant "acme": billing → ledger → kafka. */
  D: 'd0c0ffee00000000000000000000000d',
  /** Two hours later: frontend → payments, the caller errs, the callee does not. */
  E: '0000000000000000000000000000e0e0',
  /** The same trace id in both tenants. */
  F: 'f00000000000000000000000000000ff',
} as const;

const { A: TA, B: TB, C: TC, D: TD, E: TE, F: TF } = FIXTURE_TRACE_IDS;
const ACME = 'acme';

function span(fields: Partial<Span> & Pick<Span, 'traceId' | 'spanId' | 'service' | 'name' | 'kind' | 'startUs' | 'durationUs'>): Span {
  return { statusCode: 'unset', attributes: {}, events: [], links: [], resource: {}, tenant: '', ...fields };
}

const a1 = span({
  traceId: TA,
  spanId: '0000000000000a01',
  kind: 'server',
  name: 'GET /checkout',
  service: 'frontend',
  startUs: T0 + 1_000,
  durationUs: 50_000,
  statusCode: 'ok',
  attributes: { 'http.method': 'GET', 'http.status_code': 200, 'http.url': '/checkout?cart=7', sampled: true, ratio: 0.25 },
  events: [{ timeUs: T0 + 1_100, name: 'request.parsed', attributes: { 'body.bytes': 512, valid: true, note: 'ok' } }],
  resource: { 'host.name': 'fe-1', 'process.pid': 4242, 'telemetry.sdk.language': 'nodejs' },
  localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
  remoteEndpoint: { ipv4: '10.0.0.9', ipv6: '2001:db8::9', port: 51234 },
  debug: true,
});
const a2client = span({
  traceId: TA,
  spanId: '0000000000000a02',
  parentSpanId: '0000000000000a01',
  kind: 'client',
  name: 'POST /charge',
  service: 'frontend',
  startUs: T0 + 2_000,
  durationUs: 30_000,
  events: [
    { timeUs: T0 + 2_500, name: 'retry', attributes: { attempt: 1 } },
    { timeUs: T0 + 2_600, name: 'wire.send' },
  ],
  links: [
    { traceId: TB, spanId: '0000000000000b01', type: 'follows_from', attributes: { reason: 'batch' } },
    { traceId: TC, spanId: '0000000000000c01', type: 'link' },
  ],
  localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' },
  remoteEndpoint: { serviceName: 'payments', ipv4: '10.0.0.2', port: 9000 },
});
const a2server = span({
  traceId: TA,
  spanId: '0000000000000a02',
  parentSpanId: '0000000000000a01',
  kind: 'server',
  name: 'POST /charge',
  service: 'payments',
  startUs: T0 + 3_000,
  durationUs: 25_000,
  statusCode: 'ok',
  statusMessage: 'charged',
  attributes: { 'http.status_code': 201, 'payment.card': 'visa' },
  events: [{ timeUs: T0 + 10_000, name: 'card.validated' }],
  resource: { 'host.name': 'pay-1' },
  localEndpoint: { serviceName: 'payments', ipv6: '2001:db8::2', port: 9000 },
  remoteEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' },
  shared: true,
});
const a3 = span({
  traceId: TA,
  spanId: '0000000000000a03',
  parentSpanId: '0000000000000a02',
  kind: 'client',
  name: 'INSERT charges',
  service: 'payments',
  startUs: T0 + 5_000,
  durationUs: 8_000,
  attributes: { 'db.system': 'postgresql', 'db.rows': 1 },
  resource: { 'host.name': 'pay-1' },
  remoteEndpoint: { serviceName: 'postgres', port: 5432 },
});

const b1 = span({
  traceId: TB,
  spanId: '0000000000000b01',
  kind: 'server',
  name: 'GET /cart',
  service: 'frontend',
  startUs: T0 + 100_000,
  durationUs: 80_000,
  attributes: { 'http.method': 'GET' },
});
const b2 = span({
  traceId: TB,
  spanId: '0000000000000b02',
  parentSpanId: '0000000000000b01',
  kind: 'client',
  name: 'GET /cart/items',
  service: 'frontend',
  startUs: T0 + 110_000,
  durationUs: 40_000,
  remoteEndpoint: { serviceName: 'cart' },
});
const b3 = span({
  traceId: TB,
  spanId: '0000000000000b03',
  parentSpanId: '0000000000000b02',
  kind: 'server',
  name: 'GET /cart/items',
  service: 'cart',
  startUs: T0 + 112_000,
  durationUs: 35_000,
  statusCode: 'error',
  statusMessage: 'item lookup failed',
  attributes: { error: true },
  links: [{ traceId: TB, spanId: '0000000000000b02', type: 'child_of' }],
});
const b4 = span({
  traceId: TB,
  spanId: '0000000000000b04',
  parentSpanId: '0000000000000b03',
  kind: 'client',
  name: 'GET',
  service: 'cart',
  startUs: T0 + 115_000,
  durationUs: 20_000,
  statusCode: 'error',
  statusMessage: 'timeout',
  remoteEndpoint: { serviceName: 'redis', ipv4: '10.0.0.6', port: 6379 },
});

const c1 = span({ traceId: TC, spanId: '0000000000000c01', kind: 'server', name: 'GET /health', service: 'frontend', startUs: T0 + 200_000, durationUs: 500 });
const c2 = span({
  traceId: TC,
  spanId: '0000000000000c02',
  parentSpanId: '0000000000000c01',
  kind: 'internal',
  name: 'render',
  service: 'frontend',
  startUs: T0 + 200_100,
  durationUs: 300,
});

const d1 = span({
  traceId: TD,
  spanId: '0000000000000d01',
  kind: 'server',
  name: 'POST /invoice',
  service: 'billing',
  startUs: T0 + 400_000,
  durationUs: 70_000,
  attributes: { 'customer.tier': 'gold', 'http.status_code': 200 },
  resource: { 'deployment.environment': 'prod' },
  tenant: ACME,
});
const d2 = span({
  traceId: TD,
  spanId: '0000000000000d02',
  parentSpanId: '0000000000000d01',
  kind: 'server',
  name: 'append',
  service: 'ledger',
  startUs: T0 + 410_000,
  durationUs: 20_000,
  tenant: ACME,
});
const d3 = span({
  traceId: TD,
  spanId: '0000000000000d03',
  parentSpanId: '0000000000000d02',
  kind: 'producer',
  name: 'publish',
  service: 'ledger',
  startUs: T0 + 420_000,
  durationUs: 1_000,
  remoteEndpoint: { serviceName: 'kafka' },
  tenant: ACME,
});

const e1 = span({
  traceId: TE,
  spanId: '0000000000000e01',
  kind: 'server',
  name: 'GET /checkout',
  service: 'frontend',
  startUs: E0,
  durationUs: 90_000,
  attributes: { 'http.method': 'GET', 'http.status_code': 500 },
});
const e2 = span({
  traceId: TE,
  spanId: '0000000000000e02',
  parentSpanId: '0000000000000e01',
  kind: 'client',
  name: 'POST /charge',
  service: 'frontend',
  startUs: E0 + 1_000,
  durationUs: 60_000,
  statusCode: 'error',
  remoteEndpoint: { serviceName: 'payments' },
});
const e3 = span({
  traceId: TE,
  spanId: '0000000000000e03',
  parentSpanId: '0000000000000e02',
  kind: 'server',
  name: 'POST /charge',
  service: 'payments',
  startUs: E0 + 2_000,
  durationUs: 55_000,
  remoteEndpoint: { serviceName: 'frontend' },
});

const fDefault = span({ traceId: TF, spanId: '0000000000000f01', kind: 'server', name: 'GET /shared-id', service: 'frontend', startUs: T0 + 300_000, durationUs: 1_000 });
const fAcme = span({
  traceId: TF,
  spanId: '0000000000000f01',
  kind: 'server',
  name: 'GET /shared-id',
  service: 'billing',
  startUs: T0 + 300_000,
  durationUs: 2_000,
  tenant: ACME,
});

/** The spans of each fixture trace as written (duplicates not repeated), per tenant. */
const TRACES = {
  A: [a1, a2client, a2server, a3],
  B: [b1, b2, b3, b4],
  C: [c1, c2],
  D: [d1, d2, d3],
  E: [e1, e2, e3],
  F: [fDefault],
  FAcme: [fAcme],
};

/**
 * The write calls, in order: traces arrive in pieces, one batch per tenant, b3 is written twice
 * (a fresh copy), and E comes last so the visibility check waits for the final write.
 */
function fixtureBatches(): Span[][] {
  return [[a1, a2client], [b1, b2], [d1, d2, d3], [a2server, a3], [b3, b4], [c1, c2], [fDefault], [fAcme], [structuredClone(b3)], [e1, e2, e3]].map(
    (batch) => batch.map((s) => deepFreeze(structuredClone(s))),
  );
}

// Freezing what we hand over turns any engine that modifies its input into a TypeError.
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Spans in a canonical order (span id, unshared half first, then tenant) for exact comparison. */
function sorted(spans: readonly Span[]): Span[] {
  const key = (s: Span): string => `${s.spanId}\u0000${s.shared === true ? 1 : 0}\u0000${s.tenant}`;
  return [...spans].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}

function ref(traceId: string, startUs: number): TraceRef {
  return { traceId, startUs };
}

function op(name: string, spanKind: Operation['spanKind']): Operation {
  return { name, spanKind };
}

function link(parent: string, child: string, callCount: number, errorCount: number): DependencyLink {
  return { parent, child, callCount, errorCount };
}

function summary(
  traceId: string,
  figures: Pick<TraceSummary, 'rootService' | 'rootOperation' | 'startUs' | 'endUs' | 'spanCount'> & { errorCount?: number },
  services: Array<[string, number, number]>,
): TraceSummary {
  return {
    traceId,
    ...figures,
    errorCount: figures.errorCount ?? 0,
    orphanCount: 0,
    services: services.map(([name, spanCount, errorCount]) => ({ name, spanCount, errorCount })),
  };
}

const WIDE = { startUsMin: T0, startUsMax: E0 + HOUR, limit: 20 };

/** Registers the conformance cases for one engine under `describe(name)`. */
export function runStoreConformance(name: string, target: ConformanceTarget): void {
  describe(`storage conformance: ${name}`, () => {
    let store: Store;
    /** Spans of trace E the first read after the writes resolved found. */
    let firstReadSpans = -1;

    beforeAll(async () => {
      store = await target.open();
      for (const batch of fixtureBatches()) await store.writer.writeSpans(batch);
      firstReadSpans = (await store.reader.getTrace({ traceId: TE })).length;
    });

    afterAll(async () => {
      try {
        await store?.close();
        await store?.close();
      } finally {
        await target.cleanup?.();
      }
    });

    it('makes written spans readable as soon as writeSpans resolves (the first read finds them all)', () => {
      expect(firstReadSpans).toBe(TRACES.E.length);
    });

    describe('services and operations', () => {
      const services: Array<[string, string | undefined, string[]]> = [
        ['default tenant', '', ['cart', 'frontend', 'payments']],
        ['tenant acme', ACME, ['billing', 'ledger']],
        ['all tenants', undefined, ['billing', 'cart', 'frontend', 'ledger', 'payments']],
        ['unknown tenant', 'nobody', []],
      ];
      it.each(services)('getServices: %s', async (_name, tenant, expected) => {
        expect(await store.reader.getServices({ tenant })).toEqual(expected);
      });

      const operations: Array<[string, { tenant?: string; service: string; spanKind?: Span['kind'] }, Operation[]]> = [
        [
          'all kinds of frontend',
          { tenant: '', service: 'frontend' },
          [
            op('GET /cart', 'server'),
            op('GET /cart/items', 'client'),
            op('GET /checkout', 'server'),
            op('GET /health', 'server'),
            op('GET /shared-id', 'server'),
            op('POST /charge', 'client'),
            op('render', 'internal'),
          ],
        ],
        [
          'server spans of frontend',
          { tenant: '', service: 'frontend', spanKind: 'server' },
          [op('GET /cart', 'server'), op('GET /checkout', 'server'), op('GET /health', 'server'), op('GET /shared-id', 'server')],
        ],
        ['client spans of frontend', { tenant: '', service: 'frontend', spanKind: 'client' }, [op('GET /cart/items', 'client'), op('POST /charge', 'client')]],
        ['producer spans of frontend', { tenant: '', service: 'frontend', spanKind: 'producer' }, []],
        ['payments', { tenant: '', service: 'payments' }, [op('INSERT charges', 'client'), op('POST /charge', 'server')]],
        ['billing across tenants', { service: 'billing' }, [op('GET /shared-id', 'server'), op('POST /invoice', 'server')]],
        ['frontend is not in acme', { tenant: ACME, service: 'frontend' }, []],
        ['unknown service', { tenant: '', service: 'nope' }, []],
      ];
      it.each(operations)('getOperations: %s', async (_name, query, expected) => {
        expect(await store.reader.getOperations(query)).toEqual(expected);
      });

      const remotes: Array<[string, { tenant?: string; service: string }, string[]]> = [
        ['frontend (an endpoint without a name is skipped)', { tenant: '', service: 'frontend' }, ['cart', 'payments']],
        ['payments', { tenant: '', service: 'payments' }, ['frontend', 'postgres']],
        ['cart', { tenant: '', service: 'cart' }, ['redis']],
        ['ledger in acme', { tenant: ACME, service: 'ledger' }, ['kafka']],
        ['ledger in the default tenant', { tenant: '', service: 'ledger' }, []],
        ['ledger across tenants', { service: 'ledger' }, ['kafka']],
      ];
      it.each(remotes)('getRemoteServices: %s', async (_name, query, expected) => {
        expect(await store.reader.getRemoteServices(query)).toEqual(expected);
      });
    });

    describe('traces by id', () => {
      it('round-trips every span field exactly, attribute types and order included', async () => {
        const spans = sorted(await store.reader.getTrace({ tenant: '', traceId: TA }));
        expect(spans).toEqual(sorted(TRACES.A));
        for (const [i, expected] of sorted(TRACES.A).entries()) {
          expect(Object.keys(spans[i]!.attributes)).toEqual(Object.keys(expected.attributes));
          expect(Object.keys(spans[i]!.resource)).toEqual(Object.keys(expected.resource));
        }
        const root = spans.find((s) => s.spanId === a1.spanId)!;
        expect(typeof root.attributes['http.status_code']).toBe('number');
        expect(typeof root.attributes.sampled).toBe('boolean');
        expect(root.attributes.ratio).toBe(0.25);
        expect(root.debug).toBe(true);
        expect(spans.filter((s) => s.shared === true).map((s) => s.service)).toEqual(['payments']);
      });

      it('keeps spans with only the required fields free of invented optional fields', async () => {
        const spans = sorted(await store.reader.getTrace({ traceId: TC }));
        expect(spans).toEqual(TRACES.C);
        for (const s of spans) {
          expect(s.parentSpanId ?? null).toBe(s.spanId === c1.spanId ? null : c1.spanId);
          expect(s.statusMessage ?? null).toBeNull();
          expect(s.localEndpoint ?? null).toBeNull();
          expect(s.remoteEndpoint ?? null).toBeNull();
          expect(s.shared === true).toBe(false);
          expect(s.debug === true).toBe(false);
        }
      });

      const traces: Array<[string, { tenant?: string; traceId: string; startUsMin?: number; startUsMax?: number }, Span[]]> = [
        ['a trace written in two pieces comes back whole', { tenant: '', traceId: TA }, TRACES.A],
        ['a span written twice comes back once', { tenant: '', traceId: TB }, TRACES.B],
        ['a 64-bit id is found by its padded form', { traceId: TB }, TRACES.B],
        ['time hints never drop spans of a trace in the window', { traceId: TB, startUsMin: T0 + 112_000, startUsMax: T0 + 112_000 }, TRACES.B],
        ['tenant acme only sees its own trace', { tenant: ACME, traceId: TD }, TRACES.D],
        ['the default tenant does not see acme traces', { tenant: '', traceId: TD }, []],
        ['a trace id shared by tenants: default tenant', { tenant: '', traceId: TF }, TRACES.F],
        ['a trace id shared by tenants: acme', { tenant: ACME, traceId: TF }, TRACES.FAcme],
        ['a trace id shared by tenants: all tenants', { traceId: TF }, [...TRACES.F, ...TRACES.FAcme]],
        ['unknown trace', { traceId: '0123456789abcdef0123456789abcdef' }, []],
      ];
      it.each(traces)('getTrace: %s', async (_name, query, expected) => {
        const spans = await store.reader.getTrace(query);
        expect(sorted(spans)).toEqual(sorted(expected));
        expect(spans.length).toBe(expected.length);
      });

      it('getTraces keeps the order of the ids and omits missing ones', async () => {
        const traces = await store.reader.getTraces({ tenant: '', traceIds: [TC, '0123456789abcdef0123456789abcdef', TA, TD] });
        expect(traces.map(sorted)).toEqual([TRACES.C, sorted(TRACES.A)]);
      });

      it('getTraces of nothing is nothing', async () => {
        expect(await store.reader.getTraces({ traceIds: [] })).toEqual([]);
      });

      it('returns data the caller owns: changing it does not change the store', async () => {
        const first = await store.reader.getTrace({ tenant: '', traceId: TA });
        for (const s of first) {
          s.name = 'changed';
          s.attributes.extra = 1;
          s.events.push({ timeUs: 0, name: 'changed' });
          if (s.localEndpoint) s.localEndpoint.port = 1;
        }
        expect(sorted(await store.reader.getTrace({ tenant: '', traceId: TA }))).toEqual(sorted(TRACES.A));
      });
    });

    describe('trace search', () => {
      const searches: Array<[string, Omit<TraceQuery, 'startUsMin' | 'startUsMax' | 'limit'> & Partial<TraceQuery>, TraceRef[]]> = [
        [
          'by service, newest first by the latest matching span',
          { tenant: '', service: 'frontend' },
          [ref(TE, E0 + 1_000), ref(TF, T0 + 300_000), ref(TC, T0 + 200_100), ref(TB, T0 + 110_000), ref(TA, T0 + 2_000)],
        ],
        ['by service with a limit', { tenant: '', service: 'frontend', limit: 2 }, [ref(TE, E0 + 1_000), ref(TF, T0 + 300_000)]],
        ['by another service', { tenant: '', service: 'payments' }, [ref(TE, E0 + 2_000), ref(TA, T0 + 5_000)]],
        ['by service and operation', { tenant: '', service: 'payments', operation: 'POST /charge' }, [ref(TE, E0 + 2_000), ref(TA, T0 + 3_000)]],
        ['by operation alone', { tenant: '', operation: 'POST /charge' }, [ref(TE, E0 + 2_000), ref(TA, T0 + 3_000)]],
        ['by span kind', { tenant: '', service: 'frontend', spanKind: 'client' }, [ref(TE, E0 + 1_000), ref(TB, T0 + 110_000), ref(TA, T0 + 2_000)]],
        ['by remote service', { tenant: '', service: 'frontend', remoteService: 'cart' }, [ref(TB, T0 + 110_000)]],
        ['by remote service alone', { tenant: '', remoteService: 'postgres' }, [ref(TA, T0 + 5_000)]],
        ['by a numeric attribute compared as a string', { tenant: '', attributes: [{ key: 'http.status_code', value: '200' }] }, [ref(TA, T0 + 1_000)]],
        ['by a boolean attribute', { tenant: '', attributes: [{ key: 'error', value: 'true' }] }, [ref(TB, T0 + 112_000)]],
        ['by a resource attribute', { tenant: '', attributes: [{ key: 'host.name', value: 'fe-1' }] }, [ref(TA, T0 + 1_000)]],
        ['by an attribute key alone', { tenant: '', attributes: [{ key: 'payment.card' }] }, [ref(TA, T0 + 3_000)]],
        ['by an event name as a key alone', { tenant: '', attributes: [{ key: 'card.validated' }] }, [ref(TA, T0 + 3_000)]],
        ['an event name with a value does not match', { tenant: '', attributes: [{ key: 'retry', value: 'retry' }] }, []],
        [
          'several attributes on one span',
          { tenant: '', attributes: [{ key: 'http.method', value: 'GET' }, { key: 'http.status_code', value: '200' }] },
          [ref(TA, T0 + 1_000)],
        ],
        ['conditions met only by different spans do not match', { tenant: '', service: 'frontend', attributes: [{ key: 'payment.card' }] }, []],
        ['by status error', { tenant: '', statusCode: 'error' }, [ref(TE, E0 + 1_000), ref(TB, T0 + 115_000)]],
        ['by service and status error', { tenant: '', service: 'cart', statusCode: 'error' }, [ref(TB, T0 + 115_000)]],
        ['a value that no span has', { tenant: '', attributes: [{ key: 'http.status_code', value: '404' }] }, []],
        ['minimum duration (inclusive)', { tenant: '', service: 'frontend', minDurationUs: 60_000 }, [ref(TE, E0 + 1_000), ref(TB, T0 + 100_000)]],
        ['maximum duration (inclusive)', { tenant: '', service: 'frontend', maxDurationUs: 1_000 }, [ref(TF, T0 + 300_000), ref(TC, T0 + 200_100)]],
        [
          'duration range',
          { tenant: '', service: 'frontend', minDurationUs: 30_000, maxDurationUs: 50_000 },
          [ref(TB, T0 + 110_000), ref(TA, T0 + 2_000)],
        ],
        [
          'time window with inclusive bounds',
          { tenant: '', service: 'frontend', startUsMin: T0 + 2_000, startUsMax: T0 + 200_000 },
          [ref(TC, T0 + 200_000), ref(TB, T0 + 110_000), ref(TA, T0 + 2_000)],
        ],
        ['a window before all data', { tenant: '', startUsMin: T0 - HOUR, startUsMax: T0 - 1 }, []],
        [
          'everything in the default tenant',
          { tenant: '' },
          [ref(TE, E0 + 2_000), ref(TF, T0 + 300_000), ref(TC, T0 + 200_100), ref(TB, T0 + 115_000), ref(TA, T0 + 5_000)],
        ],
        ['everything in acme', { tenant: ACME }, [ref(TD, T0 + 420_000), ref(TF, T0 + 300_000)]],
        ['acme never returns default-tenant data', { tenant: ACME, service: 'frontend' }, []],
        ['the default tenant never returns acme data', { tenant: '', service: 'billing' }, []],
        ['all tenants', { service: 'billing' }, [ref(TD, T0 + 400_000), ref(TF, T0 + 300_000)]],
        [
          'an attribute across tenants',
          { attributes: [{ key: 'http.status_code', value: '200' }] },
          [ref(TD, T0 + 400_000), ref(TA, T0 + 1_000)],
        ],
        ['a trace id in two tenants is one hit', { startUsMin: T0 + 300_000, startUsMax: T0 + 300_000 }, [ref(TF, T0 + 300_000)]],
        ['the limit applies across tenants', { limit: 3 }, [ref(TE, E0 + 2_000), ref(TD, T0 + 420_000), ref(TF, T0 + 300_000)]],
        ['a limit of one', { tenant: '', service: 'payments', limit: 1 }, [ref(TE, E0 + 2_000)]],
      ];
      it.each(searches)('findTraceIds: %s', async (_name, query, expected) => {
        expect(await store.reader.findTraceIds({ ...WIDE, ...query })).toEqual(expected);
      });

      const values: Array<[string, { tenant?: string; key: string; limit: number }, string[]]> = [
        ['numbers as strings, sorted', { tenant: '', key: 'http.status_code', limit: 10 }, ['200', '201', '500']],
        ['with a limit', { tenant: '', key: 'http.status_code', limit: 2 }, ['200', '201']],
        ['tenant acme', { tenant: ACME, key: 'http.status_code', limit: 10 }, ['200']],
        ['all tenants', { key: 'http.status_code', limit: 10 }, ['200', '201', '500']],
        ['booleans as strings', { key: 'error', limit: 10 }, ['true']],
        ['strings', { tenant: '', key: 'http.method', limit: 10 }, ['GET']],
        ['a key nobody uses', { key: 'no.such.key', limit: 10 }, []],
      ];
      it.each(values)('getAttributeValues: %s', async (_name, query, expected) => {
        expect(await store.reader.getAttributeValues(query)).toEqual(expected);
      });
    });

    describe('trace summaries (engines with getTraceSummaries)', () => {
      const cases: Array<[string, { tenant?: string; traceIds: string[] }, TraceSummary[]]> = [
        [
          'pieces merged, shared halves counted per side, order of ids kept, missing omitted',
          { tenant: '', traceIds: [TC, '0123456789abcdef0123456789abcdef', TA] },
          [
            summary(TC, { rootService: 'frontend', rootOperation: 'GET /health', startUs: T0 + 200_000, endUs: T0 + 200_500, spanCount: 2 }, [['frontend', 2, 0]]),
            summary(TA, { rootService: 'frontend', rootOperation: 'GET /checkout', startUs: T0 + 1_000, endUs: T0 + 51_000, spanCount: 4 }, [['frontend', 2, 0], ['payments', 2, 0]]),
          ],
        ],
        [
          'a span written twice counts once; errors per service',
          { traceIds: [TB] },
          [summary(TB, { rootService: 'frontend', rootOperation: 'GET /cart', startUs: T0 + 100_000, endUs: T0 + 180_000, spanCount: 4, errorCount: 2 }, [['cart', 2, 2], ['frontend', 2, 0]])],
        ],
        [
          'tenant acme sees its own trace only',
          { tenant: ACME, traceIds: [TD, TA] },
          [summary(TD, { rootService: 'billing', rootOperation: 'POST /invoice', startUs: T0 + 400_000, endUs: T0 + 470_000, spanCount: 3 }, [['billing', 1, 0], ['ledger', 2, 0]])],
        ],
        [
          'a trace id in two tenants, read across tenants',
          { traceIds: [TF] },
          [summary(TF, { rootService: 'billing', rootOperation: 'GET /shared-id', startUs: T0 + 300_000, endUs: T0 + 302_000, spanCount: 2 }, [['billing', 1, 0], ['frontend', 1, 0]])],
        ],
        ['nothing asked, nothing returned', { traceIds: [] }, []],
      ];
      it.for(cases)('getTraceSummaries: %s', async ([, query, expected], ctx) => {
        if (store.reader.getTraceSummaries === undefined) ctx.skip();
        expect(await store.reader.getTraceSummaries!(query)).toEqual(expected);
      });

      it('equals summarizeTrace of getTraces for every fixture trace', async (ctx) => {
        if (store.reader.getTraceSummaries === undefined) ctx.skip();
        for (const tenant of ['', ACME, undefined]) {
          const traceIds = Object.values(FIXTURE_TRACE_IDS);
          const traces = await store.reader.getTraces({ tenant, traceIds });
          expect(await store.reader.getTraceSummaries!({ tenant, traceIds })).toEqual(traces.map(summarizeTrace));
        }
      });
    });

    describe('span analytics: predicates, aggregations, span search (engines with aggregateSpans)', () => {
      // Every case compares the engine with the reference (predicate.ts) over the spans as written.
      const written = (): Span[] => fixtureBatches().flat();
      const ALL_TIME = { startUsMin: T0, startUsMax: E0 + HOUR };
      const attr = (attribute: string): FieldRef => ({ attribute });
      const field = (f: SpanField): FieldRef => ({ field: f });
      const predicates: Array<[string, SpanPredicate]> = [
        ['= on a field', { op: '=', ref: field('service'), value: 'frontend' }],
        ['= number on numeric attributes (number and string)', { op: '=', ref: attr('http.status_code'), value: 200 }],
        ['= string on a numeric attribute', { op: '=', ref: attr('http.status_code'), value: '201' }],
        ['= boolean', { op: '=', ref: attr('error'), value: true }],
        ['= boolean on a non-promoted attribute', { op: '=', ref: attr('sampled'), value: true }],
        ['!= number skips missing values', { op: '!=', ref: attr('http.status_code'), value: 200 }],
        ['> on duration', { op: '>', ref: field('duration'), value: 50_000 }],
        ['<= on duration', { op: '<=', ref: field('duration'), value: 1_000 }],
        ['> on start', { op: '>', ref: field('start'), value: T0 + 300_000 }],
        ['< string on a field', { op: '<', ref: field('service'), value: 'f' }],
        ['>= string on an attribute', { op: '>=', ref: attr('http.method'), value: 'G' }],
        ['> number on a fractional attribute', { op: '>', ref: attr('ratio'), value: 0.2 }],
        ['= number on a non-promoted attribute', { op: '=', ref: attr('db.rows'), value: 1 }],
        ['> number on a string field has no numeric form', { op: '>', ref: field('service'), value: 0 }],
        ['in with mixed literals', { op: 'in', ref: attr('http.status_code'), values: [200, '500'] }],
        ['in on kind', { op: 'in', ref: field('kind'), values: ['client', 'producer'] }],
        ['in of nothing', { op: 'in', ref: field('kind'), values: [] }],
        ['regex on the operation', { op: 'regex', ref: field('operation'), pattern: '^POST' }],
        ['regex on a resource attribute', { op: 'regex', ref: attr('host.name'), pattern: 'pay-\\d' }],
        ['regex with a case-insensitive flag', { op: 'regex', ref: field('operation'), pattern: '(?i)get /CART' }],
        ['regex on a number', { op: 'regex', ref: field('duration'), pattern: '^5' }],
        ['exists on a non-promoted attribute', { op: 'exists', ref: attr('db.system') }],
        ['exists on a resource attribute', { op: 'exists', ref: attr('deployment.environment') }],
        ['exists on remote_service', { op: 'exists', ref: field('remote_service') }],
        ['exists on parent_id', { op: 'exists', ref: field('parent_id') }],
        ['exists on an attribute key full of SQL', { op: 'exists', ref: attr(`x"; DROP TABLE spans; --'/~`) }],
        ['not of a missing value is true', { op: 'not', arg: { op: '=', ref: attr('http.method'), value: 'GET' } }],
        ['not exists', { op: 'not', arg: { op: 'exists', ref: field('remote_service') } }],
        ['not of a numeric comparison on a string field', { op: 'not', arg: { op: '<', ref: field('operation'), value: 5 } }],
        ['or', { op: 'or', args: [{ op: '=', ref: field('status'), value: 'error' }, { op: '>', ref: field('duration'), value: 75_000 }] }],
        ['and with not', { op: 'and', args: [{ op: '=', ref: field('kind'), value: 'server' }, { op: 'not', arg: { op: 'exists', ref: field('parent_id') } }] }],
        ['trace id', { op: '=', ref: field('trace_id'), value: TA }],
        ['span id shared by two halves', { op: '=', ref: field('span_id'), value: '0000000000000a02' }],
        ['parent id', { op: '=', ref: field('parent_id'), value: '0000000000000b02' }],
      ];
      const hasAnalytics = (): boolean => store.reader.aggregateSpans !== undefined && store.reader.findSpans !== undefined;

      it.for(predicates)('findSpans selects what the reference selects: %s', async ([, where], ctx) => {
        if (!hasAnalytics()) ctx.skip();
        for (const tenant of [undefined, '', ACME]) {
          const q: SpanSearch = { ...ALL_TIME, tenant, where, orderBy: 'start', limit: 100 };
          expect(await store.reader.findSpans!(q)).toEqual(searchSpans(written(), q));
        }
      });

      it.for(predicates)('aggregateSpans counts what the reference counts: %s', async ([, where], ctx) => {
        if (!hasAnalytics()) ctx.skip();
        const q: SpanAggregation = { ...ALL_TIME, where, groupBy: [{ ref: field('service') }], measures: [{ ref: field('duration'), histogram: true }], maxGroups: 100 };
        expect(await store.reader.aggregateSpans!(q)).toEqual(aggregateSpans(written(), q));
      });

      const aggregations: Array<[string, Omit<SpanAggregation, 'startUsMin' | 'startUsMax' | 'maxGroups'> & Partial<SpanAggregation>]> = [
        ['everything in one group (a span written twice counts once)', { groupBy: [], measures: [{ ref: field('duration'), histogram: true }] }],
        ['by service and a 100 ms bucket', { groupBy: [{ ref: field('service') }, { bucketUs: 100_000 }], measures: [{ ref: field('duration'), histogram: true }] }],
        ['by an attribute, missing values as null', { groupBy: [{ ref: attr('http.status_code') }], measures: [{ ref: attr('http.status_code'), histogram: false }] }],
        ['by kind and status', { groupBy: [{ ref: field('kind') }, { ref: field('status') }], measures: [] }],
        ['by a resource attribute', { groupBy: [{ ref: attr('host.name') }], measures: [{ ref: attr('db.rows'), histogram: true }, { ref: attr('ratio'), histogram: false }] }],
        ['by remote service in tenant acme', { tenant: ACME, groupBy: [{ ref: field('remote_service') }], measures: [{ ref: field('duration'), histogram: false }] }],
        ['by operation in the default tenant, filtered', { tenant: '', where: { op: '=', ref: field('kind'), value: 'server' }, groupBy: [{ ref: field('operation') }], measures: [{ ref: field('duration'), histogram: true }] }],
        ['a narrow window', { startUsMin: T0 + 100_000, startUsMax: T0 + 112_000, groupBy: [{ ref: field('span_id') }], measures: [] }],
        ['a window with nothing', { startUsMin: T0 - HOUR, startUsMax: T0 - 1, groupBy: [{ ref: field('service') }], measures: [] }],
        ['no group keys over a window with nothing', { startUsMin: T0 - HOUR, startUsMax: T0 - 1, groupBy: [], measures: [{ ref: field('duration'), histogram: true }] }],
        [
          'two histogram measures and one without',
          { groupBy: [{ ref: field('kind') }], measures: [{ ref: field('duration'), histogram: true }, { ref: attr('http.status_code'), histogram: true }, { ref: attr('db.rows'), histogram: false }] },
        ],
        ['exactly maxGroups groups', { groupBy: [{ ref: field('service') }], measures: [], maxGroups: 5 }],
      ];
      it.for(aggregations)('aggregateSpans equals the reference: %s', async ([, partial], ctx) => {
        if (!hasAnalytics()) ctx.skip();
        const q: SpanAggregation = { ...ALL_TIME, maxGroups: 100, ...partial };
        expect(await store.reader.aggregateSpans!(q)).toEqual(aggregateSpans(written(), q));
      });

      it('aggregateSpans rejects more groups than maxGroups with RESOURCE_EXHAUSTED', async (ctx) => {
        if (!hasAnalytics()) ctx.skip();
        const q: SpanAggregation = { ...ALL_TIME, groupBy: [{ ref: field('service') }], measures: [], maxGroups: 4 };
        await expect(store.reader.aggregateSpans!(q)).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
      });

      it('rejects a pattern RE2 lacks with INVALID_ARGUMENT in every read', async (ctx) => {
        if (!hasAnalytics()) ctx.skip();
        const where: SpanPredicate = { op: 'regex', ref: field('service'), pattern: '(?=front)' };
        await expect(store.reader.aggregateSpans!({ ...ALL_TIME, where, groupBy: [], measures: [], maxGroups: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        await expect(store.reader.findSpans!({ ...ALL_TIME, where, orderBy: 'start', limit: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        await expect(store.reader.findTraceIds({ ...WIDE, where })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      });

      const searches: Array<[string, Omit<SpanSearch, 'startUsMin' | 'startUsMax'> & Partial<SpanSearch>]> = [
        ['newest first with a limit', { orderBy: 'start', limit: 5 }],
        ['longest first with a limit', { orderBy: 'duration', limit: 4 }],
        ['longest first in tenant acme', { tenant: ACME, orderBy: 'duration', limit: 10 }],
        ['equal starts across tenants in one order', { startUsMin: T0 + 300_000, startUsMax: T0 + 300_000, orderBy: 'duration', limit: 10 }],
        ['a limit of zero', { orderBy: 'start', limit: 0 }],
      ];
      it.for(searches)('findSpans orders and limits like the reference: %s', async ([, partial], ctx) => {
        if (!hasAnalytics()) ctx.skip();
        const q: SpanSearch = { ...ALL_TIME, ...partial };
        expect(await store.reader.findSpans!(q)).toEqual(searchSpans(written(), q));
      });

      const traceSearches: Array<[string, Omit<TraceQuery, 'startUsMin' | 'startUsMax' | 'limit'>, TraceRef[]]> = [
        ['where alone', { tenant: '', where: { op: 'regex', ref: field('operation'), pattern: '^POST' } }, [ref(TE, E0 + 2_000), ref(TA, T0 + 3_000)]],
        [
          'where with the classic conditions on the same span',
          { tenant: '', service: 'frontend', where: { op: 'not', arg: { op: 'exists', ref: field('remote_service') } } },
          [ref(TE, E0), ref(TF, T0 + 300_000), ref(TC, T0 + 200_100), ref(TB, T0 + 100_000), ref(TA, T0 + 1_000)],
        ],
        ['where an or of attributes', { where: { op: 'or', args: [{ op: '=', ref: attr('customer.tier'), value: 'gold' }, { op: 'exists', ref: attr('payment.card') }] } }, [ref(TD, T0 + 400_000), ref(TA, T0 + 3_000)]],
      ];
      it.for(traceSearches)('findTraceIds honours TraceQuery.where: %s', async ([, query, expected], ctx) => {
        if (!hasAnalytics()) ctx.skip();
        expect(await store.reader.findTraceIds({ ...WIDE, ...query })).toEqual(expected);
      });
    });

    describe('dependencies', () => {
      const cases: Array<[string, { tenant?: string; endUs: number; lookbackUs: number }, DependencyLink[]]> = [
        [
          'default tenant, first hour: shared spans once, callee-less clients, callee errors',
          { tenant: '', endUs: T0 + HOUR, lookbackUs: HOUR },
          [link('cart', 'redis', 1, 1), link('frontend', 'cart', 1, 1), link('frontend', 'payments', 1, 0), link('payments', 'postgres', 1, 0)],
        ],
        ['tenant acme', { tenant: ACME, endUs: T0 + HOUR, lookbackUs: HOUR }, [link('billing', 'ledger', 1, 0), link('ledger', 'kafka', 1, 0)]],
        [
          'all tenants, whole period',
          { endUs: E0 + HOUR, lookbackUs: 4 * HOUR },
          [
            link('billing', 'ledger', 1, 0),
            link('cart', 'redis', 1, 1),
            link('frontend', 'cart', 1, 1),
            link('frontend', 'payments', 2, 0),
            link('ledger', 'kafka', 1, 0),
            link('payments', 'postgres', 1, 0),
          ],
        ],
        ['the errors of a caller do not count when the callee answered', { tenant: '', endUs: E0 + 2_000, lookbackUs: 2_000 }, [link('frontend', 'payments', 1, 0)]],
        ['without its callee in the window the caller side counts, errors included', { tenant: '', endUs: E0 + 1_000, lookbackUs: 1_000 }, [link('frontend', 'payments', 1, 1)]],
        ['both window bounds are inclusive and a shared span id counts once', { tenant: '', endUs: T0 + 3_000, lookbackUs: 1_000 }, [link('frontend', 'payments', 1, 0)]],
        ['a window before all data', { endUs: T0 - 1, lookbackUs: HOUR }, []],
      ];
      it.each(cases)('getDependencies: %s', async (_name, query, expected) => {
        expect(await store.dependencies.getDependencies(query)).toEqual(expected);
      });
    });

    it.skipIf(target.reopen === undefined)('keeps written spans across close and reopen', async () => {
      await store.close();
      store = await target.reopen!();
      expect(await store.reader.getServices({})).toEqual(['billing', 'cart', 'frontend', 'ledger', 'payments']);
      expect(sorted(await store.reader.getTrace({ tenant: '', traceId: TA }))).toEqual(sorted(TRACES.A));
      expect(sorted(await store.reader.getTrace({ tenant: '', traceId: TB }))).toEqual(TRACES.B);
      expect(sorted(await store.reader.getTrace({ tenant: ACME, traceId: TD }))).toEqual(TRACES.D);
      expect(await store.reader.findTraceIds({ ...WIDE, tenant: '', service: 'payments' })).toEqual([ref(TE, E0 + 2_000), ref(TA, T0 + 5_000)]);
    });
  });
}
