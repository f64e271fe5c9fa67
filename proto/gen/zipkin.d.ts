import * as $protobuf from "protobufjs";
import Long = require("long");

export namespace zipkin {

    namespace proto3 {

        interface ISpan extends zipkin.proto3.Span.$Properties {
        }

        class Span {
            constructor(properties?: zipkin.proto3.Span.$Properties);
            $unknowns?: Uint8Array[];
            traceId: Uint8Array;
            parentId: Uint8Array;
            id: Uint8Array;
            kind: zipkin.proto3.Span.Kind;
            name: string;
            timestamp: (number|Long);
            duration: (number|Long);
            localEndpoint?: (zipkin.proto3.Endpoint.$Properties|null);
            remoteEndpoint?: (zipkin.proto3.Endpoint.$Properties|null);
            annotations: zipkin.proto3.Annotation.$Properties[];
            tags: { [k: string]: string };
            debug: boolean;
            shared: boolean;
            static create(properties: zipkin.proto3.Span.$Shape): zipkin.proto3.Span & zipkin.proto3.Span.$Shape;
            static create(properties?: zipkin.proto3.Span.$Properties): zipkin.proto3.Span;
            static encode(message: zipkin.proto3.Span.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): zipkin.proto3.Span & zipkin.proto3.Span.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Span {
            interface $Properties {
                traceId?: (Uint8Array|null);
                parentId?: (Uint8Array|null);
                id?: (Uint8Array|null);
                kind?: (zipkin.proto3.Span.Kind|null);
                name?: (string|null);
                timestamp?: (number|Long|null);
                duration?: (number|Long|null);
                localEndpoint?: (zipkin.proto3.Endpoint.$Properties|null);
                remoteEndpoint?: (zipkin.proto3.Endpoint.$Properties|null);
                annotations?: (zipkin.proto3.Annotation.$Properties[]|null);
                tags?: ({ [k: string]: string }|null);
                debug?: (boolean|null);
                shared?: (boolean|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = zipkin.proto3.Span.$Properties;

            enum Kind {
                SPAN_KIND_UNSPECIFIED = 0,
                CLIENT = 1,
                SERVER = 2,
                PRODUCER = 3,
                CONSUMER = 4
            }
        }

        interface IEndpoint extends zipkin.proto3.Endpoint.$Properties {
        }

        class Endpoint {
            constructor(properties?: zipkin.proto3.Endpoint.$Properties);
            $unknowns?: Uint8Array[];
            serviceName: string;
            ipv4: Uint8Array;
            ipv6: Uint8Array;
            port: number;
            static create(properties: zipkin.proto3.Endpoint.$Shape): zipkin.proto3.Endpoint & zipkin.proto3.Endpoint.$Shape;
            static create(properties?: zipkin.proto3.Endpoint.$Properties): zipkin.proto3.Endpoint;
            static encode(message: zipkin.proto3.Endpoint.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): zipkin.proto3.Endpoint & zipkin.proto3.Endpoint.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Endpoint {
            interface $Properties {
                serviceName?: (string|null);
                ipv4?: (Uint8Array|null);
                ipv6?: (Uint8Array|null);
                port?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = zipkin.proto3.Endpoint.$Properties;
        }

        interface IAnnotation extends zipkin.proto3.Annotation.$Properties {
        }

        class Annotation {
            constructor(properties?: zipkin.proto3.Annotation.$Properties);
            $unknowns?: Uint8Array[];
            timestamp: (number|Long);
            value: string;
            static create(properties: zipkin.proto3.Annotation.$Shape): zipkin.proto3.Annotation & zipkin.proto3.Annotation.$Shape;
            static create(properties?: zipkin.proto3.Annotation.$Properties): zipkin.proto3.Annotation;
            static encode(message: zipkin.proto3.Annotation.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): zipkin.proto3.Annotation & zipkin.proto3.Annotation.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Annotation {
            interface $Properties {
                timestamp?: (number|Long|null);
                value?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = zipkin.proto3.Annotation.$Properties;
        }

        interface IListOfSpans extends zipkin.proto3.ListOfSpans.$Properties {
        }

        class ListOfSpans {
            constructor(properties?: zipkin.proto3.ListOfSpans.$Properties);
            $unknowns?: Uint8Array[];
            spans: zipkin.proto3.Span.$Properties[];
            static create(properties: zipkin.proto3.ListOfSpans.$Shape): zipkin.proto3.ListOfSpans & zipkin.proto3.ListOfSpans.$Shape;
            static create(properties?: zipkin.proto3.ListOfSpans.$Properties): zipkin.proto3.ListOfSpans;
            static encode(message: zipkin.proto3.ListOfSpans.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): zipkin.proto3.ListOfSpans & zipkin.proto3.ListOfSpans.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ListOfSpans {
            interface $Properties {
                spans?: (zipkin.proto3.Span.$Properties[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = zipkin.proto3.ListOfSpans.$Properties;
        }

        interface IReportResponse extends zipkin.proto3.ReportResponse.$Properties {
        }

        class ReportResponse {
            constructor(properties?: zipkin.proto3.ReportResponse.$Properties);
            $unknowns?: Uint8Array[];
            static create(properties: zipkin.proto3.ReportResponse.$Shape): zipkin.proto3.ReportResponse & zipkin.proto3.ReportResponse.$Shape;
            static create(properties?: zipkin.proto3.ReportResponse.$Properties): zipkin.proto3.ReportResponse;
            static encode(message: zipkin.proto3.ReportResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): zipkin.proto3.ReportResponse & zipkin.proto3.ReportResponse.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ReportResponse {
            interface $Properties {
                $unknowns?: Uint8Array[];
            }
            type $Shape = zipkin.proto3.ReportResponse.$Properties;
        }
    }
}
