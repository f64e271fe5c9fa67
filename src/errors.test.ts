import { describe, expect, it } from 'vitest';
import { AppError, toAppError } from './errors.js';

describe('toAppError', () => {
  const cases: Array<[string, unknown, string, string]> = [
    ['an AppError stays as it is', new AppError('NOT_FOUND', 'trace not found'), 'NOT_FOUND', 'trace not found'],
    ['body over the limit', { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'Request body is too large' }, 'TOO_LARGE', 'request body exceeds the limit of 1024 bytes'],
    ['unsupported media type', { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'Unsupported Media Type: x' }, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type: x'],
    ['a framework 400 keeps its message', { statusCode: 400, message: 'bad querystring' }, 'INVALID_ARGUMENT', 'bad querystring'],
    ['a framework 404', { statusCode: 404, message: 'Not Found' }, 'NOT_FOUND', 'Not Found'],
    ['a 4xx without a message', { statusCode: 400, message: '' }, 'INVALID_ARGUMENT', 'bad request'],
    ['anything else hides its cause', new Error('disk on fire'), 'INTERNAL', 'internal error'],
    ['a thrown non-object', 'boom', 'INTERNAL', 'internal error'],
  ];
  it.each(cases)('%s', (_name, err, code, message) => {
    const mapped = toAppError(err, 1024);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toBe(message);
  });

  it('keeps the original as the cause of an internal error', () => {
    const original = new Error('disk on fire');
    expect(toAppError(original).cause).toBe(original);
  });
});
