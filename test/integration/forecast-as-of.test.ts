import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesForDay, DEFAULT_PROFILE, shiftsForDay } from '../../functions/soc-sim/generate.js';
import { parseConfig } from '../../shared/config/config.js';
import { DaySnapshotBuilder } from '../../shared/domain/day-snapshot.js';
import { parseForecastWeek, shiftWeek } from '../../shared/domain/forecast.js';
import { formatInstant, localDay, periodContaining } from '../../shared/domain/periods.js';
import { isMissing } from '../../shared/domain/summary.js';
import { snapshotForStore } from '../../shared/store/formats/snapshot-payload.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { loadStaffingLookAhead } from '../../shared/usecases/forecast-loader.js';
import { localTable } from './helpers.js';
import { runCli } from '../cli-run.js';

// The staffing email's look ahead and `socpulse forecast --as-of` from the same data give the same figures. The email
// of 2026-W47 is sent on Thursday of W48 (its data as of then) and looks at W49, the week after next of its period;
// the data are exported on that Thursday too, so W48 is only partly there.
const DAY = 86_400_000;
const NOW = Date.parse('2026-11-26T12:00:00Z'); // Thursday of 2026-W48
const FIRST = Date.parse('2026-08-03T00:00:00Z'); // Monday of 2026-W32: sixteen weeks before
const config = parseConfig({ timezone: 'UTC', sender: 'socpulse@example.com' });

const forecastCli = (...args: string[]) => runCli(['forecast', ...args]);

let env: Awaited<ReturnType<typeof localTable>>;
let snapshots: DynamoSnapshotStore;
let dir: string;
beforeAll(async () => {
  env = await localTable();
  snapshots = new DynamoSnapshotStore(env.table);
  dir = mkdtempSync(join(tmpdir(), 'socpulse-as-of-'));
  const cases = [];
  const shifts = [];
  // Cases up to now (as known now); the rota out to the end of W49, as the simulator publishes it.
  for (let d = FIRST; d < Date.parse('2026-12-07T00:00:00Z'); d += DAY) {
    const day = localDay(d, 'UTC');
    const b = new DaySnapshotBuilder('UTC', [day], new Set(d <= NOW ? ['cases', 'shifts'] : ['shifts']));
    const dayCases = d <= NOW ? casesForDay(DEFAULT_PROFILE, d, NOW).filter((c) => Date.parse(c.createdAt) < NOW) : [];
    const dayShifts = shiftsForDay(DEFAULT_PROFILE, d);
    cases.push(...dayCases);
    shifts.push(...dayShifts);
    if (dayCases.length) b.add('cases', dayCases);
    b.add('shifts', dayShifts);
    for (const s of b.snapshots())
      await snapshots.put<unknown>({
        family: s.family,
        periodKey: s.periodKey,
        source: 'sim',
        collectedAt: new Date(NOW).toISOString(),
        ...snapshotForStore(s.family, s.periodKey, s.payload, 'UTC'),
      });
  }
  const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  writeFileSync(join(dir, 'cases.jsonl'), jsonl(cases));
  writeFileSync(join(dir, 'shifts.jsonl'), jsonl(shifts));
}, 180_000);
afterAll(async () => {
  await env?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('socpulse forecast --as-of gives the staffing email’s look ahead', { timeout: 120_000 }, () => {
  it('the same week, judged at the email’s data-as-of time, from the same cases and rota: equal figures', async () => {
    // As run-report picks it: the week after next from the period's last week (2026-W47).
    const last = periodContaining('week', NOW - 7 * DAY, { tz: 'UTC', fiscalYearStartMonth: 1 });
    expect(last.label).toBe('2026-W47');
    const week = shiftWeek(last, 2);
    expect(week.label).toBe('2026-W49');
    const email = await loadStaffingLookAhead(snapshots, { week, asOf: NOW, settings: config });
    if (isMissing(email.forecast)) throw new Error(`no look ahead: ${email.forecast.reason}`);

    const asOf = formatInstant(NOW, 'UTC'); // as the email prints it
    const r = await forecastCli('--input', dir, '--week', '2026-W49', '--as-of', asOf, '--tz', 'UTC', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(email.forecast)));

    // Without --as-of the week is judged at its own start: the partly exported W48 is taken as a whole week, and the
    // figures differ (fewer cases expected: W48 has four and a half days in the files).
    const atStart = await forecastCli('--input', dir, '--week', '2026-W49', '--tz', 'UTC', '--json');
    expect(atStart.code).toBe(0);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(JSON.parse(atStart.stdout).arrivals.expected)).not.toBeCloseTo(sum(email.forecast.arrivals.expected), 0);
    expect(parseForecastWeek('2026-W49', 'UTC').start).toBe(week.start);
  });

  it('refuses an --as-of without its offset, with one clear line and exit 2', async () => {
    const r = await forecastCli('--input', dir, '--week', '2026-W49', '--as-of', '2026-11-26T12:00', '--json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--as-of: 2026-11-26T12:00 is not an ISO instant with its offset/);
  });
});
