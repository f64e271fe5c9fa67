/** Wires one role's modules onto its ports and owns their lifecycle. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { jaegerQueryPlugin } from '../query/jaeger/index.js';
import { jaegerV3Plugin } from '../query/jaeger-v3/index.js';
import { zipkinQueryPlugin } from '../query/zipkin/index.js';
import { createIngest, decodePayload, zipkinReceiverPlugin } from '../receivers/index.js';
import { openStore, type Store } from '../storage/index.js';
import { adminPlugin } from './admin.js';
import type { Config } from './config.js';
import { allowAnyOrigin, compressResponses, createHttpApp } from './http.js';
import { landingPage } from './landing.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { Role } from './roles.js';

/** A started process: its bound ports and how to stop it. */
export interface RunningServer {
  ports: { zipkin?: number; query?: number; admin?: number };
  store: Store;
  metrics: Metrics;
  /** Stops accepting requests, drains, then closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Opens the store, starts every port of the role, and resolves once all listen. */
export async function startServer(role: Role, config: Config, logger: Logger): Promise<RunningServer> {
  const startedAt = new Date();
  const metrics = createMetrics();
  const has = (m: string) => role.modules.includes(m as never);
  let ready = false;
  const apps: FastifyInstance[] = [];
  const ports: RunningServer['ports'] = {};
  // The admin port comes up first so /health answers while the store replays its log.
  let admin: FastifyInstance | undefined;
  if (has('admin')) {
    admin = createHttpApp({ logger: logger.child({ port: 'admin' }), bodyLimit: 1024 });
    await admin.register(adminPlugin, { metrics, isReady: () => ready, startedAt });
    ports.admin = await listen(admin, config.host, config.adminPort);
    logger.info({ port: ports.admin }, 'admin listening (/health, /ready, /metrics)');
  }
  let store: Store;
  try {
    store = await openStore({ ...config, decode: decodePayload, logger });
  } catch (err) {
    await admin?.close();
    throw err;
  }
  metrics.watchStore(store);
  const ingest = createIngest({ writer: store.writer, metrics });
  logger.info({ storage: store.name, dataDir: config.storage === 'embedded' ? config.dataDir : undefined }, 'store open');
  try {
    if (has('zipkin-receiver') || has('zipkin-query')) {
      const zipkin = createHttpApp({ logger: logger.child({ port: 'zipkin' }), bodyLimit: config.maxBodyBytes });
      apps.push(zipkin);
      allowAnyOrigin(zipkin);
      await compressResponses(zipkin);
      if (has('zipkin-receiver')) {
        await zipkin.register(zipkinReceiverPlugin, { ingest, maxBodyBytes: config.maxBodyBytes });
      }
      if (has('zipkin-query')) {
        const zipkinQuery = { reader: store.reader, dependencies: store.dependencies, autocompleteKeys: config.zipkinAutocompleteKeys };
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
      ports.zipkin = await listen(zipkin, config.host, config.zipkinPort);
      logger.info({ port: ports.zipkin }, 'zipkin listening (POST /api/v1/spans, /api/v2/spans; GET /api/v2/...)');
    }
    if (has('jaeger-query')) {
      const query = createHttpApp({ logger: logger.child({ port: 'query' }), bodyLimit: 1024 * 1024 });
      apps.push(query);
      await compressResponses(query);
      await query.register(jaegerQueryPlugin, {
        reader: store.reader, dependencies: store.dependencies, adjustClockSkew: config.clockSkewAdjust,
      });
      await query.register(jaegerV3Plugin, { reader: store.reader, adjustClockSkew: config.clockSkewAdjust });
      query.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(landingPage()));
      ports.query = await listen(query, config.host, config.queryPort);
      logger.info({ port: ports.query }, 'query listening (Jaeger API /api/...)');
    }
  } catch (err) {
    await Promise.allSettled(apps.map((a) => a.close()));
    await admin?.close();
    await store.close();
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
        await Promise.allSettled(apps.map((a) => a.close()));
        await store.close();
        await admin?.close();
      })();
      return closing;
    },
  };
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  return (app.server.address() as AddressInfo).port;
}
