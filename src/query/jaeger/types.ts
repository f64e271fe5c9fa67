/**
 * JSON shapes of Jaeger's query HTTP API (/api/...), as the Jaeger UI and Grafana's Jaeger data
 * source read them. Field names, ordering and null-vs-array choices follow Jaeger's UI model
 * (jaegertracing/jaeger internal/uimodel/model.go).
 */

/** Type tag of a Jaeger key/value. */
export type JaegerValueType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';

/** A typed tag, log field or process tag. int64 values beyond 2^53 are sent as decimal strings. */
export interface JaegerKeyValue {
  key: string;
  type: JaegerValueType;
  value: string | number | boolean;
}

/** A timestamped log (µs since epoch). */
export interface JaegerLog {
  timestamp: number;
  fields: JaegerKeyValue[];
}

/** A reference to another span. */
export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

/** A span as the Jaeger UI reads it; times in µs. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  /** 1 = sampled, 2 = debug. */
  flags: number;
  operationName: string;
  references: JaegerReference[];
  startTime: number;
  duration: number;
  tags: JaegerKeyValue[];
  logs: JaegerLog[];
  /** Key into JaegerTrace.processes ("p1", "p2", ...). */
  processID: string;
  warnings: string[] | null;
}

/** The process (service + its tags) that reported spans. */
export interface JaegerProcess {
  serviceName: string;
  tags: JaegerKeyValue[];
}

/** A whole trace with its processes deduplicated. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

/** One edge of /api/dependencies. errorCount is an addition clients that do not know it ignore. */
export interface JaegerDependencyLink {
  parent: string;
  child: string;
  callCount: number;
  errorCount: number;
}

/** An operation of /api/operations; spanKind is "" when the kind is unspecified. */
export interface JaegerOperation {
  name: string;
  spanKind: string;
}

/** One entry of the envelope's `errors`. Per-trace errors of a traceID search carry no code. */
export interface JaegerError {
  code?: number;
  msg: string;
  traceID?: string;
}

/** The envelope every response of this API uses. */
export interface JaegerResponse<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: JaegerError[] | null;
}
