/** Wires one role's modules onto its ports and owns their lifecycle. */
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors.js';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ingestApiPlugin, servicesApiPlugin, type IngestListener } from '../query/ariadne/index.js';
import { statementApiPlugin } from '../query/statement/index.js';
import { jaegerQueryPlugin } from '../query/jaeger/index.js';
import { jaegerV3Plugin } from '../query/jaeger-v3/index.js';
import { uiPlugin } from '../query/ui/index.js';
import { zipkinQueryPlugin } from '../query/zipkin/index.js';
import { agentSamplingUrl, createForwarder, createSamplingProxy } from '../agent/index.js';
import {
  FORMATS_BY_RECEIVER, createIngest, createIngestStats, createJaegerCollectorService, createOtlpTraceService, decodePayload, jaegerHttpPlugin, otlpHttpPlugin, startAgentUdp,
  startGrpcServer, watchUdpKernelCounters, zipkinReceiverPlugin, type GrpcService, type Ingest,
} from '../receivers/index.js';
import { admitGrpc, admitHttp, budgetShortfall, bufferedSpansLimit, createAdmission, createLimiter, withTruncationWarnings, type Admission } from '../receivers/index.js';
import { AGENT_SAMPLING_ROUTES, COLLECTOR_SAMPLING_ROUTES, createSamplingProvider, samplingPlugin, type SamplingProvider } from '../sampling/index.js';
import { duckdbShare, openStore, type Store } from '../storage/index.js';
import { adminPlugin } from './admin.js';
import { createAuthenticator, authCovers, type Authenticator } from './auth.js';
import { PORT_OFF, type Config } from './config.js';
import { allowAnyOrigin, compressResponses, createHttpApp } from './http.js';
import { createMetrics, type Metrics } from './metrics.js';
import { roleStorageProblem, type Role } from './roles.js';
import { addSecurityHeaders } from './security-headers.js';
import {
  createAccessGuard, guardGrpc, guardHttp, jaegerHttpPortSurface, otlpHttpPortSurface, queryPortSurface, zipkinPortSurface, type AccessGuard,
} from './tenancy.js';

/** Bound ports of a running process, by module. */
export interface Ports {
  zipkin?: number;
  query?: number;
  admin?: number;
  jaegerHttp?: number;
  jaegerGrpc?: number;
  jaegerCompact?: number;
  jaegerBinary?: number;
  otlpGrpc?: number;
  otlpHttp?: number;
  sampling?: number;
}

