/**
 * Jaeger agent UDP receiver: each datagram is one Agent.emitBatch message (compact Thrift on 6831,
 * binary on 6832), decoded and written through the ingest path. UDP has no back channel, so
 * nothing is ever answered: a datagram that cannot be taken is dropped and counted in
 * `ariadne_udp_dropped_total{port,reason}` (invalid, too_large, queue_full, overloaded).
 * IDL: https://github.com/jaegertracing/jaeger-idl/blob/main/thrift/agent.thrift
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { AppError, isAppError } from '../../errors.js';
import type { Span } from '../../model/index.js';
import type { Metrics } from '../../server/metrics.js';
import type { Ingest } from '../ingest.js';
import { JAEGER_AGENT_BINARY, JAEGER_AGENT_COMPACT, decodeJaegerAgentBinary, decodeJaegerAgentCompact } from './decode-thrift.js';

/** Jaeger clients cap a datagram at 65000 bytes. */
export const DEFAULT_MAX_DATAGRAM_BYTES = 65_000;
/** Datagrams being written at once before new ones are dropped. */
export const DEFAULT_UDP_QUEUE_SIZE = 1000;

/** Options of {@link startAgentUdp}. */
export interface AgentUdpOptions {
  ingest: Ingest;
  /** Address to bind, e.g. "0.0.0.0" or "::"; IPv6 addresses bind a udp6 socket. */
  host: string;
  /** Port to bind; 0 picks a free one (see the returned port). */
  port: number;
  /** 'compact' for 6831, 'binary' for 6832. */
  protocol: 'compact' | 'binary';
  /** Registry the drop counter is registered in; without it drops are only logged. */
  metrics?: Pick<Metrics, 'registry'>;
  logger: Logger;
  /** Larger datagrams are dropped as too_large; default 65000. */
  maxDatagramBytes?: number;
  /** Most datagrams written at once; more are dropped as queue_full. Default 1000. */
  queueSize?: number;
  /** Tenant of the received spans; default "". */
  tenant?: string;
  /** Kernel receive buffer of the socket in bytes (absorbs bursts); default the system's. */
  socketBufferBytes?: number;
}

/** A running UDP receiver. */
export interface AgentUdp {
  /** The bound port. */
  readonly port: number;
  /** The socket's receive buffer as the kernel granted it (it may cap what was asked). */
  readonly receiveBufferBytes: number;
  /** Stops receiving, then resolves once every datagram already taken is written (or refused). */
  close(): Promise<void>;
}

/** Why a datagram was dropped: the `reason` label of the drop counter. */
export type UdpDropReason = 'invalid' | 'too_large' | 'queue_full' | 'overloaded';

const DROPPED_METRIC = 'ariadne_udp_dropped_total';

/**
 * Binds a UDP socket and ingests every Agent.emitBatch datagram it receives. Never throws on bad
 * datagrams; rejects only when the socket cannot be bound.
 */
export async function startAgentUdp(options: AgentUdpOptions): Promise<AgentUdp> {
  const { ingest, logger, protocol } = options;
  const maxDatagramBytes = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  const queueSize = options.queueSize ?? DEFAULT_UDP_QUEUE_SIZE;
  const tenant = options.tenant ?? '';
  const format = protocol === 'compact' ? JAEGER_AGENT_COMPACT : JAEGER_AGENT_BINARY;
  const decode: (bytes: Buffer, tenant: string) => Span[] = protocol === 'compact' ? decodeJaegerAgentCompact : decodeJaegerAgentBinary;
  const dropped = dropCounter(options.metrics);
  const log = logger.child({ module: 'agent-udp', protocol });

  const socket: Socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    socket.once('error', fail);
    socket.bind(options.port, options.host, () => {
      socket.off('error', fail);
      resolve();
    });
  });
  if (options.socketBufferBytes !== undefined && options.socketBufferBytes > 0) socket.setRecvBufferSize(options.socketBufferBytes);
  const port = socket.address().port;
  const portLabel = String(port);

  let inFlight = 0;
  let closed = false;
  let idle: (() => void) | undefined;
  const drop = (reason: UdpDropReason, detail: string) => {
    dropped?.inc({ port: portLabel, reason });
    log.debug({ reason }, `dropped a datagram: ${detail}`);
  };

  socket.on('error', (err) => log.error({ err }, 'UDP socket error'));
  socket.on('message', (datagram, rinfo) => {
    if (closed) return;
    if (datagram.length > maxDatagramBytes) {
      const message = `datagram of ${datagram.length} bytes exceeds the limit of ${maxDatagramBytes} bytes`;
      ingest.refuse(format, new AppError('TOO_LARGE', message), { source: rinfo.address });
      drop('too_large', message);
      return;
    }
    if (inFlight >= queueSize) {
      drop('queue_full', `${inFlight} datagrams already being written`);
      return;
    }
    let spans: Span[];
    try {
      spans = decode(datagram, tenant);
    } catch (err) {
      const appErr = ingest.refuse(format, err, { source: rinfo.address, body: datagram });
      drop('invalid', appErr.message);
      return;
    }
    inFlight++;
    ingest.accept({ format, tenant, bytes: datagram, spans, source: rinfo.address }).then(
      () => undefined,
      (err: unknown) => {
        if (isAppError(err, 'RESOURCE_EXHAUSTED') || isAppError(err, 'UNAVAILABLE')) drop('overloaded', (err as Error).message);
        else log.error({ err }, 'failed to write a UDP batch');
      },
    ).finally(() => {
      inFlight--;
      if (inFlight === 0 && idle !== undefined) idle();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    port,
    receiveBufferBytes: socket.getRecvBufferSize(),
    close() {
      closing ??= (async () => {
        closed = true;
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        if (inFlight > 0) await new Promise<void>((resolve) => { idle = resolve; });
      })();
      return closing;
    },
  };
}

/** The drop counter, shared by every UDP receiver of one registry. */
function dropCounter(metrics: Pick<Metrics, 'registry'> | undefined): Counter<'port' | 'reason'> | undefined {
  if (metrics === undefined) return undefined;
  const existing = metrics.registry.getSingleMetric(DROPPED_METRIC);
  if (existing !== undefined) return existing as Counter<'port' | 'reason'>;
  return new Counter({
    name: DROPPED_METRIC,
    help: 'UDP datagrams dropped by the Jaeger agent receiver, by port and reason',
    labelNames: ['port', 'reason'] as const,
    registers: [metrics.registry],
  });
}
