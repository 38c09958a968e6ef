import jsonata from 'jsonata';
import type { z } from 'zod';
import {
  unavailableFigures,
  type FieldSpec,
  type QueryFamily,
  type QuerySpec,
  type TimeFormat,
} from '../../config/query-spec.js';
import type { Family } from '../../domain/day-snapshot.js';
import { AlertSchema, CaseSchema, CostSchema, ShiftSchema } from '../../domain/records.js';
import { SourceError } from '../errors.js';
import { keysOf, type SourceClient } from '../mcp-client.js';
import { RecordValidator, type MappingSample, type RecordBatch, type SourceReader } from '../reader.js';
import { failIfNothingMapped, toIso } from './util.js';

const SCHEMAS: Record<QueryFamily, z.ZodType> = {
  cases: CaseSchema,
  alerts: AlertSchema,
  shifts: ShiftSchema,
  costs: CostSchema,
};
const DAY = 86_400_000;
/** How often a `submit` job's page is asked again while its answer says it is not done. */
const NOT_DONE_RETRIES = 4;
const NOT_DONE_WAIT_MS = 100;
/** How many mapped rows of each family `check-source` shows. */
const SAMPLES_PER_FAMILY = 3;
type Raw = Record<string, unknown>;
type Expression = ReturnType<typeof jsonata>;

interface CompiledField {
  name: string;
  expr: Expression;
  enumMap?: Record<string, string | number | null>;
  time?: TimeFormat | 'auto';
}
interface CompiledFamily {
  family: QueryFamily;
  query: string;
  rowId: Expression;
  fields: CompiledField[];
  /** Every field in one object constructor: one evaluation per row (a failing row is re-read field by field). */
  whole: Expression;
}

/** Canonical fields that hold an instant: read in the field's `time` format, else as ISO or epoch milliseconds. */
const INSTANT_FIELDS = new Set([
  'createdAt',
  'firstEventAt',
  'detectedAt',
  'acknowledgedAt',
  'containedAt',
  'closedAt',
  'start',
  'end',
]);

function compileFamily(family: QueryFamily, f: NonNullable<QuerySpec['families'][QueryFamily]>): CompiledFamily {
  const fields = Object.entries(f.fields).map(([name, spec]: [string, FieldSpec]) => {
    const text = typeof spec === 'string' ? spec : spec.expr;
    const time = typeof spec === 'string' ? undefined : spec.time;
    return {
      name,
      text,
      expr: jsonata(text),
      enumMap: typeof spec === 'string' ? undefined : spec.enum,
      time: time ?? (INSTANT_FIELDS.has(name) ? ('auto' as const) : undefined),
    };
  });
  const whole = jsonata(`{${fields.map((x) => `${JSON.stringify(x.name)}: (${x.text})`).join(', ')}}`);
  return { family, query: f.query, rowId: jsonata(f.rowId), fields, whole };
}

/** An instant written in `format`, as ISO-8601 UTC; undefined if it is not one. */
export function parseTime(value: unknown, format: TimeFormat | 'auto'): string | undefined {
  if (format === 'epoch' || format === 'epochMs') {
    const n =
      typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) return undefined;
    return new Date(format === 'epoch' ? Math.round(n * 1000) : n).toISOString();
  }
  if (format === 'iso') {
    // An ISO instant must say its offset: a local time of unknown zone is not guessed.
    if (typeof value !== 'string' || !/(Z|[+-]\d\d:?\d\d)$/i.test(value.trim())) return undefined;
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  return toIso(value);
}

/** A window bound as the spec writes it. */
function writeTime(ms: number, format: TimeFormat): string {
  if (format === 'epoch') return String(Math.floor(ms / 1000));
  if (format === 'epochMs') return String(ms);
  return new Date(ms).toISOString();
}

/** `{name}` placeholders filled in; an argument that is exactly `{offset}` or `{limit}` is sent as a number. */
function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(from|to|since|offset|limit|sid)\}/g, (m, k: string) =>
    values[k] === undefined ? m : String(values[k]),
  );
}
function fillArgs(args: Record<string, unknown>, values: Record<string, string | number>): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(args)) {
    if (typeof v !== 'string') out[k] = v;
    else if (/^\{(offset|limit)\}$/.test(v)) out[k] = values[v.slice(1, -1)];
    else out[k] = fill(v, values);
  }
  return out;
}

