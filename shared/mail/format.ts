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
