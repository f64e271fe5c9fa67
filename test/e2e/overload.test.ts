/**
 * Overload on loopback for 30 s (bench/overload.ts): senders offer 5× the rate the server was
 * measured to sustain, with --memory.max 512MiB. The process stays alive, its RSS (from
 * /proc/<pid>/status) stays under the budget, some requests are refused with 429/503 while the
 * server keeps accepting at least a quarter of its sustained rate (shedding the excess, not
 * everything), and every span that got a 2xx reads back.
 */
import { describe, expect, it } from 'vitest';
import { formatOverload, runOverload } from '../../bench/overload.js';

const BUDGET = '512MiB';

describe('overload', () => {
  it(`stays alive and under --memory.max ${BUDGET} at 5× the sustained rate, still accepting, losing no acknowledged span`, async () => {
    const report = await runOverload({ measureMs: 3000, overloadMs: 30_000, factor: 5, memoryMax: BUDGET, senders: 128, spansPerRequest: 200 });
    // The figures, for the log of the run.
    process.stdout.write(`${formatOverload(report)}\n`);
    const refused = (report.answers['429'] ?? 0) + (report.answers['503'] ?? 0);
    expect({
      alive: report.alive,
      underBudget: report.peakRssBytes < report.budgetBytes && report.kernelPeakRssBytes < report.budgetBytes,
      someRefused: refused > 0,
      keepsAccepting: report.acceptedSpansPerSec >= report.sustainedSpansPerSec / 4,
      missingSpans: report.missingSpans,
    }).toEqual({ alive: true, underBudget: true, someRefused: true, keepsAccepting: true, missingSpans: 0 });
  }, 180_000);
});
