import { describe, expect, it } from 'vitest';
import type { TraceSummary } from '../../storage/api.js';
import type { TraceSummaryJson } from './summary-json.js';
import { toTraceSummaryJson } from './summary-json.js';

describe('toTraceSummaryJson', () => {
  const cases: Array<[string, TraceSummary, TraceSummaryJson]> = [
    [
      'every field, services sorted, zero counts omitted',
      {
        traceId: '0000000000000000463ac35c9f6413ad', rootService: 'frontend', rootOperation: 'GET /', startUs: 1_700_000_000_000_000,
        endUs: 1_700_000_000_002_500, spanCount: 3, errorCount: 1, orphanCount: 0,
        services: [{ name: 'zeta', spanCount: 1, errorCount: 1 }, { name: 'frontend', spanCount: 2, errorCount: 0 }],
      },
      {
        traceId: '0000000000000000463ac35c9f6413ad', rootServiceName: 'frontend', rootOperationName: 'GET /',
        minStartTimeUnixNano: '1700000000000000000', maxEndTimeUnixNano: '1700000000002500000', spanCount: 3, errorSpanCount: 1,
        services: [{ name: 'frontend', spanCount: 2 }, { name: 'zeta', spanCount: 1, errorSpanCount: 1 }],
      },
    ],
    [
      'no root, orphans, empty operation name omitted',
      {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736', rootService: 'a', rootOperation: '', startUs: 5, endUs: 5, spanCount: 1, errorCount: 0,
        orphanCount: 1, services: [{ name: 'a', spanCount: 1, errorCount: 0 }],
      },
      {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736', rootServiceName: 'a', minStartTimeUnixNano: '5000', maxEndTimeUnixNano: '5000',
        spanCount: 1, orphanSpanCount: 1, services: [{ name: 'a', spanCount: 1 }],
      },
    ],
  ];
  it.each(cases)('%s', (_name, summary, expected) => {
    expect(toTraceSummaryJson(summary)).toEqual(expected);
  });
});
