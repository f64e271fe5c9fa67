import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/server/config.js';
import { findRole, roleStorageProblem, ROLES } from '../../src/server/roles.js';

describe('ClickHouse options', () => {
  it('has defaults for every ClickHouse flag', () => {
    expect(parseArgs([]).config).toMatchObject({
      clickhouseUrl: 'http://127.0.0.1:8123', clickhouseDatabase: 'ariadne', clickhouseUsername: 'default', clickhousePassword: '',
      clickhouseBatchSpans: 10_000, clickhouseBatchIntervalMs: 200, clickhouseMaxBufferedSpans: 200_000,
      clickhouseWriteTimeoutMs: 30_000, clickhouseTimeoutMs: 30_000, clickhouseConnectTimeoutMs: 60_000,
    });
  });

  it('takes flags and the password from the environment', () => {
    const { config } = parseArgs(
      ['collector', '--storage', 'clickhouse', '--clickhouse.url', 'http://ch.internal:8123/', '--clickhouse.database=traces', '--clickhouse.batch-interval', '1s'],
      { ARIADNE_CLICKHOUSE_PASSWORD: 'p@ss', ARIADNE_CLICKHOUSE_USERNAME: 'writer' },
    );
    expect(config).toMatchObject({
      storage: 'clickhouse', clickhouseUrl: 'http://ch.internal:8123', clickhouseDatabase: 'traces', clickhouseUsername: 'writer',
      clickhousePassword: 'p@ss', clickhouseBatchIntervalMs: 1_000,
    });
  });

  const bad: Array<[string, string[], string]> = [
    ['a URL without scheme', ['--clickhouse.url', 'ch:8123x'], '--clickhouse.url: expected an http:// or https:// URL'],
    ['a native-protocol URL', ['--clickhouse.url', 'tcp://ch:9000'], '--clickhouse.url: expected an http:// or https:// URL'],
    ['a database name that would need quoting', ['--clickhouse.database', 'a`; DROP'], '--clickhouse.database: expected letters, digits and _'],
    ['a database name starting with a digit', ['--clickhouse.database', '1db'], '--clickhouse.database: expected letters, digits and _'],
    ['zero spans per batch', ['--clickhouse.batch-spans', '0'], '--clickhouse.batch-spans: expected a positive integer'],
  ];
  it.each(bad)('rejects %s', (_name, argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('collector and query roles', () => {
  it('split all-in-one: collector receives and samples, query serves the read APIs', () => {
    expect(findRole('collector')!.modules).toEqual(['store', 'zipkin-receiver', 'jaeger-receiver', 'jaeger-udp', 'otlp-receiver', 'sampling', 'admin']);
    expect(findRole('query')!.modules).toEqual(['store', 'zipkin-query', 'jaeger-query', 'admin']);
  });

  const cases: Array<[string, string, string | undefined]> = [
    ['collector', 'clickhouse', undefined],
    ['query', 'clickhouse', undefined],
    ['collector', 'embedded', 'role collector needs a store shared with the other roles: run it with --storage=clickhouse --clickhouse.url=... (--storage=embedded keeps spans inside one process; use all-in-one for a single node)'],
    ['query', 'memory', 'role query needs a store shared with the other roles: run it with --storage=clickhouse --clickhouse.url=... (--storage=memory keeps spans inside one process; use all-in-one for a single node)'],
    ['all-in-one', 'embedded', undefined],
    ['all-in-one', 'clickhouse', undefined],
  ];
  it.each(cases)('%s on %s', (role, storage, problem) => {
    expect(roleStorageProblem(findRole(role)!, storage)).toBe(problem);
  });

  it('every role is listed once', () => {
    expect(ROLES.map((r) => r.name)).toEqual(['all-in-one', 'collector', 'query', 'agent']);
  });
});
