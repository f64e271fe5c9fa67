/**
 * The synthetic workload every system benchmark sends, so figures from different runs compare:
 * 20 services, 200 operation names, traces of 5–50 spans (about 27 on average) in which each
 * client span usually has a server child in the called service, 8–9 string tags per span, log-normal
 * durations, start times spread over a window ending at a given instant, sent as Zipkin v2 JSON
 * arrays (https://zipkin.io/zipkin-api/#/default/post_spans) of a fixed number of spans.
 * Everything derives from one seeded PRNG: the same options give the same bytes.
 */

/** How the workload is shaped. */
export interface WorkloadOptions {
  /** Total spans to produce (the last batch may be shorter). */
  spans: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Spans per request body; default 1000. */
  spansPerBatch?: number;
  /** Root start times fall in [endUs - windowUs, endUs); default one hour. */
  windowUs?: number;
  /** End of the time window in µs since the epoch; default now. Pass it for byte-identical output. */
  endUs?: number;
  /**
   * 'random' (default): every trace starts anywhere in the window, so each batch spans all of it
   * (the worst case for time pruning). 'arrival': traces start in the order they are sent, with up
   * to a minute of jitter, as spans reach a live collector.
   */
  order?: 'random' | 'arrival';
}

/** One complete trace of the workload. */
export interface TraceSummary {
  /** 32 lowercase hex chars, as sent. */
  traceId: string;
  spanCount: number;
  rootService: string;
  rootOperation: string;
  /** Index of the first and last batch holding a span of this trace (traces may straddle two). */
  firstBatch: number;
  lastBatch: number;
}

/** One request body. */
export interface WorkloadBatch {
  index: number;
  /** A Zipkin v2 JSON array, UTF-8. */
  body: Buffer;
  spanCount: number;
  /** Traces whose last span is in this batch. */
  completedTraces: TraceSummary[];
}

/** A whole workload held in memory, generated before anything is timed. */
export interface Workload {
  batches: WorkloadBatch[];
  traces: TraceSummary[];
  spanCount: number;
  bodyBytes: number;
}

/** A service of the workload, with the operations it serves. */
export interface WorkloadService {
  name: string;
  /** Operation names ("GET /carts/{id}"); the 20 services' lists together hold 200 distinct names. */
  operations: string[];
}

const SERVICE_NAMES = [
  'frontend', 'api-gateway', 'auth', 'user', 'catalog', 'search', 'recommendation', 'cart', 'checkout', 'payment',
  'shipping', 'inventory', 'pricing', 'notification', 'email', 'review', 'rating', 'ad', 'currency', 'fraud',
] as const;

const RESOURCES = [
  'pages', 'routes', 'tokens', 'users', 'products', 'queries', 'suggestions', 'carts', 'orders', 'charges',
  'shipments', 'stocks', 'prices', 'alerts', 'messages', 'reviews', 'ratings', 'ads', 'rates', 'checks',
] as const;

/** Route templates with their HTTP method and relative popularity (GET-heavy, as real traffic is). */
const ROUTES: ReadonlyArray<{ method: string; path: string; weight: number }> = [
  { method: 'GET', path: '/{r}/{id}', weight: 30 },
  { method: 'GET', path: '/{r}', weight: 20 },
  { method: 'POST', path: '/{r}', weight: 10 },
  { method: 'GET', path: '/{r}/search', weight: 10 },
  { method: 'GET', path: '/{r}/{id}/items', weight: 8 },
  { method: 'PUT', path: '/{r}/{id}', weight: 6 },
  { method: 'POST', path: '/{r}/{id}/actions', weight: 6 },
  { method: 'GET', path: '/{r}/{id}/history', weight: 4 },
  { method: 'PATCH', path: '/{r}/{id}', weight: 3 },
  { method: 'DELETE', path: '/{r}/{id}', weight: 3 },
];
const ROUTE_WEIGHT_TOTAL = ROUTES.reduce((n, r) => n + r.weight, 0);

