import type { ChangeFacts, HistoryFacts } from '../../shared/domain/changes.js';

// Hand-built change facts for the "what changed" tests: one week each, everything not given empty.

export const WEEK = 7 * 86_400_000;
export const sorted = (xs: number[]) => Float64Array.from(xs).sort();

/** A period's facts; everything not given is empty. */
export function facts(f: Partial<ChangeFacts> = {}): ChangeFacts {
  return {
    exposureMs: WEEK,
    casesBySeverity: {},
    alertsByRule: null,
    sla: { acknowledge: {}, resolve: {} },
    falsePositives: {},
    durations: { tta: {}, ttr: {} },
    ...f,
  };
}

/** History entries with data, previous first, labels counting back from 2026-W47. */
export function history(list: ChangeFacts[]): HistoryFacts[] {
  return list.map((f, i) => ({ label: `2026-W${47 - i}`, facts: f, cases: true, alerts: true }));
}
