import { describe, expect, it } from 'vitest';
import { formatSince, readClockOffset, receiverLabel, receiverName, sampleView } from './ingest.js';

describe('receiverName / receiverLabel', () => {
  it.each([
    ['zipkin-v2-json', 'Zipkin v2 JSON · :9411'],
    ['zipkin-v1-thrift', 'Zipkin v1 Thrift · :9411'],
    ['jaeger-thrift-binary', 'Jaeger Thrift over HTTP · :14268'],
    ['jaeger-proto', 'Jaeger gRPC · :14250'],
    ['jaeger-agent-compact', 'Jaeger agent, compact Thrift · :6831/udp'],
    ['jaeger-agent-binary', 'Jaeger agent, binary Thrift · :6832/udp'],
    ['otlp-proto', 'OTLP Protobuf · :4317 gRPC, :4318 HTTP'],
    ['otlp-json', 'OTLP JSON · :4318'],
    ['some-new-format', 'some-new-format'],
  ] as const)('%s → %s', (format, label) => expect(receiverLabel(format)).toBe(label));

  it('names an unknown format as sent, without a port', () => {
    expect(receiverName('x')).toEqual({ name: 'x', port: '' });
  });

  const bound = [
    { port: 19411, transport: 'http', formats: ['zipkin-v2-json', 'zipkin-v1-json'] },
    { port: 14317, transport: 'grpc', formats: ['otlp-proto'] },
    { port: 14318, transport: 'http', formats: ['otlp-proto', 'otlp-json'] },
    { port: 16831, transport: 'udp', formats: ['jaeger-agent-compact'] },
  ] as const;
  it.each([
    ['zipkin-v2-json', 'Zipkin v2 JSON · :19411'],
    ['otlp-proto', 'OTLP Protobuf · :14317 gRPC, :14318 HTTP'],
    ['otlp-json', 'OTLP JSON · :14318'],
    ['jaeger-agent-compact', 'Jaeger agent, compact Thrift · :16831/udp'],
    ['jaeger-proto', 'Jaeger gRPC · :14250'],
  ] as const)('with the ports the server bound: %s → %s', (format, label) => expect(receiverLabel(format, bound)).toBe(label));
});

describe('formatSince', () => {
  const now = Date.parse('2026-01-01T12:00:00.000Z');
  it.each([
    ['absent', undefined, 'never'],
    ['unparseable', 'yesterday', 'never'],
    ['3 s ago', '2026-01-01T11:59:57.000Z', 'just now'],
    ['5 s ahead', '2026-01-01T12:00:05.000Z', 'just now'],
    ['42 s ago', '2026-01-01T11:59:18.000Z', '42s ago'],
    ['5 min ago', '2026-01-01T11:55:00.000Z', '5m ago'],
    ['3 h ago', '2026-01-01T09:00:00.000Z', '3h ago'],
    ['2 days ago', '2025-12-30T12:00:00.000Z', '2d ago'],
    ['2 min ahead', '2026-01-01T12:02:00.000Z', 'in 2m'],
  ] as const)('%s → %s', (_name, iso, text) => expect(formatSince(iso, now)).toBe(text));
});

describe('readClockOffset', () => {
  it('shows a small steady offset without a warning or range', () => {
    expect(readClockOffset({ min: 120, max: 120, last: 120 })).toEqual({ text: '+120ms', range: '' });
  });
  it('shows the seen range when it varies', () => {
    expect(readClockOffset({ min: -20, max: 1200, last: 0 })).toEqual({ text: '0µs', range: '-20ms … +1.2s' });
  });
  it('warns when the latest offset is beyond 5 s behind', () => {
    const r = readClockOffset({ min: 7500, max: 7500, last: 7500 });
    expect(r.text).toBe('+7.5s');
    expect(r.warning).toBe("Spans arrive 7.5s after they end: the sender's clock is behind this server's, or its reports are queued. Traces may look older than they are; widen the search's time range.");
  });
  it('warns when the sender clock is more than 5 s ahead', () => {
    const r = readClockOffset({ min: -125_000, max: -125_000, last: -125_000 });
    expect(r.text).toBe('-2m 5s');
    expect(r.warning).toBe("Spans end 2m 5s in this server's future: the sender's clock is ahead. Recent searches may miss them; fix the sender's clock (NTP).");
  });
  it.each([[5000], [-5000]] as const)('does not warn at exactly %i ms', (ms) => {
    expect(readClockOffset({ min: ms, max: ms, last: ms }).warning).toBeUndefined();
  });
});

describe('sampleView', () => {
  it('keeps a short text sample whole', () => {
    expect(sampleView('{"a":1}')).toEqual({ encoding: 'text', full: '{"a":1}', preview: '{"a":1}', truncated: false });
  });
  it('cuts a long sample at the limit, by characters', () => {
    expect(sampleView('ééééé', 3)).toEqual({ encoding: 'text', full: 'ééééé', preview: 'ééé', truncated: true });
  });
  it('strips the base64 prefix and says so', () => {
    expect(sampleView('base64:AAEC', 10)).toEqual({ encoding: 'base64', full: 'AAEC', preview: 'AAEC', truncated: false });
  });
});
