/**
 * Who may do what, decided once per request before any route runs: credentials (auth.ts) first,
 * then the tenant. Multi-tenancy follows Jaeger's flags and answers: the tenant comes from one
 * header (HTTP) or metadata key (gRPC), `x-tenant` by default; a missing one is refused with 401 /
 * UNAUTHENTICATED, one outside `--multi-tenancy.tenants` with 401 / PERMISSION_DENIED. Read
 * requests then carry `request.tenant`, which scopeOf turns into every storage call's scope.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metadata } from '@grpc/grpc-js';
import { Counter, type Registry } from 'prom-client';
import type { GrpcAccess, GrpcAuthorize } from '../receivers/index.js';
import type { Authenticator, AuthScope } from './auth.js';
import { authCovers } from './auth.js';
import { TENANT_PATTERN } from './config.js';
// The `request.tenant` field the hooks set is declared there, next to scopeOf.
import type {} from '../query/scope.js';

/** Multi-tenancy settings (the --multi-tenancy.* flags). */
export interface TenancyOptions {
  enabled: boolean;
  /** Lower-case header / metadata key. */
  header: string;
  /** Allowed tenants; empty allows any well-formed tenant. */
  tenants: readonly string[];
}

/**
 * What a request does, which decides what it must show:
 * - ingest: writes spans (credentials under scope ingest/all; a tenant when tenancy is on);
 * - query: reads spans (credentials under scope query/all; a tenant when tenancy is on);
 * - page: the UI's files (credentials under scope query/all, so a browser prompts; no tenant);
 * - open: health, redirects, sampling strategies (nothing).
 */
export type Surface = 'ingest' | 'query' | 'page' | 'open';

/** gRPC status codes a refusal maps to (as Jaeger's tenancy answers). */
export const GRPC_UNAUTHENTICATED = 16;
/** gRPC PERMISSION_DENIED. */
export const GRPC_PERMISSION_DENIED = 7;

/** A refused request: HTTP status, gRPC code, a message naming what is missing, and the challenge for a 401 without credentials. */
export interface Refusal {
  ok: false;
  status: 401 | 403;
  grpcCode: number;
  message: string;
  challenge?: string;
  /** Set when the credentials were refused (tenant refusals leave it unset). */
  credentials?: true;
}

/** An allowed request and its tenant (undefined: every tenant for reads, the default tenant for writes). */
export interface Allowed {
  ok: true;
  tenant?: string;
  /** Who the credentials named, for logs ('' without auth). */
  principal: string;
}

/** What one request shows. */
export interface AccessRequest {
  surface: Surface;
  /** The Authorization value, if any. */
  authorization?: string;
  /** Every value of the tenant header / metadata key the request carries. */
  tenantValues: readonly string[];
  /** The Zipkin path token (/<token>/api/v2/spans), if any. */
  pathTenant?: string;
}

/** Decides requests; one per process. */
export interface AccessGuard {
  readonly tenancy: TenancyOptions;
  /** True when nothing is ever checked (no auth, tenancy off): hooks need not be installed. */
  readonly inactive: boolean;
  check(request: AccessRequest): Promise<Allowed | Refusal>;
}

/** Options of {@link createAccessGuard}. */
export interface AccessGuardOptions {
  tenancy: TenancyOptions;
  auth?: Authenticator;
  /** What the credentials protect (default all). */
  authScope?: AuthScope;
  /** Registry for `ariadne_access_refused_total{surface,reason}`; refusals are not counted without one. */
  registry?: Registry;
}

/**
 * Why a request was refused, the `reason` label of `ariadne_access_refused_total`: missing or
 * wrong credentials, no (valid) tenant named, or a tenant not allowed (unknown, or not the one
 * the credentials or the path token name).
 */
export type AccessRefusalReason = 'credentials' | 'tenant_missing' | 'tenant_denied';

/**
 * The tenant of a request with multi-tenancy on, or why there is none. The header wins over
 * nothing else: a Zipkin path token alone names the tenant, and when both are given they must
 * agree; a token pinned to a tenant names it when the header is absent and refuses any other.
 */
