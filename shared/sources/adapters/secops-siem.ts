import type { SourceOptions } from '../../config/config.js';
import { AlertSchema, SEVERITIES, type Severity } from '../../domain/records.js';
import { SourceError } from '../errors.js';
import type { SourceClient } from '../mcp-client.js';
import { RecordValidator, type RecordBatch, type SourceReader } from '../reader.js';
import { failIfNothingMapped, listAt, toIso } from './util.js';

const MAX_ALERTS = 1000;
const MIN_SLICE_MS = 60_000;
type Raw = Record<string, unknown>;

const SEVERITY_WORDS: Record<string, Severity> = {
  ...Object.fromEntries(SEVERITIES.map((s) => [s, s])),
  informational: 'info',
  informative: 'info',
  moderate: 'medium',
};

/** A rule severity as Chronicle rules write it (`"HIGH"`, `"Medium"`, `"informational"`), or undefined. */
export function siemSeverity(value: unknown): Severity | undefined {
  return typeof value === 'string' ? SEVERITY_WORDS[value.trim().toLowerCase()] : undefined;
}

/** The severity a rule names: `properties.severity`, else a YARA-L `meta` key spelled `severity` in any case. */
function ruleSeverity(props: Raw): { raw: unknown; severity: Severity | undefined } {
  let raw = props.severity;
  const meta = props.metadata;
  if (raw === undefined && meta && typeof meta === 'object')
    for (const [k, v] of Object.entries(meta as Raw)) if (k.toLowerCase() === 'severity') raw = v;
  return { raw, severity: siemSeverity(raw) };
}

/**
 * Google SecOps SIEM (Chronicle) through google/mcp-security's server (read late 2026):
 * - `search_rule_alerts(start_time, end_time, max_alerts=10, …)` — server/secops/secops_mcp/tools/security_rules.py —
 *   returns the raw `legacySearchRulesAlerts` answer (google/secops-wrapper src/secops/chronicle/rule_alert.py: start
 *   inclusive, end exclusive): `{ruleAlerts: [{ruleMetadata: {properties: {ruleId, name, text, metadata}}, alerts:
 *   [{id, detectionTimestamp, commitTimestamp, alertingType, …}]}], tooManyAlerts}`. We ask `max_alerts` explicitly
 *   (the tool's default is 10); when tooManyAlerts says the answer was cut, or it holds exactly max_alerts (the
 *   cut may fall there without the flag), it is thrown away and the window halved, down to one minute: there
 *   tooManyAlerts fails the read, and exactly max_alerts is kept and marked incomplete, naming the minute.
 * - On failure the tool answers `{"error": "…", "ruleAlerts": [], "tooManyAlerts": false}`: an error, not "no alerts"
 *   (the client treats any `error` in a payload so).
 * - Severity: the server's docs example puts it in `ruleMetadata.properties.severity`; the wrapper lists only
 *   `ruleId, name, text, metadata`, where a rule's YARA-L `meta` (e.g. `severity = "High"`) would sit. Both are read.
 *   An alert whose rule names no severity is rejected with a sample (the canonical alert needs one), unless
 *   `options.siem.defaultSeverity` says what to count it as; either way the collection record gives the count.
 * - The search covers the customer's own rules; alerts of Google's curated detections may be missing (noted).
 * - Rule: `properties.name` (else the rule id); created: `detectionTimestamp` (else `commitTimestamp`).
 * `get_security_alerts` (double-encoded text) is not used.
 */
