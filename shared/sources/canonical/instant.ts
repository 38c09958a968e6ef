/**
 * Epoch milliseconds of the ISO-8601 instants canonical files carry, read without a regular expression or a Date:
 * the fast paths of the big files read every instant with it (fast-record-checks.ts).
 */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digit = (s: string, i: number) => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/**
 * Epoch ms of `yyyy-mm-ddThh:mm:ss[.f…](Z|±hh:mm)` with a real calendar date and in-range fields; NaN for anything
 * else (which then goes to zod). Equal to `Date.parse` wherever it is not NaN.
 */
export function parseInstant(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const n = v.length;
  if (n < 20 || v[4] !== '-' || v[7] !== '-' || v[10] !== 'T' || v[13] !== ':' || v[16] !== ':') return NaN;
  const y = two(v, 0) * 100 + two(v, 2);
  const mo = two(v, 5);
  const d = two(v, 8);
  const h = two(v, 11);
  const mi = two(v, 14);
  const se = two(v, 17);
  // Years before 1000 go to zod (Date.UTC reads years 0–99 as 1900–1999).
  if (!(y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && se <= 59)) return NaN; // NaN fails every test
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return NaN;
  let i = 19;
  let ms = 0;
  if (v[i] === '.') {
    const from = ++i;
    while (i < n && !Number.isNaN(digit(v, i))) i++;
    const k = i - from;
    if (k === 0) return NaN;
    // Milliseconds are the first three digits; further digits are truncated, as Date.parse does.
    ms = digit(v, from) * 100 + (k > 1 ? digit(v, from + 1) * 10 : 0) + (k > 2 ? digit(v, from + 2) : 0);
  }
  let offset = 0;
  if (v[i] === 'Z' && i + 1 === n) offset = 0;
  else if ((v[i] === '+' || v[i] === '-') && i + 6 === n && v[i + 3] === ':') {
    const oh = two(v, i + 1);
    const om = two(v, i + 4);
    if (!(oh <= 23 && om <= 59)) return NaN;
    offset = (v[i] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  } else return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, se, ms) - offset;
}
