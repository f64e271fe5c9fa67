/**
 * Serves sampling strategies from a strategies file (or http(s) URL) and keeps them current:
 * the source is polled at an interval and a valid change replaces the strategies at once, while
 * an unreadable or invalid change leaves the last good strategies in place (Jaeger's
 * `--sampling.strategies-file` and `--sampling.strategies-reload-interval`).
 */
import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../errors.js';
import {
  DEFAULT_SAMPLING_PROBABILITY, defaultStrategies, parseStrategies, strategyFor, type SamplingStrategies,
  type SamplingStrategyResponse,
} from './strategies.js';

/** Default poll interval of the strategies source. */
export const DEFAULT_RELOAD_INTERVAL_MS = 30_000;

/** How long one download of a strategies URL may take (Jaeger allows one second). */
const DOWNLOAD_TIMEOUT_MS = 1000;

/** The log calls the provider makes (a pino Logger fits). */
export interface SamplingLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link createSamplingProvider}. */
export interface SamplingProviderOptions {
  /** Strategies file path or http(s) URL; without one every service gets the default probability. */
  file?: string;
  logger: SamplingLogger;
  /** How often to look for changes, in ms (default 30 s); 0 turns reloading off. */
  reloadIntervalMs?: number;
  /** Probability where the file sets none, and for everything without a file (default 0.001). */
  defaultSamplingProbability?: number;
  /** Aborting it stops reloading, like close(). */
  signal?: AbortSignal;
}

/** Answers which strategy a service should use. */
export interface SamplingProvider {
  /** The current response for `service` (its own entry, else the default); never throws. Do not mutate it. */
  strategyFor(service: string): Readonly<SamplingStrategyResponse>;
  /**
   * Reads the source now, even when its size and modification time look unchanged. Resolves true
   * when new strategies were adopted, false when nothing changed or the source was unreadable or
   * invalid (then the last good strategies stay and a warning is logged). Never rejects.
   */
  reload(): Promise<boolean>;
  /** Stops polling; strategyFor keeps answering with the last strategies. */
  close(): void;
}

/**
 * Loads the strategies and starts polling. Rejects with AppError INVALID_ARGUMENT when the file
 * cannot be read or is invalid at start, naming the source and the offending path, or when
 * `defaultSamplingProbability` is outside [0, 1]. A URL that
 * answers 503 at start is not an error: the defaults apply until it answers, as in Jaeger.
 */
