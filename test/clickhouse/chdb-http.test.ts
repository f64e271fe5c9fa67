import { Readable } from 'node:stream';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chdbAvailable, startChdbClickHouse, type ChdbClickHouse } from './chdb-http.js';
import { TEST_USER } from './server.js';

describe.skipIf(!chdbAvailable())('ClickHouse HTTP interface in front of chdb', () => {
  let ch: ChdbClickHouse;
  let client: ClickHouseClient;
  beforeAll(async () => {
    ch = await startChdbClickHouse();
    client = createClient({ url: ch.url, log: { level: ClickHouseLogLevel.OFF }, request_timeout: 5_000 });
  });
  afterAll(async () => {
    await client?.close();
    await ch?.destroy();
  });

  const post = async (path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; code: string | null; text: string }> => {
    const res = await fetch(`${ch.url}${path}`, { method: 'POST', body, headers });
    return { status: res.status, code: res.headers.get('x-clickhouse-exception-code'), text: await res.text() };
  };
  const basic = (user: string, password: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

  it('reports the engine version', () => {
    expect(ch.version).toMatch(/^26\.\d+\.\d+\.\d+$/);
  });

  it('GET /ping answers Ok.', async () => {
    const res = await fetch(`${ch.url}/ping`);
    expect([res.status, await res.text()]).toEqual([200, 'Ok.\n']);
  });

  const requests: Array<[string, string, string | undefined, Record<string, string>, { status: number; code: string | null; text: string }]> = [
    ['the statement in the body, TabSeparated by default', '/', 'SELECT 1, \'a\'', {}, { status: 200, code: null, text: '1\ta\n' }],
    ['the statement in query=', '/?query=SELECT%202', undefined, {}, { status: 200, code: null, text: '2\n' }],
    ['query= then a newline then the body', '/?query=SELECT%203%20AS%20x', 'FORMAT JSONEachRow', {}, { status: 200, code: null, text: '{"x":3}\n' }],
    ['default_format=', '/?default_format=CSV', "SELECT 'q', 4", {}, { status: 200, code: null, text: '"q",4\n' }],
    ['a FORMAT clause wins over default_format', '/?default_format=CSV', 'SELECT 5 FORMAT TSV', {}, { status: 200, code: null, text: '5\n' }],
    ['database= names the current database', '/?database=system', "SELECT currentDatabase()", {}, { status: 200, code: null, text: 'system\n' }],
    ['...for that request only', '/', 'SELECT currentDatabase()', {}, { status: 200, code: null, text: 'default\n' }],
    ['param_<name>= binds {name:Type}, read in the escaped format', `/?param_n=41&param_s=${encodeURIComponent("it\\'s\\\\\\t")}&param_a=${encodeURIComponent("['x','y']")}`,
      'SELECT {n:UInt64} + 1, {s:String}, length({a:Array(String)})', {}, { status: 200, code: null, text: "42\tit\\'s\\\\\\t\t2\n" }],
    ['another URL parameter is a setting', '/?max_threads=1', "SELECT getSetting('max_threads')", {}, { status: 200, code: null, text: '1\n' }],
    ['...for that request only', '/', "SELECT getSetting('max_threads') = 1", {}, { status: 200, code: null, text: '0\n' }],
    ['TEST_USER with its password', '/', 'SELECT 6', basic(TEST_USER.username, TEST_USER.password), { status: 200, code: null, text: '6\n' }],
    ['user= and password= in the URL', `/?user=${TEST_USER.username}&password=${encodeURIComponent(TEST_USER.password)}`, 'SELECT 7', {}, { status: 200, code: null, text: '7\n' }],
    ['X-ClickHouse-User / X-ClickHouse-Key', '/', 'SELECT 8', { 'X-ClickHouse-User': TEST_USER.username, 'X-ClickHouse-Key': TEST_USER.password }, { status: 200, code: null, text: '8\n' }],
    ['a wrong password: 403 and code 516', '/', 'SELECT 9', basic(TEST_USER.username, 'nope'), {
      status: 403, code: '516', text: `Code: 516. DB::Exception: ${TEST_USER.username}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED) (version 26.7.2.1)\n`,
    }],
    ['an engine error: 500, its code and text', '/', 'SELECT * FROM nowhere', {}, {
      status: 500, code: '60', text: "Code: 60. DB::Exception: Unknown table expression identifier 'nowhere' in scope SELECT * FROM nowhere. (UNKNOWN_TABLE) (version 26.7.2.1)\n",
    }],
    ['an empty query', '/', '', {}, { status: 400, code: '62', text: 'Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR) (version 26.7.2.1)\n' }],
  ];
  it.each(requests)('%s', async (_name, path, body, headers, want) => {
    expect(await post(path, body, headers)).toEqual(want);
  });

  it('@clickhouse/client: DDL, RowBinary and JSONEachRow inserts, query parameters, settings, errors', async () => {
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS h' });
    await client.command({ query: 'CREATE TABLE h.t (id UInt64, s String, tags Array(String)) ENGINE = MergeTree ORDER BY id' });
    // RowBinary: little-endian UInt64, LEB128-prefixed strings and arrays, a NUL byte inside a string.
    const row = Buffer.concat([
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.from([3, 0x61, 0x00, 0x62]), Buffer.from([1, 2, 0x6b, 0x76]),
    ]);
    const exec = await client.exec({ query: 'INSERT INTO h.t (id, s, tags) FORMAT RowBinary', values: Readable.from([row]) });
    for await (const chunk of exec.stream) void chunk;
    await client.insert({ table: 'h.t', values: [{ id: 1, s: 'json', tags: [] }], format: 'JSONEachRow' });
    const result = await client.query({
      query: 'SELECT toString(id), s, tags FROM h.t WHERE id >= {min:UInt64} ORDER BY id',
      query_params: { min: 1 },
      format: 'JSONCompact',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    expect(((await result.json()) as { data: unknown[] }).data).toEqual([['1', 'json', []], ['18446744073709551615', 'a\u0000b', ['kv']]]);
    const failure = await client.query({ query: 'SELECT nope()', format: 'JSONCompact' }).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(ClickHouseError);
    expect({ code: (failure as ClickHouseError).code, type: (failure as ClickHouseError).type }).toEqual({ code: '46', type: 'UNKNOWN_FUNCTION' });
    expect(await client.ping()).toEqual({ success: true });
  });

  it('stop closes the port, start opens the same one, pause holds answers until resume', async () => {
    await ch.stop();
    expect(ch.pid()).toBeUndefined();
    await expect(fetch(`${ch.url}/ping`)).rejects.toThrow();
    await ch.start();
    expect(ch.pid()).toBe(process.pid);
    expect((await post('/', 'SELECT 10')).text).toBe('10\n');
    ch.pause();
    const held = post('/', 'SELECT 11');
    const first = await Promise.race([held.then(() => 'answered'), new Promise((r) => setTimeout(() => r('held'), 300))]);
    ch.resume();
    expect([first, (await held).text]).toEqual(['held', '11\n']);
  });
});
