/**
 * One big trace for UI benchmarks, as Zipkin v2 JSON bodies: the workload's 20 services, 200
 * operations and 8 tags per span, in a tree where each span calls 1–6 others (so depth grows like
 * a real fan-out) until the span count is reached; children sit inside their parent in time.
 * Deterministic for a seed.
 */
import { Prng, WORKLOAD_SERVICES } from '../workload.js';

/** The trace: its id, its root span's id and request bodies of at most `perBody` spans. */
export interface BigTrace {
  traceId: string;
  rootSpanId: string;
  spanCount: number;
  bodies: Buffer[];
}

/** Generates a trace of `spans` spans ending before `endUs`. */
export function bigTrace(options: { spans: number; seed: number; endUs: number; perBody?: number }): BigTrace {
  const rng = new Prng(options.seed);
  const hex = (chars: number) => {
    let s = '';
    while (s.length < chars) s += rng.nextUint32().toString(16).padStart(8, '0');
    return s.slice(0, chars);
  };
  const traceId = hex(32);
  const rootDurationUs = 30_000_000;
  interface Node { id: string; parentId?: string; service: number; startUs: number; durationUs: number }
  const nodes: Node[] = [{ id: hex(16), service: 0, startUs: options.endUs - rootDurationUs - 1_000_000, durationUs: rootDurationUs }];
  for (let i = 0; nodes.length < options.spans; i++) {
    const parent = nodes[i]!;
    const kids = rng.int(1, 6);
    for (let k = 0; k < kids && nodes.length < options.spans; k++) {
      const offset = Math.floor(rng.next() * parent.durationUs * 0.5);
      const durationUs = Math.max(1, Math.floor((parent.durationUs - offset) * (0.2 + 0.7 * rng.next())));
      nodes.push({ id: hex(16), parentId: parent.id, service: rng.int(0, WORKLOAD_SERVICES.length - 1), startUs: parent.startUs + offset, durationUs });
    }
  }
  const perBody = options.perBody ?? 1000;
  const bodies: Buffer[] = [];
  for (let from = 0; from < nodes.length; from += perBody) {
    const spans = nodes.slice(from, from + perBody).map((n) => {
      const service = WORKLOAD_SERVICES[n.service]!;
      const name = rng.pick(service.operations);
      const status = rng.next() < 0.02 ? '500' : rng.next() < 0.05 ? '404' : '200';
      const tags: Record<string, string> = {
        'http.method': name.split(' ')[0]!,
        'http.status_code': status,
        'http.url': `http://${service.name}:8080${name.split(' ')[1]}?q=${hex(8)}`,
        component: 'http',
        'peer.service': rng.pick(WORKLOAD_SERVICES).name,
        region: rng.pick(['eu-west-1', 'us-east-1', 'ap-south-1']),
        'host.name': `${service.name}-${rng.int(1, 5)}`,
        'user.id': `user-${rng.int(1, 100_000)}`,
      };
      if (status === '500') tags.error = 'true';
      return {
        traceId, id: n.id, ...(n.parentId ? { parentId: n.parentId } : {}), kind: 'SERVER', name,
        timestamp: n.startUs, duration: n.durationUs,
        localEndpoint: { serviceName: service.name, ipv4: `10.0.${n.service}.1` }, tags,
      };
    });
    bodies.push(Buffer.from(JSON.stringify(spans)));
  }
  return { traceId, rootSpanId: nodes[0]!.id, spanCount: nodes.length, bodies };
}
