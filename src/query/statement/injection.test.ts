/**
 * Statements carrying SQL as literals, keys, patterns and aliases are plain reads: they match
 * nothing, and every span is still there afterwards, in the embedded (DuckDB) store and the memory one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import type { Store } from '../../storage/api.js';
import { createEmbeddedStore } from '../../storage/embedded/index.js';
import { createMemoryStore } from '../../storage/memory/index.js';
import { createHttpApp } from '../../server/http.js';
import { statementApiPlugin } from './index.js';
import { SPAN_RANGE_US, T0, testSpans } from './test-spans.js';

const RANGE = { start: String(T0 / 1000), end: String((T0 + SPAN_RANGE_US) / 1000) };
const PAYLOADS = [
  '"; DROP TABLE spans; --',
  "' OR 1=1 --",
  "'); DELETE FROM spans; --",
  '\\\'; DROP TABLE spans; SELECT \'',
  '1; ATTACH \'/tmp/x.db\' AS x; --',
  "$$; COPY spans TO '/tmp/out.csv'; --",
];

/** Statements whose every literal, key, pattern or alias is a payload; each must answer no spans. */
function statements(p: string): Array<{ q: string; empty: unknown[][] }> {
  const s = JSON.stringify(p);
  const key = p.includes('`') ? `attr(${s})` : `\`${p}\``;
  return [
    { q: `service = ${s}`, empty: [] },
    { q: `service = ${s} or operation = ${s} or http.url = ${s} | stats count()`, empty: [[0]] },
    { q: `${key} exists | stats count(), avg(duration)`, empty: [[0, null]] },
    { q: `attr(${s}) = ${s}`, empty: [] },
    { q: `service in (${s}, ${s}) | stats count() by ${key}`, empty: [] },
    { q: `http.url =~ ${JSON.stringify(p.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'))} | stats count() as ${s}`, empty: [[0]] },
    { q: `service != ${s} and service = ${s} | stats p99(${key}) by operation | sort operation desc`, empty: [] },
    { q: `not (service != ${s}) | sort duration | limit 5`, empty: [] },
  ];
}

function engines(): Array<{ name: string; open: () => Promise<{ store: Store; cleanup: () => Promise<void> }> }> {
  return [
    {
      name: 'embedded',
      open: async () => {
        const dir = await mkdtemp(join(tmpdir(), 'ariadne-statement-'));
        const store = await createEmbeddedStore({
          dataDir: dir, decode: (p) => JSON.parse(p.bytes.toString('utf8')) as Span[], retentionUs: 100 * 365 * 86_400_000_000,
          maxDiskBytes: 0, flushSpans: 100, flushIntervalMs: 50,
        });
        return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
      },
    },
    { name: 'memory', open: async () => ({ store: createMemoryStore({}), cleanup: async () => undefined }) },
  ];
}

for (const engine of engines()) {
  describe(`statements are read-only against the ${engine.name} store`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let app: FastifyInstance;
    const spans = testSpans();

    const query = async (q: string) => {
      const res = await app.inject({ method: 'POST', url: '/api/ariadne/query', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ q, ...RANGE }) });
      return { status: res.statusCode, body: res.json() as { rows: unknown[][]; error?: string } };
    };
    const total = async () => (await query('| stats count(), sum(duration)')).body.rows[0];

    beforeAll(async () => {
      ({ store, cleanup } = await engine.open());
      await store.writer.writeSpans(spans);
      app = createHttpApp({ logger: pino({ level: 'silent' }), bodyLimit: 1024 * 1024 });
      await app.register(statementApiPlugin, { reader: store.reader });
      await app.ready();
      // The embedded store flushes to DuckDB in the background: wait until every span reads back.
      const deadline = Date.now() + 15_000;
      while ((await total())?.[0] !== spans.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    }, 30_000);
    afterAll(async () => {
      await app?.close();
      await store?.close();
      await cleanup?.();
    });

    it('holds every span before the payloads run', async () => {
      expect(await total()).toEqual([spans.length, spans.reduce((n, s) => n + s.durationUs, 0)]);
    });

    for (const payload of PAYLOADS) {
      it(`answers nothing for ${JSON.stringify(payload)} and changes nothing`, async () => {
        for (const { q, empty } of statements(payload)) {
          const { status, body } = await query(q);
          expect({ q, status, rows: body.rows }).toEqual({ q, status: 200, rows: empty });
        }
        const traces = await app.inject({ method: 'GET', url: `/api/ariadne/traces?q=${encodeURIComponent(`service = ${JSON.stringify(payload)} or attr(${JSON.stringify(payload)}) exists`)}&start=${RANGE.start}&end=${RANGE.end}` });
        expect([traces.statusCode, traces.json()]).toEqual([200, { summaries: [] }]);
        expect(await total()).toEqual([spans.length, spans.reduce((n, s) => n + s.durationUs, 0)]);
        expect(await store.reader.getServices({})).toEqual(['productpage', 'ratings', 'reviews']);
      });
    }
  });
}
