/**
 * What the workers do, without BullMQ: each function takes the worker's dependencies and a thin job payload and
 * calls the pipeline's stage handlers unchanged (they persist their results in the store under runs/<runId>/).
 * The BullMQ adapters (`processors.ts`) add progress, rate limits and the retry policy around these.
 */
import type { BundleResult } from '../bundle/build.js';
import type { AwsClientFactory } from '../aws/clients.js';
import { classifyAwsError } from '../aws/errors.js';
import { runLiveCollection } from '../collectors/live/runner.js';
import { LIVE_COLLECTORS } from '../collectors/live/registry.js';
import { CONTROL_STATUSES } from '../mappers/types.js';
import { assessStage, type AssessJob, type AssessmentResult } from '../pipeline/assess-stage.js';
import { bundleStage, type BundleJob } from '../pipeline/bundle-stage.js';
import { collectStage } from '../pipeline/collect-stage.js';
import { collectExportDir, type ExportDirSummary } from '../sources/export-dir/index.js';
import type { PipelineContext, StageName, StageProgress } from '../pipeline/context.js';
import { renderStage, type RenderJob, type RenderResult } from '../pipeline/render-stage.js';
import type { SignerConfig } from '../signing/config.js';
import { apiRegionFor } from './plan.js';
import { sweepAtomicTemp, type SweepOptions } from './recovery.js';
import type {
  CollectCounts,
  CollectJobResult,
  DeliverJobData,
  DeliverJobResult,
  DeliveryHandler,
  ExportDirCollectData,
  FrameworkSummary,
  LiveCollectData,
  PackJobData,
  PackJobResult,
  PackProgress,
  StageState,
} from './types.js';
import { DeliveryError } from './types.js';

/** The pack's stages; pluggable so a deployment (or a test) can replace one, e.g. the bundle step. */
export interface PackStages {
  assess(ctx: PipelineContext, job: AssessJob): Promise<AssessmentResult>;
  render(ctx: PipelineContext, job: RenderJob, assessment: AssessmentResult): Promise<RenderResult>;
  bundle(ctx: PipelineContext, job: BundleJob): Promise<Pick<BundleResult, 'path' | 'sha256' | 'size'>>;
}

export const DEFAULT_STAGES: PackStages = {
  assess: assessStage,
  render: (ctx, job, assessment) => renderStage(ctx, job, assessment),
  bundle: bundleStage,
};

export interface LiveDeps {
  readonly externalId?: string;
  readonly sdkMaxAttempts: number;
  /** Base credentials (tests); default: the standard AWS credential chain. */
  readonly credentials?: ConstructorParameters<typeof AwsClientFactory>[0]['credentials'];
}

export interface HandlerDeps {
  /** A pipeline context for one job, with the job's abort signal and progress sink. */
  context(signal?: AbortSignal, onProgress?: (p: StageProgress) => void): PipelineContext;
  readonly signer: SignerConfig | null;
  readonly stages: PackStages;
  readonly delivery: DeliveryHandler | null;
  readonly live: LiveDeps;
  /** How the pack handler sweeps orphaned temp files of killed workers in the run's output directory. */
  readonly sweep?: SweepOptions;
}

/** A failure that no retry fixes (missing signer, unknown delivery target, unreachable account ...). */
export class PermanentJobError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

const zero = (): CollectCounts => ({ collected: 0, notApplicable: 0, errors: 0, newItems: 0 });

function add(
  into: CollectCounts,
  t: { collected: number; notApplicable: number; errors: number; newItems: number },
): void {
  into.collected += t.collected;
  into.notApplicable += t.notApplicable;
  into.errors += t.errors;
  into.newItems += t.newItems;
}

/**
 * One export directory into the store (the collect stage, unchanged), or one part of it (the same reader over the
 * part's prefixes, its summary kept under `runs/<runId>/collect-<part>`). Returns counts only.
 */
