import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { normalizeSpanId, normalizeTraceId } from '../../model/index.js';
import { fieldPath, normalizeHex, parseJsonArray, parseJsonArrayInGroups, quote } from './decode-common.js';
import { decodeZipkinV1Json } from './decode-v1.js';
import { decodeZipkinV2Json } from './decode-v2.js';

describe('normalizeHex', () => {
  const inputs = [
    '',
    '0',
    '1',
    'a',
    'F',
    '00',
    '0000000000000000',
    '0000000000000001',
    'ffffffffffffffff',
    'FFFFFFFFFFFFFFFF',
    '463ac35c9f6413ad',
    '463AC35C9f6413ad',
    '463ac35c9f6413ad4',
    '463ac35c9f6413ad48485a3953bb6124',
    '463ac35c9f6413ad48485a3953bb61245',
    '00000000000000000000000000000000',
    'g',
    '12 4',
    '0x12',
    '-1',
    'é1',
    '12/4',
    '12:4',
    '12@4',
    '12`4',
    '12G4',
  ];
  it.each(inputs)('agrees with the model for %j', (input) => {
    expect(normalizeHex(input, 32)).toBe(normalizeTraceId(input));
    expect(normalizeHex(input, 16)).toBe(normalizeSpanId(input));
  });
});

describe('error message parts', () => {
  const quotes: { value: unknown; want: string }[] = [
    { value: 'abc', want: '"abc"' },
    { value: 'q"uote', want: '"q\\"uote"' },
    { value: 'y'.repeat(65), want: `"${'y'.repeat(64)}"...` },
    { value: 12.5, want: '12.5' },
    { value: null, want: 'null' },
    { value: undefined, want: 'undefined' },
    { value: [1, 'a'], want: '[1,"a"]' },
    { value: { k: 'z'.repeat(80) }, want: `{"k":"${'z'.repeat(58)}...` },
  ];
  it.each(quotes)('quote($value)', ({ value, want }) => {
    expect(quote(value)).toBe(want);
  });

  const paths: { args: [number, string, number?, string?]; want: string }[] = [
    { args: [0, ''], want: 'span[0]' },
    { args: [3, 'traceId'], want: 'span[3].traceId' },
    { args: [1, 'annotations', 2], want: 'span[1].annotations[2]' },
    { args: [1, 'annotations', 2, 'timestamp'], want: 'span[1].annotations[2].timestamp' },
    { args: [0, 'tags', -1, '["a.b"]'], want: 'span[0].tags["a.b"]' },
  ];
  it.each(paths)('fieldPath -> $want', ({ args, want }) => {
    expect(fieldPath(...args)).toBe(want);
  });
});

