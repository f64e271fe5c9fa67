import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Payload, Store } from '../api.js';
import { createEmbeddedStore } from './index.js';
import { readTraceSkeleton, skeletonSql } from './trace-skeleton.js';

const TRACE = '0123456789abcdef0123456789abcdef';
const KEYS = ['host.id', 'host.name', 'ip', 'odd/key~'];

function decode(payload: Payload): Span[] {
  return JSON.parse(payload.bytes.toString('utf8')) as Span[];
}

function span(o: Partial<Span> & { spanId: string }): Span {
  return {
    traceId: TRACE, kind: 'server', name: 'op', service: 'svc', startUs: 1_700_000_000_000_000, durationUs: 100, statusCode: 'unset',
    attributes: { 'http.method': 'GET', note: 'x' }, events: [{ timeUs: 1_700_000_000_000_010, name: 'ev', attributes: { k: 1 } }],
    links: [], resource: { 'service.version': '1.2' }, tenant: '', ...o,
  };
}

/** The fields getTraceSkeleton promises, from a whole span. */
function skeletonOf(s: Span): Span {
  const out: Span = {
    traceId: s.traceId, spanId: s.spanId, kind: s.kind, name: s.name, service: s.service, startUs: s.startUs,
    durationUs: s.durationUs, statusCode: s.statusCode, attributes: {}, events: [], links: [], resource: {}, tenant: s.tenant,
  };
  if (s.parentSpanId !== undefined) out.parentSpanId = s.parentSpanId;
  if (s.shared !== undefined) out.shared = s.shared;
  const ep = s.localEndpoint;
  if (ep?.ipv4 !== undefined || ep?.ipv6 !== undefined) {
    out.localEndpoint = {};
    if (ep.ipv4 !== undefined) out.localEndpoint.ipv4 = ep.ipv4;
    if (ep.ipv6 !== undefined) out.localEndpoint.ipv6 = ep.ipv6;
  }
  for (const key of KEYS) if (s.resource[key] !== undefined) out.resource[key] = String(s.resource[key]);
  return out;
}

const SPANS: Span[] = [
  span({ spanId: 'ffffffffffffffff', name: 'root', service: 'front', localEndpoint: { serviceName: 'front', ipv4: '10.0.0.1', port: 80 }, resource: { 'host.name': 'h1', other: 'y' } }),
  span({ spanId: '00000000000000a1', parentSpanId: 'ffffffffffffffff', kind: 'client', service: 'front', startUs: 1_700_000_000_000_005, statusCode: 'error', localEndpoint: { ipv6: '::1' } }),
  span({ spanId: '00000000000000a1', parentSpanId: 'ffffffffffffffff', shared: true, service: 'back', name: 'handle', resource: { 'host.id': 42, ip: '', 'odd/key~': 'v' } }),
  span({ spanId: '80000000000000b2', parentSpanId: '00000000000000a1', kind: 'internal', service: 'back', durationUs: 7, shared: false }),
  span({ spanId: '00000000000000c3', tenant: 'acme', service: 'acme-svc' }),
  // The keys of the skeleton's JSON fields only as attribute keys and values: no endpoint, resource or shared flag.
  span({ spanId: '00000000000000e5', parentSpanId: 'ffffffffffffffff', attributes: { i4: '"r"', sh: 'i6', r: 'le' }, resource: {} }),
];

const byId = (a: Span, b: Span) => a.spanId.localeCompare(b.spanId) || a.service.localeCompare(b.service);

/** The skeleton as read straight from the database file: with settings as text, and with 1-bit codes (so they collide). */
let asText: Span[];
let collided: Span[];
let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ariadne-skeleton-'));
  const options = { dataDir: dir, decode, retentionUs: 100 * 365 * 24 * 3_600_000_000, maxDiskBytes: 0 };
  const first = await createEmbeddedStore(options);
  await first.writer.writeSpans([...SPANS, ...SAME_SETTING]);
  await first.close(); // flushes everything into DuckDB
  const file = await DuckDBInstance.create(join(dir, 'spans.duckdb'));
  const raw = await file.connect();
  const query = { traceId: TRACE, tenant: undefined, resourceKeys: KEYS };
  asText = await readTraceSkeleton(raw, query, { values: 'text' });
  collided = await readTraceSkeleton(raw, query, { codeBits: 1 });
  raw.closeSync();
  file.closeSync();
  store = await createEmbeddedStore(options);
});

const OTHER_TRACE = 'fedcba9876543210fedcba9876543210';

