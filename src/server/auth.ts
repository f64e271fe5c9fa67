/**
 * Credentials from files: bearer tokens (`--auth.tokens-file`) and basic-auth users
 * (`--auth.basic-file`). Secrets are compared as SHA-256 digests with crypto.timingSafeEqual, so the
 * time a check takes does not depend on how much of a secret was right; files are polled and
 * reloaded when they change; no secret ever reaches a log line or an error message.
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { TENANT_PATTERN } from './config.js';

/** What the auth files protect. */
export type AuthScope = 'query' | 'ingest' | 'all';

/** Parameters of the stored password hashes (`user:scrypt$<salt hex>$<key hex>`): scrypt N=2^14, r=8, p=1, 32-byte key. */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

/** Shortest accepted bearer token: shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/** One bearer token, kept only as its digest, and the tenant it is pinned to, if any. */
export interface TokenEntry {
  digest: Buffer;
  tenant?: string;
  /** Line of the file, to name the token in logs without showing it. */
  line: number;
}

/** One basic-auth user: a plain password (kept as its digest) or an scrypt hash. */
export interface BasicEntry {
  user: string;
  password: { kind: 'plain'; digest: Buffer } | { kind: 'scrypt'; salt: Buffer; key: Buffer };
}

/** Outcome of checking an Authorization header. */
export type AuthResult =
  | { ok: true; principal: string; tenant?: string }
  | { ok: false; message: string };

/** Checks credentials against the loaded files. */
export interface Authenticator {
  /** The WWW-Authenticate value a 401 carries (Basic first when users exist, so browsers prompt). */
  readonly challenge: string;
  /** Checks an Authorization header value (HTTP header or gRPC metadata); never throws. */
  authenticate(authorization: string | undefined): Promise<AuthResult>;
  /** Reads the files again now; on a bad file the previous credentials stay and the error is thrown. */
  reload(): Promise<void>;
  /** Stops watching the files. */
  close(): void;
}

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  /** Bearer tokens file; undefined or '' for none. */
  tokensFile?: string;
  /** Basic users file; undefined or '' for none. */
  basicFile?: string;
  /** Whether a token may be pinned to a tenant (only meaningful with multi-tenancy on). */
  allowPins: boolean;
  logger: Logger;
  /** How often the files are checked for changes, ms (default 2000; 0 never). */
  pollIntervalMs?: number;
}

const sha256 = (text: string | Buffer): Buffer => createHash('sha256').update(text).digest();

/** The lines of a credentials file that hold something: trimmed, without blank lines and `#` comments. */
function contentLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t !== '' && !t.startsWith('#')) out.push({ line: i + 1, text: t });
  });
  return out;
}

/**
 * Parses a tokens file: one `token` or `token tenant` per line, `#` comments and blank lines
 * ignored. Errors name the file and line, never the token.
 */
export function parseTokensFile(text: string, file: string, options: { allowPins: boolean }): TokenEntry[] {
  const seen = new Set<string>();
  const entries: TokenEntry[] = [];
  for (const { line, text: t } of contentLines(text)) {
    const fields = t.split(/\s+/);
    const where = `${file} line ${line}`;
    if (fields.length > 2) throw new AppError('INVALID_ARGUMENT', `${where}: expected "token" or "token tenant", got ${fields.length} fields`);
    const [token, tenant] = fields as [string, string | undefined];
    if (token.length < MIN_TOKEN_LENGTH) throw new AppError('INVALID_ARGUMENT', `${where}: a token must be at least ${MIN_TOKEN_LENGTH} characters, got ${token.length}`);
    if (tenant !== undefined) {
      if (!options.allowPins) throw new AppError('INVALID_ARGUMENT', `${where}: pins a token to a tenant, which needs --multi-tenancy.enabled`);
      if (!TENANT_PATTERN.test(tenant)) throw new AppError('INVALID_ARGUMENT', `${where}: the tenant must be 1-128 printable characters without spaces or commas`);
    }
    const digest = sha256(token);
    const key = digest.toString('hex');
    if (seen.has(key)) throw new AppError('INVALID_ARGUMENT', `${where}: the same token appears twice`);
    seen.add(key);
    entries.push(tenant === undefined ? { digest, line } : { digest, tenant, line });
  }
  return entries;
}

