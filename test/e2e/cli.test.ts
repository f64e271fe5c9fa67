/** The `ariadne` command itself: help, exit codes and start-up failures a user can act on. */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './server.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/ariadne.js', import.meta.url).pathname;

async function ariadne(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await tempDir('ariadne-cli-');
});
afterAll(async () => {
  await removeDir(dir);
});

describe('ariadne CLI', () => {
  it('--help lists roles and every flag with env var and default, exit 0', async () => {
    const r = await ariadne(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: ariadne [role] [flags]');
    expect(r.stdout).toContain('all-in-one');
    for (const flag of ['--zipkin.port', '--query.port', '--admin.port', '--data-dir', '--storage', '--retention', '--max-disk', '--max-body']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('env ARIADNE_RETENTION, default 7d');
  });

  it('an unknown flag exits 2 naming it', async () => {
    const r = await ariadne(['--zipkin.prot', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown flag --zipkin.prot');
  });

  it('an unknown role exits 2 listing the roles', async () => {
    const r = await ariadne(['everything']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('roles: all-in-one');
  });

  it('collector and query refuse a store that only one process can use, exit 2', async () => {
    for (const role of ['collector', 'query']) {
      const r = await ariadne([role]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`role ${role} needs a store shared with the other roles: run it with --storage=clickhouse`);
    }
  });

  it('a data dir that cannot be used exits 1 with the reason', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const r = await ariadne(['--data-dir', file, '--zipkin.port', '0', '--query.port', '0', '--admin.port', '0', '--log.format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`cannot open data dir ${file}`);
  });
});
