import * as z from 'zod';
import { BinaryPayloadError, hasMagic, PayloadReader, writePayload } from './binary-payload.js';
import type { AlertColumns, AlertCount } from '../../domain/facts.js';
import { SEVERITIES, SEVERITY_INDEX } from '../../domain/records.js';

/**
 * A day of alert counts as stored (its one stored format): binary columns, which the engine reads without an object
 * per count or a number parsed from text (a monthly report reads hundreds of thousands of them):
 *
 *     "SPAB", version 1, n counts (binary-payload.ts)
 *     head: JSON { base, escapedAt, escapedCounts, rules: [...] }     text: {}
 *     f64: the escaped instants, then the escaped counts (in row order)
 *     i32: each bucket's instant as milliseconds after `base` (ESCAPED: the next escaped instant, when it is not a
 *          whole number of milliseconds within ±24 days of it); the rule, as an index into `rules`
 *     u32: the count (0: the next escaped count, when above 2³² − 1)
 *     u8:  sev
 *
 * Decoding checks every value as AlertCountSchema would, and the exact length.
 */
export const ALERT_BATCH_MAGIC = 'SPAB';
const VERSION = 1;
const ESCAPED = -0x80000000;

/** True when `bytes` begin as a binary alerts payload does. */
export function isAlertBatch(bytes: Uint8Array): boolean {
  return hasMagic(bytes, ALERT_BATCH_MAGIC);
}

/** The binary form of `counts` (validated); `AlertBatch.decode(...).rows()` gives back exactly `counts`. */
export function encodeAlertBatch(counts: readonly AlertCount[]): Uint8Array {
  const n = counts.length;
  let base = 0;
  for (let i = 0; i < n; i++) {
    const { at, count } = counts[i]!;
    if (!Number.isFinite(at)) throw new RangeError(`alert count ${i}: at is not a finite number`);
    if (!Number.isSafeInteger(count) || count <= 0) throw new RangeError(`alert count ${i}: count is not positive`);
    if (!SEVERITY_INDEX.has(counts[i]!.sev)) throw new RangeError(`alert count ${i}: sev is not a severity`);
    if (i === 0 || at < base) base = at;
  }
  const at = new Int32Array(n);
  const escapedAt: number[] = [];
  const count = new Uint32Array(n);
  const escapedCounts: number[] = [];
  const rule = new Int32Array(n);
  const sev = new Uint8Array(n);
  const rules: string[] = [];
  const ruleIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const a = counts[i]!;
    const d = a.at - base;
    if (Number.isInteger(d) && d <= 0x7fffffff && base + d === a.at) at[i] = d;
    else {
      at[i] = ESCAPED;
      escapedAt.push(a.at);
    }
    if (a.count <= 0xffffffff) count[i] = a.count;
    else escapedCounts.push(a.count);
    let k = ruleIndex.get(a.rule);
    if (k === undefined) ruleIndex.set(a.rule, (k = rules.push(a.rule) - 1));
    rule[i] = k;
    sev[i] = SEVERITY_INDEX.get(a.sev)!;
  }
  return writePayload(
    ALERT_BATCH_MAGIC,
    VERSION,
    n,
    { base, escapedAt: escapedAt.length, escapedCounts: escapedCounts.length, rules },
    {},
    [Float64Array.from(escapedAt), Float64Array.from(escapedCounts), at, rule, count, sev],
  );
}

type Head = z.infer<typeof HeadSchema>;

/** A decoded day of alert counts: columns over the stored bytes, read row by row without an object per count. */
export class AlertBatch {
  private constructor(
    readonly length: number,
    private readonly head: Head,
    private readonly escapedAt: Float64Array,
    private readonly escapedCounts: Float64Array,
    private readonly at: Int32Array,
    private readonly rule: Int32Array,
    private readonly count: Uint32Array,
    private readonly sev: Uint8Array,
  ) {}

  /** Decode and check a binary alerts payload; a BinaryPayloadError names what is wrong. */
  static decode(input: Uint8Array): AlertBatch {
    const r = PayloadReader.open(input, ALERT_BATCH_MAGIC, VERSION, 'alerts');
    const { n, head } = r;
    checkHead(head);
    r.expectColumnBytes(8 * (head.escapedAt + head.escapedCounts) + 13 * n);
    const batch = new AlertBatch(
      n,
      head,
      r.take(Float64Array, head.escapedAt),
      r.take(Float64Array, head.escapedCounts),
      r.take(Int32Array, n),
      r.take(Int32Array, n),
      r.take(Uint32Array, n),
      r.take(Uint8Array, n),
    );
    batch.check();
    return batch;
  }

  /** Every value as AlertCountSchema accepts it. */
  private check(): void {
    const bad = (field: string, i: number) => new BinaryPayloadError(`alert count ${i}: ${field} is out of range`);
    let ea = 0;
    let ec = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.at[i] === ESCAPED && !Number.isFinite(this.escapedAt[ea++])) throw bad('at', i);
      if (this.count[i] === 0) {
        const c = this.escapedCounts[ec++];
        if (c === undefined || !Number.isSafeInteger(c) || c <= 0) throw bad('count', i);
      }
      if (this.rule[i]! < 0 || this.rule[i]! >= this.head.rules.length) throw bad('rule', i);
      if (this.sev[i]! >= SEVERITIES.length) throw bad('sev', i);
    }
    if (ea !== this.escapedAt.length || ec !== this.escapedCounts.length)
      throw new BinaryPayloadError('its escaped values do not match its rows');
  }

  /** The columns the engine computes over (AlertColumns): severity and rule are the stored arrays themselves. */
  columns(): AlertColumns {
    const { at, count, escapedAt, escapedCounts } = this;
    const { base, rules } = this.head;
    const n = this.length;
    const instants = new Float64Array(n);
    const counts = new Float64Array(n);
    for (let i = 0, ea = 0, ec = 0; i < n; i++) {
      const t = at[i]!;
      instants[i] = t === ESCAPED ? escapedAt[ea++]! : base + t;
      const c = count[i]!;
      counts[i] = c === 0 ? escapedCounts[ec++]! : c;
    }
    return { length: n, at: instants, sev: this.sev, count: counts, rule: this.rule, rules };
  }

  /** Call `fn` with each count, in stored order (from `columns()`). The object passed is reused: never keep it. */
  forEach(fn: (a: AlertCount) => void): void {
    const c = this.columns();
    const row: AlertCount = { at: 0, rule: '', sev: 'info', count: 0 };
    for (let i = 0; i < c.length; i++) {
      row.at = c.at[i]!;
      row.rule = c.rules[c.rule[i]!]!;
      row.sev = SEVERITIES[c.sev[i]!]!;
      row.count = c.count[i]!;
      fn(row);
    }
  }

  /** The counts as AlertCount objects, keys in AlertCountSchema order: what zod would give. */
  rows(): AlertCount[] {
    const out: AlertCount[] = [];
    this.forEach((a) => out.push({ at: a.at, rule: a.rule, sev: a.sev, count: a.count }));
    return out;
  }
}

/** The head of an alerts payload: the base instant, how many values are escaped, and the rules' dictionary. */
const HeadSchema = z.object({
  base: z.number(),
  escapedAt: z.number().int().min(0),
  escapedCounts: z.number().int().min(0),
  rules: z.array(z.string()),
});

function checkHead(h: unknown): asserts h is Head {
  if (!HeadSchema.safeParse(h).success) throw new BinaryPayloadError('its column list is not valid');
}
