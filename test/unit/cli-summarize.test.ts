import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli-run.js';

const run = (...args: string[]) => runCli(['summarize', ...args]);

// Each test runs the CLI in a child process: this block says how long its tests may take.
describe('socpulse summarize', { timeout: 120_000 }, () => {
  it('takes a config without sender (summarize sends nothing) and applies its settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-cfg-'));
    const config = join(dir, 'metrics-only.json');
    writeFileSync(config, JSON.stringify({ timezone: 'UTC', fiscalYearStartMonth: 4 }));
    const r = await run(
      '--input',
      'test/fixtures/summarize/basic',
      '--period',
      '2026-W47',
      '--config',
      config,
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).period.tz).toBe('UTC');
  });

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
      pointInTime: '2026-11-23T00:00:00+00:00',
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

// Property tests comparing the fast checks with zod over many generated records: this block says how long its tests may take.
describe('fast record checks', { timeout: 120_000 }, () => {
  it('property: whatever the fast path accepts, the zod schema accepts too', async () => {
    const fc = (await import('fast-check')).default;
    const { isPlainAlert, isPlainCase } = await import('../../shared/sources/canonical/fast-record-checks.js');
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
        handleMinutes: fc.option(fc.oneof(fc.double(), fc.double({ min: 0, max: 1e4, noNaN: true })), {
          nil: undefined,
        }),
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

  it('property: the fast path converts exactly as zod + caseFacts do, and reads instants as Date.parse does', async () => {
    const fc = (await import('fast-check')).default;
    const { parseInstant } = await import('../../shared/sources/canonical/instant.js');
    const { plainCaseFacts } = await import('../../shared/sources/canonical/fast-record-checks.js');
    const { CaseSchema } = await import('../../shared/domain/records.js');
    const { caseFacts } = await import('../../shared/domain/facts.js');
    const instant = fc.oneof(
      fc
        .date({ min: new Date('0900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc
        .tuple(
          fc.date({ min: new Date('1990-01-01'), max: new Date('2060-01-01'), noInvalidDate: true }),
          fc.constantFrom('Z', '+01:00', '-05:30', '+14:00', '-00:00', '+24:00', '+05:60'),
          fc.constantFrom('', '.1', '.12', '.123', '.123456789', '.'),
        )
        .map(([d, off, frac]) => d.toISOString().slice(0, 19) + frac + off),
      fc.constantFrom('2024-02-29T12:00:00Z', '2025-02-29T12:00:00Z', '2026-04-31T00:00:00Z', '2026-11-23T24:00:00Z'),
    );
    fc.assert(
      fc.property(instant, (v) => {
        const t = parseInstant(v);
        return Number.isNaN(t) || t === Date.parse(v);
      }),
      { numRuns: 3000 },
    );
    // Mostly well-formed instants, so that records reach the fast path often enough to compare conversions.
    const usual = fc.oneof(
      {
        arbitrary: fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        weight: 12,
      },
      { arbitrary: instant, weight: 1 },
    );
    const kase = fc.record(
      {
        id: fc.constantFrom('c1', 'c2'),
        source: fc.constantFrom('s', 's', 's', ''),
        title: fc.string(),
        severity: fc.constantFrom('high', 'low', 'critical', 'urgent'),
        createdAt: usual,
        firstEventAt: fc.option(usual, { nil: undefined }),
        detectedAt: fc.option(usual, { nil: undefined }),
        acknowledgedAt: fc.option(usual, { nil: undefined }),
        containedAt: fc.option(usual, { nil: undefined }),
        closedAt: fc.option(usual, { nil: undefined }),
        disposition: fc.option(fc.constantFrom('true_positive', 'false_positive', 'false_positive', 'maybe'), {
          nil: undefined,
        }),
        tier: fc.option(fc.constantFrom(1, 2, 3, 3, 3, 4), { nil: undefined }),
        escalatedToTier: fc.option(fc.constantFrom(1, 2, 3, 3, 3), { nil: undefined }),
        runbook: fc.option(fc.string(), { nil: undefined }),
        handleMinutes: fc.option(fc.oneof(fc.double(), fc.double({ min: 0, max: 1e4, noNaN: true })), {
          nil: undefined,
        }),
      },
      { requiredKeys: ['id', 'source', 'title', 'severity', 'createdAt'] },
    );
    let accepted = 0;
    fc.assert(
      fc.property(kase, (c) => {
        const fast = plainCaseFacts(c);
        if (fast === undefined) return true;
        accepted++;
        const parsed = CaseSchema.safeParse(c);
        return parsed.success && JSON.stringify(caseFacts(parsed.data)) === JSON.stringify(fast);
      }),
      { numRuns: 3000 },
    );
    // The fast path must actually take ordinary records, or it would only ever defer to zod.
    expect(accepted).toBeGreaterThan(150);
  });
  it('property: the alert fast path converts exactly as zod + alertCount do', async () => {
    const fc = (await import('fast-check')).default;
    const { plainAlert } = await import('../../shared/sources/canonical/fast-record-checks.js');
    const { AlertSchema } = await import('../../shared/domain/records.js');
    const { alertCount } = await import('../../shared/domain/facts.js');
    // Mostly well-formed instants, so that records reach the fast path often enough to compare conversions.
    const instant = fc.oneof(
      {
        arbitrary: fc
          .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString()),
        weight: 6,
      },
      fc
        .tuple(
          fc.date({ min: new Date('1990-01-01'), max: new Date('2060-01-01'), noInvalidDate: true }),
          fc.constantFrom('Z', '+01:00', '-05:30', '+24:00'),
          fc.constantFrom('', '.1', '.123456', '.'),
        )
        .map(([d, off, frac]) => d.toISOString().slice(0, 19) + frac + off),
    );
    const alert = fc.record(
      {
        id: fc.constantFrom('a1', 'a2', 'a3', ''),
        source: fc.constantFrom('s', 's', ''),
        rule: fc.constantFrom('r1', 'r2', 'r3', ''),
        severity: fc.constantFrom('high', 'low', 'critical', 'urgent'),
        createdAt: instant,
        firstEventAt: fc.option(instant, { nil: undefined }),
        caseId: fc.option(fc.oneof({ arbitrary: fc.string(), weight: 4 }, fc.integer()), { nil: undefined }),
        disposition: fc.option(fc.constantFrom('true_positive', 'benign_positive', 'false_positive', 'maybe'), {
          nil: undefined,
        }),
        product: fc.option(fc.constantFrom('SIEM', 'EDR', 'SOAR', ''), { nil: undefined }),
      },
      { requiredKeys: ['id', 'source', 'rule', 'severity', 'createdAt'] },
    );
    let accepted = 0;
    fc.assert(
      fc.property(alert, (a) => {
        const fast = plainAlert(a);
        if (fast === undefined) return true;
        accepted++;
        const parsed = AlertSchema.safeParse(a);
        return parsed.success && JSON.stringify(alertCount(parsed.data)) === JSON.stringify(fast);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(150);
  });
});

// Streams fixture directories through the engine (and a worker thread): this block says how long its tests may take.
describe('streaming a directory through the engine', { timeout: 120_000 }, () => {
  it('gives the same figures as the records held in memory, across DST days and with asOf inside a day', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { summarizeCanonicalDir } = await import('../../shared/usecases/summarize-files.js');
    const { alertCount, caseFacts } = await import('../../shared/domain/facts.js');
    const { parsePeriod } = await import('../../shared/domain/periods.js');
    const { summarize } = await import('../../shared/domain/summary.js');
    const { MetricSettingsSchema } = await import('../../shared/domain/settings.js');
    const tz = 'Europe/London';
    const settings = MetricSettingsSchema.parse({ timezone: tz });
    // Alerts every 37 minutes and cases every 5 hours from 2026-10-20 to 2026-11-05: W43 holds the 25-hour day of
    // 2026-10-25. Lines end in CRLF and a blank line sits in the middle, as exported files sometimes do.
    const base = Date.UTC(2026, 9, 20);
    const alerts = Array.from({ length: 620 }, (_, i) => ({
      id: `a${i}`,
      source: 's',
      rule: `r${i % 3}`,
      severity: i % 2 ? ('low' as const) : ('high' as const),
      createdAt: new Date(base + i * 37 * 60_000).toISOString(),
    }));
    const cases = Array.from({ length: 80 }, (_, i) => ({
      id: `c${i}`,
      source: 's',
      title: `case ${i}`,
      severity: (['critical', 'high', 'medium', 'low', 'info'] as const)[i % 5]!,
      createdAt: new Date(base + i * 5 * 3_600_000).toISOString().replace('Z', '+00:00'),
      ...(i % 3 ? { closedAt: new Date(base + i * 5 * 3_600_000 + i * 7_000_000).toISOString() } : {}),
      ...(i % 3 ? { disposition: 'false_positive' as const } : {}),
      ...(i % 4 ? { acknowledgedAt: new Date(base + i * 5 * 3_600_000 + i * 60_000).toISOString() } : {}),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'stream-'));
    writeFileSync(join(dir, 'alerts.jsonl'), alerts.map((a) => JSON.stringify(a)).join('\r\n'));
    const lines = cases.map((c) => JSON.stringify(c));
    lines.splice(40, 0, '', '  \u00a0', '\ufeff');
    writeFileSync(join(dir, 'cases.jsonl'), lines.join('\n') + '\n');
    for (const [label, asOf] of [
      ['2026-W43', undefined],
      ['2026-W44', Date.parse('2026-10-29T13:17:00Z')],
      ['2026-10', undefined],
    ] as const) {
      const period = parsePeriod(label, { tz, fiscalYearStartMonth: 1 });
      const at = asOf ?? period.end;
      const streamed = await summarizeCanonicalDir(dir, { period, asOf: at, settings });
      const inMemory = summarize(
        { cases: cases.map((c) => caseFacts(c)), alerts: alerts.map(alertCount) },
        { period, asOf: at, settings },
      );
      expect(streamed).toEqual(inMemory);
      // The same with the alerts counted per local day on a worker thread (as big files are).
      const parallel = await summarizeCanonicalDir(dir, { period, asOf: at, settings, parallelAlertsBytes: 0 });
      expect(parallel).toEqual(inMemory);
      expect(streamed.kpi).toMatchObject({ cases: { created: expect.any(Number) } });
    }
  }, 60_000); // real work (worker threads, files) on a shared 2-core machine
});

// Starts a worker thread: this block says how long its tests may take.
describe('a malformed alert counted on the worker thread', { timeout: 120_000 }, () => {
  it('is reported with its file and line, as on the main thread', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { summarizeCanonicalDir } = await import('../../shared/usecases/summarize-files.js');
    const { InputFileError } = await import('../../shared/sources/canonical/jsonl-reader.js');
    const { parsePeriod } = await import('../../shared/domain/periods.js');
    const { MetricSettingsSchema } = await import('../../shared/domain/settings.js');
    const dir = mkdtempSync(join(tmpdir(), 'bad-alert-'));
    const ok = JSON.stringify({ id: 'a1', source: 's', rule: 'r', severity: 'low', createdAt: '2026-11-17T10:00:00Z' });
    const bad = JSON.stringify({
      id: 'a2',
      source: 's',
      rule: 'r',
      severity: 'urgent',
      createdAt: '2026-11-17T10:00:00Z',
    });
    writeFileSync(join(dir, 'alerts.jsonl'), [ok, ok, bad, ok].join('\n'));
    const period = parsePeriod('2026-W47', { tz: 'UTC', fiscalYearStartMonth: 1 });
    const run = summarizeCanonicalDir(dir, {
      period,
      asOf: period.end,
      settings: MetricSettingsSchema.parse({}),
      parallelAlertsBytes: 0,
    });
    await expect(run).rejects.toBeInstanceOf(InputFileError);
    await expect(run).rejects.toThrow(/^alerts\.jsonl:3: severity: /);
  });
});
