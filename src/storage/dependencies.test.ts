import { describe, expect, it } from 'vitest';
import type { DependencyLink } from '../model/index.js';
import { computeDependencies } from './dependencies.js';
import type { DepSpan } from './dependencies.js';

const T = '0000000000000000000000000000000a';

function dep(spanId: string, service: string, kind: DepSpan['kind'], fields: Partial<DepSpan> = {}): DepSpan {
  return { traceId: T, spanId: spanId.padStart(16, '0'), service, kind, error: false, ...fields };
}

function link(parent: string, child: string, callCount: number, errorCount = 0): DependencyLink {
  return { parent, child, callCount, errorCount };
}

const P1 = '1'.padStart(16, '0');
const P2 = '2'.padStart(16, '0');
const P3 = '3'.padStart(16, '0');

describe('computeDependencies', () => {
  const cases: Array<[string, DepSpan[], DependencyLink[]]> = [
    ['nothing', [], []],
    ['one service alone', [dep('1', 'a', 'server'), dep('2', 'a', 'internal', { parentSpanId: P1 })], []],
    [
      'parent and child in different services (Jaeger style)',
      [dep('1', 'a', 'server'), dep('2', 'a', 'client', { parentSpanId: P1, remoteService: 'b' }), dep('3', 'b', 'server', { parentSpanId: P2 })],
      [link('a', 'b', 1)],
    ],
    [
      'shared span id counts once, on the server half',
      [
        dep('1', 'a', 'server'),
        dep('2', 'a', 'client', { parentSpanId: P1, remoteService: 'b' }),
        dep('2', 'b', 'server', { parentSpanId: P1, shared: true }),
      ],
      [link('a', 'b', 1)],
    ],
    [
      'children of a shared id belong to the half of their own service',
      [
        dep('2', 'a', 'client', { remoteService: 'b' }),
        dep('2', 'b', 'server', { shared: true }),
        dep('3', 'b', 'client', { parentSpanId: P2, remoteService: 'c' }),
        dep('4', 'c', 'server', { parentSpanId: P3 }),
      ],
      [link('a', 'b', 1), link('b', 'c', 1)],
    ],
    [
      'a server half without the shared flag is still paired with its client',
      [dep('1', 'x', 'server'), dep('2', 'a', 'client', { parentSpanId: P1, remoteService: 'b' }), dep('2', 'b', 'server', { parentSpanId: P1 })],
      [link('a', 'b', 1), link('x', 'a', 1)],
    ],
    ['client with a remote service and no callee', [dep('1', 'a', 'client', { remoteService: 'db' })], [link('a', 'db', 1)]],
    ['producer with a remote service and no consumer', [dep('1', 'a', 'producer', { remoteService: 'kafka' })], [link('a', 'kafka', 1)]],
    [
      'messaging through a named broker: producer → broker → consumer',
      [
        dep('1', 'scheduler', 'producer', { remoteService: 'kafka' }),
        dep('2', 'worker', 'consumer', { parentSpanId: P1, remoteService: 'kafka', error: true }),
      ],
      [link('kafka', 'worker', 1, 1), link('scheduler', 'kafka', 1)],
    ],
    ['a consumer whose producer never arrived still links from its broker', [dep('2', 'worker', 'consumer', { parentSpanId: P1, remoteService: 'kafka' })], [link('kafka', 'worker', 1)]],
    [
      'a consumer naming no broker links to the producer service',
      [dep('1', 'scheduler', 'producer'), dep('2', 'worker', 'consumer', { parentSpanId: P1 })],
      [link('scheduler', 'worker', 1)],
    ],
    ['server with a remote service adds nothing by itself', [dep('1', 'b', 'server', { remoteService: 'a' })], []],
    [
      'client whose callee reports another name counts both',
      [dep('1', 'a', 'client', { remoteService: 'b-alias' }), dep('2', 'b', 'server', { parentSpanId: P1 })],
      [link('a', 'b', 1), link('a', 'b-alias', 1)],
    ],
    [
      'error on the callee side counts',
      [dep('1', 'a', 'client', { remoteService: 'b' }), dep('2', 'b', 'server', { parentSpanId: P1, error: true })],
      [link('a', 'b', 1, 1)],
    ],
    [
      'error on the caller side is ignored when the callee answered',
      [dep('1', 'a', 'client', { remoteService: 'b', error: true }), dep('2', 'b', 'server', { parentSpanId: P1 })],
      [link('a', 'b', 1, 0)],
    ],
    ['error on a caller without callee counts', [dep('1', 'a', 'client', { remoteService: 'db', error: true })], [link('a', 'db', 1, 1)]],
    ['a client naming its own service is no edge', [dep('1', 'a', 'client', { remoteService: 'a' })], []],
    [
      'parent missing from the input',
      [dep('2', 'b', 'server', { parentSpanId: P1 })],
      [],
    ],
    [
      'exact duplicates count once',
      [dep('1', 'a', 'client', { remoteService: 'db' }), dep('1', 'a', 'client', { remoteService: 'db' })],
      [link('a', 'db', 1)],
    ],
    [
      'the same ids in two traces count twice',
      [dep('1', 'a', 'client', { remoteService: 'db' }), dep('1', 'a', 'client', { remoteService: 'db', traceId: 'b'.padStart(32, '0') })],
      [link('a', 'db', 2)],
    ],
    [
      'tenants never share a trace',
      [dep('1', 'a', 'client'), dep('2', 'b', 'server', { parentSpanId: P1, tenant: 'acme' })],
      [],
    ],
    [
      'sorted by parent then child',
      [dep('1', 'z', 'client', { remoteService: 'a' }), dep('2', 'b', 'client', { remoteService: 'y' }), dep('3', 'b', 'client', { remoteService: 'c' })],
      [link('b', 'c', 1), link('b', 'y', 1), link('z', 'a', 1)],
    ],
  ];
  it.each(cases)('%s', (_name, spans, expected) => {
    expect(computeDependencies(spans)).toEqual(expected);
  });
});
