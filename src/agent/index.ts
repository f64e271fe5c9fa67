/** The agent role: UDP batches forwarded to a collector, and sampling asked of that collector. */
export {
  AGENT_CREDENTIAL_FLAGS, DEFAULT_TENANT_HEADER, createCredentials, readBasicFile, readTokenFile, redactUrl, splitUrlCredentials,
} from './credentials.js';
export type { BasicCredentials, CredentialFlags, Credentials, CredentialsOptions } from './credentials.js';
export { createForwarder } from './forwarder.js';
export type { ForwardDropReason, Forwarder, ForwarderOptions } from './forwarder.js';
export { encodePostSpans } from './jaeger-proto.js';
export { agentSamplingUrl, createSamplingProxy } from './sampling-proxy.js';
export type { SamplingProxy, SamplingProxyOptions } from './sampling-proxy.js';
