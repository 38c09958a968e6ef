import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { alertCount, type AlertCount } from '../../domain/facts.js';
import { localDayNumber, zonedTime } from '../../domain/periods.js';
import { AlertSchema, SEVERITY_INDEX } from '../../domain/records.js';
import { plainAlert } from './fast-record-checks.js';
import { InputFileError, readJsonl } from './jsonl-reader.js';

/**
 * Alert counts of an alerts file per (local day of `tz`, rule, severity), each at its day's start; on the local days
 * holding an instant of `judgedAt` (the summary's asOf and its comparable periods' own), alerts keep their exact
 * instants. Every period boundary is a local midnight, so day counts give exact figures for every period, and every
 * asOf cut stays exact.
 */
export async function countAlertsByDay(
  path: string,
  opts: { tz: string; judgedAt: readonly number[] },
): Promise<AlertCount[]> {
  const buckets = new Map<number, AlertCount>();
  const exact: AlertCount[] = [];
  const ruleIds = new Map<string, number>();
  const exactDays = new Set(opts.judgedAt.map((t) => localDayNumber(t, opts.tz)));
  await readJsonl(
    path,
    'alerts.jsonl',
    AlertSchema,
    alertCount,
    (a) => {
      const day = localDayNumber(a.at, opts.tz);
      if (exactDays.has(day)) return void exact.push(a);
      let ruleId = ruleIds.get(a.rule);
      if (ruleId === undefined) ruleIds.set(a.rule, (ruleId = ruleIds.size));
      const key = (day * 1_048_576 + ruleId) * 8 + SEVERITY_INDEX.get(a.sev)!;
      const hit = buckets.get(key);
      if (hit) hit.count++;
      else {
        const d = new Date(day * 86_400_000);
        const at = zonedTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), opts.tz);
        buckets.set(key, { at, rule: a.rule, sev: a.sev, count: 1 });
      }
    },
    plainAlert,
  );
  return [...buckets.values(), ...exact];
}

/** Run `countAlertsByDay` on a worker thread; its InputFileError comes back as one. */
export function countAlertsOnWorker(path: string, opts: { tz: string; judgedAt: readonly number[] }) {
  // From TypeScript sources (the CLI runs through tsx) the worker registers the same loader first; a build runs the .js.
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./alert-count-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  const tsx = fromSource
    ? new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href
    : '';
  const worker = fromSource
    ? new Worker(
        `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`,
        { eval: true, workerData: { path, ...opts } },
      )
    : new Worker(entry, { workerData: { path, ...opts } });
  const counts = new Promise<AlertCount[]>((resolve, reject) => {
    worker.once('message', (m: AlertCountReply) => {
      if ('counts' in m) resolve(m.counts);
      else if ('file' in m) reject(new InputFileError(m.file, m.line, m.detail));
      else reject(new Error(`counting alerts in ${path}: ${m.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`counting alerts in ${path}: worker exited with code ${code}`)));
  });
  counts.catch(() => undefined); // awaited by the caller unless reading the cases failed first
  return { counts, stop: async () => void (await worker.terminate()) };
}

/** What the alert-count worker answers. */
export type AlertCountReply =
  { counts: AlertCount[] } | { file: string; line: number; detail: string } | { message: string };