/**
 * A `query` source (config `kind: "query"`, spec in shared/config/query-spec.ts): runs each mapped family's query for
 * the window through the configured tool, pages as declared, finds the rows with the `rows` expression (lists of
 * values are zipped with `columns`), and maps each row with the family's field expressions. The adapter translates
 * shapes only; the canonical validation is the one every adapter uses. Fail closed:
 * - an answer where `rows` finds nothing is an error naming the tool, the expression and the keys found;
 * - an answer that may be cut (`maxRows` reached, `truncated` true, a `submit` job not done or whose `total` disagrees,
 *   a page longer than asked) is an error, never part of a window counted as the whole;
 * - a row whose enum value the map does not know, whose instant does not parse, or that misses a required field is a
 *   reject naming the row (`rowId`) and the field; a family all of whose rows were rejected fails.
 */
export async function queryReader(
  client: SourceClient,
  spec: QuerySpec,
  opts: { redact: (t: string) => string; toolArgs?: Record<string, unknown> },
): Promise<SourceReader> {
  const tools = [spec.tool, ...(spec.paging.mode === 'submit' ? [spec.paging.fetchTool] : [])];
  await client.requireTools(tools);
  const rowsExpr = jsonata(spec.rows);
  const columnsExpr = spec.columns ? jsonata(spec.columns) : undefined;
  const truncatedExpr = spec.truncated ? jsonata(spec.truncated) : undefined;
  const families = (Object.keys(spec.families) as QueryFamily[])
    .filter((f) => spec.families[f] !== undefined)
    .map((f) => compileFamily(f, spec.families[f]!));
  const validator = new RecordValidator();
  const samples: MappingSample[] = [];
  const source = client.source;
  // Figures resting on case fields the mapping does not give: said, never shown as 0 (query-spec.ts).
  const unavailable = unavailableFigures(spec, source);
  const baseArgs = { ...(opts.toolArgs ?? {}) };
  /** A value with the source's secrets redacted from its strings (what check-source prints). */
  const redacted = (v: unknown): unknown => {
    const text = opts.redact(JSON.stringify(v));
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };

  /** The rows of one answer, as objects. */
  async function rowsOf(tool: string, payload: unknown): Promise<Raw[]> {
    if (truncatedExpr && (await truncatedExpr.evaluate(payload)) === true)
      throw new SourceError(source, `${tool} says its answer was cut (${spec.truncated}): not counted as the window`);
    let rows = (await rowsExpr.evaluate(payload)) as unknown;
    if (rows === undefined)
      throw new SourceError(
        source,
        `${tool} answered without rows at ${JSON.stringify(spec.rows)} (keys found: ${keysOf(payload)})`,
      );
    if (!Array.isArray(rows)) rows = [rows];
    const list = rows as unknown[];
    if (!columnsExpr) {
      const bad = list.findIndex((r) => typeof r !== 'object' || r === null || Array.isArray(r));
      if (bad >= 0)
        throw new SourceError(
          source,
          `${tool}: row ${bad} at ${JSON.stringify(spec.rows)} is ${keysOf(list[bad])}, not an object (rows of values need "columns")`,
        );
      return list as Raw[];
    }
    let cols = (await columnsExpr.evaluate(payload)) as unknown;
    if (typeof cols === 'string') cols = [cols];
    if (!Array.isArray(cols) || cols.some((c) => typeof c !== 'string'))
      throw new SourceError(
        source,
        `${tool} answered no column names at ${JSON.stringify(spec.columns)} (keys found: ${keysOf(payload)})`,
      );
    const names = cols as string[];
    return list.map((r, i) => {
      if (!Array.isArray(r) || r.length !== names.length)
        throw new SourceError(
          source,
          `${tool}: row ${i} has ${Array.isArray(r) ? `${r.length} values` : keysOf(r)} for ${names.length} columns`,
        );
      return Object.fromEntries(names.map((n, k) => [n, r[k]]));
    });
  }

  /** Every page of one family's query for the window. */
  async function* pages(fam: CompiledFamily, from: number, to: number): AsyncGenerator<Raw[]> {
    const values: Record<string, string | number> = {
      from: writeTime(from, spec.time),
      to: writeTime(to, spec.time),
      since: writeTime(from - spec.lookbackDays * DAY, spec.time),
    };
    const window = `${new Date(from).toISOString()}–${new Date(to).toISOString()}`;
    const paging = spec.paging;
    const call = (tool: string, args: Raw) => client.call(tool, { ...baseArgs, ...args });
    const runArgs = (v: Record<string, string | number>) => ({
      ...fillArgs(spec.args, v),
      [spec.queryArg]: fill(fam.query, v),
    });
    const maxPages = client.limits.maxPages;
    if (paging.mode === 'none') {
      const rows = await rowsOf(spec.tool, await call(spec.tool, runArgs(values)));
      if (rows.length >= paging.maxRows)
        throw new SourceError(
          source,
          `${spec.tool} answered ${rows.length} ${fam.family} rows for ${window}, its limit (maxRows ${paging.maxRows}): the answer may be cut`,
        );
      yield rows;
      return;
    }
    if (paging.mode === 'offset') {
      for (let offset = 0, n = 0; ; offset += paging.pageSize, n++) {
        if (n >= maxPages) throw new SourceError(source, `${spec.tool} gave more than ${maxPages} pages: stopping`);
        const v = { ...values, offset, limit: paging.pageSize };
        const rows = await rowsOf(spec.tool, await call(spec.tool, runArgs(v)));
        if (rows.length > paging.pageSize)
          throw new SourceError(
            source,
            `${spec.tool} answered ${rows.length} rows for a page of ${paging.pageSize}: it did not page as asked`,
          );
        yield rows;
        if (rows.length < paging.pageSize) return;
      }
    }
    if (paging.mode === 'token') {
      const nextExpr = jsonata(paging.next);
      const seen = new Set<string>();
      let token: string | undefined;
      for (let n = 0; ; n++) {
        if (n >= maxPages) throw new SourceError(source, `${spec.tool} gave more than ${maxPages} pages: stopping`);
        const args = { ...runArgs(values), ...(token === undefined ? {} : { [paging.tokenArg]: token }) };
        const payload = await call(spec.tool, args);
        const rows = await rowsOf(spec.tool, payload);
        yield rows;
        const next = (await nextExpr.evaluate(payload)) as unknown;
        if (next === undefined || next === null || next === '') {
          if (paging.pageSize !== undefined && rows.length >= paging.pageSize)
            throw new SourceError(
              source,
              `${spec.tool} answered a full page (${rows.length}) for ${window} and no next token: the answer may be cut`,
            );
          return;
        }
        const t = String(next);
        if (seen.has(t))
          throw new SourceError(source, `${spec.tool} returned token "${t.slice(0, 40)}" twice: stopping`);
        seen.add(t);
        token = t;
      }
    }
    // submit and fetch
    const submitted = await call(spec.tool, runArgs(values));
    const sid = await jsonata(paging.sid).evaluate(submitted);
    if (typeof sid !== 'string' && typeof sid !== 'number')
      throw new SourceError(
        source,
        `${spec.tool} answered no job at ${JSON.stringify(paging.sid)} (keys found: ${keysOf(submitted)})`,
      );
    const doneExpr = paging.done ? jsonata(paging.done) : undefined;
    const totalExpr = paging.total ? jsonata(paging.total) : undefined;
    let read = 0;
    let total: unknown;
    for (let offset = 0, n = 0; ; offset += paging.pageSize, n++) {
      if (n >= maxPages)
        throw new SourceError(source, `${paging.fetchTool} gave more than ${maxPages} pages: stopping`);
      const args = fillArgs(paging.fetchArgs, { ...values, sid: String(sid), offset, limit: paging.pageSize });
      let payload = await call(paging.fetchTool, args);
      for (let tries = 0; doneExpr && (await doneExpr.evaluate(payload)) !== true; tries++) {
        if (tries >= NOT_DONE_RETRIES)
          throw new SourceError(
            source,
            `${paging.fetchTool}: job ${String(sid)} is not done (${paging.done} is not true) after ${tries + 1} asks: its results may be partial`,
          );
        await new Promise((r) => setTimeout(r, NOT_DONE_WAIT_MS * 2 ** tries));
        payload = await call(paging.fetchTool, args);
      }
      const rows = await rowsOf(paging.fetchTool, payload);
      if (rows.length > paging.pageSize)
        throw new SourceError(
          source,
          `${paging.fetchTool} answered ${rows.length} rows for a page of ${paging.pageSize}: it did not page as asked`,
        );
      if (totalExpr) total = await totalExpr.evaluate(payload);
      read += rows.length;
      yield rows;
      if (rows.length < paging.pageSize) break;
    }
    if (totalExpr) {
      if (typeof total !== 'number' && !(typeof total === 'string' && /^\d+$/.test(total)))
        throw new SourceError(
          source,
          `${paging.fetchTool} answered no total at ${JSON.stringify(paging.total)}: cannot tell the answer is whole`,
        );
      if (Number(total) !== read)
        throw new SourceError(
          source,
          `${paging.fetchTool}: job ${String(sid)} says ${String(total)} results and ${read} were read for ${window}: the answer is not whole`,
        );
    }
  }

  /** One row mapped: the record, or the reason it is rejected (naming the row and the field). */
  async function mapRow(fam: CompiledFamily, row: Raw): Promise<{ record?: Raw; reason?: string }> {
    let id: unknown;
    try {
      id = await fam.rowId.evaluate(row);
    } catch {
      id = undefined;
    }
    const named = `row ${typeof id === 'string' || typeof id === 'number' ? id : JSON.stringify(row).slice(0, 60)}`;
    let values: Raw;
    try {
      values = ((await fam.whole.evaluate(row)) ?? {}) as Raw;
    } catch {
      // Which field failed: each one on its own.
      for (const f of fam.fields)
        try {
          await f.expr.evaluate(row);
        } catch (e) {
          return { reason: `${named}: ${f.name}: ${(e as Error).message}` };
        }
      return { reason: `${named}: the mapping failed` };
    }
    const record: Raw = { source };
    for (const f of fam.fields) {
      let v = values[f.name];
      if (v === undefined || v === null || v === '') continue;
      if (f.enumMap) {
        const key = String(v);
        if (!Object.hasOwn(f.enumMap, key))
          return {
            reason: `${named}: ${f.name} ${JSON.stringify(v)} is not in the mapping's enum (known: ${Object.keys(f.enumMap).join(', ')})`,
          };
        v = f.enumMap[key];
        if (v === null) continue;
      }
      if (f.time) {
        const iso = parseTime(v, f.time);
        if (iso === undefined)
          return {
            reason: `${named}: ${f.name} ${JSON.stringify(v)} is not a time${f.time === 'auto' ? '' : ` (${f.time})`}`,
          };
        v = iso;
      }
      record[f.name] = v;
    }
    const parsed = SCHEMAS[fam.family].safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || '(record)';
      const missing = issue.path.length === 1 && record[issue.path[0] as string] === undefined;
      return { reason: `${named}: ${field}: ${missing ? 'missing (required)' : issue.message}` };
    }
    return { record: parsed.data as Raw };
  }

  return {
    kind: 'query',
    families: new Set(families.map((f) => f.family as Family)),
    async *read(window): AsyncIterable<RecordBatch> {
      for (const fam of families) {
        if (window.families && !window.families.has(fam.family)) continue;
        let answered = 0;
        let kept = 0;
        let sampled = 0;
        for await (const rows of pages(fam, window.from.getTime(), window.to.getTime())) {
          const records: unknown[] = [];
          for (const row of rows) {
            const { record, reason } = await mapRow(fam, row);
            if (sampled < SAMPLES_PER_FAMILY) {
              sampled++;
              samples.push({
                family: fam.family,
                row: redacted(row),
                ...(record ? { record: redacted(record) } : { reason }),
              });
            }
            if (record) records.push(record);
            else validator.reject(fam.family, reason!, row, opts.redact);
          }
          answered += rows.length;
          kept += records.length;
          yield { family: fam.family, records };
        }
        failIfNothingMapped(source, `${spec.tool} (${fam.family})`, answered, kept, validator.rejects);
      }
    },
    summary: () => ({
      rejects: validator.rejects,
      notes: [...(spec.notes ?? [])],
      ...(unavailable ? { unavailable } : {}),
    }),
    // Rows are found by expressions, not fixed paths: check-source shows mapped samples instead of ignored keys.
    reads: {},
    samples: () => samples,
    close: () => client.close(),
  };
}
