import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastify, type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors.js';
import { createSamplingProvider, type SamplingLogger, type SamplingProvider } from './index.js';

/** Keeps what the provider logs, to assert on its warnings. */
function recordingLogger(): SamplingLogger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    warnings,
    infos,
    info: (_obj, msg) => void infos.push(msg),
    warn: (_obj, msg) => void warnings.push(msg),
  };
}

const strategiesFile = (rate: number): string => JSON.stringify({
  default_strategy: { type: 'probabilistic', param: 0.5 },
  service_strategies: [{ service: 'cart', type: 'probabilistic', param: rate }],
});

const rateOf = (provider: SamplingProvider, service: string): number | undefined =>
  provider.strategyFor(service).probabilisticSampling?.samplingRate;

let dir: string;
const open: SamplingProvider[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ariadne-sampling-'));
});
afterEach(() => {
  for (const provider of open.splice(0)) provider.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function provider(file: string | undefined, reloadIntervalMs = 0, logger = recordingLogger()): Promise<SamplingProvider> {
  const created = await createSamplingProvider({ file, logger, reloadIntervalMs });
  open.push(created);
  return created;
}

describe('createSamplingProvider with a file', () => {
  it('without a file answers the built-in default and never changes', async () => {
    const p = await provider(undefined);
    expect(p.strategyFor('any')).toStrictEqual({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.001 } });
    expect(await p.reload()).toBe(false);
  });

  it('without a file answers the configured default probability, which must be a probability', async () => {
    const p = await createSamplingProvider({ logger: recordingLogger(), defaultSamplingProbability: 0.2 });
    expect(rateOf(p, 'any')).toBe(0.2);
    await expect(createSamplingProvider({ logger: recordingLogger(), defaultSamplingProbability: 1.2 }))
      .rejects.toThrow(new AppError('INVALID_ARGUMENT', 'defaultSamplingProbability: probability must be within [0, 1], got 1.2'));
  });

  it('reloads on demand, and an invalid or unreadable file keeps the last good strategies', async () => {
    const file = join(dir, 'on-demand.json');
    await writeFile(file, strategiesFile(0.8));
    const logger = recordingLogger();
    const p = await provider(file, 0, logger);
    expect([rateOf(p, 'cart'), rateOf(p, 'other')]).toStrictEqual([0.8, 0.5]);

    const steps: { name: string; content: string | null; adopted: boolean; cart: number; warning?: string }[] = [
      { name: 'unchanged', content: strategiesFile(0.8), adopted: false, cart: 0.8 },
      { name: 'changed', content: strategiesFile(0.25), adopted: true, cart: 0.25 },
      {
        name: 'out of range', content: strategiesFile(1.5), adopted: false, cart: 0.25,
        warning: `sampling strategies file ${JSON.stringify(file)}: invalid, keeping the current strategies: `
          + 'service_strategies[0].param: probability must be within [0, 1], got 1.5',
      },
      {
        name: 'half written', content: '{"service_strategies": [', adopted: false, cart: 0.25,
        warning: `sampling strategies file ${JSON.stringify(file)}: invalid, keeping the current strategies: strategies: not valid JSON (`,
      },
      {
        name: 'removed', content: null, adopted: false, cart: 0.25,
        warning: `sampling strategies file ${JSON.stringify(file)}: cannot reload, keeping the current strategies: cannot read: ENOENT`,
      },
      { name: 'fixed again', content: strategiesFile(0.6), adopted: true, cart: 0.6 },
    ];
    for (const step of steps) {
      logger.warnings.length = 0;
      if (step.content === null) await rm(file);
      else await writeFile(file, step.content);
      expect({ step: step.name, adopted: await p.reload() }).toStrictEqual({ step: step.name, adopted: step.adopted });
      expect({ step: step.name, cart: rateOf(p, 'cart') }).toStrictEqual({ step: step.name, cart: step.cart });
      if (step.warning === undefined) expect(logger.warnings).toStrictEqual([]);
      else {
        expect(logger.warnings).toHaveLength(1);
        expect(logger.warnings[0]!.startsWith(step.warning)).toBe(true);
      }
    }
  });

  it('polls at the interval: adopts a change, warns once about an invalid one and keeps the old', async () => {
    const file = join(dir, 'polled.json');
    await writeFile(file, strategiesFile(0.8));
    const logger = recordingLogger();
    const p = await provider(file, 20, logger);
    await writeFile(file, strategiesFile(0.125));
    await vi.waitFor(() => expect(rateOf(p, 'cart')).toBe(0.125), { timeout: 2000, interval: 10 });

    await writeFile(file, '{"service_strategies": [{"service": "cart", "type": "probabilistic", "param": 7}]}');
    await vi.waitFor(() => expect(logger.warnings).toHaveLength(1), { timeout: 2000, interval: 10 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logger.warnings).toStrictEqual([
      `sampling strategies file ${JSON.stringify(file)}: invalid, keeping the current strategies: `
        + 'service_strategies[0].param: probability must be within [0, 1], got 7',
    ]);
    expect(rateOf(p, 'cart')).toBe(0.125);

    p.close();
    await writeFile(file, strategiesFile(0.75));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rateOf(p, 'cart')).toBe(0.125);
  });

  it('stops polling when its signal aborts', async () => {
    const file = join(dir, 'aborted.json');
    await writeFile(file, strategiesFile(0.8));
    const controller = new AbortController();
    const p = await createSamplingProvider({ file, logger: recordingLogger(), reloadIntervalMs: 20, signal: controller.signal });
    controller.abort();
    await writeFile(file, strategiesFile(0.3));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rateOf(p, 'cart')).toBe(0.8);
  });

  it('logs what the file has that is ignored', async () => {
    const file = join(dir, 'ignored.json');
    await writeFile(file, '{"default_strategy": {"type": "probabilistic", "param": 0.5, "operation_strategy": []}}');
    const logger = recordingLogger();
    await provider(file, 0, logger);
    expect(logger.warnings).toStrictEqual([
      `sampling strategies file ${JSON.stringify(file)}: default_strategy: unknown field "operation_strategy" ignored`,
    ]);
  });

  const failures: { name: string; content: string | null; message: string }[] = [
    { name: 'a missing file', content: null, message: 'cannot read: ENOENT' },
    { name: 'an invalid file', content: '{"default_strategy": {"type": "probabilistic", "param": -1}}', message: 'default_strategy.param: probability must be within [0, 1], got -1' },
  ];
  for (const failure of failures) {
    it(`refuses to start with ${failure.name}`, async () => {
      const file = join(dir, `start-${failure.name.replace(/ /g, '-')}.json`);
      if (failure.content !== null) await writeFile(file, failure.content);
      const started = createSamplingProvider({ file, logger: recordingLogger(), reloadIntervalMs: 0 });
      await expect(started).rejects.toThrow(new AppError('INVALID_ARGUMENT', `sampling strategies file ${JSON.stringify(file)}: ${failure.message}`));
    });
  }
});

