import { SourceError } from '../errors.js';
import { keysOf } from '../mcp-client.js';
import { nothingMapped } from '../reader.js';

/**
 * The list a tool's answer holds under `key`. Only an explicit list counts: an absent key (a wrapper the client did not
 * know, a renamed field, an answer of another shape) is an error naming the tool, the key expected and the keys found,
 * never an empty list; `where` says which part of the answer was read (e.g. `ruleAlerts[2]`).
 */
export function listAt(source: string, tool: string, body: unknown, key: string, where?: string): unknown[] {
  const at = where ? `${where}.` : '';
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new SourceError(source, `${tool} answered ${keysOf(body)} where an object with "${at}${key}" was expected`);
  const items = (body as Record<string, unknown>)[key];
  if (items === undefined)
    throw new SourceError(
      source,
      `${tool} answered without "${at}${key}" (keys found${where ? ` in ${where}` : ''}: ${keysOf(body)})`,
    );
  if (!Array.isArray(items)) throw new SourceError(source, `${tool} answered "${at}${key}" that is not a list`);
  return items;
}

/** An instant from a source: epoch milliseconds (number or digit string) or an ISO-8601 string; undefined if neither. */
export function toIso(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value === 'string' && /^\d{12,14}$/.test(value)) return new Date(Number(value)).toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(Date.parse(value)).toISOString();
  return undefined;
}

/**
 * The source answered `seen` items of one tool and none became a record (reader.ts `nothingMapped`): a failed read
 * naming the first reason, never "ok, 0". Collection then writes nothing for the window, so an unreadable answer
 * cannot pass for an empty one.
 */
export function failIfNothingMapped(
  source: string,
  what: string,
  seen: number,
  kept: number,
  rejects: { samples: { reason: string }[] },
): void {
  const failed = nothingMapped(
    { answered: seen, kept, example: rejects.samples[0]?.reason },
    (why) => `${what}: the server answered ${seen} item(s) and none could be read${why ? ` (first: ${why})` : ''}`,
  );
  if (failed) throw new SourceError(source, failed);
}

/** Fixed-point scale of summed amounts: 12 decimals, so summing many small billed amounts loses nothing. */
const SCALE = 12;

/**
 * A decimal amount (`"812.3456789"`, `"-0.5"`, `"1.2E-7"`, or a finite number) as an integer count of 10⁻¹² units,
 * so a month's rows can be summed exactly and rounded once; undefined if it is not a number.
 */
export function toScaled(value: unknown): bigint | undefined {
  const s =
    typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return undefined;
  const digits = `${m[2]}${m[3] ?? ''}`;
  const exp = Number(m[4] ?? 0) - (m[3] ?? '').length + SCALE;
  if (Math.abs(exp) > 40) return undefined;
  let v: bigint;
  if (exp >= 0) v = BigInt(digits) * 10n ** BigInt(exp);
  else {
    const div = 10n ** BigInt(-exp);
    v = BigInt(digits) / div;
    if ((BigInt(digits) % div) * 2n >= div) v += 1n;
  }
  return m[1] === '-' ? -v : v;
}

/** A `toScaled` sum as a two-decimal string, rounded half away from zero once. */
export function scaledToAmount(v: bigint): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const unit = 10n ** BigInt(SCALE - 2);
  let cents = abs / unit;
  if ((abs % unit) * 2n >= unit) cents += 1n;
  const out = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
  return neg && cents !== 0n ? `-${out}` : out;
}
