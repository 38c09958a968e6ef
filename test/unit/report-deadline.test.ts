import { describe, expect, it } from 'vitest';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import {
  checkReportDeadline,
  UnknownRunbookError,
  type ScheduledRuns,
} from '../../shared/usecases/check-report-deadline.js';

// The real runbooks: weekly-kpi (previous week, Mondays 07:00 London, deadline 3 h) and monthly-budget (previous
// month, the 3rd at 08:00 London, deadline 4 h). Expected periods are worked out by hand from the calendar (ISO weeks
// checked with Python's date.isocalendar): 2026-11-23 is the Monday of 2026-W48, 2026-11-30 of 2026-W49;
// 2026-05-25 of 2026-W22, 2026-06-01 of 2026-W23.
const runbooks = loadReportRunbooks('runbooks');
const config = { timezone: 'Europe/London', fiscalYearStartMonth: 4 };

/** An in-memory port holding one scheduled run per (runbook, period), remembering what it was asked. */
function runsWith(stored: Record<string, { status: string; error?: string }>) {
  const asked: string[] = [];
  const runs: ScheduledRuns = {
    getScheduled: async (runbook, period) => {
      asked.push(`${runbook} ${period}`);
      return stored[`${runbook} ${period}`];
    },
  };
  return { runs, asked };
}
const at = (iso: string) => () => new Date(iso);

describe('report deadline check', () => {
  it('checks the week that ended before the Monday schedule, and finds a delivered report on time', async () => {
    // Monday 2026-11-30 10:00 London (GMT = UTC): the 07:00 schedule reported on 2026-W48 (23–29 November).
    const { runs, asked } = runsWith({ 'weekly-kpi 2026-W48': { status: 'delivered' } });
    const check = await checkReportDeadline({ config, runbooks, runs, now: at('2026-11-30T10:00:00Z') }, 'weekly-kpi');
    expect(check).toEqual({ runbook: 'weekly-kpi', period: '2026-W48', status: 'delivered', overdue: false });
    expect(asked).toEqual(['weekly-kpi 2026-W48']);
  });

  it('judges the week in the SOC time zone: at 00:30 on a summer Monday in London the week has ended, in UTC not yet', async () => {
    // 2026-06-01 00:30 BST is 2026-05-31 23:30 UTC: London's week 2026-W22 (25–31 May) is complete.
    const { runs, asked } = runsWith({});
    const check = await checkReportDeadline({ config, runbooks, runs, now: at('2026-05-31T23:30:00Z') }, 'weekly-kpi');
    expect(check.period).toBe('2026-W22');
    expect(asked).toEqual(['weekly-kpi 2026-W22']);
  });

  it('emits ReportOverdue when no run was ever started for the period', async () => {
    const { runs } = runsWith({ 'weekly-kpi 2026-W47': { status: 'delivered' } }); // last week's, not this one
    const check = await checkReportDeadline({ config, runbooks, runs, now: at('2026-11-30T10:00:00Z') }, 'weekly-kpi');
    expect(check).toEqual({ runbook: 'weekly-kpi', period: '2026-W48', status: 'never started', overdue: true });
  });

  it('is on time for a report sent saying there was no data, and overdue for one failed, queued or still sending', async () => {
    const cases: [string, boolean][] = [
      ['no-data-sent', false],
      ['failed', true],
      ['queued', true],
      ['claimed', true],
    ];
    for (const [status, overdue] of cases) {
      const { runs } = runsWith({
        'monthly-budget 2026-11': { status, error: status === 'failed' ? 'SES refused' : undefined },
      });
      // The 3rd of December 2026, 12:00 London: the 08:00 schedule reported on November.
      const check = await checkReportDeadline(
        { config, runbooks, runs, now: at('2026-12-03T12:00:00Z') },
        'monthly-budget',
      );
      expect(check, status).toMatchObject({ period: '2026-11', status, overdue });
      if (status === 'failed') expect(check.error).toBe('SES refused');
    }
  });

  it('refuses a runbook it does not know, naming the known ones', async () => {
    const { runs, asked } = runsWith({});
    const run = checkReportDeadline({ config, runbooks, runs, now: at('2026-11-30T10:00:00Z') }, 'weekly-kpis');
    await expect(run).rejects.toThrow(UnknownRunbookError);
    await expect(run).rejects.toThrow(/unknown runbook "weekly-kpis" \(known: .*weekly-kpi/);
    expect(asked).toEqual([]);
  });
});
