import type { StaffingLookAhead } from '../domain/forecast.js';
import type { MetricSettings } from '../domain/settings.js';
import type { Summary, SummarySection } from '../domain/summary.js';

// What the renderer takes and gives: a report's figures and context in, subject, HTML, text and attachments out.

/** A report section a runbook can ask for (kpi, staffing, budget). */
export type Section = SummarySection;

/** What a source looked like when the report was made; anything but `ok` gets a banner. */
export interface SourceLine {
  name: string;
  kind: string;
  status: 'ok' | 'degraded' | 'stale' | 'missing' | 'failed';
  lastCollectedAt?: string;
  detail?: string;
}

/** The settings an email states beside its figures (targets, thresholds); defaults when absent. */
export type EmailSettings = Pick<
  MetricSettings,
  | 'slaTargets'
  | 'slaComplianceTarget'
  | 'varianceThresholdPct'
  | 'varianceThresholdAbs'
  | 'shrinkage'
  | 'hoursPerFte'
  | 'minOnShift'
  | 'significantIncidents'
>;

/** Everything one email shows. */
export interface ReportModel {
  runbook: { id: string; title: string; sections: Section[] };
  summary: Summary;
  sources: SourceLine[];
  generatedAt: string;
  /** The period is still under way (a runbook with allowToDate): the email says "to date". */
  toDate?: boolean;
  /** Inline chart images, already rendered, keyed by content id. */
  charts?: { cid: string; alt: string; png: Buffer; section: Section | 'forecast' }[];
  /** Next week's staffing look ahead (runbooks with `lookAhead: true`), shown first. */
  lookAhead?: StaffingLookAhead;
  settings?: EmailSettings;
  /**
   * This copy follows a send to the same recipient that socpulse could not confirm (it began at `sendingAt`): the
   * email opens by saying it may be a second copy (README "Exactly once").
   */
  possibleDuplicate?: { sendingAt: string; runId: string };
}

export interface RenderedReport {
  subject: string;
  html: string;
  text: string;
  /** Detail that did not fit the size limit (or the incident list's length), as an HTML attachment. */
  attachments: { filename: string; contentType: string; content: string }[];
}
