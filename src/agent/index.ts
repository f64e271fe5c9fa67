/** The agent role: UDP batches forwarded to a collector, and sampling asked of that collector. */
export { createForwarder } from './forwarder.js';
export type { ForwardDropReason, Forwarder, ForwarderOptions } from './forwarder.js';
export { encodePostSpans } from './jaeger-proto.js';
export { createSamplingProxy } from './sampling-proxy.js';
export type { SamplingProxy, SamplingProxyOptions } from './sampling-proxy.js';