/** A started process: its bound ports and how to stop it. */
export interface RunningServer {
  ports: Ports;
  /** The store, for roles that have one (not the agent). */
  store?: Store;
  metrics: Metrics;
  /** Stops accepting requests, drains, then closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Opens the store (or the agent's forwarder), starts every port of the role, and resolves once all listen. */
export async function startServer(role: Role, config: Config, logger: Logger): Promise<RunningServer> {
  const problem = roleStorageProblem(role, config.storage);
  if (problem) throw new AppError('INVALID_ARGUMENT', problem);
  const startedAt = new Date();
  const metrics = createMetrics();
  const has = (m: string) => role.modules.includes(m as never);
  let ready = false;
  const ports: Ports = {};
  // Closed in reverse order of start: listeners first, then what they write to.
  const closers: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        logger.error({ err }, 'error while stopping');
      }
    }
  };
  const disabled = (name: keyof Ports, port: number) => {
    if (port !== PORT_OFF) return false;
    logger.info(`${name} disabled (its port flag is off)`);
    return true;
  };
  const serve = async (app: FastifyInstance, name: keyof Ports, port: number, what: string) => {
    closers.push(() => app.close());
    if (disabled(name, port)) return;
    ports[name] = await listen(app, config.host, port);
    logger.info({ port: ports[name] }, `${name} listening (${what})`);
  };
  const serveGrpc = async (services: GrpcService[], name: keyof Ports, port: number, what: string) => {
    if (disabled(name, port)) return;
    const authorize = guardGrpc(guard);
    const server = await startGrpcServer({
      host: config.host, port, services, maxMessageBytes: config.maxBodyBytes, logger: logger.child({ port: name }),
      ...(authorize ? { authorize } : {}),
    });
    closers.push(() => server.close());
    ports[name] = server.port;
    logger.info({ port: server.port }, `${name} listening (gRPC ${what})`);
  };
  const httpApp = (name: string, bodyLimit: number) => createHttpApp({ logger: logger.child({ port: name }), bodyLimit });

  let store: Store | undefined;
  let ingest: Ingest;
  let guard: AccessGuard;
  const ingestStats = createIngestStats();
  const limiter = createLimiter({
    maxValueBytes: config.limitsValueBytes, maxAttributes: config.limitsAttributes, maxEvents: config.limitsEvents, maxLinks: config.limitsLinks,
    maxTraceSpans: config.limitsTraceSpans, maxTraceBytes: config.limitsTraceBytes, maxServices: config.limitsServices, maxOperationsPerService: config.limitsOperations,
  });
  // Under a budget the store's buffer gets a share of it, so one slow flush cannot take it whole.
  const maxBufferedSpans = bufferedSpansLimit(config.memoryMaxBytes, config.maxBufferedSpans);
  const clickhouseMaxBufferedSpans = bufferedSpansLimit(config.memoryMaxBytes, config.clickhouseMaxBufferedSpans);
  // The limit of the configured engine; the memory engine buffers nothing.
  const storeBufferLimit = config.storage === 'clickhouse' ? clickhouseMaxBufferedSpans : config.storage === 'embedded' ? maxBufferedSpans : 0;
  const admission: Admission = createAdmission({
    maxBytes: config.memoryMaxBytes, maxInflight: config.ingestMaxInflight, bufferedSpans: () => store?.stats().bufferedSpans ?? 0, registry: metrics.registry,
    maxBufferedSpans: config.memoryMaxBytes > 0 && storeBufferLimit > 0 ? storeBufferLimit : undefined,
  });
  closers.push(() => admission.close());
  // gRPC refusals go through the receiver's refusal path, as HTTP ones do, so the ingest figures see them.
  const admitGrpcAs = (service: GrpcService, receiver: 'jaegerGrpc' | 'otlpGrpc'): GrpcService =>
    admitGrpc(service, admission, receiver, (err, peer) => ingest.refuse(FORMATS_BY_RECEIVER[receiver][0], err, { source: peer }));
  try {
    // The admin port comes up first so /health answers while the store replays its log.
    if (has('admin')) {
      const admin = httpApp('admin', 1024);
      await admin.register(adminPlugin, { metrics, isReady: () => ready, startedAt });
      await serve(admin, 'admin', config.adminPort, '/health, /ready, /metrics');
    }
    guard = await accessGuard(config, logger, closers, metrics.registry);
    if (has('store')) {
      const opened = await openStore({ ...config, maxBufferedSpans, clickhouseMaxBufferedSpans, decode: (payload) => limiter.replay(decodePayload(payload)), logger });
      store = opened;
      closers.push(() => opened.close());
      metrics.watchStore(opened);
      logger.info({ storage: opened.name, dataDir: config.storage === 'embedded' ? config.dataDir : undefined }, 'store open');
      limiter.knowServices('', await opened.reader.getServices({ tenant: '' }));
      const shortfall = budgetShortfall({
        maxBytes: config.memoryMaxBytes, rssBytes: process.memoryUsage.rss(),
        engineBytes: config.storage === 'embedded' ? (duckdbShare(config.memoryMaxBytes) ?? 0) : 0,
        bufferedSpans: storeBufferLimit,
      });
      if (shortfall) logger.warn(shortfall);
      ingest = createIngest({ writer: opened.writer, metrics, stats: ingestStats, limiter, admission });
    } else {
      const forwarder = createForwarder({
        collector: config.agentCollector, queueSize: config.agentQueueSize, metrics, logger,
        tenant: config.agentCollectorTenant, tenantHeader: config.tenancyHeader, tokenFile: config.agentCollectorTokenFile,
      });
      closers.push(() => forwarder.close());
      logger.info({ collector: forwarder.target, sends: forwarder.sends }, 'forwarding to the collector');
      ingest = forwarder;
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const stored = (): Store => {
    if (!store) throw new AppError('INTERNAL', `role ${role.name} runs a query module without a store`);
    return store;
  };
  // Every read API shows the spans a limit cut with a warning.
  const spanReader = () => withTruncationWarnings(stored().reader);
  try {
    let sampling: SamplingProvider | undefined;
    // UDP carries no header: its spans could name no tenant and show no credentials.
    const udpRefused = has('store') && (config.tenancyEnabled || (authConfigured(config) && authCovers(config.authScope, 'ingest')));
    if (has('jaeger-udp') && udpRefused) {
      logger.warn('Jaeger UDP ports not opened: with --multi-tenancy.enabled or --auth.* on ingest, UDP spans could not be attributed or authenticated (send over HTTP or gRPC)');
    }
    if (has('jaeger-udp') && !udpRefused) {
      const udpPorts: number[] = [];
      for (const protocol of ['compact', 'binary'] as const) {
        const name = protocol === 'compact' ? 'jaegerCompact' : 'jaegerBinary';
        const port = protocol === 'compact' ? config.jaegerCompactPort : config.jaegerBinaryPort;
        if (disabled(name, port)) continue;
        const udp = await startAgentUdp({
          ingest, host: config.host, port, protocol,
          metrics, logger, queueSize: config.udpQueueSize, socketBufferBytes: config.udpSocketBufferBytes,
        });
        closers.push(() => udp.close());
        ports[name] = udp.port;
        udpPorts.push(udp.port);
        logger.info({ port: udp.port, receiveBufferBytes: udp.receiveBufferBytes }, `${name} listening (UDP Agent.emitBatch, ${protocol} Thrift)`);
        if (config.udpSocketBufferBytes > 0 && udp.receiveBufferBytes < config.udpSocketBufferBytes) {
          logger.warn({ port: udp.port, asked: config.udpSocketBufferBytes, granted: udp.receiveBufferBytes },
            'the kernel granted a smaller UDP receive buffer than --udp.socket-buffer asks; raise net.core.rmem_max to absorb bursts');
        }
      }
      watchUdpKernelCounters(metrics.registry, udpPorts);
    }
    if (has('sampling-proxy')) {
      const proxy = createSamplingProxy({
        collectorHttp: agentSamplingUrl(config.agentCollector, config.agentSamplingUrl),
        tenant: config.agentCollectorTenant, tenantHeader: config.tenancyHeader, tokenFile: config.agentCollectorTokenFile,
      });
      const app = httpApp('sampling', 1024);
      await app.register(samplingPlugin, { provider: proxy, routes: AGENT_SAMPLING_ROUTES });
      await serve(app, 'sampling', config.samplingPort, `GET /sampling?service=, asking ${proxy.target}/api/sampling`);
    }
    if (has('sampling')) {
      const provider = await createSamplingProvider({
        file: config.samplingStrategiesFile === '' ? undefined : config.samplingStrategiesFile,
        logger: logger.child({ module: 'sampling' }),
        reloadIntervalMs: config.samplingReloadMs,
      });
      sampling = provider;
      closers.push(() => provider.close());
      const app = httpApp('sampling', 1024);
      await app.register(samplingPlugin, { provider, routes: AGENT_SAMPLING_ROUTES });
      await serve(app, 'sampling', config.samplingPort, 'GET /sampling?service=');
    }
    if (has('jaeger-receiver') || sampling) {
      const app = httpApp('jaeger-http', config.maxBodyBytes);
      admitHttp(app, admission, 'jaegerHttp');
      guardHttp(app, guard, { surfaceOf: jaegerHttpPortSurface, body: 'text' });
      if (sampling) await app.register(samplingPlugin, { provider: sampling, routes: COLLECTOR_SAMPLING_ROUTES });
      if (has('jaeger-receiver')) await app.register(jaegerHttpPlugin, { ingest, maxBodyBytes: config.maxBodyBytes });
      await serve(app, 'jaegerHttp', config.jaegerHttpPort, 'POST /api/traces, GET /api/sampling');
    }
    if (has('jaeger-receiver')) {
      await serveGrpc([admitGrpcAs(createJaegerCollectorService({ ingest }), 'jaegerGrpc')], 'jaegerGrpc', config.jaegerGrpcPort, 'jaeger.api_v2.CollectorService/PostSpans');
    }
    if (has('otlp-receiver')) {
      await serveGrpc([admitGrpcAs(createOtlpTraceService({ ingest }), 'otlpGrpc')], 'otlpGrpc', config.otlpGrpcPort, 'TraceService/Export');
      const otlp = httpApp('otlp-http', config.maxBodyBytes);
      admitHttp(otlp, admission, 'otlpHttp');
      allowAnyOrigin(otlp);
      guardHttp(otlp, guard, { surfaceOf: otlpHttpPortSurface, body: 'json' });
      await otlp.register(otlpHttpPlugin, { ingest, maxBodyBytes: config.maxBodyBytes });
      await serve(otlp, 'otlpHttp', config.otlpHttpPort, 'POST /v1/traces');
    }
    if (has('zipkin-receiver') || has('zipkin-query')) {
      const zipkin = httpApp('zipkin', config.maxBodyBytes);
      admitHttp(zipkin, admission, 'zipkin');
      allowAnyOrigin(zipkin);
      addSecurityHeaders(zipkin);
      guardHttp(zipkin, guard, { surfaceOf: zipkinPortSurface, body: 'text' });
      await compressResponses(zipkin);
      if (has('zipkin-receiver')) {
        await zipkin.register(zipkinReceiverPlugin, { ingest, maxBodyBytes: config.maxBodyBytes });
      }
      if (has('zipkin-query')) {
        const zipkinQuery = { reader: spanReader(), dependencies: stored().dependencies, autocompleteKeys: config.zipkinAutocompleteKeys };
        await zipkin.register(zipkinQueryPlugin, zipkinQuery);
        // Zipkin also serves its read API under /zipkin for a UI hosted at that base path (Lens).
        await zipkin.register(zipkinQueryPlugin, { ...zipkinQuery, prefix: '/zipkin' });
      }
      zipkin.get('/health', async () => ({ status: 'UP' }));
      // Zipkin users open :9411/ or :9411/zipkin/; the UI lives on the query port.
      const toUi = async (request: { hostname: string }, reply: { redirect(url: string, code?: number): unknown }) => {
        const host = request.hostname.replace(/:\d+$/, '');
        return reply.redirect(`http://${host}:${config.queryPort}/`, 302);
      };
      zipkin.get('/', toUi);
      zipkin.get('/zipkin', toUi);
      await serve(zipkin, 'zipkin', config.zipkinPort, 'POST /api/v1/spans, /api/v2/spans; GET /api/v2/...');
    }
    if (has('jaeger-query')) {
      const query = httpApp('query', 1024 * 1024);
      addSecurityHeaders(query);
      guardHttp(query, guard, { surfaceOf: queryPortSurface, body: 'json' });
      await compressResponses(query);
      await query.register(jaegerQueryPlugin, {
        reader: spanReader(), dependencies: stored().dependencies, adjustClockSkew: config.clockSkewAdjust,
      });
      await query.register(jaegerV3Plugin, { reader: spanReader(), adjustClockSkew: config.clockSkewAdjust });
      await query.register(ingestApiPlugin, { stats: ingestStats, listeners: () => receiverListeners(ports, has) });
      await query.register(servicesApiPlugin, { reader: spanReader(), dependencies: stored().dependencies });
      await query.register(statementApiPlugin, { reader: spanReader() });
      await query.register(uiPlugin, { reader: spanReader(), adjustClockSkew: config.clockSkewAdjust, tenancy: config.tenancyEnabled });
      await serve(query, 'query', config.queryPort, 'UI, Jaeger API /api/..., /api/v3/...');
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  ready = true;
  let closing: Promise<void> | undefined;
  return {
    ports,
    store,
    metrics,
    close() {
      closing ??= (async () => {
        ready = false;
        await closeAll();
      })();
      return closing;
    },
  };
}

/** Each receiver port, the module that opens it and its transport; its formats are FORMATS_BY_RECEIVER. */
const RECEIVER_PORTS: ReadonlyArray<{ name: keyof typeof FORMATS_BY_RECEIVER; module: string; transport: IngestListener['transport'] }> = [
  { name: 'zipkin', module: 'zipkin-receiver', transport: 'http' },
  { name: 'otlpGrpc', module: 'otlp-receiver', transport: 'grpc' },
  { name: 'otlpHttp', module: 'otlp-receiver', transport: 'http' },
  { name: 'jaegerHttp', module: 'jaeger-receiver', transport: 'http' },
  { name: 'jaegerGrpc', module: 'jaeger-receiver', transport: 'grpc' },
  { name: 'jaegerCompact', module: 'jaeger-udp', transport: 'udp' },
  { name: 'jaegerBinary', module: 'jaeger-udp', transport: 'udp' },
];

function receiverListeners(ports: Ports, has: (module: string) => boolean): IngestListener[] {
  const out: IngestListener[] = [];
  for (const r of RECEIVER_PORTS) {
    const port = ports[r.name];
    if (port !== undefined && has(r.module)) out.push({ name: r.name, port, transport: r.transport, formats: [...FORMATS_BY_RECEIVER[r.name]] });
  }
  return out;
}

function authConfigured(config: Config): boolean {
  return config.authTokensFile !== '' || config.authBasicFile !== '';
}

/** The process's access guard: credentials from the auth files (watched until close) and the tenancy flags. */
async function accessGuard(config: Config, logger: Logger, closers: Array<() => Promise<void> | void>, registry: Registry): Promise<AccessGuard> {
  let auth: Authenticator | undefined;
  if (authConfigured(config)) {
    const opened = await createAuthenticator({
      tokensFile: config.authTokensFile, basicFile: config.authBasicFile, allowPins: config.tenancyEnabled, logger: logger.child({ module: 'auth' }),
    });
    closers.push(() => opened.close());
    auth = opened;
  }
  const tenancy = { enabled: config.tenancyEnabled, header: config.tenancyHeader, tenants: config.tenancyTenants };
  if (tenancy.enabled) logger.info({ header: tenancy.header, tenants: tenancy.tenants.length > 0 ? tenancy.tenants : 'any' }, 'multi-tenancy on');
  else if (tenancy.tenants.length > 0) logger.warn('--multi-tenancy.tenants has no effect without --multi-tenancy.enabled: reads see every tenant');
  return createAccessGuard({ tenancy, registry, ...(auth ? { auth, authScope: config.authScope } : {}) });
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  return (app.server.address() as AddressInfo).port;
}
