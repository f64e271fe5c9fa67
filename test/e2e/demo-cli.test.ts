/** The demo through the CLI: `all-in-one --demo` fills a fresh server with Bookinfo traces; `ariadne demo` flags. */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

const BIN = new URL('../../bin/ariadne.js', import.meta.url).pathname;
let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = await tempDir();
  server = await startServerProcess({ dataDir, args: ['--storage', 'memory', '--demo'] });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dataDir);
});

describe('the demo from the CLI', () => {
  it('all-in-one --demo shows Bookinfo traces without anything else running', async () => {
    const services = await eventually(async () => {
      const { body } = await getJson(`${server.query}/api/services`);
      return ['productpage.default', 'details.default', 'reviews.default'].every((s) => body.data.includes(s)) ? body.data : undefined;
    }, 15_000);
    expect(services).toEqual(expect.arrayContaining(['productpage.default', 'details.default', 'reviews.default']));
    expect(server.logs.some((l) => l.msg === 'demo running')).toBe(true);
  });

  it('ariadne demo --help lists its flags; a bad value exits 2 naming the flag', () => {
    const help = spawnSync(process.execPath, [BIN, 'demo', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--demo.rate <value>');
    expect(help.stdout).toContain('env ARIADNE_DEMO_SAMPLING');
    const bad = spawnSync(process.execPath, [BIN, 'demo', '--demo.sampling', '150'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--demo.sampling');
  });
});
