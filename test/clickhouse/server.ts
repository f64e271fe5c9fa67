/**
 * Runs a real `clickhouse-server` as a child process for tests: a temporary data directory, free
 * loopback ports (HTTP, native TCP, interserver), started by pid and stopped by pid.
 * One server per test file: it takes ~3 s to start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the server binary is looked for: $CLICKHOUSE_SERVER, else Debian's path. */
export const CLICKHOUSE_SERVER_BIN = process.env.CLICKHOUSE_SERVER ?? '/usr/sbin/clickhouse-server';

/** The user with a password every harness server also has, to test credentials. */
export const TEST_USER = { username: 'ariadne', password: "s3cret'\"\\pw" } as const;

/** A running ClickHouse server. */
export interface ClickHouseProcess {
  /** HTTP interface, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  readonly dataDir: string;
  /** The server process id while it runs, undefined while stopped. */
  pid(): number | undefined;
  /** SIGTERM, wait for the exit (SIGKILL after 10 s); the data directory stays. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server keeps its sockets but answers nothing while paused. */
  pause(): void;
  resume(): void;
  /** Starts the stopped server again on the same ports and data. */
  start(): Promise<void>;
  /** Stops the server and removes its data directory. Idempotent. */
  destroy(): Promise<void>;
}

/**
 * Whether the tests can run: true when the binary exists. When it does not, a CI run (process.env.CI)
 * must fail, so this returns true there and the start fails with a clear message; locally it
 * returns false and prints a loud notice so the skip is seen.
 */
export function clickHouseAvailable(): boolean {
  if (existsSync(CLICKHOUSE_SERVER_BIN)) return true;
  if (process.env.CI) return true;
  console.warn(
    `\n!!! ClickHouse tests SKIPPED: ${CLICKHOUSE_SERVER_BIN} not found.` +
      ' Install it with `apt-get install -y clickhouse-server clickhouse-client` (or set CLICKHOUSE_SERVER). !!!\n',
  );
  return false;
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The server config: everything under `dir`, listening on loopback only. */
export function renderServerConfig(options: { dir: string; httpPort: number; tcpPort: number; interserverPort: number }): string {
  const d = xmlText(options.dir);
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${d}/log/server.log</log>
    <errorlog>${d}/log/error.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${options.httpPort}</http_port>
  <tcp_port>${options.tcpPort}</tcp_port>
  <interserver_http_port>${options.interserverPort}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${d}/data/</path>
  <tmp_path>${d}/tmp/</tmp_path>
  <user_files_path>${d}/user_files/</user_files_path>
  <format_schema_path>${d}/format_schemas/</format_schema_path>
  <users_config>${d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>64</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <mlock_executable>false</mlock_executable>
  <builtin_dictionaries_reload_interval>0</builtin_dictionaries_reload_interval>
</yandex>
`;
}

/** Users: `default` without a password and TEST_USER with one, both from loopback only. */
export function renderUsersConfig(): string {
  const user = (password: string): string => `<password>${xmlText(password)}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>`;
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default>${user('')}</default>
    <${TEST_USER.username}>${user(TEST_USER.password)}</${TEST_USER.username}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
}

/** Resolves once GET /ping answers "Ok.", or rejects after `timeoutMs`. */
export async function waitForPing(url: string, timeoutMs: number, exited?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = exited?.();
    if (why !== undefined) throw new Error(why);
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok && (await res.text()).startsWith('Ok.')) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`clickhouse-server at ${url} did not answer /ping within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a fresh server and resolves once it answers /ping. */
export async function startClickHouse(options: { timeoutMs?: number } = {}): Promise<ClickHouseProcess> {
  if (!existsSync(CLICKHOUSE_SERVER_BIN)) {
    throw new Error(`clickhouse-server not found at ${CLICKHOUSE_SERVER_BIN}: install Debian's clickhouse-server (CI must have it) or set CLICKHOUSE_SERVER`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-clickhouse-'));
  for (const sub of ['log', 'data', 'tmp', 'user_files', 'format_schemas']) await mkdir(join(dir, sub), { recursive: true });
  const [httpPort, tcpPort, interserverPort] = [await freePort(), await freePort(), await freePort()];
  const configFile = join(dir, 'config.xml');
  await writeFile(configFile, renderServerConfig({ dir, httpPort, tcpPort, interserverPort }));
  await writeFile(join(dir, 'users.xml'), renderUsersConfig());
  const url = `http://127.0.0.1:${httpPort}`;
  const timeoutMs = options.timeoutMs ?? 30_000;

  let child: ChildProcess | undefined;
  let exitNote: string | undefined;
  let stderr = '';
  let destroyed = false;

  const launch = async (): Promise<void> => {
    exitNote = undefined;
    stderr = '';
    const c = spawn(CLICKHOUSE_SERVER_BIN, [`--config-file=${configFile}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    c.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4_000); });
    c.once('exit', (code, signal) => {
      exitNote = `clickhouse-server exited (code ${code}, signal ${signal}) before answering; stderr: ${stderr}`;
      if (child === c) child = undefined;
    });
    c.once('error', (err) => { exitNote = `clickhouse-server could not start: ${err.message}`; });
    // A test process that ends without its afterAll (crash, broken pipe) must not leave the server behind.
    const reap = (): void => { c.kill('SIGKILL'); };
    process.once('exit', reap);
    c.once('exit', () => process.removeListener('exit', reap));
    try {
      await waitForPing(url, timeoutMs, () => exitNote);
    } catch (err) {
      c.kill('SIGKILL');
      throw err;
    }
  };

  const stop = async (): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGCONT');
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url,
    httpPort,
    tcpPort,
    dataDir: dir,
    pid: () => child?.pid,
    stop,
    pause: () => { child?.kill('SIGSTOP'); },
    resume: () => { child?.kill('SIGCONT'); },
    async start() {
      if (child !== undefined) return;
      await launch();
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
