import type { z } from 'zod';
import type { BudgetSnapshot, BudgetSnapshotContent } from '../domain/budget-snapshot.js';
import type { BudgetLine } from '../domain/records.js';
import type { PlanHeader } from '../store/budget-store.js';
import type { CollectionRun, SourceStatus } from '../store/collection-run-store.js';
import type { IdempotencyBegin } from '../store/idempotency-store.js';
import type { ClaimOutcome, ReportRun, RequestOutcome, RunInit } from '../store/report-run-store.js';
import type {
  PutOutcome,
  Snapshot,
  SnapshotHeader,
  SnapshotListOptions,
  SnapshotTail,
} from '../store/snapshot-store.js';

// What the use cases read and write, each a few methods (Powertools' BasePersistenceLayer is the model: the algorithm
// names the storage it needs, the DynamoDB layer implements only that). The Dynamo stores of shared/store implement
// these structurally: the store may not import a use case (test/unit/architecture.test.ts), so the check is where both
// meet, `storesOf` in edge.ts. The in-memory ports of test/fakes/in-memory-ports.ts implement them for unit tests.
// A conditional write that loses throws the store's ConflictError, whoever implements the port.

/** The runs of run-report: claim one for sending, advance it (ConflictError once the claim is lost), find them. */
export interface ReportRunPort {
  claim(init: RunInit, claimId: string, now: Date): Promise<ClaimOutcome>;
  update(run: ReportRun, change: Partial<Omit<ReportRun, 'rev'>>): Promise<ReportRun>;
  getById(runId: string): Promise<ReportRun | undefined>;
  /** Every run of a runbook still queued or claimed. */
  unfinished(runbook: string): Promise<ReportRun[]>;
}

/** The runs of enqueue-report: ask for one, mark one failed that could not be started, replay one by id. */
export interface ReportRequestPort {
  request(init: RunInit, now: Date, resend?: { requestedBy: string; idempotencyKey?: string }): Promise<RequestOutcome>;
  update(run: ReportRun, change: Partial<Omit<ReportRun, 'rev'>>): Promise<ReportRun>;
  getById(runId: string): Promise<ReportRun | undefined>;
}

/** Idempotency-Key records of enqueue-report: first use, served, forgotten. */
export interface IdempotencyPort {
  begin(principal: string, key: string, request: Record<string, unknown>, now: Date): Promise<IdempotencyBegin>;
  complete(principal: string, key: string, request: Record<string, unknown>, runId: string, now: Date): Promise<void>;
  release(principal: string, key: string): Promise<void>;
}

/** How every source that ever ran stands (the report, the summary and forecast loaders judge data by it). */
export interface SourceStatusReader {
  statuses(): Promise<SourceStatus[]>;
}

/** Stored day snapshots, read (the summary and forecast loaders, collect-source's merge of older cases). */
export interface SnapshotReader {
  list<S extends z.ZodType, B = never>(
    family: string,
    fromKey: string,
    toKey: string,
    schema: S,
    opts?: SnapshotListOptions<S, B>,
  ): Promise<Snapshot<z.infer<S> | B>[]>;
  headers(family: string, fromKey: string, toKey: string): Promise<SnapshotHeader[]>;
}

/** Day snapshots written by collect-source: an older collection never overwrites a newer one. */
export interface SnapshotWriter {
  put<T>(snapshot: Snapshot<T> & { tail?: SnapshotTail<T> }): Promise<PutOutcome>;
}

/** A finished collection run, recorded and folded into its source's status. */
export interface CollectionRunRecorder {
  record(run: CollectionRun): Promise<void>;
}

/** The budget plan of a fiscal year (the summary's budget section); undefined when none was imported. */
export interface BudgetPlanReader {
  plan(fiscalYear: string): Promise<{ header: PlanHeader; lines: BudgetLine[] } | undefined>;
}

/** Budget snapshot versions (run-report's CSV): read them, add one unless the latest holds the same content. */
export interface BudgetSnapshotPort {
  snapshots(fiscalYear: string, month?: string): Promise<BudgetSnapshot[]>;
  addSnapshot(
    snapshot: BudgetSnapshotContent,
    sameContent?: (latest: BudgetSnapshot) => boolean,
  ): Promise<BudgetSnapshot>;
}

/** One raw message to SES (SesMailer): its message id, or MailRejectedError / MailTransientError. */
export interface MailSender {
  send(input: { from: string; to: string[]; raw: Buffer }): Promise<{ messageId: string }>;
}
