// A KPI accumulator fed stored days (columns, text read on demand): which days' text a run read.
import type { CaseDay, CaseFacts } from '../../shared/domain/facts.js';
import { KpiAccumulator } from '../../shared/domain/kpi.js';
import type { Period } from '../../shared/domain/periods.js';
import type { MetricSettings } from '../../shared/domain/settings.js';
import { CaseBatch, encodeCaseBatch } from '../../shared/store/formats/case-batch.js';

/** The significant incidents of `days` read as stored days (columns, text read on demand), with the days read. */
export const fromStoredDays = (days: CaseFacts[][], period: Period, asOf: number, settings: MetricSettings) => {
  const acc = new KpiAccumulator(period, asOf, settings);
  const read = new Set<number>();
  days.forEach((cases, d) => {
    const batch = CaseBatch.decode(encodeCaseBatch(cases));
    const counted: CaseDay = {
      length: batch.length,
      columns: () => batch.columns(),
      textAt: (i) => (read.add(d), batch.textAt(i)),
    };
    acc.addCases(counted);
  });
  return { kpi: acc.result(false), read };
};
