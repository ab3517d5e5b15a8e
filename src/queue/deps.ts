import path from 'node:path';
import type { EvidenceStore } from '../evidence/store.js';
import { LocalDirectoryStore } from '../evidence/local-store.js';
import { S3EvidenceStore, type S3StoreConfig } from '../evidence/s3-store.js';
import { FRAMEWORKS_DIR } from '../frameworks/load.js';
import type { PipelineContext } from '../pipeline/context.js';
import type { QueueAwareConfig } from './config.js';
import { configuredDelivery } from './delivery-configured.js';
import { combineDeliveryHandlers } from './delivery.js';
import { DirectoryDelivery } from './delivery-local.js';
import { DEFAULT_STAGES, type LiveDeps, type PackStages } from './handlers.js';
import type { ProcessorDeps } from './processors.js';
import type { SweepOptions } from './recovery.js';
import type { DeliveryHandler } from './types.js';

export interface WorkerDepsOptions {
  /** The evidence store every worker of the deployment shares. */
  readonly store: EvidenceStore;
  readonly generator: { readonly name: string; readonly version: string };
  readonly now: () => Date;
  /** Where scheduled packs write (one directory per run). Default: `output.dir` of the config. */
  readonly outDir?: string;
  /** Extra delivery handlers beside the built-in directory targets and the `delivery:` targets (s3, dir, audit-manager). */
  readonly delivery?: readonly DeliveryHandler[];
  /** false: ignore `delivery:` of the config. */
  readonly configuredDelivery?: boolean;
  /** Replace stages (tests, or a deployment's own bundle step). */
  readonly stages?: Partial<PackStages>;
  readonly live?: Partial<LiveDeps>;
  readonly frameworksDir?: string;
  readonly sweep?: SweepOptions;
  readonly progressIntervalMs?: number;
}

/** What the processors need, from the config: the same context the in-process runner builds, per job. */
export function workerDeps(cfg: QueueAwareConfig, opts: WorkerDepsOptions): Omit<ProcessorDeps, 'queues' | 'limiter'> {
  const c = cfg.loaded.config;
  const dirs = Object.fromEntries(
    Object.entries(cfg.queue.directoryTargets).map(([name, dir]) => [name, path.resolve(cfg.loaded.baseDir, dir)]),
  );
  const configured =
    opts.configuredDelivery === false
      ? null
      : configuredDelivery(c.delivery, { baseDir: cfg.loaded.baseDir, store: opts.store });
  const handlers: DeliveryHandler[] = [
    ...(Object.keys(dirs).length ? [new DirectoryDelivery(dirs)] : []),
    ...(configured ? [configured] : []),
    ...(opts.delivery ?? []),
  ];
  const frameworksDir = opts.frameworksDir ?? FRAMEWORKS_DIR;
  return {
    context: (signal, onProgress): PipelineContext => ({
      store: opts.store,
      now: opts.now,
      generator: opts.generator,
      callerIdentity: null,
      frameworksDir,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress } : {}),
    }),
    signer: cfg.signing,
    stages: { ...DEFAULT_STAGES, ...opts.stages },
    delivery: handlers.length === 0 ? null : handlers.length === 1 ? handlers[0]! : combineDeliveryHandlers(handlers),
    live: {
      sdkMaxAttempts: c.collection.maxAttempts,
      ...(c.collection.externalId ? { externalId: c.collection.externalId } : {}),
      ...opts.live,
    },
    loaded: cfg.loaded,
    outDir: opts.outDir ?? path.resolve(cfg.loaded.baseDir, c.output.dir),
    allowedPaths: cfg.queue.allowedPaths ? cfg.queue.allowedPaths.map((d) => path.resolve(cfg.loaded.baseDir, d)) : null,
    ...(opts.sweep ? { sweep: opts.sweep } : {}),
    ...(opts.progressIntervalMs !== undefined ? { progressIntervalMs: opts.progressIntervalMs } : {}),
  };
}

/** The store of a config: a local directory (whose staging area is swept for orphaned temp files) or S3. */
export function storeOf(where: string | S3StoreConfig): { store: EvidenceStore; root: string | null } {
  return typeof where === 'string'
    ? { store: new LocalDirectoryStore(where), root: where }
    : { store: S3EvidenceStore.fromConfig(where), root: null };
}
