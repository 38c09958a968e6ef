import jsonata from 'jsonata';
import * as z from 'zod';
import { AlertSchema, CaseSchema, CostSchema, DISPOSITIONS, SEVERITIES, ShiftSchema } from '../domain/records.js';
import { FIGURES_OF_CASE_FIELD, figuresNotGiven } from '../domain/case-figures.js';
import sentinel from '../sources/mappings/sentinel.json' with { type: 'json' };
import splunkEs from '../sources/mappings/splunk-es.json' with { type: 'json' };

/**
 * A `query` source (DESIGN.md "Sources"): any MCP server with a tool that runs a query (KQL, SPL, SQL …) and answers
 * rows. The spec says which tool, with which arguments, how the answer pages, where its rows are, and how a row becomes
 * each canonical record, in JSONata expressions. Everything is checked when the config is loaded: every expression
 * compiles, every mapped field is a field of its record, every enum maps to values socpulse knows; an error names the
 * field's path.
 */

/** How `{from}` / `{to}` / `{since}` are written: ISO-8601, epoch seconds or epoch milliseconds. */
const TimeFormat = z.enum(['iso', 'epoch', 'epochMs']);
export type TimeFormat = z.infer<typeof TimeFormat>;

/** A JSONata expression, compiled at load: a syntax error is an issue naming the path. */
const Expr = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      jsonata(text);
    } catch (e) {
      const err = e as { message?: string; position?: number; token?: string };
      ctx.addIssue({
        code: 'custom',
        message: `not a valid JSONata expression (${err.message ?? String(e)}${err.position !== undefined ? ` at character ${err.position}` : ''}): ${JSON.stringify(text.slice(0, 80))}`,
      });
    }
  });

const ArgValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * How the answers page:
 * - `none`: one call per window; an answer of `maxRows` rows or more may be cut (the tool's row limit) and fails.
 * - `offset`: the query text or arguments carry `{offset}` and `{limit}`; pages are asked until one is shorter than
 *   `pageSize` (a page longer than asked is an error: the server ignored the paging).
 * - `token`: the answer gives the next page's token (`next`), sent back in `tokenArg`.
 * - `submit`: `tool` starts the query and its answer names the job (`sid`); `fetchTool` is called with `{sid}`,
 *   `{offset}`, `{limit}` in `fetchArgs` until a page is short; `done` (when given) must be true, else the fetch is
 *   asked again a few times, then fails; `total` (when given) must equal the rows read.
 */
const Paging = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none'), maxRows: z.number().int().min(1) }).strict(),
  z.object({ mode: z.literal('offset'), pageSize: z.number().int().min(1).max(100_000) }).strict(),
  z
    .object({
      mode: z.literal('token'),
      tokenArg: z.string().min(1),
      next: Expr,
      pageSize: z.number().int().min(1).optional(),
    })
    .strict(),
  z
    .object({
      mode: z.literal('submit'),
      fetchTool: z.string().min(1),
      fetchArgs: z.record(z.string().min(1), ArgValue),
      sid: Expr,
      pageSize: z.number().int().min(1).max(100_000),
      done: Expr.optional(),
      total: Expr.optional(),
    })
    .strict(),
]);

/** One canonical field of a record: an expression, or an expression with an enum map or a time format. */
const FieldSpec = z.union([
  Expr,
  z
    .object({
      expr: Expr,
      /** Source value → canonical value; `null` means "absent" (e.g. an unassigned disposition). */
      enum: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
      /** How the value is written, for an instant: ISO-8601 (with offset), epoch seconds or milliseconds. */
      time: TimeFormat.optional(),
    })
    .strict(),
]);
export type FieldSpec = z.infer<typeof FieldSpec>;

const SCHEMAS = { cases: CaseSchema, alerts: AlertSchema, shifts: ShiftSchema, costs: CostSchema } as const;
export type QueryFamily = keyof typeof SCHEMAS;

/** The canonical fields of each family a mapping may set (`source` is the source's name, set by the adapter). */
export const MAPPABLE_FIELDS: Record<QueryFamily, readonly string[]> = {
  cases: Object.keys(CaseSchema.shape).filter((k) => k !== 'source'),
  alerts: Object.keys(AlertSchema.shape).filter((k) => k !== 'source'),
  shifts: ['analyst', 'tier', 'start', 'end'],
  costs: Object.keys(CostSchema.shape).filter((k) => k !== 'source'),
};

