/**
 * `ariadne doctor`: sends a test trace through every receiver of a running Ariadne, reads each back
 * through the query API, and says what works and what to fix — the first thing to run when "no
 * traces show up". Pure client: it only talks to the server's ports.
 */
import { createSocket } from 'node:dgram';
import * as grpc from '@grpc/grpc-js';
import { createCredentials, readBasicFile, type CredentialFlags, type Credentials } from '../agent/index.js';
import type { Config } from '../server/config.js';
import {
  DOCTOR_SERVICE, jaegerAgentBinary, jaegerAgentCompact, jaegerProto, jaegerThriftBatch, otlpJson, otlpProto, probeSpan, zipkinJson, type ProbeSpan,
} from './probes.js';

/** Where the server's ports are: a host and the same port settings the server takes. */
export type DoctorTarget = { host: string } & Pick<Config,
  'zipkinPort' | 'queryPort' | 'adminPort' | 'jaegerHttpPort' | 'jaegerGrpcPort' | 'jaegerCompactPort' | 'jaegerBinaryPort'
  | 'otlpGrpcPort' | 'otlpHttpPort' | 'samplingPort'>;

/** The outcome of one check. */
export interface CheckResult {
  name: string;
  /** What was exercised, e.g. "POST :9411/api/v2/spans". */
  path: string;
  /** False only when something needs fixing; a skipped check is ok. */
  ok: boolean;
  /** The check could not apply to this server (detail says why); nothing was sent. */
  skipped?: true;
  /** What happened (timing, status), or what went wrong. */
  detail: string;
  /** What to do when it failed. */
  fix?: string;
}

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  target: DoctorTarget;
  /** Per request; default 5000 ms. */
  timeoutMs?: number;
  /** How long a sent trace may take to become readable; default 5000 ms. */
  readBackMs?: number;
  /** Tenant and credentials sent on every request (see createDoctorCredentials); default none. */
  credentials?: Credentials;
}

/** Flags the doctor's credential errors and fixes name. */
export const DOCTOR_CREDENTIAL_FLAGS: CredentialFlags = { tenant: '--doctor.tenant', tokenFile: '--doctor.token-file', basic: '--doctor.basic-file' };

/** Options of {@link createDoctorCredentials}: the --doctor.* flags and the server's tenancy header. */
export interface DoctorCredentialsOptions {
  tenant?: string;
  tenantHeader?: string;
  tokenFile?: string;
  basicFile?: string;
}

/** What the doctor sends; throws INVALID_ARGUMENT naming the flag when a file is unreadable or both kinds of credentials are given. */
export function createDoctorCredentials(options: DoctorCredentialsOptions): Credentials {
  const basic = options.basicFile ? readBasicFile(options.basicFile, DOCTOR_CREDENTIAL_FLAGS.basic) : undefined;
  return createCredentials({
    ...(options.tenant ? { tenant: options.tenant } : {}), ...(options.tenantHeader ? { tenantHeader: options.tenantHeader } : {}),
    ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}), ...(basic ? { basic } : {}), flags: DOCTOR_CREDENTIAL_FLAGS,
  });
}

const NO_CREDENTIALS = createCredentials({ flags: DOCTOR_CREDENTIAL_FLAGS });

class CheckError extends Error {
  constructor(message: string, readonly fix?: string) {
    super(message);
  }
}

/** What to do about a 401/403: name the flags, or, when they were given, what to compare them with. */
function refusedFix(credentials: Credentials): string {
  if (credentials.none) {
    return 'the server wants a tenant or credentials (multi-tenancy or auth is on): run the doctor with --doctor.tenant <tenant> '
      + '(sent in the --multi-tenancy.header header, default x-tenant) and --doctor.token-file <file> or --doctor.basic-file <file>';
  }
  return `the server refused what the doctor sent (${credentials.description}): check the tenant against the server's --multi-tenancy.tenants, `
    + `the credentials against its --auth.tokens-file / --auth.basic-file, and that the doctor's --multi-tenancy.header matches the server's`;
}

/** A 401/403 or UNAUTHENTICATED/PERMISSION_DENIED: waiting longer cannot help. */
class RefusedError extends CheckError {}

function unreachable(port: number, what: string): string {
  return `nothing answers on port ${port}: is ${what} exposed (Kubernetes Service port, kubectl port-forward, firewall) and is the port flag the same on both sides?`;
}

