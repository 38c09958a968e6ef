import { formatInstant, localDay, type JudgedPeriod, type Period, type PeriodKind } from './periods.js';

/** What successful collections of one source covered: the families it offers and the instants it read. */
export interface SourceCoverage {
  source: string;
  families: readonly string[];
  /** Per family, disjoint `[from, to)` instants, oldest first. */
  covered: Readonly<Record<string, readonly (readonly [number, number])[]>>;
  /** The latest collection attempt failed. */
  failing: boolean;
}

/** One stretch of a window that a source offering the family did not collect, and why. */
export interface MissingPart {
  family: string;
  source: string;
  from: string;
  to: string;
  reason: string;
}

/** How far a window is covered for one family by every source offering it. */
export interface WindowCoverage {
  /** Every source offering the family covered the whole window. */
  complete: boolean;
  /** No instant of the window is covered by any source offering the family (or none offers it). */
  none: boolean;
  missing: MissingPart[];
  /** "no data for <what>: <why>", for a window that is not complete. */
  reason?: string;
}

/** What a summary section says about coverage: whether it is whole, and the parts that are missing. */
export interface CoverageNote {
  complete: boolean;
  missing: MissingPart[];
}

/** Coverage of the windows a summary reads, judged up to asOf (what is after asOf is not yet, never missing). */
export interface SummaryCoverage {
  cases: WindowCoverage;
  alerts: WindowCoverage;
  shifts: WindowCoverage;
  previous: { label: string; kind: PeriodKind; cases: WindowCoverage; alerts: WindowCoverage };
}

const KIND_WORDS: Record<PeriodKind, string> = {
  day: 'day',
  week: 'week',
  month: 'month',
  quarter: 'quarter',
  fiscalYear: 'fiscal year',
};

/** Coverage of a period and of its previous period for the families the summary reads. */
export function summaryCoverage(
  period: Period,
  comparable: JudgedPeriod,
  asOf: number,
  sources: readonly SourceCoverage[],
): SummaryCoverage {
  const previous = comparable.period;
  const cur = judgedWindow({ period, asOf });
  const prev = judgedWindow(comparable);
  return {
    cases: windowCoverage(cur, 'cases', sources),
    alerts: windowCoverage(cur, 'alerts', sources),
    shifts: windowCoverage(cur, 'shifts', sources),
    previous: {
      label: previous.label,
      kind: previous.kind,
      cases: windowCoverage(prev, 'cases', sources),
      alerts: windowCoverage(prev, 'alerts', sources),
    },
  };
}

/** The part of a period that a judgement at its `asOf` reads: `[start, min(end, asOf))`. */
function judgedWindow({ period, asOf }: JudgedPeriod): { label: string; start: number; end: number; tz: string } {
  return { label: period.label, start: period.start, end: Math.min(period.end, asOf), tz: period.tz };
}

/**
 * Whether a comparable previous period (judged at its own `asOf`) has data for the whole of what it is judged on,
 * for one family: the change tests leave out any period that does not, never count it as zeros.
 */
export function judgedPeriodCovered(p: JudgedPeriod, family: string, sources: readonly SourceCoverage[]): boolean {
  return windowCoverage(judgedWindow(p), family, sources).complete;
}

/** The trend's "previous week incomplete: …" reason, or undefined when the previous period is fully covered. */
export function previousIncomplete(c: SummaryCoverage): string | undefined {
  const gaps = [c.previous.cases, c.previous.alerts].filter((w) => !w.complete);
  if (!gaps.length) return undefined;
  return `previous ${KIND_WORDS[c.previous.kind]} incomplete: ${[...new Set(gaps.map((g) => g.reason))].join('; ')}`;
}

/**
 * What of `[start, end)` the sources offering `family` did not collect. A source that offers the family but did not
 * cover a stretch makes that stretch missing (its figures there are unknown, not zero); the reason says whether
 * its collection began later, stopped (failing) or had a gap.
 */
