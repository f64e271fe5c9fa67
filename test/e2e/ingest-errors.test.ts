/** End to end: hostile and malformed input gets a clear 4xx, and nothing accepted before is lost. */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

let server: ServerProcess;
let dataDir: string;
const nowUs = Date.now() * 1000;
const traceId = '5af7183fb1d4cf5f5af7183fb1d4cf5f';

function span(overrides: Record<string, unknown> = {}) {
  return {
    traceId, id: '6b221d5bc9e6496c', name: 'get /checkout', kind: 'SERVER', timestamp: nowUs - 5_000_000, duration: 1234,
    localEndpoint: { serviceName: 'checkout', ipv4: '10.1.2.3' }, tags: { 'http.method': 'GET' }, ...overrides,
  };
}

async function post(path: string, body: Buffer | string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${server.zipkin}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after') };
}

beforeAll(async () => {
  dataDir = await tempDir();
  server = await startServerProcess({ dataDir, args: ['--max-body', '64KiB'] });
  expect((await post('/api/v2/spans', JSON.stringify([span()]))).status).toBe(202);
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dataDir);
});

describe('ingest rejects bad input with a clear 4xx', () => {
  const cases: Array<[string, () => Promise<{ status: number; text: string }>, number, string]> = [
    ['malformed JSON', () => post('/api/v2/spans', '[{"traceId": '), 400, 'invalid JSON'],
    ['not an array', () => post('/api/v2/spans', '{"traceId":"1"}'), 400, 'array'],
    ['non-hex trace id names index and field', () => post('/api/v2/spans', JSON.stringify([span(), span({ traceId: 'xyz' })])), 400, 'span[1].traceId'],
    ['missing span id', () => post('/api/v2/spans', JSON.stringify([span({ id: undefined })])), 400, 'span[0].id'],
    ['absurd timestamp', () => post('/api/v2/spans', JSON.stringify([span({ timestamp: 1 })])), 400, 'span[0].timestamp'],
    ['negative duration', () => post('/api/v2/spans', JSON.stringify([span({ duration: -5 })])), 400, 'span[0].duration'],
    ['tag of the wrong type', () => post('/api/v2/spans', JSON.stringify([span({ tags: { a: { b: 1 } } })])), 400, 'span[0].tags'],
    ['v1 malformed', () => post('/api/v1/spans', '[1,2'), 400, 'invalid JSON'],
    ['unsupported content type', () => post('/api/v2/spans', 'x', { 'content-type': 'text/plain' }), 415, 'text/plain'],
    ['unsupported encoding', () => post('/api/v2/spans', 'x', { 'content-type': 'application/json', 'content-encoding': 'br' }), 415, 'br'],
    ['corrupt gzip', () => post('/api/v2/spans', Buffer.from('not gzip'), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400, 'gzip'],
    ['body over the limit', () => post('/api/v2/spans', JSON.stringify(Array.from({ length: 400 }, () => span()))), 413, 'limit'],
    ['gzip bomb over the limit', () => post('/api/v2/spans', gzipSync(Buffer.alloc(10_000_000, 32)), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 413, 'limit'],
    ['bad tenant token', () => post('/bad%20token/api/v2/spans', '[]'), 400, 'tenant token'],
  ];
  it.each(cases)('%s', async (_name, send, status, fragment) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.text).toContain(fragment);
  });

  it('accepts gzip bodies', async () => {
    const body = gzipSync(JSON.stringify([span({ id: '00000000000000aa', name: 'gzipped' })]));
    expect((await post('/api/v2/spans', body, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(202);
    const ops = await eventually(async () => {
      const r = await getJson(`${server.zipkin}/api/v2/spans?serviceName=checkout`);
      return r.body.includes('gzipped') ? r.body : undefined;
    });
    expect(ops).toEqual(['get /checkout', 'gzipped']);
  });

  it('keeps serving and lost nothing accepted before', async () => {
    const r = await getJson(`${server.zipkin}/api/v2/trace/${traceId}`);
    expect(r.status).toBe(200);
    expect(r.body.map((s: any) => s.id).sort()).toEqual(['00000000000000aa', '6b221d5bc9e6496c']);
  });

  it('counts rejections by reason in /metrics', async () => {
    const text = await (await fetch(`${server.admin}/metrics`)).text();
    expect(text).toMatch(/ariadne_requests_rejected_total\{protocol="zipkin-v2-json",reason="invalid"\} [1-9]/);
    expect(text).toMatch(/ariadne_requests_rejected_total\{protocol="zipkin-v2-json",reason="too_large"\} 2/);
    expect(text).toMatch(/ariadne_spans_received_total\{protocol="zipkin-v2-json"\} 2/);
    expect(text).toContain('ariadne_store_disk_bytes');
  });
});

describe('query errors in each API\'s own shape', () => {
  it('unknown trace: 404 in the Jaeger envelope and in Zipkin\'s plain text', async () => {
    const j = await getJson(`${server.query}/api/traces/0123456789abcdef`);
    expect(j.status).toBe(404);
    expect(j.body).toMatchObject({ data: null, errors: [{ code: 404 }] });
    const z = await getJson(`${server.zipkin}/api/v2/trace/0123456789abcdef`);
    expect(z.status).toBe(404);
  });

  it('bad parameters: 400 naming the parameter', async () => {
    const j = await getJson(`${server.query}/api/traces?service=checkout&minDuration=fast`);
    expect(j.status).toBe(400);
    expect(JSON.stringify(j.body.errors)).toContain('minDuration');
    const z = await getJson(`${server.zipkin}/api/v2/traces?limit=-4`);
    expect(z.status).toBe(400);
    expect(String(z.body)).toContain('limit');
    const id = await getJson(`${server.query}/api/traces/not-hex`);
    expect(id.status).toBe(400);
  });
});

describe('admin', () => {
  it('answers health and readiness', async () => {
    expect((await getJson(`${server.admin}/health`)).status).toBe(200);
    expect((await getJson(`${server.admin}/ready`)).body).toEqual({ status: 'ready' });
    expect((await getJson(`${server.zipkin}/health`)).status).toBe(200);
  });
});

describe('browsers', () => {
  it('may post spans from any origin (CORS preflight and header), as with Zipkin', async () => {
    const pre = await fetch(`${server.zipkin}/api/v2/spans`, {
      method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const res = await fetch(`${server.zipkin}/api/v2/services`, { headers: { origin: 'http://app.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});