async function post(url: string, type: string, body: string | Buffer, port: number, what: string, timeoutMs: number, credentials: Credentials): Promise<Response> {
  try {
    return await fetch(url, { method: 'POST', headers: { ...credentials.headers(), 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new CheckError(`${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`, unreachable(port, what));
  }
}

async function expectStatus(res: Response, ok: number[], credentials: Credentials): Promise<string> {
  const text = (await res.text()).trim().slice(0, 300);
  if (res.status === 401 || res.status === 403) throw new RefusedError(`answered ${res.status}: ${text}`, refusedFix(credentials));
  if (!ok.includes(res.status)) throw new CheckError(`answered ${res.status}: ${text}`, 'the server refused the test trace; the message above says why (see also GET :16686/api/ariadne/ingest)');
  return `answered ${res.status}`;
}

function grpcCall(host: string, port: number, path: string, body: Buffer, timeoutMs: number, what: string, credentials: Credentials): Promise<void> {
  const client = new grpc.Client(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.credentials.createInsecure());
  const pass = (b: Buffer) => b;
  return new Promise<void>((resolve, reject) => {
    client.makeUnaryRequest(path, pass, pass, body, credentials.metadata(), { deadline: Date.now() + timeoutMs }, (err) => {
      client.close();
      if (!err) resolve();
      else if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) reject(new CheckError(err.details || err.message, unreachable(port, what)));
      else if (err.code === grpc.status.UNAUTHENTICATED || err.code === grpc.status.PERMISSION_DENIED) reject(new RefusedError(`gRPC ${grpc.status[err.code]}: ${err.details}`, refusedFix(credentials)));
      else reject(new CheckError(`gRPC ${grpc.status[err.code]}: ${err.details}`, 'the server refused the test trace; the message above says why'));
    });
  });
}

async function sendUdp(host: string, port: number, datagram: Buffer): Promise<void> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => socket.send(datagram, port, host, (err) => (err ? reject(new CheckError(err.message)) : resolve())));
  } finally {
    socket.close();
  }
}

