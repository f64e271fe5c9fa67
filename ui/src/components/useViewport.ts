import { useLayoutEffect, useState, type RefObject } from 'react';

/**
 * The scroll element's scrollTop and height, updated on scroll (once per frame at most) and resize.
 * Together with rowWindow this is the whole virtualiser: no per-row records, whatever the count.
 * The first render assumes the window's height (never less than the element's), so the first
 * paint needs no forced layout nor a second render; the resize observer's first report, after
 * that paint, trims the rows to the real height (`measured` says it has come).
 */
export function useViewport(ref: RefObject<HTMLDivElement | null>): { scrollTop: number; height: number; measured: boolean } {
  const [view, setView] = useState({ scrollTop: 0, height: typeof window === 'undefined' ? 800 : window.innerHeight, measured: false });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const read = () => {
      frame = 0;
      setView((cur) => (cur.measured && cur.scrollTop === el.scrollTop && cur.height === el.clientHeight ? cur : { scrollTop: el.scrollTop, height: el.clientHeight, measured: true }));
    };
    const onScroll = () => {
      if (frame === 0) frame = requestAnimationFrame(read);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    const resize = new ResizeObserver(read);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      resize.disconnect();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [ref]);
  return view;
}
