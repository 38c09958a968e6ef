/**
 * The volume part of the KPIs (METRICS.md "Volume"): cases created per severity and per local day, and alerts
 * created per severity, per rule and per local day.
 */
import type { AlertColumns } from './facts.js';
import { localDayNumber, localDaysOf, type Period } from './periods.js';
import { SEVERITIES, type Severity } from './records.js';

const DAY = 86_400_000;

export interface VolumeFigures {
  created: number;
  /** Null without an alert source. */
  alertsCreated: number | null;
  /** `null` where the figure is unknown (no alert source); coverage may null more days later. */
  days: { day: string; alerts: number | null; cases: number | null }[];
  alertsBySeverity: Record<Severity, number> | null;
  createdBySeverity: Record<Severity, number>;
}

export class VolumeAccumulator {
  private created = 0;
  /** Created cases per severity, by index into SEVERITIES. */
  private readonly createdAt: number[] = SEVERITIES.map(() => 0);
  private readonly casesPerDay = new Map<number, number>();
  private alertsCreated = 0;
  private readonly alertsPerDay = new Map<number, number>();
  /** Alerts created per severity, by index into SEVERITIES. */
  private readonly alertsAt: number[] = SEVERITIES.map(() => 0);
  /** Alerts created per rule, in the order rules were first counted. */
  readonly alertsByRule = new Map<string, number>();

  /** `perDay` false keeps no daily counts (a trend-only period: its days then count nothing). */
  constructor(
    private readonly period: Period,
    private readonly asOf: number,
    private readonly perDay: boolean,
  ) {}

  /** A case of severity index `k` created in the period at `c`. */
  addCase(k: number, c: number): void {
    this.created++;
    this.createdAt[k]!++;
    if (this.perDay) {
      const dayNumber = localDayNumber(c, this.period.tz);
      this.casesPerDay.set(dayNumber, (this.casesPerDay.get(dayNumber) ?? 0) + 1);
    }
  }

  /**
   * Take a day of alert counts (each an alert, or the alerts of one rule and severity counted in one bucket instant).
   * A rule first counted here joins the per-rule counts in the order the day gives it, as counting one by one would.
   */
  addAlertCounts(cols: AlertColumns): void {
    const { start, end, tz } = this.period;
    const { asOf, perDay } = this;
    const { at, sev, count, rule, rules } = cols;
    const byRule = new Float64Array(rules.length);
    const firstSeen: number[] = [];
    let lastAt = NaN;
    let lastDay = 0;
    for (let i = 0; i < cols.length; i++) {
      const t = at[i]!;
      if (t < start || t >= end || t >= asOf) continue;
      const c = count[i]!;
      this.alertsCreated += c;
      this.alertsAt[sev[i]!]! += c;
      const r = rule[i]!;
      if (byRule[r] === 0) firstSeen.push(r);
      byRule[r]! += c;
      if (!perDay) continue;
      // Counts come in 15-minute buckets: the day is looked up once per bucket instant.
      if (t !== lastAt) {
        lastAt = t;
        lastDay = localDayNumber(t, tz);
      }
      this.alertsPerDay.set(lastDay, (this.alertsPerDay.get(lastDay) ?? 0) + c);
    }
    for (const r of firstSeen) this.alertsByRule.set(rules[r]!, (this.alertsByRule.get(rules[r]!) ?? 0) + byRule[r]!);
  }

  createdBySeverity(): Record<Severity, number> {
    return Object.fromEntries(SEVERITIES.map((s, k) => [s, this.createdAt[k]!])) as Record<Severity, number>;
  }

  /** The counts; alert figures null when `hasAlerts` is false (no alert source). */
  result(hasAlerts: boolean): VolumeFigures {
    const days = localDaysOf(this.period);
    return {
      created: this.created,
      alertsCreated: hasAlerts ? this.alertsCreated : null,
      days: days.map((day) => {
        const n = Date.parse(`${day}T00:00:00Z`) / DAY;
        return { day, alerts: hasAlerts ? (this.alertsPerDay.get(n) ?? 0) : null, cases: this.casesPerDay.get(n) ?? 0 };
      }),
      alertsBySeverity: hasAlerts
        ? (Object.fromEntries(SEVERITIES.map((s, k) => [s, this.alertsAt[k]!])) as Record<Severity, number>)
        : null,
      createdBySeverity: this.createdBySeverity(),
    };
  }
}
