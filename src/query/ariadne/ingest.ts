/**
 * `GET /api/ariadne/ingest`: what each receiver took and refused (with the last reasons and a sample
 * of the refused body), and every source service seen with its last arrival and clock offset.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { IngestStats } from '../../receivers/ingest-stats.js';
import { scopeOf } from '../scope.js';

/** A bound receiver port and the formats it takes. */
export interface IngestListener {
  /** e.g. "zipkin", "otlpGrpc", "jaegerCompact". */
  name: string;
  port: number;
  transport: 'http' | 'grpc' | 'udp';
  formats: string[];
}

/** Options of {@link ingestApiPlugin}. */
export interface IngestApiOptions {
  stats: Pick<IngestStats, 'snapshot'>;
  /** The receivers this process listens on, read at each request (ports are bound after the plugin is registered). */
  listeners?: () => IngestListener[];
}

/** Fastify plugin with the ingest diagnostics route; answers `{data: IngestSnapshot & {listeners}}`, scoped to the request's tenant. */
export const ingestApiPlugin: FastifyPluginAsync<IngestApiOptions> = async (app: FastifyInstance, options) => {
  app.get('/api/ariadne/ingest', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { data: { ...options.stats.snapshot(scopeOf(request)), listeners: options.listeners?.() ?? [] } };
  });
};