/**
 * Parses a basic users file: one `user:password` or `user:scrypt$<salt hex>$<key hex>` per line
 * (see hashPassword), `#` comments and blank lines ignored. The user name is what precedes the
 * first colon; the password is the rest of the line, spaces included at its inside.
 */
export function parseBasicFile(text: string, file: string): Map<string, BasicEntry> {
  const users = new Map<string, BasicEntry>();
  for (const { line, text: t } of contentLines(text)) {
    const where = `${file} line ${line}`;
    const colon = t.indexOf(':');
    if (colon <= 0 || colon === t.length - 1) throw new AppError('INVALID_ARGUMENT', `${where}: expected "user:password" or "user:scrypt$salt$key"`);
    const user = t.slice(0, colon);
    const secret = t.slice(colon + 1);
    if (users.has(user)) throw new AppError('INVALID_ARGUMENT', `${where}: user ${JSON.stringify(user)} appears twice`);
    const hashed = /^scrypt\$([0-9a-f]{16,128})\$([0-9a-f]+)$/i.exec(secret);
    if (secret.startsWith('scrypt$') && !hashed) throw new AppError('INVALID_ARGUMENT', `${where}: expected scrypt$<salt hex>$<key hex> after "${user}:"`);
    const password: BasicEntry['password'] = hashed
      ? { kind: 'scrypt', salt: Buffer.from(hashed[1]!, 'hex'), key: Buffer.from(hashed[2]!, 'hex') }
      : { kind: 'plain', digest: sha256(secret) };
    if (password.kind === 'scrypt' && password.key.length !== SCRYPT_PARAMS.keyLength) {
      throw new AppError('INVALID_ARGUMENT', `${where}: the scrypt key must be ${SCRYPT_PARAMS.keyLength} bytes (${SCRYPT_PARAMS.keyLength * 2} hex chars)`);
    }
    users.set(user, { user, password });
  }
  return users;
}

function scrypt(password: BinaryLike, salt: BinaryLike, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const SCRYPT_OPTIONS: ScryptOptions = { N: SCRYPT_PARAMS.N, r: SCRYPT_PARAMS.r, p: SCRYPT_PARAMS.p, maxmem: 64 * 1024 * 1024 };

/** A basic-file password entry for `password`: `scrypt$<salt hex>$<key hex>`, with a random salt unless one is given. */
export async function hashPassword(password: string, salt: Buffer = randomBytes(16)): Promise<string> {
  const key = await scrypt(password, salt, SCRYPT_PARAMS.keyLength, SCRYPT_OPTIONS);
  return `scrypt$${salt.toString('hex')}$${key.toString('hex')}`;
}

/** Equal-length digests compared in constant time. */
function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Verified scrypt passwords are remembered (as digests) so a browser's every request does not pay 50 ms of scrypt. */
const MAX_REMEMBERED = 1024;

/** The loaded credentials and how to check them; exported for tests of the comparison rules. */
export interface Credentials {
  tokens: TokenEntry[];
  users: Map<string, BasicEntry>;
}

/**
 * Checks an Authorization value against credentials. Every token is compared (no early exit);
 * an unknown user costs the same digest comparison as a known one. `remembered` holds digests of
 * scrypt passwords already verified.
 */
export async function checkAuthorization(credentials: Credentials, authorization: string | undefined, remembered?: Set<string>): Promise<AuthResult> {
  if (authorization === undefined || authorization.trim() === '') {
    return { ok: false, message: 'credentials required: send an Authorization header (Bearer token or Basic)' };
  }
  const space = authorization.indexOf(' ');
  const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : authorization.slice(space + 1).trim();
  if (scheme === 'bearer') {
    const digest = sha256(value);
    let match: TokenEntry | undefined;
    for (const entry of credentials.tokens) {
      if (sameDigest(entry.digest, digest) && match === undefined) match = entry;
    }
    if (!match || value === '') return { ok: false, message: 'invalid credentials' };
    return match.tenant === undefined ? { ok: true, principal: `token@line${match.line}` } : { ok: true, principal: `token@line${match.line}`, tenant: match.tenant };
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, message: 'invalid credentials' };
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const entry = credentials.users.get(user);
    if (!entry || entry.password.kind === 'plain') {
      // An unknown user is compared against a digest all the same, so both take the same time.
      const ok = sameDigest(entry?.password.kind === 'plain' ? entry.password.digest : UNKNOWN_USER_DIGEST, sha256(password));
      return entry && ok ? { ok: true, principal: `user:${user}` } : { ok: false, message: 'invalid credentials' };
    }
    const { salt, key } = entry.password;
    const memo = sha256(`${user}\u0000${salt.toString('hex')}\u0000${password}`).toString('hex');
    if (remembered?.has(memo)) return { ok: true, principal: `user:${user}` };
    const derived = await scrypt(password, salt, key.length, SCRYPT_OPTIONS);
    if (!sameDigest(derived, key)) return { ok: false, message: 'invalid credentials' };
    if (remembered) {
      if (remembered.size >= MAX_REMEMBERED) remembered.clear();
      remembered.add(memo);
    }
    return { ok: true, principal: `user:${user}` };
  }
  return { ok: false, message: `unsupported Authorization scheme ${JSON.stringify(scheme.slice(0, 20))}: use Bearer or Basic` };
}

