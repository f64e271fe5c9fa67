import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeOf } from '../query/scope.js';
import { createAuthenticator, type Authenticator } from './auth.js';
import { createHttpApp } from './http.js';
import { addSecurityHeaders, DATA_CONTENT_SECURITY_POLICY } from './security-headers.js';
import {
  GRPC_PERMISSION_DENIED, GRPC_UNAUTHENTICATED, createAccessGuard, guardGrpc, guardHttp, jaegerHttpPortSurface, queryPortSurface, resolveTenant,
  zipkinPortSurface, type AccessRequest, type TenancyOptions,
} from './tenancy.js';

const logger = pino({ level: 'silent' });
const OPEN: TenancyOptions = { enabled: true, header: 'x-tenant', tenants: [] };
const LISTED: TenancyOptions = { enabled: true, header: 'x-tenant', tenants: ['team-a', 'team-b'] };
const OFF: TenancyOptions = { enabled: false, header: 'x-tenant', tenants: [] };
const TOKEN = 'tok-aaaaaaaaaaaaaaaa';
const PINNED_B = 'tok-bbbbbbbbbbbbbbbb';

describe('resolveTenant', () => {
  const cases: Array<[string, TenancyOptions, { values: string[]; pathTenant?: string; pinned?: string }, unknown]> = [
    ['header', OPEN, { values: ['team-a'] }, { ok: true, tenant: 'team-a' }],
    ['missing', OPEN, { values: [] }, { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'missing tenant: send the x-tenant header' }],
    ['two headers', OPEN, { values: ['a', 'b'] }, { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'more than one x-tenant header: send exactly one tenant' }],
    ['malformed', OPEN, { values: ['team a'] }, { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'x-tenant: expected a tenant of 1-128 printable characters without spaces or commas' }],
    ['empty header', OPEN, { values: [''] }, { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'x-tenant: expected a tenant of 1-128 printable characters without spaces or commas' }],
    ['listed', LISTED, { values: ['team-b'] }, { ok: true, tenant: 'team-b' }],
    ['unlisted', LISTED, { values: ['team-c'] }, { ok: false, status: 401, grpcCode: GRPC_PERMISSION_DENIED, message: 'unknown tenant "team-c" in x-tenant' }],
    ['path token alone', OPEN, { values: [], pathTenant: 'edge' }, { ok: true, tenant: 'edge' }],
    ['path token and header agree', OPEN, { values: ['edge'], pathTenant: 'edge' }, { ok: true, tenant: 'edge' }],
    ['path token and header differ', OPEN, { values: ['team-a'], pathTenant: 'edge' },
      { ok: false, status: 401, grpcCode: GRPC_PERMISSION_DENIED, message: 'the x-tenant header and the tenant token in the path name different tenants' }],
    ['unlisted path token', LISTED, { values: [], pathTenant: 'edge' }, { ok: false, status: 401, grpcCode: GRPC_PERMISSION_DENIED, message: 'unknown tenant "edge" in x-tenant' }],
    ['pinned, no header', OPEN, { values: [], pinned: 'team-b' }, { ok: true, tenant: 'team-b' }],
    ['pinned, same header', OPEN, { values: ['team-b'], pinned: 'team-b' }, { ok: true, tenant: 'team-b' }],
    ['pinned, other header', OPEN, { values: ['team-a'], pinned: 'team-b' },
      { ok: false, status: 403, grpcCode: GRPC_PERMISSION_DENIED, message: 'these credentials may not act for tenant "team-a"' }],
    ['custom header named', { ...OPEN, header: 'x-scope-orgid' }, { values: [] }, { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'missing tenant: send the x-scope-orgid header' }],
  ];
  it.each(cases)('%s', (_name, tenancy, input, expected) => {
    expect(resolveTenant(tenancy, input)).toEqual(expected);
  });
});

