/**
 * Remote sampling through the real CLI: the agent-style port (5778) and the collector's
 * /api/sampling (14268) answer from a strategies file, and pick up a change without a restart.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, removeDir, startServerProcess, tempDir, type ServerProcess } from './server.js';

let server: ServerProcess;
let dir: string;
let file: string;

const STRATEGIES = {
  default_strategy: { type: 'probabilistic', param: 0.25 },
  service_strategies: [
    { service: 'reviews', type: 'ratelimiting', param: 5 },
    { service: 'ratings', type: 'probabilistic', param: 0.5, operation_strategies: [{ operation: 'GET /ratings', type: 'probabilistic', param: 1 }] },
  ],
};

beforeAll(async () => {
  dir = await tempDir();
  file = join(dir, 'strategies.json');
  await writeFile(file, JSON.stringify(STRATEGIES));
  server = await startServerProcess({ dataDir: join(dir, 'data'), args: ['--storage', 'memory', '--sampling.strategies-file', file, '--sampling.reload-interval', '1s'] });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dir);
});

async function get(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('remote sampling on the standard ports', () => {
  it('serves a service\'s rate limit on 5778 /sampling and 14268 /api/sampling alike', async () => {
    for (const url of [`http://127.0.0.1:${server.ports.sampling}/sampling?service=reviews`, `http://127.0.0.1:${server.ports.jaegerHttp}/api/sampling?service=reviews`]) {
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.type).toBe('application/json');
      expect(JSON.parse(res.text)).toEqual({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 5 } });
    }
  });

  it('serves per-operation rates and the default for unknown services', async () => {
    const ratings = JSON.parse((await get(`http://127.0.0.1:${server.ports.sampling}/sampling?service=ratings`)).text);
    expect(ratings.strategyType).toBe('PROBABILISTIC');
    expect(ratings.probabilisticSampling).toEqual({ samplingRate: 0.5 });
    expect(ratings.operationSampling.defaultSamplingProbability).toBe(0.5);
    expect(ratings.operationSampling.perOperationStrategies).toEqual([{ operation: 'GET /ratings', probabilisticSampling: { samplingRate: 1 } }]);
    const other = JSON.parse((await get(`http://127.0.0.1:${server.ports.sampling}/sampling?service=productpage`)).text);
    expect(other).toEqual({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.25 } });
  });

  it('answers the legacy / route with a numeric strategy type', async () => {
    const res = JSON.parse((await get(`http://127.0.0.1:${server.ports.sampling}/?service=reviews`)).text);
    expect(res.strategyType).toBe(1);
  });

  it('answers 400 in text when service is missing', async () => {
    const res = await get(`http://127.0.0.1:${server.ports.sampling}/sampling`);
    expect(res.status).toBe(400);
    expect(res.text).toContain("'service' parameter");
  });

  it('reloads the file when it changes', async () => {
    await writeFile(file, JSON.stringify({ ...STRATEGIES, default_strategy: { type: 'probabilistic', param: 0.75 } }));
    const rate = await eventually(async () => {
      const r = JSON.parse((await get(`http://127.0.0.1:${server.ports.jaegerHttp}/api/sampling?service=productpage`)).text);
      return r.probabilisticSampling.samplingRate === 0.75 ? r.probabilisticSampling.samplingRate : undefined;
    }, 10_000);
    expect(rate).toBe(0.75);
  });
});
