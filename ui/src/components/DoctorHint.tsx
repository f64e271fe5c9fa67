/** What to do when nothing has arrived: the doctor command and where senders should point. */

/** The host this UI was loaded from, which is usually the one senders should use too. */
function currentHost(): string {
  return globalThis.location?.hostname || '<host>';
}

/**
 * The next step when no spans arrived: run the doctor against this server and point the mesh at
 * the Zipkin port; the troubleshooting guide (docs/troubleshooting.md) goes on from there.
 */
export function DoctorHint() {
  const host = currentHost();
  return (
    <div className="doctor-hint">
      <p>
        Check that this server takes traces: <code className="command">ariadne doctor --target http://{host}:9411</code>{' '}
        sends a test trace through every receiver and says what to fix.
      </p>
      <p>
        Then point your mesh or tracer at <code>{host}:9411</code> (Zipkin, <code>POST /api/v2/spans</code>),{' '}
        <code>:4317</code>/<code>:4318</code> (OTLP) or <code>:14268</code> (Jaeger). Still nothing? Follow{' '}
        <code>docs/troubleshooting.md</code> in the Ariadne sources, and watch the Ingest page.
      </p>
    </div>
  );
}
