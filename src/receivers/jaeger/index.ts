/** Jaeger receivers: Thrift decoders (collector HTTP body, agent UDP datagrams). */
export {
  JAEGER_AGENT_BINARY,
  JAEGER_AGENT_COMPACT,
  JAEGER_THRIFT_BATCH,
  agentBatchToCollectorBody,
  decodeJaegerAgentBinary,
  decodeJaegerAgentCompact,
  decodeJaegerThriftBatch,
} from './decode-thrift.js';
