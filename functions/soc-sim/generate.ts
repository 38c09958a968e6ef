// Deterministic SOC history: every record is a pure function of (seed, day, index), so any day can be produced
// without producing the others, and the same seed always tells the same story.
import type { Alert, Case, Cost, Shift } from '../../shared/domain/records.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

/** Volume and shape of the simulated SOC. */
export interface SimProfile {
  seed: number;
  alertsPerDay: number;
  casesPerDay: number;
  /** How far back closures of older cases are looked for when a window asks for updated cases. */
  closeLookbackDays: number;
  source: string;
}

export const DEFAULT_PROFILE: SimProfile = {
  seed: 7,
  alertsPerDay: 1500,
  casesPerDay: 40,
  closeLookbackDays: 40,
  source: 'sim',
};

/** mulberry32: a uniform stream in [0, 1) fully determined by its 32-bit seed; small, fast, good enough for simulation. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A mulberry32 stream seeded by a hash of `parts` (profile seed, day, hour …), so each part has its own stream. */
function rng(...parts: number[]) {
  let h = 2166136261;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h, 16777619);
    h ^= h >>> 13;
  }
  return mulberry32(h);
}

const pick = <T>(r: number, items: readonly (readonly [T, number])[]): T => {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [v, w] of items) if ((x -= w) < 0) return v;
  return items[items.length - 1]![0];
};

/** Log-normal with the given median (minutes): heavy right tail, like real handle and resolve times. */
const lognormal = (r1: number, r2: number, median: number, sigma: number) =>
  median * Math.exp(sigma * Math.sqrt(-2 * Math.log(Math.max(r1, 1e-12))) * Math.cos(2 * Math.PI * r2));

export const RULES = [
  ['Suspicious PowerShell EncodedCommand', 14, 'basic_endpoint_triage_isolation'],
  ['Impossible travel sign-in', 12, 'suspicious_login_triage'],
  ['Phishing URL clicked', 11, 'phishing_response'],
  ['Malware detected by EDR', 8, 'malware_triage'],
  ['Brute force against VPN', 9, 'suspicious_login_triage'],
  ['Known bad IOC in DNS', 10, 'basic_ioc_enrichment'],
  ['PsExec lateral movement', 4, 'lateral_movement_hunt_psexec_wmi'],
  ['Mass file encryption pattern', 1, 'ransomware_response'],
  ['New admin account created', 6, 'compromised_user_account_response'],
  ['Cloud storage made public', 5, 'triage_alerts'],
  ['Outbound traffic to Tor', 7, 'ioc_containment'],
  ['Credential dumping (LSASS access)', 3, 'guided_ttp_hunt_credential_access'],
] as const;
const RULE_WEIGHTS = RULES.map(([name, w]) => [name, w] as const);
const RUNBOOK_OF = new Map<string, string>(RULES.map(([name, , rb]) => [name, rb]));

const SEVERITY_WEIGHTS = [
  ['critical', 3],
  ['high', 14],
  ['medium', 38],
  ['low', 35],
  ['info', 10],
] as const;
const CASE_SEVERITY_WEIGHTS = [
  ['critical', 6],
  ['high', 22],
  ['medium', 42],
  ['low', 26],
  ['info', 4],
] as const;
const ACK_MEDIAN: Record<string, number> = { critical: 9, high: 22, medium: 70, low: 240, info: 600 };
const RESOLVE_MEDIAN: Record<string, number> = { critical: 180, high: 900, medium: 2600, low: 6000, info: 9000 };
const ANALYSTS: Record<1 | 2 | 3, string[]> = {
  1: [
    'A. Okafor',
    'B. Lindqvist',
    'C. Tanaka',
    'D. Moreau',
    'E. Novak',
    'F. Haddad',
    'G. Silva',
    'H. Kowalski',
    'I. Mensah',
  ],
  2: ['J. Brennan', 'K. Ivanova', 'L. Rossi', 'M. Chen'],
  3: ['N. Adeyemi', 'O. Fischer'],
};

/** Relative alert intensity by local hour: quiet nights, a working-day hump. */
const DIURNAL = [
  0.45, 0.4, 0.38, 0.36, 0.38, 0.45, 0.6, 0.85, 1.15, 1.35, 1.45, 1.5, 1.4, 1.45, 1.5, 1.45, 1.35, 1.2, 1.0, 0.85, 0.75,
  0.65, 0.55, 0.5,
];
const WEEKLY = [1.1, 1.15, 1.1, 1.05, 1.0, 0.6, 0.55]; // Monday first
const DIURNAL_SUM = DIURNAL.reduce((a, b) => a + b, 0);