export async function createSamplingProvider(options: SamplingProviderOptions): Promise<SamplingProvider> {
  const { file, logger } = options;
  const fallback = options.defaultSamplingProbability ?? DEFAULT_SAMPLING_PROBABILITY;
  if (!(fallback >= 0 && fallback <= 1)) {
    throw new AppError('INVALID_ARGUMENT', `defaultSamplingProbability: probability must be within [0, 1], got ${fallback}`);
  }
  let current: SamplingStrategies = defaultStrategies(fallback);
  let timer: NodeJS.Timeout | undefined;
  const noReload = async (): Promise<boolean> => false;
  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const answer = (service: string): Readonly<SamplingStrategyResponse> => strategyFor(current, service);

  if (file === undefined || file === '') {
    logger.info({ defaultSamplingProbability: fallback }, 'no sampling strategies file; every service gets the default probability');
    return { strategyFor: answer, reload: noReload, close: stop };
  }

  const source = isUrl(file) ? urlSource(file) : fileSource(file);
  const name = `sampling strategies ${source.kind} ${JSON.stringify(file)}`;
  /** Text of the last content looked at (adopted or refused), so an unchanged source is not re-parsed or re-reported. */
  let lastText: string | undefined;
  let inFlight: { forced: boolean; done: Promise<boolean> } | undefined;

  const first = await source.read(true).catch((err: unknown) => {
    throw new AppError('INVALID_ARGUMENT', `${name}: ${(err as Error).message}`, { cause: err });
  });
  if (first === UNAVAILABLE) {
    logger.info({ source: file }, `${name} is unavailable (503); using the default strategies until it answers`);
  } else if (typeof first === 'string') {
    try {
      adopt(first);
    } catch (err) {
      throw new AppError('INVALID_ARGUMENT', `${name}: ${(err as Error).message}`, { cause: err });
    }
  }

  function adopt(text: string): void {
    const parsed = parseStrategies(text, { defaultSamplingProbability: fallback });
    lastText = text;
    current = parsed.strategies;
    for (const warning of parsed.warnings) logger.warn({ source: file }, `${name}: ${warning}`);
    logger.info({ source: file, services: parsed.strategies.services.size }, `loaded ${name}`);
  }

  async function check(force: boolean): Promise<boolean> {
    let text: string | typeof UNAVAILABLE | typeof UNCHANGED;
    try {
      text = await source.read(force);
    } catch (err) {
      if (source.reportOnce(String((err as Error).message))) {
        logger.warn({ source: file, err }, `${name}: cannot reload, keeping the current strategies: ${(err as Error).message}`);
      }
      return false;
    }
    if (text === UNCHANGED || text === UNAVAILABLE || text === lastText) return false;
    try {
      adopt(text);
      return true;
    } catch (err) {
      lastText = text;
      logger.warn({ source: file }, `${name}: invalid, keeping the current strategies: ${(err as Error).message}`);
      return false;
    }
  }

  const reload = (force: boolean): Promise<boolean> => {
    // One read at a time: a slow URL must not pile up overlapping downloads. A forced read asked
    // for during a poll runs after it, so it still sees the source as it is now.
    if (inFlight !== undefined) {
      return force && !inFlight.forced ? inFlight.done.then(() => reload(true)) : inFlight.done;
    }
    const done = check(force).finally(() => {
      inFlight = undefined;
    });
    inFlight = { forced: force, done };
    return done;
  };

  const intervalMs = options.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
  if (intervalMs > 0 && options.signal?.aborted !== true) {
    timer = setInterval(() => void reload(false), intervalMs);
    // Polling alone must not keep the process alive.
    timer.unref();
    options.signal?.addEventListener('abort', stop, { once: true });
  }
  return { strategyFor: answer, reload: () => reload(true), close: stop };
}

const UNAVAILABLE = Symbol('unavailable');
const UNCHANGED = Symbol('unchanged');

interface Source {
  kind: 'file' | 'URL';
  /** The content; UNCHANGED when a cheap check shows no change (unless forced); UNAVAILABLE on a 503. */
  read(force: boolean): Promise<string | typeof UNAVAILABLE | typeof UNCHANGED>;
  /** True the first time this failure is seen since the last success, so a broken source warns once. */
  reportOnce(failure: string): boolean;
}

/** Jaeger treats the value as a URL when it parses with a scheme and a host; only http(s) can be fetched. */
function isUrl(value: string): boolean {
  return /^https?:\/\/[^/]/i.test(value);
}

function fileSource(path: string): Source {
  let lastStamp = '';
  let lastFailure = '';
  return {
    kind: 'file',
    async read(force) {
      let stamp: string;
      try {
        const info = await stat(path);
        stamp = `${info.mtimeMs}:${info.size}`;
      } catch (err) {
        throw new Error(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
      }
      if (!force && stamp === lastStamp) return UNCHANGED;
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        throw new Error(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
      }
      lastStamp = stamp;
      lastFailure = '';
      return text;
    },
    reportOnce(failure) {
      lastStamp = '';
      if (failure === lastFailure) return false;
      lastFailure = failure;
      return true;
    },
  };
}

function urlSource(url: string): Source {
  let lastFailure = '';
  return {
    kind: 'URL',
    async read() {
      // A URL has no cheap change check: each poll downloads, and the text comparison decides.
      let response: Response;
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'follow' });
      } catch (err) {
        throw new Error(`cannot download: ${(err as Error).message}`, { cause: err });
      }
      const text = await response.text().catch((err: unknown) => {
        throw new Error(`cannot download: ${(err as Error).message}`, { cause: err });
      });
      if (response.status === 503) return UNAVAILABLE;
      if (response.status !== 200) throw new Error(`download answered ${response.status}: ${text.slice(0, 200)}`);
      lastFailure = '';
      return text;
    },
    reportOnce(failure) {
      if (failure === lastFailure) return false;
      lastFailure = failure;
      return true;
    },
  };
}
