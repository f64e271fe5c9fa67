import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { gcd, parseMetricsParams, parseQuantile, type MetricsQuery } from './metrics-params.js';

const NOW_MS = 1_700_000_000_123;

describe('parseMetricsParams', () => {
  const ok: Array<{ name: string; params: Record<string, unknown>; want: MetricsQuery }> = [
    {
      name: "Jaeger's defaults: last hour, 5 s steps, 10 min windows, server spans",
      params: { service: 'cart' },
      want: { services: ['cart'], groupByOperation: false, spanKinds: ['server'], endMs: NOW_MS, lookbackMs: 3_600_000, stepMs: 5000, ratePerMs: 600_000 },
    },
    {
      name: 'what the Jaeger UI sends',
      params: { service: 'cart', quantile: '0.95', endTs: '1700000000000', lookback: '3600000', step: '60000', ratePer: '600000', spanKind: 'server', groupByOperation: 'true' },
      want: { services: ['cart'], groupByOperation: true, spanKinds: ['server'], endMs: 1_700_000_000_000, lookbackMs: 3_600_000, stepMs: 60_000, ratePerMs: 600_000 },
    },
    {
      name: 'repeated services and kinds, repeats dropped, kinds in any case',
      params: { service: ['cart', 'web', 'cart'], spanKind: ['Client', 'consumer', 'client'], groupByOperation: '0' },
      want: { services: ['cart', 'web'], groupByOperation: false, spanKinds: ['client', 'consumer'], endMs: NOW_MS, lookbackMs: 3_600_000, stepMs: 5000, ratePerMs: 600_000 },
    },
    {
      name: 'empty values count as absent',
      params: { service: ['', 'pay'], endTs: '', lookback: '', step: '', ratePer: '', groupByOperation: '' },
      want: { services: ['pay'], groupByOperation: false, spanKinds: ['server'], endMs: NOW_MS, lookbackMs: 3_600_000, stepMs: 5000, ratePerMs: 600_000 },
    },
  ];
  it.each(ok)('$name', ({ params, want }) => {
    expect(parseMetricsParams(params, NOW_MS)).toEqual(want);
  });

  const bad: Array<{ name: string; params: Record<string, unknown>; message: string }> = [
    { name: 'no service', params: { step: '60000' }, message: "unable to parse param 'service': please provide at least one service name" },
    { name: 'only empty services', params: { service: '' }, message: "unable to parse param 'service': please provide at least one service name" },
    { name: 'groupByOperation not a boolean', params: { service: 'a', groupByOperation: 'yes' }, message: `unable to parse param 'groupByOperation': expected true or false, got "yes"` },
    { name: 'unknown span kind', params: { service: 'a', spanKind: 'edge' }, message: `unable to parse param 'spanKind': unsupported span kind "edge": expected one of unspecified, internal, server, client, producer, consumer` },
    { name: 'endTs not a number', params: { service: 'a', endTs: 'now' }, message: `unable to parse param 'endTs': expected a whole number of milliseconds, got "now"` },
    { name: 'fractional lookback', params: { service: 'a', lookback: '1.5' }, message: `unable to parse param 'lookback': expected a whole number of milliseconds, got "1.5"` },
    { name: 'zero lookback', params: { service: 'a', lookback: '0' }, message: `unable to parse param 'lookback': expected 1 to 2592000000 milliseconds, got 0` },
    { name: 'step below the minimum', params: { service: 'a', step: '500' }, message: `unable to parse param 'step': expected 1000 to 2592000000 milliseconds, got 500` },
    { name: 'negative ratePer', params: { service: 'a', ratePer: '-1' }, message: `unable to parse param 'ratePer': expected 1 to 2592000000 milliseconds, got -1` },
    { name: 'lookback before the epoch', params: { service: 'a', endTs: '1000', lookback: '2000' }, message: `unable to parse param 'lookback': 2000 ms reaches before the epoch from endTs 1000` },
    {
      name: 'too many points',
      params: { service: 'a', lookback: '86400000', step: '1000' },
      message: `unable to parse param 'step': a lookback of 86400000 ms in steps of 1000 ms makes 86401 points per series, more than 11000; raise step`,
    },
    {
      name: 'step and ratePer with a tiny common divisor',
      params: { service: 'a', lookback: '86400000', step: '61000', ratePer: '600000' },
      message: `unable to parse param 'ratePer': windows of 600000 ms every 61000 ms need 87001 buckets of 1000 ms (their greatest common divisor), more than 50000; choose a step and ratePer with a larger common divisor`,
    },
  ];
  it.each(bad)('rejects $name', ({ params, message }) => {
    expect(() => parseMetricsParams(params, NOW_MS)).toThrow(new AppError('INVALID_ARGUMENT', message));
  });
});

describe('parseQuantile', () => {
  it.each([
    { text: '0.95', want: 0.95 },
    { text: '0', want: 0 },
    { text: '1', want: 1 },
    { text: '.5', want: 0.5 },
    { text: '5e-1', want: 0.5 },
  ])('reads $text', ({ text, want }) => {
    expect(parseQuantile({ quantile: text })).toBe(want);
  });

  it.each([
    { name: 'missing', params: {}, message: "unable to parse param 'quantile': expected a number from 0 to 1, got nothing" },
    { name: 'above 1', params: { quantile: '95' }, message: `unable to parse param 'quantile': expected a number from 0 to 1, got "95"` },
    { name: 'not a number', params: { quantile: 'p95' }, message: `unable to parse param 'quantile': expected a number from 0 to 1, got "p95"` },
    { name: 'NaN', params: { quantile: 'NaN' }, message: `unable to parse param 'quantile': expected a number from 0 to 1, got "NaN"` },
  ])('rejects $name', ({ params, message }) => {
    expect(() => parseQuantile(params)).toThrow(new AppError('INVALID_ARGUMENT', message));
  });
});

describe('gcd', () => {
  it.each([
    { a: 60_000, b: 600_000, want: 60_000 },
    { a: 30_000, b: 45_000, want: 15_000 },
    { a: 7000, b: 600_000, want: 1000 },
    { a: 5000, b: 5000, want: 5000 },
  ])('gcd($a, $b) = $want', ({ a, b, want }) => {
    expect(gcd(a, b)).toBe(want);
  });
});