export function resolveTenant(
  tenancy: TenancyOptions,
  input: { values: readonly string[]; pathTenant?: string; pinned?: string },
): { ok: true; tenant: string } | Refusal {
  const header = tenancy.header;
  const refuse = (grpcCode: number, message: string, status: 401 | 403 = 401): Refusal => ({ ok: false, status, grpcCode, message });
  if (input.values.length > 1) return refuse(GRPC_UNAUTHENTICATED, `more than one ${header} header: send exactly one tenant`);
  const fromHeader = input.values[0];
  if (fromHeader !== undefined && !TENANT_PATTERN.test(fromHeader)) {
    return refuse(GRPC_UNAUTHENTICATED, `${header}: expected a tenant of 1-128 printable characters without spaces or commas`);
  }
  if (fromHeader !== undefined && input.pathTenant !== undefined && fromHeader !== input.pathTenant) {
    return refuse(GRPC_PERMISSION_DENIED, `the ${header} header and the tenant token in the path name different tenants`);
  }
  const tenant = fromHeader ?? input.pathTenant ?? input.pinned;
  if (tenant === undefined) return refuse(GRPC_UNAUTHENTICATED, `missing tenant: send the ${header} header`);
  if (input.pinned !== undefined && tenant !== input.pinned) {
    return refuse(GRPC_PERMISSION_DENIED, `these credentials may not act for tenant ${JSON.stringify(tenant)}`, 403);
  }
  if (tenancy.tenants.length > 0 && !tenancy.tenants.includes(tenant)) {
    return refuse(GRPC_PERMISSION_DENIED, `unknown tenant ${JSON.stringify(tenant)} in ${header}`);
  }
  return { ok: true, tenant };
}

/** Creates the guard of a process from its tenancy settings and, when given, its credentials. */
export function createAccessGuard(options: AccessGuardOptions): AccessGuard {
  const { tenancy, auth } = options;
  const scope = options.authScope ?? 'all';
  const refused = options.registry
    ? new Counter({
      name: 'ariadne_access_refused_total', help: 'Requests refused by auth or tenancy, by surface (ingest, query, page) and reason (credentials, tenant_missing, tenant_denied)',
      labelNames: ['surface', 'reason'] as const, registers: [options.registry],
    })
    : undefined;
  const decide = async (request: AccessRequest): Promise<Allowed | Refusal> => {
      if (request.surface === 'open') return { ok: true, principal: '' };
      let pinned: string | undefined;
      let principal = '';
      if (auth && authCovers(scope, request.surface === 'ingest' ? 'ingest' : 'query')) {
        const result = await auth.authenticate(request.authorization);
        if (!result.ok) return { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: result.message, challenge: auth.challenge, credentials: true };
        pinned = result.tenant;
        principal = result.principal;
      }
      if (request.surface === 'page') return { ok: true, principal };
      if (!tenancy.enabled) {
        // As without multi-tenancy: reads see every tenant, writes go to their path token's tenant or the default one.
        return request.surface === 'ingest' && request.pathTenant !== undefined ? { ok: true, tenant: request.pathTenant, principal } : { ok: true, principal };
      }
      const resolved = resolveTenant(tenancy, pinned === undefined
        ? { values: request.tenantValues, ...(request.pathTenant === undefined ? {} : { pathTenant: request.pathTenant }) }
        : { values: request.tenantValues, pinned, ...(request.pathTenant === undefined ? {} : { pathTenant: request.pathTenant }) });
      return resolved.ok ? { ok: true, tenant: resolved.tenant, principal } : resolved;
  };
  return {
    tenancy,
    inactive: !tenancy.enabled && auth === undefined,
    async check(request) {
      const decision = await decide(request);
      if (!decision.ok && refused) {
        const reason: AccessRefusalReason = decision.credentials === true ? 'credentials'
          : decision.grpcCode === GRPC_PERMISSION_DENIED ? 'tenant_denied' : 'tenant_missing';
        refused.inc({ surface: request.surface, reason });
      }
      return decision;
    },
  };
}

/** Every value of header `name` a request carries (Node joins repeated custom headers; the raw list does not). */
function headerValues(request: FastifyRequest, name: string): string[] {
  const raw = request.raw.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === name) values.push(raw[i + 1]!.trim());
  }
  return values;
}