export async function collectExportDirUnit(
  deps: HandlerDeps,
  data: ExportDirCollectData,
  signal?: AbortSignal,
  onProgress?: (p: StageProgress) => void,
): Promise<CollectJobResult> {
  const ctx = deps.context(signal, onProgress);
  let summary: ExportDirSummary;
  let failed: boolean;
  if (data.prefixes && data.part) {
    summary = await collectExportDir(
      {
        store: ctx.store,
        now: ctx.now,
        collectorVersion: `${ctx.generator.name}/${ctx.generator.version} export-dir`,
        callerIdentity: ctx.callerIdentity,
      },
      data.source,
      {
        prefixes: data.prefixes,
        signal: ctx.signal,
        onProgress: (p) => ctx.onProgress?.({ stage: 'collect', done: p.done, total: p.total, detail: p.path }),
      },
    );
    failed = Object.values(summary.byCollector).some((t) => t.errors > 0) || summary.refused.length > 0;
    await ctx.store.putState(`runs/${data.runId}/collect-${data.part}`, {
      finishedAt: ctx.now().toISOString(),
      prefixes: data.prefixes.length,
      summary,
    });
  } else {
    const result = await collectStage(ctx, { runId: data.runId, source: { type: 'export-dir', path: data.source } });
    summary = result.summary;
    failed = result.failed;
  }
  const counts = zero();
  for (const t of Object.values(summary.byCollector)) add(counts, t);
  return { runId: data.runId, kind: 'export-dir', counts, failed };
}

/**
 * One live collector in one account and region. Permanent AWS errors are already evidence (error items); an
 * account that could not be reached at all (role, STS) is a job failure: retried when the cause is transient.
 */
export async function collectLiveUnit(
  deps: HandlerDeps,
  data: LiveCollectData,
  signal?: AbortSignal,
  onProgress?: (p: StageProgress) => void,
): Promise<CollectJobResult> {
  const collector = LIVE_COLLECTORS.find((c) => c.id === data.collector);
  if (!collector) throw new PermanentJobError(`unknown live collector ${data.collector}`);
  const ctx = deps.context(signal, onProgress);
  const summary = await runLiveCollection({
    collectors: [collector],
    accounts: [{ id: data.account, ...(data.roleArn ? { roleArn: data.roleArn } : {}) }],
    externalId: deps.live.externalId,
    regions: [apiRegionFor(data.region)],
    window: { start: new Date(data.window.start), end: new Date(data.window.end) },
    store: ctx.store,
    now: ctx.now,
    generator: ctx.generator,
    signal,
    sdkMaxAttempts: deps.live.sdkMaxAttempts,
    credentials: deps.live.credentials,
    onProgress: (p) => onProgress?.({ stage: 'collect', ...p }),
  });
  if (!summary.accounts.includes(data.account)) {
    const line =
      summary.errors.find((e) => e.startsWith(`account ${data.account}:`)) ?? `account ${data.account}: unreachable`;
    const code = /^account \d+: ([A-Za-z0-9_.-]+):/.exec(line)?.[1] ?? 'UnknownError';
    throw Object.assign(new Error(line), {
      name: 'AccountUnreachable',
      retryable: classifyAwsError({ name: code }).retryable,
    });
  }
  const counts = zero();
  const t = summary.byCollector[collector.id];
  if (t) add(counts, t);
  return { runId: data.runId, kind: 'live', counts, failed: summary.failed };
}

/** Tracks the state of every stage of a pack and turns stage progress into job progress. */
export class PackProgressTracker {
  private readonly stages: Partial<Record<StageName, StageState>> = {};
  private current: PackProgress;

  constructor(data: PackJobData, collected: { done: number; total: number; failed: number }) {
    this.stages.collect = {
      state: collected.failed > 0 ? 'failed' : collected.total === 0 ? 'skipped' : 'done',
      done: collected.done,
      total: collected.total,
    };
    this.stages.assess = { state: 'pending', done: 0, total: 0 };
    this.stages.render = { state: 'pending', done: 0, total: 0 };
    this.stages.bundle = { state: data.bundle ? 'pending' : 'skipped', done: 0, total: 0 };
    if (data.deliver.length) this.stages.deliver = { state: 'pending', done: 0, total: data.deliver.length };
    this.current = { stage: 'assess', done: 0, total: 0, detail: 'starting', stages: { ...this.stages } };
  }

  update(p: StageProgress): PackProgress {
    this.stages[p.stage] = { state: 'running', done: p.done, total: p.total };
    this.current = { stage: p.stage, done: p.done, total: p.total, detail: p.detail, stages: { ...this.stages } };
    return this.current;
  }

