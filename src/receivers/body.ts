/** Request-body handling shared by the HTTP receivers: content decoding with a size cap. */
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { AppError } from '../errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * Returns the body with its Content-Encoding removed (gzip, deflate or identity), never larger than
 * maxBytes: a bigger result is TOO_LARGE, a corrupt stream INVALID_ARGUMENT, another encoding
 * UNSUPPORTED_MEDIA_TYPE. Decompression runs on libuv's pool, off the event loop.
 */
export async function decodeContent(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'x-gzip' && enc !== 'deflate') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${JSON.stringify(enc.slice(0, 40))} is not supported (use gzip, deflate or none)`);
  }
  try {
    return await (enc === 'deflate' ? inflateAsync : gunzipAsync)(body, { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new AppError('TOO_LARGE', `request body exceeds the limit of ${maxBytes} bytes after ${enc} decoding`);
    }
    throw new AppError('INVALID_ARGUMENT', `request body is not valid ${enc}: ${(err as Error).message}`);
  }
}

/** The media type of a Content-Type header, lower-cased, without parameters ("" when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}