const SERVER_COMPONENTS = ['spring-webmvc', 'express', 'net/http', 'aspnetcore', 'flask'] as const;
const CLIENT_COMPONENTS = ['okhttp', 'axios', 'net/http', 'httpclient', 'requests'] as const;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
const PODS_PER_SERVICE = 5;
/** Services that receive traffic from outside. */
const ENTRY_SERVICES = [0, 0, 0, 1, 1, 2];
const HEX = '0123456789abcdef';

/** The 20 services and their operations (fixed: independent of the seed). */
export const WORKLOAD_SERVICES: readonly WorkloadService[] = SERVICE_NAMES.map((name, i) => ({
  name,
  operations: ROUTES.map((r) => `${r.method} /${r.path.slice(1).replace('{r}', RESOURCES[i]!)}`),
}));

/**
 * A small, fast, seeded PRNG (sfc32 state seeded through splitmix32), so the workload never depends
 * on Math.random. `next()` is uniform in [0, 1).
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A uniformly chosen element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  /** A log-normal sample with the given median and shape (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    // Box–Muller; 1 - next() keeps the logarithm finite.
    const u = 1 - this.next();
    const v = this.next();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * normal);
  }

  /** `chars` random lowercase hex chars. */
  hex(chars: number): string {
    let out = '';
    while (out.length < chars) {
      let x = this.nextUint32();
      for (let i = 0; i < 8 && out.length < chars; i++) {
        out += HEX[x & 15];
        x >>>= 4;
      }
    }
    return out;
  }
}

interface Pod {
  host: string;
  ipv4: string;
  region: string;
}

interface Topology {
  /** callees[i]: indexes of the services service i calls (always higher indexes: a DAG). */
  callees: number[][];
  pods: Pod[][];
  serverComponent: string[];
  clientComponent: string[];
}

function buildTopology(rng: Prng): Topology {
  const n = WORKLOAD_SERVICES.length;
  const callees: number[][] = [];
  const pods: Pod[][] = [];
  const serverComponent: string[] = [];
  const clientComponent: string[] = [];
  const leaves = 4;
  for (let i = 0; i < n; i++) callees.push([]);
  // Every service is reachable: each one is called by an earlier, non-leaf service.
  for (let j = 1; j < n; j++) {
    const caller = rng.int(Math.max(0, j - 4), Math.min(j - 1, n - leaves - 1));
    callees[caller]!.push(j);
  }
  for (let i = 0; i < n - leaves; i++) {
    const list = callees[i]!;
    const want = rng.int(2, 4);
    while (list.length < want) {
      const c = rng.int(i + 1, n - 1);
      if (!list.includes(c)) list.push(c);
    }
    list.sort((x, y) => x - y);
  }
  for (let i = 0; i < n; i++) {
    const name = WORKLOAD_SERVICES[i]!.name;
    const deployment = rng.hex(10);
    pods.push(Array.from({ length: PODS_PER_SERVICE }, (_, p) => ({
      host: `${name}-${deployment}-${rng.hex(5)}`,
      ipv4: `10.${i + 1}.${p}.${rng.int(2, 254)}`,
      region: REGIONS[(i + p) % REGIONS.length]!,
    })));
    serverComponent.push(rng.pick(SERVER_COMPONENTS));
    clientComponent.push(rng.pick(CLIENT_COMPONENTS));
  }
  return { callees, pods, serverComponent, clientComponent };
}

/** A workload span as sent on the wire (Zipkin v2 JSON). */
export interface WireSpan {
  traceId: string;
  id: string;
  parentId?: string;
  kind: 'CLIENT' | 'SERVER';
  name: string;
  timestamp: number;
  duration: number;
  localEndpoint: { serviceName: string; ipv4: string };
  tags: Record<string, string>;
}

interface ServerSpan {
  span: WireSpan;
  service: number;
}

function pickRoute(rng: Prng): number {
  let x = rng.next() * ROUTE_WEIGHT_TOTAL;
  for (let i = 0; i < ROUTES.length; i++) {
    x -= ROUTES[i]!.weight;
    if (x < 0) return i;
  }
  return ROUTES.length - 1;
}