const UNKNOWN_USER_DIGEST = sha256(randomBytes(32));

/**
 * Loads the configured files (rejecting with INVALID_ARGUMENT when one is unreadable, malformed or
 * when together they hold no credential) and keeps polling them: a changed file is read again; a
 * bad one is logged and the previous credentials stay in force.
 */
export async function createAuthenticator(options: AuthenticatorOptions): Promise<Authenticator> {
  const tokensFile = options.tokensFile || undefined;
  const basicFile = options.basicFile || undefined;
  if (tokensFile === undefined && basicFile === undefined) throw new AppError('INVALID_ARGUMENT', 'auth needs --auth.tokens-file or --auth.basic-file');
  const { logger } = options;
  const load = async (): Promise<Credentials> => {
    const read = async (file: string, flag: string) => {
      try {
        return await readFile(file, 'utf8');
      } catch (err) {
        throw new AppError('INVALID_ARGUMENT', `${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
      }
    };
    const tokens = tokensFile === undefined ? [] : parseTokensFile(await read(tokensFile, '--auth.tokens-file'), tokensFile, options);
    const users = basicFile === undefined ? new Map<string, BasicEntry>() : parseBasicFile(await read(basicFile, '--auth.basic-file'), basicFile);
    return { tokens, users };
  };
  let credentials = await load();
  if (credentials.tokens.length === 0 && credentials.users.size === 0) {
    throw new AppError('INVALID_ARGUMENT', `the auth files (${[tokensFile, basicFile].filter(Boolean).join(', ')}) hold no token and no user: every request would be refused`);
  }
  logger.info({ tokens: credentials.tokens.length, users: credentials.users.size }, 'auth credentials loaded');
  const remembered = new Set<string>();
  const reload = async () => {
    credentials = await load();
    remembered.clear();
    logger.info({ tokens: credentials.tokens.length, users: credentials.users.size }, 'auth credentials reloaded');
    if (credentials.tokens.length === 0 && credentials.users.size === 0) logger.warn('the auth files hold no credential: every protected request is refused');
  };
  const challenges = [basicFile !== undefined ? 'Basic realm="ariadne", charset="UTF-8"' : undefined, tokensFile !== undefined ? 'Bearer realm="ariadne"' : undefined];
  const pollMs = options.pollIntervalMs ?? 2000;
  const watched: Array<{ file: string; listener: (curr: Stats, prev: Stats) => void }> = [];
  if (pollMs > 0) {
    for (const file of [tokensFile, basicFile]) {
      if (file === undefined) continue;
      const listener = (curr: Stats, prev: Stats) => {
        if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
        reload().catch((err: unknown) => logger.error({ file, err: (err as Error).message }, 'auth file not reloaded; the previous credentials stay in force'));
      };
      watchFile(file, { interval: pollMs, persistent: false }, listener);
      watched.push({ file, listener });
    }
  }
  // Touch the files once so a missing one is reported now rather than at the first poll.
  for (const file of [tokensFile, basicFile]) if (file !== undefined) await stat(file);
  return {
    challenge: challenges.filter((c): c is string => c !== undefined).join(', '),
    authenticate: (authorization) => checkAuthorization(credentials, authorization, remembered).catch((): AuthResult => ({ ok: false, message: 'invalid credentials' })),
    reload,
    close() {
      for (const { file, listener } of watched.splice(0)) unwatchFile(file, listener);
    },
  };
}

/** True when credentials guard `surface` under `scope`. */
export function authCovers(scope: AuthScope, surface: 'query' | 'ingest'): boolean {
  return scope === 'all' || scope === surface;
}
