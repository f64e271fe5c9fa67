/** The logging surface the embedded engine needs; pino's Logger satisfies it. */

/** Structured logger: an object of fields and an optional message. */
export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything, used when the caller gives none. */
export const silentLogger: EngineLogger = {
  info() {},
  warn() {},
  error() {},
};
