/**
 * A small tracing sidecar that behaves like an Istio Envoy proxy with the Zipkin tracer: an inbound
 * listener in front of the app and an outbound listener the app sends its calls to (with the
 * callee's name in the Host header, as if iptables had redirected them). Each proxied request is one
 * Zipkin span: SERVER inbound, sharing the caller's span id, and CLIENT outbound, with the tags
 * Envoy's HTTP tracer sets (source/common/tracing/http_tracer_impl.cc: finalizeDownstreamSpan and
 * setCommonTags).
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP, isIPv4 } from 'node:net';
import { B3, decideInbound, decideOutbound, type IdSource, type SidecarDecision } from './b3.js';
import type { ZipkinEndpoint, ZipkinReporter, ZipkinSpan } from './reporter.js';

/** A named upstream with its endpoints, picked round-robin. */
export interface Cluster {
  /** The Kubernetes service name, e.g. `reviews`. */
  service: string;
  /** Base URLs of the endpoints (the inbound listeners of the service's sidecars). */
  endpoints: readonly string[];
}

/** Options of {@link startSidecar}. */
export interface SidecarOptions {
  /** Kubernetes service of the app, e.g. `reviews`. */
  service: string;
  /** Deployment version label, e.g. `v2`. */
  version: string;
  namespace: string;
  /** Base URL of the app this sidecar fronts. */
  appUrl: string;
  /** Upstreams by the Host header the app sends: `details:9080` and `details` both name one. */
  clusters: ReadonlyMap<string, Cluster>;
  reporter: ZipkinReporter;
  /** Percentage of new traces reported, 0–100. */
  samplingPercent: number;
  ids: IdSource;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  inboundPort?: number;
  /** Default 0 (ephemeral). */
  outboundPort?: number;
}

/** Request counters of one sidecar. */
export interface SidecarStats {
  inbound: number;
  outbound: number;
  /** Requests reported as spans (both directions). */
  traced: number;
  /** Requests with malformed B3 headers, passed through untraced. */
  invalidB3: number;
}

/** A running sidecar. */
export interface Sidecar {
  readonly inboundUrl: string;
  readonly outboundUrl: string;
  /** Envoy's node id (`sidecar~ip~pod.namespace~namespace.svc.cluster.local`), reported as `node_id`. */
  readonly nodeId: string;
  stats(): SidecarStats;
  /** Stops both listeners; the reporter is the caller's to close. */
  close(): Promise<void>;
}

/** The port in every logical service address, as in Bookinfo. */
export const SERVICE_PORT = 9080;

/** Headers that describe one hop's connection and must not be forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

function fqdn(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

function endpointOf(address: string | undefined, port: number | undefined): ZipkinEndpoint | undefined {
  if (address === undefined) return undefined;
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  const endpoint: ZipkinEndpoint = isIPv4(ip) ? { ipv4: ip } : { ipv6: ip };
  if (port !== undefined && port > 0) endpoint.port = port;
  return endpoint;
}

function first(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** What one proxied exchange looked like, for its span. */
interface Exchange {
  startUs: number;
  startNs: bigint;
  requestBytes: number;
  responseBytes: number;
  status: number;
  /** Envoy's short response flags: UF upstream connection failure, NR no route, DC downstream closed. */
  flags: string;
  upstreamCluster: string | undefined;
  upstream: ZipkinEndpoint | undefined;
}