/** ~2 % 500 and ~5 % 404, the rest 200. */
function pickStatus(rng: Prng): string {
  const x = rng.next();
  return x < 0.02 ? '500' : x < 0.07 ? '404' : '200';
}

function makeTags(options: {
  rng: Prng; service: number; route: number; status: string; component: string; peer: string; pod: Pod; userId: string;
}): Record<string, string> {
  const { rng, service, route, status, pod } = options;
  const r = ROUTES[route]!;
  // Every URL carries a random id or query, so the tag has one value per request.
  const path = r.path.includes('{id}')
    ? r.path.replace('{r}', RESOURCES[service]!).replace('{id}', rng.hex(12))
    : `${r.path.replace('{r}', RESOURCES[service]!)}?q=${rng.hex(8)}`;
  const tags: Record<string, string> = {
    'http.method': r.method,
    'http.status_code': status,
    'http.url': `http://${SERVICE_NAMES[service]}:8080${path}`,
    component: options.component,
    'peer.service': options.peer,
    region: pod.region,
    'host.name': pod.host,
    'user.id': options.userId,
  };
  if (status === '500') tags.error = 'true';
  return tags;
}

/** Where a trace's root starts: anywhere in the window, or at its share of the way through it. */
function rootStartUs(rng: Prng, endUs: number, windowUs: number, progress: number | undefined): number {
  if (progress === undefined) return endUs - 1 - Math.floor(rng.next() * windowUs);
  const at = endUs - windowUs + Math.floor(progress * windowUs) - Math.floor(rng.next() * Math.min(60_000_000, windowUs));
  return Math.min(endUs - 1, Math.max(endUs - windowUs, at));
}

function generateTrace(rng: Prng, topology: Topology, endUs: number, windowUs: number, progress?: number): WireSpan[] {
  const target = rng.int(5, 50);
  const traceId = rng.hex(32);
  const userId = `u${rng.int(1, 50_000_000)}`;
  const spans: WireSpan[] = [];
  const rootService = rng.pick(ENTRY_SERVICES);
  const rootRoute = pickRoute(rng);
  const rootPod = rng.pick(topology.pods[rootService]!);
  const rootStatus = pickStatus(rng);
  const root: WireSpan = {
    traceId,
    id: rng.hex(16),
    kind: 'SERVER',
    name: WORKLOAD_SERVICES[rootService]!.operations[rootRoute]!,
    timestamp: rootStartUs(rng, endUs, windowUs, progress),
    duration: Math.max(1000, Math.round(rng.logNormal(60_000, 0.9))),
    localEndpoint: { serviceName: SERVICE_NAMES[rootService]!, ipv4: rootPod.ipv4 },
    tags: makeTags({
      rng, service: rootService, route: rootRoute, status: rootStatus, component: topology.serverComponent[rootService]!,
      peer: 'web', pod: rootPod, userId,
    }),
  };
  spans.push(root);
  const servers: ServerSpan[] = [{ span: root, service: rootService }];
  while (spans.length < target) {
    const callers = servers.filter((s) => topology.callees[s.service]!.length > 0);
    const parent = rng.pick(callers);
    const caller = parent.service;
    const callee = rng.pick(topology.callees[caller]!);
    const route = pickRoute(rng);
    const status = pickStatus(rng);
    const p = parent.span;
    const offset = Math.floor(rng.next() * 0.6 * p.duration);
    const room = Math.max(1, p.duration - offset);
    const duration = Math.max(1, Math.min(room, Math.round(rng.logNormal(room * 0.3, 0.7))));
    const callerPod = rng.pick(topology.pods[caller]!);
    const name = WORKLOAD_SERVICES[callee]!.operations[route]!;
    const client: WireSpan = {
      traceId,
      id: rng.hex(16),
      parentId: p.id,
      kind: 'CLIENT',
      name,
      timestamp: p.timestamp + offset,
      duration,
      localEndpoint: { serviceName: SERVICE_NAMES[caller]!, ipv4: callerPod.ipv4 },
      tags: makeTags({
        rng, service: callee, route, status, component: topology.clientComponent[caller]!,
        peer: SERVICE_NAMES[callee]!, pod: callerPod, userId,
      }),
    };
    spans.push(client);
    // Most calls land in an instrumented service (a server child); some callees report nothing,
    // which also lets traces have odd span counts.
    if (spans.length < target && rng.next() < 0.9) {
      const latency = Math.floor(rng.next() * Math.min(500, duration / 10));
      const calleePod = rng.pick(topology.pods[callee]!);
      const server: WireSpan = {
        traceId,
        id: rng.hex(16),
        parentId: client.id,
        kind: 'SERVER',
        name,
        timestamp: client.timestamp + latency,
        duration: Math.max(1, duration - 2 * latency),
        localEndpoint: { serviceName: SERVICE_NAMES[callee]!, ipv4: calleePod.ipv4 },
        tags: makeTags({
          rng, service: callee, route, status, component: topology.serverComponent[callee]!,
          peer: SERVICE_NAMES[caller]!, pod: calleePod, userId,
        }),
      };
      spans.push(server);
      servers.push({ span: server, service: callee });
    }
  }
  return spans;
}

