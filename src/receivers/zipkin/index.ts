/** Zipkin receiver: JSON decoders from Zipkin v1 and v2 request bodies to the internal span model. */
export { ZIPKIN_V1_JSON, decodeZipkinV1Json } from './decode-v1.js';
export { ZIPKIN_V2_JSON, decodeZipkinV2Json } from './decode-v2.js';
