/**
 * Periods in one IANA time zone (METRICS.md "Periods and time"): half-open `[start, end)` instants computed from
 * local calendar boundaries, so a week across a DST change is 167 or 169 hours long, never 7×24 h added.
 */
export type PeriodKind = 'day' | 'week' | 'month' | 'quarter' | 'fiscalYear';

export interface Period {
  label: string;
  kind: PeriodKind;
  /** Epoch milliseconds, inclusive. */
  start: number;
  /** Epoch milliseconds, exclusive. */
  end: number;
  tz: string;
}

export interface PeriodOptions {
  tz: string;
  fiscalYearStartMonth: number;
}

/** A label that is not a period, or a zone that is not a zone; the message names the value. */
export class PeriodError extends Error {
  override name = 'PeriodError';
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new PeriodError(`unknown time zone "${tz}"`);
    }
    formatters.set(tz, f);
  }
  return f;
}

// Offsets change at most a few times a year and only on whole minutes in modern zones; caching per
// 15-minute slot keeps millions of localDay() calls cheap without ever crossing a transition inside a slot.
const SLOT = 15 * 60_000;
const offsetCache = new Map<string, Map<number, number>>();

/** UTC offset of `tz` at the start of a 15-minute slot (cached), in milliseconds. */
function slotOffset(slot: number, tz: string): number {
  let cache = offsetCache.get(tz);
  if (!cache) offsetCache.set(tz, (cache = new Map()));
  const hit = cache.get(slot);
  if (hit !== undefined) return hit;
  const parts = formatter(tz).formatToParts(new Date(slot * SLOT));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = asUtc - slot * SLOT;
  if (cache.size > 200_000) cache.clear();
  cache.set(slot, offset);
  return offset;
}

// Most UTC days see no transition: one array read per call for those days (NaN = not yet known, Infinity = the
// offset changes that day, so ask per slot). Days 1900–2173 are tabled; others always ask per slot.
const DAY_MS = 86_400_000;
const FIRST_DAY = -25_567;
const TABLE_DAYS = 100_000;
const dayOffsets = new Map<string, Float64Array>();
let lastZone = '';
let lastTable: Float64Array | undefined;

/** UTC offset of `tz` at instant `ms`, in milliseconds (local = utc + offset). */
export function offsetAt(ms: number, tz: string): number {
  if (tz !== lastZone || !lastTable) {
    let table = dayOffsets.get(tz);
    if (!table) dayOffsets.set(tz, (table = new Float64Array(TABLE_DAYS).fill(NaN)));
    lastZone = tz;
    lastTable = table;
  }
  const day = Math.floor(ms / DAY_MS);
  const i = day - FIRST_DAY;
  if (i >= 0 && i < TABLE_DAYS) {
    const known = lastTable[i]!;
    if (known !== Infinity && !Number.isNaN(known)) return known;
    if (Number.isNaN(known)) {
      const first = day * (DAY_MS / SLOT);
      const atStart = slotOffset(first, tz);
      const same = slotOffset(first + DAY_MS / SLOT - 1, tz) === atStart;
      lastTable[i] = same ? atStart : Infinity;
      if (same) return atStart;
    }
  }
  return slotOffset(Math.floor(ms / SLOT), tz);
}

/** Local calendar fields of an instant in a zone. */
export function localFields(ms: number, tz: string) {
  const d = new Date(ms + offsetAt(ms, tz));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    /** ISO weekday, Monday = 1. */
    weekday: ((d.getUTCDay() + 6) % 7) + 1,
  };
}

/**
 * The instant of a local wall-clock time. A repeated time resolves to its first occurrence; a time skipped by a jump
 * forward is shifted forward by the jump (02:30 on New York's spring-forward night is 03:30 EDT, a midnight skipped
 * at 00:00 → 01:00 is 01:00): as Python's `fold=0` and Temporal's "compatible".
 */
