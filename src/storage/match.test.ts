import { describe, expect, it } from 'vitest';
import type { Span } from '../model/index.js';
import type { TraceQuery } from './api.js';
import { spanMatches } from './match.js';

const span: Span = {
  traceId: '0000000000000000000000000000000a',
  spanId: '000000000000000b',
  kind: 'client',
  name: 'GET /users',
  service: 'web',
  startUs: 1_000,
  durationUs: 250,
  statusCode: 'error',
  attributes: { 'http.status_code': 503, retried: false, 'http.method': 'GET' },
  events: [{ timeUs: 1_100, name: 'cache.miss' }],
  links: [],
  resource: { 'host.name': 'web-1' },
  remoteEndpoint: { serviceName: 'users' },
  tenant: 't1',
};

const base: TraceQuery = { startUsMin: 0, startUsMax: 10_000, limit: 10 };

describe('spanMatches', () => {
  const cases: Array<[string, Partial<TraceQuery>, boolean]> = [
    ['no conditions', {}, true],
    ['tenant matches', { tenant: 't1' }, true],
    ['other tenant', { tenant: '' }, false],
    ['service', { service: 'web' }, true],
    ['other service', { service: 'users' }, false],
    ['operation', { operation: 'GET /users' }, true],
    ['other operation', { operation: 'GET' }, false],
    ['span kind', { spanKind: 'client' }, true],
    ['other span kind', { spanKind: 'server' }, false],
    ['remote service', { remoteService: 'users' }, true],
    ['other remote service', { remoteService: 'web' }, false],
    ['number compared as string', { attributes: [{ key: 'http.status_code', value: '503' }] }, true],
    ['number with another spelling', { attributes: [{ key: 'http.status_code', value: '503.0' }] }, false],
    ['boolean compared as string', { attributes: [{ key: 'retried', value: 'false' }] }, true],
    ['resource attribute', { attributes: [{ key: 'host.name', value: 'web-1' }] }, true],
    ['key only on attributes', { attributes: [{ key: 'retried' }] }, true],
    ['key only on resource', { attributes: [{ key: 'host.name' }] }, true],
    ['key only on an event name', { attributes: [{ key: 'cache.miss' }] }, true],
    ['event name with a value', { attributes: [{ key: 'cache.miss', value: 'cache.miss' }] }, false],
    ['absent key', { attributes: [{ key: 'user.id' }] }, false],
    ['prototype key is not an attribute', { attributes: [{ key: 'constructor' }] }, false],
    ['prototype key with a value', { attributes: [{ key: 'toString', value: 'x' }] }, false],
    ['all attributes must match', { attributes: [{ key: 'http.method', value: 'GET' }, { key: 'retried', value: 'true' }] }, false],
    ['min duration inclusive', { minDurationUs: 250 }, true],
    ['min duration above', { minDurationUs: 251 }, false],
    ['max duration inclusive', { maxDurationUs: 250 }, true],
    ['max duration below', { maxDurationUs: 249 }, false],
    ['start bounds inclusive', { startUsMin: 1_000, startUsMax: 1_000 }, true],
    ['start before window', { startUsMin: 1_001 }, false],
    ['start after window', { startUsMax: 999 }, false],
  ];
  it.each(cases)('%s', (_name, query, expected) => {
    expect(spanMatches(span, { ...base, ...query })).toBe(expected);
  });
});
