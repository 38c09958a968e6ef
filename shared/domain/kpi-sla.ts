/** The SLA part of the KPIs (METRICS.md "SLA"): per severity, the created cohort's acknowledge and resolve counts. */
import type { ChangeFacts } from './changes.js';
import { SEVERITIES, type Severity } from './records.js';
import type { slaTargetsFor } from './settings.js';
import { ratio } from './stats.js';

const MIN = 60_000;

export interface SlaCounts {
  met: number;
  breached: number;
  pending: number;
  compliance: number | null;
}

/** A severity's SLA targets in minutes (absent: no SLA of that kind). */
export type SlaTargets = ReturnType<typeof slaTargetsFor>[Severity];

export const emptySla = (): SlaCounts => ({ met: 0, breached: 0, pending: 0, compliance: null });

/** A copy of the counts with their compliance, met / (met + breached). */
export const finishedSla = (s: SlaCounts): SlaCounts => ({
  met: s.met,
  breached: s.breached,
  pending: s.pending,
  compliance: ratio(s.met, s.met + s.breached),
});

const addSla = (into: SlaCounts, s: SlaCounts) => {
  into.met += s.met;
  into.breached += s.breached;
  into.pending += s.pending;
};

/** Count one SLA kind for one case: met, breached (late or overdue), or pending. */
export function judge(s: SlaCounts, created: number, event: number, asOf: number, targetMin: number): void {
  const target = targetMin * MIN;
  if (event < asOf) {
    if (event - created <= target) s.met++;
    else s.breached++;
  } else if (asOf - created > target) s.breached++;
  else s.pending++;
}

/** Acknowledge and resolve SLA counts per severity of the created cohort, judged at asOf. */
export class SlaAccumulator {
  private readonly ack: SlaCounts[] = SEVERITIES.map(emptySla);
  private readonly res: SlaCounts[] = SEVERITIES.map(emptySla);

  /** `targetAt`: each severity's targets, by index into SEVERITIES. */
  constructor(
    private readonly targetAt: readonly SlaTargets[],
    private readonly asOf: number,
  ) {}

  /** A case of severity index `k` created at `c`, acknowledged at `a` and closed at `x` (NaN: not yet). */
  created(k: number, c: number, a: number, x: number): void {
    const t = this.targetAt[k]!;
    if (t.acknowledge !== undefined) judge(this.ack[k]!, c, a, this.asOf, t.acknowledge);
    if (t.resolve !== undefined) judge(this.res[k]!, c, x, this.asOf, t.resolve);
  }

  /** Per severity its kinds with a target; overall, every severity's counts summed. */
  result(): {
    bySeverity: Record<Severity, { acknowledge?: SlaCounts; resolve?: SlaCounts }>;
    acknowledge: SlaCounts;
    resolve: SlaCounts;
  } {
    const bySeverity = {} as Record<Severity, { acknowledge?: SlaCounts; resolve?: SlaCounts }>;
    const acknowledge = emptySla();
    const resolve = emptySla();
    SEVERITIES.forEach((sev, k) => {
      const t = this.targetAt[k]!;
      const sla: { acknowledge?: SlaCounts; resolve?: SlaCounts } = {};
      if (t.acknowledge !== undefined) {
        sla.acknowledge = finishedSla(this.ack[k]!);
        addSla(acknowledge, this.ack[k]!);
      }
      if (t.resolve !== undefined) {
        sla.resolve = finishedSla(this.res[k]!);
        addSla(resolve, this.res[k]!);
      }
      bySeverity[sev] = sla;
    });
    return { bySeverity, acknowledge: finishedSla(acknowledge), resolve: finishedSla(resolve) };
  }

  /** Met (hit) of met + breached (n) per severity with a target: what the change tests compare. */
  changeFacts(): ChangeFacts['sla'] {
    const sla = { acknowledge: {} as ChangeFacts['falsePositives'], resolve: {} as ChangeFacts['falsePositives'] };
    SEVERITIES.forEach((sev, k) => {
      const t = this.targetAt[k]!;
      const a = this.ack[k]!;
      const r = this.res[k]!;
      if (t.acknowledge !== undefined) sla.acknowledge[sev] = { hit: a.met, n: a.met + a.breached };
      if (t.resolve !== undefined) sla.resolve[sev] = { hit: r.met, n: r.met + r.breached };
    });
    return sla;
  }
}
