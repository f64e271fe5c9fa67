import { describe, expect, it } from 'vitest';
import type { Span } from '../model/index.js';
import type { TraceSummary } from './api.js';
import { createMemoryStore } from './memory/index.js';
import { summarizeTrace, traceSummaries } from './summaries.js';

const T = '0000000000000000463ac35c9f6413ad';

function span(fields: Partial<Span> & Pick<Span, 'spanId' | 'service' | 'name' | 'startUs' | 'durationUs'>): Span {
  return { traceId: T, kind: 'server', statusCode: 'unset', attributes: {}, events: [], links: [], resource: {}, tenant: '', ...fields };
}

const root = span({ spanId: '0000000000000001', service: 'frontend', name: 'GET /', startUs: 1_000, durationUs: 500 });
const client = span({ spanId: '0000000000000002', parentSpanId: '0000000000000001', kind: 'client', service: 'frontend', name: 'call', startUs: 1_100, durationUs: 300 });
const shared = span({ spanId: '0000000000000002', parentSpanId: '0000000000000001', service: 'backend', name: 'call', startUs: 1_150, durationUs: 200, shared: true, statusCode: 'error' });
const late = span({ spanId: '0000000000000003', parentSpanId: '0000000000000002', kind: 'client', service: 'backend', name: 'db', startUs: 1_200, durationUs: 900, statusCode: 'error' });
const orphan = span({ spanId: '0000000000000004', parentSpanId: '00000000000000ff', service: 'auth', name: 'check', startUs: 900, durationUs: 10 });
const secondRoot = span({ spanId: '0000000000000005', service: 'zeta', name: 'cron', startUs: 1_000, durationUs: 100 });

describe('summarizeTrace', () => {
  const cases: Array<[string, Span[], TraceSummary]> = [
    [
      'one span',
      [root],
      {
        traceId: T, rootService: 'frontend', rootOperation: 'GET /', startUs: 1_000, endUs: 1_500, spanCount: 1, errorCount: 0, orphanCount: 0,
        services: [{ name: 'frontend', spanCount: 1, errorCount: 0 }],
      },
    ],
    [
      'shared client/server halves count as two spans; the latest end wins; errors per service',
      [late, shared, client, root],
      {
        traceId: T, rootService: 'frontend', rootOperation: 'GET /', startUs: 1_000, endUs: 2_100, spanCount: 4, errorCount: 2, orphanCount: 0,
        services: [{ name: 'backend', spanCount: 2, errorCount: 2 }, { name: 'frontend', spanCount: 2, errorCount: 0 }],
      },
    ],
    [
      'an orphan starting first sets the start but is not the root',
      [root, orphan],
      {
        traceId: T, rootService: 'frontend', rootOperation: 'GET /', startUs: 900, endUs: 1_500, spanCount: 2, errorCount: 0, orphanCount: 1,
        services: [{ name: 'auth', spanCount: 1, errorCount: 0 }, { name: 'frontend', spanCount: 1, errorCount: 0 }],
      },
    ],
    [
      'two roots starting together: the longer one is the root, whatever the order',
      [secondRoot, root],
      {
        traceId: T, rootService: 'frontend', rootOperation: 'GET /', startUs: 1_000, endUs: 1_500, spanCount: 2, errorCount: 0, orphanCount: 0,
        services: [{ name: 'frontend', spanCount: 1, errorCount: 0 }, { name: 'zeta', spanCount: 1, errorCount: 0 }],
      },
    ],
    [
      'no parentless span: no root, every span counted as an orphan where its parent is missing',
      [late, orphan],
      {
        traceId: T, startUs: 900, endUs: 2_100, spanCount: 2, errorCount: 1, orphanCount: 2,
        services: [{ name: 'auth', spanCount: 1, errorCount: 0 }, { name: 'backend', spanCount: 1, errorCount: 1 }],
      },
    ],
  ];
  it.each(cases)('%s', (_name, spans, expected) => {
    expect(summarizeTrace(spans)).toEqual(expected);
    expect(summarizeTrace([...spans].reverse())).toEqual(expected);
  });
});

describe('traceSummaries', () => {
  const other = '80f198ee56343ba864fe8b2a57d3eff7';
  const otherRoot = span({ traceId: other, spanId: '0000000000000009', service: 'batch', name: 'run', startUs: 5_000, durationUs: 1 });

  it('uses the engine capability and the getTraces fallback alike: order kept, missing omitted', async () => {
    const store = createMemoryStore();
    await store.writer.writeSpans([root, client, otherRoot]);
    await store.writer.writeSpans([shared, late, structuredClone(late)]);
    const ids = [other, '0123456789abcdef0123456789abcdef', T];
    const expected = [summarizeTrace([otherRoot]), summarizeTrace([root, client, shared, late])];
    expect(store.reader.getTraceSummaries).toBeDefined();
    expect(await traceSummaries(store.reader, { traceIds: ids })).toEqual(expected);
    const withoutCapability = { ...store.reader, getTraceSummaries: undefined };
    expect(await traceSummaries(withoutCapability, { traceIds: ids })).toEqual(expected);
    expect(await traceSummaries(store.reader, { traceIds: [] })).toEqual([]);
    expect(await traceSummaries(store.reader, { tenant: 'acme', traceIds: ids })).toEqual([]);
    await store.close();
  });
});
