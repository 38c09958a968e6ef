// Benchmark: bundle size and cold-start time of each function bundle under plain node (issue 6).
// The bundles are built exactly as `cdk synth` builds them; the AWS SDK (external, provided by the Lambda runtime)
// is resolved from this project's node_modules through a symlink. Each run is a fresh `node` process:
// INIT is the import of index.mjs. The report function also warms its chart renderer (wasm + fonts) during INIT;
// that warm-up is reported apart (the performance measure charts.ts records), and so are its first invocations:
// weekly KPI reports of past weeks, read from DynamoDB (dynalite, filled by `socpulse backfill` from the simulator)
// and sent to the SES stand-in, both running in this process.
import { App } from 'aws-cdk-lib';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildApp } from '../../infra/bin/app.js';
import { startLocalStack } from '../../shared/local/stack.js';
import { WARM_CHARTS_MEASURE } from '../../shared/mail/charts.js';

const ROOT = join(import.meta.dirname, '../..');
const RUNS = 7;
const exec = promisify(execFile);

/** What one fresh process measured: INIT (import), the chart warm-up within it, and each invocation after it. */
interface Sample {
  init: number;
  warm: number;
  invokes: { ms: number; outcome: string }[];
}

/** Import the bundle, then call its handler with each event in turn; print the timings as JSON. */
const CHILD = `
const [bundle, events] = [process.argv[1], JSON.parse(process.argv[2])];
const t = performance.now();
const { handler } = await import(bundle);
const init = performance.now() - t;
const warm = performance.getEntriesByName(${JSON.stringify(WARM_CHARTS_MEASURE)})[0]?.duration ?? 0;
const invokes = [];
for (const event of events) {
  const t = performance.now();
  const outcome = await handler(event).then((r) => r.outcome, (e) => 'error: ' + e.message);
  invokes.push({ ms: performance.now() - t, outcome });
}
console.log(JSON.stringify({ init, warm, invokes }));
`;

