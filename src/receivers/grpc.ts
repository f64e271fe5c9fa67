/**
 * The gRPC server the gRPC receivers share (OTLP :4317, Jaeger :14250). Messages reach the handlers
 * as raw Buffers, already decompressed (grpc-js handles `grpc-encoding: gzip`), so each receiver
 * decodes with its own static decoder and logs exactly the bytes it read.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AppError, GRPC_STATUS, toAppError } from '../errors.js';

/** One unary method: request bytes in, response bytes out; throw an AppError to answer an error. */
export type GrpcUnaryHandler = (request: Buffer, context: GrpcCallContext) => Promise<Buffer>;

/** What a handler may know about its call. */
export interface GrpcCallContext {
  metadata: grpc.Metadata;
  /** Aborted when the client cancels the call or its deadline passes. */
  signal: AbortSignal;
  /** The client's address as grpc-js reports it (e.g. "127.0.0.1:50312"). */
  peer: string;
  /** The tenant the server's authorize check resolved for this call, if any. */
  tenant?: string;
}

/** What an authorize check decided: go ahead (for a tenant, when one was resolved), or refuse with a gRPC status. */
export type GrpcAccess = { ok: true; tenant?: string } | { ok: false; code: number; message: string };

/** Checks a call's metadata before its handler runs (credentials, tenant); never throws. */
export type GrpcAuthorize = (metadata: grpc.Metadata) => Promise<GrpcAccess>;

/** A gRPC service: its fully qualified name and its unary methods by name. */
export interface GrpcService {
  /** e.g. `opentelemetry.proto.collector.trace.v1.TraceService`. */
  name: string;
  methods: Record<string, GrpcUnaryHandler>;
}

/** Options of {@link startGrpcServer}. */
export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  services: readonly GrpcService[];
  /** Largest accepted message after decompression; larger ones are refused with RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  logger: Logger;
  /** How long close() waits for calls in flight before cutting them off; default 5000 ms. */
  shutdownTimeoutMs?: number;
  /** Runs before every call; a refusal answers its status without running the handler. */
  authorize?: GrpcAuthorize;
}

/** A listening gRPC server. */
export interface GrpcServerHandle {
  /** The bound port (the real one when 0 was asked for). */
  port: number;
  /** Stops accepting calls, lets calls in flight finish up to the shutdown timeout, then cuts the rest. */
  close(): Promise<void>;
}

const passthrough = (value: Buffer): Buffer => value;

/**
 * Binds a grpc-js server with the given services on host:port. Rejects with UNAVAILABLE when the
 * address cannot be bound. Handler errors become gRPC statuses by their AppError code (see
 * GRPC_STATUS); errors that are not AppErrors answer INTERNAL and are logged once.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServerHandle> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
  });
  for (const service of options.services) {
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(service.methods)) {
      definition[method] = {
        path: `/${service.name}/${method}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: passthrough,
        requestDeserialize: passthrough,
        responseSerialize: passthrough,
        responseDeserialize: passthrough,
      };
      implementation[method] = unary(handler, options.logger, options.authorize);
    }
    server.addService(definition, implementation);
  }
  const address = options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(new AppError('UNAVAILABLE', `cannot listen for gRPC on ${address}: ${err.message}`, { cause: err }));
      else resolve(bound);
    });
  });
  const timeoutMs = options.shutdownTimeoutMs ?? 5000;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}

function unary(handler: GrpcUnaryHandler, logger: Logger, authorize?: GrpcAuthorize): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort());
    const run = async (): Promise<Buffer | undefined> => {
      const context: GrpcCallContext = { metadata: call.metadata, signal: controller.signal, peer: call.getPeer() };
      if (authorize) {
        const access = await authorize(call.metadata);
        if (!access.ok) {
          logger.info({ method: call.getPath(), code: access.code, reason: access.message }, 'gRPC call refused');
          callback({ code: access.code, details: access.message });
          return undefined;
        }
        if (access.tenant !== undefined) context.tenant = access.tenant;
      }
      return handler(call.request, context);
    };
    run().then(
      (response) => {
        if (response !== undefined) callback(null, response);
      },
      (err: unknown) => {
        const appErr = toAppError(err);
        if (appErr.code === 'INTERNAL') logger.error({ err, method: call.getPath() }, 'gRPC call failed');
        callback({ code: GRPC_STATUS[appErr.code], details: appErr.message });
      },
    );
  };
}
