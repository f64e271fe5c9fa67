/**
 * The service performance pages' requests: each answer's shape is checked here, so a malformed
 * answer is one clear error instead of a crash in a chart.
 */
import { ApiError, getJson } from '../../api/client.js';
import { apiRangeQuery, type ChartSeries, type EndpointDetail, type Neighbour, type PageRange, type PerfRow, type ServiceDetail, type ServicesList } from '../../model/services.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function check(cond: boolean, what: string): asserts cond {
  if (!cond) throw new ApiError(200, `unexpected answer from the server: ${what}`);
}

async function getObject(url: string, signal?: AbortSignal): Promise<Json> {
  const body = await getJson(url, signal);
  check(isObject(body), `${url.split('?')[0]}: expected an object`);
  return body;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown) => v === null || isNum(v);
const numbers = (v: unknown) => Array.isArray(v) && v.every(isNum);
const numbersOrNull = (v: unknown) => Array.isArray(v) && v.every(isNumOrNull);

function checkFigures(v: Json, where: string): void {
  for (const key of ['requests', 'errors', 'errorRate', 'perMinute'] as const) check(isNum(v[key]), `${where}.${key}: expected a number`);
  for (const key of ['avgUs', 'minUs', 'maxUs', 'p50Us', 'p95Us', 'p99Us'] as const) check(isNumOrNull(v[key]), `${where}.${key}: expected a number or null`);
}

function checkRows(v: unknown, where: string): asserts v is PerfRow[] {
  check(Array.isArray(v), `${where}: expected a list`);
  v.forEach((row: unknown, i) => {
    check(isObject(row) && typeof row.name === 'string', `${where}[${i}].name: expected a string`);
    checkFigures(row, `${where}[${i}]`);
    const s = row.series;
    check(isObject(s) && numbers(s.requests) && numbers(s.errors) && numbersOrNull(s.p95Us), `${where}[${i}].series: expected requests, errors, p95Us`);
  });
}

function checkChart(v: unknown, where: string): asserts v is ChartSeries {
  check(isObject(v) && isNum(v.bucketMs) && isNum(v.firstBucketMs), `${where}: expected bucketMs and firstBucketMs`);
  check(numbers(v.requests) && numbers(v.errors), `${where}: expected requests and errors`);
  check(numbersOrNull(v.p50Us) && numbersOrNull(v.p95Us) && numbersOrNull(v.p99Us), `${where}: expected p50Us, p95Us, p99Us`);
}

function checkNeighbours(v: unknown, where: string): asserts v is Neighbour[] {
  check(Array.isArray(v) && v.every((n) => isObject(n) && typeof n.service === 'string' && isNum(n.calls) && isNum(n.errors)), `${where}: expected [{service, calls, errors}]`);
}

/** Every service with requests in the range, with figures and sparklines. */
export async function fetchServicesList(range: PageRange, signal?: AbortSignal): Promise<ServicesList> {
  const body = await getObject(`/api/ariadne/services${apiRangeQuery(range)}`, signal);
  check(isNum(body.start) && isNum(body.end) && isNum(body.bucketMs) && isNum(body.firstBucketMs), 'services: expected start, end, bucketMs, firstBucketMs');
  checkRows(body.services, 'services');
  return body as unknown as ServicesList;
}

/** One service: figures, charts, endpoints, callers and callees. */
export async function fetchServiceDetail(service: string, range: PageRange, signal?: AbortSignal): Promise<ServiceDetail> {
  const body = await getObject(`/api/ariadne/services/${encodeURIComponent(service)}${apiRangeQuery(range)}`, signal);
  check(typeof body.service === 'string' && isNum(body.start) && isNum(body.end) && isNum(body.bucketMs), 'service: expected service, start, end, bucketMs');
  checkFigures(body, 'service');
  checkChart(body.series, 'service.series');
  checkRows(body.endpoints, 'service.endpoints');
  checkNeighbours(body.upstream, 'service.upstream');
  checkNeighbours(body.downstream, 'service.downstream');
  return body as unknown as ServiceDetail;
}

/** One endpoint: figures, latency histogram, charts and the slowest requests. */
export async function fetchEndpointDetail(service: string, operation: string, range: PageRange, signal?: AbortSignal): Promise<EndpointDetail> {
  const url = `/api/ariadne/services/${encodeURIComponent(service)}/endpoints/${encodeURIComponent(operation)}${apiRangeQuery(range)}`;
  const body = await getObject(url, signal);
  check(typeof body.operation === 'string' && isNum(body.start) && isNum(body.end), 'endpoint: expected operation, start, end');
  checkFigures(body, 'endpoint');
  checkChart(body.series, 'endpoint.series');
  check(Array.isArray(body.histogram) && body.histogram.every((b) => isObject(b) && isNum(b.fromUs) && isNum(b.toUs) && isNum(b.count)), 'endpoint.histogram: expected [{fromUs, toUs, count}]');
  check(Array.isArray(body.slowest) && body.slowest.every((s) => isObject(s) && typeof s.traceId === 'string' && typeof s.spanId === 'string' &&
    isNum(s.startUs) && isNum(s.durationUs) && typeof s.status === 'string'), 'endpoint.slowest: expected [{traceId, spanId, startUs, durationUs, status}]');
  return body as unknown as EndpointDetail;
}
