/**
 * What the agent and the doctor send a server with tenancy or auth on: headers and gRPC metadata
 * from a tenant, a token file (read from real files, re-read after rotation) or URL userinfo.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_CREDENTIAL_FLAGS, createCredentials, readBasicFile, readTokenFile, redactUrl, splitUrlCredentials } from './credentials.js';
import { agentSamplingUrl } from './sampling-proxy.js';

const TOKEN = '3f9c1d0e6b2a47c5a8e1b7d4c2f09e6a';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ariadne-credentials-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('readTokenFile', () => {
  it.each([
    ['one line', `${TOKEN}\n`, TOKEN],
    ['blank lines and spaces around it', `\n  \n  ${TOKEN}  \r\nignored-second-line\n`, TOKEN],
    ['no trailing newline', TOKEN, TOKEN],
  ])('reads the first non-empty line: %s', async (_name, text, expected) => {
    expect(readTokenFile(await file('token', text), '--agent.collector.token-file')).toBe(expected);
  });

  it.each([
    ['an empty file', '\n \n', 'the file is empty, expected a bearer token on its first line'],
    ['two words on the line', `${TOKEN} team-a\n`, 'the first line must be one token of printable ASCII characters without spaces'],
  ])('refuses %s, naming flag and file but not the content', async (_name, text, message) => {
    const path = await file('bad-token', text);
    expect(() => readTokenFile(path, '--doctor.token-file')).toThrow(`--doctor.token-file ${path}: ${message}`);
    try {
      readTokenFile(path, '--doctor.token-file');
    } catch (err) {
      expect((err as Error).message).not.toContain(TOKEN);
    }
  });

  it('names a missing file by its error code', () => {
    expect(() => readTokenFile(join(dir, 'absent'), '--doctor.token-file')).toThrow(`--doctor.token-file ${join(dir, 'absent')}: cannot read it (ENOENT)`);
  });
});

describe('readBasicFile', () => {
  it.each([
    ['user:password', 'alice:s3cret\n', { user: 'alice', password: 's3cret' }],
    ['a password holding colons and spaces', '\nbob:a b:c\n', { user: 'bob', password: 'a b:c' }],
  ])('reads %s', async (_name, text, expected) => {
    expect(readBasicFile(await file('basic', text), '--doctor.basic-file')).toEqual(expected);
  });

  it.each([['no colon', 'alice\n'], ['no user', ':pw\n'], ['no password', 'alice:\n'], ['empty', '']])('refuses %s', async (_name, text) => {
    const path = await file('bad-basic', text);
    expect(() => readBasicFile(path, '--doctor.basic-file')).toThrow(`--doctor.basic-file ${path}: expected "user:password" on the first line`);
  });
});

describe('splitUrlCredentials', () => {
  it.each([
    ['no userinfo', 'http://collector:14268', 'http://collector:14268/', undefined],
    ['user and password', 'http://agent:pw@collector:14268/base', 'http://collector:14268/base', { user: 'agent', password: 'pw' }],
    ['percent-escaped characters', 'grpc://a%40b:p%3Aw%2F@collector:14250', 'grpc://collector:14250', { user: 'a@b', password: 'p:w/' }],
  ])('%s', (_name, input, url, basic) => {
    const split = splitUrlCredentials(new URL(input));
    expect(split.url.toString()).toBe(url);
    expect(split.basic).toEqual(basic);
  });
});

describe('redactUrl', () => {
  it.each([
    ['http://agent:pw@collector:14268', 'http://agent:***@collector:14268'],
    ['grpc://collector:14250', 'grpc://collector:14250'],
    ['not a url', 'not a url'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('createCredentials', () => {
  it('sends nothing without options', () => {
    const c = createCredentials({ flags: AGENT_CREDENTIAL_FLAGS });
    expect([c.none, c.description, c.headers(), c.metadata().getMap()]).toEqual([true, 'no tenant, no credentials', {}, {}]);
  });

  it.each([
    ['a tenant under the default header', { tenant: 'team-a' }, { 'x-tenant': 'team-a' }, 'tenant team-a (x-tenant)'],
    ['a tenant under another header', { tenant: 'team-a', tenantHeader: 'x-scope-orgid' }, { 'x-scope-orgid': 'team-a' }, 'tenant team-a (x-scope-orgid)'],
    ['basic credentials', { basic: { user: 'agent', password: 'p:w' } }, { authorization: `Basic ${Buffer.from('agent:p:w').toString('base64')}` }, 'basic auth as agent'],
  ])('%s', (_name, options, headers, description) => {
    const c = createCredentials({ ...options, flags: AGENT_CREDENTIAL_FLAGS });
    expect(c.none).toBe(false);
    expect(c.headers()).toEqual(headers);
    expect(c.metadata().getMap()).toEqual(headers);
    expect(c.description).toBe(description);
  });

  it('sends a token from its file with the tenant, and describes it without the token', async () => {
    const tokenFile = await file('agent-token', `${TOKEN}\n`);
    const c = createCredentials({ tenant: 'team-a', tokenFile, flags: AGENT_CREDENTIAL_FLAGS });
    expect(c.headers()).toEqual({ 'x-tenant': 'team-a', authorization: `Bearer ${TOKEN}` });
    expect(c.metadata().getMap()).toEqual({ 'x-tenant': 'team-a', authorization: `Bearer ${TOKEN}` });
    expect(c.description).toBe(`tenant team-a (x-tenant), bearer token from ${tokenFile}`);
  });

  it('picks up a rotated token file, and keeps the last token while the file is unreadable', async () => {
    const tokenFile = await file('rotating-token', `${TOKEN}\n`);
    const c = createCredentials({ tokenFile, flags: AGENT_CREDENTIAL_FLAGS, tokenRecheckMs: 0 });
    expect(c.headers().authorization).toBe(`Bearer ${TOKEN}`);
    await writeFile(tokenFile, 'b8d2e4f6a1c3e5f7d9b1a3c5e7f9d1b3-rotated\n');
    expect(c.headers().authorization).toBe('Bearer b8d2e4f6a1c3e5f7d9b1a3c5e7f9d1b3-rotated');
    await writeFile(tokenFile, '');
    expect(c.headers().authorization).toBe('Bearer b8d2e4f6a1c3e5f7d9b1a3c5e7f9d1b3-rotated');
  });

  it('refuses a token and basic credentials together, naming both sources', async () => {
    const tokenFile = await file('both-token', `${TOKEN}\n`);
    expect(() => createCredentials({ tokenFile, basic: { user: 'u', password: 'p' }, flags: AGENT_CREDENTIAL_FLAGS }))
      .toThrow('--agent.collector.token-file and the user:password of --agent.collector both give credentials: keep one');
  });
});

describe('agentSamplingUrl', () => {
  it.each([
    ['the sampling url when given', 'grpc://collector:14250', 'http://sampler:14268', 'http://sampler:14268'],
    ['the http collector itself', 'http://collector:14268/base/', '', 'http://collector:14268/base'],
    ['port 14268 of a grpc collector', 'grpc://collector:14250', '', 'http://collector:14268'],
    ['port 14268 of an IPv6 grpc collector', 'grpc://[::1]:14250', '', 'http://[::1]:14268'],
    ['the userinfo of the collector', 'grpc://agent:pw@collector:14250', '', 'http://agent:pw@collector:14268'],
  ])('%s', (_name, collector, samplingUrl, expected) => {
    expect(agentSamplingUrl(collector, samplingUrl)).toBe(expected);
  });
});
