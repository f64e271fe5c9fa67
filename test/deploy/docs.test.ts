/**
 * The snippets of docs/integrations/*.md are checked: YAML, JSON and env blocks parse, Kubernetes
 * objects validate, the kustomization renders, Grafana's data sources point at the right ports,
 * and every sender configuration is turned into the request it produces (same path, query, body
 * format and protocol) and sent to a real server, whose read APIs must then show the spans.
 */
import { createRequire } from 'node:module';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, removeDir, startServerProcess, tempDir, type ServerProcess } from '../e2e/server.js';
import { portByName, portByNumber, REPO, parseYamlDocuments, renderKustomization, schemaProblems, hasSchema, type K8sObject } from './k8s.js';

const DOCS = join(REPO, 'docs/integrations');
const EXPECTED_DOCS = ['grafana.md', 'ingress-nginx.md', 'istio.md', 'jaeger-clients.md', 'knative.md', 'kubernetes.md', 'opentelemetry.md', 'osm.md'];

interface Block {
  file: string;
  lang: string;
  text: string;
}

let blocks: Block[] = [];
let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  const files = (await readdir(DOCS)).filter((f) => f.endsWith('.md')).sort();
  for (const file of files) {
    const text = await readFile(join(DOCS, file), 'utf8');
    for (const m of text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) blocks.push({ file, lang: m[1]!, text: m[2]! });
  }
  dir = await tempDir('ariadne-deploy-docs-');
  server = await startServerProcess({ dataDir: join(dir, 'data'), args: ['--storage', 'memory'] });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDir(dir);
});

const of = (file: string, lang: string) => blocks.filter((b) => b.file === file && b.lang === lang);
const yamlOf = (file: string) => of(file, 'yaml').flatMap((b) => parseYamlDocuments(b.text, file)) as any[];
const configMaps = (file: string) => yamlOf(file).filter((o) => o.kind === 'ConfigMap');

/** KEY=value lines of an env block. */
function envOf(block: Block): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of block.text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`${block.file}: not a KEY=value line: ${line}`);
    env[m[1]!] = m[2]!;
  }
  return env;
}

/**
 * The URL a sender in the cluster would use, aimed at the test server instead: same scheme, path
 * and query; the port chosen by the documented default port (port 80 is the gateway that the
 * tokenised ingress-nginx form routes to 9411).
 */
function toServer(url: string): string {
  const u = new URL(url);
  const documented = u.port === '' ? 80 : Number(u.port);
  const spec = documented === 80 ? portByName('zipkin') : portByNumber(documented);
  if (!spec) throw new Error(`${url}: port ${documented} is not one of the server's ports`);
  const port = server.ports[spec.serverKey];
  return `${u.protocol}//127.0.0.1:${port}${u.pathname}${u.search}`;
}

function newIds(): { traceId: string; spanId: string } {
  return { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
}

const nowUs = () => Date.now() * 1000;

/** A Zipkin v2 JSON body as Envoy sends it: one server span. */
function zipkinV2(service: string, ids: { traceId: string; spanId: string }): string {
  return JSON.stringify([{
    traceId: ids.traceId, id: ids.spanId, name: 'get /productpage', kind: 'SERVER', timestamp: nowUs() - 5000, duration: 1200,
    localEndpoint: { serviceName: service, ipv4: '10.0.0.7' }, tags: { 'http.method': 'GET', 'http.status_code': '200' },
  }]);
}

/** A Zipkin v1 JSON body as nginx's Zipkin tracer sends it: sr/ss annotations, binary annotations. */
function zipkinV1(service: string, ids: { traceId: string; spanId: string }): string {
  const ts = nowUs() - 5000;
  const endpoint = { serviceName: service, ipv4: '10.0.0.9', port: 80 };
  return JSON.stringify([{
    traceId: ids.traceId, id: ids.spanId, name: '/checkout', timestamp: ts, duration: 900,
    annotations: [{ timestamp: ts, value: 'sr', endpoint }, { timestamp: ts + 900, value: 'ss', endpoint }],
    binaryAnnotations: [{ key: 'http.method', value: 'GET', endpoint }, { key: 'http.status_code', value: '200', endpoint }],
  }]);
}

async function post(url: string, body: string): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  return res.status;
}

