import { describe, expect, it } from 'vitest';
import { PORT_OFF, helpText, parseArgs, parseSize } from './config.js';
import { ROLES } from './roles.js';

describe('parseArgs', () => {
  it('applies defaults', () => {
    const { config, positionals, help } = parseArgs([]);
    expect(help).toBe(false);
    expect(positionals).toEqual([]);
    expect(config).toMatchObject({
      host: '0.0.0.0', zipkinPort: 9411, queryPort: 16686, adminPort: 14269, storage: 'embedded', dataDir: './data',
      retentionUs: 7 * 86_400_000_000, maxDiskBytes: 0, maxBodyBytes: 16 * 1024 * 1024, clockSkewAdjust: false,
      zipkinAutocompleteKeys: ['http.method', 'http.status_code', 'error'], logLevel: 'info', flushIntervalMs: 30_000,
    });
  });

  it('takes flags over environment over defaults', () => {
    const { config, positionals } = parseArgs(
      ['all-in-one', '--zipkin.port', '19411', '--data-dir=/tmp/x', '--query.clock-skew-adjust', '--retention', '48h'],
      { ARIADNE_ZIPKIN_PORT: '1', ARIADNE_QUERY_PORT: '26686', ARIADNE_MAX_BODY: '1MiB' },
    );
    expect(positionals).toEqual(['all-in-one']);
    expect(config.zipkinPort).toBe(19411);
    expect(config.queryPort).toBe(26686);
    expect(config.dataDir).toBe('/tmp/x');
    expect(config.clockSkewAdjust).toBe(true);
    expect(config.retentionUs).toBe(48 * 3_600_000_000);
    expect(config.maxBodyBytes).toBe(1024 * 1024);
  });

  const bad: Array<[string, string[], NodeJS.ProcessEnv, string]> = [
    ['unknown flag', ['--nope'], {}, 'unknown flag --nope'],
    ['port out of range', ['--zipkin.port', '70000'], {}, '--zipkin.port: expected a port number'],
    ['bad env value names the variable', [], { ARIADNE_STORAGE: 'cassandra' }, 'ARIADNE_STORAGE: expected one of embedded, memory'],
    ['bad retention', ['--retention', 'soon'], {}, '--retention: expected a duration'],
    ['missing value', ['--data-dir'], {}, '--data-dir: a value is required'],
  ];
  it.each(bad)('rejects %s', (_name, argv, env, message) => {
    expect(() => parseArgs(argv, env)).toThrow(message);
  });

  it('takes off for a port that should not listen', () => {
    const { config } = parseArgs(['--otlp.grpc-port', 'off'], { ARIADNE_JAEGER_COMPACT_PORT: 'off' });
    expect([config.otlpGrpcPort, config.jaegerCompactPort, config.otlpHttpPort]).toEqual([PORT_OFF, PORT_OFF, 4318]);
  });

  it('recognises --help', () => {
    expect(parseArgs(['--help']).help).toBe(true);
  });
});

describe('parseSize', () => {
  it.each([
    ['16MiB', 16 * 1024 * 1024], ['10GB', 10e9], ['0', 0], ['512', 512], ['1.5KiB', 1536],
  ] as const)('%s', (text, bytes) => {
    expect(parseSize(text, 'x')).toBe(bytes);
  });
  it('rejects nonsense', () => {
    expect(() => parseSize('lots', '--max-disk')).toThrow('--max-disk: expected a size');
  });
});

describe('helpText', () => {
  it('lists every role and every flag with its env var and default', () => {
    const text = helpText(ROLES);
    expect(text).toContain('all-in-one');
    expect(text).toContain('--zipkin.port <value>');
    expect(text).toContain('env ARIADNE_ZIPKIN_PORT, default 9411');
    expect(text).toContain('env ARIADNE_DATA_DIR, default ./data');
  });

  it('leaves at least two spaces between every flag and its description', () => {
    const crowded = helpText(ROLES).split('\n').filter((l) => /^ {2}--\S+ <value>(?! {2})/.test(l));
    expect(crowded).toEqual([]);
  });
});

describe('clickhouse.async-insert', () => {
  it.each([
    ['on by default', [], {}, true],
    ['off by flag', ['--clickhouse.async-insert', 'false'], {}, false],
    ['off by environment', [], { ARIADNE_CLICKHOUSE_ASYNC_INSERT: 'false' }, false],
  ] as Array<[string, string[], NodeJS.ProcessEnv, boolean]>)('%s', (_name, args, env, expected) => {
    expect(parseArgs(args, env).config.clickhouseAsyncInsert).toBe(expected);
  });
});

describe('multi-tenancy and auth flags', () => {
  it('are off by default, with Jaeger\'s header', () => {
    const { config } = parseArgs([]);
    expect([config.tenancyEnabled, config.tenancyHeader, config.tenancyTenants]).toEqual([false, 'x-tenant', []]);
    expect([config.authTokensFile, config.authBasicFile, config.authScope]).toEqual(['', '', 'all']);
  });

  const good: Array<[string, string[], NodeJS.ProcessEnv, Partial<Record<string, unknown>>]> = [
    ['bare enabled flag', ['--multi-tenancy.enabled'], {}, { tenancyEnabled: true }],
    ['header lower-cased', ['--multi-tenancy.header', 'X-Scope-OrgID'], {}, { tenancyHeader: 'x-scope-orgid' }],
    ['tenant list trimmed and deduplicated', ['--multi-tenancy.tenants', ' team-a, team-b ,team-a'], {}, { tenancyTenants: ['team-a', 'team-b'] }],
    ['from the environment', [], { ARIADNE_MULTI_TENANCY_ENABLED: 'true', ARIADNE_AUTH_TOKENS_FILE: '/etc/ariadne/tokens', ARIADNE_AUTH_SCOPE: 'ingest' },
      { tenancyEnabled: true, authTokensFile: '/etc/ariadne/tokens', authScope: 'ingest' }],
    ['basic file and query scope', ['--auth.basic-file=/run/users', '--auth.scope', 'query'], {}, { authBasicFile: '/run/users', authScope: 'query' }],
  ];
  it.each(good)('%s', (_name, argv, env, expected) => {
    expect(parseArgs(argv, env).config).toMatchObject(expected);
  });

  const bad: Array<[string, string[], string]> = [
    ['header with a space', ['--multi-tenancy.header', 'x tenant'], '--multi-tenancy.header: expected an HTTP header name'],
    ['binary metadata key', ['--multi-tenancy.header', 'x-tenant-bin'], '--multi-tenancy.header: expected an HTTP header name'],
    ['the authorization header', ['--multi-tenancy.header', 'Authorization'], '--multi-tenancy.header: expected a header of its own'],
    ['a grpc- header', ['--multi-tenancy.header', 'grpc-tenant'], '--multi-tenancy.header: expected a header of its own'],
    ['tenant with a space', ['--multi-tenancy.tenants', 'a,b c'], '--multi-tenancy.tenants: expected comma-separated tenants'],
    ['unknown scope', ['--auth.scope', 'everything'], '--auth.scope: expected one of query, ingest, all'],
  ];
  it.each(bad)('rejects %s', (_name, argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('are listed by --help', () => {
    const text = helpText(ROLES);
    for (const flag of ['multi-tenancy.enabled', 'multi-tenancy.header', 'multi-tenancy.tenants', 'auth.tokens-file', 'auth.basic-file', 'auth.scope']) {
      expect(text).toContain(`--${flag} <value>`);
    }
    expect(text).toContain('env ARIADNE_MULTI_TENANCY_HEADER, default x-tenant');
  });
});
