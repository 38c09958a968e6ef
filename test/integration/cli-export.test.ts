import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = async (...args: string[]) => {
  try {
    const r = await promisify(execFile)('node', ['functions/cli/bin.js', ...args], { maxBuffer: 64 << 20 });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

describe('socpulse export → summarize (soc-sim over stdio)', () => {
  it('exports canonical JSONL that summarize turns into figures', async () => {
    const out = mkdtempSync(join(tmpdir(), 'socpulse-export-'));
    const r = await run('export', '--from', '2026-11-09', '--to', '2026-11-22', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/export sim: \d+ cases, \d+ alerts, \d+ shifts/);
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
      JSON.stringify({
        sender: 'a@example.com',
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
      /export broken: failed: broken: list_\w+ failed after \d attempts: isError: permission denied/,
    );
    const bad = await run('export', '--from', 'yesterday', '--to', '2026-11-20', '--out', dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from must be a date/);
  });
});
