/**
 * Command-line flags and environment variables. Every option is one row of OPTIONS: its flag, its
 * environment variable, its default and how it is parsed, so `--help` and parsing never disagree.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { AppError } from '../errors.js';
import { parseDuration } from '../model/index.js';

/** The resolved configuration of one process. */
export interface Config {
  host: string;
  zipkinPort: number;
  queryPort: number;
  adminPort: number;
  jaegerHttpPort: number;
  jaegerGrpcPort: number;
  jaegerCompactPort: number;
  jaegerBinaryPort: number;
  otlpGrpcPort: number;
  otlpHttpPort: number;
  samplingPort: number;
  samplingStrategiesFile: string;
  samplingReloadMs: number;
  udpQueueSize: number;
  udpSocketBufferBytes: number;
  agentCollector: string;
  agentQueueSize: number;
  agentSamplingUrl: string;
  /** Tenant the agent names on every forwarded batch ('' = none). */
  agentCollectorTenant: string;
  /** File whose first non-empty line is the agent's bearer token for the collector ('' = none). */
  agentCollectorTokenFile: string;
  /** Tenant `ariadne doctor` names on every request ('' = none). */
  doctorTenant: string;
  /** File whose first non-empty line is the doctor's bearer token ('' = none). */
  doctorTokenFile: string;
  /** File whose first non-empty line is the doctor's `user:password` for basic auth ('' = none). */
  doctorBasicFile: string;
  storage: 'embedded' | 'memory' | 'clickhouse';
  clickhouseUrl: string;
  clickhouseDatabase: string;
  clickhouseUsername: string;
  clickhousePassword: string;
  clickhouseBatchSpans: number;
  clickhouseBatchIntervalMs: number;
  clickhouseMaxBufferedSpans: number;
  clickhouseWriteTimeoutMs: number;
  clickhouseTimeoutMs: number;
  clickhouseAsyncInsert: boolean;
  clickhouseConnectTimeoutMs: number;
  dataDir: string;
  retentionUs: number;
  maxDiskBytes: number;
  memoryMaxSpans: number;
  maxBodyBytes: number;
  flushSpans: number;
  flushIntervalMs: number;
  maxBufferedSpans: number;
  /** Memory budget of the process in bytes (admission control); 0 = none. */
  memoryMaxBytes: number;
  /** Requests each receiver has in flight before more are refused with 429 / RESOURCE_EXHAUSTED. */
  ingestMaxInflight: number;
  limitsValueBytes: number;
  limitsAttributes: number;
  limitsEvents: number;
  limitsLinks: number;
  limitsTraceSpans: number;
  limitsTraceBytes: number;
  limitsServices: number;
  limitsOperations: number;
  clockSkewAdjust: boolean;
  zipkinAutocompleteKeys: string[];
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  logFormat: 'json' | 'pretty' | 'auto';
  demo: boolean;
  /** Multi-tenancy: a tenant per request, taken from `tenancyHeader`; off, reads see every tenant. */
  tenancyEnabled: boolean;
  /** Lower-case header (HTTP) or metadata key (gRPC) naming the tenant. */
  tenancyHeader: string;
  /** Allowed tenants; empty allows any well-formed tenant. */
  tenancyTenants: string[];
  /** Bearer tokens file ('' = none): `token` or `token tenant` per line. */
  authTokensFile: string;
  /** Basic credentials file ('' = none): `user:password` or `user:scrypt$salt$key` per line. */
  authBasicFile: string;
  /** What the credentials protect: the read side, the receivers, or both. */
  authScope: 'query' | 'ingest' | 'all';
}

