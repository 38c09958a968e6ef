import type { SignificantIncident } from './kpi.js';
import { SEVERITIES, type Severity } from './records.js';

// The order significant incidents are read in: what still needs someone first, then what was real, then what was
// not. Pure: the KPI engine keeps its bounded list by it, the email lists and counts by it.

/** Where an incident stands: still open, or closed with its disposition ("closed" when none was recorded). */
export type Standing = 'open' | 'true_positive' | 'undetermined' | 'closed' | 'benign_positive' | 'false_positive';

/** Standings in reading order: open, then true positives, then the unresolved, then what turned out harmless. */
export const STANDINGS: readonly Standing[] = [
  'open',
  'true_positive',
  'undetermined',
  'closed',
  'benign_positive',
  'false_positive',
];

const STANDING_RANK = new Map(STANDINGS.map((s, i) => [s, i]));
const SEVERITY_RANK = new Map<Severity, number>(SEVERITIES.map((s, i) => [s, i]));

/** An incident's standing: open while it has no close time, else its disposition (or plain "closed"). */
export function standing(x: Pick<SignificantIncident, 'closed' | 'disposition'>): Standing {
  if (x.closed === undefined) return 'open';
  const d = x.disposition as Standing | undefined;
  return d && STANDING_RANK.has(d) ? d : 'closed';
}

/**
 * Reading order of two incidents: standing (STANDINGS), then severity (critical first), then the older first.
 * Equal incidents compare 0 (a stable sort keeps their order).
 */
export function compareSignificant(a: SignificantIncident, b: SignificantIncident): number {
  return (
    STANDING_RANK.get(standing(a))! - STANDING_RANK.get(standing(b))! ||
    SEVERITY_RANK.get(a.severity)! - SEVERITY_RANK.get(b.severity)! ||
    a.created - b.created
  );
}

/** The incidents in reading order (a new array; the input is not changed). */
export function orderSignificant(list: readonly SignificantIncident[]): SignificantIncident[] {
  return [...list].sort(compareSignificant);
}

/** How many incidents stand in each standing, in reading order, leaving out standings with none. */
export function countByStanding(list: readonly SignificantIncident[]): { standing: Standing; n: number }[] {
  const n = new Map<Standing, number>();
  for (const x of list) n.set(standing(x), (n.get(standing(x)) ?? 0) + 1);
  return STANDINGS.filter((s) => n.has(s)).map((s) => ({ standing: s, n: n.get(s)! }));
}

/**
 * Whether containment is a step of this incident: open ones and those that were (or may have been) real. A false or
 * benign positive had nothing to contain.
 */
export function containmentApplies(x: Pick<SignificantIncident, 'closed' | 'disposition'>): boolean {
  const s = standing(x);
  return s !== 'false_positive' && s !== 'benign_positive';
}
