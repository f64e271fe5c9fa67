/**
 * Main-thread CPU of a page load, from a Chromium trace (Chrome trace-event JSON): the renderer
 * main thread's tasks between navigation and the first painted rows, each counted once under the
 * activity it ran. Thread CPU time, unlike wall time, barely moves with the machine's load.
 */

/** One Chrome trace event (the fields this reads). */
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  cat?: string;
}

/** Activities, in the order a task is tested against them: the first one found in it names it. */
export const ACTIVITIES: ReadonlyArray<{ activity: string; events: readonly string[] }> = [
  { activity: 'script evaluation', events: ['v8.evaluateModule', 'EvaluateScript', 'v8.compileModule'] },
  { activity: 'app callbacks (React, timers, frames)', events: ['FunctionCall', 'TimerFire', 'FireAnimationFrame'] },
  { activity: 'style, layout, paint', events: ['UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint'] },
  { activity: 'HTML and navigation', events: ['ParseHTML', 'DocumentLoader::CommitNavigation'] },
  // Messages from the network service: response heads and body bytes (a 50 000-span trace's
  // 2.6 MiB arrive in many of these).
  { activity: 'network messages and response bodies', events: ['ResourceReceivedData', 'ResponseBodyLoader::DidFinishLoadingBody', 'Resource::appendData', 'SimpleWatcher::OnHandleReady', 'Receive mojo message'] },
];

const TASK_NAMES = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/** CPU and wall ms per activity, and in all, of the tasks that start in [fromUs, toUs] on one thread. */
export interface MainThreadCpu {
  cpuMs: number;
  wallMs: number;
  tasks: number;
  byActivity: Array<{ activity: string; cpuMs: number; tasks: number }>;
}

/**
 * Sums the outermost tasks of thread `pid:tid` that start in [fromUs, toUs] (trace µs). A task
 * with none of ACTIVITIES' events in it (promise jobs run between tasks, for one) counts as "other".
 */
export function mainThreadCpu(events: readonly TraceEvent[], thread: { pid: number; tid: number }, fromUs: number, toUs: number): MainThreadCpu {
  const own = events
    .filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const totals = new Map<string, { cpuUs: number; tasks: number }>();
  let cpuSum = 0;
  let wallSum = 0;
  let taskCount = 0;
  for (let i = 0; i < own.length; ) {
    const task = own[i]!;
    const end = task.ts + task.dur!;
    // Everything that starts inside this event is part of it (events nest on one thread).
    let j = i + 1;
    let rank = ACTIVITIES.length;
    for (; j < own.length && own[j]!.ts < end; j++) {
      const r = ACTIVITIES.findIndex((a) => a.events.includes(own[j]!.name));
      if (r >= 0 && r < rank) rank = r;
    }
    i = j;
    if (!TASK_NAMES.has(task.name) || task.ts < fromUs || task.ts > toUs) continue;
    // Sums in trace µs (integers), converted once at the end, so totals add up exactly.
    const cpuUs = task.tdur ?? 0;
    const activity = ACTIVITIES[rank]?.activity ?? 'other';
    const t = totals.get(activity) ?? { cpuUs: 0, tasks: 0 };
    totals.set(activity, t);
    t.cpuUs += cpuUs;
    t.tasks++;
    cpuSum += cpuUs;
    wallSum += task.dur!;
    taskCount++;
  }
  return {
    cpuMs: cpuSum / 1000,
    wallMs: wallSum / 1000,
    tasks: taskCount,
    byActivity: [...totals].map(([activity, t]) => ({ activity, cpuMs: t.cpuUs / 1000, tasks: t.tasks }))
      .sort((a, b) => b.cpuMs - a.cpuMs || a.activity.localeCompare(b.activity)),
  };
}