describe('createAccessGuard', () => {
  let dir: string;
  let auth: Authenticator;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-guard-'));
    await writeFile(join(dir, 'tokens'), `${TOKEN}\n${PINNED_B} team-b\n`);
    auth = await createAuthenticator({ tokensFile: join(dir, 'tokens'), allowPins: true, logger, pollIntervalMs: 0 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const bearer = (token: string) => `Bearer ${token}`;
  const cases: Array<[string, { tenancy: TenancyOptions; withAuth: boolean; scope?: 'query' | 'ingest' | 'all' }, AccessRequest, unknown]> = [
    ['off: reads see every tenant', { tenancy: OFF, withAuth: false }, { surface: 'query', tenantValues: [] }, { ok: true, principal: '' }],
    ['off: a path token names the written tenant', { tenancy: OFF, withAuth: false }, { surface: 'ingest', tenantValues: [], pathTenant: 'edge' }, { ok: true, tenant: 'edge', principal: '' }],
    ['on: read for the header tenant', { tenancy: OPEN, withAuth: false }, { surface: 'query', tenantValues: ['team-a'] }, { ok: true, tenant: 'team-a', principal: '' }],
    ['on: UI files need no tenant', { tenancy: OPEN, withAuth: false }, { surface: 'page', tenantValues: [] }, { ok: true, principal: '' }],
    ['on: open paths need nothing', { tenancy: OPEN, withAuth: true }, { surface: 'open', tenantValues: [] }, { ok: true, principal: '' }],
    ['auth: no credentials', { tenancy: OFF, withAuth: true }, { surface: 'query', tenantValues: [] },
      { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'credentials required: send an Authorization header (Bearer token or Basic)', challenge: 'Bearer realm="ariadne"', credentials: true }],
    ['auth: UI files need credentials', { tenancy: OFF, withAuth: true }, { surface: 'page', tenantValues: [] },
      { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'credentials required: send an Authorization header (Bearer token or Basic)', challenge: 'Bearer realm="ariadne"', credentials: true }],
    ['auth: wrong token', { tenancy: OFF, withAuth: true }, { surface: 'ingest', tenantValues: [], authorization: bearer('tok-zzzzzzzzzzzzzzzz') },
      { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'invalid credentials', challenge: 'Bearer realm="ariadne"', credentials: true }],
    ['auth: right token', { tenancy: OFF, withAuth: true }, { surface: 'query', tenantValues: [], authorization: bearer(TOKEN) }, { ok: true, principal: 'token@line1' }],
    ['auth on query only: ingest is free', { tenancy: OFF, withAuth: true, scope: 'query' }, { surface: 'ingest', tenantValues: [] }, { ok: true, principal: '' }],
    ['auth on ingest only: reads are free', { tenancy: OFF, withAuth: true, scope: 'ingest' }, { surface: 'query', tenantValues: [] }, { ok: true, principal: '' }],
    ['auth then tenancy: credentials first', { tenancy: OPEN, withAuth: true }, { surface: 'query', tenantValues: [] },
      { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'credentials required: send an Authorization header (Bearer token or Basic)', challenge: 'Bearer realm="ariadne"', credentials: true }],
    ['pinned token names its tenant', { tenancy: OPEN, withAuth: true }, { surface: 'query', tenantValues: [], authorization: bearer(PINNED_B) }, { ok: true, tenant: 'team-b', principal: 'token@line2' }],
    ['pinned token for another tenant', { tenancy: OPEN, withAuth: true }, { surface: 'ingest', tenantValues: ['team-a'], authorization: bearer(PINNED_B) },
      { ok: false, status: 403, grpcCode: GRPC_PERMISSION_DENIED, message: 'these credentials may not act for tenant "team-a"' }],
    ['unpinned token still needs a tenant', { tenancy: OPEN, withAuth: true }, { surface: 'query', tenantValues: [], authorization: bearer(TOKEN) },
      { ok: false, status: 401, grpcCode: GRPC_UNAUTHENTICATED, message: 'missing tenant: send the x-tenant header' }],
  ];
  it.each(cases)('%s', async (_name, setup, request, expected) => {
    const guard = createAccessGuard({ tenancy: setup.tenancy, ...(setup.withAuth ? { auth, authScope: setup.scope ?? 'all' } : {}) });
    expect(await guard.check(request)).toEqual(expected);
  });

  it('counts refusals by surface and reason', async () => {
    const registry = new Registry();
    const guard = createAccessGuard({ tenancy: LISTED, auth, registry });
    const requests: AccessRequest[] = [
      { surface: 'ingest', tenantValues: ['team-a'] },
      { surface: 'query', tenantValues: ['team-a'], authorization: bearer('tok-zzzzzzzzzzzzzzzz') },
      { surface: 'query', tenantValues: [], authorization: bearer(TOKEN) },
      { surface: 'ingest', tenantValues: ['team-z'], authorization: bearer(TOKEN) },
      { surface: 'ingest', tenantValues: ['team-a'], authorization: bearer(PINNED_B) },
      { surface: 'ingest', tenantValues: ['team-a'], authorization: bearer(TOKEN) },
    ];
    for (const r of requests) await guard.check(r);
    const counted = (await registry.getSingleMetric('ariadne_access_refused_total')!.get()).values
      .map((v) => `${v.labels.surface} ${v.labels.reason} ${v.value}`).sort();
    expect(counted).toEqual(['ingest credentials 1', 'ingest tenant_denied 2', 'query credentials 1', 'query tenant_missing 1']);
  });

  it('is inactive with tenancy off and no credentials', () => {
    expect(createAccessGuard({ tenancy: OFF }).inactive).toBe(true);
    expect(createAccessGuard({ tenancy: OPEN }).inactive).toBe(false);
    expect(createAccessGuard({ tenancy: OFF, auth }).inactive).toBe(false);
  });

  it('checks gRPC metadata: authorization, then the tenant key', async () => {
    const authorize = guardGrpc(createAccessGuard({ tenancy: LISTED, auth }))!;
    const metadata = (entries: Array<[string, string]>) => {
      const m = new Metadata();
      for (const [k, v] of entries) m.add(k, v);
      return m;
    };
    expect(await authorize(metadata([]))).toEqual({ ok: false, code: GRPC_UNAUTHENTICATED, message: 'credentials required: send an Authorization header (Bearer token or Basic)' });
    expect(await authorize(metadata([['authorization', bearer(TOKEN)]]))).toEqual({ ok: false, code: GRPC_UNAUTHENTICATED, message: 'missing tenant: send the x-tenant header' });
    expect(await authorize(metadata([['authorization', bearer(TOKEN)], ['x-tenant', 'team-z']]))).toEqual({ ok: false, code: GRPC_PERMISSION_DENIED, message: 'unknown tenant "team-z" in x-tenant' });
    expect(await authorize(metadata([['authorization', bearer(TOKEN)], ['x-tenant', 'team-a']]))).toEqual({ ok: true, tenant: 'team-a' });
    expect(await authorize(metadata([['authorization', bearer(PINNED_B)]]))).toEqual({ ok: true, tenant: 'team-b' });
    expect(guardGrpc(createAccessGuard({ tenancy: OFF }))).toBeUndefined();
  });
});

describe('guardHttp', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = createHttpApp({ logger, bodyLimit: 1024 });
    addSecurityHeaders(app);
    guardHttp(app, createAccessGuard({ tenancy: LISTED }), { surfaceOf: queryPortSurface, body: 'json' });
    app.get('/api/scope', async (request) => scopeOf(request));
    app.get('/api/cached', async (_request, reply) => reply.header('cache-control', 'max-age=300').send({}));
    app.get('/search', async () => 'page');
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  const cases: Array<[string, string, Record<string, string>, number, unknown]> = [
    ['scoped read', '/api/scope', { 'x-tenant': 'team-a' }, 200, { tenant: 'team-a' }],
    ['missing tenant', '/api/scope', {}, 401, { error: 'missing tenant: send the x-tenant header' }],
    ['unknown tenant', '/api/scope', { 'x-tenant': 'team-q' }, 401, { error: 'unknown tenant "team-q" in x-tenant' }],
    ['UI page without a tenant', '/search', {}, 200, 'page'],
  ];
  it.each(cases)('%s', async (_name, url, headers, status, body) => {
    const res = await app.inject({ method: 'GET', url, headers });
    expect(res.statusCode).toBe(status);
    expect(String(res.headers['content-type']).startsWith('application/json') ? res.json() : res.body).toEqual(body);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe(DATA_CONTENT_SECURITY_POLICY);
  });

  it('refuses a repeated tenant header even though Node would join the values', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/scope', headers: { 'x-tenant': ['team-a', 'team-b'] } });
    expect([res.statusCode, res.json()]).toEqual([401, { error: 'more than one x-tenant header: send exactly one tenant' }]);
  });

  it('makes cacheable answers private to their tenant', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/cached', headers: { 'x-tenant': 'team-a' } });
    expect(res.headers['cache-control']).toBe('private, max-age=300');
  });
});

