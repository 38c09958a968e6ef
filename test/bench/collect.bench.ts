// Benchmark: collect one day with 1,000,000 alerts and 100,000 cases from soc-sim over Streamable HTTP on localhost
// into dynalite (issue 4), against the floor of fetching and parsing the same pages with no processing.
// The simulator runs in a child process; the memory figures are the collector's alone. Scale with BENCH_SCALE.
import { collectSource } from '../../shared/usecases/collect-source.js';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startLocalStack } from '../../shared/local/stack.js';
import { SourceClient } from '../../shared/sources/mcp-client.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { dynamoClient, DynamoTable } from '../../shared/store/dynamo-table.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';

function peakRss() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return { stop: () => (clearInterval(timer), Math.max(peak, process.memoryUsage().rss) / 1024 / 1024) };
}

export async function run(): Promise<void> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const day = Date.parse('2026-11-20T00:00:00Z');
  const now = day + 86_400_000; // the whole day has happened
  // The simulator runs in its own process, so the collector's memory is measured alone.
  const args = [
    'functions/cli/bin.js',
    'sim',
    '--port',
    '0',
    '--now',
    new Date(now).toISOString(),
    '--alerts-per-day',
    String(1_000_000 * scale),
    '--cases-per-day',
    String(100_000 * scale),
    '--close-lookback-days',
    '0',
  ];
  const child = spawn(process.execPath, args, {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`sim exited ${code}: ${err}`)));
  });
  const sim = { url, close: async () => void child.kill('SIGINT') };
  const stack = await startLocalStack({ tableName: 'bench-collect' });
  const window = { from: new Date(day), to: new Date(now) };
  try {
    // Floor: the same pages, fetched and parsed, nothing else.
    global.gc?.();
    let peak = peakRss();
    let t = performance.now();
    const client = await SourceClient.connect('sim', { kind: 'socpulse', url: sim.url });
    let records = 0;
    for (const tool of ['list_cases', 'list_alerts', 'list_shifts'])
      for await (const items of client.paginate(
        tool,
        { from: window.from.toISOString(), to: window.to.toISOString() },
        (p) => ({ items: (p as { items: unknown[] }).items, next: (p as { nextCursor?: string }).nextCursor }),
      ))
        records += items.length;
    await client.close();
    const floor = { s: (performance.now() - t) / 1000, mb: peak.stop() };
    console.log(
      `floor: fetched and parsed ${records.toLocaleString()} records in ${floor.s.toFixed(1)} s, peak RSS ${floor.mb.toFixed(0)} MB`,
    );

    const table = new DynamoTable(dynamoClient(), stack.tableName);
    global.gc?.();
    peak = peakRss();
    t = performance.now();
    const result = await collectSource(
      {
        snapshots: new DynamoSnapshotStore(table),
        runs: new DynamoCollectionRunStore(table),
        now: () => new Date(now),
      },
      {
        source: 'sim',
        kind: 'socpulse',
        open: () => openSource('sim', { kind: 'socpulse', url: sim.url }, { secrets: new EnvSecretResolver({}) }),
        tz: 'UTC',
        fromDay: '2026-11-20',
      },
    );
    const collect = { s: (performance.now() - t) / 1000, mb: peak.stop() };
    console.log(
      `collect: ${result.status}, ${JSON.stringify(result.counts)}, ${result.snapshots.written} snapshots written in ${collect.s.toFixed(1)} s, peak RSS ${collect.mb.toFixed(0)} MB`,
    );
    console.log(`ratio to floor: ${(collect.s / floor.s).toFixed(2)}× (target ≤ 3×); peak memory target < 512 MB`);
  } finally {
    await stack.stop();
    await sim.close();
  }
}
