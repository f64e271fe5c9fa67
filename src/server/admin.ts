/** Admin port: liveness, readiness and Prometheus metrics. */
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from './metrics.js';

/** What the admin routes report on. */
export interface AdminOptions {
  metrics: Metrics;
  /** True once every module is listening, false again while shutting down. */
  isReady(): boolean;
  startedAt: Date;
}

/** GET /health (process alive), /ready (serving), /metrics (Prometheus text format). */
export const adminPlugin: FastifyPluginAsync<AdminOptions> = async (app, options) => {
  app.get('/health', async () => ({ status: 'ok', upSince: options.startedAt.toISOString(), uptimeSeconds: Math.round(process.uptime()) }));
  app.get('/ready', async (_request, reply) => {
    if (options.isReady()) return { status: 'ready' };
    return reply.status(503).send({ status: 'not ready' });
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });
};
