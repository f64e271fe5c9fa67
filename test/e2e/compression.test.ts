/** Query answers are compressed when the client asks for it, as Grafana and browsers do. */
import { request } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = await tempDir();
  server = await startServerProcess({ dataDir, args: ['--storage', 'memory'] });
  const now = Date.now() * 1000;
  const spans = Array.from({ length: 50 }, (_, i) => ({
    traceId: 'a1b2c3d4e5f60718', id: (i + 1).toString(16).padStart(16, '0'), name: `op-${i}`,
    timestamp: now + i, duration: 10, localEndpoint: { serviceName: 'svc' }, tags: { 'http.url': `/items/${i}` },
  }));
  const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spans) });
  expect(res.status).toBe(202);
  await eventually(async () => ((await getJson(`${server.query}/api/traces/a1b2c3d4e5f60718`)).status === 200 ? true : undefined));
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dataDir);
});

/** GET with an Accept-Encoding, returning the raw (still encoded) bytes and the headers. */
function rawGet(url: string, acceptEncoding: string | undefined): Promise<{ status: number; encoding?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('response compression', () => {
  const routes = [
    ['Jaeger trace', () => `${server.query}/api/traces/a1b2c3d4e5f60718`],
    ['Jaeger v3 trace', () => `${server.query}/api/v3/traces/0000000000000000a1b2c3d4e5f60718`],
    ['Zipkin trace', () => `${server.zipkin}/api/v2/trace/a1b2c3d4e5f60718`],
  ] as const;

  it.each(routes)('%s: gzip when accepted, the same JSON as uncompressed', async (_name, url) => {
    const plain = await rawGet(url(), undefined);
    expect(plain.status).toBe(200);
    expect(plain.encoding).toBeUndefined();
    const gz = await rawGet(url(), 'gzip, deflate, br');
    expect(gz.status).toBe(200);
    expect(gz.encoding).toBe('gzip');
    expect(gz.body.length).toBeLessThan(plain.body.length / 3);
    expect(JSON.parse(gunzipSync(gz.body).toString())).toEqual(JSON.parse(plain.body.toString()));
    const deflated = await rawGet(url(), 'deflate');
    expect(deflated.encoding).toBe('deflate');
    expect(JSON.parse(inflateSync(deflated.body).toString())).toEqual(JSON.parse(plain.body.toString()));
  });

  it('leaves small answers uncompressed', async () => {
    const small = await rawGet(`${server.query}/api/services`, 'gzip');
    expect(small.status).toBe(200);
    expect(small.encoding).toBeUndefined();
    expect(JSON.parse(small.body.toString()).data).toEqual(['svc']);
  });

  it('still takes gzip request bodies through the receiver, decoded once', async () => {
    const { gzipSync } = await import('node:zlib');
    const body = gzipSync(JSON.stringify([{ traceId: 'b1b2c3d4e5f60718', id: '0000000000000001', name: 'gz', timestamp: Date.now() * 1000, duration: 5, localEndpoint: { serviceName: 'gz-svc' } }]));
    const res = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body });
    expect(res.status).toBe(202);
  });
});
