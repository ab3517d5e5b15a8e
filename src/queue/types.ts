/**
 * The job contracts of the queues. Payloads are thin references (run id, collector, account, region, window, paths
 * the workers can reach); never evidence, never credentials (BullMQ stores job data in clear text in Redis).
 * Results are counts and references, never evidence either.
 */
import type { EvidenceStore } from '../evidence/store.js';
import type { AssessJob } from '../pipeline/assess-stage.js';
import type { StageName } from '../pipeline/context.js';

// ---------------------------------------------------------------------------------------------- collect queue

/**
 * One export directory of a run, or one part of it: the planner splits a directory with enough CloudTrail logs
 * into account/region/day groups and the rest (see split.ts); a part names its entries by relative path prefixes.
 */
export interface ExportDirCollectData {
  readonly kind: 'export-dir';
  readonly runId: string;
  /** Absolute path, readable by the workers. */
  readonly source: string;
  /** The part's name (`ct-…`, `rest-…`); absent with `prefixes`: the whole directory. */
  readonly part?: string;
  /** Relative paths (`/`-separated, no `..`) whose entries this job reads; absent: the whole directory. */
  readonly prefixes?: readonly string[];
}

/** One live collector in one account and region (`global` for account-wide collectors). */
export interface LiveCollectData {
  readonly kind: 'live';
  readonly runId: string;
  readonly collector: string;
  readonly account: string;
  readonly region: string;
  /** The role to assume in the account (an ARN: a reference, not a credential). */
  readonly roleArn?: string;
  /** ISO instants. */
  readonly window: { readonly start: string; readonly end: string };
}

/** Fired by a job scheduler: continuous collection of one collector (fanned out) or one export directory. */
export interface ScheduledCollectData {
  readonly kind: 'schedule';
  readonly schedule: string;
  readonly collector?: string;
  readonly source?: string;
  /** How far back each run looks (ms); runs overlap, the store is idempotent. */
  readonly lookbackMs: number;
}

export type CollectJobData = ExportDirCollectData | LiveCollectData | ScheduledCollectData;
export type CollectJobName = 'collect' | 'scheduled-collect';

export interface CollectCounts {
  collected: number;
  notApplicable: number;
  errors: number;
  newItems: number;
}

export interface CollectJobResult {
  readonly runId: string;
  readonly kind: CollectJobData['kind'];
  readonly counts: CollectCounts;
  /** Something could not be collected (recorded in the store as error items). */
  readonly failed: boolean;
  /** Scheduled collection: the collect jobs it added. */
  readonly enqueued?: number;
}

// ------------------------------------------------------------------------------------------------- pack queue

export interface PackJobData {
  readonly kind: 'pack';
  readonly runId: string;
  /** Random per trigger: tells a trigger whether it created the job or found it (same id = same work). */
  readonly triggerId: string;
  readonly trigger: { readonly by: 'cli' | 'api' | 'schedule'; readonly name?: string };
  /** The assessment time was given (or fixed by a schedule): a finished run of the same request is final. */
  readonly pinned: boolean;
  readonly assess: AssessJob;
  readonly render: { readonly outDir: string; readonly accountNames: Readonly<Record<string, string>> };
  /** Absent: no signed bundle for this run. */
  readonly bundle: { readonly path: string } | null;
  readonly collect: { readonly children: number };
  readonly deliver: readonly string[];
}

/** Fired by a job scheduler: enqueue the pack of the previous month (in the schedule's time zone). */
export interface ScheduledPackData {
  readonly kind: 'schedule';
  readonly schedule: string;
  readonly frameworks: readonly string[];
  readonly tz: string;
  readonly sources: readonly string[];
  readonly live: boolean;
  readonly deliver: readonly string[];
  readonly bundle: boolean;
}

export type PackQueueData = PackJobData | ScheduledPackData;
export type PackJobName = 'pack' | 'scheduled-pack';

export interface FrameworkSummary {
  readonly id: string;
  readonly counts: Readonly<Record<string, number>>;
  /** Controls per status that no accepted risk covers (what a --fail-on gate looks at). */
  readonly unaccepted: Readonly<Record<string, number>>;
}

export interface PackJobResult {
  readonly kind: 'pack' | 'scheduled';
  readonly runId: string;
  readonly packId?: string;
  readonly frameworks?: readonly FrameworkSummary[];
  readonly evidenceItems?: number;
  readonly collect?: {
    readonly counts: CollectCounts;
    readonly failedUnits: number;
    readonly failures: readonly string[];
  };
  readonly files?: readonly string[];
  readonly bundle?: { readonly path: string; readonly sha256: string; readonly size: number } | null;
  /** Scheduled trigger: whether it created the run (false: the same run already existed). */
  readonly created?: boolean;
}

/** Job progress of a pack job: the stage running now and where every stage is. */
export interface PackProgress {
  readonly stage: StageName;
  readonly done: number;
  readonly total: number;
  readonly detail: string;
  readonly stages: Readonly<Partial<Record<StageName, StageState>>>;
}

export interface StageState {
  readonly state: 'pending' | 'running' | 'done' | 'skipped' | 'failed';
  readonly done: number;
  readonly total: number;
}

// ---------------------------------------------------------------------------------------------- deliver queue

export interface DeliverJobData {
  readonly kind: 'deliver';
  readonly runId: string;
  /** Names of delivery targets the workers know (configured on the worker side, never in the payload). */
  readonly targets: readonly string[];
}
export type DeliverJobName = 'deliver';

export interface DeliveryReceipt {
  readonly target: string;
  /** Where the bundle is now (a path, an s3:// URL, an Audit Manager evidence id ...). */
  readonly location: string;
  readonly sha256?: string;
  readonly bytes?: number;
}

export interface DeliverJobResult {
  readonly runId: string;
  readonly receipts: readonly DeliveryReceipt[];
}

// ------------------------------------------------------------------------------------------- delivery handler

export interface DeliveryContext {
  readonly store: EvidenceStore;
  readonly now: () => Date;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, detail: string) => void;
}

export interface DeliveryRequest {
  readonly runId: string;
  /** The signed bundle, on a path the worker can read. */
  readonly bundlePath: string;
  readonly targets: readonly string[];
}

/**
 * Sends a finished bundle somewhere (a directory, S3, AWS Audit Manager). Implementations throw an error with
 * `retryable: true` for transient failures (retried with backoff) and anything else for permanent ones.
 * Delivering the same bundle to the same target twice must be harmless (the deliver job may run again).
 */
export interface DeliveryHandler {
  /** The target names this handler serves (unknown names fail the job without retries). */
  readonly targets: readonly string[];
  deliver(ctx: DeliveryContext, request: DeliveryRequest): Promise<readonly DeliveryReceipt[]>;
}

/** A delivery failure; `retryable` decides between a retry with backoff and failing at once. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}
