import type { CaseFacts, CaseMetrics } from './facts.js';
import { DISPOSITIONS, SEVERITIES } from './records.js';

/**
 * A day of cases as stored since payload format 3: binary columns. The engine reads a report's hundreds of thousands
 * of cases from here without building an object per case or parsing a number from text:
 *
 *     "SPCB" u8 version=1, 3 bytes zero | u32 n | u32 headBytes | u32 textBytes          (little-endian)
 *     head: JSON { f64: [fields], abs: [fields], i32: [fields], u8: [fields], runbook?: [...], rule?: [...] }
 *     text: JSON { id: [...], assignee?: [...], title?: [...] }  — parsed only when rows are asked for
 *     zero padding to a multiple of 8
 *     f64 columns: created, then the instants and handle minutes present (NaN = absent); an instant is stored as
 *       its distance from `created` (more zero bytes: it compresses better) unless listed in `abs`
 *     i32 columns: the free-text fields present, as indices into their distinct values (-1 = absent)
 *     u8 columns: sev, then disp, tier, esc present (255 = absent)
 *
 * A column is left out when no case has the field. Decoding checks every value as CaseFactsSchema would, and the
 * exact length; a stored payload it refuses is named by the store (key and reason).
 */
export const CASE_BATCH_MAGIC = 'SPCB';
const VERSION = 1;
const HEADER = 20;
const NONE = 255;

const TIME_FIELDS = ['firstEvent', 'detected', 'ack', 'contained', 'closed'] as const;
const F64_FIELDS = [...TIME_FIELDS, 'handle'] as const;
const I32_FIELDS = ['runbook', 'rule', 'assignee', 'title'] as const;
const U8_FIELDS = ['disp', 'tier', 'esc'] as const;
type F64Field = (typeof F64_FIELDS)[number];
type I32Field = (typeof I32_FIELDS)[number];
type U8Field = (typeof U8_FIELDS)[number];

const SEV_INDEX = new Map<unknown, number>(SEVERITIES.map((s, i) => [s, i]));
const DISP_INDEX = new Map<unknown, number>(DISPOSITIONS.map((s, i) => [s, i]));
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A stored cases payload that cannot be decoded; the store adds which item. */
export class CaseBatchError extends Error {
  override name = 'CaseBatchError';
}

/** True when `bytes` begin as a binary cases payload does. */
export function isCaseBatch(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x53 && bytes[1] === 0x50 && bytes[2] === 0x43 && bytes[3] === 0x42;
}

/** The binary form of `cases` (validated case facts); `CaseBatch.decode(...).rows()` gives back exactly `cases`. */
export function encodeCaseBatch(cases: readonly CaseFacts[]): Uint8Array {
  if (!LITTLE_ENDIAN) throw new CaseBatchError('binary cases payloads need a little-endian machine');
  const n = cases.length;
  const has = (f: keyof CaseFacts) => cases.some((c) => c[f] !== undefined);
  const f64 = F64_FIELDS.filter(has);
  const i32 = I32_FIELDS.filter(has);
  const u8 = U8_FIELDS.filter(has);
  const finite = (v: number, f: string, i: number) => {
    if (!Number.isFinite(v)) throw new RangeError(`case ${i}: ${f} is not a finite number`);
    return v;
  };
  const created = new Float64Array(n);
  for (let i = 0; i < n; i++) created[i] = finite(cases[i]!.created, 'created', i);
  const abs: F64Field[] = [];
  const f64Cols = f64.map((f) => {
    const col = new Float64Array(n);
    let relative = TIME_FIELDS.includes(f as (typeof TIME_FIELDS)[number]);
    for (let i = 0; i < n; i++) {
      const v = cases[i]![f];
      if (v === undefined) col[i] = NaN;
      else {
        col[i] = finite(v, f, i);
        // Relative only when it gives back the exact instant (always, for whole milliseconds).
        if (relative && created[i]! + (v - created[i]!) !== v) relative = false;
      }
    }
    if (relative) for (let i = 0; i < n; i++) col[i]! -= created[i]!;
    else if (TIME_FIELDS.includes(f as (typeof TIME_FIELDS)[number])) abs.push(f);
    return col;
  });
  const dicts: Partial<Record<I32Field, string[]>> = {};
  const i32Cols = i32.map((f) => {
    const col = new Int32Array(n);
    const d: string[] = [];
    const at = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = cases[i]![f];
      if (s === undefined) col[i] = -1;
      else {
        let k = at.get(s);
        if (k === undefined) at.set(s, (k = d.push(s) - 1));
        col[i] = k;
      }
    }
    dicts[f] = d;
    return col;
  });
  const sev = new Uint8Array(n);
  for (let i = 0; i < n; i++) sev[i] = SEV_INDEX.get(cases[i]!.sev)!;
  const u8Cols = u8.map((f) => {
    const col = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = cases[i]![f];
      col[i] = v === undefined ? NONE : f === 'disp' ? DISP_INDEX.get(v)! : (v as number);
    }
    return col;
  });
  const head = Buffer.from(JSON.stringify({ f64, abs, i32, u8, ...pick(dicts, ['runbook', 'rule']) }), 'utf8');
  const text = Buffer.from(
    JSON.stringify({ id: cases.map((c) => c.id), ...pick(dicts, ['assignee', 'title']) }),
    'utf8',
  );
  const dataAt = align8(HEADER + head.length + text.length);
  const total = dataAt + n * (8 * (1 + f64.length) + 4 * i32.length + 1 + u8.length);
  const out = Buffer.alloc(total);
  out.write(CASE_BATCH_MAGIC, 0, 'latin1');
  out[4] = VERSION;
  out.writeUInt32LE(n, 8);
  out.writeUInt32LE(head.length, 12);
  out.writeUInt32LE(text.length, 16);
  head.copy(out, HEADER);
  text.copy(out, HEADER + head.length);
  let at = dataAt;
  const put = (a: Float64Array | Int32Array | Uint8Array) => {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, at);
    at += a.byteLength;
  };
  [created, ...f64Cols, ...i32Cols, sev, ...u8Cols].forEach(put);
  return out;
}

