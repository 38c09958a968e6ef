/**
 * The significant-incident part of the KPIs: which cases of the period leadership sees by title (settings
 * `significantIncidents`), kept bounded as they arrive, and listed with their timelines.
 */
import { NO_CODE, type CaseColumns, type CaseDay } from './facts.js';
import { DISPOSITIONS, SEVERITIES, type Severity } from './records.js';
import { compareSignificant } from './significant-incidents.js';
import { significantRule, type MetricSettings } from './settings.js';

/** The most significant incidents a summary lists; `significantTotal` counts them all. */
export const MAX_SIGNIFICANT = 100;

/**
 * At most this many stored days are held for incidents whose id and title are not read yet; past it, the list is
 * cut back, and if its incidents still wait on more days, they read their text (see SignificantIncidents).
 */
const MAX_PENDING_DAYS = 32;

/** A kept incident; `from` and `at` say where its id and title are still to be read (a stored day, a position). */
interface Kept {
  x: SignificantIncident;
  from?: CaseDay;
  at: number;
}

/** The incident with its id and title read from its stored day, keys in the order they always have. */
function withText(k: Kept): SignificantIncident {
  if (!k.from) return k.x;
  const text = k.from.textAt(k.at);
  const { id: _, severity, created, ...timeline } = k.x;
  k.x = { id: text.id, severity, created };
  if (text.title !== undefined) k.x.title = text.title;
  Object.assign(k.x, timeline);
  k.from = undefined;
  return k.x;
}

const byCreated = (a: Kept, b: Kept) => a.x.created - b.x.created || compareIds(a, b);
/** Ids decide only between incidents created in the same millisecond: only then is a stored day's text read. */
const compareIds = (a: Kept, b: Kept) => {
  const x = withText(a).id;
  const y = withText(b).id;
  return x < y ? -1 : x > y ? 1 : 0;
};
/**
 * The email's reading order (significant-incidents.ts: open first, then true positives …, each by severity, then the
 * oldest), then ids: the incidents kept are the first the email would list, so an open critical is never cut for a
 * closed false positive.
 */
const bySignificance = (a: Kept, b: Kept) => compareSignificant(a.x, b.x) || compareIds(a, b);

/**
 * The MAX_SIGNIFICANT most significant incidents seen (in reading order: bySignificance), kept as they arrive: past
 * four times the bound the list is cut back to the bound, so a month with tens of thousands of criticals never holds
 * or sorts them all. The cut is safe: an incident dropped had MAX_SIGNIFICANT before it.
 * Stable sorts keep equal incidents in arrival order, as sorting the whole list once would.
 *
 * An incident from a stored day reads its id and title only when it is listed (or ties another to the
 * millisecond): a day's text is all its cases' ids, and a monthly report would otherwise parse some sixty of them
 * (about 0.1 s) for the hundred it lists. Days are held for this at most MAX_PENDING_DAYS at a time: past that the
 * list is cut back to the bound, and if its incidents still come from more days, those days' text is read. So a
 * day's text block is read, and any damage in it found, only when one of its incidents may be listed.
 */
class SignificantIncidents {
  private list: Kept[] = [];
  private pendingDays = new Set<CaseDay>();
  total = 0;
  push(x: SignificantIncident, from?: CaseDay, at = 0): void {
    this.total++;
    this.list.push({ x, from, at });
    if (from) this.pendingDays.add(from);
    if (this.list.length >= 4 * MAX_SIGNIFICANT || this.pendingDays.size > MAX_PENDING_DAYS) this.cut();
  }
  /** Keep the MAX_SIGNIFICANT best; if their incidents still wait on too many days, read those days' text now. */
  private cut(): void {
    if (this.list.length > MAX_SIGNIFICANT) this.list = this.list.sort(bySignificance).slice(0, MAX_SIGNIFICANT);
    this.pendingDays = new Set(this.list.flatMap((k) => (k.from ? [k.from] : [])));
    if (this.pendingDays.size <= MAX_PENDING_DAYS) return;
    for (const k of this.list) withText(k);
    this.pendingDays.clear();
  }
  /** The kept incidents, listed oldest first. */
  listed(): SignificantIncident[] {
    const kept =
      this.list.length <= MAX_SIGNIFICANT ? this.list : [...this.list].sort(bySignificance).slice(0, MAX_SIGNIFICANT);
    for (const k of kept) withText(k);
    return [...kept].sort(byCreated).map((k) => k.x);
  }
}

/** One significant incident and its timeline (ISO instants in the SOC's zone are made by the renderer). */
export interface SignificantIncident {
  id: string;
  title?: string;
  severity: Severity;
  escalatedToTier?: number;
  created: number;
  acknowledged?: number;
  contained?: number;
  closed?: number;
  disposition?: string;
}

/** Selects the period's significant incidents (created or closed in it) and keeps the ones a summary lists. */
export class SignificantAccumulator {
  /** 1 where (severity index × 4 + escalated tier, 0 when none) is significant (settings `significantIncidents`). */
  private readonly code: Uint8Array;
  private readonly kept = new SignificantIncidents();

  constructor(
    settings: MetricSettings,
    private readonly asOf: number,
  ) {
    const isSignificant = significantRule(settings);
    this.code = Uint8Array.from({ length: SEVERITIES.length * 4 }, (_, j) =>
      isSignificant(SEVERITIES[j >> 2]!, j % 4 === 0 ? undefined : j % 4) ? 1 : 0,
    );
  }

  /** True for a case of severity index `k` escalated to tier `e` (NO_CODE: not escalated) leadership sees. */
  isSignificant(k: number, e: number): boolean {
    return this.code[k * 4 + (e === NO_CODE ? 0 : e)] === 1;
  }

  /** A significant incident created or closed in the period; a stored day's id and title are read when it is listed. */
  add(cols: CaseColumns, day: CaseDay, i: number): void {
    const { asOf } = this;
    // A day in memory gives its text now, so nothing of it is kept; a stored day's is read if the incident is listed.
    const text = day.textInMemory ? day.textAt(i) : undefined;
    const x: SignificantIncident = {
      id: text?.id ?? '',
      severity: SEVERITIES[cols.sev[i]!]!,
      created: cols.created[i]!,
    };
    if (text?.title !== undefined) x.title = text.title;
    const e = cols.esc[i]!;
    if (e !== NO_CODE) x.escalatedToTier = e;
    // Nothing after asOf is visible.
    const ack = cols.ack[i]!;
    if (ack < asOf) x.acknowledged = ack;
    const contained = cols.contained[i]!;
    if (contained < asOf) x.contained = contained;
    const closed = cols.closed[i]!;
    if (closed < asOf) x.closed = closed;
    const d = cols.disp[i]!;
    if (d !== NO_CODE && x.closed !== undefined) x.disposition = DISPOSITIONS[d];
    this.kept.push(x, text ? undefined : day, i);
  }

  /** The listed incidents (oldest first) and how many there were. */
  result(): { significant: SignificantIncident[]; significantTotal: number } {
    return { significant: this.kept.listed(), significantTotal: this.kept.total };
  }
}