/**
 * Yields the workload batch by batch without holding it all in memory (for runs too big to
 * pre-generate). Deterministic for given options (including endUs).
 */
export function* generateBatches(options: WorkloadOptions): Generator<WorkloadBatch> {
  const total = options.spans;
  if (!Number.isSafeInteger(total) || total < 1) throw new RangeError(`spans: expected a positive integer, got ${total}`);
  const perBatch = options.spansPerBatch ?? 1000;
  const windowUs = options.windowUs ?? 3_600_000_000;
  const endUs = options.endUs ?? Date.now() * 1000;
  const rng = new Prng(options.seed ?? 1);
  const topology = buildTopology(rng);
  let pending: WireSpan[] = [];
  let produced = 0;
  let batchIndex = 0;
  let completed: TraceSummary[] = [];
  while (produced < total) {
    let trace = generateTrace(rng, topology, endUs, windowUs, options.order === 'arrival' ? produced / total : undefined);
    if (trace.length > total - produced) trace = trace.slice(0, total - produced);
    produced += trace.length;
    const first = batchIndex + Math.floor(pending.length / perBatch);
    const last = batchIndex + Math.floor((pending.length + trace.length - 1) / perBatch);
    const root = trace[0]!;
    const summary: TraceSummary = {
      traceId: root.traceId, spanCount: trace.length, rootService: root.localEndpoint.serviceName, rootOperation: root.name,
      firstBatch: first, lastBatch: last,
    };
    pending.push(...trace);
    const ready = () => pending.length >= perBatch || (produced >= total && pending.length > 0);
    // The trace completes in batch `last`; attach it when that batch is emitted.
    const attach: TraceSummary[] = [summary];
    while (ready()) {
      const spans = pending.slice(0, perBatch);
      pending = pending.slice(perBatch);
      const carried = batchIndex === last ? [...completed, ...attach.splice(0)] : completed;
      completed = [];
      yield { index: batchIndex, body: Buffer.from(JSON.stringify(spans)), spanCount: spans.length, completedTraces: carried };
      batchIndex++;
    }
    completed.push(...attach);
  }
}

/** Generates the whole workload up front (so generation cost stays out of any timing). */
export function createWorkload(options: WorkloadOptions): Workload {
  const batches: WorkloadBatch[] = [];
  const traces: TraceSummary[] = [];
  let spanCount = 0;
  let bodyBytes = 0;
  for (const batch of generateBatches(options)) {
    batches.push(batch);
    traces.push(...batch.completedTraces);
    spanCount += batch.spanCount;
    bodyBytes += batch.body.length;
  }
  return { batches, traces, spanCount, bodyBytes };
}
