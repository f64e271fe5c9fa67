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