/** The trace through the Zipkin v2 read API, once it has a span of `service`. */
async function zipkinTrace(traceId: string, service: string): Promise<any[]> {
  return eventually(async () => {
    const res = await getJson(`${server.zipkin}/api/v2/trace/${traceId}`);
    return res.status === 200 && res.body.some((s: any) => s.localEndpoint?.serviceName === service) ? res.body : undefined;
  }, 10_000);
}

/** The trace through the Jaeger read API, once it has a span. */
async function jaegerTrace(traceId: string): Promise<any> {
  return eventually(async () => {
    const res = await getJson(`${server.query}/api/traces/${traceId}`);
    return res.status === 200 && res.body.data?.[0]?.spans.length > 0 ? res.body.data[0] : undefined;
  }, 10_000);
}

describe('docs/integrations snippets parse', () => {
  it('every integration page exists', () => {
    expect([...new Set(blocks.map((b) => b.file))].sort()).toEqual(EXPECTED_DOCS);
  });

  it('every YAML block parses, and every Kubernetes object in them validates', () => {
    const yamlBlocks = blocks.filter((b) => b.lang === 'yaml');
    expect(yamlBlocks.length).toBeGreaterThan(10);
    const objects = yamlBlocks.flatMap((b) => parseYamlDocuments(b.text, b.file)) as K8sObject[];
    const known = objects.filter((o) => hasSchema(o));
    expect(known.length).toBeGreaterThanOrEqual(5);
    expect(known.flatMap(schemaProblems)).toEqual([]);
  });

  it('every JSON block and every env block parses', () => {
    for (const b of blocks.filter((x) => x.lang === 'json')) JSON.parse(b.text);
    const envBlocks = blocks.filter((b) => b.lang === 'env');
    expect(envBlocks.length).toBeGreaterThanOrEqual(5);
    for (const b of envBlocks) expect(Object.keys(envOf(b)).length).toBeGreaterThan(0);
  });

  it('only fenced languages the tests understand are used', () => {
    expect([...new Set(blocks.map((b) => b.lang))].sort()).toEqual(['env', 'sh', 'yaml']);
  });
});

describe('kubernetes.md', () => {
  it('its kustomization renders the base into the namespace with the pushed image', async () => {
    const [kustomization] = yamlOf('kubernetes.md').filter((o) => o.kind === 'Kustomization');
    // The snippet sits beside a copy of deploy/: aim its resources at this repository's.
    const root = join(dir, 'kustomize');
    kustomization.resources = kustomization.resources.map((r: string) => relative(root, join(REPO, r)));
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'kustomization.yaml'), JSON.stringify(kustomization));
    const objects = await renderKustomization(root);
    expect([...new Set(objects.map((o) => o.metadata.namespace))]).toEqual(['observability']);
    const images = objects.filter((o) => o.kind === 'Deployment').map((o) => o.spec.template.spec.containers[0].image);
    expect(images).toEqual(['registry.example.com/ariadne:0.1.0']);
  });
});