interface Head {
  f64: F64Field[];
  abs: F64Field[];
  i32: I32Field[];
  u8: U8Field[];
  runbook?: string[];
  rule?: string[];
}

/** A decoded day of cases: columns over the stored bytes, read row by row without an object per case. */
export class CaseBatch {
  private constructor(
    readonly length: number,
    private readonly bytes: Uint8Array,
    private readonly textAt: number,
    private readonly textBytes: number,
    private readonly created: Float64Array,
    private readonly f64: Partial<Record<F64Field, Float64Array>>,
    private readonly relative: ReadonlySet<F64Field>,
    private readonly i32: Partial<Record<I32Field, Int32Array>>,
    private readonly sev: Uint8Array,
    private readonly u8: Partial<Record<U8Field, Uint8Array>>,
    private readonly head: Head,
  ) {}

  /** Decode and check a binary cases payload; a CaseBatchError names what is wrong. */
  static decode(input: Uint8Array): CaseBatch {
    if (!LITTLE_ENDIAN) throw new CaseBatchError('binary cases payloads need a little-endian machine');
    if (!isCaseBatch(input) || input.length < HEADER) throw new CaseBatchError('not a binary cases payload');
    if (input[4] !== VERSION) throw new CaseBatchError(`binary cases payload version ${input[4]} is not supported`);
    const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const n = view.getUint32(8, true);
    const headBytes = view.getUint32(12, true);
    const textBytes = view.getUint32(16, true);
    const textAt = HEADER + headBytes;
    if (textAt + textBytes > input.length) throw new CaseBatchError('truncated before its columns');
    let head: Head;
    try {
      head = JSON.parse(Buffer.from(input.buffer, input.byteOffset + HEADER, headBytes).toString('utf8')) as Head;
    } catch {
      throw new CaseBatchError('its column list is not JSON');
    }
    checkHead(head);
    const dataAt = align8(textAt + textBytes);
    const size = dataAt + n * (8 * (1 + head.f64.length) + 4 * head.i32.length + 1 + head.u8.length);
    if (input.length !== size) throw new CaseBatchError(`${input.length} bytes where ${n} cases take ${size}`);
    // Typed arrays over the bytes need aligned offsets: copy once when the buffer is not.
    const bytes = (input.byteOffset & 7) === 0 ? input : new Uint8Array(input);
    let at = bytes.byteOffset + dataAt;
    const f64Col = () => {
      const a = new Float64Array(bytes.buffer, at, n);
      at += 8 * n;
      return a;
    };
    const created = f64Col();
    const f64: Partial<Record<F64Field, Float64Array>> = {};
    for (const f of head.f64) f64[f] = f64Col();
    const i32: Partial<Record<I32Field, Int32Array>> = {};
    for (const f of head.i32) {
      i32[f] = new Int32Array(bytes.buffer, at, n);
      at += 4 * n;
    }
    const sev = new Uint8Array(bytes.buffer, at, n);
    at += n;
    const u8: Partial<Record<U8Field, Uint8Array>> = {};
    for (const f of head.u8) {
      u8[f] = new Uint8Array(bytes.buffer, at, n);
      at += n;
    }
    const relative = new Set(head.f64.filter((f) => f !== 'handle' && !head.abs.includes(f)));
    const batch = new CaseBatch(n, bytes, textAt, textBytes, created, f64, relative, i32, sev, u8, head);
    batch.check();
    return batch;
  }

