/**
 * Pure helpers of the Ingest page: receiver formats as people name them (with the port they
 * arrive on by default), relative times of ISO timestamps, clock offsets and their warning, and
 * refused-body samples cut to a readable length.
 */
import { formatDuration } from './format.js';

/** A receiver format's human name and the default port(s) it arrives on. */
export interface ReceiverName {
  name: string;
  /** ":9411", ":6831/udp", ":4317 gRPC, :4318 HTTP"; empty for a format this UI does not know. */
  port: string;
}

const RECEIVERS: Record<string, ReceiverName> = {
  'zipkin-v2-json': { name: 'Zipkin v2 JSON', port: ':9411' },
  'zipkin-v2-proto': { name: 'Zipkin v2 Protobuf', port: ':9411' },
  'zipkin-v1-json': { name: 'Zipkin v1 JSON', port: ':9411' },
  'zipkin-v1-thrift': { name: 'Zipkin v1 Thrift', port: ':9411' },
  'jaeger-thrift-binary': { name: 'Jaeger Thrift over HTTP', port: ':14268' },
  'jaeger-proto': { name: 'Jaeger gRPC', port: ':14250' },
  'jaeger-agent-compact': { name: 'Jaeger agent, compact Thrift', port: ':6831/udp' },
  'jaeger-agent-binary': { name: 'Jaeger agent, binary Thrift', port: ':6832/udp' },
  'otlp-proto': { name: 'OTLP Protobuf', port: ':4317 gRPC, :4318 HTTP' },
  'otlp-json': { name: 'OTLP JSON', port: ':4318' },
};

/** A bound receiver port, as GET /api/ariadne/ingest reports it. */
export interface ListenerPort {
  port: number;
  transport: 'http' | 'grpc' | 'udp';
  formats: readonly string[];
}

/**
 * The human name of a receiver format and the port(s) it arrives on: the ports the server reports
 * it bound when given, else the default ones; an unknown format is named as sent.
 */
export function receiverName(format: string, listeners: readonly ListenerPort[] = []): ReceiverName {
  const known = RECEIVERS[format] ?? { name: format, port: '' };
  const bound = listeners.filter((l) => l.formats.includes(format));
  if (bound.length === 0) return known;
  const port = bound
    .map((l) => `:${l.port}${l.transport === 'udp' ? '/udp' : bound.length > 1 ? (l.transport === 'grpc' ? ' gRPC' : ' HTTP') : ''}`)
    .join(', ');
  return { name: known.name, port };
}

/** "Zipkin v2 JSON · :9411"; an unknown format alone. */
export function receiverLabel(format: string, listeners: readonly ListenerPort[] = []): string {
  const { name, port } = receiverName(format, listeners);
  return port === '' ? name : `${name} · ${port}`;
}

/**
 * How long ago an ISO timestamp was, from nowMs: "just now" (under 10 s, or in the future by
 * under 10 s), "42s ago", "5m ago", "3h ago", "2d ago"; "never" when absent; "in 2m" when ahead.
 */
export function formatSince(iso: string | undefined, nowMs: number): string {
  if (iso === undefined) return 'never';
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return 'never';
  const s = Math.floor((nowMs - at) / 1000);
  if (s < -10) return `in ${unit(-s)}`;
  if (s < 10) return 'just now';
  return `${unit(s)} ago`;
}

function unit(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Offsets beyond this (either way) get a warning mark: more than batching explains. */
export const CLOCK_WARN_MS = 5000;

/** Clock offset of one source (arrival time minus span end, ms), as the ingest API reports it. */
export interface ClockOffset {
  min: number;
  max: number;
  last: number;
}

/** What a source's latest clock offset means, for display. */
export interface ClockReading {
  /** The latest offset, signed: "+120ms", "-7.5s". */
  text: string;
  /** Seen range when it differs from the latest: "-20ms … +1.2s"; else empty. */
  range: string;
  /** Set when |latest| > CLOCK_WARN_MS: what it likely means. */
  warning?: string;
}

function signed(ms: number): string {
  return `${ms > 0 ? '+' : ms < 0 ? '-' : ''}${formatDuration(Math.abs(ms) * 1000)}`;
}

/**
 * Reads a clock offset: positive means spans arrive after they end (queued reports or a sender
 * clock behind this server's), negative means they end in this server's future (sender clock ahead).
 */
export function readClockOffset(offset: ClockOffset): ClockReading {
  const text = signed(offset.last);
  const range = offset.min === offset.max ? '' : `${signed(offset.min)} … ${signed(offset.max)}`;
  if (offset.last > CLOCK_WARN_MS) {
    return { text, range, warning: `Spans arrive ${formatDuration(offset.last * 1000)} after they end: the sender's clock is behind this server's, or its reports are queued. Traces may look older than they are; widen the search's time range.` };
  }
  if (offset.last < -CLOCK_WARN_MS) {
    return { text, range, warning: `Spans end ${formatDuration(-offset.last * 1000)} in this server's future: the sender's clock is ahead. Recent searches may miss them; fix the sender's clock (NTP).` };
  }
  return { text, range };
}

/** Characters of a refused-body sample shown before "show all". */
export const SAMPLE_PREVIEW_CHARS = 120;

/** A refused body's sample, split for display. */
export interface SampleView {
  /** "text" or "base64" (bytes that are not printable text). */
  encoding: 'text' | 'base64';
  /** The whole sample, without the "base64:" prefix. */
  full: string;
  /** The first `limit` characters (all of it when short). */
  preview: string;
  truncated: boolean;
}

/** Splits a sample for display; the server prefixes unprintable bodies with "base64:". */
export function sampleView(sample: string, limit = SAMPLE_PREVIEW_CHARS): SampleView {
  const base64 = sample.startsWith('base64:');
  const full = base64 ? sample.slice('base64:'.length) : sample;
  const chars = Array.from(full);
  const truncated = chars.length > limit;
  return { encoding: base64 ? 'base64' : 'text', full, preview: truncated ? chars.slice(0, limit).join('') : full, truncated };
}
