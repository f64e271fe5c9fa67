/**
 * Auth end to end through the real CLI: bearer tokens (--auth.tokens-file) and basic users, plain
 * and scrypt-hashed (--auth.basic-file), on the query port, the Zipkin port and every receiver
 * (zipkin-js, the OTLP exporters over HTTP and gRPC, jaeger-client's basic auth); admin, health and
 * sampling stay open; a changed tokens file takes effect without a restart; no secret is logged;
 * --auth.scope narrows what is protected; every answer carries the security headers.
 */
import { createRequire } from 'node:module';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { SpanKind as OtelKind } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zipkin from 'zipkin';
import transport from 'zipkin-transport-http';
import { hashPassword } from '../../src/server/auth.js';
import { eventually, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

const { Tracer, BatchRecorder, ExplicitContext, Annotation, jsonEncoder } = zipkin;
const { HttpLogger } = transport;
const { initTracer } = createRequire(import.meta.url)('jaeger-client') as {
  initTracer(config: Record<string, unknown>, options: Record<string, unknown>): {
    startSpan(name: string, options?: Record<string, unknown>): { context(): { traceIdStr: string }; finish(ms?: number): void };
    close(callback?: () => void): void;
  };
};

const TOKEN = 'ingest-token-0123456789abcdef';
const READ_TOKEN = 'reader-token-abcdef0123456789';
const NEW_TOKEN = 'rotated-token-9876543210fedcba';
const ALICE = { user: 'alice', password: 'correct horse battery staple' };
const BOB = { user: 'bob', password: 'b0b-the-builder' };
const SECRETS = [TOKEN, READ_TOKEN, NEW_TOKEN, ALICE.password, BOB.password];
const T0_MS = Date.now() - 60_000;
const CHALLENGE = 'Basic realm="ariadne", charset="UTF-8", Bearer realm="ariadne"';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

let dir: string;
let tokensFile: string;
let server: ServerProcess;

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain-text answers stay strings
  }
  return { status: res.status, headers: res.headers, body };
}

function recordSpans(service: string): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const span = provider.getTracer('auth-e2e').startSpan('work', { kind: OtelKind.SERVER, startTime: T0_MS });
  span.end(T0_MS + 3);
  return memory.getFinishedSpans();
}

async function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ code: number; error?: { code?: number } }> {
  const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  return result as { code: number; error?: { code?: number } };
}

function metadata(entries: Record<string, string>): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) m.add(k, v);
  return m;
}

/** The services the query port lists (with the read token). */
async function services(): Promise<string[]> {
  return (await get(`${server.query}/api/services`, bearer(READ_TOKEN))).body.data;
}

async function until(service: string): Promise<void> {
  await eventually(async () => ((await services()).includes(service) ? true : undefined), 10_000);
}

beforeAll(async () => {
  dir = await tempDir();
  tokensFile = join(dir, 'tokens');
  const usersFile = join(dir, 'users');
  await writeFile(tokensFile, `# collectors\n${TOKEN}\n# the read-only dashboard\n${READ_TOKEN}\n`);
  await writeFile(usersFile, `${ALICE.user}:${ALICE.password}\n${BOB.user}:${await hashPassword(BOB.password)}\n`);
  server = await startServerProcess({
    dataDir: join(dir, 'data'), args: ['--storage', 'memory', '--auth.tokens-file', tokensFile, '--auth.basic-file', usersFile],
  });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dir);
});

describe('the query port', () => {
  const cases: Array<[string, string, Record<string, string>, number]> = [
    ['no credentials', '/api/services', {}, 401],
    ['a wrong token', '/api/services', bearer('not-the-token-0000000000'), 401],
    ['the right token', '/api/services', bearer(READ_TOKEN), 200],
    ['basic, plain password', '/api/services', basic(ALICE.user, ALICE.password), 200],
    ['basic, wrong password', '/api/services', basic(ALICE.user, 'correct horse'), 401],
    ['basic, scrypt-hashed password', '/api/v3/services', basic(BOB.user, BOB.password), 200],
    ['basic, unknown user', '/api/v3/services', basic('mallory', BOB.password), 401],
    ['another scheme', '/api/services', { authorization: 'Digest username="alice"' }, 401],
    ['the UI without credentials', '/search', {}, 401],
    ['the UI with basic credentials, as a browser sends them after its prompt', '/search', basic(ALICE.user, ALICE.password), 200],
  ];
  it.each(cases)('%s → %i', async (_name, path, headers, status) => {
    const res = await get(`${server.query}${path}`, headers);
    expect(res.status).toBe(status);
    // A 401 names both schemes, Basic first so a browser prompts.
    expect(res.headers.get('www-authenticate')).toBe(status === 401 ? CHALLENGE : null);
  });

  it('says why a request was refused', async () => {
    expect((await get(`${server.query}/api/services`)).body).toEqual({ error: 'credentials required: send an Authorization header (Bearer token or Basic)' });
    expect((await get(`${server.query}/api/services`, bearer('not-the-token-0000000000'))).body).toEqual({ error: 'invalid credentials' });
  });
});

