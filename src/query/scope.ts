/**
 * The tenant scope of a read request. Every read API passes `scopeOf(request)` into the storage
 * reader, so tenant isolation is decided in one place: the hook that sets `request.tenant`.
 */
import type { FastifyRequest } from 'fastify';
import type { TenantScope } from '../storage/api.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant this request reads; undefined reads every tenant (multi-tenancy off). */
    tenant?: string;
  }
}

/** The storage scope of a request: its tenant when one was resolved, otherwise every tenant. */
export function scopeOf(request: FastifyRequest): TenantScope {
  return request.tenant === undefined ? {} : { tenant: request.tenant };
}
