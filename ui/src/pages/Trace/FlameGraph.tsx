import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { FLAG_ERROR, type CompactTrace } from '../../api/types.js';
import { serviceColor } from '../../model/colors.js';
import { flameHit, flameRects, type FlameRects } from '../../model/flame.js';
import { formatDuration } from '../../model/format.js';
import { childrenOf } from '../../model/tree.js';

/** Height of one lane (tree depth), px. */
const LANE_HEIGHT = 18;
/** Deepest lane drawn; deeper spans are listed in the timeline only. */
const MAX_LANES = 600;

interface Props {
  trace: CompactTrace;
  /** Shown time window, µs from the trace start. */
  windowUs: [number, number];
  /** The focused row (highlighted; the keyboard moves it). */
  selected: number | undefined;
  onSelect: (row: number) => void;
  /** Opens the span detail of a row. */
  onOpen: (row: number) => void;
  /** Zooms to a time window (double-click on a frame). */
  onWindow: (w: [number, number]) => void;
}

/**
 * The trace as a flame graph on a canvas: time across, depth down, one frame per span coloured by
 * service. Frames narrower than a pixel are merged per pixel (the longest one wins), so drawing
 * costs the same at 500 and 500 000 spans. Click opens a span's detail, double-click zooms to it;
 * keyboard: arrows walk parent / child / siblings, Enter opens, Home goes to the root.
 */
export function FlameGraph({ trace, windowUs, selected, onSelect, onOpen, onWindow }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const rectsRef = useRef<FlameRects | undefined>(undefined);
  const [width, setWidth] = useState(0);
  const lanes = Math.min(trace.depth, MAX_LANES);
  const colors = useMemo(() => trace.services.map(serviceColor), [trace]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const observer = new ResizeObserver(() => setWidth(canvas.clientWidth));
    observer.observe(canvas);
    setWidth(canvas.clientWidth);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width === 0) return;
    const height = lanes * LANE_HEIGHT;
    const ratio = globalThis.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const rects = flameRects(trace.rows, { fromUs: windowUs[0], toUs: windowUs[1], width, lanes });
    rectsRef.current = rects;
    const style = getComputedStyle(canvas);
    const textColor = style.getPropertyValue('--text').trim() || '#000';
    const errorColor = style.getPropertyValue('--error').trim() || '#d1352b';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const r = trace.rows;
    for (let k = 0; k < rects.count; k++) {
      const row = rects.row[k]!;
      const x = rects.x[k]!;
      const w = rects.w[k]!;
      const y = rects.lane[k]! * LANE_HEIGHT;
      ctx.fillStyle = colors[r.service[row]!] ?? '#888';
      ctx.fillRect(x, y, Math.max(1, w - (w > 3 ? 1 : 0)), LANE_HEIGHT - 1);
      if (r.flags[row]! & FLAG_ERROR) {
        ctx.fillStyle = errorColor;
        ctx.fillRect(x, y + LANE_HEIGHT - 4, Math.max(1, w - 1), 3);
      }
      if (w > 36) {
        const label = `${trace.services[r.service[row]!] ?? ''}: ${trace.names[r.name[row]!] ?? ''}`;
        const fits = Math.floor((w - 8) / 6.2);
        ctx.fillStyle = '#111';
        ctx.fillText(label.length > fits ? `${label.slice(0, Math.max(1, fits - 1))}…` : label, x + 4, y + LANE_HEIGHT / 2, w - 6);
      }
      if (row === selected) {
        ctx.strokeStyle = textColor;
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, Math.max(1, w - 2), LANE_HEIGHT - 3);
      }
    }
  }, [trace, windowUs, width, lanes, colors, selected]);

  const rowAt = (e: MouseEvent<HTMLCanvasElement>): number | undefined => {
    const rects = rectsRef.current;
    if (!rects) return undefined;
    const box = e.currentTarget.getBoundingClientRect();
    return flameHit(rects, e.clientX - box.left, Math.floor((e.clientY - box.top) / LANE_HEIGHT));
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const r = trace.rows;
    const at = selected ?? 0;
    const siblings = () => (r.parent[at]! >= 0 ? childrenOf(r, r.parent[at]!) : rootsOf(r.parent));
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowUp':
        next = selected === undefined ? 0 : r.parent[at]! >= 0 ? r.parent[at] : at;
        break;
      case 'ArrowDown':
        next = selected === undefined ? 0 : r.subtree[at]! > 1 && r.depth[at]! + 1 < lanes ? at + 1 : at;
        break;
      case 'ArrowLeft':
      case 'ArrowRight': {
        const list = siblings();
        const i = list.indexOf(at);
        next = list[Math.max(0, Math.min(list.length - 1, i + (e.key === 'ArrowLeft' ? -1 : 1)))];
        break;
      }
      case 'Home':
        next = 0;
        break;
      case 'Enter':
        if (selected !== undefined) onOpen(selected);
        e.preventDefault();
        return;
      default:
        return;
    }
    e.preventDefault();
    if (next !== undefined) onSelect(next);
  };

  const focused = selected === undefined ? undefined : describe(trace, selected);
  return (
    <div className="flame" data-testid="flame-graph">
      <div
        className="flame-scroll"
        tabIndex={0}
        role="application"
        aria-label="Flame graph: arrows move between parent, children and siblings; Enter opens the span"
        onKeyDown={onKey}
      >
        <canvas
          ref={canvasRef}
          style={{ height: lanes * LANE_HEIGHT }}
          onClick={(e) => {
            const row = rowAt(e);
            if (row !== undefined) {
              onSelect(row);
              onOpen(row);
            }
          }}
          onDoubleClick={(e) => {
            const row = rowAt(e);
            if (row !== undefined && trace.rows.durationUs[row]! > 0) {
              onWindow([trace.rows.startUs[row]!, trace.rows.startUs[row]! + trace.rows.durationUs[row]!]);
            }
          }}
        />
      </div>
      <div className="flame-status muted" aria-live="polite" data-testid="flame-focus">
        {focused ?? 'Click a frame to open its span; double-click zooms to it. Keyboard: focus the graph, then arrows and Enter.'}
        {trace.depth > MAX_LANES ? ` Levels below ${MAX_LANES} are shown in the timeline only.` : ''}
      </div>
    </div>
  );
}

function rootsOf(parent: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let row = 0; row < parent.length; row++) if (parent[row]! < 0) out.push(row);
  return out;
}

function describe(trace: CompactTrace, row: number): string {
  const r = trace.rows;
  const error = r.flags[row]! & FLAG_ERROR ? ', error' : '';
  return `${trace.services[r.service[row]!] ?? ''}: ${trace.names[r.name[row]!] ?? ''}, ${formatDuration(r.durationUs[row]!)}, depth ${r.depth[row]}${error}`;
}