describe('the Zipkin port', () => {
  it('protects its read API, answering as Zipkin does in plain text', async () => {
    const refused = await get(`${server.zipkin}/api/v2/services`);
    expect([refused.status, refused.body, refused.headers.get('www-authenticate')]).toEqual([
      401, 'credentials required: send an Authorization header (Bearer token or Basic)\n', CHALLENGE,
    ]);
    expect((await get(`${server.zipkin}/api/v2/services`, bearer(READ_TOKEN))).status).toBe(200);
    expect((await get(`${server.zipkin}/zipkin/api/v2/services`, basic(ALICE.user, ALICE.password))).status).toBe(200);
  });

  it('leaves /health and the way to the UI open', async () => {
    expect((await get(`${server.zipkin}/health`)).status).toBe(200);
    expect((await get(`${server.zipkin}/zipkin/`)).status).toBe(302);
  });
});

describe('receivers', () => {
  it('zipkin-js with a bearer token in its headers; a POST without one is refused', async () => {
    const refused = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(refused.status).toBe(401);
    const logger = new HttpLogger({ endpoint: `${server.zipkin}/api/v2/spans`, jsonEncoder: jsonEncoder.JSON_V2, httpInterval: 60_000, headers: bearer(TOKEN) });
    const tracer = new Tracer({ ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger }), localServiceName: 'zipkin-js-svc' });
    tracer.letId(tracer.createRootId(), () => {
      tracer.recordServiceName('zipkin-js-svc');
      tracer.recordRpc('get /');
      tracer.recordAnnotation(new Annotation.ServerRecv(), T0_MS * 1000);
      tracer.recordAnnotation(new Annotation.ServerSend(), T0_MS * 1000 + 500);
    });
    await (logger as unknown as { processQueue(f: typeof fetch): Promise<void> }).processQueue(fetch);
    await until('zipkin-js-svc');
  });

  it('OTLP over HTTP: headers option', async () => {
    const url = `http://127.0.0.1:${server.ports.otlpHttp}/v1/traces`;
    expect((await exportSpans(new HttpProtoExporter({ url }), recordSpans('otlp-none'))).error?.code).toBe(401);
    expect((await exportSpans(new HttpProtoExporter({ url, headers: bearer(TOKEN) }), recordSpans('otlp-http-svc'))).code).toBe(0);
    await until('otlp-http-svc');
  });

  it('OTLP over gRPC: the authorization metadata', async () => {
    const url = `http://127.0.0.1:${server.ports.otlpGrpc}`;
    const none = await exportSpans(new GrpcExporter({ url }), recordSpans('otlp-none'));
    expect([none.code, none.error?.code]).toEqual([1, grpc.status.UNAUTHENTICATED]);
    const wrong = await exportSpans(new GrpcExporter({ url, metadata: metadata(bearer('not-the-token-0000000000')) }), recordSpans('otlp-none'));
    expect([wrong.code, wrong.error?.code]).toEqual([1, grpc.status.UNAUTHENTICATED]);
    expect((await exportSpans(new GrpcExporter({ url, metadata: metadata(bearer(TOKEN)) }), recordSpans('otlp-grpc-svc'))).code).toBe(0);
    await until('otlp-grpc-svc');
  });

  it('jaeger-client\'s HTTP sender with its username and password (basic auth)', async () => {
    const send = async (service: string, password: string) => {
      const tracer = initTracer({
        serviceName: service, sampler: { type: 'const', param: 1 },
        reporter: { collectorEndpoint: `http://127.0.0.1:${server.ports.jaegerHttp}/api/traces`, username: ALICE.user, password, flushIntervalMs: 20 },
      }, { logger: { info() {}, error() {} } });
      tracer.startSpan('checkout', { startTime: T0_MS }).finish(T0_MS + 2);
      await new Promise<void>((resolve) => tracer.close(resolve));
    };
    await send('jaeger-wrong-password', 'nope');
    await send('jaeger-http-svc', ALICE.password);
    await until('jaeger-http-svc');
    expect(await services()).not.toContain('jaeger-wrong-password');
  });

  it('the Jaeger UDP ports are not opened: they cannot carry credentials', () => {
    expect([server.ports.jaegerCompact, server.ports.jaegerBinary]).toEqual([undefined, undefined]);
  });

  it('sampling strategies and the admin port stay open', async () => {
    expect((await get(`http://127.0.0.1:${server.ports.jaegerHttp}/api/sampling?service=a`)).status).toBe(200);
    expect((await get(`http://127.0.0.1:${server.ports.sampling}/sampling?service=a`)).status).toBe(200);
    for (const path of ['/health', '/ready', '/metrics']) expect([path, (await get(`${server.admin}${path}`)).status]).toEqual([path, 200]);
  });
});

