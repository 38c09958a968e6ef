/** Display formats: rounding happens here only, never in the figures themselves. */

/** Minutes as "45 min", "3 h 12 min" or "2 d 4 h". */
export function formatMinutes(min: number | null | undefined): string {
  if (min === null || min === undefined) return '—';
  if (min < 1) return `${Math.round(min * 60)} s`;
  if (min < 60) return `${Math.round(min)} min`;
  if (min < 1440) {
    const h = Math.floor(min / 60);
    const m = Math.round(min - h * 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(min / 1440);
  const h = Math.round((min - d * 1440) / 60);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** A fraction in [0, 1] as a percentage with one decimal. */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

/** A percentage value (already ×100) with a sign. */
export function formatPct(pct: number | null | undefined): string {
  return pct === null || pct === undefined ? '—' : `${pct > 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** A decimal money string with thousands separators and its currency. */
export function formatMoney(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return '—';
  const [int, frac] = amount.replace('-', '').split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amount.startsWith('-') ? '−' : ''}${currency} ${grouped}.${frac ?? '00'}`;
}

/** A count with thousands separators. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-GB');
}

const dayFmt = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${tz}|${JSON.stringify(opts)}`;
  let f = dayFmt.get(key);
  if (!f) dayFmt.set(key, (f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...opts })));
  return f;
}

/** An instant as the SOC's local day, "Mon 23 Nov" (with the year when `year` is set: "Mon 23 Nov 2026"). */
export function formatDay(at: number | string, tz: string, year = false): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const p = Object.fromEntries(
    fmt(tz, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return `${p.weekday} ${p.day} ${p.month}${year ? ` ${p.year}` : ''}`;
}

/** An instant as the SOC's local day and time, "Mon 23 Nov 14:05". */
export function formatDayTime(at: number | string, tz: string, year = false): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const p = Object.fromEntries(
    fmt(tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return `${formatDay(ms, tz, year)}${year ? ',' : ''} ${p.hour}:${p.minute}`;
}

/** A local calendar day "2026-11-23" as "Mon 23 Nov". */
export function formatYmd(ymd: string, year = false): string {
  return formatDay(Date.parse(`${ymd}T12:00:00Z`), 'UTC', year);
}

const ACRONYMS = new Set(['siem', 'soar', 'edr', 'xdr', 'ioc', 'ip', 'dns', 'vpn', 'mfa', 'aws', 'soc', 'ueba', 'c2']);

/** A snake_case or kebab-case identifier (runbook, category) as words: "triage_alerts" → "Triage alerts". */
export function humanName(id: string): string {
  const words = id.split(/[_\s-]+/).filter(Boolean);
  if (!words.length || (words.length === 1 && !/[_-]/.test(id) && /[A-Z]/.test(id))) return id;
  return words
    .map((w, i) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(' ');
}

/** Wrap text at `width` columns (words longer than a line are cut), each line after the first indented by `indent`. */
export function wrapText(text: string, width = 78, indent = ''): string[] {
  const out: string[] = [];
  let line = '';
  const push = () => {
    out.push(line);
    line = indent;
  };
  for (const raw of text.split(/\s+/).filter(Boolean)) {
    let word = raw;
    while (word.length > width - indent.length) {
      if (line.trim()) push();
      out.push((line + word.slice(0, width - line.length)).trimEnd());
      word = word.slice(width - line.length);
      line = indent;
    }
    if (line.trim() && line.length + 1 + word.length > width) push();
    line = line.trim() ? `${line} ${word}` : `${line}${word}`;
  }
  if (line.trim()) out.push(line);
  return out.length ? out : [''];
}

/** The days of an hour-of-week grid, Monday first (ISO weeks). */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** "Mon 19 Oct – Sun 25 Oct 2026": the period's first and last local day (its end is exclusive). */
export function dateRange(p: { start: string; end: string }): string {
  const last = new Date(`${p.end.slice(0, 10)}T12:00:00Z`);
  last.setUTCDate(last.getUTCDate() - 1);
  return `${formatYmd(p.start.slice(0, 10))} – ${formatYmd(last.toISOString().slice(0, 10), true)}`;
}

/** Month labels in words: "2026-04", "2026-04 and 2026-05", "2026-04 to 2026-08 (5 months)" when consecutive. */
export function listMonths(ms: readonly string[]): string {
  if (ms.length === 1) return ms[0]!;
  const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7));
  const consecutive = ms.every((m, i) => i === 0 || index(m) === index(ms[i - 1]!) + 1);
  if (consecutive && ms.length > 2) return `${ms[0]} to ${ms.at(-1)} (${ms.length} months)`;
  return `${ms.slice(0, -1).join(', ')} and ${ms.at(-1)}`;
}
