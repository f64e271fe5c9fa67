/** Property tests of the Zipkin JSON decoders: any body gives valid spans or INVALID_ARGUMENT. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corruptedObjects, decodesOrRejects, mutationsOf } from '../fuzz.js';
import { decodeZipkinV1Json } from './decode-v1.js';
import { decodeZipkinV2Json } from './decode-v2.js';

const T = 1_700_000_000_000_000;
const V2_KEYS = ['traceId', 'id', 'parentId', 'name', 'kind', 'timestamp', 'duration', 'localEndpoint', 'remoteEndpoint', 'tags', 'annotations', 'debug', 'shared'];
const V1_KEYS = ['traceId', 'id', 'parentId', 'name', 'timestamp', 'duration', 'annotations', 'binaryAnnotations', 'debug'];

const v2Valid = Buffer.from(JSON.stringify([{
  traceId: '463ac35c9f6413ad48485a3953bb6124', id: 'a2fb4a1d1a96d312', parentId: '0020000000000001', name: 'get', kind: 'CLIENT',
  timestamp: T, duration: 207, localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 80 },
  remoteEndpoint: { serviceName: 'backend', ipv6: '::1' }, tags: { 'http.status_code': '500', error: 'boom' },
  annotations: [{ timestamp: T + 1, value: 'ws' }], shared: true,
}]));
const v1Valid = Buffer.from(JSON.stringify([{
  traceId: '48485a3953bb6124', id: 'a2fb4a1d1a96d312', name: 'get',
  annotations: [
    { timestamp: T, value: 'cs', endpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' } },
    { timestamp: T + 5, value: 'sr', endpoint: { serviceName: 'backend', ipv4: '10.0.0.2' } },
    { timestamp: T + 9, value: 'ss', endpoint: { serviceName: 'backend', ipv4: '10.0.0.2' } },
    { timestamp: T + 12, value: 'cr', endpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' } },
  ],
  binaryAnnotations: [{ key: 'sa', value: true, endpoint: { serviceName: 'db', port: 5432 } }, { key: 'error', value: 'x' }],
}]));

const cases = [
  ['v2', (b: Buffer) => decodeZipkinV2Json(b, ''), v2Valid, V2_KEYS],
  ['v1', (b: Buffer) => decodeZipkinV1Json(b, ''), v1Valid, V1_KEYS],
] as const;

describe.each(cases)('Zipkin %s JSON decoder under fuzzing', (_name, decode, valid, keys) => {
  const run = decodesOrRejects(decode);
  it('starts from a body that decodes', () => {
    expect(decode(valid).length).toBeGreaterThan(0);
  });
  it('random bytes and JSON values', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), run), { numRuns: 1000 });
    fc.assert(fc.property(fc.json(), (text) => run(Buffer.from(text))), { numRuns: 1000 });
  });
  it('a valid span with fields replaced by values of any type, or removed', () => {
    const base = (JSON.parse(valid.toString()) as Array<Record<string, unknown>>)[0]!;
    fc.assert(fc.property(fc.array(corruptedObjects(base, keys), { minLength: 1, maxLength: 3 }), (spans) => run(Buffer.from(JSON.stringify(spans)))), { numRuns: 3000 });
  });
  it('byte edits of a valid body', () => {
    fc.assert(mutationsOf(valid, run), { numRuns: 2000 });
  });
});
