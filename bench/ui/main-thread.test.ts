import { describe, expect, it } from 'vitest';
import { mainThreadCpu, type TraceEvent } from './main-thread.js';

const MAIN = { pid: 1, tid: 1 };
const ev = (name: string, ts: number, dur: number, tdur = dur, thread = MAIN): TraceEvent => ({ name, ph: 'X', ts, dur, tdur, ...thread });

describe('mainThreadCpu', () => {
  const events: TraceEvent[] = [
    ev('RunTask', 0, 100, 40), ev('v8.evaluateModule', 1, 90, 38), ev('FunctionCall', 2, 10, 5),
    ev('ThreadControllerImpl::RunTask', 200, 50, 20), ev('Layout', 210, 30, 15),
    ev('RunTask', 300, 20, 10), ev('SimpleWatcher::OnHandleReady', 301, 18, 9),
    ev('RunTask', 400, 30, 12), ev('BlinkScheduler_PerformMicrotaskCheckpoint', 401, 28, 11), ev('FunctionCall', 402, 5, 2),
    ev('RunTask', 500, 6, 6), ev('BlinkScheduler_PerformMicrotaskCheckpoint', 501, 4, 4),
    ev('RunTask', 900, 10, 10),
    ev('RunTask', 250, 500, 500, { pid: 2, tid: 1 }),
  ];
  const cases = [
    {
      name: 'each task counted once, under the first activity found in it',
      from: 0, to: 800,
      expected: {
        cpuMs: 0.088, wallMs: 0.206, tasks: 5,
        byActivity: [
          { activity: 'script evaluation', cpuMs: 0.04, tasks: 1 },
          { activity: 'style, layout, paint', cpuMs: 0.02, tasks: 1 },
          { activity: 'app callbacks (React, timers, frames)', cpuMs: 0.012, tasks: 1 },
          { activity: 'network messages and response bodies', cpuMs: 0.01, tasks: 1 },
          { activity: 'other', cpuMs: 0.006, tasks: 1 },
        ],
      },
    },
    { name: 'tasks starting outside the range are left out', from: 150, to: 350, expected: { cpuMs: 0.03, wallMs: 0.07, tasks: 2, byActivity: [
      { activity: 'style, layout, paint', cpuMs: 0.02, tasks: 1 }, { activity: 'network messages and response bodies', cpuMs: 0.01, tasks: 1 },
    ] } },
  ];
  it.each(cases)('$name', ({ from, to, expected }) => {
    expect(mainThreadCpu(events, MAIN, from, to)).toEqual(expected);
  });
});
