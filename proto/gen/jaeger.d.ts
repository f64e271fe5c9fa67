import * as $protobuf from "protobufjs";
import Long = require("long");

export namespace jaeger {

    namespace api_v2 {

        interface IPostSpansRequest extends jaeger.api_v2.PostSpansRequest.$Properties {
        }

        class PostSpansRequest {
            constructor(properties?: jaeger.api_v2.PostSpansRequest.$Properties);
            $unknowns?: Uint8Array[];
            batch?: (jaeger.api_v2.Batch.$Properties|null);
            static create(properties: jaeger.api_v2.PostSpansRequest.$Shape): jaeger.api_v2.PostSpansRequest & jaeger.api_v2.PostSpansRequest.$Shape;
            static create(properties?: jaeger.api_v2.PostSpansRequest.$Properties): jaeger.api_v2.PostSpansRequest;
            static encode(message: jaeger.api_v2.PostSpansRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.PostSpansRequest & jaeger.api_v2.PostSpansRequest.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace PostSpansRequest {
            interface $Properties {
                batch?: (jaeger.api_v2.Batch.$Properties|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.PostSpansRequest.$Properties;
        }

        interface IPostSpansResponse extends jaeger.api_v2.PostSpansResponse.$Properties {
        }

        class PostSpansResponse {
            constructor(properties?: jaeger.api_v2.PostSpansResponse.$Properties);
            $unknowns?: Uint8Array[];
            static create(properties: jaeger.api_v2.PostSpansResponse.$Shape): jaeger.api_v2.PostSpansResponse & jaeger.api_v2.PostSpansResponse.$Shape;
            static create(properties?: jaeger.api_v2.PostSpansResponse.$Properties): jaeger.api_v2.PostSpansResponse;
            static encode(message: jaeger.api_v2.PostSpansResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.PostSpansResponse & jaeger.api_v2.PostSpansResponse.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace PostSpansResponse {
            interface $Properties {
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.PostSpansResponse.$Properties;
        }

        enum ValueType {
            STRING = 0,
            BOOL = 1,
            INT64 = 2,
            FLOAT64 = 3,
            BINARY = 4
        }

        interface IKeyValue extends jaeger.api_v2.KeyValue.$Properties {
        }

        class KeyValue {
            constructor(properties?: jaeger.api_v2.KeyValue.$Properties);
            $unknowns?: Uint8Array[];
            key: string;
            vType: jaeger.api_v2.ValueType;
            vStr: string;
            vBool: boolean;
            vInt64: (number|Long);
            vFloat64: number;
            vBinary: Uint8Array;
            static create(properties: jaeger.api_v2.KeyValue.$Shape): jaeger.api_v2.KeyValue & jaeger.api_v2.KeyValue.$Shape;
            static create(properties?: jaeger.api_v2.KeyValue.$Properties): jaeger.api_v2.KeyValue;
            static encode(message: jaeger.api_v2.KeyValue.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.KeyValue & jaeger.api_v2.KeyValue.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace KeyValue {
            interface $Properties {
                key?: (string|null);
                vType?: (jaeger.api_v2.ValueType|null);
                vStr?: (string|null);
                vBool?: (boolean|null);
                vInt64?: (number|Long|null);
                vFloat64?: (number|null);
                vBinary?: (Uint8Array|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.KeyValue.$Properties;
        }

        interface ILog extends jaeger.api_v2.Log.$Properties {
        }

        class Log {
            constructor(properties?: jaeger.api_v2.Log.$Properties);
            $unknowns?: Uint8Array[];
            timestamp?: (google.protobuf.Timestamp.$Properties|null);
            fields: jaeger.api_v2.KeyValue.$Properties[];
            static create(properties: jaeger.api_v2.Log.$Shape): jaeger.api_v2.Log & jaeger.api_v2.Log.$Shape;
            static create(properties?: jaeger.api_v2.Log.$Properties): jaeger.api_v2.Log;
            static encode(message: jaeger.api_v2.Log.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.Log & jaeger.api_v2.Log.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Log {
            interface $Properties {
                timestamp?: (google.protobuf.Timestamp.$Properties|null);
                fields?: (jaeger.api_v2.KeyValue.$Properties[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.Log.$Properties;
        }

        enum SpanRefType {
            CHILD_OF = 0,
            FOLLOWS_FROM = 1
        }

        interface ISpanRef extends jaeger.api_v2.SpanRef.$Properties {
        }

        class SpanRef {
            constructor(properties?: jaeger.api_v2.SpanRef.$Properties);
            $unknowns?: Uint8Array[];
            traceId: Uint8Array;
            spanId: Uint8Array;
            refType: jaeger.api_v2.SpanRefType;
            static create(properties: jaeger.api_v2.SpanRef.$Shape): jaeger.api_v2.SpanRef & jaeger.api_v2.SpanRef.$Shape;
            static create(properties?: jaeger.api_v2.SpanRef.$Properties): jaeger.api_v2.SpanRef;
            static encode(message: jaeger.api_v2.SpanRef.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.SpanRef & jaeger.api_v2.SpanRef.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace SpanRef {
            interface $Properties {
                traceId?: (Uint8Array|null);
                spanId?: (Uint8Array|null);
                refType?: (jaeger.api_v2.SpanRefType|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.SpanRef.$Properties;
        }

        interface IProcess extends jaeger.api_v2.Process.$Properties {
        }

        class Process {
            constructor(properties?: jaeger.api_v2.Process.$Properties);
            $unknowns?: Uint8Array[];
            serviceName: string;
            tags: jaeger.api_v2.KeyValue.$Properties[];
            static create(properties: jaeger.api_v2.Process.$Shape): jaeger.api_v2.Process & jaeger.api_v2.Process.$Shape;
            static create(properties?: jaeger.api_v2.Process.$Properties): jaeger.api_v2.Process;
            static encode(message: jaeger.api_v2.Process.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.Process & jaeger.api_v2.Process.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Process {
            interface $Properties {
                serviceName?: (string|null);
                tags?: (jaeger.api_v2.KeyValue.$Properties[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.Process.$Properties;
        }

        interface ISpan extends jaeger.api_v2.Span.$Properties {
        }

        class Span {
            constructor(properties?: jaeger.api_v2.Span.$Properties);
            $unknowns?: Uint8Array[];
            traceId: Uint8Array;
            spanId: Uint8Array;
            operationName: string;
            references: jaeger.api_v2.SpanRef.$Properties[];
            flags: number;
            startTime?: (google.protobuf.Timestamp.$Properties|null);
            duration?: (google.protobuf.Duration.$Properties|null);
            tags: jaeger.api_v2.KeyValue.$Properties[];
            logs: jaeger.api_v2.Log.$Properties[];
            process?: (jaeger.api_v2.Process.$Properties|null);
            processId: string;
            warnings: string[];
            static create(properties: jaeger.api_v2.Span.$Shape): jaeger.api_v2.Span & jaeger.api_v2.Span.$Shape;
            static create(properties?: jaeger.api_v2.Span.$Properties): jaeger.api_v2.Span;
            static encode(message: jaeger.api_v2.Span.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.Span & jaeger.api_v2.Span.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Span {
            interface $Properties {
                traceId?: (Uint8Array|null);
                spanId?: (Uint8Array|null);
                operationName?: (string|null);
                references?: (jaeger.api_v2.SpanRef.$Properties[]|null);
                flags?: (number|null);
                startTime?: (google.protobuf.Timestamp.$Properties|null);
                duration?: (google.protobuf.Duration.$Properties|null);
                tags?: (jaeger.api_v2.KeyValue.$Properties[]|null);
                logs?: (jaeger.api_v2.Log.$Properties[]|null);
                process?: (jaeger.api_v2.Process.$Properties|null);
                processId?: (string|null);
                warnings?: (string[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.Span.$Properties;
        }

        interface ITrace extends jaeger.api_v2.Trace.$Properties {
        }

        class Trace {
            constructor(properties?: jaeger.api_v2.Trace.$Properties);
            $unknowns?: Uint8Array[];
            spans: jaeger.api_v2.Span.$Properties[];
            processMap: jaeger.api_v2.Trace.ProcessMapping.$Properties[];
            warnings: string[];
            static create(properties: jaeger.api_v2.Trace.$Shape): jaeger.api_v2.Trace & jaeger.api_v2.Trace.$Shape;
            static create(properties?: jaeger.api_v2.Trace.$Properties): jaeger.api_v2.Trace;
            static encode(message: jaeger.api_v2.Trace.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.Trace & jaeger.api_v2.Trace.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Trace {
            interface $Properties {
                spans?: (jaeger.api_v2.Span.$Properties[]|null);
                processMap?: (jaeger.api_v2.Trace.ProcessMapping.$Properties[]|null);
                warnings?: (string[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.Trace.$Properties;

            interface IProcessMapping extends jaeger.api_v2.Trace.ProcessMapping.$Properties {
            }

            class ProcessMapping {
                constructor(properties?: jaeger.api_v2.Trace.ProcessMapping.$Properties);
                $unknowns?: Uint8Array[];
                processId: string;
                process?: (jaeger.api_v2.Process.$Properties|null);
                static create(properties: jaeger.api_v2.Trace.ProcessMapping.$Shape): jaeger.api_v2.Trace.ProcessMapping & jaeger.api_v2.Trace.ProcessMapping.$Shape;
                static create(properties?: jaeger.api_v2.Trace.ProcessMapping.$Properties): jaeger.api_v2.Trace.ProcessMapping;
                static encode(message: jaeger.api_v2.Trace.ProcessMapping.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.Trace.ProcessMapping & jaeger.api_v2.Trace.ProcessMapping.$Shape;
                static getTypeUrl(prefix?: string): string;
            }

            namespace ProcessMapping {
                interface $Properties {
                    processId?: (string|null);
                    process?: (jaeger.api_v2.Process.$Properties|null);
                    $unknowns?: Uint8Array[];
                }
                type $Shape = jaeger.api_v2.Trace.ProcessMapping.$Properties;
            }
        }

        interface IBatch extends jaeger.api_v2.Batch.$Properties {
        }

        class Batch {
            constructor(properties?: jaeger.api_v2.Batch.$Properties);
            $unknowns?: Uint8Array[];
            spans: jaeger.api_v2.Span.$Properties[];
            process?: (jaeger.api_v2.Process.$Properties|null);
            static create(properties: jaeger.api_v2.Batch.$Shape): jaeger.api_v2.Batch & jaeger.api_v2.Batch.$Shape;
            static create(properties?: jaeger.api_v2.Batch.$Properties): jaeger.api_v2.Batch;
            static encode(message: jaeger.api_v2.Batch.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.Batch & jaeger.api_v2.Batch.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Batch {
            interface $Properties {
                spans?: (jaeger.api_v2.Span.$Properties[]|null);
                process?: (jaeger.api_v2.Process.$Properties|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.Batch.$Properties;
        }

        interface IDependencyLink extends jaeger.api_v2.DependencyLink.$Properties {
        }

        class DependencyLink {
            constructor(properties?: jaeger.api_v2.DependencyLink.$Properties);
            $unknowns?: Uint8Array[];
            parent: string;
            child: string;
            callCount: (number|Long);
            source: string;
            static create(properties: jaeger.api_v2.DependencyLink.$Shape): jaeger.api_v2.DependencyLink & jaeger.api_v2.DependencyLink.$Shape;
            static create(properties?: jaeger.api_v2.DependencyLink.$Properties): jaeger.api_v2.DependencyLink;
            static encode(message: jaeger.api_v2.DependencyLink.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): jaeger.api_v2.DependencyLink & jaeger.api_v2.DependencyLink.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace DependencyLink {
            interface $Properties {
                parent?: (string|null);
                child?: (string|null);
                callCount?: (number|Long|null);
                source?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = jaeger.api_v2.DependencyLink.$Properties;
        }
    }
}

export namespace google {

    namespace protobuf {

        interface ITimestamp extends google.protobuf.Timestamp.$Properties {
        }

        class Timestamp {
            constructor(properties?: google.protobuf.Timestamp.$Properties);
            $unknowns?: Uint8Array[];
            seconds: (number|Long);
            nanos: number;
            static create(properties: google.protobuf.Timestamp.$Shape): google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape;
            static create(properties?: google.protobuf.Timestamp.$Properties): google.protobuf.Timestamp;
            static encode(message: google.protobuf.Timestamp.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.protobuf.Timestamp & google.protobuf.Timestamp.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Timestamp {
            interface $Properties {
                seconds?: (number|Long|null);
                nanos?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = google.protobuf.Timestamp.$Properties;
        }

        interface IDuration extends google.protobuf.Duration.$Properties {
        }

        class Duration {
            constructor(properties?: google.protobuf.Duration.$Properties);
            $unknowns?: Uint8Array[];
            seconds: (number|Long);
            nanos: number;
            static create(properties: google.protobuf.Duration.$Shape): google.protobuf.Duration & google.protobuf.Duration.$Shape;
            static create(properties?: google.protobuf.Duration.$Properties): google.protobuf.Duration;
            static encode(message: google.protobuf.Duration.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.protobuf.Duration & google.protobuf.Duration.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Duration {
            interface $Properties {
                seconds?: (number|Long|null);
                nanos?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = google.protobuf.Duration.$Properties;
        }
    }
}