export async function secopsSiemReader(
  client: SourceClient,
  opts: { redact: (t: string) => string; options?: SourceOptions },
): Promise<SourceReader> {
  await client.requireTools(['search_rule_alerts']);
  const maxAlerts = opts.options?.siem?.maxAlerts ?? MAX_ALERTS;
  const fallback = opts.options?.siem?.defaultSeverity;
  const validator = new RecordValidator();
  const notes = new Set<string>([
    "search_rule_alerts covers the SOC's own detection rules: alerts of Google's curated detections may be missing",
  ]);
  const noSeverity = { alerts: 0, rules: new Set<string>() };
  const incomplete = new Set<string>();
  let answered = 0;
  let kept = 0;

  async function* slice(from: number, to: number): AsyncGenerator<unknown[]> {
    const body = (await client.call('search_rule_alerts', {
      start_time: new Date(from).toISOString(),
      end_time: new Date(to).toISOString(),
      max_alerts: maxAlerts,
    })) as { ruleAlerts?: unknown; tooManyAlerts?: boolean };
    // Only an explicit list is read: a body without ruleAlerts (or a group without alerts) is an error naming it.
    const groups = listAt(client.source, 'search_rule_alerts', body, 'ruleAlerts').map((g, i) => ({
      group: g as Raw,
      alerts: listAt(client.source, 'search_rule_alerts', g, 'alerts', `ruleAlerts[${i}]`) as Raw[],
    }));
    const count = groups.reduce((n, g) => n + g.alerts.length, 0);
    // An answer of max_alerts is as suspect as one that says tooManyAlerts: the cut may fall exactly there.
    const full = body.tooManyAlerts === true || count >= maxAlerts;
    const window = `${new Date(from).toISOString()}–${new Date(to).toISOString()}`;
    if (full && to - from <= MIN_SLICE_MS) {
      if (body.tooManyAlerts)
        throw new SourceError(
          client.source,
          `search_rule_alerts has more than ${maxAlerts} alerts in one minute at ${new Date(from).toISOString()}`,
        );
      // Exactly max_alerts in one minute, the server not saying more: there may be more. Kept, and said.
      incomplete.add(
        `search_rule_alerts answered exactly max_alerts (${maxAlerts}) for ${window} without saying tooManyAlerts: alerts of that minute may be missing`,
      );
    } else if (full) {
      // Whole minutes, at least one: a 90-second window splits into 60 + 30 seconds, never into itself.
      const mid = from + Math.max(MIN_SLICE_MS, Math.floor((to - from) / 2 / MIN_SLICE_MS) * MIN_SLICE_MS);
      yield* slice(from, mid);
      yield* slice(mid, to);
      return;
    }
    const out: unknown[] = [];
    for (const { group, alerts } of groups) {
      const meta = (group.ruleMetadata ?? {}) as Raw;
      const props = (meta.properties ?? {}) as Raw;
      const ruleId = props.ruleId ?? meta.ruleId;
      const rule = String(props.name ?? ruleId ?? '');
      const { raw, severity } = ruleSeverity(props);
      answered += alerts.length;
      for (const a of alerts) {
        const record = {
          id: typeof a.id === 'string' ? a.id : '',
          source: client.source,
          rule,
          severity: severity ?? (raw === undefined ? fallback : undefined),
          createdAt: toIso(a.detectionTimestamp ?? a.commitTimestamp),
        };
        if (raw === undefined) {
          noSeverity.alerts++;
          noSeverity.rules.add(rule || String(ruleId));
          if (!fallback) {
            validator.reject('alerts', `rule "${rule}" names no severity`, { ruleId, rule, id: a.id }, opts.redact);
            continue;
          }
        } else if (!severity) {
          validator.reject(
            'alerts',
            `rule "${rule}" has severity ${JSON.stringify(raw)}, not one socpulse knows`,
            {
              ruleId,
              rule,
              id: a.id,
            },
            opts.redact,
          );
          continue;
        }
        out.push(record);
      }
    }
    yield out;
  }

  return {
    kind: 'secops-siem',
    families: new Set(['alerts'] as const),
    async *read(window): AsyncIterable<RecordBatch> {
      for await (const records of slice(window.from.getTime(), window.to.getTime())) {
        const valid = validator.keep('alerts', AlertSchema, records, opts.redact);
        kept += valid.length;
        yield { family: 'alerts', records: valid };
      }
      failIfNothingMapped(client.source, 'search_rule_alerts', answered, kept, validator.rejects);
    },
    summary: () => {
      const all = [...notes];
      if (noSeverity.alerts > 0) {
        const rules = [...noSeverity.rules].sort();
        const named = `${rules.slice(0, 5).join(', ')}${rules.length > 5 ? ', …' : ''}`;
        all.push(
          fallback
            ? `${noSeverity.alerts} alert(s) of ${rules.length} rule(s) without a severity (${named}) counted as ${fallback} (options.siem.defaultSeverity)`
            : `${noSeverity.alerts} alert(s) of ${rules.length} rule(s) without a severity (${named}) not collected: give the rules a severity, or set options.siem.defaultSeverity`,
        );
      }
      return { rejects: validator.rejects, notes: all, incomplete: [...incomplete] };
    },
    reads: {
      search_rule_alerts: {
        ruleAlerts: ['ruleMetadata', 'alerts'],
        'ruleAlerts[].alerts': ['id', 'detectionTimestamp', 'commitTimestamp'],
      },
    },
    close: () => client.close(),
  };
}