  /** Every value as CaseFactsSchema accepts it: instants and minutes finite, indices in range. */
  private check(): void {
    const n = this.length;
    const bad = (field: string, i: number) => new CaseBatchError(`case ${i}: ${field} is out of range`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(this.created[i])) throw bad('created', i);
      if (this.sev[i]! >= SEVERITIES.length) throw bad('sev', i);
    }
    for (const [f, col] of Object.entries(this.f64) as [F64Field, Float64Array][]) {
      const rel = this.relative.has(f);
      for (let i = 0; i < n; i++) {
        const v = col[i]!;
        // NaN is absent; a relative instant must stay finite once its case's creation is added.
        if (v === v && !Number.isFinite(rel ? this.created[i]! + v : v)) throw bad(f, i);
      }
    }
    for (const [f, col] of Object.entries(this.i32) as [I32Field, Int32Array][]) {
      const size = f === 'runbook' || f === 'rule' ? (this.head[f]?.length ?? 0) : Infinity;
      for (let i = 0; i < n; i++) if (col[i]! < -1 || col[i]! >= size) throw bad(f, i);
    }
    const ok: Record<U8Field, (v: number) => boolean> = {
      disp: (v) => v < DISPOSITIONS.length,
      tier: (v) => v >= 1 && v <= 3,
      esc: (v) => v === 2 || v === 3,
    };
    for (const [f, col] of Object.entries(this.u8) as [U8Field, Uint8Array][])
      for (let i = 0; i < n; i++) if (col[i] !== NONE && !ok[f](col[i]!)) throw bad(f, i);
  }

  /**
   * Call `fn` with each case's metric facts, in stored order. The object passed is reused for the next case:
   * read it, never keep it.
   */
  forEach(fn: (c: CaseMetrics) => void): void {
    const { created, sev, relative } = this;
    const { firstEvent, detected, ack, contained, closed, handle } = this.f64;
    const runbookIdx = this.i32.runbook;
    const ruleIdx = this.i32.rule;
    const runbooks = this.head.runbook ?? [];
    const rules = this.head.rule ?? [];
    const { disp, tier, esc } = this.u8;
    const rel = (f: F64Field) => relative.has(f);
    const [rFirst, rDet, rAck, rCont, rClosed] = [
      rel('firstEvent'),
      rel('detected'),
      rel('ack'),
      rel('contained'),
      rel('closed'),
    ];
    // Every key set on every row, so the one object keeps one shape.
    const row: CaseMetrics = {
      sev: 'info',
      created: 0,
      firstEvent: undefined,
      detected: undefined,
      ack: undefined,
      contained: undefined,
      closed: undefined,
      disp: undefined,
      tier: undefined,
      esc: undefined,
      runbook: undefined,
      rule: undefined,
      handle: undefined,
    };
    let v: number;
    for (let i = 0; i < this.length; i++) {
      const c = created[i]!;
      row.sev = SEVERITIES[sev[i]!]!;
      row.created = c;
      row.firstEvent = firstEvent && (v = firstEvent[i]!) === v ? (rFirst ? v + c : v) : undefined;
      row.detected = detected && (v = detected[i]!) === v ? (rDet ? v + c : v) : undefined;
      row.ack = ack && (v = ack[i]!) === v ? (rAck ? v + c : v) : undefined;
      row.contained = contained && (v = contained[i]!) === v ? (rCont ? v + c : v) : undefined;
      row.closed = closed && (v = closed[i]!) === v ? (rClosed ? v + c : v) : undefined;
      row.handle = handle && (v = handle[i]!) === v ? v : undefined;
      row.disp = disp && (v = disp[i]!) !== NONE ? DISPOSITIONS[v] : undefined;
      row.tier = tier && (v = tier[i]!) !== NONE ? v : undefined;
      row.esc = esc && (v = esc[i]!) !== NONE ? v : undefined;
      row.runbook = runbookIdx && (v = runbookIdx[i]!) >= 0 ? runbooks[v] : undefined;
      row.rule = ruleIdx && (v = ruleIdx[i]!) >= 0 ? rules[v] : undefined;
      fn(row);
    }
  }

  /** The cases as CaseFacts, keys in CaseFactsSchema order and absent fields left out: what zod would give. */
  rows(): CaseFacts[] {
    let text: { id?: unknown; assignee?: unknown; title?: unknown };
    try {
      text = JSON.parse(
        Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.textAt, this.textBytes).toString('utf8'),
      ) as typeof text;
    } catch {
      throw new CaseBatchError('its ids and texts are not JSON');
    }
    const strings = (v: unknown, what: string, size?: number): string[] => {
      if (!Array.isArray(v) || (size !== undefined && v.length !== size) || v.some((s) => typeof s !== 'string'))
        throw new CaseBatchError(`its ${what} are not ${size ?? 'a list of'} strings`);
      return v as string[];
    };
    const ids = strings(text.id, 'ids', this.length);
    const assignees = this.i32.assignee ? strings(text.assignee, 'assignees') : [];
    const titles = this.i32.title ? strings(text.title, 'titles') : [];
    const textOf = (col: Int32Array | undefined, d: string[], f: string, i: number) => {
      const k = col![i]!;
      if (k >= d.length) throw new CaseBatchError(`case ${i}: ${f} is out of range`);
      return k < 0 ? undefined : d[k];
    };
    const out = new Array<CaseFacts>(this.length);
    let i = 0;
    this.forEach((m) => {
      const c: CaseFacts = { id: ids[i]!, sev: m.sev, created: m.created };
      if (m.firstEvent !== undefined) c.firstEvent = m.firstEvent;
      if (m.detected !== undefined) c.detected = m.detected;
      if (m.ack !== undefined) c.ack = m.ack;
      if (m.contained !== undefined) c.contained = m.contained;
      if (m.closed !== undefined) c.closed = m.closed;
      if (m.disp !== undefined) c.disp = m.disp;
      if (m.tier !== undefined) c.tier = m.tier;
      if (m.esc !== undefined) c.esc = m.esc;
      if (m.runbook !== undefined) c.runbook = m.runbook;
      if (m.rule !== undefined) c.rule = m.rule;
      if (m.handle !== undefined) c.handle = m.handle;
      const assignee = this.i32.assignee ? textOf(this.i32.assignee, assignees, 'assignee', i) : undefined;
      if (assignee !== undefined) c.assignee = assignee;
      const title = this.i32.title ? textOf(this.i32.title, titles, 'title', i) : undefined;
      if (title !== undefined) c.title = title;
      out[i++] = c;
    });
    return out;
  }
}