const dayIndex = (dayStart: number) => Math.floor(dayStart / DAY);
const weekday = (dayStart: number) => (new Date(dayStart).getUTCDay() + 6) % 7;

/** Burst days: roughly one in twelve days carries a campaign that triples one rule's volume. */
function burst(seed: number, day: number) {
  const r = rng(seed, day, 991);
  return r() < 1 / 12 ? { factor: 3, rule: pick(r(), RULE_WEIGHTS) } : undefined;
}

/** Number of alerts in one UTC hour of one day. */
export function alertCountForHour(p: SimProfile, dayStart: number, hour: number): number {
  const d = dayIndex(dayStart);
  const b = burst(p.seed, d);
  const base = (p.alertsPerDay * DIURNAL[hour]!) / DIURNAL_SUM;
  const noise = 0.85 + 0.3 * rng(p.seed, d, hour, 17)();
  return Math.round(base * WEEKLY[weekday(dayStart)]! * noise * (b ? 1.4 : 1));
}

/** The alerts of one UTC hour, in creation order. */
export function alertsForHour(p: SimProfile, dayStart: number, hour: number): Alert[] {
  const d = dayIndex(dayStart);
  const n = alertCountForHour(p, dayStart, hour);
  const r = rng(p.seed, d, hour, 23);
  const b = burst(p.seed, d);
  const out: Alert[] = new Array(n);
  const base = dayStart + hour * HOUR;
  const offsets = Array.from({ length: n }, () => Math.floor(r() * HOUR)).sort((a, b) => a - b);
  for (let i = 0; i < n; i++) {
    const rule = b && r() < 0.3 ? b.rule : pick(r(), RULE_WEIGHTS);
    const at = base + offsets[i]!;
    out[i] = {
      id: `al-${d}-${hour}-${i}`,
      source: p.source,
      rule,
      severity: pick(r(), SEVERITY_WEIGHTS),
      createdAt: new Date(at).toISOString(),
      firstEventAt: new Date(at - Math.floor(lognormal(r(), r(), 6, 0.9) * MIN)).toISOString(),
    };
  }
  return out;
}

/** Every case created on one UTC day, in its state as of `now` (later events are not yet visible). */
export function casesForDay(p: SimProfile, dayStart: number, now: number): Case[] {
  const d = dayIndex(dayStart);
  const r = rng(p.seed, d, 31);
  const n = Math.round(p.casesPerDay * WEEKLY[weekday(dayStart)]! * (0.85 + 0.3 * r()));
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    const hour = pick(
      r(),
      DIURNAL.map((w, h) => [h, w] as const),
    );
    const created = dayStart + hour * HOUR + Math.floor(r() * HOUR);
    const rule = pick(r(), RULE_WEIGHTS);
    const severity = pick(r(), CASE_SEVERITY_WEIGHTS);
    const firstEvent = created - Math.floor(lognormal(r(), r(), 25, 1.1) * MIN);
    const detected = created - Math.floor(r() * 4 * MIN);
    const ack = created + Math.floor(lognormal(r(), r(), ACK_MEDIAN[severity]!, 0.8) * MIN);
    // Resolve times are heavy-tailed but capped below the close lookback so every closure stays discoverable.
    const resolveMin = Math.min(
      lognormal(r(), r(), RESOLVE_MEDIAN[severity]!, 1.0),
      (p.closeLookbackDays || 40) * 1440 - 60,
    );
    const closed = created + Math.floor(resolveMin * MIN);
    const disposition = pick(r(), [
      ['false_positive', 44],
      ['benign_positive', 26],
      ['true_positive', 25],
      ['undetermined', 5],
    ] as const);
    const tierRoll = r();
    const escalatedToTier = tierRoll < 0.04 ? 3 : tierRoll < 0.17 ? 2 : undefined;
    // The tier that first handles the case. Tier 1 triages most; Tier 2 takes a share of critical and high cases
    // directly and Tier 3 a few critical ones. (Until issue 13 no case was ever first handled by Tier 3, so its
    // cases per analyst-hour read 0.00 beside a scheduled Tier 3.) The high-severity share comes from the case
    // number, not a new draw, so every other simulated value stays as it was.
    const tierDraw = severity === 'critical' ? r() : 1;
    const tier: 1 | 2 | 3 =
      severity === 'critical'
        ? tierDraw < 0.3
          ? 2
          : tierDraw >= 0.9
            ? 3
            : 1
        : severity === 'high' && i % 4 === 0
          ? 2
          : 1;
    const analyst = ANALYSTS[tier][Math.floor(r() * ANALYSTS[tier].length)]!;
    const contained =
      disposition === 'true_positive' ? created + Math.floor(resolveMin * (0.2 + 0.3 * r()) * MIN) : undefined;
    const handle = Math.round(lognormal(r(), r(), 22, 0.7) * 10) / 10;
    if (created >= now) continue;
    const c: Case = {
      id: `case-${d}-${i}`,
      source: p.source,
      title: `${rule} on ${['WS', 'SRV', 'LAP'][i % 3]}-${(d * 31 + i) % 9000}`,
      severity,
      createdAt: new Date(created).toISOString(),
      firstEventAt: new Date(firstEvent).toISOString(),
      detectedAt: new Date(detected).toISOString(),
      tier,
      rule,
      runbook: RUNBOOK_OF.get(rule)!,
    };
    if (ack < now) {
      c.acknowledgedAt = new Date(ack).toISOString();
      c.assignee = analyst;
    }
    if (contained !== undefined && contained < now) c.containedAt = new Date(contained).toISOString();
    if (closed < now) {
      c.closedAt = new Date(closed).toISOString();
      c.disposition = disposition;
      c.handleMinutes = handle;
      if (escalatedToTier) c.escalatedToTier = escalatedToTier;
    }
    cases.push(c);
  }
  return cases;
}

