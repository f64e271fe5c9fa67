/**
 * `GET /api/ariadne/ingest`: what each receiver took and refused (with the last reasons and a sample
 * of the refused body), and every source service seen with its last arrival and clock offset.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { IngestStats } from '../../receivers/ingest-stats.js';

/** Options of {@link ingestApiPlugin}. */
export interface IngestApiOptions {
  stats: Pick<IngestStats, 'snapshot'>;
}

/** Fastify plugin with the ingest diagnostics route; answers `{data: IngestSnapshot}`. */
export const ingestApiPlugin: FastifyPluginAsync<IngestApiOptions> = async (app: FastifyInstance, options) => {
  app.get('/api/ariadne/ingest', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { data: options.stats.snapshot() };
  });
};
