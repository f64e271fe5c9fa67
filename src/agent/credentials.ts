/**
 * What Ariadne's own clients (the agent forwarding to a collector, the doctor probing a server)
 * show a server that has multi-tenancy or auth on: a tenant in the tenancy header (gRPC: the
 * metadata key of the same name) and at most one Authorization value, a bearer token read from a
 * file or basic credentials. Secrets never appear in an error message or a description.
 * The server side of these rules is src/server/tenancy.ts and src/server/auth.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { Metadata } from '@grpc/grpc-js';
import { AppError } from '../errors.js';

/** A user and password for `Authorization: Basic`. */
export interface BasicCredentials {
  user: string;
  password: string;
}

/** The flag names error messages cite, so an operator knows which setting to change. */
export interface CredentialFlags {
  tenant: string;
  tokenFile: string;
  /** Where basic credentials came from, e.g. "the user:password of --agent.collector". */
  basic: string;
}

/** Options of {@link createCredentials}. */
export interface CredentialsOptions {
  /** Tenant to name; '' or undefined names none. */
  tenant?: string;
  /** Header (HTTP) and metadata key (gRPC) carrying the tenant, lower case; default x-tenant. */
  tenantHeader?: string;
  /** File whose first non-empty line is a bearer token; '' or undefined for none. */
  tokenFile?: string;
  /** Basic credentials; exclusive with tokenFile. */
  basic?: BasicCredentials;
  flags: CredentialFlags;
  /** How long a read token is reused before the file is looked at again (rotation); default 10 s. */
  tokenRecheckMs?: number;
}

/** What a client sends on every request; values are computed per call so a rotated token is picked up. */
export interface Credentials {
  /** True when nothing is sent. */
  readonly none: boolean;
  /** The tenant sent, if any. */
  readonly tenant?: string;
  /** The tenant header / metadata key. */
  readonly tenantHeader: string;
  /** What is sent, for logs and reports, without any secret: e.g. "tenant team-a, bearer token from /etc/t". */
  readonly description: string;
  /** HTTP headers to add to a request (lower-case names). */
  headers(): Record<string, string>;
  /** gRPC metadata holding the same values. */
  metadata(): Metadata;
}

/** Flags the agent's credential errors name. */
export const AGENT_CREDENTIAL_FLAGS: CredentialFlags = {
  tenant: '--agent.collector.tenant', tokenFile: '--agent.collector.token-file', basic: 'the user:password of --agent.collector',
};

/** A URL as it may be shown in a message: a password in its userinfo replaced by ***. */
export function redactUrl(text: string): string {
  return text.replace(/\/\/([^/@]*):[^/@]*@/, '//$1:***@');
}

/** Default tenancy header of the server (`--multi-tenancy.header`). */
export const DEFAULT_TENANT_HEADER = 'x-tenant';

/** Printable ASCII without spaces: what fits an Authorization value and a server's tokens file. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/**
 * The first non-empty line of `file`, trimmed, or undefined when it has none; throws
 * INVALID_ARGUMENT naming `flag` and the file when it cannot be read.
 */
function firstLine(file: string, flag: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  return text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '');
}

/**
 * Reads a bearer token: the first non-empty line of `file`, trimmed. Throws INVALID_ARGUMENT naming
 * `flag` and the file when it cannot be read, holds no line, or the line is not one token.
 */
export function readTokenFile(file: string, flag: string): string {
  const line = firstLine(file, flag);
  if (line === undefined) throw new AppError('INVALID_ARGUMENT', `${flag} ${file}: the file is empty, expected a bearer token on its first line`);
  if (!TOKEN_CHARS.test(line)) throw new AppError('INVALID_ARGUMENT', `${flag} ${file}: the first line must be one token of printable ASCII characters without spaces`);
  return line;
}

/**
 * Reads basic credentials: the first non-empty line of `file`, `user:password` (the user is what
 * precedes the first colon, as in the server's --auth.basic-file).
 */
