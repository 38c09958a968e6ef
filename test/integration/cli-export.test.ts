import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli-run.js';

const run = (...args: string[]) => runCli(args);

describe('socpulse export → summarize (soc-sim over stdio)', () => {
  it('exports canonical JSONL that summarize turns into figures', async () => {
    const out = mkdtempSync(join(tmpdir(), 'socpulse-export-'));
    const r = await run('export', '--from', '2026-11-09', '--to', '2026-11-22', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/export sim: ok; \d+ cases, \d+ alerts, \d+ shifts(, \d+ costs)?; 0 rejected/);
    const cases = readFileSync(join(out, 'cases.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(cases.length).toBeGreaterThan(100);
    expect(cases[0]).toMatchObject({ source: 'sim', severity: expect.any(String), createdAt: expect.any(String) });
    const s = await run('summarize', '--input', out, '--period', '2026-W47', '--json');
    expect(s.code).toBe(0);
    const summary = JSON.parse(s.stdout);
    expect(summary.kpi.cases.created).toBe(
      cases.filter((c) => c.createdAt >= '2026-11-16' && c.createdAt < '2026-11-23').length,
    );
    expect(summary.staffing.headcount['1']).toBeGreaterThan(0);
  });

  it('exits 1 naming the source when a source fails, and 2 on bad flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-cfg-'));
    const config = join(dir, 'c.json');
    writeFileSync(
      config,
      // No sender, no audiences: export sends nothing, so it needs neither.
      JSON.stringify({
        mcpServers: {
          broken: {
            kind: 'socpulse',
            command: 'node',
            args: ['functions/cli/bin.js', 'sim', '--stdio', '--fault', 'isError'],
          },
        },
      }),
    );
    const r = await run(
      'export',
      '--from',
      '2026-11-20',
      '--to',
      '2026-11-20',
      '--out',
      join(dir, 'out'),
      '--config',
      config,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /export broken: failed; nothing; 0 rejected\n {2}error: broken: list_\w+ failed after \d attempts: isError: permission denied/,
    );
    const bad = await run('export', '--from', 'yesterday', '--to', '2026-11-20', '--out', dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('socpulse export: --from "yesterday": must be a date such as 2026-11-01\n');
  });

  it('exits 2 on a date that is not on the calendar, before collecting anything', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'socpulse-bad-date-')), 'out');
    const r = await run('export', '--from', '2026-02-30', '--to', '2026-03-02', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('socpulse export: --from "2026-02-30": is not a calendar day');
    expect(existsSync(out)).toBe(false);
  });

  it("leaves none of a failing source's records in the files, beside a whole export of the others", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-partial-'));
    const sim = (...extra: string[]) => ({
      kind: 'socpulse',
      command: 'node',
      args: ['functions/cli/bin.js', 'sim', '--stdio', '--now', '2026-11-23T06:00:00Z', ...extra],
    });
    const config = join(dir, 'c.json');
    // `dying` answers its first page, then its server dies mid-read: its first page must not reach the files.
    writeFileSync(
      config,
      JSON.stringify({ mcpServers: { good: sim(), dying: sim('--seed', '99', '--fault', 'die-mid-page') } }),
    );
    const exportTo = (out: string, ...more: string[]) =>
      run('export', '--from', '2026-11-20', '--to', '2026-11-21', '--out', out, '--config', config, ...more);
    const lines = (out: string, file: string) =>
      existsSync(join(out, file)) ? readFileSync(join(out, file), 'utf8').split('\n').filter(Boolean) : [];

    const both = await exportTo(join(dir, 'both'));
    const good = await exportTo(join(dir, 'good'), '--source', 'good');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(
      /export dying: failed; nothing; 0 rejected\n {2}error: .*none of its records were written/,
    );
    expect(good.code).toBe(0);
    expect(lines(join(dir, 'good'), 'cases.jsonl').length).toBeGreaterThan(10);
    for (const file of ['cases.jsonl', 'alerts.jsonl', 'shifts.jsonl'])
      expect(lines(join(dir, 'both'), file)).toEqual(lines(join(dir, 'good'), file));
  }, 180_000);
});
