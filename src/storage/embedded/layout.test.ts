import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/index.js';
import { CSV_QUOTE, PROMOTED, rowToSpan, spanToRow, stagingCsvLine, type SpanRow, type StoredRow } from './layout.js';

function base(over: Partial<Span> = {}): Span {
  return {
    traceId: '0000000000000000000000000000abcd',
    spanId: '00000000000000ef',
    kind: 'server',
    name: 'GET /x',
    service: 'frontend',
    startUs: 1_700_000_000_000_000,
    durationUs: 1234,
    statusCode: 'unset',
    attributes: {},
    events: [],
    links: [],
    resource: {},
    tenant: '',
    ...over,
  };
}

function stored(row: SpanRow): StoredRow {
  return {
    traceId: row.t,
    spanId: row.s,
    parentSpanId: row.p,
    startUs: row.st,
    durationUs: row.d,
    service: row.sv,
    name: row.n,
    kind: row.k,
    status: row.sc,
    tenant: row.tn,
    remoteService: row.rs,
    promoted: row.pv,
    extra: row.x,
  };
}

const cases: { name: string; span: Span; extra: string | null }[] = [
  { name: 'bare span has no extra JSON', span: base(), extra: null },
  {
    name: 'promoted string tags in canonical order stay in columns only',
    span: base({ attributes: { 'http.method': 'GET', 'http.status_code': '200', component: 'envoy' } }),
    extra: null,
  },
  {
    name: 'typed promoted values keep their type',
    span: base({ attributes: { 'http.status_code': 404, error: true } }),
    extra: '{"pt":{"http.status_code":"n","error":"b"}}',
  },
  {
    name: 'attribute order differing from promoted-first is recorded',
    span: base({ attributes: { 'x.custom': 1.5, 'http.method': 'POST', 'z.flag': false } }),
    extra: '{"a":{"x.custom":1.5,"z.flag":false},"ao":["x.custom","http.method","z.flag"]}',
  },
  {
    name: 'promoted keys out of PROMOTED order are recorded',
    span: base({ attributes: { component: 'grpc', 'http.method': 'GET' } }),
    extra: '{"ao":["component","http.method"]}',
  },
  {
    name: 'every optional field',
    span: base({
      parentSpanId: '0000000000000001',
      kind: 'client',
      statusCode: 'error',
      statusMessage: 'boom',
      attributes: { 'http.method': 'GET', 'db.statement': 'select 1' },
      events: [
        { timeUs: 1_700_000_000_000_100, name: 'cs' },
        { timeUs: 1_700_000_000_000_200, name: 'log', attributes: { level: 'info', n: 3 } },
      ],
      links: [
        { traceId: '0000000000000000000000000000beef', spanId: '0000000000000002', type: 'follows_from' },
        { traceId: '0000000000000000000000000000beef', spanId: '0000000000000003', type: 'link', attributes: { k: true } },
      ],
      resource: { 'service.version': '1.2', 'process.pid': 42 },
      localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
      remoteEndpoint: { serviceName: 'backend', ipv6: '::1' },
      shared: false,
      debug: true,
      tenant: 'team-a',
    }),
    extra:
      '{"a":{"db.statement":"select 1"},"e":[{"t":1700000000000100,"n":"cs"},{"t":1700000000000200,"n":"log","a":{"level":"info","n":3}}],' +
      '"l":[{"t":"0000000000000000000000000000beef","s":"0000000000000002","y":"follows_from"},{"t":"0000000000000000000000000000beef","s":"0000000000000003","y":"link","a":{"k":true}}],' +
      '"r":{"service.version":"1.2","process.pid":42},"le":{"i4":"10.0.0.1","p":8080},"re":{"i6":"::1"},"sm":"boom","sh":false,"db":true}',
  },
  {
    name: 'endpoints without service names, or naming another service',
    span: base({ localEndpoint: { ipv4: '10.0.0.2' }, remoteEndpoint: { port: 9 }, shared: true }),
    extra: '{"le":{"s":null,"i4":"10.0.0.2"},"re":{"s":null,"p":9},"sh":true}',
  },
  {
    name: 'local endpoint naming a different service',
    span: base({ localEndpoint: { serviceName: 'other' } }),
    extra: '{"le":{"s":"other"}}',
  },
];

describe('span row layout', () => {
  for (const c of cases) {
    it(`round-trips exactly: ${c.name}`, () => {
      const row = spanToRow(c.span);
      expect(row.x).toBe(c.extra);
      const back = rowToSpan(stored(row));
      expect(back).toEqual(c.span);
      expect(Object.keys(back.attributes)).toEqual(Object.keys(c.span.attributes));
    });
  }

  it('keeps an attribute named __proto__ as data, never as the prototype', () => {
    const attributes = JSON.parse('{"__proto__": "x", "a": 1}') as Span['attributes'];
    const back = rowToSpan(stored(spanToRow(base({ attributes }))));
    expect(Object.getPrototypeOf(back.attributes)).toBe(Object.prototype);
    expect(Object.entries(back.attributes)).toEqual([['__proto__', 'x'], ['a', 1]]);
  });

  it('puts promoted values in their columns as strings', () => {
    const row = spanToRow(base({ attributes: { 'http.status_code': 500, 'user.id': 'u1' } }));
    const byColumn = Object.fromEntries(PROMOTED.map(([, col], i) => [col, row.pv[i]]));
    expect(byColumn['http_status_code']).toBe('500');
    expect(byColumn['user_id']).toBe('u1');
    expect(byColumn['http_method']).toBe(null);
  });
});

describe('stagingCsvLine', () => {
  const row = spanToRow({
    traceId: '0000000000000000000000000000000a',
    spanId: '000000000000000b',
    kind: 'server',
    name: 'ä',
    service: 's',
    startUs: 5,
    durationUs: 6,
    statusCode: 'ok',
    attributes: { region: 'q\u001fq' },
    events: [],
    links: [],
    resource: {},
    tenant: '',
  });
  const Q = CSV_QUOTE;
  const expected = `4,0000000000000000000000000000000a,000000000000000b,,5,6,${Q}s${Q},${Q}ä${Q},2,1,${Q}${Q},,,,,,,,${Q}q${Q}${Q}q${Q},,,,\n`;

  it('writes NULL as nothing, strings quoted with the quote doubled', () => {
    expect(stagingCsvLine(row, 4)).toBe(expected);
  });
});