describe('the tokens file', () => {
  it('is reloaded when it changes: a new token works, a removed one stops working', async () => {
    await writeFile(tokensFile, `${NEW_TOKEN}\n${READ_TOKEN}\n`);
    await eventually(async () => ((await get(`${server.query}/api/services`, bearer(NEW_TOKEN))).status === 200 ? true : undefined), 10_000);
    expect((await get(`${server.query}/api/services`, bearer(TOKEN))).status).toBe(401);
  });

  it('no secret reaches the logs', () => {
    const logs = JSON.stringify(server.logs);
    expect(logs).toContain('auth credentials reloaded');
    expect(SECRETS.filter((secret) => logs.includes(secret))).toEqual([]);
  });
});

describe('security headers', () => {
  it.each([
    ['an API answer', '/api/services', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
    ['a refusal', '/api/traces/1', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
    ['a UI page', '/search', undefined],
  ])('on %s', async (name, path, policy) => {
    const res = await get(`${server.query}${path}`, name === 'a refusal' ? {} : basic(ALICE.user, ALICE.password));
    expect({
      nosniff: res.headers.get('x-content-type-options'), referrer: res.headers.get('referrer-policy'),
      frame: res.headers.get('x-frame-options'), opener: res.headers.get('cross-origin-opener-policy'),
    }).toEqual({ nosniff: 'nosniff', referrer: 'no-referrer', frame: 'DENY', opener: 'same-origin' });
    const csp = res.headers.get('content-security-policy')!;
    if (policy !== undefined) expect(csp).toBe(policy);
    else expect([csp.includes("script-src 'self'"), csp.includes("frame-ancestors 'none'"), /unsafe-(inline|eval)/.test(csp)]).toEqual([true, true, false]);
  });

  it('the built UI has no inline script and no eval', async () => {
    const dist = new URL('../../ui/dist/', import.meta.url).pathname;
    const html = await readFile(join(dist, 'index.html'), 'utf8');
    expect([...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => [/\bsrc=/.test(m[0]), m[1]!.trim()])).toEqual([[true, '']]);
    const scripts = (await readdir(join(dist, 'assets'))).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const file of scripts) {
      const code = await readFile(join(dist, 'assets', file), 'utf8');
      expect([file, /\beval\(|new Function\(/.test(code)]).toEqual([file, false]);
    }
  });
});

describe('--auth.scope', () => {
  const start = (scope: string) => startServerProcess({
    dataDir: join(dir, `data-${scope}`), args: ['--storage', 'memory', '--auth.tokens-file', tokensFile, '--auth.scope', scope],
  });
  const post = (s: ServerProcess, headers: Record<string, string> = {}) => fetch(`${s.zipkin}/api/v2/spans`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify([{ traceId: '00000000000000a5', id: '00000000000000a5', name: 'op', timestamp: T0_MS * 1000, duration: 3, localEndpoint: { serviceName: 'scoped' } }]),
  });

  it('query: ingest is free, reads need credentials, and the UDP ports stay open', async () => {
    const s = await start('query');
    try {
      expect((await post(s)).status).toBe(202);
      expect((await get(`${s.query}/api/services`)).status).toBe(401);
      expect((await get(`${s.query}/api/services`, bearer(READ_TOKEN))).body.data).toEqual(['scoped']);
      expect(typeof s.ports.jaegerCompact).toBe('number');
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('ingest: reads are free, ingest needs credentials', async () => {
    const s = await start('ingest');
    try {
      expect((await post(s)).status).toBe(401);
      expect((await post(s, bearer(READ_TOKEN))).status).toBe(202);
      expect((await get(`${s.query}/api/services`)).body.data).toEqual(['scoped']);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});

describe('startup', () => {
  it('refuses an auth file it cannot read, naming the flag', async () => {
    await expect(startServerProcess({ dataDir: join(dir, 'data-bad'), args: ['--storage', 'memory', '--auth.basic-file', join(dir, 'missing')] }))
      .rejects.toThrow(`--auth.basic-file ${join(dir, 'missing')}: cannot read it (ENOENT)`);
  });
});