/** Spans of another trace: two of one setting (service, operation, endpoint, resource), one of another. */
const SAME_SETTING: Span[] = [
  span({ traceId: OTHER_TRACE, spanId: '0000000000000001', service: 'a', localEndpoint: { ipv4: '10.1.1.1' }, resource: { 'host.id': 'h' } }),
  span({ traceId: OTHER_TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', service: 'b', localEndpoint: { ipv4: '10.1.1.2' } }),
  span({ traceId: OTHER_TRACE, spanId: '0000000000000003', parentSpanId: '0000000000000001', service: 'a', localEndpoint: { ipv4: '10.1.1.1' }, resource: { 'host.id': 'h' } }),
];

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('getTraceSkeleton (embedded)', () => {
  const cases: Array<{ name: string; tenant?: string; expected: Span[] }> = [
    { name: 'every tenant', expected: SPANS.map(skeletonOf) },
    { name: 'one tenant', tenant: 'acme', expected: [skeletonOf(SPANS[4]!)] },
    { name: 'a tenant without the trace', tenant: 'nobody', expected: [] },
  ];
  it.each(cases)('reads the stored spans\' skeleton fields: $name', async ({ tenant, expected }) => {
    const got = await store.reader.getTraceSkeleton!({ traceId: TRACE, resourceKeys: KEYS, ...(tenant === undefined ? {} : { tenant }) });
    expect(got.sort(byId)).toEqual([...expected].sort(byId));
  });

  it('agrees with getTrace on every skeleton field', async () => {
    const whole = await store.reader.getTrace({ traceId: TRACE });
    const lean = await store.reader.getTraceSkeleton!({ traceId: TRACE, resourceKeys: KEYS });
    expect(lean.sort(byId)).toEqual(whole.map(skeletonOf).sort(byId));
  });

  const forms = [
    { name: 'settings as text', read: () => asText },
    { name: 'settings as 1-bit codes, which collide and are read again as text', read: () => collided },
  ];
  it.each(forms)('reads the same with $name as with 32-bit codes', async ({ read }) => {
    const lean = await store.reader.getTraceSkeleton!({ traceId: TRACE, resourceKeys: KEYS });
    expect([...read()].sort(byId)).toEqual(lean.sort(byId));
    expect(read().length).toBe(SPANS.length);
  });

  it('shares one frozen endpoint and resource object between the spans of one place', async () => {
    const got = await store.reader.getTraceSkeleton!({ traceId: OTHER_TRACE, resourceKeys: KEYS });
    expect(got.sort(byId)).toEqual(SAME_SETTING.map(skeletonOf));
    const [a, b, c] = got;
    expect(a!.localEndpoint).toBe(c!.localEndpoint);
    expect(a!.resource).toBe(c!.resource);
    expect(a!.localEndpoint).not.toBe(b!.localEndpoint);
    expect(Object.isFrozen(a!.localEndpoint)).toBe(true);
    expect(Object.isFrozen(a!.resource)).toBe(true);
  });

  it('finds nothing for an unknown trace', async () => {
    expect(await store.reader.getTraceSkeleton!({ traceId: 'f'.repeat(32), resourceKeys: KEYS })).toEqual([]);
  });

  it('hands buffered spans over whole and collapses duplicates of stored ones', async () => {
    const late = span({ spanId: '00000000000000d4', parentSpanId: 'ffffffffffffffff', service: 'late' });
    await store.writer.writeSpans([late, SPANS[0]!]);
    const got = await store.reader.getTraceSkeleton!({ traceId: TRACE, resourceKeys: KEYS });
    expect(got.length).toBe(SPANS.length + 1);
    expect(got.find((s) => s.service === 'late')).toEqual(late);
  });
});

describe('getSpans (embedded)', () => {
  const cases: Array<{ name: string; spanIds: string[]; tenant?: string; expected: Span[] }> = [
    { name: 'both halves of a shared id', spanIds: ['00000000000000a1'], expected: [SPANS[1]!, SPANS[2]!] },
    { name: 'several ids, one unknown', spanIds: ['ffffffffffffffff', '80000000000000b2', '0000000000000bad'], expected: [SPANS[0]!, SPANS[3]!] },
    { name: 'scoped to another tenant', spanIds: ['ffffffffffffffff', '00000000000000c3'], tenant: 'acme', expected: [SPANS[4]!] },
    { name: 'no ids', spanIds: [], expected: [] },
  ];
  it.each(cases)('reads whole spans by id: $name', async ({ spanIds, tenant, expected }) => {
    const got = await store.reader.getSpans!({ traceId: TRACE, spanIds, ...(tenant === undefined ? {} : { tenant }) });
    expect(got.sort(byId)).toEqual([...expected].sort(byId));
  });
});

describe('skeletonSql', () => {
  it('quotes resource keys as JSON pointers inside SQL literals', () => {
    const sql = skeletonSql(["it's", 'a/b~c'], true);
    expect(sql).toContain(`'/r/it''s'`);
    expect(sql).toContain(`'/r/a~1b~0c'`);
    expect(sql).toContain('AND tenant = $4');
  });

  const parts: Array<{ name: string; values: 'codes' | 'text'; has: string[]; lacks: string[] }> = [
    { name: 'codes', values: 'codes', has: ['UNION ALL', 'GROUP BY code', '& 4294967295'], lacks: [] },
    { name: 'text', values: 'text', has: ['to_json(setting)::VARCHAR'], lacks: ['UNION ALL'] },
  ];
  it.each(parts)('carries shared values as $name', ({ values, has, lacks }) => {
    const sql = skeletonSql(KEYS, false, values);
    for (const part of has) expect(sql).toContain(part);
    for (const part of lacks) expect(sql).not.toContain(part);
    expect(sql).not.toContain('$4');
  });
});