/** Values an enum map may produce, for the fields whose canonical type is an enum. */
const ENUM_VALUES: Record<string, readonly unknown[]> = {
  severity: SEVERITIES,
  disposition: DISPOSITIONS,
  tier: [1, 2, 3],
  escalatedToTier: [2, 3],
};

const FamilySpec = z
  .object({
    /** The query text; `{from}`, `{to}`, `{since}`, `{offset}`, `{limit}` are filled in per call. */
    query: z.string().min(1),
    /** What names a row in a reject ("row IncidentNumber=4107"). */
    rowId: Expr,
    fields: z.record(z.string(), FieldSpec),
  })
  .strict();

export const QuerySpecSchema = z
  .object({
    /** The tool that runs (or, with `submit` paging, starts) the query. */
    tool: z.string().min(1),
    /** The argument the query text is sent in. */
    queryArg: z.string().min(1).default('query'),
    /** Further arguments of `tool`, with the same placeholders. */
    args: z.record(z.string().min(1), ArgValue).default({}),
    time: TimeFormat.default('iso'),
    /** `{since}` is `{from}` less this many days: for a query that must see older records changed in the window. */
    lookbackDays: z.number().int().min(0).max(400).default(0),
    paging: Paging,
    /** Where the rows are in an answer: a JSONata expression giving a list (of objects, or of lists with `columns`). */
    rows: Expr,
    /** When rows are lists of values: the column names, in order (a JSONata expression giving a list of strings). */
    columns: Expr.optional(),
    /** An answer for which this is true says it was cut: the read fails rather than count part of the window. */
    truncated: Expr.optional(),
    /** What a reader calls this source ("Microsoft Sentinel"): figures it cannot give are "not available from" it. */
    name: z.string().min(1).optional(),
    /**
     * Figures this source cannot give, by METRICS.md key, with the words a reader sees instead. Every optional case
     * field the mapping leaves unmapped makes its figures unavailable without being listed (`unavailableFigures`);
     * what is listed here is added, or words it differently.
     */
    unavailable: z.record(z.string().min(1), z.string().min(1)).optional(),
    /**
     * Optional case fields left unmapped because this SOC has none of them (e.g. `escalatedToTier` where nothing is
     * ever escalated): absent means none, so their figures stand (an escalation rate of 0) instead of being said to be
     * unavailable. Said explicitly, never assumed.
     */
    absentMeansNone: z.array(z.string().min(1)).optional(),
    notes: z.array(z.string().min(1)).optional(),
    families: z
      .object({
        cases: FamilySpec.optional(),
        alerts: FamilySpec.optional(),
        shifts: FamilySpec.optional(),
        costs: FamilySpec.optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const families = Object.entries(spec.families).filter(([, f]) => f !== undefined);
    if (families.length === 0)
      ctx.addIssue({ code: 'custom', path: ['families'], message: 'map at least one family (cases, alerts …)' });
    for (const [family, f] of families) {
      const known = MAPPABLE_FIELDS[family as QueryFamily];
      for (const [field, fs] of Object.entries(f!.fields)) {
        const at = ['families', family, 'fields', field];
        if (!known.includes(field)) {
          ctx.addIssue({
            code: 'custom',
            path: at,
            message: `"${field}" is not a field of a canonical ${family} record (it has: ${known.join(', ')})`,
          });
          continue;
        }
        if (typeof fs === 'object' && fs.enum) {
          const allowed = ENUM_VALUES[field];
          for (const [from, to] of Object.entries(fs.enum))
            if (to !== null && allowed && !allowed.includes(to))
              ctx.addIssue({
                code: 'custom',
                path: [...at, 'enum', from],
                message: `maps to ${JSON.stringify(to)}, not a ${field} socpulse knows (${allowed.join(', ')})`,
              });
        }
      }
      const schema = SCHEMAS[family as QueryFamily];
      const required = Object.entries(schema.shape)
        .filter(([k, v]) => k !== 'source' && !(v as z.ZodType).safeParse(undefined).success)
        .map(([k]) => k);
      for (const r of required)
        if (!(r in f!.fields))
          ctx.addIssue({
            code: 'custom',
            path: ['families', family, 'fields'],
            message: `"${r}" is required in a ${family} record and has no mapping`,
          });
    }
    const caseFields = spec.families.cases ? Object.keys(spec.families.cases.fields) : [];
    if (spec.families.cases && !caseFields.includes('closedAt'))
      ctx.addIssue({
        code: 'custom',
        path: ['families', 'cases', 'fields'],
        message: '"closedAt" has no mapping: without it every case would look open',
      });
    for (const [i, field] of (spec.absentMeansNone ?? []).entries()) {
      const why = !(field in FIGURES_OF_CASE_FIELD)
        ? `not an optional case field with figures (${Object.keys(FIGURES_OF_CASE_FIELD).join(', ')})`
        : caseFields.includes(field)
          ? 'is mapped: absent cannot mean none'
          : undefined;
      if (why) ctx.addIssue({ code: 'custom', path: ['absentMeansNone', i], message: `"${field}" ${why}` });
    }
    if (spec.paging.mode === 'submit' && !JSON.stringify(spec.paging.fetchArgs).includes('{sid}'))
      ctx.addIssue({ code: 'custom', path: ['paging', 'fetchArgs'], message: 'must send the job in "{sid}"' });
    if (spec.paging.mode === 'offset')
      for (const [family, f] of families) {
        const said = `${f!.query} ${JSON.stringify(spec.args)}`;
        if (!said.includes('{offset}') || !said.includes('{limit}'))
          ctx.addIssue({
            code: 'custom',
            path: ['families', family, 'query'],
            message: 'offset paging needs "{offset}" and "{limit}" in the query text or the arguments',
          });
      }
  });
export type QuerySpec = z.infer<typeof QuerySpecSchema>;

/** The mappings socpulse ships (shared/sources/mappings/*.json), named in a config as `"options": {"query": NAME}`. */
export const SHIPPED_MAPPINGS: Record<string, unknown> = { sentinel, 'splunk-es': splunkEs };

/** A source's query options: a shipped mapping's name, or a spec written in the config (its issues named by path). */
const ShippedName = z.string().refine((name) => name in SHIPPED_MAPPINGS, {
  message: `not a shipped mapping (shipped: ${Object.keys(SHIPPED_MAPPINGS).join(', ')}); or write the spec as an object`,
});
export const QueryOption: z.ZodType<string | QuerySpec, unknown> = z
  .unknown()
  .superRefine((v, ctx) => {
    const parsed = (typeof v === 'string' ? ShippedName : QuerySpecSchema).safeParse(v);
    if (!parsed.success)
      for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
  })
  .transform((v) => (typeof v === 'string' ? v : QuerySpecSchema.parse(v)));

/** The spec a source's query option stands for (a shipped mapping's name resolved, defaults filled in). */
export function querySpecOf(option: string | QuerySpec): QuerySpec {
  if (typeof option !== 'string') return option;
  const parsed = QuerySpecSchema.safeParse(SHIPPED_MAPPINGS[option]);
  if (!parsed.success)
    throw new Error(
      `shipped mapping "${option}" is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/**
 * The figures a query source cannot give, with what a reader sees instead: those of every optional case field its
 * cases mapping leaves unmapped (domain/unavailable.ts `FIGURES_OF_CASE_FIELD`) unless `absentMeansNone` says the SOC
 * has none, "not available from" the spec's `name` (else the source's); then what `unavailable` lists. A spec without
 * cases gives no case figures, so makes none unavailable. Undefined when it gives every figure.
 */
export function unavailableFigures(spec: QuerySpec, source: string): Record<string, string> | undefined {
  const cases = spec.families.cases;
  const out = cases
    ? figuresNotGiven(
        new Set(Object.keys(cases.fields)),
        `not available from ${spec.name ?? source}`,
        spec.absentMeansNone,
      )
    : {};
  Object.assign(out, spec.unavailable);
  return Object.keys(out).length ? out : undefined;
}
