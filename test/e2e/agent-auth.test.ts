/**
 * The agent and the doctor against a server with multi-tenancy and auth on (real CLI processes):
 * agents given a tenant and a token (HTTP) or a tenant and basic auth in the collector URL (gRPC)
 * forward UDP batches that read back under their tenant only; agents without them see every batch
 * refused and count it as dropped. The doctor passes with --doctor.* flags (UDP skipped, with the
 * reason) and, without them, fails each refused check with a fix naming those flags.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEmitBatch } from '../../src/receivers/thrift/fixtures.js';
import { eventually, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

const { initTracer } = createRequire(import.meta.url)('jaeger-client') as {
  initTracer(config: Record<string, unknown>, options: Record<string, unknown>): {
    startSpan(name: string, options?: Record<string, unknown>): { context(): { traceIdStr: string; spanIdStr: string }; finish(ms?: number): void };
    close(callback?: () => void): void;
  };
};

const BIN = new URL('../../bin/ariadne.js', import.meta.url).pathname;
/** Pinned to team-a in the server's tokens file. */
const TOKEN_A = '3f9c1d0e6b2a47c5a8e1b7d4c2f09e6a';
/** Unpinned: acts for the tenant a request names (used here to read). */
const TOKEN_ANY = 'b8d2e4f6a1c3e5f7d9b1a3c5e7f9d1b3';
const BASIC = { user: 'agent', password: 'fwd:pass' };
const T0_MS = Date.now() - 60_000;

let dir: string;
let server: ServerProcess;
let httpAgent: ServerProcess;
let grpcAgent: ServerProcess;
let bareHttpAgent: ServerProcess;
let bareGrpcAgent: ServerProcess;
const files = { tokenA: '', tokenAny: '', basic: '' };

beforeAll(async () => {
  dir = await tempDir();
  const tokens = join(dir, 'tokens');
  const users = join(dir, 'users');
  files.tokenA = join(dir, 'agent-token');
  files.tokenAny = join(dir, 'any-token');
  files.basic = join(dir, 'doctor-basic');
  await Promise.all([
    writeFile(tokens, `${TOKEN_A} team-a\n${TOKEN_ANY}\n`),
    writeFile(users, `${BASIC.user}:${BASIC.password}\n`),
    writeFile(files.tokenA, `\n${TOKEN_A}\n`),
    writeFile(files.tokenAny, `${TOKEN_ANY}\n`),
    writeFile(files.basic, `${BASIC.user}:${BASIC.password}\n`),
  ]);
  server = await startServerProcess({
    dataDir: join(dir, 'data'),
    args: ['--storage', 'memory', '--multi-tenancy.enabled', '--multi-tenancy.tenants', 'team-a,team-b', '--auth.tokens-file', tokens, '--auth.basic-file', users],
  });
  const http = `http://127.0.0.1:${server.ports.jaegerHttp}`;
  const grpc = `grpc://127.0.0.1:${server.ports.jaegerGrpc}`;
  const agent = (args: string[]) => startServerProcess({ role: 'agent', dataDir: join(dir, 'unused'), args: ['--agent.sampling-url', http, ...args] });
  [httpAgent, grpcAgent, bareHttpAgent, bareGrpcAgent] = await Promise.all([
    agent(['--agent.collector', http, '--agent.collector.tenant', 'team-a', '--agent.collector.token-file', files.tokenA]),
    agent(['--agent.collector', `grpc://${BASIC.user}:${encodeURIComponent(BASIC.password)}@127.0.0.1:${server.ports.jaegerGrpc}`, '--agent.collector.tenant', 'team-b']),
    agent(['--agent.collector', http]),
    agent(['--agent.collector', grpc]),
  ]);
});

afterAll(async () => {
  for (const p of [httpAgent, grpcAgent, bareHttpAgent, bareGrpcAgent, server]) expect(await p?.stop()).toBe(0);
  await removeDir(dir);
});