async function sample(bundle: string, env: NodeJS.ProcessEnv, events: unknown[] = []): Promise<Sample> {
  // Asynchronous: the stand-ins answering the report's invocations run in this process.
  const { stdout } = await exec(
    process.execPath,
    ['--input-type=module', '-e', CHILD, bundle, JSON.stringify(events)],
    { env, encoding: 'utf8' },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Sample;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (xs: number[]) =>
  `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

/** The last `n` complete ISO weeks before `now`, oldest first, with the Monday (UTC) of the oldest. */
function pastWeeks(now: Date, n: number): { labels: string[]; firstMonday: Date } {
  const day = 86_400_000;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const thisMonday = today - ((new Date(today).getUTCDay() + 6) % 7) * day;
  const labels: string[] = [];
  for (let i = n; i >= 1; i--) {
    const thursday = new Date(thisMonday - i * 7 * day + 3 * day);
    const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1);
    const week = Math.floor((thursday.getTime() - jan1) / day / 7) + 1;
    labels.push(`${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`);
  }
  return { labels, firstMonday: new Date(thisMonday - n * 7 * day) };
}

export async function run(): Promise<void> {
  console.log(`${load()} at start (2 cores here: anything near 2 or above inflates every figure)`);
  const outdir = mkdtempSync(join(tmpdir(), 'socpulse-coldstart-'));
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  const { stateless } = buildApp(app, join(ROOT, 'test/fixtures/config/prod.json'));
  const template = app.synth().getStackByName(stateless.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
  };
  const baseEnv = {
    ...process.env,
    SOCPULSE_TABLE: 'bench',
    AWS_REGION: 'eu-west-2',
    // What the stack sets: the API and MCP functions refuse to start without valid role ARNs (checked at INIT).
    SOCPULSE_ROLE_ARNS: JSON.stringify({
      manager: 'arn:aws:iam::123456789012:role/socpulse-manager',
      finance: 'arn:aws:iam::123456789012:role/socpulse-finance',
      viewer: 'arn:aws:iam::123456789012:role/socpulse-viewer',
    }),
    SOCPULSE_REPORT_FUNCTION: 'x',
    // Read at INIT by the report and collect functions' environment schemas (shared/config/function-env.ts).
    SOCPULSE_SES_CONFIGURATION_SET: 'bench',
    SOCPULSE_SECRETS_PREFIX: 'socpulse/',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
  };
  const bundles = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => {
      const dir = join(outdir, `asset.${r.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      return { name: id.replace(/Fn.*/, ''), dir, bundle: join(dir, 'index.mjs') };
    });
  const configEnv = { ...baseEnv, SOCPULSE_CONFIG_FILE: join(ROOT, 'socpulse.config.json') };
  // INIT first, while this process is idle: the stand-ins the report's invocations need would otherwise share the
  // two cores with the process being measured.
  for (const { name, dir, bundle } of bundles) {
    const size = `bundle ${(statSync(bundle).size / 1024).toFixed(0).padStart(5)} KB`;
    const samples: Sample[] = [];
    // One unmeasured run first: the bundle was just written, and a first read from disk is not what INIT costs.
    await sample(bundle, name === 'Report' ? configEnv : baseEnv);
    for (let i = 0; i < RUNS; i++) samples.push(await sample(bundle, name === 'Report' ? configEnv : baseEnv));
    if (name !== 'Report') {
      console.log(
        `${name.padEnd(8)} ${size}  INIT ${ms(samples.map((s) => s.init))}  (median of ${RUNS}, min–max; target < 300 ms)`,
      );
      continue;
    }
    const assets = ['index_bg.wasm', 'Inter_400Regular.ttf', 'Inter_700Bold.ttf'].reduce(
      (sum, f) => sum + statSync(join(dir, f)).size,
      0,
    );
    console.log(
      `${name.padEnd(8)} ${size} (+ ${(assets / 1024).toFixed(0)} KB wasm and fonts)  ` +
        `INIT ${ms(samples.map((s) => s.init - s.warm))} without the chart warm-up (target < 300 ms)\n` +
        `${' '.repeat(28)}chart warm-up during INIT ${ms(samples.map((s) => s.warm))}, ` +
        `INIT with it ${ms(samples.map((s) => s.init))}`,
    );
  }
  // The report's invocations: two weekly reports per process, each of a different past week (a delivered
  // report is never sent twice, so a repeated week would measure the "already delivered" shortcut).
  const { labels, firstMonday } = pastWeeks(new Date(), 2 * RUNS);
  const stack = await startLocalStack({ tableName: 'bench-cold-start', applyToProcessEnv: false });
  try {
    const from = new Date(firstMonday.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
    const t = performance.now();
    await exec(process.execPath, [join(ROOT, 'functions/cli/bin.js'), 'backfill', '--from', from], {
      cwd: ROOT,
      env: { ...process.env, ...stack.env },
    });
    console.log(
      `(backfilled ${from} onwards from the simulator into dynalite in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );
    const report = bundles.find((b) => b.name === 'Report')!;
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++)
      samples.push(
        await sample(report.bundle, { ...configEnv, ...stack.env }, [
          { runbook: 'weekly-kpi', period: labels[2 * i] },
          { runbook: 'weekly-kpi', period: labels[2 * i + 1] },
        ]),
      );
    const outcomes = [...new Set(samples.flatMap((s) => s.invokes.map((v) => v.outcome)))].join(', ');
    console.log(
      `Report   first invoke ${ms(samples.map((s) => s.invokes[0]!.ms))}, ` +
        `second ${ms(samples.map((s) => s.invokes[1]!.ms))} (weekly-kpi of a past week each, stand-ins in this process; ${outcomes})`,
    );
  } finally {
    await stack.stop();
    rmSync(outdir, { recursive: true, force: true });
  }
  console.log(`${load()} at end`);
}