function checkHead(h: unknown): asserts h is Head {
  const fail = () => new CaseBatchError('its column list is not valid');
  if (typeof h !== 'object' || h === null) throw fail();
  const r = h as Record<string, unknown>;
  const subset = (v: unknown, of: readonly string[]) =>
    Array.isArray(v) && v.every((x, i) => of.includes(x as string) && v.indexOf(x) === i);
  if (
    !subset(r.f64, F64_FIELDS) ||
    !subset(r.abs, TIME_FIELDS) ||
    !subset(r.i32, I32_FIELDS) ||
    !subset(r.u8, U8_FIELDS)
  )
    throw fail();
  if (!(r.abs as string[]).every((f) => (r.f64 as string[]).includes(f))) throw fail();
  // Columns are stored in their fixed order: a list out of order would read one field's values as another's.
  for (const [list, order] of [
    [r.f64, F64_FIELDS],
    [r.i32, I32_FIELDS],
    [r.u8, U8_FIELDS],
  ] as const)
    if ((list as string[]).some((f, i, l) => i > 0 && order.indexOf(f as never) < order.indexOf(l[i - 1] as never)))
      throw fail();
  for (const f of ['runbook', 'rule'] as const) {
    const d = r[f];
    if ((r.i32 as string[]).includes(f) !== (d !== undefined)) throw fail();
    if (d !== undefined && !(Array.isArray(d) && d.every((s) => typeof s === 'string'))) throw fail();
  }
}

function pick<T extends object, K extends keyof T>(o: T, ks: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of ks) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

const align8 = (x: number) => (x + 7) & ~7;