/**
 * The end of the published rota at `now`: the end of the ISO week (UTC) after the current one, so on any day the
 * rota for next week is out, as a SOC manager publishes it, and nothing further ahead.
 */
export function rotaPublishedUntil(now: number): number {
  const today = Math.floor(now / DAY) * DAY;
  return today - weekday(today) * DAY + 14 * DAY;
}

/** The tier-1 analyst on a week's annual leave (each ISO week, UTC, one of them). */
function onLeave(p: SimProfile, dayStart: number): string {
  const monday = dayIndex(dayStart) - weekday(dayStart);
  return ANALYSTS[1][Math.floor(rng(p.seed, monday, 53)() * ANALYSTS[1].length)]!;
}

/**
 * On-call shifts starting on one UTC day: three 8-hour shifts, with holes a real rota has: an occasional unfilled
 * seat (a sick day), and each week one tier-1 analyst on leave whose seats are covered by a colleague only about
 * half the time.
 */
export function shiftsForDay(p: SimProfile, dayStart: number): Shift[] {
  const d = dayIndex(dayStart);
  const r = rng(p.seed, d, 47);
  const leave = rng(p.seed, d, 61);
  const away = onLeave(p, dayStart);
  const weekend = weekday(dayStart) >= 5;
  const plan: [number, 1 | 2 | 3, number][] = [
    [0, 1, 2],
    [0, 2, 1],
    [8, 1, weekend ? 2 : 4],
    [8, 2, weekend ? 1 : 2],
    [8, 3, weekend ? 0 : 1],
    [16, 1, 3],
    [16, 2, 1],
  ];
  const shifts: Shift[] = [];
  for (const [startHour, tier, seats] of plan) {
    for (let s = 0; s < seats; s++) {
      if (r() < 0.06) continue; // sick day, no cover: a coverage gap
      const pool = ANALYSTS[tier];
      let analyst = pool[(d * 3 + startHour / 8 + s * 2) % pool.length]!;
      if (analyst === away) {
        if (leave() < 0.5) continue; // on leave, nobody swapped in: a hole in the published rota
        analyst = pool[(pool.indexOf(analyst) + 1) % pool.length]!;
      }
      const start = dayStart + startHour * HOUR;
      shifts.push({
        analyst,
        tier,
        start: new Date(start).toISOString(),
        end: new Date(start + 8 * HOUR).toISOString(),
        source: p.source,
      });
    }
  }
  return shifts;
}

/** Monthly costs per category (EUR), known once the month has ended. */
export function costsForMonth(p: SimProfile, month: string): Cost[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const r = rng(p.seed, y * 12 + m, 59);
  const scale = p.alertsPerDay / 1500;
  const lines: [Cost['category'], number, string][] = [
    ['tooling', 41000 + r() * 2500, 'EDR and SOAR licences'],
    ['siem_ingest', 26000 * scale * (0.9 + 0.25 * r()), 'SIEM ingest'],
    ['cloud', 6200 + r() * 900, 'Cloud logging and storage'],
    ['services', 9000 + (r() < 0.25 ? 14000 : 0), 'MDR overflow and IR retainer'],
    ['training', r() < 0.4 ? 3500 + r() * 2000 : 0, 'Courses and certifications'],
  ];
  return lines
    .filter(([, amount]) => amount > 0)
    .map(([category, amount, description]) => ({
      month,
      category,
      amount: amount.toFixed(2),
      currency: 'EUR',
      vendor: 'soc-sim',
      description,
      source: p.source,
    }));
}
