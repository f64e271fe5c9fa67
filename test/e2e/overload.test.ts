/**
 * Overload on loopback for 30 s (bench/overload.ts): senders offer 5× the rate the server was
 * measured to sustain, with --memory.max 300MiB. The process stays alive, its RSS (from
 * /proc/<pid>/status) stays under the budget, some requests are refused with 429/503, and every
 * span that got a 2xx reads back.
 */
import { describe, expect, it } from 'vitest';
import { formatOverload, runOverload } from '../../bench/overload.js';

const BUDGET = '300MiB';

describe('overload', () => {
  it(`stays alive and under --memory.max ${BUDGET} at 5× the sustained rate, losing no acknowledged span`, async () => {
    const report = await runOverload({ measureMs: 3000, overloadMs: 30_000, factor: 5, memoryMax: BUDGET, senders: 128, spansPerRequest: 200 });
    // The figures, for the log of the run.
    process.stdout.write(`${formatOverload(report)}\n`);
    const refused = (report.answers['429'] ?? 0) + (report.answers['503'] ?? 0);
    expect({
      alive: report.alive,
      underBudget: report.peakRssBytes < report.budgetBytes && report.kernelPeakRssBytes < report.budgetBytes,
      someRefused: refused > 0,
      someAccepted: report.acceptedSpans > 0,
      missingSpans: report.missingSpans,
    }).toEqual({ alive: true, underBudget: true, someRefused: true, someAccepted: true, missingSpans: 0 });
  }, 180_000);
});
