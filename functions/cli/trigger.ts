import { apiError, remoteFetch } from './remote.js';
import { parseFor } from './commands.js';
import { UsageError } from './usage-error.js';

/**
 * `socpulse trigger RUNBOOK [--period LABEL] [--recipients a,b] [--resend] [--api URL] [--token T] [--wait]`: ask the
 * API for a report. An identical request already queued, running or delivered is answered with that run (200), and
 * nothing is sent twice; `--resend` (manager) sends a delivered report again.
 */
export async function triggerCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFor('trigger', argv);
  if (positionals.length !== 1)
    throw new UsageError('usage: socpulse trigger RUNBOOK [--period LABEL] [--recipients a,b] [--api URL]');
  const call = await remoteFetch(values);
  const body = {
    runbook: positionals[0],
    ...(values.period ? { period: values.period } : {}),
    ...(values.recipients ? { recipients: values.recipients.split(',').map((r) => r.trim()) } : {}),
    ...(values.resend ? { resend: true } : {}),
  };
  const res = await call('/reports', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202 && res.status !== 200) {
    process.stderr.write(`socpulse trigger: ${await apiError(res)}\n`);
    return res.status === 400 ? 2 : 1;
  }
  const { runId, status } = (await res.json()) as { runId: string; status: string };
  if (res.status === 202) process.stdout.write(`queued ${runId}\n`);
  else
    process.stdout.write(
      status === 'delivered'
        ? `already delivered ${runId}: nothing sent (--resend sends it again)\n`
        : `already ${status} ${runId}: nothing sent twice\n`,
    );
  if (!values.wait) return 0;
  for (let i = 0; i < 150; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    const run = (await (await call(`/reports/${runId}`)).json()) as {
      status: string;
      deliveries: Record<string, unknown>;
      error?: string;
    };
    if (run.status === 'delivered') {
      process.stdout.write(`delivered to ${Object.keys(run.deliveries).join(', ')}\n`);
      return 0;
    }
    if (run.status === 'failed') {
      process.stderr.write(`socpulse trigger: run ${runId} failed: ${run.error}\n`);
      return 1;
    }
  }
  process.stderr.write(`socpulse trigger: run ${runId} still running after 5 minutes\n`);
  return 1;
}
