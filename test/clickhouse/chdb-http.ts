/**
 * A modern ClickHouse engine for tests: the subset of ClickHouse's HTTP interface the ClickHouse
 * store uses through @clickhouse/client, served on loopback in front of chdb (the ClickHouse
 * engine as a library, one Session per harness in a temporary directory).
 *
 * What it speaks (the tests in chdb-http.test.ts pin each row):
 * - `GET /ping` → `Ok.`
 * - `POST|GET /` with the statement in `query=`, the body, or both (`query=` then a newline then
 *   the body, as ClickHouse reads them); `INSERT ... FORMAT X` in `query=` with the rows in the body
 *   for any format the engine reads, binary ones (RowBinary) included;
 * - `database=`, `default_format=`, `param_<name>=` query parameters (String and number types; an
 *   array's elements must not hold quotes, which chdb's binding mishandles), `query_id` and `session_id`
 *   (accepted; one engine session serves every request), any other URL parameter as a setting for
 *   that request only;
 * - users `default` (no password) and TEST_USER, from `Authorization: Basic`, `X-ClickHouse-User` /
 *   `X-ClickHouse-Key` or `user=` / `password=`;
 * - errors as ClickHouse sends them: `Code: N. DB::Exception: ... (NAME)` with a non-2xx status and
 *   `X-ClickHouse-Exception-Code`.
 * Not covered: compression, multipart parameters, sessions' own settings, the native protocol,
 * refusing multi-statement queries, progress and summary headers, and server-side settings the
 * engine keeps for a whole server (async inserts are whatever the engine does with them).
 * Requests run one at a time on the engine, in arrival order.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_USER, type ClickHouseProcess } from './server.js';

/** The chdb release the harness is tested with (ClickHouse 26.7). */
export const CHDB_VERSION = '3.4.0';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where chdb is installed: $CHDB_DIR, else .ci/chdb in the repository. */
export const CHDB_DIR = process.env.CHDB_DIR ?? join(REPO, '.ci/chdb');

/** The command that installs chdb where the harness looks for it (kept out of package.json: 166 MB). */
export const CHDB_INSTALL_COMMAND = `npm install --no-save --prefix ${process.env.CHDB_DIR ?? '.ci/chdb'} chdb@${CHDB_VERSION}`;

/** The parts of chdb's API the harness uses. */
interface ChdbResult {
  text(): string;
  bytes(): Uint8Array;
}
interface ChdbSession {
  queryAsync(query: string, opts?: { format?: string }): Promise<ChdbResult>;
  queryBindAsync(query: string, params: object, opts?: { format?: string }): Promise<ChdbResult>;
  close(): void;
}
interface ChdbModule {
  Session: new (path: string) => ChdbSession;
  version(): { libchdb: string };
}

function chdbInstalled(): boolean {
  return existsSync(join(CHDB_DIR, 'node_modules/chdb/package.json'));
}

/** Loads chdb from CHDB_DIR; throws naming the install command when it is not there. */
export function loadChdb(): ChdbModule {
  if (!chdbInstalled()) {
    throw new Error(`chdb not found under ${CHDB_DIR}: install it with \`${CHDB_INSTALL_COMMAND}\` (or set CHDB_DIR)`);
  }
  return createRequire(join(CHDB_DIR, 'package.json'))('chdb') as ChdbModule;
}

/**
 * Whether the modern-engine tests can run: true when chdb is installed. In CI (process.env.CI) it
 * is true regardless, so the start fails naming the install command; locally it returns false and
 * prints a loud notice so the skip is seen.
 */
export function chdbAvailable(): boolean {
  if (chdbInstalled()) return true;
  if (process.env.CI) return true;
  console.warn(`\n!!! ClickHouse 26.x (chdb) tests SKIPPED: chdb not found under ${CHDB_DIR}. Install it with \`${CHDB_INSTALL_COMMAND}\`. !!!\n`);
  return false;
}

// URL parameters of the HTTP interface that are not settings.
const NOT_SETTINGS = new Set(['query', 'database', 'default_format', 'user', 'password', 'query_id', 'session_id', 'session_timeout', 'session_check']);