describe('sender configurations, sent to a real server', () => {
  it('istio: the mesh-wide Zipkin address and the Telemetry API provider reach /api/v2/spans', async () => {
    const operators = yamlOf('istio.md').filter((o) => o.kind === 'IstioOperator');
    const address = operators[0].spec.meshConfig.defaultConfig.tracing.zipkin.address as string;
    const provider = operators[1].spec.meshConfig.extensionProviders[0].zipkin;
    expect(operators[0].spec.meshConfig.defaultConfig.tracing.sampling).toBe(100);
    const telemetry = yamlOf('istio.md').find((o) => o.kind === 'Telemetry');
    expect(telemetry.spec.tracing[0].providers[0].name).toBe(operators[1].spec.meshConfig.extensionProviders[0].name);
    for (const [service, url] of [['istio-mesh', `http://${address}/api/v2/spans`], ['istio-telemetry', `http://${provider.service}:${provider.port}/api/v2/spans`]]) {
      expect(new URL(url!).port).toBe(String(portByName('zipkin').port));
      const ids = newIds();
      expect(await post(toServer(url!), zipkinV2(service!, ids))).toBe(202);
      expect((await zipkinTrace(ids.traceId, service!)).map((s) => s.id)).toEqual([ids.spanId]);
    }
  });

  it('osm: the kubectl patch and the MeshConfig give the same URL, and spans posted there are read back', async () => {
    const [patchBlock] = of('osm.md', 'sh');
    const patch = JSON.parse(/-p '([^']+)'/.exec(patchBlock!.text)![1]!);
    const tracing = patch.spec.observability.tracing;
    const meshConfig = yamlOf('osm.md').find((o) => o.kind === 'MeshConfig');
    expect(meshConfig.spec.observability.tracing).toEqual(tracing);
    expect({ enable: tracing.enable, port: tracing.port, endpoint: tracing.endpoint })
      .toEqual({ enable: true, port: portByName('zipkin').port, endpoint: '/api/v2/spans' });
    const ids = newIds();
    expect(await post(toServer(`http://${tracing.address}:${tracing.port}${tracing.endpoint}`), zipkinV2('osm-bookstore', ids))).toBe(202);
    expect((await zipkinTrace(ids.traceId, 'osm-bookstore')).length).toBe(1);
  });

  it('knative: config-tracing\'s zipkin-endpoint takes Zipkin JSON, config-observability\'s tracing-endpoint OTLP', async () => {
    const [tracing, observability] = configMaps('knative.md');
    expect([tracing.metadata.name, tracing.data.backend, Number(tracing.data['sample-rate'])]).toEqual(['config-tracing', 'zipkin', 0.1]);
    const ids = newIds();
    expect(await post(toServer(tracing.data['zipkin-endpoint']), zipkinV2('knative-activator', ids))).toBe(202);
    expect((await zipkinTrace(ids.traceId, 'knative-activator')).length).toBe(1);

    expect(observability.data['tracing-protocol']).toBe('http/protobuf');
    const traceId = await exportOneSpan(new HttpProtoExporter({ url: toServer(observability.data['tracing-endpoint']) }), 'knative-queue-proxy');
    expect((await jaegerTrace(traceId)).processes.p1.serviceName).toBe('knative-queue-proxy');
  });

  it('ingress-nginx: the Zipkin tracer\'s URL, plain and tokenised, takes Zipkin v1 JSON', async () => {
    const [plain, tokenised, otel] = configMaps('ingress-nginx.md');
    for (const [cm, service] of [[plain, 'ingress-nginx'], [tokenised, 'edge']] as const) {
      expect(cm.data['enable-opentracing']).toBe('true');
      expect(cm.data['zipkin-service-name']).toBe(service);
      // The tracer's own URL pattern, with its default port when none is set.
      const url = `http://${cm.data['zipkin-collector-host']}:${cm.data['zipkin-collector-port'] ?? '9411'}/api/v1/spans`;
      const ids = newIds();
      expect(await post(toServer(url), zipkinV1(service, ids))).toBe(202);
      const spans = await zipkinTrace(ids.traceId, service);
      expect(spans.map((s) => [s.id, s.kind, s.duration])).toEqual([[ids.spanId, 'SERVER', 900]]);
    }
    const tokenUrl = new URL(`http://${tokenised.data['zipkin-collector-host']}:9411/api/v1/spans`);
    expect([tokenUrl.port, tokenUrl.pathname, tokenUrl.search]).toEqual(['', '/team-a/api/v1/spans', '?:9411/api/v1/spans']);

    expect([otel.data['enable-opentelemetry'], Number(otel.data['otlp-collector-port'])]).toEqual(['true', portByName('otlp-grpc').port]);
    const endpoint = toServer(`http://${otel.data['otlp-collector-host']}:${otel.data['otlp-collector-port']}`);
    const traceId = await exportOneSpan(new GrpcExporter({ url: endpoint }), otel.data['otel-service-name']);
    expect((await jaegerTrace(traceId)).processes.p1.serviceName).toBe('ingress-nginx');
  });

  it('jaeger clients: JAEGER_ENDPOINT takes a real client\'s Thrift batches, the sampling manager answers', async () => {
    const env = envOf(of('jaeger-clients.md', 'env')[0]!);
    const { initTracer } = createRequire(import.meta.url)('jaeger-client') as {
      initTracer(config: Record<string, unknown>, options: Record<string, unknown>): any;
    };
    const tracer = initTracer(
      // JAEGER_ENDPOINT is the client's collectorEndpoint; const sampling so the one span is kept.
      { serviceName: env.JAEGER_SERVICE_NAME, sampler: { type: 'const', param: 1 }, reporter: { collectorEndpoint: toServer(env.JAEGER_ENDPOINT!), flushIntervalMs: 20 } },
      { logger: { info() {}, error() {} } },
    );
    const span = tracer.startSpan('GET /cart');
    span.finish();
    await new Promise<void>((resolve) => tracer.close(resolve));
    const trace = await jaegerTrace(span.context().traceIdStr.padStart(32, '0'));
    expect(trace.processes.p1.serviceName).toBe('checkout');

    const sampling = await getJson(`${toServer(`http://${env.JAEGER_SAMPLER_MANAGER_HOST_PORT}`)}sampling?service=checkout`);
    expect([sampling.status, sampling.body.strategyType]).toEqual([200, 'PROBABILISTIC']);
    const agentEnv = yamlOf('jaeger-clients.md')[0].env as any[];
    expect(agentEnv.find((e) => e.name === 'JAEGER_AGENT_PORT').value).toBe(String(portByName('jaeger-compact').port));
  });

  it.each([0, 1, 2])('opentelemetry: env block %i configures a real SDK exporter that the server accepts', async (index) => {
    const block = of('opentelemetry.md', 'env').filter((b) => /OTLP_(TRACES_)?ENDPOINT/.test(b.text))[index]!;
    const env = envOf(block);
    const saved = { ...process.env };
    try {
      for (const [k, v] of Object.entries(env)) process.env[k] = /ENDPOINT$/.test(k) ? toServer(v).replace(/\/$/, '') : v;
      const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
      const exporter = protocol === 'grpc' ? new GrpcExporter() : protocol === 'http/json' ? new HttpJsonExporter() : new HttpProtoExporter();
      const resource = detectResources({ detectors: [envDetector] });
      const traceId = await exportOneSpan(exporter, undefined, resource);
      expect((await jaegerTrace(traceId)).processes.p1.serviceName).toBe(env.OTEL_SERVICE_NAME);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});

describe('probes of the manifests', () => {
  it('the base Deployment\'s probe paths answer 200 on a running server\'s admin port', async () => {
    const objects = await renderKustomization(join(REPO, 'deploy/kubernetes/base'));
    const container = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
    const paths = ['startupProbe', 'livenessProbe', 'readinessProbe'].map((p) => container[p].httpGet.path as string);
    const statuses = await Promise.all(paths.map(async (path) => (await getJson(`${server.admin}${path}`)).status));
    expect(paths.map((p, i) => [p, statuses[i]])).toEqual([['/health', 200], ['/health', 200], ['/ready', 200]]);
  });
});

describe('grafana.md', () => {
  it('provisions a Jaeger data source on the query port and a Zipkin one on the Zipkin port, and both answer Grafana\'s requests', async () => {
    const [file] = yamlOf('grafana.md');
    const sources = (file.datasources as any[]).map((d) => ({ type: d.type, port: Number(new URL(d.url).port), access: d.access }));
    expect(sources).toEqual([
      { type: 'jaeger', port: portByName('query').port, access: 'proxy' },
      { type: 'zipkin', port: portByName('zipkin').port, access: 'proxy' },
    ]);
    const ids = newIds();
    expect(await post(`${server.zipkin}/api/v2/spans`, zipkinV2('grafana-check', ids))).toBe(202);
    await zipkinTrace(ids.traceId, 'grafana-check');
    const [jaeger, zipkin] = (file.datasources as any[]).map((d) => toServer(d.url).replace(/\/$/, ''));
    const services = await getJson(`${jaeger}/api/services`);
    expect(services.body.data).toContain('grafana-check');
    expect((await getJson(`${jaeger}/api/traces/${ids.traceId}`)).body.data[0].spans.length).toBe(1);
    expect((await getJson(`${zipkin}/api/v2/services`)).body).toContain('grafana-check');
    expect((await getJson(`${zipkin}/api/v2/trace/${ids.traceId}`)).body.length).toBe(1);
  });
});

/** Exports one span through a real OpenTelemetry SDK pipeline; resolves with its trace id. */
async function exportOneSpan(exporter: SpanExporter, service?: string, resource?: ReturnType<typeof detectResources>): Promise<string> {
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const provider = new BasicTracerProvider({
    resource: resource ?? resourceFromAttributes({ 'service.name': service ?? 'unnamed' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const span = provider.getTracer('deploy-docs').startSpan('GET /checkout');
  const traceId = span.spanContext().traceId;
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
  return traceId;
}
