/**
 * OTLP/gRPC receiver (:4317): `opentelemetry.proto.collector.trace.v1.TraceService/Export`, for
 * startGrpcServer. Spec: opentelemetry-proto docs/specification.md, "OTLP/gRPC".
 */
import type { GrpcService } from '../grpc.js';
import type { Ingest } from '../ingest.js';
import { OTLP_PROTO, decodeOtlpProtoRequest } from './decode-proto.js';
import type { OtlpDecodeResult } from './convert.js';
import { exportResponseProto } from './response.js';

/** What the OTLP gRPC service needs from the process. */
export interface OtlpGrpcOptions {
  ingest: Ingest;
  /** Tenant of spans whose call names none (see GrpcCallContext.tenant); default "". */
  tenant?: string;
}

/** Fully qualified name of the OTLP trace service. */
export const OTLP_TRACE_SERVICE = 'opentelemetry.proto.collector.trace.v1.TraceService';

/**
 * The TraceService with its Export method: decodes the request, writes the valid spans durably and
 * answers an ExportTraceServiceResponse (partial_success when spans were skipped). A message that
 * does not decode answers INVALID_ARGUMENT; a store that cannot take more, RESOURCE_EXHAUSTED or
 * UNAVAILABLE (both retryable for OTLP exporters).
 */
export function createOtlpTraceService(options: OtlpGrpcOptions): GrpcService {
  const { ingest } = options;
  const defaultTenant = options.tenant ?? '';
  return {
    name: OTLP_TRACE_SERVICE,
    methods: {
      async Export(bytes, call) {
        const tenant = call.tenant ?? defaultTenant;
        const done = ingest.time(OTLP_PROTO);
        let result: OtlpDecodeResult;
        try {
          result = decodeOtlpProtoRequest(bytes, tenant);
          await ingest.accept({ format: OTLP_PROTO, tenant, bytes, spans: result.spans, skipped: result.rejected, source: call.peer });
        } catch (err) {
          throw ingest.refuse(OTLP_PROTO, err, { source: call.peer, body: bytes });
        }
        done();
        return exportResponseProto(result);
      },
    },
  };
}
