import { describe, expect, it } from 'vitest';
import { metricSum } from './senders.js';

const METRICS = [
  '# HELP ariadne_spans_received_total Spans accepted and acknowledged',
  '# TYPE ariadne_spans_received_total counter',
  'ariadne_spans_received_total{protocol="jaeger-agent-compact"} 1200',
  'ariadne_spans_received_total{protocol="jaeger-agent-binary"} 300',
  'ariadne_spans_received_total_extra{protocol="jaeger-agent-compact"} 99',
  'ariadne_udp_dropped_total{port="40001",reason="queue_full"} 7',
  'ariadne_udp_dropped_total{port="40001",reason="invalid"} 2',
  'ariadne_udp_dropped_total{port="40002",reason="queue_full"} 5',
  'ariadne_store_buffered_spans 42',
  'ariadne_label_escapes{path="a\\"b"} 3',
].join('\n');

describe('metricSum', () => {
  const table: Array<{ name: string; metric: string; labels?: Record<string, string>; want: number }> = [
    { name: 'one labelled sample', metric: 'ariadne_spans_received_total', labels: { protocol: 'jaeger-agent-compact' }, want: 1200 },
    { name: 'all samples of a name, not of a longer name', metric: 'ariadne_spans_received_total', want: 1500 },
    { name: 'label subset: one port, every reason', metric: 'ariadne_udp_dropped_total', labels: { port: '40001' }, want: 9 },
    { name: 'two labels', metric: 'ariadne_udp_dropped_total', labels: { port: '40002', reason: 'queue_full' }, want: 5 },
    { name: 'no match is 0', metric: 'ariadne_udp_dropped_total', labels: { port: '1' }, want: 0 },
    { name: 'unlabelled sample', metric: 'ariadne_store_buffered_spans', want: 42 },
    { name: 'unlabelled sample refused by a label filter', metric: 'ariadne_store_buffered_spans', labels: { a: 'b' }, want: 0 },
    { name: 'escaped quote in a label value', metric: 'ariadne_label_escapes', labels: { path: 'a"b' }, want: 3 },
    { name: 'absent metric', metric: 'nope', want: 0 },
  ];
  for (const t of table) it(t.name, () => expect(metricSum(METRICS, t.metric, t.labels)).toBe(t.want));
});

