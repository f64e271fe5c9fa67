/**
 * Runs work after the browser has painted what is on screen now, when it is idle: the next
 * animation frame's callbacks run before its paint, so idle time (or a task) asked for from one
 * comes after it. For drawing that a first paint does not need (a big trace's overview strip), so
 * the rows show first and the next frames are not held up either.
 */

/** Longest wait for idle time once the frame has painted, ms: a busy page still draws soon. */
const IDLE_TIMEOUT_MS = 300;

/** Calls `fn` once after the next paint, in idle time; the returned function cancels it if it has not run. */
export function afterPaint(fn: () => void): () => void {
  let cancelLater: (() => void) | undefined;
  const frame = requestAnimationFrame(() => {
    if (typeof requestIdleCallback === 'function') {
      const idle = requestIdleCallback(() => fn(), { timeout: IDLE_TIMEOUT_MS });
      cancelLater = () => cancelIdleCallback(idle);
    } else {
      const timer = setTimeout(fn, 0);
      cancelLater = () => clearTimeout(timer);
    }
  });
  return () => {
    cancelAnimationFrame(frame);
    cancelLater?.();
  };
}
