import { describe, expect, it } from 'vitest';
import { dependencyCacheSpans, duckdbShare } from './index.js';

describe('duckdbShare', () => {
  it.each([
    ['no budget', undefined, undefined],
    ['budget 0 (none)', 0, undefined],
    ['a quarter of a large budget', 8 * 1024 ** 3, 2 * 1024 ** 3],
    ['at least 128 MiB under a small one', 300 * 1024 ** 2, 128 * 1024 ** 2],
  ])('%s', (_name, budget, expected) => {
    expect(duckdbShare(budget)).toBe(expected);
  });
});

describe('dependencyCacheSpans', () => {
  it.each([
    ['no budget: the rollups\' default', undefined, 200_000],
    ['budget 0 (none)', 0, 200_000],
    ['4 % of 512 MiB at 256 B a span', 512 * 1024 ** 2, 83_886],
    ['never above the default under a large budget', 8 * 1024 ** 3, 200_000],
  ])('%s', (_name, budget, expected) => {
    expect(dependencyCacheSpans(budget)).toBe(expected);
  });
});
