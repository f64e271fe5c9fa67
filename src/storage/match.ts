/** Trace-search predicate shared by every engine that filters spans in code. */
import type { Attributes, Span } from '../model/index.js';
import type { AttributeFilter, TraceQuery } from './api.js';

/**
 * True when this one span satisfies every condition of `query` (tenant, service, operation, kind,
 * remote service, each attribute, duration and start bounds), as TraceQuery's contract defines.
 */
export function spanMatches(span: Span, query: TraceQuery): boolean {
  if (query.tenant !== undefined && span.tenant !== query.tenant) return false;
  if (span.startUs < query.startUsMin || span.startUs > query.startUsMax) return false;
  if (query.service !== undefined && span.service !== query.service) return false;
  if (query.operation !== undefined && span.name !== query.operation) return false;
  if (query.spanKind !== undefined && span.kind !== query.spanKind) return false;
  if (query.remoteService !== undefined && span.remoteEndpoint?.serviceName !== query.remoteService) return false;
  if (query.statusCode !== undefined && span.statusCode !== query.statusCode) return false;
  if (query.minDurationUs !== undefined && span.durationUs < query.minDurationUs) return false;
  if (query.maxDurationUs !== undefined && span.durationUs > query.maxDurationUs) return false;
  if (query.attributes !== undefined) {
    for (const filter of query.attributes) {
      if (!attributeMatches(span, filter)) return false;
    }
  }
  return true;
}

/** True when the span (or its resource) carries the attribute, or, key-only, an event of that name. */
export function attributeMatches(span: Span, filter: AttributeFilter): boolean {
  if (filter.value === undefined) {
    return (
      Object.hasOwn(span.attributes, filter.key) ||
      Object.hasOwn(span.resource, filter.key) ||
      span.events.some((event) => event.name === filter.key)
    );
  }
  return valueEquals(span.attributes, filter.key, filter.value) || valueEquals(span.resource, filter.key, filter.value);
}

// Own properties only: a key such as "constructor" must not hit Object.prototype.
function valueEquals(attributes: Attributes, key: string, value: string): boolean {
  return Object.hasOwn(attributes, key) && String(attributes[key]) === value;
}
