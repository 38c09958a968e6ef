import { endianness } from 'node:os';
import * as z from 'zod';
/**
 * The container of the binary snapshot payloads (cases, alerts): a fixed header, two JSON blocks, then columns.
 *
 *     magic (4 ASCII bytes) | u8 version, 3 bytes zero | u32 n | u32 headBytes | u32 textBytes   (little-endian)
 *     head: JSON — what the columns are; read with the columns
 *     text: JSON — free text the metric engine never reads; parsed only when asked for
 *     zero padding to a multiple of 8, then the columns, widest first so each starts aligned
 *
 * It never begins with `{`, so a store tells it from a JSON payload by its first byte.
 */
const HEADER = 20;
/** Typed arrays use the machine's byte order; the stored forms assume little-endian. */
const LITTLE_ENDIAN = endianness() === 'LE';

/** A stored binary payload that cannot be decoded; the store adds which item. */
export class BinaryPayloadError extends Error {
  override name = 'BinaryPayloadError';
}

/** True when `bytes` begin with the 4-character `magic`. */
export function hasMagic(bytes: Uint8Array, magic: string): boolean {
  if (bytes.length < 4) return false;
  for (let i = 0; i < 4; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}

/** Lay out a payload: header, the two JSON blocks, then the columns in the order given. */
export function writePayload(
  magic: string,
  version: number,
  n: number,
  head: unknown,
  text: unknown,
  columns: ArrayBufferView[],
): Buffer {
  if (!LITTLE_ENDIAN) throw new BinaryPayloadError('binary payloads need a little-endian machine');
  const headBytes = Buffer.from(JSON.stringify(head), 'utf8');
  const textBytes = Buffer.from(JSON.stringify(text), 'utf8');
  const dataAt = align8(HEADER + headBytes.length + textBytes.length);
  const out = Buffer.alloc(dataAt + columns.reduce((sum, c) => sum + c.byteLength, 0));
  out.write(magic, 0, 'latin1');
  out[4] = version;
  out.writeUInt32LE(n, 8);
  out.writeUInt32LE(headBytes.length, 12);
  out.writeUInt32LE(textBytes.length, 16);
  headBytes.copy(out, HEADER);
  textBytes.copy(out, HEADER + headBytes.length);
  let at = dataAt;
  for (const c of columns) {
    Buffer.from(c.buffer, c.byteOffset, c.byteLength).copy(out, at);
    at += c.byteLength;
  }
  return out;
}

/** A payload's header read and checked: its count, head (parsed JSON) and a reader over its columns. */
export class PayloadReader {
  private offset: number;
  private readonly bytes: Uint8Array;

  private constructor(
    input: Uint8Array,
    readonly n: number,
    readonly head: unknown,
    private readonly textAt: number,
    private readonly textBytes: number,
  ) {
    // Typed arrays over the bytes need aligned offsets: copy once when the buffer is not.
    this.bytes = (input.byteOffset & 7) === 0 ? input : new Uint8Array(input);
    this.offset = align8(textAt + textBytes);
  }

  /** Read the header of a payload that must begin with `magic` and be of `version`; `what` names it in errors. */
  static open(input: Uint8Array, magic: string, version: number, what: string): PayloadReader {
    if (!LITTLE_ENDIAN) throw new BinaryPayloadError('binary payloads need a little-endian machine');
    if (!hasMagic(input, magic) || input.length < HEADER) throw new BinaryPayloadError(`not a binary ${what} payload`);
    if (input[4] !== version)
      throw new BinaryPayloadError(`binary ${what} payload version ${input[4]} is not supported`);
    const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const n = view.getUint32(8, true);
    const headBytes = view.getUint32(12, true);
    const textBytes = view.getUint32(16, true);
    const textAt = HEADER + headBytes;
    if (textAt + textBytes > input.length) throw new BinaryPayloadError('truncated before its columns');
    let head: unknown;
    try {
      head = JSON.parse(Buffer.from(input.buffer, input.byteOffset + HEADER, headBytes).toString('utf8'));
    } catch {
      throw new BinaryPayloadError('its column list is not JSON');
    }
    return new PayloadReader(input, n, head, textAt, textBytes);
  }

  /** Check that the columns take exactly the rest of the payload: `bytes` in all. */
  expectColumnBytes(bytes: number): void {
    const size = this.offset + bytes;
    if (this.bytes.length !== size)
      throw new BinaryPayloadError(`${this.bytes.length} bytes where ${this.n} rows take ${size}`);
  }

  /** The next column: `count` values of the array type given. */
  take<T>(make: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T, count: number): T {
    const width = (make as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    const a = new make(this.bytes.buffer, this.bytes.byteOffset + this.offset, count);
    this.offset += count * width;
    return a;
  }

  /** The text block, parsed. */
  text(): unknown {
    try {
      return JSON.parse(
        Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.textAt, this.textBytes).toString('utf8'),
      );
    } catch {
      throw new BinaryPayloadError('its text is not JSON');
    }
  }
}

/** A list of distinct members of `of` in `of`'s order (columns are stored in a fixed order). */
export function columnList<T extends string>(of: readonly [T, ...T[]]) {
  return z.array(z.enum(of)).refine((v) => v.every((x, i) => i === 0 || of.indexOf(x) > of.indexOf(v[i - 1]!)));
}

/** True for a list of strings. */
export function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

const align8 = (x: number) => (x + 7) & ~7;
