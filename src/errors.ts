/** The one application error type; its code decides the HTTP and gRPC status. */

/** Closed set of error codes. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNSUPPORTED'
  | 'UNAVAILABLE'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL';

/** HTTP status for each code (exhaustive: adding a code fails type-checking here). */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED: 501,
  UNAVAILABLE: 503,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
};

/** gRPC status code for each error code. */
export const GRPC_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  TOO_LARGE: 8,
  UNSUPPORTED_MEDIA_TYPE: 3,
  UNSUPPORTED: 12,
  UNAVAILABLE: 14,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
};

/** An error whose message is safe to show to a client. */
export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }

  /** HTTP status for this error. */
  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

/** True when `err` is an AppError with the given code (or any code when omitted). */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/**
 * Converts anything thrown while serving a request into an AppError a client may see: AppErrors as
 * they are; framework errors carrying a 4xx statusCode (e.g. Fastify's body-limit and content-type
 * errors) by that status; everything else INTERNAL, with the original kept as the cause.
 */
export function toAppError(err: unknown, bodyLimit?: number): AppError {
  if (isAppError(err)) return err;
  const fe = (err ?? {}) as { code?: unknown; statusCode?: unknown; message?: unknown };
  const message = typeof fe.message === 'string' && fe.message !== '' ? fe.message : undefined;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new AppError('TOO_LARGE', bodyLimit ? `request body exceeds the limit of ${bodyLimit} bytes` : 'request body too large');
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new AppError('UNSUPPORTED_MEDIA_TYPE', message ?? 'unsupported content type');
  const status = fe.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 404 ? 'NOT_FOUND' : status === 413 ? 'TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_ARGUMENT';
    return new AppError(code, message ?? 'bad request');
  }
  return new AppError('INTERNAL', 'internal error', { cause: err });
}
