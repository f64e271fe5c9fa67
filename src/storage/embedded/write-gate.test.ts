import { describe, expect, it } from 'vitest';
import { WriteGate } from './span-table.js';

/** A promise with its resolve, to hold a step open until the test lets it go. */
function held(): { promise: Promise<void>; release: () => void } {
  let release = () => {};
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('WriteGate', () => {
  it('starts a write only once running reads end, and holds reads asked for meanwhile until it ends', async () => {
    const gate = new WriteGate();
    const events: string[] = [];
    const read1 = held();
    const write = held();
    const r1 = gate.read(async () => {
      events.push('read 1 starts');
      await read1.promise;
      events.push('read 1 ends');
    });
    await turns();
    const w = gate.exclusive(async () => {
      events.push('write starts');
      await write.promise;
      events.push('write ends');
    });
    await turns();
    const r2 = gate.read(async () => {
      events.push('read 2 runs');
    });
    await turns();
    expect(events).toEqual(['read 1 starts']);
    read1.release();
    await turns();
    expect(events).toEqual(['read 1 starts', 'read 1 ends', 'write starts']);
    write.release();
    await Promise.all([r1, w, r2]);
    expect(events).toEqual(['read 1 starts', 'read 1 ends', 'write starts', 'write ends', 'read 2 runs']);
  });

  it('runs reads side by side, writes one at a time, and reopens after a failed write', async () => {
    const gate = new WriteGate();
    let running = 0;
    let most = 0;
    const read = () => gate.read(async () => {
      most = Math.max(most, ++running);
      await turns(2);
      running--;
    });
    await Promise.all([read(), read(), read()]);
    expect(most).toBe(3);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((k) => gate.exclusive(async () => {
      order.push(k);
      await turns(2);
      order.push(-k);
    })));
    expect(order).toEqual([1, -1, 2, -2, 3, -3]);
    await expect(gate.exclusive(async () => {
      throw new Error('checkpoint failed');
    })).rejects.toThrow('checkpoint failed');
    expect(await gate.read(async () => 'read after')).toBe('read after');
  });
});
