import { readFile, writeFile } from 'node:fs/promises';
import { apiError, remoteFetch } from './remote.js';
import { createApiApp } from '../api/app.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { edgeDeps } from '../../shared/usecases/edge.js';
import { parseFor } from './commands.js';
import { openTable, whoAmI } from './table-deps.js';
import { UsageError } from './usage-error.js';

/**
 * `socpulse budget import plan.csv` and `socpulse budget export --fiscal-year FY2027 [--month 2026-09]
 * [--format csv|json] [--out FILE]`: through the API's own routes — in this process on the local table of the data
 * directory `start` keeps (as finance), or against a deployed API named with `--api` (SigV4, or `--token` for a
 * running `start --serve`).
 */
export async function budgetCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFor('budget', argv);
  const [sub, file] = positionals;
  if (sub !== 'import' && sub !== 'export')
    throw new UsageError(
      'usage: socpulse budget import plan.csv | socpulse budget export --fiscal-year FY2027 [--month 2026-09] [--format csv|json] [--out FILE]',
    );
  if (sub === 'import' && !file) throw new UsageError('usage: socpulse budget import plan.csv');
  if (sub === 'export' && file) throw new UsageError(`budget export takes no file ("${file}"): --out FILE writes one`);
  if (sub === 'export' && !values['fiscal-year']) throw new UsageError('--fiscal-year FY2027 is required');
  // The plan is read before any table or API is reached: an unreadable file is one line, nothing opened.
  const csv =
    sub === 'import'
      ? await readFile(file!, 'utf8').catch((e: NodeJS.ErrnoException) => {
          throw new UsageError(`${file}: cannot read (${e.code})`);
        })
      : '';
  const remote = values.api ?? process.env.SOCPULSE_API_URL;
  let local: Awaited<ReturnType<typeof localApi>> | undefined;
  let call: (path: string, init?: RequestInit) => Promise<Response>;
  if (remote) call = await remoteFetch(values);
  else {
    local = await localApi(values);
    call = local.call;
  }
  try {
    return await (sub === 'import' ? importPlan(call, csv) : exportSnapshots(call, values));
  } finally {
    await local?.close();
  }
}

/** The API app in this process, on the local table, called as finance (the role that imports plans). */
async function localApi(values: { data?: string; config?: string }) {
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  const table = await openTable({ data: values.data }, undefined);
  process.stderr.write(`socpulse budget: ${table.where}\n`);
  const app = createApiApp({
    ...edgeDeps(table, {
      config,
      runbooks: [],
      trigger: {
        start: async () => {
          throw new Error('budget commands queue no reports');
        },
      },
    }),
    identify: () => ({ role: 'finance', principal: `cli:${whoAmI()}` }),
  });
  return {
    call: async (path: string, init?: RequestInit) => app.fetch(new Request(`http://socpulse.local${path}`, init)),
    close: () => table.close(),
  };
}

async function importPlan(call: (path: string, init?: RequestInit) => Promise<Response>, csv: string) {
  const res = await call('/budget/plan', {
    method: 'PUT',
    headers: { 'content-type': 'text/csv; charset=utf-8' },
    body: csv,
  });
  if (!res.ok) {
    process.stderr.write(`socpulse budget import: ${await apiError(res)}\n`);
    return res.status === 400 ? 2 : 1;
  }
  process.stdout.write(`imported ${((await res.json()) as { lines: number }).lines} plan lines\n`);
  return 0;
}

async function exportSnapshots(
  call: (path: string, init?: RequestInit) => Promise<Response>,
  values: { 'fiscal-year'?: string; month?: string; format?: string; out?: string },
) {
  const format = values.format ?? 'csv';
  const q = new URLSearchParams({
    fiscalYear: values['fiscal-year']!,
    format,
    ...(values.month ? { month: values.month } : {}),
  });
  const res = await call(`/budget/snapshots?${q}`);
  if (!res.ok) {
    process.stderr.write(`socpulse budget export: ${await apiError(res)}\n`);
    return res.status === 400 ? 2 : 1;
  }
  const body = await res.text();
  if (values.out) await writeFile(values.out, body);
  else process.stdout.write(body);
  return 0;
}
