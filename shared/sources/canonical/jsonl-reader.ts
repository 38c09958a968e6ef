import { isAscii } from 'node:buffer';
import { open } from 'node:fs/promises';
import type { z } from 'zod';

/** A line of an input file that is not a valid canonical record: names the file, the line and the field. */
export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || '(record)'}: ${issue.message}`;
}

const CHUNK = 4 << 20;
const NEWLINE = 10;

/**
 * Call `onLine` for every line of a file with its 1-based number. Reads big chunks and splits them itself (several
 * times cheaper than readline for millions of short lines); a line never splits inside a UTF-8 sequence because the
 * split is at a newline byte.
 */
async function forEachLine(path: string, onLine: (line: string, n: number) => void): Promise<void> {
  const fh = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let carry = 0; // bytes of an unfinished line at the start of buf
    let n = 0;
    for (;;) {
      if (carry === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, carry, buf.length - carry, null);
      const end = carry + bytesRead;
      const last = bytesRead === 0 ? end : buf.lastIndexOf(NEWLINE, end - 1);
      if (last >= 0) {
        const stop = bytesRead === 0 ? end : last;
        // Plain ASCII (almost every export) decodes as latin1, a copy; anything else as UTF-8.
        const text = buf.toString(isAscii(buf.subarray(0, stop)) ? 'latin1' : 'utf8', 0, stop);
        let from = 0;
        while (from <= text.length) {
          let to = text.indexOf('\n', from);
          if (to < 0) to = text.length;
          const line = to > from && text.charCodeAt(to - 1) === 13 ? text.slice(from, to - 1) : text.slice(from, to);
          n++;
          if (bytesRead > 0 || to > from) onLine(line, n);
          from = to + 1;
        }
        if (bytesRead === 0) return;
        carry = end - last - 1;
        buf.copy(buf, 0, last + 1, end);
      } else carry = end;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Stream a JSONL file: each line is parsed, taken by `fast` when it accepts it, else validated with `schema` and
 * converted with `convert`; an invalid line throws InputFileError naming the file, the line and the field.
 */
export async function readJsonl<S extends z.ZodType, T>(
  path: string,
  name: string,
  schema: S,
  convert: (r: z.infer<S>) => T,
  onRecord: (r: T) => void,
  fast?: (r: Record<string, unknown>) => T | undefined,
) {
  await forEachLine(path, (line, n) => {
    // A record starts with "{"; anything else that trims to nothing (spaces, a BOM, NBSP) is a blank line.
    if (line.length === 0 || (line.charCodeAt(0) !== 123 && line.trim() === '')) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new InputFileError(name, n, `not valid JSON (${(e as Error).message})`);
    }
    if (fast && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const hit = fast(raw as Record<string, unknown>);
      if (hit !== undefined) return onRecord(hit);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new InputFileError(name, n, describeIssue(parsed.error));
    onRecord(convert(parsed.data));
  });
}
