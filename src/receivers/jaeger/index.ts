/**
 * Jaeger receivers: Thrift (collector HTTP body, agent UDP datagrams) and api_v2 protobuf (gRPC)
 * decoders, the collector HTTP plugin, the agent UDP listener and the gRPC collector service.
 */
export {
  JAEGER_AGENT_BINARY,
  JAEGER_AGENT_COMPACT,
  JAEGER_THRIFT_BATCH,
  agentBatchToCollectorBody,
  decodeJaegerAgentBinary,
  decodeJaegerAgentCompact,
  decodeJaegerThriftBatch,
} from './decode-thrift.js';
export { JAEGER_PROTO, decodeJaegerProto } from './decode-proto.js';
export { JAEGER_COLLECTOR_SERVICE, createJaegerCollectorService } from './grpc.js';
export type { JaegerGrpcOptions } from './grpc.js';
export { jaegerHttpPlugin } from './http.js';
export type { JaegerHttpOptions } from './http.js';
export { DEFAULT_MAX_DATAGRAM_BYTES, DEFAULT_UDP_QUEUE_SIZE, startAgentUdp } from './udp.js';
export type { AgentUdp, AgentUdpOptions, UdpDropReason } from './udp.js';
