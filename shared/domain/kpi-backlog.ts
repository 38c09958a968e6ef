/**
 * The backlog part of the KPIs (METRICS.md "Backlog"): the cases open at pointInTime = min(end, asOf), their ages in
 * buckets, and those past their resolve target (open breached) or within its last quarter (at risk).
 */
import { NumberList, type DurationStats } from './stats.js';

const MIN = 60_000;
const DAY = 86_400_000;
/** An open case is at risk from this share of its resolve target on (METRICS.md `sla.atRisk`). */
export const AT_RISK_SHARE = 0.75;

export interface BacklogFigures {
  backlog: {
    open: number;
    age: DurationStats;
    buckets: { lt1d: number; d1to7: number; d7to30: number; gt30d: number };
  };
  openBreached: number;
  atRisk: number;
}

export class BacklogAccumulator {
  private open = 0;
  private readonly ages = new NumberList();
  private readonly buckets = { lt1d: 0, d1to7: 0, d7to30: 0, gt30d: 0 };
  private openBreached = 0;
  private atRisk = 0;

  /**
   * `resolveAt`: each severity's resolve target in minutes (undefined: none), by index into SEVERITIES; `keepAges`
   * false keeps no ages (a trend-only period: its age statistics are then empty).
   */
  constructor(
    private readonly pointInTime: number,
    private readonly resolveAt: readonly (number | undefined)[],
    private readonly keepAges: boolean,
  ) {}

  /** A case of severity index `k` created at `c` and open at pointInTime. */
  add(k: number, c: number): void {
    this.open++;
    const age = this.pointInTime - c;
    if (this.keepAges) this.ages.push(age / MIN);
    if (age < DAY) this.buckets.lt1d++;
    else if (age < 7 * DAY) this.buckets.d1to7++;
    else if (age < 30 * DAY) this.buckets.d7to30++;
    else this.buckets.gt30d++;
    const target = this.resolveAt[k];
    if (target !== undefined) {
      if (age > target * MIN) this.openBreached++;
      else if (age >= AT_RISK_SHARE * target * MIN) this.atRisk++;
    }
  }

  result(): BacklogFigures {
    return {
      backlog: { open: this.open, age: this.ages.stats(), buckets: { ...this.buckets } },
      openBreached: this.openBreached,
      atRisk: this.atRisk,
    };
  }
}
