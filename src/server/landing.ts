/** The page served at the query port's root until a richer UI is built in. */

/** A static HTML page listing the APIs this process serves; no span data, nothing to escape. */
export function landingPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ariadne</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1d2733}code{background:#eef1f5;padding:0 .25rem;border-radius:3px}</style>
</head><body>
<h1>Ariadne</h1>
<p>Distributed tracing backend. This port serves the Jaeger query API; point Grafana's Jaeger data
source or a Jaeger UI at it.</p>
<ul>
<li><a href="/api/services"><code>/api/services</code></a>, <code>/api/services/{service}/operations</code>, <code>/api/operations?service=</code></li>
<li><code>/api/traces?service=&amp;operation=&amp;tags=&amp;minDuration=&amp;lookback=1h&amp;limit=20</code>, <code>/api/traces/{traceID}</code></li>
<li><code>/api/dependencies?endTs=&amp;lookback=</code></li>
</ul>
<p>Zipkin senders post to port 9411 (<code>/api/v2/spans</code>, <code>/api/v1/spans</code>), which also serves
the Zipkin v2 read API. Metrics and health are on port 14269.</p>
</body></html>
`;
}
