/**
 * The first screen of a /trace/ page as HTML: the app's top bar, the trace header, toolbars and the
 * first rows of the timeline, in the markup the app renders for the same trace with nothing
 * collapsed, zoomed or selected. Sent inside the page's root element, it is painted as soon as the
 * HTML and stylesheet arrive, before the app's script has loaded; the app's first render then
 * replaces it with the same rows, now live. Every name from the trace is escaped: span data is
 * attacker-controlled text. Pure: no I/O.
 */
import { ROW_HEIGHT, rowLayout } from '../../../ui/src/model/row-layout.js';
import { countOf, displayTraceId, formatDuration, formatTimestampAt, timeTicks } from '../../../ui/src/model/format.js';
import { FLAG_ERROR, FLAG_WARNING, type CompactTrace } from './compact-trace.js';

/** Rows drawn: a screen 1440 px tall at the timeline's 24 px rows. */
export const FIRST_SCREEN_ROWS = 60;

/** Cookie names the app writes (ui/src/components/server-hints.ts). */
export const THEME_COOKIE = 'ariadne-theme';
export const TIME_ZONE_COOKIE = 'ariadne-tz';

/** How the page will look: the app's theme and the browser's UTC offset (Date.getTimezoneOffset). */
export interface FirstScreenOptions {
  theme: 'light' | 'dark';
  timeZoneOffsetMinutes: number;
}

/** The same as the app's minimap (ui/src/pages/Trace/Minimap.tsx). */
const MINIMAP_HEIGHT = 56;
const MINIMAP_LABEL = 'Trace overview: drag across it to zoom, drag the window to move it; arrow keys move the window, + and - zoom, 0 shows the whole trace';

/**
 * The root element's content for `trace`. Its outer element carries `data-first-screen`, which
 * the app's own render does not: tests and benchmarks tell the two apart by it. Positions, sizes
 * and colours are not inline styles (the Content-Security-Policy allows none) but rules in `css`,
 * for a style element the page's policy admits by a nonce: they hold only numbers and colours of
 * the palette, never text from the trace.
 */
export function firstScreen(trace: CompactTrace, options: FirstScreenOptions): { html: string; css: string } {
  const id = escapeHtml(trace.traceId);
  const r = trace.rows;
  const rootService = trace.services[r.service[0] ?? 0] ?? '';
  const rootName = trace.names[r.name[0] ?? 0] ?? '';
  const spanUs = Math.max(1, trace.durationUs);
  const css: string[] = [];
  const out: string[] = [
    '<div class="app" data-first-screen=""><header class="topbar"><a class="brand" href="/search">Ariadne</a><nav>',
    '<a href="/search">Search</a><a href="/services">Services</a><a href="/query">Query</a><a href="/dependencies">System architecture</a><a href="/ingest">Ingest</a>',
    `</nav><button type="button" class="theme-toggle" aria-label="Switch theme">${options.theme === 'dark' ? 'Light theme' : 'Dark theme'}</button></header>`,
    '<main class="content"><div class="trace-page"><div class="trace-header">',
    `<h1><span class="svc">${escapeHtml(rootService)}</span>: ${escapeHtml(rootName)} <span class="trace-id" title="${id}">${escapeHtml(displayTraceId(trace.traceId))}</span></h1>`,
    '<dl class="trace-facts">',
    `<div><dt>Start</dt><dd>${formatTimestampAt(trace.startUs, options.timeZoneOffsetMinutes)}</dd></div>`,
    `<div><dt>Duration</dt><dd>${formatDuration(trace.durationUs)}</dd></div>`,
    `<div><dt>Services</dt><dd>${trace.services.length}</dd></div>`,
    `<div><dt>Depth</dt><dd>${trace.depth}</dd></div>`,
    `<div><dt>Total spans</dt><dd data-testid="span-count">${trace.spanCount}</dd></div></dl>`,
  ];
  if (trace.warnings.length > 0) out.push(`<ul class="trace-warnings">${trace.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`);
  out.push(
    '</div><div class="trace-toolbar"><div class="tabs" role="tablist">',
    '<button type="button" role="tab" aria-selected="true">Timeline</button><button type="button" role="tab" aria-selected="false">Flame graph</button><button type="button" role="tab" aria-selected="false">Statistics</button></div>',
    `<a class="button" href="/api/traces/${id}" download="trace-${id}.json">Download JSON</a><span class="spacer"></span>`,
    '<div class="find" role="search"><input class="find-input" placeholder="Find in trace ( / )" aria-label="Find in trace" spellcheck="false" value="">',
    '<span class="find-count" data-testid="find-count"></span><button type="button" disabled="" aria-label="Previous match">↑</button><button type="button" disabled="" aria-label="Next match">↓</button>',
    '<label class="check"><input type="checkbox"> only matches</label></div></div>',
    '<div class="timeline-tools"><button type="button">Expand all</button><button type="button">Collapse all</button>',
    `<label class="check"><input type="checkbox"> critical path</label><span class="muted">${countOf(trace.spanCount, 'span')}</span></div>`,
    `<div class="minimap" data-testid="minimap" tabindex="0" role="group" aria-label="${MINIMAP_LABEL}"><canvas height="${MINIMAP_HEIGHT}"></canvas>`,
    '<div class="minimap-shade"></div><div class="minimap-shade"></div></div>',
    '<div class="trace-body"><div class="timeline" tabindex="0" aria-label="Span timeline" role="tree">',
    '<div class="timeline-head"><div class="col-label">Service &amp; operation</div><div class="col-bars">',
  );
  const S = '[data-first-screen]';
  css.push(`${S} .minimap-shade:nth-of-type(1){left:0;width:0%}`, `${S} .minimap-shade:nth-of-type(2){left:100%;right:0}`);
  timeTicks(spanUs, 5).forEach((t, i) => {
    out.push(`<span class="tick">${formatDuration(t.us)}</span>`);
    css.push(`${S} .tick:nth-child(${i + 1}){left:${(100 * t.us) / spanUs}%}`);
  });
  out.push('</div></div><div class="timeline-scroll" data-testid="timeline-scroll"><div class="timeline-inner">');
  css.push(`${S} .timeline-inner{height:${trace.spanCount * ROW_HEIGHT}px}`);
  const rows = Math.min(trace.spanCount, FIRST_SCREEN_ROWS);
  for (let row = 0; row < rows; row++) out.push(rowHtml(trace, row, spanUs, css));
  out.push('</div></div></div></div></div></main></div>');
  return { html: out.join(''), css: css.join('\n') };
}

