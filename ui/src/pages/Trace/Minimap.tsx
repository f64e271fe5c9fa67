import { useEffect, useRef, useState, type PointerEvent } from 'react';
import type { CompactTrace } from '../../api/types.js';
import { serviceColor } from '../../model/colors.js';
import { minimapBars } from '../../model/minimap.js';

const HEIGHT = 56;

/**
 * The whole trace in a strip: each pixel row shows the longest span that falls on it. Dragging
 * across it zooms the timeline to that time window; the shaded parts are outside the window.
 */
export function Minimap({ trace, windowUs, onWindow }: { trace: CompactTrace; windowUs: [number, number]; onWindow: (w: [number, number]) => void }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [drag, setDrag] = useState<[number, number] | undefined>();
  const total = Math.max(1, trace.durationUs);

  useEffect(() => {
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
  }, [trace, total]);

  const fraction = (e: PointerEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return Math.max(0, Math.min(1, (e.clientX - rect.left) / rect.width));
  };
  const shown = drag ? [Math.min(drag[0], drag[1]) * total, Math.max(drag[0], drag[1]) * total] : windowUs;
  return (
    <div
      className="minimap"
      data-testid="minimap"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        const f = fraction(e);
        setDrag([f, f]);
      }}
      onPointerMove={(e) => drag && setDrag([drag[0], fraction(e)])}
      onPointerUp={() => {
        if (drag) {
          const [a, b] = [Math.min(drag[0], drag[1]), Math.max(drag[0], drag[1])];
          if (b - a > 0.002) onWindow([a * total, b * total]);
        }
        setDrag(undefined);
      }}
    >
      <canvas ref={canvasRef} height={HEIGHT} />
      <div className="minimap-shade" style={{ left: 0, width: `${(100 * shown[0]!) / total}%` }} />
      <div className="minimap-shade" style={{ left: `${(100 * shown[1]!) / total}%`, right: 0 }} />
    </div>
  );
}
