import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { afterPaint } from './after-paint.js';

// Node has no animation frames: a hand-run frame queue stands in for the browser's.
let frames: Array<() => void> = [];
const realRaf = globalThis.requestAnimationFrame;
const realCancel = globalThis.cancelAnimationFrame;

beforeEach(() => {
  frames = [];
  globalThis.requestAnimationFrame = (cb: FrameRequestCallback) => frames.push(() => cb(0));
  globalThis.cancelAnimationFrame = (id: number) => {
    frames[id - 1] = () => {};
  };
});

afterEach(() => {
  globalThis.requestAnimationFrame = realRaf;
  globalThis.cancelAnimationFrame = realCancel;
});

const runFrame = () => {
  const due = frames;
  frames = [];
  for (const f of due) f();
};
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('afterPaint', () => {
  it('runs in a task after the next frame, not before it', async () => {
    const calls: string[] = [];
    afterPaint(() => calls.push('work'));
    await nextTask();
    expect(calls).toEqual([]);
    runFrame();
    expect(calls).toEqual([]);
    await nextTask();
    expect(calls).toEqual(['work']);
  });

  const cancels = [
    { name: 'before the frame', frame: false },
    { name: 'after the frame, before its task', frame: true },
  ];
  it.each(cancels)('cancelled $name, never runs', async ({ frame }) => {
    const calls: string[] = [];
    const cancel = afterPaint(() => calls.push('work'));
    if (frame) runFrame();
    cancel();
    runFrame();
    await nextTask();
    expect(calls).toEqual([]);
  });
});
