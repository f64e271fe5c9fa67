/**
 * `ariadne doctor` against real servers: a healthy all-in-one passes every check; one started with
 * a receiver switched off fails that check, named, with what to do.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

const BIN = new URL('../../bin/ariadne.js', import.meta.url).pathname;
let dir: string;
let healthy: ServerProcess;
let partial: ServerProcess;

beforeAll(async () => {
  dir = await tempDir();
  [healthy, partial] = await Promise.all([
    startServerProcess({ dataDir: `${dir}/a`, args: ['--storage', 'memory'] }),
    startServerProcess({ dataDir: `${dir}/b`, args: ['--storage', 'memory', '--otlp.grpc-port', 'off'] }),
  ]);
});

afterAll(async () => {
  for (const s of [healthy, partial]) expect(await s?.stop()).toBe(0);
  await removeDir(dir);
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Runs the doctor CLI against `server`'s ports; resolves with its exit code and output. */
async function doctor(server: ServerProcess, overrides: Record<string, number> = {}): Promise<{ code: number | null; out: string }> {
  const p = { ...server.ports, ...overrides };
  const child = spawn(process.execPath, [
    BIN, 'doctor', '--target', `http://127.0.0.1:${p.zipkin}`, '--query.port', String(p.query), '--admin.port', String(p.admin),
    '--jaeger.http-port', String(p.jaegerHttp), '--jaeger.grpc-port', String(p.jaegerGrpc), '--jaeger.compact-port', String(p.jaegerCompact), '--jaeger.binary-port', String(p.jaegerBinary),
    '--otlp.grpc-port', String(p.otlpGrpc), '--otlp.http-port', String(p.otlpHttp), '--sampling.port', String(p.sampling),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, out };
}

describe('ariadne doctor', () => {
  it('reports a healthy server as healthy, every receiver read back', async () => {
    const { code, out } = await doctor(healthy);
    expect(out).toContain('Every receiver took a test trace and it was readable through the query API.');
    const lines = out.split('\n').filter((l) => /^(ok|FAIL) /.test(l));
    expect(lines.map((l) => l.split(/\s+/)[1])).toEqual(['admin', 'query', 'zipkin', 'otlp-http', 'otlp-grpc', 'jaeger-http', 'jaeger-grpc', 'jaeger-udp-compact', 'jaeger-udp-binary', 'sampling']);
    expect(lines.every((l) => l.startsWith('ok '))).toBe(true);
    expect(out).toMatch(/ok\s+jaeger-udp-compact\s+UDP :\d+ emitBatch \(compact Thrift\): sent, readable through :\d+ after \d+ ms/);
    expect(code).toBe(0);
  });

  it('names the receiver that does not answer and says what to check, exit 1', async () => {
    const { code, out } = await doctor(partial, { otlpGrpc: await closedPort() });
    const failed = out.split('\n').filter((l) => l.startsWith('FAIL'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/^FAIL otlp-grpc\s+gRPC :\d+ TraceService\/Export: /);
    expect(out).toContain('1 of 10 checks failed:');
    expect(out).toMatch(/- otlp-grpc: nothing answers on port \d+: is the OTLP\/gRPC port exposed/);
    expect(code).toBe(1);
  });
});