export function zonedTime(year: number, month: number, day: number, tz: string, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The wall time less the offset of a day before and of a day after (offsets change at most once in between):
  // the earlier when it maps back to the wall time (both do when the time is repeated), else the other, which
  // maps back too unless the time was skipped, and then is the wall time less the offset before the jump.
  const before = wall - offsetAt(wall - DAY_MS, tz);
  const after = wall - offsetAt(wall + DAY_MS, tz);
  const early = Math.min(before, after);
  return early + offsetAt(early, tz) === wall ? early : Math.max(before, after);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `yyyy-mm-dd` of the local day an instant falls in. */
export function localDay(ms: number, tz: string): string {
  const f = localFields(ms, tz);
  return `${f.year}-${pad2(f.month)}-${pad2(f.day)}`;
}

/** Days since 1970-01-01 of the local day an instant falls in: a cheap day key for counting millions of records. */
export function localDayNumber(ms: number, tz: string): number {
  return Math.floor((ms + offsetAt(ms, tz)) / 86_400_000);
}

/** `yyyy-mm` of the local month an instant falls in. */
export function localMonth(ms: number, tz: string): string {
  const f = localFields(ms, tz);
  return `${f.year}-${pad2(f.month)}`;
}

/** ISO-8601 with the zone's offset at that instant, e.g. `2026-11-23T00:00:00+00:00`. */
export function formatInstant(ms: number, tz: string): string {
  const off = offsetAt(ms, tz);
  const d = new Date(ms + off);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off) / 60_000;
  const iso = d.toISOString().slice(0, 19);
  return `${iso}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** Monday (y, m, d) of ISO week 1 of an ISO week-year. */
function isoWeekOneMonday(isoYear: number): [number, number, number] {
  const jan4 = new Date(Date.UTC(isoYear, 0, 4));
  const dow = (jan4.getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(Date.UTC(isoYear, 0, 4 - dow));
  return [monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()];
}

function addDays([y, m, d]: [number, number, number], days: number): [number, number, number] {
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

function isoWeeksInYear(isoYear: number): number {
  const [y, m, d] = isoWeekOneMonday(isoYear);
  const [ny, nm, nd] = isoWeekOneMonday(isoYear + 1);
  return Math.round((Date.UTC(ny, nm - 1, nd) - Date.UTC(y, m - 1, d)) / 86_400_000 / 7);
}

/** ISO week-year and week number of a civil date. */
function isoWeekOf(y: number, m: number, d: number): [number, number] {
  const date = new Date(Date.UTC(y, m - 1, d));
  const dow = (date.getUTCDay() + 6) % 7;
  const thursday = new Date(Date.UTC(y, m - 1, d - dow + 3));
  const isoYear = thursday.getUTCFullYear();
  const [wy, wm, wd] = isoWeekOneMonday(isoYear);
  const week = Math.floor((thursday.getTime() - Date.UTC(wy, wm - 1, wd)) / 86_400_000 / 7) + 1;
  return [isoYear, week];
}

/** `pointInTime = min(end, asOf)` (METRICS.md "Periods and time"): the instant at which states are judged. */
export function pointInTimeOf(period: Pick<Period, 'end'>, asOf: number): number {
  return Math.min(period.end, asOf);
}

/** The fiscal year label of a calendar month: named after the calendar year in which the fiscal year ends. */
export function fiscalYearOf(month: string, startMonth: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `FY${startMonth === 1 ? y : m >= startMonth ? y + 1 : y}`;
}

/** The twelve `yyyy-mm` months of a fiscal year, first to last. */
export function monthsOfFiscalYear(fiscalYear: string, startMonth: number): string[] {
  const end = Number(fiscalYear.slice(2));
  const firstYear = startMonth === 1 ? end : end - 1;
  return Array.from({ length: 12 }, (_, i) => {
    const m0 = startMonth - 1 + i;
    return `${firstYear + Math.floor(m0 / 12)}-${pad2((m0 % 12) + 1)}`;
  });
}

function build(
  kind: PeriodKind,
  label: string,
  from: [number, number, number],
  to: [number, number, number],
  tz: string,
): Period {
  return { kind, label, tz, start: zonedTime(...from, tz), end: zonedTime(...to, tz) };
}

/**
 * The years a period label may name: 1970–2199. Before 1970 there is no SOC data to report (and two-digit years would
 * silently become 19xx in Date.UTC); past 2199 a label is a typo, not a plan. Both ends are inclusive.
 */
export const PERIOD_YEARS = { min: 1970, max: 2199 } as const;

/** A label as an error message quotes it: at most 40 characters, so an over-long input is never echoed in full. */
export function quoteLabel(label: string): string {
  return JSON.stringify(label.length > 40 ? `${label.slice(0, 40)}…` : label);
}

function checkYear(y: number, label: string) {
  if (y < PERIOD_YEARS.min || y > PERIOD_YEARS.max)
    throw new PeriodError(`${quoteLabel(label)}: years ${PERIOD_YEARS.min}–${PERIOD_YEARS.max} only`);
}

/** Parse a period label (`2026-11-23`, `2026-W47`, `2026-11`, `2026-Q4`, `FY2027`) in a zone; years 1970–2199. */
export function parsePeriod(label: string, opts: PeriodOptions): Period {
  const { tz } = opts;
  formatter(tz);
  if (label.length > 16) throw new PeriodError(`${quoteLabel(label)} is not a period label (too long)`);
  let m: RegExpMatchArray | null;
  const year = /^(?:FY)?(\d{4})/.exec(label);
  if (year) checkYear(Number(year[1]), label);
  if ((m = label.match(/^(\d{4})-(\d{2})-(\d{2})$/))) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    // A day 00 or past its month's end (at most 99) rolls into another month.
    if (new Date(Date.UTC(y, mo - 1, d)).getUTCMonth() !== mo - 1)
      throw new PeriodError(`${quoteLabel(label)} is not a calendar day`);
    return build('day', label, [y, mo, d], addDays([y, mo, d], 1), tz);
  }
  if ((m = label.match(/^(\d{4})-W(\d{2})$/))) {
    const [y, w] = [Number(m[1]), Number(m[2])];
    if (w < 1 || w > isoWeeksInYear(y))
      throw new PeriodError(`${quoteLabel(label)}: ${y} has ISO weeks 01–${isoWeeksInYear(y)}`);
    const monday = addDays(isoWeekOneMonday(y), (w - 1) * 7);
    return build('week', label, monday, addDays(monday, 7), tz);
  }
  if ((m = label.match(/^(\d{4})-(\d{2})$/))) {
    const [y, mo] = [Number(m[1]), Number(m[2])];
    if (mo < 1 || mo > 12) throw new PeriodError(`${quoteLabel(label)}: month must be 01–12`);
    // Month 13 is January of the next year (Date.UTC carries it), here and below.
    return build('month', label, [y, mo, 1], [y, mo + 1, 1], tz);
  }
  if ((m = label.match(/^(\d{4})-Q([1-4])$/))) {
    const [y, q] = [Number(m[1]), Number(m[2])];
    const mo = (q - 1) * 3 + 1;
    return build('quarter', label, [y, mo, 1], [y, mo + 3, 1], tz);
  }
  if ((m = label.match(/^FY(\d{4})$/))) {
    const months = monthsOfFiscalYear(label, opts.fiscalYearStartMonth);
    const [fy, fm] = months[0]!.split('-').map(Number) as [number, number];
    checkYear(fy, label); // FY1970 starting in April would begin in 1969
    const [ly, lm] = months[11]!.split('-').map(Number) as [number, number];
    return build('fiscalYear', label, [fy, fm, 1], [ly, lm + 1, 1], tz);
  }
  throw new PeriodError(
    `${quoteLabel(label)} is not a period label (expected 2026-11-23, 2026-W47, 2026-11, 2026-Q4 or FY2027)`,
  );
}

/** The label of the period of a kind that contains an instant. */
export function labelContaining(kind: PeriodKind, ms: number, opts: PeriodOptions): string {
  const f = localFields(ms, opts.tz);
  switch (kind) {
    case 'day':
      return `${f.year}-${pad2(f.month)}-${pad2(f.day)}`;
    case 'week': {
      const [wy, w] = isoWeekOf(f.year, f.month, f.day);
      return `${wy}-W${pad2(w)}`;
    }
    case 'month':
      return `${f.year}-${pad2(f.month)}`;
    case 'quarter':
      return `${f.year}-Q${Math.floor((f.month - 1) / 3) + 1}`;
    case 'fiscalYear':
      return fiscalYearOf(`${f.year}-${pad2(f.month)}`, opts.fiscalYearStartMonth);
  }
}

/** The period of a kind that contains an instant. */
export function periodContaining(kind: PeriodKind, ms: number, opts: PeriodOptions): Period {
  return parsePeriod(labelContaining(kind, ms, opts), opts);
}

/** The period of equal kind just before `p`. */
export function previousPeriod(p: Period, opts: PeriodOptions): Period {
  return periodContaining(p.kind, p.start - 1, { ...opts, tz: p.tz });
}

/** A period and the instant it is judged at. */
export interface JudgedPeriod {
  period: Period;
  asOf: number;
}

/**
 * The comparable previous periods of `period` judged at `asOf` (docs/what-changed.md "Like for like"): the `count`
 * periods of equal kind before it, the previous one first, each judged at the same age as the current one — so
 * every SLA clock has run as long and every to-date period covers as much time:
 * - once the period has ended, at its own end plus the time since the current one ended (`asOf − end`): a resend
 *   72 h after the week judges last week 72 h after its end too;
 * - while it runs (to date), at its own start plus the time elapsed (`asOf − start`): only that much of it counts.
 * The one definition of "the previous period as comparable": the trend and every change test use it.
 */
export function comparablePeriods(period: Period, asOf: number, opts: PeriodOptions, count: number): JudgedPeriod[] {
  const out: JudgedPeriod[] = [];
  let p = period;
  for (let i = 0; i < count; i++) {
    try {
      p = previousPeriod(p, opts);
    } catch (e) {
      // Periods exist from 1970 on (PERIOD_YEARS): there is no older history than that. The first previous period
      // must exist, though: a period without one is refused, not compared with nothing.
      if (i > 0 && e instanceof PeriodError) break;
      throw e;
    }
    out.push({ period: p, asOf: asOf >= period.end ? p.end + (asOf - period.end) : p.start + (asOf - period.start) });
  }
  return out;
}

/** The length of time a period judged at `asOf` has had: `min(end, asOf) − start` (0 before it starts). */
export function exposureOf(period: Pick<Period, 'start' | 'end'>, asOf: number): number {
  return Math.max(0, Math.min(period.end, asOf) - period.start);
}

/** The latest period of a kind that ended at or before `asOf` (e.g. "previous-week" on a Monday morning). */
export function lastCompletePeriod(kind: PeriodKind, asOfMs: number, opts: PeriodOptions): Period {
  return previousPeriod(periodContaining(kind, asOfMs, opts), opts);
}

/** The local days of a period, as `yyyy-mm-dd`, in order. */
export function localDaysOf(p: Period): string[] {
  const days: string[] = [];
  const f = localFields(p.start, p.tz);
  let d: [number, number, number] = [f.year, f.month, f.day];
  for (;;) {
    const start = zonedTime(...d, p.tz);
    if (start >= p.end) return days;
    days.push(`${d[0]}-${pad2(d[1])}-${pad2(d[2])}`);
    d = addDays(d, 1);
  }
}

/** The whole ISO weeks that lie inside a period (staffing uses these). */
export function isoWeeksInside(p: Period): Period[] {
  const weeks: Period[] = [];
  let w = periodContaining('week', p.start, { tz: p.tz, fiscalYearStartMonth: 1 });
  if (w.start < p.start) w = periodContaining('week', w.end, { tz: p.tz, fiscalYearStartMonth: 1 });
  while (w.end <= p.end) {
    weeks.push(w);
    w = periodContaining('week', w.end, { tz: p.tz, fiscalYearStartMonth: 1 });
  }
  return weeks;
}