function rowHtml(trace: CompactTrace, row: number, spanUs: number, css: string[]): string {
  const { service, name, depth, flags, hasChildren, indentPx, left, width, color, labelLeft, labelAt } = rowLayout(trace, row, 0, spanUs);
  const at = `[data-first-screen] [data-row="${row}"]`;
  css.push(
    `${at}{transform:translateY(${row * ROW_HEIGHT}px)}`,
    `${at} .col-label{padding-left:${indentPx}px}`,
    `${at} .swatch{background:${color}}`,
    `${at} .bar{left:${left}%;width:${width}%;background:${color}}`,
    `${at} .bar-label{${labelLeft ? 'right' : 'left'}:${labelAt}%}`,
  );
  return `<div class="span-row${flags & FLAG_ERROR ? ' error' : ''}" data-row="${row}" role="treeitem" aria-selected="false"${hasChildren ? ' aria-expanded="true"' : ''}>`
    + '<div class="col-label">'
    + (hasChildren ? '<button type="button" class="toggle" aria-label="Collapse">▾</button>' : '')
    + '<span class="swatch"></span>'
    + (flags & FLAG_ERROR ? '<span class="error-icon" title="error">!</span>' : '')
    + (flags & FLAG_WARNING ? '<span class="warn-icon" title="has warnings">⚠</span>' : '')
    + `<span class="svc">${escapeHtml(service)}</span><span class="op">${escapeHtml(name)}</span>`
    + (depth > 30 ? `<span class="muted"> (depth ${depth})</span>` : '')
    + `</div><div class="col-bars"><div class="bar"></div><span class="${labelLeft ? 'bar-label bar-label-left' : 'bar-label'}">${formatDuration(trace.rows.durationUs[row]!)}</span></div></div>`;
}

/** Text made safe for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The theme and UTC offset a request's cookies name; light and UTC when absent or malformed. */
export function firstScreenOptionsOf(cookieHeader: string | undefined): FirstScreenOptions {
  const cookies = new Map<string, string>();
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const offset = Number(cookies.get(TIME_ZONE_COOKIE));
  return {
    theme: cookies.get(THEME_COOKIE) === 'dark' ? 'dark' : 'light',
    // Real zones lie within UTC−12…+14.
    timeZoneOffsetMinutes: Number.isInteger(offset) && Math.abs(offset) <= 14 * 60 ? offset : 0,
  };
}