/** Starts both listeners of a sidecar; rejects if a port cannot be bound. */
export async function startSidecar(options: SidecarOptions): Promise<Sidecar> {
  const host = options.host ?? '127.0.0.1';
  const localService = `${options.service}.${options.namespace}`;
  const pod = `${options.service}-${options.version}-0`;
  const nodeId = `sidecar~${host}~${pod}.${options.namespace}~${options.namespace}.svc.cluster.local`;
  const app = new URL(options.appUrl);
  const counters: SidecarStats = { inbound: 0, outbound: 0, traced: 0, invalidB3: 0 };
  const roundRobin = new Map<Cluster, number>();
  // Connections to apps and peers are reused, as Envoy's upstream pools do; destroyed on close.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let localEndpoint: ZipkinEndpoint = { serviceName: localService };

  const report = (kind: ZipkinSpan['kind'], name: string, req: IncomingMessage, decision: SidecarDecision, x: Exchange): void => {
    if (!decision.context.sampled) return;
    counters.traced++;
    const ctx = decision.context;
    const durationUs = Math.max(1, Number((process.hrtime.bigint() - x.startNs) / 1000n));
    const tags: Record<string, string> = {
      'node_id': nodeId,
      'guid:x-request-id': decision.requestId,
      'http.url': `http://${first(req.headers, 'host') ?? ''}${req.url ?? '/'}`,
      'http.method': req.method ?? 'GET',
      'downstream_cluster': first(req.headers, 'x-envoy-downstream-service-cluster') ?? '-',
      'user_agent': first(req.headers, 'user-agent') ?? '-',
      'http.protocol': `HTTP/${req.httpVersion}`,
      'peer.address': (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      'request_size': String(x.requestBytes),
      'response_size': String(x.responseBytes),
      'component': 'proxy',
      'http.status_code': String(x.status),
      'response_flags': x.flags,
      'istio.canonical_service': options.service,
      'istio.canonical_revision': options.version,
      'istio.namespace': options.namespace,
    };
    if (x.upstreamCluster !== undefined) tags['upstream_cluster'] = x.upstreamCluster;
    // Envoy marks a span failed on a 5xx and when no response was produced at all.
    if (x.status === 0 || x.status >= 500) tags['error'] = 'true';
    const span: ZipkinSpan = {
      traceId: ctx.traceId,
      id: ctx.spanId,
      name,
      kind,
      timestamp: x.startUs,
      duration: durationUs,
      localEndpoint,
      tags,
    };
    if (ctx.parentSpanId !== undefined) span.parentId = ctx.parentSpanId;
    const remote = kind === 'SERVER' ? endpointOf(req.socket.remoteAddress, req.socket.remotePort) : x.upstream;
    if (remote !== undefined) span.remoteEndpoint = remote;
    if (ctx.debug) span.debug = true;
    if (decision.shared) span.shared = true;
    options.reporter.report(span);
  };

  /** Forwards `req` to `target` with `headers`, streaming both bodies and filling in `x`. */
  const forward = (req: IncomingMessage, res: ServerResponse, target: URL, headers: OutgoingHttpHeaders, x: Exchange, done: () => void): void => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      done();
    };
    const upstream = httpRequest({
      protocol: target.protocol, hostname: target.hostname, port: target.port,
      method: req.method, path: req.url, headers, agent,
    });
    x.upstream = endpointOf(target.hostname, Number(target.port));
    upstream.on('response', (answer) => {
      x.status = answer.statusCode ?? 0;
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.includes(name) && value !== undefined) out[name] = value;
      res.writeHead(x.status, out);
      answer.on('data', (chunk: Buffer) => {
        x.responseBytes += chunk.length;
        res.write(chunk);
      });
      answer.on('end', () => res.end(finish));
      answer.on('error', () => {
        x.flags = 'UR';
        res.destroy();
        finish();
      });
    });
    upstream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
      } else {
        x.flags = 'UF';
        x.status = 503;
        const body = `upstream connect error or disconnect/reset before headers. reset reason: ${err.message}`;
        x.responseBytes = Buffer.byteLength(body);
        res.writeHead(503, { 'content-type': 'text/plain' }).end(body);
      }
      finish();
    });
    req.on('data', (chunk: Buffer) => {
      x.requestBytes += chunk.length;
      upstream.write(chunk);
    });
    req.on('end', () => upstream.end());
    res.on('close', () => {
      if (!res.writableFinished && !finished) {
        x.flags = 'DC';
        upstream.destroy();
        finish();
      }
    });
  };

  const forwardedHeaders = (req: IncomingMessage, decision: SidecarDecision | undefined): OutgoingHttpHeaders => {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.includes(name) && value !== undefined) headers[name] = value;
    if (decision !== undefined) {
      for (const name of Object.values(B3)) delete headers[name];
      Object.assign(headers, decision.headers);
    }
    headers['x-forwarded-proto'] ??= 'http';
    return headers;
  };

  const newExchange = (): Exchange => ({
    startUs: Math.round((performance.timeOrigin + performance.now()) * 1000), startNs: process.hrtime.bigint(),
    requestBytes: 0, responseBytes: 0, status: 0, flags: '-', upstreamCluster: undefined, upstream: undefined,
  });

  const inbound = createServer((req, res) => {
    counters.inbound++;
    const x = newExchange();
    const decided = decideInbound(req.headers, { samplingPercent: options.samplingPercent, ids: options.ids });
    const decision = 'invalid' in decided ? undefined : decided;
    if (decision === undefined) counters.invalidB3++;
    x.upstreamCluster = `inbound|${SERVICE_PORT}||`;
    const name = `${fqdn(options.service, options.namespace)}:${SERVICE_PORT}/*`;
    forward(req, res, app, forwardedHeaders(req, decision), x, () => {
      if (decision !== undefined) report('SERVER', name, req, decision, x);
    });
  });

  const outbound = createServer((req, res) => {
    counters.outbound++;
    const x = newExchange();
    const decided = decideOutbound(req.headers, { samplingPercent: options.samplingPercent, ids: options.ids });
    const decision = 'invalid' in decided ? undefined : decided;
    if (decision === undefined) counters.invalidB3++;
    const authority = first(req.headers, 'host') ?? '';
    const cluster = options.clusters.get(authority) ?? options.clusters.get(authority.replace(/:\d+$/, ''));
    if (cluster === undefined || cluster.endpoints.length === 0) {
      x.flags = 'NR';
      x.status = 404;
      req.resume();
      res.writeHead(404).end();
      res.on('finish', () => {
        if (decision !== undefined) report('CLIENT', `${authority}/*`, req, decision, x);
      });
      return;
    }
    const index = roundRobin.get(cluster) ?? 0;
    roundRobin.set(cluster, index + 1);
    const target = new URL(cluster.endpoints[index % cluster.endpoints.length]!);
    const clusterHost = fqdn(cluster.service, options.namespace);
    x.upstreamCluster = `outbound|${SERVICE_PORT}||${clusterHost}`;
    forward(req, res, target, forwardedHeaders(req, decision), x, () => {
      if (decision !== undefined) report('CLIENT', `${clusterHost}:${SERVICE_PORT}/*`, req, decision, x);
    });
  });

  const inboundPort = await listen(inbound, host, options.inboundPort ?? 0);
  let outboundPort: number;
  try {
    outboundPort = await listen(outbound, host, options.outboundPort ?? 0);
  } catch (err) {
    await closeServer(inbound);
    throw err;
  }
  localEndpoint = { serviceName: localService, ...endpointOf(isIP(host) === 0 ? undefined : host, inboundPort) };
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    inboundUrl: `http://${urlHost}:${inboundPort}`,
    outboundUrl: `http://${urlHost}:${outboundPort}`,
    nodeId,
    stats: () => ({ ...counters }),
    async close() {
      await Promise.all([closeServer(inbound), closeServer(outbound)]);
      agent.destroy();
    },
  };
}
