// What an optional canonical case field carries into the figures; no engine code (adapters and config read it).

/**
 * The figures (METRICS.md keys; staffing ones prefixed `staffing.`) each optional canonical case field carries. A
 * source that cannot give a field cannot give its figures: they are said ("not available from Microsoft Sentinel"),
 * never shown as 0 or 0 %. `detectedAt` carries none (absent, it is `createdAt`, METRICS.md) and `assignee` none.
 * `closedAt` is not here: a case source must map it (without it every case looks open).
 */
export const FIGURES_OF_CASE_FIELD: Readonly<Record<string, readonly string[]>> = {
  firstEventAt: ['ttd'],
  acknowledgedAt: ['tta', 'sla.acknowledge'],
  containedAt: ['ttc'],
  disposition: ['dispositions', 'falsePositiveRate', 'precision'],
  rule: ['rules'],
  tier: ['staffing.casesPerAnalystHour'],
  escalatedToTier: ['escalationRate'],
  runbook: ['runbooks'],
  handleMinutes: ['staffing.aht', 'staffing.utilization'],
};

/**
 * The figures a case source cannot give, each with why: those of every optional case field it leaves unmapped,
 * except the fields it says are absent because this SOC has none (`absentMeansNone`). Empty when it maps them all.
 */
export function figuresNotGiven(
  mapped: ReadonlySet<string>,
  why: string,
  absentMeansNone: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, figures] of Object.entries(FIGURES_OF_CASE_FIELD))
    if (!mapped.has(field) && !absentMeansNone.includes(field)) for (const figure of figures) out[figure] = why;
  return out;
}
