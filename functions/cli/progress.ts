import { Presets, SingleBar } from 'cli-progress';
import type { Family } from '../../shared/domain/day-snapshot.js';
import type { SourceReader } from '../../shared/sources/reader.js';
import type { CollectRequest } from '../../shared/usecases/collect-source.js';

const DAY_MS = 86_400_000;

/** When a record happened, as the families' records say it (costs by month); undefined if it carries no time. */
export function recordTime(family: string, record: unknown): number | undefined {
  const r = record as Record<string, unknown>;
  const value =
    family === 'costs'
      ? typeof r.month === 'string'
        ? `${r.month}-01T00:00:00Z`
        : undefined
      : family === 'shifts' || family === 'shiftsAhead'
        ? r.start
        : r.createdAt;
  const t = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/**
 * How far a read of [from, to) has come, in days: each family counts the days up to the latest record it has
 * answered (sources read a family oldest first), so the total is days × families and the bar fills as the read
 * moves through the window — never full before the read ends.
 */
export class DaysRead {
  readonly days: number;
  private readonly reached = new Map<string, number>();
  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly families: ReadonlySet<string>,
  ) {
    this.days = Math.max(1, Math.ceil((to - from) / DAY_MS));
  }
  /** Days of the window read so far, over every family: 0 to `total`. */
  get done(): number {
    let sum = 0;
    for (const f of this.families) sum += Math.min(this.days, Math.max(0, this.reached.get(f) ?? 0));
    return Math.floor(sum);
  }
  get total(): number {
    return this.days * Math.max(1, this.families.size);
  }
  add(family: string, records: readonly unknown[]): void {
    if (!this.families.has(family)) return;
    let latest = this.reached.get(family) ?? 0;
    for (const r of records) {
      const t = recordTime(family, r);
      if (t !== undefined) latest = Math.max(latest, (Math.min(t, this.to) - this.from) / DAY_MS);
    }
    this.reached.set(family, latest);
  }
  /** A family the source has moved past is read to the end of the window. */
  finish(family: string): void {
    if (this.families.has(family)) this.reached.set(family, this.days);
  }
}

/** A progress bar on stderr, only when stderr is a terminal: piped or in CI, nothing is written. */
export function progressBar(
  label: string,
  unit: string,
): {
  update(done: number, total: number, detail?: string): void;
  stop(): void;
} {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      format: `${label} {bar} {value}/{total} ${unit}  {detail}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total, detail = '') => {
      if (!started) {
        bar.start(total, done, { detail });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { detail });
      }
    },
    stop: () => started && bar.stop(),
  };
}

/** The reader, with each batch it answers moving `bar` in days of the window read. What it reads is unchanged. */
export function trackDays(reader: SourceReader, bar: ReturnType<typeof progressBar>): SourceReader {
  // A source may be read more than once (the roster ahead after the window): each read adds its days to the total,
  // and a read that ended counts whole.
  let before = { done: 0, total: 0 };
  return {
    kind: reader.kind,
    families: reader.families,
    reads: reader.reads,
    summary: () => reader.summary(),
    close: () => reader.close(),
    read(window: { from: Date; to: Date; families?: ReadonlySet<Family> }) {
      const families = new Set([...reader.families].filter((f) => !window.families || window.families.has(f)));
      const days = new DaysRead(window.from.getTime(), window.to.getTime(), families);
      const base = before;
      const show = (family: string) => bar.update(base.done + days.done, base.total + days.total, family);
      return (async function* () {
        let previous: string | undefined;
        for await (const batch of reader.read(window)) {
          if (previous && previous !== batch.family) days.finish(previous);
          previous = batch.family;
          days.add(batch.family, batch.records);
          show(batch.family);
          yield batch;
        }
        for (const f of families) days.finish(f);
        before = { done: base.done + days.total, total: base.total + days.total };
        show('');
      })();
    },
  };
}

/** A collection request whose reader reports its progress in days of the window (`trackDays`). */
export function withDayProgress<R extends Pick<CollectRequest, 'open'>>(req: R, label: string): R & { done(): void } {
  const bar = progressBar(label, 'days');
  return { ...req, open: async () => trackDays(await req.open(), bar), done: () => bar.stop() };
}