describe('decoders on arbitrary values', () => {
  /** Seeded PRNG (mulberry32) so a failure reproduces. */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const random = prng(7);
  const ODD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e300, '', 'x', '0', 'CLIENT', '__proto__', [], [1], {}, { a: null }];
  const odd = (): unknown => structuredClone(ODD_VALUES[Math.floor(random() * ODD_VALUES.length)]);

  const T0 = 1_600_000_000_000_000;
  const v2 = (): Record<string, unknown> => ({
    traceId: 'a1',
    id: 'b2',
    parentId: 'c3',
    kind: 'CLIENT',
    name: 'n',
    timestamp: T0,
    duration: 5,
    shared: false,
    debug: false,
    localEndpoint: { serviceName: 's', ipv4: '10.0.0.1', ipv6: '::1', port: 80 },
    remoteEndpoint: { serviceName: 'r', port: 81 },
    annotations: [{ timestamp: T0, value: 'a' }],
    tags: { k: 'v', error: 'e' },
  });
  const v1 = (): Record<string, unknown> => ({
    traceId: 'a1',
    id: 'b2',
    parentId: 'c3',
    name: 'n',
    timestamp: T0,
    duration: 5,
    debug: false,
    annotations: [
      { timestamp: T0, value: 'cs', endpoint: { serviceName: 's', port: 80 } },
      { timestamp: T0 + 1, value: 'sr', endpoint: { serviceName: 'r' } },
    ],
    binaryAnnotations: [
      { key: 'k', value: 'v', endpoint: { serviceName: 's' } },
      { key: 'sa', value: true, endpoint: { serviceName: 'r' } },
      { key: 'b', value: 'AQ', type: 'BYTES' },
    ],
  });

  /** Replaces one randomly chosen leaf (or whole field) of the object with an odd value. */
  function mutate(target: Record<string, unknown>): void {
    let node: Record<string, unknown> = target;
    for (;;) {
      const keys = Object.keys(node);
      const key = keys[Math.floor(random() * keys.length)]!;
      const child = node[key];
      if (child !== null && typeof child === 'object' && random() < 0.7 && Object.keys(child).length > 0) {
        node = child as Record<string, unknown>;
        continue;
      }
      node[key] = odd();
      return;
    }
  }

  it.each([
    { name: 'v2', make: v2, decode: decodeZipkinV2Json },
    { name: 'v1', make: v1, decode: decodeZipkinV1Json },
  ])('$name: every mutation decodes or fails with INVALID_ARGUMENT naming span[0]', ({ make, decode }) => {
    let accepted = 0;
    let rejected = 0;
    for (let n = 0; n < 2000; n++) {
      const span = make();
      mutate(span);
      if (random() < 0.5) mutate(span);
      try {
        const spans = decode(JSON.stringify([span]), '');
        for (const s of spans) {
          expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
          expect(Number.isSafeInteger(s.startUs) && Number.isSafeInteger(s.durationUs)).toBe(true);
          for (const value of Object.values(s.attributes)) expect(typeof value).toBe('string');
        }
        accepted++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        expect(err.code).toBe('INVALID_ARGUMENT');
        expect(err.message.startsWith('span[0]')).toBe(true);
        rejected++;
      }
    }
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});

describe('parseJsonArrayInGroups', () => {
  /** What JSON.parse makes of the body, or undefined when it throws or is not an array. */
  const whole = (body: Buffer): unknown[] | undefined => {
    try {
      const text = body.toString('utf8');
      const parsed: unknown = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      return Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  };
  // Groups of 1-64 bytes, so even small bodies are cut many times.
  const groupBytes = fc.integer({ min: 1, max: 64 });

  it.each([
    ['empty array', '[]', []],
    ['spaces and a BOM', '\uFEFF \n[ {"a":1} , {"b":[1,2]} ]\t', [{ a: 1 }, { b: [1, 2] }]],
    ['brackets, commas and escaped quotes inside strings', '[{"k":"],[{,\\"\\\\"},"x\\\\",{"y":"\\""}]', [{ k: '],[{,"\\' }, 'x\\', { y: '"' }]],
    ['non-object elements', '[1,"two",null,true,[3]]', [1, 'two', null, true, [3]]],
    ['multi-byte text', '[{"name":"下单 ✓ 🚀"},{"name":"é"}]', [{ name: '下单 ✓ 🚀' }, { name: 'é' }]],
  ])('%s: equal to JSON.parse', (_name, text, expected) => {
    for (const size of [1, 3, 8, 1024]) expect(parseJsonArrayInGroups(Buffer.from(text), size)).toEqual(expected);
  });

  it.each([
    ['trailing comma', '[{"a":1},]'],
    ['leading comma', '[,{"a":1}]'],
    ['double comma', '[{"a":1},,{"b":2}]'],
    ['unclosed array', '[{"a":1}'],
    ['unclosed string', '[{"a":"1}]'],
    ['text after the array', '[{"a":1}] x'],
    ['an object, not an array', '{"a":[1]}'],
    ['a closing brace at the top', '[{"a":1}}]'],
    ['invalid element', '[{"a":1},{b:2}]'],
  ])('%s: undefined, so the whole parse names the error', (_name, text) => {
    for (const size of [1, 3, 1024]) expect(parseJsonArrayInGroups(Buffer.from(text), size)).toBeUndefined();
  });

  it('equals JSON.parse on generated arrays of any JSON values, whatever the group size', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue(), { maxLength: 20 }), fc.constantFrom('', ' ', '\n '), groupBytes, (values, space, size) => {
      const body = Buffer.from(`${space}[${space}${values.map((v) => JSON.stringify(v)).join(`${space},${space}`)}${space}]${space}`);
      expect(parseJsonArrayInGroups(body, size)).toEqual(whole(body));
    }), { numRuns: 2000 });
  });

  it('never answers differently from JSON.parse on arbitrary and mutated text', () => {
    const sample = Buffer.from(JSON.stringify([{ a: 'x,]"\\', b: [1, { c: null }] }, 'y', [2, 3]]));
    const mutated = fc.tuple(fc.nat(sample.length - 1), fc.constantFrom(...'[]{},"\\ x1'.split('').map((c) => c.charCodeAt(0))))
      .map(([at, byte]) => { const copy = Buffer.from(sample); copy[at] = byte; return copy; });
    for (const bodies of [mutated, fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)), fc.json().map((t) => Buffer.from(t))]) {
      fc.assert(fc.property(bodies, groupBytes, (body, size) => {
        const grouped = parseJsonArrayInGroups(body, size);
        // Undefined is always allowed (the caller parses whole); an answer must be JSON.parse's.
        if (grouped !== undefined) expect(grouped).toEqual(whole(body));
      }), { numRuns: 2000 });
    }
  });

  it('is what parseJsonArray answers for a large body, and errors in large bodies are named as for small ones', () => {
    const spans = Array.from({ length: 2000 }, (_, i) => ({ traceId: i.toString(16).padStart(16, '0'), id: '0000000000000001', name: `op ${i} ✓`, tags: { q: '"],' } }));
    const body = Buffer.from(JSON.stringify(spans));
    expect(body.length).toBeGreaterThan(64 * 1024);
    expect(parseJsonArray(body)).toEqual(spans);
    const broken = Buffer.from(`${body.toString().slice(0, -1)},]`);
    expect(() => parseJsonArray(broken)).toThrow(/^invalid JSON: /);
  });
});
