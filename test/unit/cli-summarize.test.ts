import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['functions/cli/bin.js', 'summarize', ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

describe('socpulse summarize', () => {
  it('prints every top-level key of the contract for a fixture directory', async () => {
    const r = await run('--input', 'test/fixtures/summarize/basic', '--period', '2026-W47', '--tz', 'UTC', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['period', 'kpi', 'staffing', 'budget']);
    expect(out.period).toEqual({
      label: '2026-W47',
      start: '2026-11-16T00:00:00+00:00',
      end: '2026-11-23T00:00:00+00:00',
      tz: 'UTC',
      asOf: '2026-11-23T00:00:00+00:00',
    });
    // cases created in W47: c1, c2, c3; closed in W47: c1 (180 min), c2 (360 min), c5 (10 days = 14400 min)
    expect(out.kpi.cases).toEqual({ created: 3, closed: 3, openAtAsOf: 2 });
    expect(out.kpi.ttr).toEqual({ n: 3, p50: 360, p90: 14400, mean: (180 + 360 + 14400) / 3, lowN: true });
    expect(out.kpi.alerts).toEqual({ created: 4 });
    expect(out.kpi.trend.metrics['cases.created']).toMatchObject({ current: 3, previous: 1 });
    for (const key of [
      'ttd',
      'tta',
      'ttc',
      'ttrCohort',
      'bySeverity',
      'sla',
      'dispositions',
      'falsePositiveRate',
      'precision',
      'escalationRate',
      'alertToCaseRatio',
      'backlog',
      'rules',
      'runbooks',
      'volume',
      'trend',
    ])
      expect(out.kpi).toHaveProperty(key);
    // No shifts.jsonl, costs.jsonl or budget.csv: those sections are missing, never zeros.
    expect(out.staffing).toMatchObject({ missing: true });
    expect(out.budget).toMatchObject({ missing: true });
  });

  it('--as-of hides what happened later', async () => {
    const r = await run(
      '--input',
      'test/fixtures/summarize/basic',
      '--period',
      '2026-W47',
      '--tz',
      'UTC',
      '--as-of',
      '2026-11-16T11:00:00Z',
      '--json',
    );
    const out = JSON.parse(r.stdout);
    // At 11:00 on the 16th only c1 exists in the period and it is still open (it closes at 12:00);
    // open at asOf: c1, c4 (since October) and c5 (closes on the 20th).
    expect(out.kpi.cases).toEqual({ created: 1, closed: 0, openAtAsOf: 3 });
  });

  it('names the file and line of a malformed record, prints nothing on stdout and exits 2', async () => {
    const r = await run('--input', 'test/fixtures/summarize/malformed', '--period', '2026-W47', '--json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cases\.jsonl:2: severity/);
  });

  it('reports every section missing for an empty directory', async () => {
    const r = await run('--input', 'test/fixtures/summarize/empty', '--period', '2026-11', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kpi.missing).toBe(true);
    expect(out.staffing.missing).toBe(true);
    expect(out.budget.missing).toBe(true);
  });

  it('rejects a bad period label with exit 2', async () => {
    const r = await run('--input', 'test/fixtures/summarize/basic', '--period', 'last-week', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--period: "last-week" is not a period label/);
  });
});

describe('fast record checks', () => {
  it('property: whatever the fast path accepts, the zod schema accepts too', async () => {
    const fc = (await import('fast-check')).default;
    const { isPlainAlert, isPlainCase } = await import('../../shared/sources/canonical-files.js');
    const { AlertSchema, CaseSchema } = await import('../../shared/domain/records.js');
    const instant = fc.oneof(
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.constantFrom('2026-11-23T07:00:00+01:00', '2026-02-30T00:00:00Z', '2026-11-23 07:00', '', 'x'),
    );
    const anyValue = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(undefined),
      fc.constant(null),
      instant,
      fc.constantFrom('high', 'urgent', 'false_positive', 1, 2, 3),
    );
    const alert = fc.record(
      {
        id: anyValue,
        source: anyValue,
        rule: anyValue,
        severity: anyValue,
        createdAt: instant,
        firstEventAt: fc.option(instant, { nil: undefined }),
      },
      { requiredKeys: [] },
    );
    const kase = fc.record(
      {
        id: anyValue,
        source: anyValue,
        title: anyValue,
        severity: anyValue,
        createdAt: instant,
        closedAt: fc.option(instant, { nil: undefined }),
        tier: anyValue,
        handleMinutes: fc.option(fc.double(), { nil: undefined }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(alert, (a) => !isPlainAlert(a) || AlertSchema.safeParse(a).success),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(kase, (c) => !isPlainCase(c) || CaseSchema.safeParse(c).success),
      { numRuns: 2000 },
    );
  });
});

describe('reading alerts per local day', () => {
  it('gives the same figures as the raw alerts, across DST days and with asOf inside a day', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { readCanonicalDir } = await import('../../shared/sources/canonical-files.js');
    const { alertCount } = await import('../../shared/domain/facts.js');
    const { parsePeriod } = await import('../../shared/domain/periods.js');
    const { summarize } = await import('../../shared/domain/summary.js');
    const { MetricSettingsSchema } = await import('../../shared/domain/settings.js');
    const tz = 'Europe/London';
    const settings = MetricSettingsSchema.parse({ timezone: tz });
    // Alerts every 37 minutes from 2026-10-20 to 2026-11-05: W43 holds the 25-hour day of 2026-10-25.
    const alerts = Array.from({ length: 620 }, (_, i) => ({
      id: `a${i}`,
      source: 's',
      rule: `r${i % 3}`,
      severity: i % 2 ? ('low' as const) : ('high' as const),
      createdAt: new Date(Date.UTC(2026, 9, 20) + i * 37 * 60_000).toISOString(),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'alerts-'));
    writeFileSync(join(dir, 'alerts.jsonl'), alerts.map((a) => JSON.stringify(a)).join('\n'));
    writeFileSync(join(dir, 'cases.jsonl'), '');
    for (const [label, asOf] of [
      ['2026-W43', undefined],
      ['2026-W44', Date.parse('2026-10-29T13:17:00Z')],
      ['2026-10', undefined],
    ] as const) {
      const period = parsePeriod(label, { tz, fiscalYearStartMonth: 1 });
      const at = asOf ?? period.end;
      const fromFile = summarize(await readCanonicalDir(dir, { asOf: at, tz }), { period, asOf: at, settings });
      const fromRaw = summarize({ cases: [], alerts: alerts.map(alertCount) }, { period, asOf: at, settings });
      expect(fromFile.kpi).toEqual(fromRaw.kpi);
    }
  });
});