/** Options of {@link guardHttp}. */
export interface GuardHttpOptions {
  /** What each request of this port does. */
  surfaceOf(request: FastifyRequest): Surface;
  /** How refusals are written: `{"error": …}` JSON, or plain text as Zipkin and Jaeger's collector answer. */
  body: 'json' | 'text';
}

/**
 * Adds an onRequest hook to `app` (register it before the routes, after CORS so preflights still
 * answer) that refuses what the guard refuses (401 with WWW-Authenticate when credentials are
 * missing or wrong, 401 for a missing or unknown tenant, 403 for pinned credentials used for
 * another tenant) and otherwise sets `request.tenant`.
 */
export function guardHttp(app: FastifyInstance, guard: AccessGuard, options: GuardHttpOptions): void {
  if (guard.inactive) return;
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const surface = options.surfaceOf(request);
    if (surface === 'open') return;
    const token = (request.params as { token?: unknown } | undefined)?.token;
    const decision = await guard.check({
      surface,
      authorization: request.headers.authorization,
      tenantValues: guard.tenancy.enabled ? headerValues(request, guard.tenancy.header) : [],
      ...(surface === 'ingest' && typeof token === 'string' ? { pathTenant: token } : {}),
    });
    if (decision.ok) {
      if (decision.tenant !== undefined) request.tenant = decision.tenant;
      return;
    }
    request.log.info({ status: decision.status, path: request.url.split('?')[0], reason: decision.message }, 'request refused');
    if (decision.challenge !== undefined) void reply.header('www-authenticate', decision.challenge);
    void reply.status(decision.status).header('cache-control', 'no-store');
    if (options.body === 'text') return reply.type('text/plain; charset=utf-8').send(`${decision.message}\n`);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ error: decision.message }));
  });
  // An answer for one tenant or one user must not be handed to another by a shared cache.
  app.addHook('onSend', async (request, reply, payload) => {
    const cacheControl = reply.getHeader('cache-control');
    if (typeof cacheControl === 'string' && !/\b(private|no-store)\b/.test(cacheControl) && options.surfaceOf(request) !== 'open') {
      void reply.header('cache-control', `private, ${cacheControl}`);
    }
    return payload;
  });
}

/** The gRPC receivers' check: credentials from `authorization` metadata, the tenant from the tenancy key. */
export function guardGrpc(guard: AccessGuard): GrpcAuthorize | undefined {
  if (guard.inactive) return undefined;
  return async (metadata: Metadata): Promise<GrpcAccess> => {
    const text = (key: string) => metadata.get(key).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v).trim());
    const authorization = text('authorization')[0];
    const decision = await guard.check({
      surface: 'ingest',
      ...(authorization === undefined ? {} : { authorization }),
      tenantValues: guard.tenancy.enabled ? text(guard.tenancy.header) : [],
    });
    if (decision.ok) return decision.tenant === undefined ? { ok: true } : { ok: true, tenant: decision.tenant };
    return { ok: false, code: decision.grpcCode, message: decision.message };
  };
}

/** Surfaces of the query port: the APIs read spans; everything else is the UI's files. */
export function queryPortSurface(request: FastifyRequest): Surface {
  return request.url.startsWith('/api/') ? 'query' : 'page';
}

/** Surfaces of the Zipkin port: span POSTs ingest, /health and the redirects to the UI are open, the rest reads. */
export function zipkinPortSurface(request: FastifyRequest): Surface {
  const path = request.url.split('?')[0]!;
  if (request.method === 'POST' && path.endsWith('/spans')) return 'ingest';
  if (path === '/health' || path === '/' || path === '/zipkin' || path === '/zipkin/') return 'open';
  return 'query';
}

/** Surfaces of Jaeger's collector HTTP port: POST /api/traces ingests; sampling strategies stay open for SDKs. */
export function jaegerHttpPortSurface(request: FastifyRequest): Surface {
  return request.method === 'POST' ? 'ingest' : 'open';
}

/** Surfaces of the OTLP/HTTP port: everything ingests. */
export function otlpHttpPortSurface(): Surface {
  return 'ingest';
}
