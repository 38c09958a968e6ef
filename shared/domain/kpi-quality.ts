/**
 * The quality part of the KPIs (METRICS.md "Quality"): the closed cohort's dispositions, false-positive rate and
 * precision, escalations per tier, and the same per rule and per runbook.
 */
import type { ChangeFacts } from './changes.js';
import type { KpiSummary } from './kpi.js';
import { NO_CODE, type CaseColumns } from './facts.js';
import { judge, emptySla, finishedSla, type SlaCounts } from './kpi-sla.js';
import { DISPOSITION_INDEX, DISPOSITIONS } from './records.js';
import { NumberList, ratio } from './stats.js';

const TRUE_POSITIVE = DISPOSITION_INDEX.get('true_positive')!;
const BENIGN_POSITIVE = DISPOSITION_INDEX.get('benign_positive')!;
const FALSE_POSITIVE = DISPOSITION_INDEX.get('false_positive')!;

/** True/benign/false positive counts of closed cases, and the rates built from them. */
class Dispositions {
  tp = 0;
  bp = 0;
  fp = 0;
  /** Count one closed case by its disposition's index into DISPOSITIONS (NO_CODE: none). */
  add(disp: number) {
    if (disp === TRUE_POSITIVE) this.tp++;
    else if (disp === BENIGN_POSITIVE) this.bp++;
    else if (disp === FALSE_POSITIVE) this.fp++;
  }
  get judged() {
    return this.tp + this.bp + this.fp;
  }
  get falsePositiveRate() {
    return ratio(this.fp, this.judged);
  }
  get precision() {
    return ratio(this.tp, this.judged);
  }
}

type RuleFigures = Dispositions & { closed: number };
type RunbookFigures = { closed: number; ttr: NumberList; quality: Dispositions; resolve: SlaCounts };

/** The quality part of the KPI summary, and the closed cases it is over. */
export type QualityFigures = { closed: number } & Pick<
  KpiSummary,
  'dispositions' | 'falsePositiveRate' | 'precision' | 'escalationRate' | 'escalationRateByTier' | 'rules' | 'runbooks'
>;

/**
 * Names in locale order, then code-unit order where the locale sees no difference (e.g. two spellings of "é"): a
 * total order, so the lists come out the same whatever order the stored days were read in.
 */
const byName = (a: string, b: string) => a.localeCompare(b) || (a < b ? -1 : a > b ? 1 : 0);

export class QualityAccumulator {
  private closed = 0;
  /** Closed cases per disposition, by index into DISPOSITIONS. */
  private readonly dispositionAt: number[] = DISPOSITIONS.map(() => 0);
  private withoutDisposition = 0;
  private readonly quality = new Dispositions();
  private readonly escalated = { all: 0, '2': 0, '3': 0 };
  private readonly byRule = new Map<string, RuleFigures>();
  private readonly byRunbook = new Map<string, RunbookFigures>();
  // Per stored name of the current day, its figures: looked up once per day, on first use, so the maps fill in
  // the order cases come.
  private ruleOf: (RuleFigures | null | undefined)[] = [];
  private runbookOf: (RunbookFigures | null | undefined)[] = [];

  /** `keepRunbooks` false keeps no runbook figures (a trend-only period). */
  constructor(
    private readonly asOf: number,
    private readonly keepRunbooks: boolean,
  ) {}

  /** A new day's columns: its names are looked up afresh. */
  startDay(cols: CaseColumns): void {
    this.ruleOf = new Array<RuleFigures | null | undefined>(cols.rules.length);
    this.runbookOf = new Array<RunbookFigures | null | undefined>(cols.runbooks.length);
  }

