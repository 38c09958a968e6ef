import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesForDay, DEFAULT_PROFILE, shiftsForDay } from '../../functions/soc-sim/generate.js';
import { runCli } from '../cli-run.js';

const DAY = 86_400_000;
const WEEK_START = Date.parse('2026-11-30T00:00:00Z'); // Monday of 2026-W49

const run = (...args: string[]) => runCli(['forecast', ...args]);
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('socpulse forecast', { timeout: 60_000 }, () => {
  let dir: string;
  let later: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'socpulse-forecast-'));
    later = mkdtempSync(join(tmpdir(), 'socpulse-forecast-later-'));
    // Sixteen weeks of simulator cases before 2026-W49, as known at its start; its rota for the week itself.
    const before = [];
    for (let d = WEEK_START - 16 * 7 * DAY; d < WEEK_START; d += DAY)
      before.push(...casesForDay(DEFAULT_PROFILE, d, WEEK_START));
    const during = [];
    for (let d = WEEK_START; d < WEEK_START + 7 * DAY; d += DAY)
      during.push(...casesForDay(DEFAULT_PROFILE, d, WEEK_START + 7 * DAY));
    const shifts = [];
    for (let d = WEEK_START - DAY; d < WEEK_START + 8 * DAY; d += DAY) shifts.push(...shiftsForDay(DEFAULT_PROFILE, d));
    writeFileSync(join(dir, 'cases.jsonl'), jsonl(before));
    writeFileSync(join(dir, 'shifts.jsonl'), jsonl(shifts));
    // The same directory a week later: the week's own cases are there too, and must change nothing.
    writeFileSync(join(later, 'cases.jsonl'), jsonl([...before, ...during]));
    writeFileSync(join(later, 'shifts.jsonl'), jsonl(shifts));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(later, { recursive: true, force: true });
  });

  it('prints exactly the JSON shape of the issue, 168 local buckets each', async () => {
    const r = await run('--input', dir, '--week', '2026-W49', '--tz', 'UTC', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['week', 'arrivals', 'required', 'requiredHigh', 'scheduled', 'gap', 'method']);
    expect(out.week).toEqual({
      label: '2026-W49',
      start: '2026-11-30T00:00:00+00:00',
      end: '2026-12-07T00:00:00+00:00',
      tz: 'UTC',
    });
    expect(Object.keys(out.arrivals)).toEqual(['expected', 'low', 'high']);
    for (const a of [out.arrivals.expected, out.arrivals.low, out.arrivals.high, out.required, out.requiredHigh])
      expect(a).toHaveLength(168);
    expect(out.scheduled).toHaveLength(168);
    expect(Object.keys(out.gap)).toEqual(['hours', 'analystHours', 'worst']);
    for (const w of out.gap.worst) expect(Object.keys(w)).toEqual(['hour', 'short']);
    expect(out.method).toMatch(/Theil–Sen/);
    // About 40 cases a weekday in the simulator; weekday daytime needs more analysts than the night.
    const total = out.arrivals.expected.reduce((a: number, b: number) => a + b, 0);
    expect(total).toBeGreaterThan(180);
    expect(total).toBeLessThan(300);
    expect(out.required[2 * 24 + 11]).toBeGreaterThanOrEqual(out.required[2 * 24 + 3]);
    // The simulator rota: four tier-1 seats on weekday days among others; some hours are short.
    expect(Math.max(...out.scheduled)).toBeGreaterThanOrEqual(4);
    expect(out.gap.hours).toBe(out.required.filter((req: number, h: number) => out.scheduled[h] < req).length);

    // Cases created in the week itself (and closures after its start) are not used.
    const r2 = await run('--input', later, '--week', '2026-W49', '--tz', 'UTC', '--json');
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.stdout)).toEqual(out);
  });

  it('refuses bad input with one clear line and exit 2, nothing on stdout', async () => {
    const badWeek = await run('--input', dir, '--week', '2026-12', '--json');
    expect(badWeek.code).toBe(2);
    expect(badWeek.stdout).toBe('');
    expect(badWeek.stderr).toMatch(/--week: "2026-12" is not an ISO week label/);

    const bad = mkdtempSync(join(tmpdir(), 'socpulse-forecast-bad-'));
    try {
      writeFileSync(
        join(bad, 'cases.jsonl'),
        '{"id":"a","source":"s","title":"t","severity":"high","createdAt":"2026-11-02T10:00:00Z"}\n{"id":"b","source":"s","title":"t","severity":"urgent","createdAt":"2026-11-02T11:00:00Z"}\n',
      );
      const badLine = await run('--input', bad, '--week', '2026-W49', '--json');
      expect(badLine.code).toBe(2);
      expect(badLine.stdout).toBe('');
      expect(badLine.stderr).toMatch(/cases\.jsonl:2: severity/);

      writeFileSync(
        join(bad, 'cases.jsonl'),
        '{"id":"a","source":"s","title":"t","severity":"high","createdAt":"2026-11-23T10:00:00Z"}\n',
      );
      const short = await run('--input', bad, '--week', '2026-W49', '--json');
      expect(short.code).toBe(2);
      expect(short.stderr).toMatch(/no data for a forecast of 2026-W49: 1 whole ISO week/);

      rmSync(join(bad, 'cases.jsonl'));
      const none = await run('--input', bad, '--week', '2026-W49', '--json');
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/no data for 2026-W49: .*cases\.jsonl not found/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
    const noJson = await run('--input', dir, '--week', '2026-W49');
    expect(noJson.code).toBe(2);
    expect(noJson.stderr).toMatch(/--json is required/);
  });
});
