import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SummaryAccumulator, type Summary, type SummaryOptions } from '../domain/summary.js';
import { countAlertsOnWorker } from '../sources/canonical/alert-counts.js';
import { CANONICAL_FILES, readCanonicalDir } from '../sources/canonical/input-dir.js';

/** Alerts files at least this big are counted on a second thread while the cases are read on this one. */
const PARALLEL_ALERTS_BYTES = 32 << 20;

/**
 * Read a summarize input directory — any of `cases.jsonl alerts.jsonl shifts.jsonl costs.jsonl budget.csv` — and
 * compute the summary. Cases stream through the engine one record at a time; a big alerts file is counted per local
 * day on a worker thread meanwhile (`countAlertsByDay`, exact for every period), so millions of lines need no more
 * memory than the period's figures and both cores work. Shifts, costs and the plan are small and read whole. A
 * missing file leaves its family missing (reported as such, never as zeros).
 */
export async function summarizeCanonicalDir(
  dir: string,
  opts: SummaryOptions & { parallelAlertsBytes?: number },
): Promise<Summary> {
  const present = new Set(CANONICAL_FILES.filter((f) => existsSync(join(dir, f))));
  const has = { cases: present.has('cases.jsonl'), alerts: present.has('alerts.jsonl') };
  const acc = new SummaryAccumulator(opts);
  const alertsFile = join(dir, 'alerts.jsonl');
  const parallel =
    present.has('alerts.jsonl') && statSync(alertsFile).size >= (opts.parallelAlertsBytes ?? PARALLEL_ALERTS_BYTES);
  const worker = parallel ? countAlertsOnWorker(alertsFile, { tz: opts.period.tz, judgedAt: acc.judgedAt }) : undefined;
  if (worker) present.delete('alerts.jsonl');
  try {
    const rest = await readCanonicalDir(
      dir,
      present,
      { addCase: (c) => acc.addCase(c), addAlerts: (a) => acc.addAlerts(a) },
      // The plan must be in the config's currency and fiscal year, as it must be when imported.
      { currency: opts.settings.currency, fiscalYearStartMonth: opts.settings.fiscalYearStartMonth },
    );
    if (worker) for (const a of await worker.counts) acc.addAlerts(a);
    return acc.result(rest, has);
  } finally {
    await worker?.stop();
  }
}
