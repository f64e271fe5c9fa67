/**
 * Runs work after the browser has painted what is on screen now: the next animation frame's
 * callbacks run before its paint, so a task queued from one runs after it. For drawing that a
 * first paint does not need (a big trace's overview strip), so the rows show first.
 */

/** Calls `fn` once after the next paint; the returned function cancels it if it has not run. */
export function afterPaint(fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(fn, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
  };
}
