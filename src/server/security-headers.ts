/**
 * Browser security headers for every answer of a port that browsers open (the query port, and the
 * Zipkin port whose paths lead to the UI). The UI's own pages replace the Content-Security-Policy
 * below with the one their scripts and styles need (src/query/ui); every other answer is data and
 * may load nothing at all.
 */
import type { FastifyInstance } from 'fastify';

/** The policy of answers that are not UI pages: nothing may load, nothing may frame them. */
export const DATA_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers every answer carries: no MIME sniffing, no referrer, no framing, a window of its own. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Adds an onSend hook to `app` (call it before registering routes) setting SECURITY_HEADERS, and
 * DATA_CONTENT_SECURITY_POLICY unless the answer already has a policy. Errors and refusals sent
 * from hooks carry them too.
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
    if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', DATA_CONTENT_SECURITY_POLICY);
    return payload;
  });
}
