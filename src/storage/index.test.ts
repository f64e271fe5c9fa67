import { describe, expect, it } from 'vitest';
import { duckdbShare } from './index.js';

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