interface Option<K extends keyof Config = keyof Config> {
  flag: string;
  key: K;
  env: string;
  defaultText: string;
  help: string;
  parse(text: string, name: string): Config[K];
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function bad(name: string, what: string, text: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${name}: ${what}, got ${JSON.stringify(text.slice(0, 64))}`);
}

/** A port flag's value meaning "do not listen": `off`. */
export const PORT_OFF = -1;

function port(text: string, name: string): number {
  if (text === 'off') return PORT_OFF;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw bad(name, 'expected a port number 0-65535, or off', text);
  return n;
}

function positiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || !Number.isSafeInteger(n)) throw bad(name, 'expected a positive integer', text);
  return n;
}

function duration(text: string, name: string): number {
  const days = /^(\d+)d$/.exec(text);
  const us = days ? Number(days[1]) * 86_400_000_000 : parseDuration(text);
  if (us === undefined || us <= 0) throw bad(name, 'expected a duration such as 7d, 48h or 30m', text);
  return us;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3, ti: 1024 ** 4, tib: 1024 ** 4,
};

/**
 * The default memory budget: half of the machine's memory, or of the cgroup's limit when that is
 * lower (a container), so the process leaves room for DuckDB, the page cache and its neighbours.
 */
export function defaultMemoryMax(): number {
  let limit = totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const n = Number(readFileSync(file, 'utf8').trim());
      if (Number.isSafeInteger(n) && n > 0 && n < limit) limit = n;
    } catch {
      // Not in a cgroup of that version: the machine's memory is the limit.
    }
  }
  return Math.floor(limit / 2);
}

function memoryMax(text: string, name: string): number {
  return text === 'auto' ? defaultMemoryMax() : parseSize(text, name);
}

function positiveSize(text: string, name: string): number {
  const n = parseSize(text, name);
  if (n < 1) throw bad(name, 'expected a size of at least 1 byte', text);
  return n;
}

/** Parses "16MiB", "10GB", "0" to bytes. */
export function parseSize(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw bad(name, 'expected a size such as 16MiB, 10GB or 0', text);
  return Math.round(Number(m[1]) * unit);
}

function httpUrl(text: string, name: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad(name, 'expected an http:// or https:// URL', text);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(name, 'expected an http:// or https:// URL', text);
  return text.replace(/\/+$/, '');
}

function identifier(text: string, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(text)) throw bad(name, 'expected letters, digits and _, not starting with a digit', text);
  return text;
}

function bool(text: string, name: string): boolean {
  if (['true', '1', 'yes', ''].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw bad(name, 'expected true or false', text);
}

function oneOf<const T extends readonly string[]>(values: T) {
  return (text: string, name: string): T[number] => {
    if (!values.includes(text)) throw bad(name, `expected one of ${values.join(', ')}`, text);
    return text as T[number];
  };
}

/** A well-formed tenant: 1-128 printable ASCII characters without spaces or commas. */
export const TENANT_PATTERN = /^[\x21-\x2b\x2d-\x7e]{1,128}$/;

/** HTTP header names are tokens (RFC 9110); gRPC metadata keys are lower case. */
function headerName(text: string, name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/.test(text) || /-bin$/i.test(text)) {
    throw bad(name, 'expected an HTTP header name such as x-tenant (not a -bin metadata key)', text);
  }
  const lower = text.toLowerCase();
  if (['authorization', 'host', 'content-type', 'content-length', 'content-encoding', 'te', 'user-agent'].includes(lower) || lower.startsWith('grpc-') || lower.startsWith(':')) {
    throw bad(name, 'expected a header of its own, not one HTTP or gRPC already uses', text);
  }
  return lower;
}

function tenantList(text: string, name: string): string[] {
  const tenants = list(text);
  for (const t of tenants) {
    if (!TENANT_PATTERN.test(t)) throw bad(name, 'expected comma-separated tenants of 1-128 printable characters', t);
  }
  return [...new Set(tenants)];
}

function optionalTenant(text: string, name: string): string {
  if (text !== '' && !TENANT_PATTERN.test(text)) throw bad(name, 'expected a tenant of 1-128 printable characters without spaces or commas', text);
  return text;
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function opt<K extends keyof Config>(o: Option<K>): Option<K> {
  return o;
}

/** Every option, in the order `--help` lists them. */
export const OPTIONS: readonly Option[] = [
  opt({ flag: 'host', key: 'host', env: 'ARIADNE_HOST', defaultText: '0.0.0.0', help: 'address every port listens on', parse: (t) => t }),
  opt({ flag: 'zipkin.port', key: 'zipkinPort', env: 'ARIADNE_ZIPKIN_PORT', defaultText: '9411', help: 'Zipkin receiver and Zipkin v2 read API', parse: port }),
  opt({ flag: 'query.port', key: 'queryPort', env: 'ARIADNE_QUERY_PORT', defaultText: '16686', help: 'UI and Jaeger query API', parse: port }),
  opt({ flag: 'admin.port', key: 'adminPort', env: 'ARIADNE_ADMIN_PORT', defaultText: '14269', help: 'admin: /health, /ready, /metrics', parse: port }),
  opt({ flag: 'jaeger.http-port', key: 'jaegerHttpPort', env: 'ARIADNE_JAEGER_HTTP_PORT', defaultText: '14268', help: 'Jaeger collector HTTP: POST /api/traces (Thrift), GET /api/sampling', parse: port }),
  opt({ flag: 'jaeger.grpc-port', key: 'jaegerGrpcPort', env: 'ARIADNE_JAEGER_GRPC_PORT', defaultText: '14250', help: 'Jaeger collector gRPC: jaeger.api_v2.CollectorService/PostSpans', parse: port }),
  opt({ flag: 'jaeger.compact-port', key: 'jaegerCompactPort', env: 'ARIADNE_JAEGER_COMPACT_PORT', defaultText: '6831', help: 'Jaeger agent UDP, compact Thrift emitBatch', parse: port }),
  opt({ flag: 'jaeger.binary-port', key: 'jaegerBinaryPort', env: 'ARIADNE_JAEGER_BINARY_PORT', defaultText: '6832', help: 'Jaeger agent UDP, binary Thrift emitBatch', parse: port }),
  opt({ flag: 'otlp.grpc-port', key: 'otlpGrpcPort', env: 'ARIADNE_OTLP_GRPC_PORT', defaultText: '4317', help: 'OTLP gRPC TraceService/Export', parse: port }),
  opt({ flag: 'otlp.http-port', key: 'otlpHttpPort', env: 'ARIADNE_OTLP_HTTP_PORT', defaultText: '4318', help: 'OTLP HTTP POST /v1/traces (protobuf or JSON)', parse: port }),
  opt({ flag: 'sampling.port', key: 'samplingPort', env: 'ARIADNE_SAMPLING_PORT', defaultText: '5778', help: 'remote sampling: GET /sampling?service= (Jaeger agent shape)', parse: port }),
  opt({ flag: 'sampling.strategies-file', key: 'samplingStrategiesFile', env: 'ARIADNE_SAMPLING_STRATEGIES_FILE', defaultText: '', help: 'Jaeger sampling strategies JSON file; empty = probabilistic 0.001 for every service', parse: (t) => t }),
  opt({ flag: 'sampling.reload-interval', key: 'samplingReloadMs', env: 'ARIADNE_SAMPLING_RELOAD_INTERVAL', defaultText: '30s', help: 'how often the strategies file is checked for changes', parse: (t, n) => Math.max(1, Math.round(duration(t, n) / 1000)) }),
  opt({ flag: 'udp.queue-size', key: 'udpQueueSize', env: 'ARIADNE_UDP_QUEUE_SIZE', defaultText: '1000', help: 'UDP datagrams waiting to be stored or forwarded; more are dropped and counted', parse: positiveInt }),
  opt({ flag: 'udp.socket-buffer', key: 'udpSocketBufferBytes', env: 'ARIADNE_UDP_SOCKET_BUFFER', defaultText: '4MiB', help: 'kernel receive buffer of each UDP socket (absorbs bursts; capped by net.core.rmem_max); 0 = system default', parse: parseSize }),
  opt({ flag: 'agent.collector', key: 'agentCollector', env: 'ARIADNE_AGENT_COLLECTOR', defaultText: 'http://127.0.0.1:14268', help: 'agent role: collector to forward to, http://host:14268 (Thrift) or grpc://host:14250', parse: (t) => t }),
  opt({ flag: 'agent.queue-size', key: 'agentQueueSize', env: 'ARIADNE_AGENT_QUEUE_SIZE', defaultText: '1000', help: 'agent role: batches waiting to be forwarded; more are dropped and counted', parse: positiveInt }),
  opt({ flag: 'agent.sampling-url', key: 'agentSamplingUrl', env: 'ARIADNE_AGENT_SAMPLING_URL', defaultText: '', help: 'agent role: collector HTTP base asked for sampling strategies; empty = the http collector, or port 14268 of the grpc one', parse: (t) => t }),
  opt({ flag: 'agent.collector.tenant', key: 'agentCollectorTenant', env: 'ARIADNE_AGENT_COLLECTOR_TENANT', defaultText: '', help: 'agent role: tenant sent with every batch and sampling request, in the --multi-tenancy.header header (gRPC: metadata); empty = none', parse: optionalTenant }),
  opt({ flag: 'agent.collector.token-file', key: 'agentCollectorTokenFile', env: 'ARIADNE_AGENT_COLLECTOR_TOKEN_FILE', defaultText: '', help: 'agent role: file whose first line is a bearer token for the collector (re-read when it changes); basic auth: http://user:pass@host in --agent.collector', parse: (t) => t }),
  opt({ flag: 'storage', key: 'storage', env: 'ARIADNE_STORAGE', defaultText: 'embedded', help: 'span store: embedded (on disk, DuckDB), memory, or clickhouse (shared by collector and query nodes)', parse: oneOf(['embedded', 'memory', 'clickhouse'] as const) }),
  opt({ flag: 'clickhouse.url', key: 'clickhouseUrl', env: 'ARIADNE_CLICKHOUSE_URL', defaultText: 'http://127.0.0.1:8123', help: 'ClickHouse HTTP interface (--storage=clickhouse)', parse: httpUrl }),
  opt({ flag: 'clickhouse.database', key: 'clickhouseDatabase', env: 'ARIADNE_CLICKHOUSE_DATABASE', defaultText: 'ariadne', help: 'ClickHouse database; created, and its schema migrated, on start', parse: identifier }),
  opt({ flag: 'clickhouse.username', key: 'clickhouseUsername', env: 'ARIADNE_CLICKHOUSE_USERNAME', defaultText: 'default', help: 'ClickHouse user', parse: (t) => t }),
  opt({ flag: 'clickhouse.password', key: 'clickhousePassword', env: 'ARIADNE_CLICKHOUSE_PASSWORD', defaultText: '', help: 'ClickHouse password (prefer the environment variable: flags show in process lists)', parse: (t) => t }),
  opt({ flag: 'clickhouse.batch-spans', key: 'clickhouseBatchSpans', env: 'ARIADNE_CLICKHOUSE_BATCH_SPANS', defaultText: '10000', help: 'spans per ClickHouse insert: an insert starts once this many wait', parse: positiveInt }),
  opt({ flag: 'clickhouse.batch-interval', key: 'clickhouseBatchIntervalMs', env: 'ARIADNE_CLICKHOUSE_BATCH_INTERVAL', defaultText: '200ms', help: 'at most one insert starts per interval; a quiet collector inserts at once (writes are acknowledged after the insert)', parse: (t, n) => Math.max(1, Math.round(duration(t, n) / 1000)) }),
  opt({ flag: 'clickhouse.max-buffered-spans', key: 'clickhouseMaxBufferedSpans', env: 'ARIADNE_CLICKHOUSE_MAX_BUFFERED_SPANS', defaultText: '200000', help: 'spans waiting for ClickHouse beyond which ingest answers 429 (503 while ClickHouse is failing) with Retry-After', parse: positiveInt }),
  opt({ flag: 'clickhouse.write-timeout', key: 'clickhouseWriteTimeoutMs', env: 'ARIADNE_CLICKHOUSE_WRITE_TIMEOUT', defaultText: '30s', help: 'longest a write waits for ClickHouse (inserts are retried with backoff meanwhile) before 503', parse: (t, n) => Math.max(1, Math.round(duration(t, n) / 1000)) }),
  opt({ flag: 'clickhouse.timeout', key: 'clickhouseTimeoutMs', env: 'ARIADNE_CLICKHOUSE_TIMEOUT', defaultText: '30s', help: 'longest one ClickHouse request (query or insert) may take', parse: (t, n) => Math.max(1, Math.round(duration(t, n) / 1000)) }),
  opt({ flag: 'clickhouse.async-insert', key: 'clickhouseAsyncInsert', env: 'ARIADNE_CLICKHOUSE_ASYNC_INSERT', defaultText: 'true', help: 'on servers from 22.8 on, send span inserts as async inserts, still acknowledged only once stored (wait_for_async_insert=1); false sends plain inserts', parse: bool }),
  opt({ flag: 'clickhouse.connect-timeout', key: 'clickhouseConnectTimeoutMs', env: 'ARIADNE_CLICKHOUSE_CONNECT_TIMEOUT', defaultText: '60s', help: 'on start, how long to keep trying to reach ClickHouse before exiting with an error', parse: (t, n) => Math.max(1, Math.round(duration(t, n) / 1000)) }),
  opt({ flag: 'data-dir', key: 'dataDir', env: 'ARIADNE_DATA_DIR', defaultText: './data', help: 'directory of the embedded store', parse: (t) => t }),
  opt({ flag: 'retention', key: 'retentionUs', env: 'ARIADNE_RETENTION', defaultText: '7d', help: 'delete spans older than this (embedded store; ClickHouse: whole UTC days)', parse: duration }),
  opt({ flag: 'max-disk', key: 'maxDiskBytes', env: 'ARIADNE_MAX_DISK', defaultText: '0', help: 'delete the oldest spans when the data dir grows beyond this size; 0 = no limit', parse: parseSize }),
  opt({ flag: 'memory.max-spans', key: 'memoryMaxSpans', env: 'ARIADNE_MEMORY_MAX_SPANS', defaultText: '1000000', help: 'spans kept by the memory store (oldest evicted first)', parse: positiveInt }),
  opt({ flag: 'max-body', key: 'maxBodyBytes', env: 'ARIADNE_MAX_BODY', defaultText: '16MiB', help: 'largest accepted request body, after gunzip (413 beyond)', parse: parseSize }),
  opt({ flag: 'embedded.flush-spans', key: 'flushSpans', env: 'ARIADNE_EMBEDDED_FLUSH_SPANS', defaultText: '100000', help: 'buffered spans that trigger a flush to the columnar store', parse: positiveInt }),
  opt({ flag: 'embedded.flush-interval', key: 'flushIntervalMs', env: 'ARIADNE_EMBEDDED_FLUSH_INTERVAL', defaultText: '30s', help: 'longest time a span stays in the buffer before a flush', parse: (t, n) => Math.round(duration(t, n) / 1000) }),
  opt({ flag: 'embedded.max-buffered-spans', key: 'maxBufferedSpans', env: 'ARIADNE_EMBEDDED_MAX_BUFFERED_SPANS', defaultText: '500000', help: 'beyond this many unflushed spans, ingest answers 429 with Retry-After', parse: positiveInt }),
  opt({ flag: 'memory.max', key: 'memoryMaxBytes', env: 'ARIADNE_MEMORY_MAX', defaultText: 'auto', help: 'memory budget of the process: ingest answers 429 (gRPC RESOURCE_EXHAUSTED) while it would go over; auto = half the machine\'s (or the container\'s) memory, 0 = none', parse: memoryMax }),
  opt({ flag: 'ingest.max-inflight', key: 'ingestMaxInflight', env: 'ARIADNE_INGEST_MAX_INFLIGHT', defaultText: '64', help: 'requests each receiver has in flight; more are answered 429 at once', parse: positiveInt }),
  opt({ flag: 'limits.value-size', key: 'limitsValueBytes', env: 'ARIADNE_LIMITS_VALUE_SIZE', defaultText: '2KiB', help: 'longest string value (attribute, name, event); longer ones are cut and the span marked ariadne.truncated (docs/limits.md)', parse: positiveSize }),
  opt({ flag: 'limits.attributes', key: 'limitsAttributes', env: 'ARIADNE_LIMITS_ATTRIBUTES', defaultText: '128', help: 'most attributes per span (also per resource, event, link); further ones are dropped and the span marked', parse: positiveInt }),
  opt({ flag: 'limits.events', key: 'limitsEvents', env: 'ARIADNE_LIMITS_EVENTS', defaultText: '128', help: 'most events (logs, annotations) per span; further ones are dropped and the span marked', parse: positiveInt }),
  opt({ flag: 'limits.links', key: 'limitsLinks', env: 'ARIADNE_LIMITS_LINKS', defaultText: '128', help: 'most links (references) per span; further ones are dropped and the span marked', parse: positiveInt }),
  opt({ flag: 'limits.trace-spans', key: 'limitsTraceSpans', env: 'ARIADNE_LIMITS_TRACE_SPANS', defaultText: '100000', help: 'most spans per trace; further spans are refused and counted (reason limit_trace_spans)', parse: positiveInt }),
  opt({ flag: 'limits.trace-size', key: 'limitsTraceBytes', env: 'ARIADNE_LIMITS_TRACE_SIZE', defaultText: '5MiB', help: 'most bytes per trace; further spans keep ids, names and times but lose attributes and events, marked', parse: positiveSize }),
  opt({ flag: 'limits.services', key: 'limitsServices', env: 'ARIADNE_LIMITS_SERVICES', defaultText: '10000', help: 'most distinct services per tenant; spans of further services are refused and counted', parse: positiveInt }),
  opt({ flag: 'limits.operations', key: 'limitsOperations', env: 'ARIADNE_LIMITS_OPERATIONS', defaultText: '5000', help: 'most distinct operations per service; spans of further operations are refused and counted', parse: positiveInt }),
  opt({ flag: 'query.clock-skew-adjust', key: 'clockSkewAdjust', env: 'ARIADNE_QUERY_CLOCK_SKEW_ADJUST', defaultText: 'false', help: 'shift child spans into their parents at read time (Jaeger API), with a warning on each', parse: bool }),
  opt({ flag: 'zipkin.autocomplete-keys', key: 'zipkinAutocompleteKeys', env: 'ARIADNE_ZIPKIN_AUTOCOMPLETE_KEYS', defaultText: 'http.method,http.status_code,error', help: 'tag keys offered by /api/v2/autocompleteKeys (comma-separated)', parse: list }),
  opt({ flag: 'demo', key: 'demo', env: 'ARIADNE_DEMO', defaultText: 'false', help: 'all-in-one: also run the Bookinfo demo (services behind tracing sidecars, live traffic) reporting to this server; tune it with ARIADNE_DEMO_* variables', parse: bool }),
  opt({ flag: 'multi-tenancy.enabled', key: 'tenancyEnabled', env: 'ARIADNE_MULTI_TENANCY_ENABLED', defaultText: 'false', help: 'every request names its tenant in --multi-tenancy.header (401 without); reads see only that tenant (docs/security.md)', parse: bool }),
  opt({ flag: 'multi-tenancy.header', key: 'tenancyHeader', env: 'ARIADNE_MULTI_TENANCY_HEADER', defaultText: 'x-tenant', help: 'HTTP header and gRPC metadata key carrying the tenant', parse: headerName }),
  opt({ flag: 'multi-tenancy.tenants', key: 'tenancyTenants', env: 'ARIADNE_MULTI_TENANCY_TENANTS', defaultText: '', help: 'comma-separated allowed tenants; empty = any tenant (others answer 401)', parse: tenantList }),
  opt({ flag: 'auth.tokens-file', key: 'authTokensFile', env: 'ARIADNE_AUTH_TOKENS_FILE', defaultText: '', help: 'bearer tokens, one per line (`token` or `token tenant`; # comments); reloaded when it changes', parse: (t) => t }),
  opt({ flag: 'auth.basic-file', key: 'authBasicFile', env: 'ARIADNE_AUTH_BASIC_FILE', defaultText: '', help: 'basic-auth users, one per line (`user:password` or `user:scrypt$salt$key`); reloaded when it changes', parse: (t) => t }),
  opt({ flag: 'auth.scope', key: 'authScope', env: 'ARIADNE_AUTH_SCOPE', defaultText: 'all', help: 'what the auth files protect: query (UI and read APIs), ingest (receivers) or all', parse: oneOf(['query', 'ingest', 'all'] as const) }),
  opt({ flag: 'doctor.tenant', key: 'doctorTenant', env: 'ARIADNE_DOCTOR_TENANT', defaultText: '', help: 'ariadne doctor: tenant sent with every request, in the --multi-tenancy.header header (gRPC: metadata); empty = none', parse: optionalTenant }),
  opt({ flag: 'doctor.token-file', key: 'doctorTokenFile', env: 'ARIADNE_DOCTOR_TOKEN_FILE', defaultText: '', help: 'ariadne doctor: file whose first line is a bearer token sent with every request', parse: (t) => t }),
  opt({ flag: 'doctor.basic-file', key: 'doctorBasicFile', env: 'ARIADNE_DOCTOR_BASIC_FILE', defaultText: '', help: 'ariadne doctor: file whose first line is user:password for basic auth on every request', parse: (t) => t }),
  opt({ flag: 'log.level', key: 'logLevel', env: 'ARIADNE_LOG_LEVEL', defaultText: 'info', help: 'trace, debug, info, warn, error, fatal or silent', parse: oneOf(LOG_LEVELS) }),
  opt({ flag: 'log.format', key: 'logFormat', env: 'ARIADNE_LOG_FORMAT', defaultText: 'auto', help: 'json, pretty, or auto (pretty on a terminal, JSON otherwise)', parse: oneOf(['json', 'pretty', 'auto'] as const) }),
];

/** Result of parsing a command line. */
export interface ParsedArgs {
  config: Config;
  positionals: string[];
  help: boolean;
}

/**
 * Parses `--flag value`, `--flag=value` and bare boolean flags; environment variables fill what the
 * command line leaves out, defaults the rest. Unknown flags and bad values throw INVALID_ARGUMENT.
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): ParsedArgs {
  const byFlag = new Map(OPTIONS.map((o) => [o.flag, o]));
  const given = new Map<Option, string>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const o = byFlag.get(name);
    if (!o) throw new AppError('INVALID_ARGUMENT', `unknown flag --${name} (see --help)`);
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (value === undefined) {
      const next = argv[i + 1];
      const isBool = o.parse === bool;
      if (next !== undefined && !next.startsWith('--') && (!isBool || /^(true|false|1|0|yes|no)$/.test(next))) {
        value = next;
        i++;
      } else if (isBool) {
        value = 'true';
      } else {
        throw new AppError('INVALID_ARGUMENT', `--${name}: a value is required`);
      }
    }
    given.set(o, value);
  }
  const config = {} as Record<string, unknown>;
  for (const o of OPTIONS) {
    const fromFlag = given.get(o);
    const fromEnv = env[o.env];
    const text = fromFlag ?? fromEnv ?? o.defaultText;
    const name = fromFlag !== undefined ? `--${o.flag}` : fromEnv !== undefined ? o.env : `default of --${o.flag}`;
    config[o.key] = o.parse(text, name);
  }
  return { config: config as unknown as Config, positionals, help };
}

/** The `--help` text: usage, roles, then every option with its environment variable and default. */
export function helpText(roles: ReadonlyArray<{ name: string; summary: string }>): string {
  const lines = ['Usage: ariadne [role] [flags]', '', 'Roles:'];
  for (const r of roles) lines.push(`  ${r.name.padEnd(12)} ${r.summary}`);
  lines.push('', 'Commands:', `  ${'doctor'.padEnd(12)} ariadne doctor [--target http://host[:zipkin port]] [port flags] [--doctor.* flags]: send a test trace`,
    `  ${''.padEnd(12)} through every receiver of a running server and read it back; exit 1 if any check fails`,
    `  ${'demo'.padEnd(12)} ariadne demo [--demo.* flags]: Bookinfo services behind Envoy-like tracing sidecars with live`,
    `  ${''.padEnd(12)} traffic, reporting to a Zipkin endpoint; ariadne demo --help lists its flags`);
  lines.push('', 'Flags (each also settable by the environment variable shown):');
  // The column fits the longest flag, so no flag runs into its description.
  const width = Math.max(...OPTIONS.map((o) => `  --${o.flag} <value>`.length)) + 2;
  for (const o of OPTIONS) {
    lines.push(`  --${o.flag} <value>`.padEnd(width) + `${o.help}`);
    lines.push(' '.repeat(width) + `env ${o.env}, default ${o.defaultText}`);
  }
  lines.push('  --help'.padEnd(width) + 'print this help');
  return lines.join('\n') + '\n';
}
