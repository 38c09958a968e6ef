import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { alertsForHour, casesForDay, DEFAULT_PROFILE, shiftsForDay } from '../../functions/soc-sim/generate.js';
import { parseConfig } from '../../shared/config/config.js';
import { DaySnapshotBuilder, mergeDaySnapshots } from '../../shared/domain/day-snapshot.js';
import { caseFacts } from '../../shared/domain/facts.js';
import { localDaysOf, parsePeriod } from '../../shared/domain/periods.js';
import type { KpiSummary } from '../../shared/domain/kpi.js';
import { CaseSchema } from '../../shared/domain/records.js';
import { significantRule } from '../../shared/domain/settings.js';
import { summarize } from '../../shared/domain/summary.js';
import { composeMime } from '../../shared/mail/mime.js';
import { renderReport, type ReportModel } from '../../shared/mail/render.js';

const tz = 'Europe/London';
const config = parseConfig({ timezone: tz, sender: 'socpulse@example.com', replyTo: 'soc-lead@example.com' });

/** Two simulated weeks (W45, W46 2026) with one critical case whose title is hostile HTML. */
function model(sections: ReportModel['runbook']['sections']): ReportModel {
  const period = parsePeriod('2026-W46', { tz, fiscalYearStartMonth: 1 });
  const days = [...localDaysOf(parsePeriod('2026-W45', { tz, fiscalYearStartMonth: 1 })), ...localDaysOf(period)];
  const b = new DaySnapshotBuilder(tz, days, new Set(['cases', 'alerts', 'shifts']));
  const now = period.end + 86_400_000;
  for (const d of days) {
    const at = Date.parse(`${d}T00:00:00Z`);
    const cases = casesForDay(DEFAULT_PROFILE, at, now);
    if (d === days.at(-1))
      cases[0] = { ...cases[0]!, severity: 'critical', title: '<img src=x onerror=alert(1)> on SRV-1' };
    b.add('cases', cases);
    for (let h = 0; h < 24; h++) b.add('alerts', alertsForHour(DEFAULT_PROFILE, at, h));
    b.add('shifts', shiftsForDay(DEFAULT_PROFILE, at));
  }
  const summary = summarize(mergeDaySnapshots(b.snapshots()), { period, asOf: now, settings: config });
  return {
    runbook: { id: 'weekly-kpi', title: 'SOC weekly KPI report', sections },
    summary,
    sources: [],
    generatedAt: '2026-11-24T08:00:00+00:00',
    settings: config,
  };
}

