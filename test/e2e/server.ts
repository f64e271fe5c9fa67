/** Starts the real `ariadne` CLI as a child process on loopback with ephemeral ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = new URL('../../bin/ariadne.js', import.meta.url).pathname;

/** A running server process and its ports. */
export interface ServerProcess {
  child: ChildProcess;
  dataDir: string;
  zipkin: string;
  query: string;
  admin: string;
  /** Every bound port by name, as the server logged them (zipkin, query, admin, jaegerHttp, otlpGrpc, ...). */
  ports: Record<string, number>;
  /** Log lines seen so far (JSON objects). */
  logs: Array<Record<string, unknown>>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** A fresh temporary data directory; remove it with removeDir. */
export function tempDir(prefix = 'ariadne-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a directory tree, ignoring a missing one. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Every port flag, set to 0 so parallel tests never collide on the standard ports. */
const EPHEMERAL_PORTS = [
  'zipkin.port', 'query.port', 'admin.port', 'jaeger.http-port', 'jaeger.grpc-port', 'jaeger.compact-port',
  'jaeger.binary-port', 'otlp.grpc-port', 'otlp.http-port', 'sampling.port',
].flatMap((flag) => [`--${flag}`, '0']);

/**
 * Spawns `ariadne all-in-one` and resolves once it logs "ariadne started" with its ports.
 * ARIADNE_SERVER_NODE_ARGS adds Node flags to the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export async function startServerProcess(options: { dataDir: string; args?: string[]; timeoutMs?: number; role?: string }): Promise<ServerProcess> {
  const child = spawn(process.execPath, [
    ...(process.env.ARIADNE_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), BIN, options.role ?? 'all-in-one', '--host', '127.0.0.1', ...EPHEMERAL_PORTS,
    '--data-dir', options.dataDir, '--log.format', 'json', ...(options.args ?? []),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time; stderr: ${stderr}`)), options.timeoutMs ?? 30_000);
    void exited.then((code) => reject(new Error(`server exited with ${code} before starting; stderr: ${stderr}; logs: ${JSON.stringify(logs)}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === 'ariadne started') {
        clearTimeout(timer);
        resolve(entry.ports as Record<string, number>);
      }
    });
  });
  return {
    child,
    dataDir: options.dataDir,
    zipkin: `http://127.0.0.1:${ports.zipkin}`,
    query: `http://127.0.0.1:${ports.query}`,
    admin: `http://127.0.0.1:${ports.admin}`,
    ports,
    logs,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET a URL and parse JSON, returning status and body. */
export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain-text answers (Zipkin errors) stay strings
  }
  return { status: res.status, body };
}