describe('port surfaces', () => {
  const req = (method: string, url: string) => ({ method, url }) as never;
  it.each([
    ['zipkin POST spans', zipkinPortSurface(req('POST', '/api/v2/spans')), 'ingest'],
    ['zipkin POST tokenised spans', zipkinPortSurface(req('POST', '/abc/api/v1/spans?')), 'ingest'],
    ['zipkin read API', zipkinPortSurface(req('GET', '/api/v2/services')), 'query'],
    ['zipkin read API under /zipkin', zipkinPortSurface(req('GET', '/zipkin/api/v2/traces?limit=1')), 'query'],
    ['zipkin health', zipkinPortSurface(req('GET', '/health')), 'open'],
    ['zipkin redirect to the UI', zipkinPortSurface(req('GET', '/zipkin/')), 'open'],
    ['query API', queryPortSurface(req('GET', '/api/v3/services')), 'query'],
    ['query UI file', queryPortSurface(req('GET', '/assets/index.js')), 'page'],
    ['jaeger collector POST', jaegerHttpPortSurface(req('POST', '/api/traces')), 'ingest'],
    ['jaeger sampling', jaegerHttpPortSurface(req('GET', '/api/sampling?service=a')), 'open'],
  ])('%s', (_name, surface, expected) => {
    expect(surface).toBe(expected);
  });
});
