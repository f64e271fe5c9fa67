/**
 * Jaeger collector gRPC receiver (:14250): `jaeger.api_v2.CollectorService/PostSpans`, for
 * startGrpcServer. IDL: jaeger-idl proto/api_v2/collector.proto. The answer is an empty
 * PostSpansResponse once the spans are durable.
 */
import type { GrpcService } from '../grpc.js';
import type { Ingest } from '../ingest.js';
import { JAEGER_PROTO, decodeJaegerProto } from './decode-proto.js';

/** What the Jaeger gRPC service needs from the process. */
export interface JaegerGrpcOptions {
  ingest: Ingest;
  /** Tenant of spans whose call names none (see GrpcCallContext.tenant); default "". */
  tenant?: string;
}

/** Fully qualified name of the Jaeger collector service. */
export const JAEGER_COLLECTOR_SERVICE = 'jaeger.api_v2.CollectorService';

/** An encoded empty PostSpansResponse: no fields, zero bytes. */
const EMPTY_RESPONSE = Buffer.alloc(0);

/**
 * The CollectorService with its PostSpans method. A message that does not decode, or holds an
 * invalid span, answers INVALID_ARGUMENT; a store that cannot take more, RESOURCE_EXHAUSTED or UNAVAILABLE.
 */
export function createJaegerCollectorService(options: JaegerGrpcOptions): GrpcService {
  const { ingest } = options;
  const defaultTenant = options.tenant ?? '';
  return {
    name: JAEGER_COLLECTOR_SERVICE,
    methods: {
      async PostSpans(bytes, call) {
        const tenant = call.tenant ?? defaultTenant;
        const done = ingest.time(JAEGER_PROTO);
        try {
          const spans = decodeJaegerProto(bytes, tenant);
          await ingest.accept({ format: JAEGER_PROTO, tenant, bytes, spans, source: call.peer });
        } catch (err) {
          throw ingest.refuse(JAEGER_PROTO, err, { source: call.peer, body: bytes });
        }
        done();
        return EMPTY_RESPONSE;
      },
    },
  };
}
