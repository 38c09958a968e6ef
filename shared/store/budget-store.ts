import { pushTo } from '../domain/group.js';
import * as z from 'zod';
import { BudgetSnapshotSchema, type BudgetSnapshot, type BudgetSnapshotContent } from '../domain/budget-snapshot.js';
import { BudgetLineSchema, type BudgetLine } from '../domain/records.js';
import type { DynamoTable } from './dynamo-table.js';
import { ConflictError } from './errors.js';
import { parseData } from './item-data.js';
import { keys } from './keys.js';

const PlanHeaderSchema = z.object({
  fiscalYear: z.string(),
  importId: z.string(),
  importedAt: z.string(),
  lines: z.number(),
  importedBy: z.string().optional(),
});
export type PlanHeader = z.infer<typeof PlanHeaderSchema>;

/**
 * What adding `snapshot` after `latest` comes to: `latest` itself when `sameContent` says it holds this content, else
 * the next version, checked by its schema (a snapshot that would not parse is never stored: a TypeError naming the
 * field). The decision of `addSnapshot`, kept apart from the put-if-absent that makes it stick.
 */
export function nextBudgetSnapshot(
  snapshot: BudgetSnapshotContent,
  latest: BudgetSnapshot | undefined,
  sameContent?: (latest: BudgetSnapshot) => boolean,
): { outcome: 'same' | 'next'; snapshot: BudgetSnapshot } {
  if (latest && sameContent?.(latest)) return { outcome: 'same', snapshot: latest };
  const version = (latest?.version ?? 0) + 1;
  // Checked before it is written as after it is read: a snapshot that would not parse is never stored.
  const checked = BudgetSnapshotSchema.safeParse({
    ...snapshot,
    version,
    snapshotId: `${snapshot.fiscalYear}-${snapshot.month}-v${version}`,
  });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new TypeError(
      `budget snapshot ${snapshot.fiscalYear} ${snapshot.month}: ${issue?.path.join('.') || '(content)'}: ${issue?.message}; not stored`,
    );
  }
  return { outcome: 'next', snapshot: checked.data };
}

/**
 * Budget plans and budget snapshots. A plan import writes its lines under a new import id and then points the
 * fiscal year's header at it, so readers see the whole old plan or the whole new one, never a mix.
 */
export class DynamoBudgetStore {
  constructor(private readonly table: DynamoTable) {}

  /** Replace the plan of each fiscal year present in `lines` (all lines already validated). */
  async importPlan(lines: BudgetLine[], importId: string, importedAt: string, importedBy?: string): Promise<void> {
    const byYear = new Map<string, BudgetLine[]>();
    for (const line of lines) pushTo(byYear, line.fiscalYear, line);
    for (const [fiscalYear, yearLines] of byYear) {
      for (const line of yearLines) {
        await this.table.put({
          ...keys.planLine(fiscalYear, importId, line.month, line.category),
          type: 'plan-line',
          data: JSON.stringify(line),
        });
      }
      const header: PlanHeader = { fiscalYear, importId, importedAt, lines: yearLines.length, importedBy };
      await this.table.put({ ...keys.planHeader(fiscalYear), type: 'plan-header', data: JSON.stringify(header) });
    }
  }

  /** The current plan of a fiscal year; undefined when none was ever imported. */
  async plan(fiscalYear: string): Promise<{ header: PlanHeader; lines: BudgetLine[] } | undefined> {
    const item = await this.table.get(keys.planHeader(fiscalYear));
    if (!item) return undefined;
    const header = parseData(item, PlanHeaderSchema);
    const where = keys.planLinesOf(fiscalYear, header.importId);
    const lines: BudgetLine[] = [];
    for await (const line of this.table.query(where.pk, { prefix: where.prefix }))
      lines.push(parseData(line, BudgetLineSchema));
    return { header, lines };
  }

  /**
   * Store a new snapshot version for (fiscal year, month): put-if-absent, retrying with the next version on a race.
   * When `sameContent` says the latest version already holds this content, that version is returned instead — checked
   * again after every lost race, so two concurrent writers of identical content make one version, not two.
   */
  async addSnapshot(
    snapshot: BudgetSnapshotContent,
    sameContent?: (latest: BudgetSnapshot) => boolean,
  ): Promise<BudgetSnapshot> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const latest = (await this.snapshots(snapshot.fiscalYear, snapshot.month)).at(-1);
      const next = nextBudgetSnapshot(snapshot, latest, sameContent);
      if (next.outcome === 'same') return next.snapshot;
      const stored = next.snapshot;
      try {
        await this.table.put(
          {
            ...keys.budgetSnapshot(snapshot.fiscalYear, snapshot.month, stored.version),
            type: 'budget-snapshot',
            data: JSON.stringify(stored),
          },
          { expression: 'attribute_not_exists(pk)' },
        );
        return stored;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    throw new ConflictError(`budget snapshot ${snapshot.fiscalYear} ${snapshot.month}: too many concurrent versions`);
  }

  /** Every snapshot version of a fiscal year (optionally one month), oldest first. */
  async snapshots(fiscalYear: string, month?: string): Promise<BudgetSnapshot[]> {
    const where = keys.budgetSnapshotsOf(fiscalYear, month);
    const out: BudgetSnapshot[] = [];
    for await (const item of this.table.query(where.pk, where.prefix ? { prefix: where.prefix } : {}))
      out.push(parseData(item, BudgetSnapshotSchema));
    return out;
  }
}
