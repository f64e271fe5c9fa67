/**
 * Property-test helpers shared by the decoder tests (test-only; imports fast-check): every decoder
 * must return valid spans or throw INVALID_ARGUMENT, whatever bytes arrive.
 */
import fc from 'fast-check';
import { isAppError } from '../errors.js';
import type { Span } from '../model/index.js';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** The invariants every decoded span keeps, whatever the input; returns the first broken one. */
export function brokenInvariant(span: Span): string | undefined {
  if (!HEX32.test(span.traceId) || /^0+$/.test(span.traceId)) return `traceId ${span.traceId}`;
  if (!HEX16.test(span.spanId) || /^0+$/.test(span.spanId)) return `spanId ${span.spanId}`;
  if (span.parentSpanId !== undefined && !HEX16.test(span.parentSpanId)) return `parentSpanId ${span.parentSpanId}`;
  if (!Number.isSafeInteger(span.startUs) || span.startUs < 0) return `startUs ${span.startUs}`;
  if (!Number.isSafeInteger(span.durationUs) || span.durationUs < 0) return `durationUs ${span.durationUs}`;
  if (typeof span.service !== 'string' || typeof span.name !== 'string') return 'service/name not strings';
  for (const [k, v] of Object.entries(span.attributes)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) return `attribute ${k} is ${typeof v}`;
  }
  return undefined;
}

/** Runs `read` on the bytes: any error other than AppError INVALID_ARGUMENT fails; the result, if any, is returned. */
export function onlyInvalidArgument<T>(read: (bytes: Buffer) => T): (bytes: Uint8Array) => T | undefined {
  return (bytes) => {
    try {
      return read(Buffer.from(bytes));
    } catch (err) {
      if (isAppError(err, 'INVALID_ARGUMENT')) return undefined;
      throw err;
    }
  };
}

/** Runs `decode`: it must give spans that keep every invariant, or throw AppError INVALID_ARGUMENT. */
export function decodesOrRejects(decode: (bytes: Buffer) => Span[]): (bytes: Uint8Array) => void {
  const run = onlyInvalidArgument(decode);
  return (bytes) => {
    const spans = run(bytes) ?? [];
    for (const span of spans) {
      const broken = brokenInvariant(span);
      if (broken !== undefined) throw new Error(`decoded span breaks an invariant: ${broken}`);
    }
  };
}

/** Up to 8 byte edits of a valid body, run both whole and cut at a random length. */
export function mutationsOf(valid: Buffer, run: (bytes: Uint8Array) => void): fc.IPropertyWithHooks<[Array<[number, number]>, number]> {
  return fc.property(
    fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(valid.length),
    (edits, cut) => {
      const bytes = Buffer.from(valid);
      for (const [at, value] of edits) bytes[at] = value;
      run(bytes.subarray(0, cut));
      run(bytes);
    },
  );
}

/** Values that probe decoders' checks: JSON of any shape, hex strings of any length, edge numbers. */
const probeValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 34 }),
  fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 1.5, 1e300, '', 'CLIENT', 'SERVER', 'cs', 'sr', 'ss', 'cr'),
);

/** Copies of `valid` (a JSON object) with some of `keys` replaced by probe values or removed. */
export function corruptedObjects(valid: Record<string, unknown>, keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.constantFrom(...keys), fc.option(probeValue), { minKeys: 1, maxKeys: 3 }).map((edits) => {
    const out: Record<string, unknown> = { ...valid };
    for (const [key, value] of Object.entries(edits)) {
      if (value === null) delete out[key];
      else out[key] = value;
    }
    return out;
  });
}