/** An error the way ClickHouse's HTTP interface answers it. */
class HttpError extends Error {
  constructor(readonly status: number, readonly code: number, type: string, message: string) {
    super(`Code: ${code}. DB::Exception: ${message}. (${type})`);
  }
}

/** Who sent the request: Basic auth, X-ClickHouse headers, or URL parameters; `default` when none. */
function credentials(req: IncomingMessage, params: URLSearchParams): { user: string; password: string } {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic !== null) {
    const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    return { user: colon < 0 ? text : text.slice(0, colon), password: colon < 0 ? '' : text.slice(colon + 1) };
  }
  const headerUser = req.headers['x-clickhouse-user'];
  if (typeof headerUser === 'string') return { user: headerUser, password: String(req.headers['x-clickhouse-key'] ?? '') };
  return { user: params.get('user') ?? 'default', password: params.get('password') ?? '' };
}

const USERS = new Map<string, string>([['default', ''], [TEST_USER.username, TEST_USER.password]]);

function checkUser(user: string, password: string): void {
  if (USERS.get(user) !== password) {
    throw new HttpError(403, 516, 'AUTHENTICATION_FAILED', `${user}: Authentication failed: password is incorrect, or there is no user with such name`);
  }
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const ESCAPED: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', v: '\v' };

/**
 * A `param_<name>=` value as the server reads it (the escaped text format: \t, \n, \', \\, \xHH,
 * any other escaped character stands for itself); chdb's binding takes the value itself.
 */
export function unescapeParam(text: string): string {
  return text.replace(/\\(x[0-9A-Fa-f]{2}|[\s\S])/g, (_m, c: string) =>
    c.length === 3 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (ESCAPED[c] ?? c));
}

function quoteValue(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

// `INSERT INTO <table> [(columns)] [SETTINGS ...] FORMAT <name>` with nothing after the format name.
const INSERT_WITH_FORMAT = /^\s*INSERT\s+INTO\s[\s\S]*?\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i;

/** Options of startChdbClickHouse. */
export interface ChdbClickHouseOptions {
  /** The engine's data directory; a fresh temporary one by default (removed by destroy()). */
  dataDir?: string;
}

/** A ClickHouse engine behind its HTTP interface, with the lifecycle of a server process. */
export interface ChdbClickHouse extends ClickHouseProcess {
  /** The engine's version, e.g. "26.7.2.1". */
  readonly version: string;
}

/**
 * Starts the engine and its HTTP interface on a free loopback port. Same shape as startClickHouse():
 * stop() closes the port and its connections (the engine and its data stay), start() listens on the
 * same port again, pause() holds every request unanswered until resume(), pid() is this process's
 * while the port is open. tcpPort is 0: there is no native protocol.
 */
export async function startChdbClickHouse(options: ChdbClickHouseOptions = {}): Promise<ChdbClickHouse> {
  const chdb = loadChdb();
  const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'ariadne-chdb-')));
  const session = new chdb.Session(dir);
  const version = (await session.queryAsync('SELECT version()', { format: 'TabSeparated' })).text().trim();
  let inputNo = 0;
  /** Settings the session holds from earlier requests (name → value as sent). */
  const applied = new Map<string, string>();
  // One request at a time on the engine: per-request settings and database are session state.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  let paused: Promise<void> | undefined;
  let release: (() => void) | undefined;

  const run = async (req: IncomingMessage, body: Buffer): Promise<{ bytes: Uint8Array; format: string }> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const params = url.searchParams;
    const { user, password } = credentials(req, params);
    checkUser(user, password);
    const format = params.get('default_format') ?? 'TabSeparated';
    const database = params.get('database') ?? 'default';
    const queryParams: Record<string, string> = {};
    const settings: Array<[string, string]> = [];
    for (const [key, value] of params) {
      if (key.startsWith('param_')) queryParams[key.slice('param_'.length)] = unescapeParam(value);
      else if (!NOT_SETTINGS.has(key)) {
        if (!SETTING_NAME.test(key)) throw new HttpError(400, 115, 'UNKNOWN_SETTING', `Unknown setting '${key}'`);
        settings.push([key, value]);
      }
    }
    const urlQuery = params.get('query');
    let query: string;
    let inputFile: string | undefined;
    if (urlQuery !== null && body.length > 0 && INSERT_WITH_FORMAT.test(urlQuery)) {
      // The rows stay bytes: the engine reads them from a file, so binary formats arrive intact.
      inputFile = join(dir, `input-${++inputNo}.bin`);
      await writeFile(inputFile, body);
      const at = urlQuery.search(/\bFORMAT\s+[A-Za-z0-9_]+\s*;?\s*$/i);
      query = `${urlQuery.slice(0, at)} FROM INFILE ${quoteValue(inputFile)} ${urlQuery.slice(at)}`;
    } else {
      query = urlQuery === null ? body.toString('utf8') : body.length === 0 ? urlQuery : `${urlQuery}\n${body.toString('utf8')}`;
    }
    if (query.trim() === '') throw new HttpError(400, 62, 'SYNTAX_ERROR', 'Empty query');
    return serial(async () => {
      try {
        if (database !== 'default') await session.queryAsync(`USE \`${database.replace(/`/g, '')}\``);
        // The session holds the last request's settings: only what differs is changed, so a client
        // sending the same settings every time costs no extra statements.
        const wanted = new Map(settings);
        for (const [key] of applied) {
          if (!wanted.has(key)) {
            applied.delete(key);
            await session.queryAsync(`SET ${key} = DEFAULT`);
          }
        }
        for (const [key, value] of wanted) {
          if (applied.get(key) === value) continue;
          applied.delete(key);
          await session.queryAsync(`SET ${key} = ${quoteValue(value)}`);
          applied.set(key, value);
        }
        const result = Object.keys(queryParams).length > 0
          ? await session.queryBindAsync(query, queryParams, { format })
          : await session.queryAsync(query, { format });
        return { bytes: result.bytes(), format };
      } finally {
        if (database !== 'default') await session.queryAsync('USE default').catch(() => undefined);
        if (inputFile !== undefined) await rm(inputFile, { force: true });
      }
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    while (paused !== undefined) await paused;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (path !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' }).end(`There is no handle ${path}\n`);
      return;
    }
    try {
      const { bytes } = await run(req, body);
      while (paused !== undefined) await paused;
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Server-Display-Name': 'chdb' }).end(Buffer.from(bytes));
    } catch (err) {
      const http = err instanceof HttpError ? err : undefined;
      const message = http?.message ?? (err as Error).message ?? String(err);
      const code = http?.code ?? (err as { clickhouseCode?: number }).clickhouseCode ?? Number(/Code: (\d+)/.exec(message)?.[1] ?? 1001);
      if (res.destroyed) return;
      res.writeHead(http?.status ?? 500, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': String(code) })
        .end(`${message} (version ${version})\n`);
    }
  };

  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    const s = createServer((req, res) => {
      handle(req, res).catch((err) => { res.destroy(err as Error); });
    });
    s.keepAliveTimeout = 3_000;
    await new Promise<void>((resolveListen, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolveListen());
    });
    const address = s.address();
    port = typeof address === 'object' && address !== null ? address.port : port;
    server = s;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    if (s === undefined) return;
    server = undefined;
    const closed = new Promise<void>((r) => s.close(() => r()));
    s.closeAllConnections();
    await closed;
  };
  const resume = (): void => {
    const r = release;
    paused = undefined;
    release = undefined;
    r?.();
  };
  let destroyed = false;

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    httpPort: port,
    tcpPort: 0,
    dataDir: dir,
    version,
    pid: () => (server === undefined ? undefined : process.pid),
    stop,
    pause() {
      if (paused !== undefined) return;
      paused = new Promise<void>((r) => { release = r; });
    },
    resume,
    async start() {
      if (server === undefined) await listen();
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      resume();
      await stop();
      await queue;
      session.close();
      if (options.dataDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
