import { memo, useEffect, useRef, type KeyboardEvent } from 'react';
import { useViewport } from '../../components/useViewport.js';
import { FLAG_ERROR, FLAG_WARNING, type CompactTrace } from '../../api/types.js';
import type { PathSegment } from '../../model/critical-path.js';
import { formatDuration, timeTicks } from '../../model/format.js';
import { ROW_HEIGHT, rowLayout } from '../../model/row-layout.js';
import { rowWindow, scrollTopToShow } from '../../model/row-window.js';

/** Rows rendered beyond each edge of the viewport, so fast scrolling rarely shows a blank band. */
const OVERSCAN = 12;

interface Props {
  trace: CompactTrace;
  visible: Int32Array;
  collapsed: ReadonlySet<number>;
  selected: number | undefined;
  matches: ReadonlySet<number>;
  critical: ReadonlyMap<number, PathSegment[]> | undefined;
  /** Shown time window, µs from the trace start. */
  windowUs: [number, number];
  onSelect: (row: number) => void;
  onToggle: (row: number) => void;
  onKey: (e: KeyboardEvent<HTMLDivElement>) => void;
}

/**
 * The span timeline: a sticky tick header, then one row per visible span, virtualised so only
 * the rows in view (plus a margin) exist in the DOM whatever the trace size.
 */
export function Timeline({ trace, visible, collapsed, selected, matches, critical, windowUs, onSelect, onToggle, onKey }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const viewport = useViewport(scrollRef);
  const count = visible.length;
  const selectedIndex = selected === undefined ? -1 : indexIn(visible, selected);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || selectedIndex < 0) return;
    const top = scrollTopToShow({ scrollTop: el.scrollTop, viewportHeight: el.clientHeight, rowHeight: ROW_HEIGHT, count }, selectedIndex);
    if (top !== undefined) el.scrollTop = top;
  }, [selectedIndex, count]);
  // No margin before the first measurement: the first paint draws only what can be in view.
  const { first, end } = rowWindow({ scrollTop: viewport.scrollTop, viewportHeight: viewport.height, rowHeight: ROW_HEIGHT, count }, viewport.measured ? OVERSCAN : 0);
  const rows: number[] = [];
  for (let i = first; i < end; i++) rows.push(i);

  const [from, to] = windowUs;
  const spanUs = Math.max(1, to - from);
  const ticks = timeTicks(spanUs, 5);
  return (
    <div className="timeline" tabIndex={0} onKeyDown={onKey} aria-label="Span timeline" role="tree">
      <div className="timeline-head">
        <div className="col-label">Service &amp; operation</div>
        <div className="col-bars">
          {ticks.map((t) => (
            <span key={t.us} className="tick" style={{ left: `${(100 * t.us) / spanUs}%` }}>
              {formatDuration(from + t.us)}
            </span>
          ))}
        </div>
      </div>
      <div className="timeline-scroll" ref={scrollRef} data-testid="timeline-scroll">
        <div className="timeline-inner" style={{ height: count * ROW_HEIGHT }}>
          {rows.map((index) => {
            const row = visible[index]!;
            return (
              <SpanRow
                key={row}
                trace={trace}
                row={row}
                top={index * ROW_HEIGHT}
                collapsed={collapsed.has(row)}
                selected={row === selected}
                match={matches.has(row)}
                segments={critical?.get(row)}
                from={from}
                spanUs={spanUs}
                onSelect={onSelect}
                onToggle={onToggle}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

function indexIn(visible: Int32Array, row: number): number {
  // visible is sorted ascending: binary search.
  let lo = 0;
  let hi = visible.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = visible[mid]!;
    if (v === row) return mid;
    if (v < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

interface RowProps {
  trace: CompactTrace;
  row: number;
  top: number;
  collapsed: boolean;
  selected: boolean;
  match: boolean;
  segments: PathSegment[] | undefined;
  from: number;
  spanUs: number;
  onSelect: (row: number) => void;
  onToggle: (row: number) => void;
}

const SpanRow = memo(function SpanRow({ trace, row, top, collapsed, selected, match, segments, from, spanUs, onSelect, onToggle }: RowProps) {
  const { service, name, depth, flags, hasChildren, indentPx, left, width, color, labelLeft, labelAt } = rowLayout(trace, row, from, spanUs);
  const className = `span-row${selected ? ' selected' : ''}${match ? ' match' : ''}${flags & FLAG_ERROR ? ' error' : ''}`;
  return (
    <div
      className={className}
      style={{ transform: `translateY(${top}px)` }}
      data-row={row}
      role="treeitem"
      aria-selected={selected}
      aria-expanded={hasChildren ? !collapsed : undefined}
      onClick={() => onSelect(row)}
    >
      <div className="col-label" style={{ paddingLeft: indentPx }}>
        {hasChildren ? (
          <button
            type="button"
            className="toggle"
            aria-label={collapsed ? 'Expand' : 'Collapse'}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(row);
            }}
          >
            {collapsed ? '▸' : '▾'}
          </button>
        ) : null}
        <span className="swatch" style={{ background: color }} />
        {flags & FLAG_ERROR ? <span className="error-icon" title="error">!</span> : null}
        {flags & FLAG_WARNING ? <span className="warn-icon" title="has warnings">⚠</span> : null}
        <span className="svc">{service}</span>
        <span className="op">{name}</span>
        {collapsed ? <span className="hidden-count">+{trace.rows.subtree[row]! - 1}</span> : null}
        {depth > 30 ? <span className="muted"> (depth {depth})</span> : null}
      </div>
      <div className="col-bars">
        <div className="bar" style={{ left: `${left}%`, width: `${width}%`, background: color }} />
        {segments?.map((s) => (
          <div
            key={s.startUs}
            className="bar-critical"
            style={{ left: `${(100 * (s.startUs - from)) / spanUs}%`, width: `${(100 * (s.endUs - s.startUs)) / spanUs}%` }}
          />
        ))}
        <span className={labelLeft ? 'bar-label bar-label-left' : 'bar-label'} style={labelLeft ? { right: `${labelAt}%` } : { left: `${labelAt}%` }}>
          {formatDuration(trace.rows.durationUs[row]!)}
        </span>
      </div>
    </div>
  );
});
