/**
 * Hostile input against a real server, each with the outcome docs/limits.md promises: nested and
 * huge JSON, bodies of very many spans, 1 MB tag values (cut, marked, shown as a warning, equal
 * after a crash and replay), invalid UTF-8, zero / negative / overflowing times, duplicate spans,
 * cyclic and self parent references (reads and the UI's tree answer), and 10^5 distinct services.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

const T0 = Date.now() * 1000 - 60_000_000;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

let dataDir: string;
let server: ServerProcess;
beforeAll(async () => {
  dataDir = await tempDir('ariadne-hostile-');
  server = await startServerProcess({ dataDir, args: ['--limits.trace-spans', '1000', '--limits.services', '1000', '--max-body', '16MiB'] });
});
afterAll(async () => {
  await server?.kill();
  if (dataDir) await removeDir(dataDir);
});

async function post(body: string | Buffer): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.zipkin}/api/v2/spans`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: res.status, text: (await res.text()).trim() };
}

function span(traceId: string, id: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { traceId, id: hex(id, 16), name: 'op', timestamp: T0, duration: 10, localEndpoint: { serviceName: 'hostile' }, ...over };
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${server.admin}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('hostile bodies', () => {
  it.each([
    { name: 'deeply nested JSON (100k levels)', body: () => `${'['.repeat(100_000)}${']'.repeat(100_000)}`, status: 400 },
    {
      name: 'a deeply nested tag value (100k levels)',
      body: () => `[${JSON.stringify(span(hex(6, 32), 1)).slice(0, -1)},"tags":{"a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}]`,
      status: 400,
    },
    { name: 'a million-element array of non-spans', body: () => `[${Array.from({ length: 1_000_000 }, () => '{}').join(',')}]`, status: 400 },
  ])('$name answers $status and the server stays up', async (c) => {
    const r = await post(c.body());
    expect(r.status).toBe(c.status);
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.text.length).toBeLessThan(400);
    expect((await fetch(`${server.admin}/health`)).status).toBe(200);
  });

  it('a body over --max-body (17 MiB) is refused as too large and the server stays up', async () => {
    const before = await metric('ariadne_requests_rejected_total', 'protocol="zipkin-v2-json",reason="too_large"');
    // The body is read and discarded before the answer, so a client still writing it reads the 413.
    for (let i = 0; i < 3; i++) {
      const r = await post(`[${' '.repeat(17 * 1024 * 1024)}]`);
      expect(r).toEqual({ status: 413, text: 'request body exceeds the limit of 16777216 bytes' });
    }
    expect(await metric('ariadne_requests_rejected_total', 'protocol="zipkin-v2-json",reason="too_large"')).toBe(before + 3);
    expect((await fetch(`${server.admin}/health`)).status).toBe(200);
  });

  it.each([
    { name: 'zero timestamp', over: { timestamp: 0 } },
    { name: 'negative timestamp', over: { timestamp: -1 } },
    { name: 'overflowing timestamp', over: { timestamp: 1e20 } },
    { name: 'negative duration', over: { duration: -5 } },
    { name: 'overflowing duration', over: { duration: 1e13 } },
    { name: 'fractional timestamp', over: { timestamp: 1.5 } },
  ])('$name is refused with a message naming the field', async (c) => {
    const r = await post(JSON.stringify([span(hex(7, 32), 1, c.over)]));
    expect({ status: r.status, names: /^span\[0\]\.(timestamp|duration): /.test(r.text) }).toEqual({ status: 400, names: true });
  });
});

describe('hostile spans that are accepted', () => {
  it('a 1 MB tag value is cut to 2 KiB, marked, shown as a warning, and reads the same after kill -9 and replay', async () => {
    const traceId = hex(0x1001, 32);
    expect((await post(JSON.stringify([span(traceId, 1, { tags: { big: 'x'.repeat(1024 * 1024), small: 'ok' } })]))).status).toBe(202);
    const jaeger = await getJson(`${server.query}/api/traces/${traceId}`);
    const s = jaeger.body.data[0].spans[0];
    const tags = Object.fromEntries(s.tags.map((t: { key: string; value: unknown }) => [t.key, t.value]));
    expect({ big: tags.big, small: tags.small, marker: tags['ariadne.truncated'], warnings: s.warnings }).toEqual({
      big: 'x'.repeat(2048), small: 'ok', marker: '1 value cut to 2048 bytes: attribute "big" (1048576 bytes)',
      warnings: ['truncated by limits: 1 value cut to 2048 bytes: attribute "big" (1048576 bytes)'],
    });
    const ui = await getJson(`${server.query}/api/ariadne/traces/${traceId}/spans/${hex(1, 16)}`);
    expect(JSON.stringify(ui.body)).toContain('truncated by limits: 1 value cut to 2048 bytes');
    const v3 = await getJson(`${server.query}/api/v3/traces/${traceId}`);
    expect(JSON.stringify(v3.body)).toContain('"key":"ariadne.truncated"');
    const before = await getJson(`${server.zipkin}/api/v2/trace/${traceId}`);
    // Nothing flushed yet: the restart replays the request from the log through the same limits.
    await server.kill();
    server = await startServerProcess({ dataDir, args: ['--limits.trace-spans', '1000', '--limits.services', '1000', '--max-body', '16MiB'] });
    const after = await getJson(`${server.zipkin}/api/v2/trace/${traceId}`);
    expect(after.body).toEqual(before.body);
  });

  it('invalid UTF-8 in a string is stored as U+FFFD', async () => {
    const traceId = hex(0x1002, 32);
    const body = Buffer.concat([Buffer.from(JSON.stringify([span(traceId, 1, { tags: { bad: 'a__b' } })]).split('a__b')[0]!), Buffer.from([0x61, 0xff, 0xfe, 0x62]),
      Buffer.from(JSON.stringify([span(traceId, 1, { tags: { bad: 'a__b' } })]).split('a__b')[1]!)]);
    expect((await post(body)).status).toBe(202);
    const r = await getJson(`${server.zipkin}/api/v2/trace/${traceId}`);
    expect(r.body[0].tags.bad).toBe('a\uFFFD\uFFFDb');
  });

  it('duplicate spans are stored once as far as reads go', async () => {
    const traceId = hex(0x1003, 32);
    const body = JSON.stringify([span(traceId, 1), span(traceId, 1)]);
    expect((await post(body)).status).toBe(202);
    expect((await post(body)).status).toBe(202);
    const r = await getJson(`${server.zipkin}/api/v2/trace/${traceId}`);
    expect(r.body.length).toBe(1);
  });

  it('cyclic and self parent references: every read API and the UI\'s trace answer', async () => {
    const traceId = hex(0x1004, 32);
    const body = JSON.stringify([
      span(traceId, 1, { parentId: hex(2, 16) }), span(traceId, 2, { parentId: hex(1, 16) }), span(traceId, 3, { parentId: hex(3, 16) }),
    ]);
    expect((await post(body)).status).toBe(202);
    const reads = [
      `${server.zipkin}/api/v2/trace/${traceId}`, `${server.query}/api/traces/${traceId}`, `${server.query}/api/v3/traces/${traceId}`,
      `${server.query}/api/ariadne/traces/${traceId}`, `${server.query}/api/ariadne/traces/${traceId}/columns`,
    ];
    const statuses = [];
    for (const url of reads) {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const jaeger = await getJson(`${server.query}/api/traces/${traceId}`);
    expect(jaeger.body.data[0].spans.length).toBe(3);
  });

  it('spans of a trace beyond --limits.trace-spans are refused and counted; the request is still 202', async () => {
    const traceId = hex(0x1005, 32);
    const spans = Array.from({ length: 1500 }, (_, i) => span(traceId, i + 1));
    expect((await post(JSON.stringify(spans))).status).toBe(202);
    const r = await getJson(`${server.zipkin}/api/v2/trace/${traceId}`);
    expect(r.body.length).toBe(1000);
    expect(await metric('ariadne_spans_rejected_total', 'protocol="zipkin-v2-json",reason="limit_trace_spans"')).toBe(500);
  });

  it('10^5 distinct services: the first --limits.services are kept, the rest refused and counted', async () => {
    const known = (await getJson(`${server.query}/api/services`)).body.data.length as number;
    for (let b = 0; b < 10; b++) {
      const spans = Array.from({ length: 10_000 }, (_, i) => {
        const n = b * 10_000 + i;
        return span(hex(0x200000 + n, 32), 1, { localEndpoint: { serviceName: `svc-${n}` } });
      });
      expect((await post(JSON.stringify(spans))).status).toBe(202);
    }
    const services = (await getJson(`${server.query}/api/services`)).body.data as string[];
    expect(services.length).toBe(1000);
    expect(await metric('ariadne_spans_rejected_total', 'protocol="zipkin-v2-json",reason="limit_services"')).toBe(100_000 - (1000 - known));
  });
});

describe('hostile query parameters', () => {
  // Keys each read endpoint knows, mixed with unknown ones; values of any shape, repeated keys included.
  const KEYS = [
    'service', 'operation', 'tags', 'tag', 'start', 'end', 'startTs', 'endTs', 'lookback', 'limit', 'minDuration', 'maxDuration',
    'serviceName', 'spanName', 'annotationQuery', 'traceIds', 'traceID', 'query.service_name', 'query.operation_name',
    'query.start_time_min', 'query.start_time_max', 'query.duration_min', 'query.duration_max', 'query.num_traces',
    'query.attributes', 'query.search_depth', 'start_time', 'end_time', 'raw_traces', 'spanKind', 'remoteServiceName', 'key', 'x',
  ];
  const ENDPOINTS = [
    (s: ServerProcess) => `${s.query}/api/traces`, (s: ServerProcess) => `${s.query}/api/operations`,
    (s: ServerProcess) => `${s.query}/api/dependencies`, (s: ServerProcess) => `${s.query}/api/v3/traces`,
    (s: ServerProcess) => `${s.query}/api/v3/trace-summaries`, (s: ServerProcess) => `${s.query}/api/v3/operations`,
    (s: ServerProcess) => `${s.zipkin}/api/v2/traces`, (s: ServerProcess) => `${s.zipkin}/api/v2/spans`,
    (s: ServerProcess) => `${s.zipkin}/api/v2/dependencies`, (s: ServerProcess) => `${s.zipkin}/api/v2/traceMany`,
    (s: ServerProcess) => `${s.zipkin}/api/v2/autocompleteValues`, (s: ServerProcess) => `${s.query}/api/traces/${'0'.repeat(31)}1`,
  ];
  const value = fc.oneof(
    fc.string({ maxLength: 40 }), fc.integer().map(String), fc.double().map(String), fc.constantFrom('', '-1', '1e400', 'NaN', '{', '{"a":', '[]', '9'.repeat(40), '%', '1ms', '-5m'),
    fc.json({ maxDepth: 3 }),
  );
  const queryArb = fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 6 });

  it('every read endpoint answers random parameters with a 2xx or a 4xx, never a 5xx', async () => {
    const seen: string[] = [];
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: ENDPOINTS.length - 1 }), queryArb, async (e, pairs) => {
      const params = new URLSearchParams(pairs);
      const url = `${ENDPOINTS[e]!(server)}?${params.toString()}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      if (res.status >= 500) seen.push(`${res.status} ${url}`);
      return res.status < 500;
    }), { numRuns: 600 });
    expect(seen).toEqual([]);
  });
});
