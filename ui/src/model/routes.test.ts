import { describe, expect, it } from 'vitest';
import { traceIdOfPath } from './routes.js';

describe('traceIdOfPath', () => {
  it.each([
    ['one trace', '/trace/abc123', 'abc123'],
    ['trailing slash', '/trace/abc123/', 'abc123'],
    ['compare pair', '/trace/a...b', 'a...b'],
    ['escaped', '/trace/ab%20c', 'ab c'],
    ['malformed escape', '/trace/%E0%A4%A', undefined],
    ['deeper path', '/trace/abc/x', undefined],
    ['no id', '/trace/', undefined],
    ['other view', '/search', undefined],
  ] as const)('%s', (_name, path, id) => expect(traceIdOfPath(path)).toBe(id));
});
