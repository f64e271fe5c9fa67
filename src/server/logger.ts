/** The process logger: JSON lines by default, readable lines on a terminal. */
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

/** Creates the root logger for the configured level and format. */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true);
  if (!pretty) return pino({ level: config.logLevel, base: { service: 'ariadne' } });
  return pino({
    level: config.logLevel,
    base: undefined,
    transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
  });
}
