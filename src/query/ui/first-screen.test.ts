import { describe, expect, it } from 'vitest';
import { serviceColor } from '../../../ui/src/model/colors.js';
import { prepareTrace } from './compact-trace.js';
import { FIRST_SCREEN_ROWS, escapeHtml, firstScreen, firstScreenOptionsOf, type FirstScreenOptions } from './first-screen.js';
import { span } from './test-spans.js';

const T = Date.UTC(2026, 0, 2, 3, 4, 5, 678) * 1000;
const XSS = '<img src=x onerror=alert(1)>';
const light: FirstScreenOptions = { theme: 'light', timeZoneOffsetMinutes: 0 };

function screenOf(spans: Parameters<typeof prepareTrace>[0], options = light) {
  return firstScreen(prepareTrace(spans, { adjustClockSkew: false }).compact, options);
}

describe('firstScreen', () => {
  const hostile = [
    span({ spanId: 'a', service: XSS, name: `"quoted" & 'single' </div>`, startUs: T, durationUs: 1000 }),
    span({ spanId: 'b', parentSpanId: 'a', service: 'db', name: XSS, startUs: T + 800, durationUs: 200, statusCode: 'error' }),
  ];

  it('writes every name from the trace as text, and no inline style', () => {
    const { html, css } = screenOf(hostile);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</div>"');
    expect(html).toContain('<span class="svc">&lt;img src=x onerror=alert(1)&gt;</span>');
    expect(html).toContain('&quot;quoted&quot; &amp; &#39;single&#39; &lt;/div&gt;');
    expect(html).not.toMatch(/\sstyle=/);
    expect(css).not.toContain('img');
    expect(css).not.toContain('quoted');
  });

  it('draws the header, the rows in pre-order and their bars as the app does', () => {
    const { html, css } = screenOf(hostile);
    expect(html.startsWith('<div class="app" data-first-screen="">')).toBe(true);
    expect(html).toContain('<dt>Start</dt><dd>2026-01-02 03:04:05.678</dd>');
    expect(html).toContain('<dt>Duration</dt><dd>1ms</dd>');
    expect(html).toContain('<dd data-testid="span-count">2</dd>');
    expect(html).toContain('<span class="muted">2 spans</span>');
    expect(html.match(/class="span-row[^"]*" data-row="\d+"/g)).toEqual(['class="span-row" data-row="0"', 'class="span-row error" data-row="1"']);
    expect(html).toContain('<span class="error-icon" title="error">!</span>');
    expect(css.split('\n')).toEqual(expect.arrayContaining([
      '[data-first-screen] .timeline-inner{height:48px}',
      '[data-first-screen] [data-row="0"]{transform:translateY(0px)}',
      '[data-first-screen] [data-row="1"]{transform:translateY(24px)}',
      '[data-first-screen] [data-row="1"] .col-label{padding-left:36px}',
      `[data-first-screen] [data-row="1"] .bar{left:80%;width:20%;background:${serviceColor('db')}}`,
      '[data-first-screen] [data-row="1"] .bar-label{right:20%}',
      '[data-first-screen] [data-row="0"] .bar-label{left:100%}',
    ]));
  });

  it(`draws the first ${FIRST_SCREEN_ROWS} rows of a bigger trace, in a scroll area as tall as all of them`, () => {
    const spans = Array.from({ length: 100 }, (_, i) => span({ spanId: (i + 1).toString(16), ...(i > 0 ? { parentSpanId: '1' } : {}), startUs: T + i, durationUs: 100 }));
    const { html, css } = screenOf(spans);
    expect(html.match(/data-row="/g)).toHaveLength(FIRST_SCREEN_ROWS);
    expect(css).toContain('.timeline-inner{height:2400px}');
  });

  it('follows the theme and time zone it is given', () => {
    const { html } = screenOf(hostile, { theme: 'dark', timeZoneOffsetMinutes: -90 });
    expect(html).toContain('aria-label="Switch theme">Light theme</button>');
    expect(html).toContain('<dd>2026-01-02 04:34:05.678</dd>');
  });
});

describe('firstScreenOptionsOf', () => {
  it.each([
    { cookie: undefined, theme: 'light', offset: 0 },
    { cookie: 'ariadne-theme=dark; ariadne-tz=-60', theme: 'dark', offset: -60 },
    { cookie: 'other=1;ariadne-tz=300;ariadne-theme=light', theme: 'light', offset: 300 },
    { cookie: 'ariadne-theme=<b>; ariadne-tz=1e9', theme: 'light', offset: 0 },
    { cookie: 'ariadne-tz=12.5', theme: 'light', offset: 0 },
    { cookie: '=;;ariadne-tz', theme: 'light', offset: 0 },
  ])('$cookie → $theme, $offset', ({ cookie, theme, offset }) => {
    expect(firstScreenOptionsOf(cookie)).toEqual({ theme, timeZoneOffsetMinutes: offset });
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });
});