/** A compact-Thrift emitBatch datagram with one span. */
function compactDatagram(service: string, traceIdLow: number): Buffer {
  return encodeEmitBatch({
    process: { serviceName: service },
    spans: [{ traceIdLow, traceIdHigh: 0, spanId: 0x77, parentSpanId: 0, operationName: 'udp-op', flags: 1, startTime: T0_MS * 1000, duration: 1500 }],
  }, 'compact');
}

async function sendUdp(port: number, datagram: Buffer): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  socket.close();
}

/** GET on the query port as `tenant`, with the unpinned token. */
async function read(path: string, tenant: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.query}${path}`, { headers: { 'x-tenant': tenant, authorization: `Bearer ${TOKEN_ANY}` } });
  return { status: res.status, body: await res.json() };
}

/** One counter line of a process's /metrics, as a number (0 when absent). */
async function metric(p: ServerProcess, line: string): Promise<number> {
  const text = await (await fetch(`${p.admin}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

describe('ariadne agent → a collector with multi-tenancy and auth', () => {
  it('HTTP with --agent.collector.tenant and --agent.collector.token-file: jaeger-client over UDP 6832 lands in team-a only', async () => {
    const tracer = initTracer(
      { serviceName: 'agent-http-a', sampler: { type: 'const', param: 1 }, reporter: { agentHost: '127.0.0.1', agentPort: httpAgent.ports.jaegerBinary, flushIntervalMs: 20 } },
      { logger: { info() {}, error() {} } },
    );
    const root = tracer.startSpan('GET /a', { startTime: T0_MS });
    const child = tracer.startSpan('SELECT a', { childOf: root, startTime: T0_MS + 1 });
    child.finish(T0_MS + 3);
    root.finish(T0_MS + 5);
    await new Promise<void>((resolve) => tracer.close(resolve));
    const traceId = root.context().traceIdStr;
    const trace = await eventually(async () => {
      const res = await read(`/api/traces/${traceId}`, 'team-a');
      return res.status === 200 && res.body.data[0].spans.length === 2 ? res.body.data[0] : undefined;
    }, 10_000);
    expect(trace.spans.map((s: any) => s.operationName).sort()).toEqual(['GET /a', 'SELECT a']);
    expect(Object.values(trace.processes).map((p: any) => p.serviceName)).toEqual(['agent-http-a']);
    expect((await read(`/api/traces/${traceId}`, 'team-b')).status).toBe(404);
    expect((await read('/api/services', 'team-a')).body.data).toContain('agent-http-a');
    expect((await read('/api/services', 'team-b')).body.data).not.toContain('agent-http-a');
    expect(await metric(httpAgent, 'ariadne_agent_forwarded_spans_total')).toBe(2);
  });

  it('gRPC with --agent.collector.tenant and user:password in the URL: a compact datagram on 6831 lands in team-b only', async () => {
    await sendUdp(grpcAgent.ports.jaegerCompact!, compactDatagram('agent-grpc-b', 0xb0b));
    const trace = await eventually(async () => {
      const res = await read('/api/traces/0000000000000b0b', 'team-b');
      return res.status === 200 ? res.body.data[0] : undefined;
    }, 10_000);
    expect(trace.spans.map((s: any) => [s.operationName, s.duration])).toEqual([['udp-op', 1500]]);
    expect(trace.processes[trace.spans[0].processID].serviceName).toBe('agent-grpc-b');
    expect((await read('/api/traces/0000000000000b0b', 'team-a')).status).toBe(404);
    expect(await metric(grpcAgent, 'ariadne_agent_forwarded_spans_total')).toBe(1);
  });

  it.each([
    ['HTTP', () => bareHttpAgent, 0xbad1],
    ['gRPC', () => bareGrpcAgent, 0xbad2],
  ])('%s without the flags: every batch is refused, dropped as rejected and logged with the flags to set', async (_name, agent, low) => {
    await sendUdp(agent().ports.jaegerCompact!, compactDatagram('bare', low));
    await eventually(async () => ((await metric(agent(), 'ariadne_agent_dropped_batches_total{reason="rejected"}')) === 1 ? true : undefined), 10_000);
    expect(await metric(agent(), 'ariadne_agent_dropped_spans_total{reason="rejected"}')).toBe(1);
    expect(await metric(agent(), 'ariadne_agent_forwarded_spans_total')).toBe(0);
    expect((await read(`/api/traces/${low.toString(16).padStart(16, '0')}`, 'team-a')).status).toBe(404);
  });

  it('logs why a batch was refused and which flags fix it, and never a credential', async () => {
    for (const [agent, pattern] of [[bareHttpAgent, /\/api\/traces: 401 credentials required: send an Authorization header/], [bareGrpcAgent, /: UNAUTHENTICATED credentials required: send an Authorization header/]] as const) {
      const refused = agent.logs.find((l) => l.msg === 'collector refused a batch');
      expect(refused?.err).toMatch(pattern);
      expect(refused?.err).toContain('set --agent.collector.tenant, --agent.collector.token-file, or user:password@ in --agent.collector');
    }
    const started = (p: ServerProcess) => p.logs.find((l) => l.msg === 'forwarding to the collector');
    expect(started(httpAgent)).toMatchObject({ collector: `http://127.0.0.1:${server.ports.jaegerHttp}/api/traces`, sends: `tenant team-a (x-tenant), bearer token from ${files.tokenA}` });
    expect(started(grpcAgent)).toMatchObject({ collector: `grpc://127.0.0.1:${server.ports.jaegerGrpc} (PostSpans)`, sends: 'tenant team-b (x-tenant), basic auth as agent' });
    const everything = JSON.stringify([httpAgent.logs, grpcAgent.logs, bareHttpAgent.logs, bareGrpcAgent.logs]);
    for (const secret of [TOKEN_A, BASIC.password, encodeURIComponent(BASIC.password)]) expect(everything).not.toContain(secret);
  });

  it('still answers sampling on the agent by asking the collector with the same tenant and credentials', async () => {
    const res = await fetch(`http://127.0.0.1:${httpAgent.ports.sampling}/sampling?service=agent-http-a`);
    expect(res.status).toBe(200);
    expect((await res.json()).strategyType).toBe('PROBABILISTIC');
  });
});

