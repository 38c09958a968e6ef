import { readFile, writeFile } from 'node:fs/promises';
import { apiError, REMOTE_FLAGS, remoteFetch } from './remote.js';
import { parseFlags, UsageError } from './usage-error.js';

/**
 * `socpulse budget import plan.csv` and `socpulse budget export --fiscal-year FY2027 [--month 2026-09]
 * [--format csv|json] [--out FILE]`, against the API (`--api URL`, SigV4, or `--token` for a local run).
 */
export async function budgetCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseFlags({
    args: rest,
    allowPositionals: true,
    options: {
      'fiscal-year': { type: 'string' },
      month: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      ...REMOTE_FLAGS,
      config: { type: 'string' },
    },
    strict: true,
  });
  if (sub === 'import') {
    if (positionals.length !== 1) throw new UsageError('usage: socpulse budget import plan.csv');
    const csv = await readFile(positionals[0]!, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`${positionals[0]}: cannot read (${e.code})`);
    });
    const call = await remoteFetch(values);
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
  if (sub === 'export') {
    const fy = values['fiscal-year'];
    if (!fy || !/^FY\d{4}$/.test(fy)) throw new UsageError('--fiscal-year FY2027 is required');
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'json') throw new UsageError('--format is csv or json');
    const call = await remoteFetch(values);
    const q = new URLSearchParams({ fiscalYear: fy, format, ...(values.month ? { month: values.month } : {}) });
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
  throw new UsageError(
    'usage: socpulse budget import plan.csv | socpulse budget export --fiscal-year FY2027 [--month 2026-09] [--format csv|json] [--out FILE]',
  );
}