  /**
   * Case `i` of the day's `cols` closed in the period after `ttr` minutes (created at `c`, closed at `x`);
   * `resolveTarget` is its severity's resolve target in minutes, if any.
   */
  add(cols: CaseColumns, i: number, ttr: number, c: number, x: number, resolveTarget: number | undefined): void {
    this.closed++;
    const d = cols.disp[i]!;
    if (d !== NO_CODE) this.dispositionAt[d]!++;
    else this.withoutDisposition++;
    this.quality.add(d);
    const e = cols.esc[i]!;
    if (e !== NO_CODE) {
      this.escalated.all++;
      this.escalated[e === 2 ? '2' : '3']++;
    }
    const r = cols.rule[i]!;
    if (r >= 0) {
      let figures = this.ruleOf[r];
      if (figures === undefined) figures = this.ruleOf[r] = this.ruleFigures(cols.rules[r]!);
      if (figures) {
        figures.closed++;
        figures.add(d);
      }
    }
    const b = cols.runbook[i]!;
    if (b >= 0 && this.keepRunbooks) {
      let figures = this.runbookOf[b];
      if (figures === undefined) figures = this.runbookOf[b] = this.runbookFigures(cols.runbooks[b]!);
      if (figures) {
        figures.closed++;
        figures.ttr.push(ttr);
        figures.quality.add(d);
        if (resolveTarget !== undefined) judge(figures.resolve, c, x, this.asOf, resolveTarget);
      }
    }
  }

  /** A rule's closed-case figures; null for an empty name (counted nowhere, as a case without a rule). */
  private ruleFigures(rule: string): RuleFigures | null {
    if (!rule) return null;
    let r = this.byRule.get(rule);
    if (!r) this.byRule.set(rule, (r = Object.assign(new Dispositions(), { closed: 0 })));
    return r;
  }

  /** A runbook's closed-case figures; null for an empty name. */
  private runbookFigures(runbook: string): RunbookFigures | null {
    if (!runbook) return null;
    let r = this.byRunbook.get(runbook);
    if (!r)
      this.byRunbook.set(
        runbook,
        (r = { closed: 0, ttr: new NumberList(), quality: new Dispositions(), resolve: emptySla() }),
      );
    return r;
  }

  /** The closed cohort's figures; `alertsByRule` (alerts created per rule) joins the rule list. */
  result(alertsByRule: ReadonlyMap<string, number>): QualityFigures {
    const dispositions: Record<string, number> = Object.fromEntries(
      DISPOSITIONS.map((d, k) => [d, this.dispositionAt[k]!]),
    );
    if (this.withoutDisposition) dispositions.none = this.withoutDisposition;
    const ruleNames = new Set([...alertsByRule.keys(), ...this.byRule.keys()]);
    const rules = [...ruleNames]
      .map((rule) => ({
        rule,
        alerts: alertsByRule.get(rule) ?? 0,
        closedCases: this.byRule.get(rule)?.closed ?? 0,
        falsePositiveRate: this.byRule.get(rule)?.falsePositiveRate ?? null,
      }))
      .sort((a, b) => b.alerts - a.alerts || b.closedCases - a.closedCases || byName(a.rule, b.rule))
      .slice(0, 10);
    const runbooks = [...this.byRunbook]
      .map(([runbook, r]) => ({
        runbook,
        closed: r.closed,
        ttr: r.ttr.stats(),
        falsePositiveRate: r.quality.falsePositiveRate,
        resolveCompliance: finishedSla(r.resolve).compliance,
      }))
      .sort((a, b) => b.closed - a.closed || byName(a.runbook, b.runbook));
    return {
      closed: this.closed,
      dispositions,
      falsePositiveRate: this.quality.falsePositiveRate,
      precision: this.quality.precision,
      escalationRate: ratio(this.escalated.all, this.closed),
      escalationRateByTier: {
        '2': ratio(this.escalated['2'], this.closed),
        '3': ratio(this.escalated['3'], this.closed),
      },
      rules,
      runbooks,
    };
  }

  /** False positives (hit) of true + benign + false positives (n) per rule, and of the cases without one. */
  falsePositives(): ChangeFacts['falsePositives'] {
    const out: ChangeFacts['falsePositives'] = {};
    let fp = 0;
    let n = 0;
    for (const [rule, r] of this.byRule) {
      out[rule] = { hit: r.fp, n: r.judged };
      fp += r.fp;
      n += r.judged;
    }
    const rest = { hit: this.quality.fp - fp, n: this.quality.judged - n };
    if (rest.n > 0) out['(no rule)'] = rest;
    return out;
  }
}