/** A port nothing listens on (the server keeps its UDP ports closed: they need a stand-in). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs the doctor CLI against the server with extra flags; resolves with its exit code and the report's check lines by name. */
async function doctor(extra: string[]): Promise<{ code: number | null; out: string; lines: Record<string, string> }> {
  const p = server.ports;
  const udp = String(await closedPort());
  const child = spawn(process.execPath, [
    BIN, 'doctor', '--target', `http://127.0.0.1:${p.zipkin}`, '--query.port', String(p.query), '--admin.port', String(p.admin),
    '--jaeger.http-port', String(p.jaegerHttp), '--jaeger.grpc-port', String(p.jaegerGrpc), '--jaeger.compact-port', udp, '--jaeger.binary-port', udp,
    '--otlp.grpc-port', String(p.otlpGrpc), '--otlp.http-port', String(p.otlpHttp), '--sampling.port', String(p.sampling), ...extra,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const lines: Record<string, string> = {};
  for (const l of out.split('\n')) {
    const m = /^(ok  |FAIL|skip) (\S+)/.exec(l);
    if (m) lines[m[2]!] = l;
  }
  return { code, out, lines };
}

const INGEST_CHECKS = ['zipkin', 'otlp-http', 'otlp-grpc', 'jaeger-http', 'jaeger-grpc'];
const UDP_CHECKS = ['jaeger-udp-compact', 'jaeger-udp-binary'];

describe('ariadne doctor → a server with multi-tenancy and auth', () => {
  it.each([
    ['--doctor.tenant and --doctor.token-file', ['--doctor.tenant', 'team-a', '--doctor.token-file', () => files.tokenA], 'team-a'],
    ['--doctor.tenant and --doctor.basic-file', ['--doctor.tenant', 'team-b', '--doctor.basic-file', () => files.basic], 'team-b'],
  ])('passes with %s; the UDP checks are skipped and say why', async (_name, args, tenant) => {
    const { code, out, lines } = await doctor(args.map((a) => (typeof a === 'function' ? a() : a)));
    expect(Object.keys(lines)).toEqual(['admin', 'query', ...INGEST_CHECKS, ...UDP_CHECKS, 'sampling']);
    for (const name of ['admin', 'query', ...INGEST_CHECKS, 'sampling']) expect(lines[name]).toMatch(/^ok {3}/);
    expect(lines.query).toMatch(new RegExp(`services known to tenant ${tenant}`));
    expect(lines['jaeger-grpc']).toMatch(/answered OK, readable through :\d+ after \d+ ms/);
    for (const name of UDP_CHECKS) {
      expect(lines[name]).toMatch(/^skip /);
      expect(lines[name]).toContain('not sent: the server keeps UDP');
      expect(lines[name]).toContain(`closed, as it does with --multi-tenancy.enabled or auth on ingest, because a datagram carries no tenant and no credentials; to get UDP spans into tenant ${tenant}, run \`ariadne agent --agent.collector.tenant ${tenant}\``);
    }
    expect(out).toContain('Every receiver checked took a test trace and it was readable through the query API; 2 skipped (see above).');
    expect(code).toBe(0);
    const services = await read('/api/services', tenant);
    expect(services.body.data).toContain('ariadne-doctor');
  });

  it('without the flags fails each refused check at once, with a fix naming --doctor.tenant and --doctor.token-file', async () => {
    const started = Date.now();
    const { code, out, lines } = await doctor([]);
    expect(lines.admin).toMatch(/^ok {3}/);
    expect(lines.sampling).toMatch(/^ok {3}/);
    expect(lines.query).toMatch(/^FAIL query\s+GET :\d+\/api\/services: answered 401: /);
    expect(lines.zipkin).toMatch(/^FAIL zipkin\s+POST :\d+\/api\/v2\/spans \(JSON\): answered 401: /);
    expect(lines['otlp-grpc']).toMatch(/^FAIL otlp-grpc\s+gRPC :\d+ TraceService\/Export: gRPC UNAUTHENTICATED: /);
    for (const name of UDP_CHECKS) expect(lines[name]).toMatch(/: sent, but reading it back through :\d+ answered 401: /);
    expect(out).toContain('8 of 10 checks failed:');
    const fixes = out.split('\n').filter((l) => l.startsWith('- '));
    expect(fixes).toHaveLength(8);
    for (const fix of fixes) {
      expect(fix).toMatch(/^- \S+: the server wants a tenant or credentials \(multi-tenancy or auth is on\): run the doctor with --doctor\.tenant <tenant> \(sent in the --multi-tenancy\.header header, default x-tenant\) and --doctor\.token-file <file> or --doctor\.basic-file <file>$/);
    }
    expect(code).toBe(1);
    // Refusals are final: nothing waits for the read-back deadline.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('with a tenant the server does not know, says what was sent (never the token) and what to compare it with', async () => {
    const { code, out, lines } = await doctor(['--doctor.tenant', 'team-c', '--doctor.token-file', files.tokenAny]);
    expect(lines.zipkin).toMatch(/answered 401: unknown tenant "team-c" in x-tenant/);
    expect(out).toContain(`- zipkin: the server refused what the doctor sent (tenant team-c (x-tenant), bearer token from ${files.tokenAny}): check the tenant against the server's --multi-tenancy.tenants`);
    expect(out).not.toContain(TOKEN_ANY);
    expect(code).toBe(1);
  });

  it('stops with exit 2 naming the flag when the token file cannot be read', async () => {
    const { code, out } = await doctor(['--doctor.token-file', join(dir, 'absent')]);
    expect(out).toContain(`ariadne doctor: --doctor.token-file ${join(dir, 'absent')}: cannot read it (ENOENT)`);
    expect(code).toBe(2);
  });
});
