import * as crypto from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MIN_TOKEN_LENGTH, authCovers, checkAuthorization, createAuthenticator, hashPassword, parseBasicFile, parseTokensFile, type Credentials,
} from './auth.js';

// The real comparison, counted: the checks must go through it rather than through ===.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => real.timingSafeEqual(a, b)) };
});
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

const logger = pino({ level: 'silent' });
const TOKEN_A = 'tok-aaaaaaaaaaaaaaaa';
const TOKEN_B = 'tok-bbbbbbbbbbbbbbbb';
const TOKEN_C = 'tok-cccccccccccccccc';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('parseTokensFile', () => {
  it('reads tokens, pins and line numbers, skipping comments and blank lines', () => {
    const entries = parseTokensFile(`# ops\n\n${TOKEN_A}\n  ${TOKEN_B}   team-b  \n# ${TOKEN_C}\n`, 'tokens', { allowPins: true });
    expect(entries.map((e) => [e.line, e.tenant, e.digest.length])).toEqual([[3, undefined, 32], [4, 'team-b', 32]]);
  });

  const bad: Array<[string, string, boolean, string]> = [
    ['three fields', `${TOKEN_A} a b`, true, 'tokens line 1: expected "token" or "token tenant", got 3 fields'],
    ['short token', 'short', true, `tokens line 1: a token must be at least ${MIN_TOKEN_LENGTH} characters, got 5`],
    ['pin without tenancy', `${TOKEN_A} team-a`, false, 'tokens line 1: pins a token to a tenant, which needs --multi-tenancy.enabled'],
    ['bad tenant', `${TOKEN_A} team,a`, true, 'tokens line 1: the tenant must be 1-128 printable characters'],
    ['duplicate', `${TOKEN_A}\n${TOKEN_A}`, true, 'tokens line 2: the same token appears twice'],
  ];
  it.each(bad)('rejects %s without echoing the token', (_name, text, allowPins, message) => {
    let error: Error | undefined;
    try {
      parseTokensFile(text, 'tokens', { allowPins });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toContain(message);
    expect(error?.message).not.toContain(TOKEN_A);
  });
});

describe('parseBasicFile', () => {
  it('reads plain and scrypt users; the password is the rest of the line', async () => {
    const hash = await hashPassword('s3cret', Buffer.alloc(16, 7));
    const users = parseBasicFile(`# users\nalice:pa:ss word\nbob:${hash}\n`, 'users');
    expect([...users.keys()]).toEqual(['alice', 'bob']);
    expect(users.get('alice')!.password.kind).toBe('plain');
    expect(users.get('bob')!.password).toMatchObject({ kind: 'scrypt', salt: Buffer.alloc(16, 7) });
  });

  const bad: Array<[string, string, string]> = [
    ['no colon', 'alice', 'users line 1: expected "user:password" or "user:scrypt$salt$key"'],
    ['empty user', ':pw', 'users line 1: expected "user:password"'],
    ['empty password', 'alice:', 'users line 1: expected "user:password"'],
    ['malformed hash', 'alice:scrypt$zz$00', 'users line 1: expected scrypt$<salt hex>$<key hex> after "alice:"'],
    ['short key', `alice:scrypt$${'00'.repeat(16)}$abcd`, 'users line 1: the scrypt key must be 32 bytes'],
    ['duplicate user', 'alice:a\nalice:b', 'users line 2: user "alice" appears twice'],
  ];
  it.each(bad)('rejects %s', (_name, text, message) => {
    expect(() => parseBasicFile(text, 'users')).toThrow(message);
  });
});

describe('hashPassword', () => {
  it('is scrypt$salt$key and deterministic for a given salt', async () => {
    const salt = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const a = await hashPassword('pw', salt);
    expect(a).toMatch(/^scrypt\$00112233445566778899aabbccddeeff\$[0-9a-f]{64}$/);
    expect(await hashPassword('pw', salt)).toBe(a);
    expect(await hashPassword('pw2', salt)).not.toBe(a);
  });
});

describe('checkAuthorization', () => {
  let credentials: Credentials;
  beforeAll(async () => {
    credentials = {
      tokens: parseTokensFile(`${TOKEN_A}\n${TOKEN_B} team-b\n${TOKEN_C}`, 'tokens', { allowPins: true }),
      users: parseBasicFile(`alice:wonder land\nbob:${await hashPassword('builder', Buffer.alloc(16, 1))}`, 'users'),
    };
  });
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  const cases: Array<[string, string | undefined, unknown]> = [
    ['no header', undefined, { ok: false, message: 'credentials required: send an Authorization header (Bearer token or Basic)' }],
    ['empty header', '  ', { ok: false, message: 'credentials required: send an Authorization header (Bearer token or Basic)' }],
    ['right token', `Bearer ${TOKEN_A}`, { ok: true, principal: 'token@line1' }],
    ['scheme in any case', `bearer ${TOKEN_C}`, { ok: true, principal: 'token@line3' }],
    ['pinned token', `Bearer ${TOKEN_B}`, { ok: true, principal: 'token@line2', tenant: 'team-b' }],
    ['wrong token', 'Bearer tok-xxxxxxxxxxxxxxxx', { ok: false, message: 'invalid credentials' }],
    ['empty token', 'Bearer ', { ok: false, message: 'invalid credentials' }],
    ['plain user', basic('alice', 'wonder land'), { ok: true, principal: 'user:alice' }],
    ['plain user, wrong password', basic('alice', 'wonderland'), { ok: false, message: 'invalid credentials' }],
    ['scrypt user', basic('bob', 'builder'), { ok: true, principal: 'user:bob' }],
    ['scrypt user, wrong password', basic('bob', 'builder!'), { ok: false, message: 'invalid credentials' }],
    ['unknown user', basic('mallory', 'wonder land'), { ok: false, message: 'invalid credentials' }],
    ['basic without colon', `Basic ${Buffer.from('alice').toString('base64')}`, { ok: false, message: 'invalid credentials' }],
    ['other scheme', 'Digest username="alice"', { ok: false, message: 'unsupported Authorization scheme "digest": use Bearer or Basic' }],
  ];
  it.each(cases)('%s', async (_name, header, expected) => {
    expect(await checkAuthorization(credentials, header)).toEqual(expected);
  });

  it('compares a bearer token with every token, as 32-byte digests, whichever matches', async () => {
    await checkAuthorization(credentials, `Bearer ${TOKEN_A}`);
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
    for (const [a, b] of timingSafeEqual.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
  });

  it('compares digests for a known and an unknown user alike', async () => {
    await checkAuthorization(credentials, basic('alice', 'nope'));
    await checkAuthorization(credentials, basic('mallory', 'nope'));
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it('remembers a verified scrypt password, and only a right one', async () => {
    const remembered = new Set<string>();
    expect((await checkAuthorization(credentials, basic('bob', 'wrong'), remembered)).ok).toBe(false);
    expect(remembered.size).toBe(0);
    expect((await checkAuthorization(credentials, basic('bob', 'builder'), remembered)).ok).toBe(true);
    expect(remembered.size).toBe(1);
    timingSafeEqual.mockClear();
    expect((await checkAuthorization(credentials, basic('bob', 'builder'), remembered)).ok).toBe(true);
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });
});

describe('createAuthenticator', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-auth-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the challenges of the files given', async () => {
    const tokens = join(dir, 'challenge-tokens');
    const users = join(dir, 'challenge-users');
    await writeFile(tokens, `${TOKEN_A}\n`);
    await writeFile(users, 'alice:pw\n');
    const both = await createAuthenticator({ tokensFile: tokens, basicFile: users, allowPins: false, logger, pollIntervalMs: 0 });
    const onlyTokens = await createAuthenticator({ tokensFile: tokens, allowPins: false, logger, pollIntervalMs: 0 });
    expect(both.challenge).toBe('Basic realm="ariadne", charset="UTF-8", Bearer realm="ariadne"');
    expect(onlyTokens.challenge).toBe('Bearer realm="ariadne"');
  });

  const failures: Array<[string, string | undefined, string]> = [
    ['a missing file', undefined, '--auth.tokens-file'],
    ['an empty file', '# nobody yet\n', 'hold no token and no user'],
    ['a pin without tenancy', `${TOKEN_A} team-a\n`, 'needs --multi-tenancy.enabled'],
  ];
  it.each(failures)('refuses to start on %s', async (name, content, message) => {
    const file = join(dir, `start-${name.replace(/\W+/g, '-')}`);
    if (content !== undefined) await writeFile(file, content);
    await expect(createAuthenticator({ tokensFile: file, allowPins: false, logger, pollIntervalMs: 0 })).rejects.toThrow(message);
  });

  it('reloads a changed file and keeps the old credentials when the new file is bad', async () => {
    const file = join(dir, 'reload-tokens');
    await writeFile(file, `${TOKEN_A}\n`);
    const auth = await createAuthenticator({ tokensFile: file, allowPins: true, logger, pollIntervalMs: 20 });
    try {
      expect((await auth.authenticate(`Bearer ${TOKEN_A}`)).ok).toBe(true);
      await writeFile(file, `${TOKEN_B} team-b\n`);
      await vi.waitFor(async () => expect(await auth.authenticate(`Bearer ${TOKEN_B}`)).toEqual({ ok: true, principal: 'token@line1', tenant: 'team-b' }), { timeout: 3000 });
      expect((await auth.authenticate(`Bearer ${TOKEN_A}`)).ok).toBe(false);
      await writeFile(file, `${TOKEN_A} x y\n`);
      await expect(auth.reload()).rejects.toThrow('reload-tokens line 1: expected "token" or "token tenant", got 3 fields');
      expect((await auth.authenticate(`Bearer ${TOKEN_B}`)).ok).toBe(true);
    } finally {
      auth.close();
    }
  });
});

describe('authCovers', () => {
  it.each([
    ['all', 'query', true], ['all', 'ingest', true], ['query', 'query', true], ['query', 'ingest', false], ['ingest', 'query', false], ['ingest', 'ingest', true],
  ] as const)('%s covers %s: %s', (scope, surface, covered) => {
    expect(authCovers(scope, surface)).toBe(covered);
  });
});