describe('createSamplingProvider with a URL', () => {
  let server: FastifyInstance;
  let base: string;
  let body = strategiesFile(0.8);
  let status = 200;

  beforeAll(async () => {
    server = fastify();
    server.get('/strategies.json', async (_request, reply) => reply.status(status).type('application/json').send(body));
    base = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('downloads, reloads on change, keeps the strategies while the URL fails', async () => {
    status = 200;
    body = strategiesFile(0.8);
    const logger = recordingLogger();
    const url = `${base}/strategies.json`;
    const p = await provider(url, 0, logger);
    expect(rateOf(p, 'cart')).toBe(0.8);

    body = strategiesFile(0.4);
    expect(await p.reload()).toBe(true);
    expect(rateOf(p, 'cart')).toBe(0.4);

    status = 503;
    expect(await p.reload()).toBe(false);
    status = 404;
    body = 'gone';
    expect(await p.reload()).toBe(false);
    expect(rateOf(p, 'cart')).toBe(0.4);
    expect(logger.warnings).toStrictEqual([
      `sampling strategies URL ${JSON.stringify(url)}: cannot reload, keeping the current strategies: download answered 404: gone`,
    ]);
  });

  it('starts with the defaults while the URL answers 503, then adopts it', async () => {
    status = 503;
    body = strategiesFile(0.9);
    const p = await provider(`${base}/strategies.json`);
    expect(rateOf(p, 'cart')).toBe(0.001);
    status = 200;
    expect(await p.reload()).toBe(true);
    expect(rateOf(p, 'cart')).toBe(0.9);
  });

  it('refuses to start when the URL answers another error', async () => {
    status = 500;
    body = 'boom';
    await expect(provider(`${base}/strategies.json`)).rejects.toThrow(
      `sampling strategies URL ${JSON.stringify(`${base}/strategies.json`)}: download answered 500: boom`,
    );
  });
});
