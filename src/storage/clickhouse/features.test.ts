import { describe, expect, it } from 'vitest';
import { parseVersion, serverFeatures } from './features.js';

describe('serverFeatures', () => {
  const all = { lowCardinality: true, skipIndexes: true, queryParameters: true, asyncInsert: true };
  const none = { lowCardinality: false, skipIndexes: false, queryParameters: false, asyncInsert: false };
  it.each<[string, string, [number, number], typeof all]>([
    ['Debian 12\'s server', '18.16.1', [18, 16], none],
    ['the last release before the threshold', '22.7.9.1', [22, 7], none],
    ['the threshold', '22.8.1.2097', [22, 8], all],
    ['a later minor of the threshold year', '22.12.1', [22, 12], all],
    ['26.7 (chdb)', '26.7.2.1', [26, 7], all],
    ['a version text it cannot read', 'unknown', [0, 0], none],
    ['an empty answer', '', [0, 0], none],
  ])('%s: %s', (_name, version, parsed, features) => {
    expect(parseVersion(version)).toEqual(parsed);
    expect(serverFeatures(version)).toEqual({ version, ...features });
  });
});