export function readBasicFile(file: string, flag: string): BasicCredentials {
  const line = firstLine(file, flag);
  const colon = line?.indexOf(':') ?? -1;
  if (line === undefined || colon <= 0 || colon === line.length - 1) {
    throw new AppError('INVALID_ARGUMENT', `${flag} ${file}: expected "user:password" on the first line`);
  }
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}

/**
 * Splits the userinfo off a URL: fetch refuses URLs holding credentials, so they travel as an
 * Authorization header instead. Percent-escapes in the user and password are decoded.
 */
export function splitUrlCredentials(url: URL): { url: URL; basic?: BasicCredentials } {
  if (url.username === '' && url.password === '') return { url };
  const basic = { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  const bare = new URL(url.toString());
  bare.username = '';
  bare.password = '';
  return { url: bare, basic };
}

/**
 * Builds what a client sends. Throws INVALID_ARGUMENT when the token file is unreadable or empty,
 * or when both a token and basic credentials are given (a request carries one Authorization).
 */
export function createCredentials(options: CredentialsOptions): Credentials {
  const tenant = options.tenant || undefined;
  const tenantHeader = options.tenantHeader ?? DEFAULT_TENANT_HEADER;
  const tokenFile = options.tokenFile || undefined;
  const { flags } = options;
  if (tokenFile !== undefined && options.basic !== undefined) {
    throw new AppError('INVALID_ARGUMENT', `${flags.tokenFile} and ${flags.basic} both give credentials: keep one`);
  }
  if (options.basic !== undefined && options.basic.user.includes(':')) {
    throw new AppError('INVALID_ARGUMENT', `${flags.basic}: the user name must not contain ":"`);
  }
  const recheckMs = options.tokenRecheckMs ?? 10_000;
  let token = tokenFile === undefined ? undefined : readTokenFile(tokenFile, flags.tokenFile);
  let checkedAt = Date.now();
  let stamp = tokenFile === undefined ? '' : fileStamp(tokenFile);
  // A token file may be rotated under a running process (a mounted secret): look again now and then.
  const currentToken = (): string | undefined => {
    if (tokenFile === undefined || Date.now() - checkedAt < recheckMs) return token;
    checkedAt = Date.now();
    const now = fileStamp(tokenFile);
    if (now === stamp) return token;
    try {
      token = readTokenFile(tokenFile, flags.tokenFile);
      stamp = now;
    } catch {
      // A file caught half-written or removed: the previous token stays until a readable one appears.
    }
    return token;
  };
  const basicValue = options.basic === undefined ? undefined : `Basic ${Buffer.from(`${options.basic.user}:${options.basic.password}`, 'utf8').toString('base64')}`;
  const authorization = (): string | undefined => {
    const t = currentToken();
    return t !== undefined ? `Bearer ${t}` : basicValue;
  };
  const parts = [
    tenant !== undefined ? `tenant ${tenant} (${tenantHeader})` : undefined,
    tokenFile !== undefined ? `bearer token from ${tokenFile}` : undefined,
    options.basic !== undefined ? `basic auth as ${options.basic.user}` : undefined,
  ].filter((p): p is string => p !== undefined);
  const values = (): Array<[string, string]> => {
    const out: Array<[string, string]> = [];
    if (tenant !== undefined) out.push([tenantHeader, tenant]);
    const auth = authorization();
    if (auth !== undefined) out.push(['authorization', auth]);
    return out;
  };
  return {
    none: parts.length === 0,
    ...(tenant !== undefined ? { tenant } : {}),
    tenantHeader,
    description: parts.length === 0 ? 'no tenant, no credentials' : parts.join(', '),
    headers: () => Object.fromEntries(values()),
    metadata() {
      const metadata = new Metadata();
      for (const [key, value] of values()) metadata.set(key, value);
      return metadata;
    },
  };
}

function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return '';
  }
}