describe('the rendered email', () => {
  it('stores titles only for significant incidents, and shows them escaped with their timeline', () => {
    const keep = significantRule(config);
    const base = { id: '1', source: 's', title: 'secret host name', createdAt: '2026-11-20T10:00:00Z' };
    expect(caseFacts(CaseSchema.parse({ ...base, severity: 'low' }), keep).title).toBeUndefined();
    expect(caseFacts(CaseSchema.parse({ ...base, severity: 'high' }), keep).title).toBeUndefined();
    expect(caseFacts(CaseSchema.parse({ ...base, severity: 'high', escalatedToTier: 2 }), keep).title).toBe(
      'secret host name',
    );
    expect(caseFacts(CaseSchema.parse({ ...base, severity: 'critical' }), keep).title).toBe('secret host name');

    const m = model(['kpi']);
    const { html, attachments } = renderReport(m);
    const shown = html + attachments.map((a) => a.content).join('');
    expect(html).toContain('Significant incidents');
    expect(shown).not.toContain('<img src=x');
    expect(shown).toContain('&#60;img src&#61;x onerror&#61;alert(1)&#62; on SRV-1');
    // Human dates in the SOC's zone, never ISO stamps.
    expect(html).toMatch(/Mon 9 Nov – Sun 15 Nov 2026/);
    expect(html).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it('lists at most the first 100 significant incidents in reading order, criticals first, and says how many there were', () => {
    const period = parsePeriod('2026-W46', { tz, fiscalYearStartMonth: 1 });
    const cases = Array.from({ length: 250 }, (_, i) =>
      CaseSchema.parse({
        id: `c${i}`,
        source: 's',
        title: `case ${i}`,
        // 150 escalated highs created before 100 criticals: the criticals must be the ones kept.
        ...(i < 150 ? { severity: 'high', escalatedToTier: 2 } : { severity: 'critical' }),
        createdAt: new Date(period.start + i * 60_000).toISOString(),
      }),
    );
    const summary = summarize(
      { cases: cases.map((c) => caseFacts(c, significantRule(config))) },
      { period, asOf: period.end, settings: config },
    );
    const k = summary.kpi as KpiSummary;
    expect(k.significantTotal).toBe(250);
    expect(k.significant).toHaveLength(100);
    expect(k.significant.every((x) => x.severity === 'critical')).toBe(true);
    expect(k.significant.map((x) => x.created)).toEqual([...k.significant.map((x) => x.created)].sort((a, b) => a - b));
    const { html, attachments } = renderReport({ ...model(['kpi']), summary });
    expect(html).toContain('250 significant incidents in all; the first 100 in reading order are listed: 100 open.');
    expect(html).toContain('The attached detail lists the first 100 of the 250 in that order');
    expect(attachments[0]!.content.match(/case \d+/g)?.length).toBeLessThanOrEqual(100);
  });

  it('has a headline in sentences, a subject with its figure, and a text part with every section within 78 columns', () => {
    const m = model(['kpi', 'staffing']);
    const { subject, text, html } = renderReport(m);
    expect(subject).toMatch(/^SOC weekly KPI report — 2026-W46: .*resolve SLA \d+% \(target 90%\)/);
    expect(html).toContain('id="headline"');
    for (const heading of [
      'WHAT CHANGED AND WHY',
      'SIGNIFICANT INCIDENTS',
      'RESPONSE TIMES',
      'SLA BY SEVERITY',
      'BACKLOG',
      'QUALITY',
      'STAFFING',
      'DEFINITIONS',
    ])
      expect(text).toContain(heading);
    const long = text.split('\n').filter((l) => l.length > 78);
    expect(long).toEqual([]);
    // Staffing says how its figures fit, per tier.
    // as aligned columns: a row per tier under the header.
    expect(text).toMatch(/^Tier +Analysts +On-shift +Closed, first/m);
    expect(text).toMatch(/^Tier 3 +\d+ +[\d,]+ +[\d,]+ +[\d,]+ +[\d.]+/m);
  });

  it('moves detail to an attachment rather than send HTML over the limit', () => {
    const m = model(['kpi']);
    const whole = renderReport(m);
    expect(whole.html).toContain('Runbook effectiveness');
    const limit = Buffer.byteLength(whole.html) - 1000;
    const cut = renderReport(m, limit);
    expect(Buffer.byteLength(cut.html)).toBeLessThanOrEqual(limit);
    expect(cut.html).not.toContain('Runbook effectiveness');
    expect(cut.html).toContain('socpulse-weekly-kpi-2026-W46-detail.html');
    expect(cut.attachments[0]!.filename).toBe('socpulse-weekly-kpi-2026-W46-detail.html');
    expect(cut.attachments[0]!.content).toContain('Runbook effectiveness');
    expect(() => renderReport(m, 5_000)).toThrow(/over the 5000-byte limit/);
  });

  it('is sent with a display name, Reply-To and Auto-Submitted', async () => {
    const { subject, html, text } = renderReport(model(['kpi']));
    const raw = await composeMime({
      from: config.sender!,
      fromName: config.senderName,
      replyTo: config.replyTo,
      to: ['ciso@example.com'],
      subject,
      html,
      text,
    });
    const mail = await simpleParser(raw);
    expect(mail.from?.value[0]).toEqual({ name: 'socpulse SOC reports', address: 'socpulse@example.com' });
    expect(mail.replyTo?.value[0]?.address).toBe('soc-lead@example.com');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(() => parseConfig({ sender: 'a@example.com', replyTo: 'not an address' })).toThrow(/replyTo/);
  });
});
