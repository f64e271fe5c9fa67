import { useEffect, useRef, useState, type PointerEvent } from 'react';
import type { CompactTrace } from '../../api/types.js';
import { serviceColor } from '../../model/colors.js';
import { minimapBars, shiftWindow, windowForKey, type TimeWindow } from '../../model/minimap.js';
import { afterPaint } from '../../components/after-paint.js';

const HEIGHT = 56;

/** A drag in progress, in fractions of the strip: drawing a new window, or moving the current one. */
type Drag = { kind: 'draw'; start: number; at: number } | { kind: 'move'; start: number; at: number; from: TimeWindow };

/**
 * The whole trace in a strip: each pixel row shows the longest span that falls on it. Dragging
 * across it zooms the timeline to that time window; dragging inside the window moves it; the
 * shaded parts are outside the window. Focused, the keyboard moves and zooms the window.
 */
export function Minimap({ trace, windowUs, onWindow }: { trace: CompactTrace; windowUs: [number, number]; onWindow: (w: [number, number]) => void }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<Drag | undefined>();
  const total = Math.max(1, trace.durationUs);

  useEffect(() => afterPaint(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const width = canvas.clientWidth || 800;
    const ratio = globalThis.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.scale(ratio, ratio);
    ctx.clearRect(0, 0, width, HEIGHT);
    const bars = minimapBars(trace.rows, { rowsHigh: HEIGHT, traceUs: total, width });
    const colors = trace.services.map(serviceColor);
    for (const bar of bars) {
      ctx.fillStyle = colors[trace.rows.service[bar.row]!] ?? '#888';
      ctx.fillRect(bar.x, bar.y, Math.max(1, bar.w), bar.h);
    }
  }), [trace, total]);

  const fraction = (e: PointerEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return Math.max(0, Math.min(1, (e.clientX - rect.left) / rect.width));
  };
  const whole = windowUs[0] <= 0 && windowUs[1] >= total;
  const shown: TimeWindow = !drag
    ? windowUs
    : drag.kind === 'move'
      ? shiftWindow(drag.from, (drag.at - drag.start) * total, total)
      : [Math.min(drag.start, drag.at) * total, Math.max(drag.start, drag.at) * total];
  return (
    <div
      className="minimap"
      data-testid="minimap"
      tabIndex={0}
      role="group"
      aria-label="Trace overview: drag across it to zoom, drag the window to move it; arrow keys move the window, + and - zoom, 0 shows the whole trace"
      onKeyDown={(e) => {
        const next = windowForKey(e.key, e.shiftKey, windowUs, total);
        if (!next) return;
        e.preventDefault();
        onWindow(next);
      }}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        const f = fraction(e);
        const inside = !whole && f * total >= windowUs[0] && f * total <= windowUs[1];
        setDrag(inside ? { kind: 'move', start: f, at: f, from: windowUs } : { kind: 'draw', start: f, at: f });
      }}
      onPointerMove={(e) => drag && setDrag({ ...drag, at: fraction(e) })}
      onPointerUp={() => {
        if (drag?.kind === 'move') {
          if (drag.at !== drag.start) onWindow(shown);
        } else if (drag && Math.abs(drag.at - drag.start) > 0.002) {
          onWindow(shown);
        }
        setDrag(undefined);
      }}
      onPointerCancel={() => setDrag(undefined)}
    >
      <canvas ref={canvasRef} height={HEIGHT} />
      <div className="minimap-shade" style={{ left: 0, width: `${(100 * shown[0]) / total}%` }} />
      <div className="minimap-shade" style={{ left: `${(100 * shown[1]) / total}%`, right: 0 }} />
      {whole && !drag ? null : (
        <div
          className={drag?.kind === 'move' ? 'minimap-window moving' : 'minimap-window'}
          data-testid="minimap-window"
          style={{ left: `${(100 * shown[0]) / total}%`, width: `${(100 * (shown[1] - shown[0])) / total}%` }}
        />
      )}
    </div>
  );
}