export function windowCoverage(
  window: { label: string; start: number; end: number; tz: string },
  family: string,
  sources: readonly SourceCoverage[],
): WindowCoverage {
  const { start, end, tz } = window;
  // A family no source offers is absent, said elsewhere; a window wholly after asOf (end ≤ start) has nothing to
  // cover yet, and the loop below finds nothing missing in it.
  const offering = sources.filter((s) => s.families.includes(family));
  if (!offering.length) return { complete: true, none: true, missing: [] };
  const missing: MissingPart[] = [];
  let anyCovered = false;
  for (const s of offering) {
    let at = start;
    const spans = s.covered[family] ?? [];
    const inside = spans.filter(([a, b]) => b > start && a < end);
    if (inside.length) anyCovered = true;
    for (const [a, b] of inside) {
      if (a > at) missing.push(part(s, family, at, a, tz, gapReason(s, spans, at, a, tz)));
      at = Math.max(at, b);
    }
    if (at < end) missing.push(part(s, family, at, end, tz, gapReason(s, spans, at, end, tz)));
  }
  if (!missing.length) return { complete: true, none: false, missing };
  const whole = (m: MissingPart) => Date.parse(m.from) <= start && Date.parse(m.to) >= end;
  const reasons = missing.map((m) =>
    whole(m) ? m.reason : `${spanOf(Date.parse(m.from), Date.parse(m.to), tz)} (${m.source}): ${m.reason}`,
  );
  return {
    complete: false,
    none: !anyCovered,
    missing,
    reason: `no data for ${!anyCovered ? window.label : `part of ${window.label}`}: ${reasons.join('; ')}`,
  };
}

function part(s: SourceCoverage, family: string, from: number, to: number, tz: string, reason: string): MissingPart {
  return { family, source: s.source, from: formatInstant(from, tz), to: formatInstant(to, tz), reason };
}

/** Why a source has no data for `[from, to)`: it began later, it stopped (or is failing), or it had a gap. */
function gapReason(
  s: SourceCoverage,
  spans: readonly (readonly [number, number])[],
  from: number,
  to: number,
  tz: string,
): string {
  if (!spans.length)
    return `source ${s.source} has not collected successfully yet${s.failing ? ' (its collections fail)' : ''}`;
  const first = spans[0]!;
  const last = spans[spans.length - 1]!;
  if (to <= first[0]) return `collection of source ${s.source} began ${point(first[0], tz)}`;
  if (from >= last[1])
    return `source ${s.source} has collected only up to ${point(last[1], tz)}${s.failing ? ' (its latest collection failed)' : ''}`;
  return `source ${s.source} was not collected for ${spanOf(from, to, tz)}`;
}

/** A local day when the instant is a local midnight, else the local date and minute. */
function point(ms: number, tz: string): string {
  const iso = formatInstant(ms, tz);
  return iso.slice(11, 19) === '00:00:00' ? localDay(ms, tz) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** "2026-10-19 to 2026-10-21" (last local day included) or instants when the stretch does not end at midnight. */
function spanOf(from: number, to: number, tz: string): string {
  const midnight = (ms: number) => formatInstant(ms, tz).slice(11, 19) === '00:00:00';
  if (!midnight(from) || !midnight(to)) return `${point(from, tz)} to ${point(to, tz)}`;
  const [firstDay, lastDay] = [localDay(from, tz), localDay(to - 1, tz)];
  return firstDay === lastDay ? firstDay : `${firstDay} to ${lastDay}`;
}

/** Whether the local day `[dayStart, dayEnd)` overlaps a missing part (its figure is then unknown, not zero). */
export function dayIsMissing(c: WindowCoverage, dayStart: number, dayEnd: number): boolean {
  return c.missing.some((m) => Date.parse(m.from) < dayEnd && Date.parse(m.to) > dayStart);
}