/** Polls the Jaeger API until the probe's trace is readable. */
async function readBack(t: DoctorTarget, probe: ProbeSpan, timeouts: { readBackMs: number; requestMs: number }, credentials: Credentials): Promise<number> {
  const started = Date.now();
  const timeoutMs = timeouts.readBackMs;
  const url = `http://${hostPart(t.host)}:${t.queryPort}/api/traces/${probe.traceId.slice(16)}`;
  for (;;) {
    try {
      const res = await fetch(url, { headers: credentials.headers(), signal: AbortSignal.timeout(timeouts.requestMs) });
      if (res.status === 401 || res.status === 403) {
        const text = (await res.text()).trim().slice(0, 300);
        throw new RefusedError(`sent, but reading it back through :${t.queryPort} answered ${res.status}: ${text}`, refusedFix(credentials));
      }
      if (res.status === 200) {
        const body = (await res.json()) as { data?: Array<{ spans?: Array<{ spanID: string }> }> };
        if (body.data?.[0]?.spans?.some((s) => s.spanID === probe.spanId)) return Date.now() - started;
      }
    } catch (err) {
      if (err instanceof RefusedError) throw err;
      // anything else is retried below until the deadline
    }
    if (Date.now() - started > timeoutMs) {
      throw new CheckError(`accepted, but trace ${probe.traceId.slice(16)} was not readable through :${t.queryPort} within ${timeoutMs} ms`,
        'the receiver and the query port may belong to different processes or stores, or the store is not flushing: check :14269/metrics (ariadne_store_buffered_spans) and the server log');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Names of the receivers the server says it listens on (`GET /api/ariadne/ingest`), or undefined when it cannot tell. */
async function listenerNames(url: string, timeoutMs: number, credentials: Credentials): Promise<Set<string> | undefined> {
  try {
    const res = await fetch(url, { headers: credentials.headers(), signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) return undefined;
    const body = (await res.json()) as { data?: { listeners?: Array<{ name?: unknown }> } };
    const listeners = body.data?.listeners;
    return Array.isArray(listeners) ? new Set(listeners.map((l) => String(l.name))) : undefined;
  } catch {
    return undefined;
  }
}

/** Why UDP was not tried with a tenant or credentials set, and how UDP spans can reach that tenant. */
function udpClosedDetail(port: number, credentials: Credentials): string {
  const via = credentials.tenant !== undefined
    ? `run \`ariadne agent --agent.collector.tenant ${credentials.tenant}\` beside the application (it forwards UDP batches with the tenant and credentials) or send over HTTP/gRPC`
    : 'run `ariadne agent --agent.collector.token-file <file>` beside the application (it forwards UDP batches with credentials) or send over HTTP/gRPC';
  return `not sent: the server keeps UDP ${port} closed, as it does with --multi-tenancy.enabled or auth on ingest, because a datagram `
    + `carries no tenant and no credentials; to get UDP spans into ${credentials.tenant !== undefined ? `tenant ${credentials.tenant}` : 'this server'}, ${via}`;
}

/** Runs every check in turn (they are independent) and returns their results in a stable order. */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const t = options.target;
  const timeoutMs = options.timeoutMs ?? 5000;
  const readBackMs = options.readBackMs ?? 5000;
  const credentials = options.credentials ?? NO_CREDENTIALS;
  const headers = () => credentials.headers();
  const h = hostPart(t.host);
  const results: CheckResult[] = [];
  const check = async (name: string, path: string, run: () => Promise<string>) => {
    const started = Date.now();
    try {
      const detail = await run();
      results.push({ name, path, ok: true, detail: `${detail} (${Date.now() - started} ms)` });
    } catch (err) {
      const fix = err instanceof CheckError ? err.fix : undefined;
      results.push({ name, path, ok: false, detail: (err as Error).message, ...(fix ? { fix } : {}) });
    }
  };
  const timeouts = { readBackMs, requestMs: timeoutMs };
  const ingestCheck = (name: string, path: string, send: (probe: ProbeSpan) => Promise<string>) =>
    check(name, path, async () => {
      const probe = probeSpan(`doctor ${name}`);
      const sent = await send(probe);
      const ms = await readBack(t, probe, timeouts, credentials);
      return `${sent}, readable through :${t.queryPort} after ${ms} ms`;
    });

  await check('admin', `GET :${t.adminPort}/ready`, async () => {
    let res: Response;
    try {
      res = await fetch(`http://${h}:${t.adminPort}/ready`, { headers: headers(), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new CheckError((err as Error).message, unreachable(t.adminPort, 'the admin port'));
    }
    if (res.status !== 200) throw new CheckError(`answered ${res.status}: the server is not ready yet (still replaying its log?)`, 'wait and run doctor again; the server log says what it is doing');
    return 'ready';
  });
  await check('query', `GET :${t.queryPort}/api/services`, async () => {
    let res: Response;
    try {
      res = await fetch(`http://${h}:${t.queryPort}/api/services`, { headers: headers(), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new CheckError((err as Error).message, unreachable(t.queryPort, 'the query port (UI and Jaeger API)'));
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new RefusedError(`answered ${res.status}: ${text.trim().slice(0, 300)}`, refusedFix(credentials));
    if (res.status !== 200) throw new CheckError(`answered ${res.status}: ${text.trim().slice(0, 300)}`, 'the query API failed; the server log says why');
    const body = JSON.parse(text) as { data?: string[] };
    return `${body.data?.length ?? 0} services known${credentials.tenant !== undefined ? ` to tenant ${credentials.tenant}` : ''}`;
  });
  await ingestCheck('zipkin', `POST :${t.zipkinPort}/api/v2/spans (JSON)`, async (p) =>
    expectStatus(await post(`http://${h}:${t.zipkinPort}/api/v2/spans`, 'application/json', zipkinJson(p), t.zipkinPort, 'the Zipkin port', timeoutMs, credentials), [202], credentials));
  await ingestCheck('otlp-http', `POST :${t.otlpHttpPort}/v1/traces (JSON)`, async (p) =>
    expectStatus(await post(`http://${h}:${t.otlpHttpPort}/v1/traces`, 'application/json', otlpJson(p), t.otlpHttpPort, 'the OTLP/HTTP port', timeoutMs, credentials), [200], credentials));
  await ingestCheck('otlp-grpc', `gRPC :${t.otlpGrpcPort} TraceService/Export`, async (p) => {
    await grpcCall(t.host, t.otlpGrpcPort, '/opentelemetry.proto.collector.trace.v1.TraceService/Export', otlpProto(p), timeoutMs, 'the OTLP/gRPC port', credentials);
    return 'answered OK';
  });
  await ingestCheck('jaeger-http', `POST :${t.jaegerHttpPort}/api/traces (Thrift)`, async (p) =>
    expectStatus(await post(`http://${h}:${t.jaegerHttpPort}/api/traces`, 'application/x-thrift', jaegerThriftBatch(p), t.jaegerHttpPort, 'the Jaeger collector HTTP port', timeoutMs, credentials), [202], credentials));
  await ingestCheck('jaeger-grpc', `gRPC :${t.jaegerGrpcPort} CollectorService/PostSpans`, async (p) => {
    await grpcCall(t.host, t.jaegerGrpcPort, '/jaeger.api_v2.CollectorService/PostSpans', jaegerProto(p), timeoutMs, 'the Jaeger collector gRPC port', credentials);
    return 'answered OK';
  });
  // With a tenant or credentials the server most likely keeps UDP closed; ask it rather than wait for a datagram that went nowhere.
  const listening = credentials.none ? undefined : await listenerNames(`http://${h}:${t.queryPort}/api/ariadne/ingest`, timeoutMs, credentials);
  const udpCheck = async (name: string, listener: string, port: number, protocol: string, encode: (p: ProbeSpan) => Buffer) => {
    const path = `UDP :${port} emitBatch (${protocol} Thrift)`;
    if (listening !== undefined && !listening.has(listener)) {
      results.push({ name, path, ok: true, skipped: true, detail: udpClosedDetail(port, credentials) });
      return;
    }
    await check(name, path, async () => {
      const probe = probeSpan(`doctor ${name}`);
      await sendUdp(t.host, port, encode(probe));
      try {
        const ms = await readBack(t, probe, timeouts, credentials);
        // An open UDP port means tenancy is off at the server: reads see every tenant, the span sits in the default one.
        const tenantNote = credentials.tenant !== undefined ? ` (UDP carries no tenant: the span is in the default tenant, not ${credentials.tenant})` : '';
        return `sent, readable through :${t.queryPort} after ${ms} ms${tenantNote}`;
      } catch (err) {
        if (err instanceof RefusedError) throw err;
        throw new CheckError(`sent a datagram to UDP ${port}, but the trace never became readable (UDP has no answer)`,
          `is UDP ${port} exposed (Kubernetes Services need protocol: UDP for 6831/6832)? Check ariadne_udp_dropped_total and ariadne_udp_kernel_dropped_datagrams on :14269/metrics. ${(err as CheckError).fix ?? ''}`.trim());
      }
    });
  };
  await udpCheck('jaeger-udp-compact', 'jaegerCompact', t.jaegerCompactPort, 'compact', jaegerAgentCompact);
  await udpCheck('jaeger-udp-binary', 'jaegerBinary', t.jaegerBinaryPort, 'binary', jaegerAgentBinary);
  await check('sampling', `GET :${t.samplingPort}/sampling?service=${DOCTOR_SERVICE}`, async () => {
    let res: Response;
    try {
      res = await fetch(`http://${h}:${t.samplingPort}/sampling?service=${DOCTOR_SERVICE}`, { headers: headers(), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new CheckError((err as Error).message, unreachable(t.samplingPort, 'the sampling port'));
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new RefusedError(`answered ${res.status}: ${text.trim().slice(0, 200)}`, refusedFix(credentials));
    if (res.status !== 200) throw new CheckError(`answered ${res.status}: ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { strategyType?: string; probabilisticSampling?: { samplingRate?: number } };
    const rate = body.probabilisticSampling?.samplingRate;
    return `${body.strategyType}${rate !== undefined ? ` at ${rate}` : ''}${rate !== undefined && rate <= 0.001 ? ' — clients with a remote sampler keep only 0.1 % of traces: set --sampling.strategies-file while testing' : ''}`;
  });
  return results;
}

/** The report as printed: one line per check, then how to fix what failed and why checks were skipped. */
export function formatReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.skipped ? 'skip' : r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(width)}  ${r.path}: ${r.detail}`);
  const failed = results.filter((r) => !r.ok);
  const skipped = results.filter((r) => r.skipped);
  if (failed.length === 0 && skipped.length === 0) {
    lines.push('', 'Every receiver took a test trace and it was readable through the query API.');
  } else if (failed.length === 0) {
    lines.push('', `Every receiver checked took a test trace and it was readable through the query API; ${skipped.length} skipped (see above).`);
  } else {
    lines.push('', `${failed.length} of ${results.length} checks failed:`);
    for (const r of failed) lines.push(`- ${r.name}: ${r.fix ?? r.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
