// Benchmark: `socpulse summarize` over 1,000,000 cases and 5,000,000 alerts (issue 3), against the floor of merely
// reading the same files and JSON.parse-ing every line. Also at a quarter of the size, to show memory stays flat.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const RULES = Array.from({ length: 40 }, (_, i) => `rule-${i}`);

/** Deterministic data (a fixed LCG), spread over 2026; written once to bench-data/ (git-ignored). */
async function generate(dir: string, cases: number, alerts: number) {
  if (existsSync(join(dir, 'done'))) return;
  mkdirSync(dir, { recursive: true });
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const start = Date.UTC(2026, 0, 1);
  const span = 330 * 86_400_000;
  const write = async (file: string, n: number, line: (i: number) => string) => {
    const out = createWriteStream(join(dir, file));
    for (let i = 0; i < n; i++) if (!out.write(line(i))) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise<void>((r) => out.end(() => r()));
  };
  await write('cases.jsonl', cases, (i) => {
    const created = start + Math.floor(rand() * span);
    const c: Record<string, unknown> = {
      id: `c${i}`,
      source: 'bench',
      title: `Case ${i}`,
      severity: SEVERITIES[i % 5],
      createdAt: new Date(created).toISOString(),
      detectedAt: new Date(created - 60_000).toISOString(),
      firstEventAt: new Date(created - 1_800_000).toISOString(),
      tier: 1,
      rule: RULES[i % 40],
      runbook: 'triage_alerts',
    };
    if (rand() < 0.95) c.acknowledgedAt = new Date(created + Math.floor(rand() * 7_200_000)).toISOString();
    if (rand() < 0.9) {
      c.closedAt = new Date(created + Math.floor(rand() * 5 * 86_400_000)).toISOString();
      c.disposition = ['true_positive', 'benign_positive', 'false_positive', 'undetermined'][i % 4];
      c.handleMinutes = Math.round(rand() * 600) / 10;
    }
    return JSON.stringify(c) + '\n';
  });
  await write(
    'alerts.jsonl',
    alerts,
    (i) =>
      JSON.stringify({
        id: `a${i}`,
        source: 'bench',
        rule: RULES[i % 40],
        severity: SEVERITIES[(i >> 3) % 5],
        createdAt: new Date(start + Math.floor(rand() * span)).toISOString(),
      }) + '\n',
  );
  await write('done', 1, () => '');
}

/** Run node with `args` as a child and return its wall time and peak RSS (getrusage of children, via python3). */
function measure(args: string[]): { seconds: number; peakMb: number } {
  const py = `import resource, subprocess, sys, time, json
t = time.time()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True, cwd=${JSON.stringify(ROOT)})
print(json.dumps({"seconds": time.time() - t, "peakMb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))`;
  return JSON.parse(execFileSync('python3', ['-c', py, process.execPath, ...args], { encoding: 'utf8' })) as {
    seconds: number;
    peakMb: number;
  };
}

const FLOOR = `const rl=require('node:readline');const fs=require('node:fs');
(async()=>{let n=0;for(const f of ['cases.jsonl','alerts.jsonl']){for await(const l of rl.createInterface({input:fs.createReadStream(process.argv[1]+'/'+f,{highWaterMark:1<<20}),crlfDelay:Infinity})){if(l)JSON.parse(l),n++;}}process.stderr.write('floor read '+n+' records\\n');})();`;

// The same floor with summarize's own way of reading (big chunks split at newlines, no readline): what is left
// between this and summarize is validation and the engine.
const FLOOR_CHUNKED = `const fs=require('node:fs');let n=0;
for(const f of ['cases.jsonl','alerts.jsonl']){const fd=fs.openSync(process.argv[1]+'/'+f,'r');let buf=Buffer.allocUnsafe(4<<20),carry=0;
for(;;){const r=fs.readSync(fd,buf,carry,buf.length-carry,null);const end=carry+r;const last=r===0?end:buf.lastIndexOf(10,end-1);
const text=buf.toString('latin1',0,last);let from=0;while(from<text.length){let to=text.indexOf('\\n',from);if(to<0)to=text.length;if(to>from){JSON.parse(text.slice(from,to));n++;}from=to+1;}
if(r===0)break;carry=end-last-1;buf.copy(buf,0,last+1,end);}fs.closeSync(fd);}
process.stderr.write('chunked floor read '+n+' records\\n');`;

export async function run(): Promise<void> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  for (const [label, cases, alerts] of [
    ['quarter', 250_000 * scale, 1_250_000 * scale],
    ['full', 1_000_000 * scale, 5_000_000 * scale],
  ] as const) {
    const dir = join(ROOT, 'bench-data', `summarize-${cases}-${alerts}`);
    const g0 = Date.now();
    await generate(dir, cases, alerts);
    const bytes = statSync(join(dir, 'cases.jsonl')).size + statSync(join(dir, 'alerts.jsonl')).size;
    console.log(
      `${label}: ${cases.toLocaleString()} cases + ${alerts.toLocaleString()} alerts, ${(bytes / 1e6).toFixed(0)} MB (generated in ${((Date.now() - g0) / 1000).toFixed(1)} s or cached)`,
    );
    const floor = measure(['-e', FLOOR, dir]);
    const chunked = measure(['-e', FLOOR_CHUNKED, dir]);
    const summarize = measure([
      'functions/cli/bin.js',
      'summarize',
      '--input',
      dir,
      '--period',
      '2026-Q3',
      '--tz',
      'Europe/London',
      '--json',
    ]);
    const records = cases + alerts;
    console.log(
      `  floor (read + JSON.parse): ${floor.seconds.toFixed(1)} s, ${(records / floor.seconds / 1000).toFixed(0)}k records/s, peak ${floor.peakMb.toFixed(0)} MB`,
    );
    console.log(
      `  floor, chunked reader:     ${chunked.seconds.toFixed(1)} s, ${(records / chunked.seconds / 1000).toFixed(0)}k records/s, peak ${chunked.peakMb.toFixed(0)} MB`,
    );
    console.log(
      `  summarize end to end:      ${summarize.seconds.toFixed(1)} s, ${(records / summarize.seconds / 1000).toFixed(0)}k records/s, peak ${summarize.peakMb.toFixed(0)} MB`,
    );
    console.log(
      `  ratio to floor: ${(summarize.seconds / floor.seconds).toFixed(2)}× (target ≤ 1.5×), to the chunked floor ${(summarize.seconds / chunked.seconds).toFixed(2)}×; peak memory target < 1024 MB`,
    );
  }
}
