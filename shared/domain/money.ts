/** Money in integer minor units (cents): a decimal string in, a decimal string out, never a float in between. */

/** A decimal string ("1234.5", "-0.07") to integer cents; throws on anything else. */
export function toCents(amount: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!m) throw new RangeError(`"${amount}" is not a decimal amount`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) throw new RangeError(`"${amount}" is too large`);
  return m[1] ? -cents : cents;
}

/** Integer cents to a decimal string with two places ("12345.67"). */
export function fromCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Divide cents by a count, rounding half to even (banker's rounding: no drift when many figures are summed). */
export function divideCents(cents: number, by: number): number {
  const q = cents / by;
  const floor = Math.floor(q);
  const diff = q - floor;
  if (Math.abs(diff - 0.5) < 1e-9) return floor % 2 === 0 ? floor : floor + 1;
  return Math.round(q);
}

/** Multiply a cents rate by a quantity (e.g. hours), rounding half to even. */
export function multiplyCents(cents: number, quantity: number): number {
  return divideCents(cents * quantity, 1);
}
