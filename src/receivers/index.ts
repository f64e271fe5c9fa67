/** Receivers: wire formats in, spans out. Also the decoder table the store's log replays with. */
import { AppError } from '../errors.js';
import type { Span } from '../model/index.js';
import type { Payload } from '../storage/api.js';
import { ZIPKIN_V1_JSON, ZIPKIN_V2_JSON, decodeZipkinV1Json, decodeZipkinV2Json } from './zipkin/index.js';
import { zipkinReceiverPlugin, type ZipkinReceiverOptions } from './zipkin/http.js';

export { zipkinReceiverPlugin };
export type { ZipkinReceiverOptions };
export { createIngest, REFUSAL_REASON } from './ingest.js';
export type { Ingest, IngestBatch, IngestOptions } from './ingest.js';

const DECODERS: Record<string, (bytes: Buffer, tenant: string) => Span[]> = {
  [ZIPKIN_V1_JSON]: decodeZipkinV1Json,
  [ZIPKIN_V2_JSON]: decodeZipkinV2Json,
};

/** Decodes a logged request body again; the same decoder the receiver used, so the same spans. */
export function decodePayload(payload: Payload): Span[] {
  const decode = DECODERS[payload.format];
  if (!decode) throw new AppError('INTERNAL', `no decoder for logged format ${JSON.stringify(payload.format)}`);
  return decode(payload.bytes, payload.tenant);
}