  finish(stage: StageName, state: StageState['state'] = 'done'): PackProgress {
    const s = this.stages[stage] ?? { state, done: 0, total: 0 };
    this.stages[stage] = { state, done: state === 'done' ? Math.max(s.done, s.total) : s.done, total: s.total };
    this.current = { ...this.current, stages: { ...this.stages } };
    return this.current;
  }

  get progress(): PackProgress {
    return this.current;
  }
}

export function summarizeFrameworks(a: AssessmentResult): FrameworkSummary[] {
  return a.frameworks.map((f) => {
    const unaccepted: Record<string, number> = Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0]));
    for (const r of f.results) if (!r.acceptedRisk) unaccepted[r.status] = (unaccepted[r.status] ?? 0) + 1;
    return { id: f.id, counts: { ...f.counts }, unaccepted };
  });
}

export interface ChildOutcome {
  readonly values: readonly CollectJobResult[];
  /** Children that failed for good (the pack goes on: what they would have collected shows as gaps). */
  readonly failures: readonly string[];
}

/** Assess → render → bundle, each stage handler unchanged, after the collect children are done. */
export async function packRun(
  deps: HandlerDeps,
  data: PackJobData,
  children: ChildOutcome,
  signal?: AbortSignal,
  onProgress?: (p: PackProgress) => void,
): Promise<PackJobResult> {
  const counts = zero();
  for (const v of children.values) add(counts, v.counts);
  const failedUnits = children.failures.length + children.values.filter((v) => v.failed).length;
  const tracker = new PackProgressTracker(data, {
    done: children.values.length + children.failures.length,
    total: data.collect.children,
    failed: children.failures.length,
  });
  onProgress?.(tracker.progress);
  if (data.bundle && !deps.signer)
    throw new PermanentJobError(
      `run ${data.runId} asks for a signed bundle, but this worker has no signing configuration`,
    );
  await sweepAtomicTemp(data.render.outDir, deps.sweep);
  const ctx = deps.context(signal, (p) => onProgress?.(tracker.update(p)));

  const assessment = await deps.stages.assess(ctx, data.assess);
  onProgress?.(tracker.finish('assess'));
  const render = await deps.stages.render(
    ctx,
    {
      runId: data.runId,
      outDir: data.render.outDir,
      accountNames: data.render.accountNames,
      fairness: data.assess.fairness,
      freshnessDays: data.assess.freshnessDays,
    },
    assessment,
  );
  onProgress?.(tracker.finish('render'));
  let bundle: PackJobResult['bundle'] = null;
  if (data.bundle && deps.signer) {
    await sweepAtomicTemp(data.render.outDir, deps.sweep);
    const b = await deps.stages.bundle(ctx, {
      runId: data.runId,
      outDir: data.render.outDir,
      bundlePath: data.bundle.path,
      signer: deps.signer,
    });
    bundle = { path: b.path, sha256: b.sha256, size: b.size };
    onProgress?.(tracker.finish('bundle'));
  }
  return {
    kind: 'pack',
    runId: data.runId,
    packId: assessment.packId,
    frameworks: summarizeFrameworks(assessment),
    evidenceItems: assessment.evidence.total,
    collect: { counts, failedUnits, failures: children.failures.slice(0, 50) },
    files: render.files,
    bundle,
  };
}

/** Sends the run's bundle to its targets through the delivery handler. */
export async function deliverRun(
  deps: HandlerDeps,
  data: DeliverJobData,
  bundlePath: string | null,
  signal?: AbortSignal,
  onProgress?: (p: StageProgress) => void,
): Promise<DeliverJobResult> {
  if (!bundlePath) throw new PermanentJobError(`run ${data.runId} has no bundle to deliver`);
  const handler = deps.delivery;
  if (!handler) throw new PermanentJobError(`run ${data.runId}: this worker has no delivery handler`);
  const unknown = data.targets.filter((t) => !handler.targets.includes(t));
  if (unknown.length)
    throw new DeliveryError(
      `unknown delivery target(s) ${unknown.join(', ')} (known here: ${handler.targets.join(', ') || 'none'})`,
      false,
    );
  const ctx = deps.context(signal);
  const receipts = await handler.deliver(
    {
      store: ctx.store,
      now: ctx.now,
      signal,
      onProgress: (done, total, detail) => onProgress?.({ stage: 'deliver', done, total, detail }),
    },
    { runId: data.runId, bundlePath, targets: data.targets },
  );
  return { runId: data.runId, receipts };
}
