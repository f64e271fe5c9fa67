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

describe('afterPaint with idle callbacks', () => {
  let idle: Array<{ cb: () => void; timeout: number | undefined }> = [];
  beforeEach(() => {
    idle = [];
    globalThis.requestIdleCallback = (cb: IdleRequestCallback, options?: IdleRequestOptions) => idle.push({ cb: () => cb({ didTimeout: false, timeRemaining: () => 10 }), timeout: options?.timeout });
    globalThis.cancelIdleCallback = (id: number) => {
      idle[id - 1] = { cb: () => {}, timeout: undefined };
    };
  });
  afterEach(() => {
    Reflect.deleteProperty(globalThis, 'requestIdleCallback');
    Reflect.deleteProperty(globalThis, 'cancelIdleCallback');
  });

  it('asks for idle time, at most 300 ms away, once the frame has run', () => {
    const calls: string[] = [];
    afterPaint(() => calls.push('work'));
    expect(idle).toEqual([]);
    runFrame();
    expect(idle.map((i) => i.timeout)).toEqual([300]);
    idle[0]!.cb();
    expect(calls).toEqual(['work']);
  });

  it('cancelled after the frame, never runs', () => {
    const calls: string[] = [];
    const cancel = afterPaint(() => calls.push('work'));
    runFrame();
    cancel();
    idle[0]!.cb();
    expect(calls).toEqual([]);
  });
});
