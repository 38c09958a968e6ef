/**
 * The timing part of the KPIs (METRICS.md "Case timing"): per severity, time to detect, acknowledge and contain of
 * the created cohort and time to resolve of the closed one, and the created cohort's Kaplan–Meier median.
 */
import type { ChangeFacts } from './changes.js';
import type { CaseColumns } from './facts.js';
import { SEVERITIES, type Severity } from './records.js';
import { kaplanMeierMedianOf, mergeSorted, NumberList, sortedDurationStats, type DurationStats } from './stats.js';

const MIN = 60_000;
const minutes = (a: number, b: number) => (b - a) / MIN;

type Timing = { ttd: DurationStats; tta: DurationStats; ttc: DurationStats; ttr: DurationStats };
const KINDS = ['ttd', 'tta', 'ttc', 'ttr'] as const;

/** Durations in minutes per severity index; the overall figures merge the severities' sorted lists. */
export class TimingAccumulator {
  private readonly at = SEVERITIES.map(() => ({
    ttd: new NumberList(),
    tta: new NumberList(),
    ttc: new NumberList(),
    ttr: new NumberList(),
  }));
  private readonly kmEvents = new NumberList();
  private readonly kmCensored = new NumberList();

  constructor(private readonly asOf: number) {}

  /** Case `i` of `cols` (severity index `k`, created at `c`, closed at `x`) is in the created cohort. */
  created(cols: CaseColumns, i: number, k: number, c: number, x: number): void {
    const { asOf } = this;
    const s = this.at[k]!;
    const first = cols.firstEvent[i]!;
    if (first === first) {
      const d = cols.detected[i]!;
      s.ttd.push(minutes(first, d === d ? d : c));
    }
    const a = cols.ack[i]!;
    if (a < asOf) s.tta.push(minutes(c, a));
    const contain = cols.contained[i]!;
    if (contain < asOf) s.ttc.push(minutes(c, contain));
    if (x < asOf) this.kmEvents.push(minutes(c, x));
    else this.kmCensored.push(minutes(c, asOf));
  }

  /** A case of severity index `k` closed in the period after `ttr` minutes. */
  closed(k: number, ttr: number): void {
    this.at[k]!.ttr.push(ttr);
  }

  /**
   * Overall and per-severity duration statistics, the created cohort's Kaplan–Meier median, and the per-severity
   * sorted durations the change tests read (each list sorted once).
   */
  result(): Timing & {
    ttrCohort: { n: number; median: number | null; moreThan: number | null };
    bySeverity: Record<Severity, Timing>;
    durations: ChangeFacts['durations'];
  } {
    const sorted = {
      ttd: [] as Float64Array[],
      tta: [] as Float64Array[],
      ttc: [] as Float64Array[],
      ttr: [] as Float64Array[],
    };
    const bySeverity = {} as Record<Severity, Timing>;
    const durations: ChangeFacts['durations'] = { tta: {}, ttr: {} };
    SEVERITIES.forEach((sev, k) => {
      const timing = {} as Timing;
      for (const m of KINDS) {
        const values = this.at[k]![m].sorted();
        sorted[m].push(values);
        timing[m] = sortedDurationStats(values);
      }
      durations.tta[sev] = sorted.tta[k]!;
      durations.ttr[sev] = sorted.ttr[k]!;
      bySeverity[sev] = timing;
    });
    return {
      ttd: sortedDurationStats(mergeSorted(sorted.ttd)),
      tta: sortedDurationStats(mergeSorted(sorted.tta)),
      ttc: sortedDurationStats(mergeSorted(sorted.ttc)),
      ttr: sortedDurationStats(mergeSorted(sorted.ttr)),
      ttrCohort: kaplanMeierMedianOf(this.kmEvents.values(), this.kmCensored.values()),
      bySeverity,
      durations,
    };
  }

  /** Only the per-severity sorted durations the change tests read. */
  durations(): ChangeFacts['durations'] {
    const durations: ChangeFacts['durations'] = { tta: {}, ttr: {} };
    SEVERITIES.forEach((sev, k) => {
      durations.tta[sev] = this.at[k]!.tta.sorted();
      durations.ttr[sev] = this.at[k]!.ttr.sorted();
    });
    return durations;
  }
}
