/**
 * From a pack request to a BullMQ flow: the pack job (assess → render → bundle) waiting for its collect children
 * (one per part of each export directory, see split.ts, and one per live collector × account × region), under a
 * `deliver` parent when the run is delivered.
 */
import { MAX_DELIVERY_TARGETS } from './payloads.js';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FlowJob, FlowJobNode } from 'bullmq';
import { LIVE_COLLECTORS } from '../collectors/live/registry.js';
import type { LoadedConfig } from '../config/load.js';
import { assessJobFrom } from '../pipeline/in-process.js';
import { canonicalJson, sha256Hex } from '../util/canonical-json.js';
import { parsePeriod } from '../util/time.js';
import { collectJobId, deliverJobId, exportCollectJobId, idPart, packJobId } from './names.js';
import type { JobOptionSet } from './queues.js';
import { splitExportDir, WHOLE_DIRECTORY, type ExportDirPart, type ExportSplitOptions } from './split.js';
import type { CollectJobData, DeliverJobData, PackJobData } from './types.js';

export interface LivePlan {
  readonly collectors: readonly string[];
  readonly accounts: readonly { readonly id: string; readonly roleArn?: string }[];
  readonly regions: readonly string[];
}

export interface PackRequest {
  readonly frameworks: readonly string[];
  readonly period: string;
  /** Given: the run is pinned to it (part of the run id). Absent: the time of the first trigger. */
  readonly assessedAt?: string;
  /**
   * Absolute export directories: each is split into coarse collect children when the pack is added (CloudTrail
   * account/region/day groups plus the rest, see split.ts), or one child when it cannot or need not be split.
   */
  readonly sources: readonly string[];
  /** How export directories are split (default `DEFAULT_EXPORT_SPLIT`); `false`: one collect job per directory. */
  readonly split?: ExportSplitOptions | false;
  /** Live collection, one child per collector × account × region (region `global` for account-wide collectors). */
  readonly live: LivePlan | null;
  /** `perRun`: the run's files go to `<dir>/<runId>/`; otherwise straight into `dir`. */
  readonly out: { readonly dir: string; readonly perRun: boolean };
  readonly bundle: boolean;
  readonly deliver: readonly string[];
  readonly trigger: PackJobData['trigger'];
  /** An explicit run id (schedules: `monthly-<schedule>-<YYYY-MM>`); default: derived from the request. */
  readonly runId?: string;
}

/**
 * A planned pack: its base run id and how to build the flow for a run id (the base or a later generation). Building
 * the first flow walks the export directories (once per plan) to split them into collect jobs.
 */
export interface PackPlan {
  readonly baseRunId: string;
  readonly pinned: boolean;
  readonly triggerId: string;
  flow(runId: string): Promise<FlowJob>;
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

const HOME_REGION = 'us-east-1';

/** The run id of a request: the same work gets the same id (the assessment time only when it was given). */
export function baseRunId(loaded: LoadedConfig, req: PackRequest): string {
  if (req.runId) return idPart(req.runId, 'run id');
  const digest = sha256Hex(
    canonicalJson({
      organisation: loaded.config.organisation.name,
      frameworks: [...req.frameworks].sort(),
      period: req.period,
      assessedAt: req.assessedAt ?? null,
      sources: [...req.sources].sort(),
      live: req.live
        ? {
            collectors: [...req.live.collectors].sort(),
            accounts: req.live.accounts.map((a) => a.id).sort(),
            regions: [...req.live.regions].sort(),
          }
        : null,
      out: req.out,
      bundle: req.bundle,
      deliver: [...req.deliver].sort(),
    }),
  ).slice(0, 12);
  return idPart(`pack-${req.period.replace(/\.\./g, '_')}-${digest}`, 'run id');
}

export function planPack(loaded: LoadedConfig, opts: JobOptionSet, req: PackRequest, now: Date): PackPlan {
  if (req.frameworks.length === 0) throw new PlanError('give at least one framework');
  let period;
  try {
    period = parsePeriod(req.period);
  } catch (err) {
    throw new PlanError((err as Error).message);
  }
  for (const s of req.sources)
    if (!path.isAbsolute(s)) throw new PlanError(`export directory ${s} must be an absolute path`);
  if (req.split) {
    const { maxJobs, minBytes } = req.split;
    if (maxJobs !== undefined && !(Number.isInteger(maxJobs) && maxJobs >= 1))
      throw new PlanError(`split.maxJobs must be a positive integer, got ${maxJobs}`);
    if (minBytes !== undefined && !(Number.isFinite(minBytes) && minBytes >= 0))
      throw new PlanError(`split.minBytes must be a number >= 0, got ${minBytes}`);
  }
  for (const t of req.deliver) idPart(t, 'delivery target');
  if (req.deliver.length > MAX_DELIVERY_TARGETS)
    throw new PlanError(`at most ${MAX_DELIVERY_TARGETS} delivery targets per run, got ${req.deliver.length}`);
  if (req.deliver.length > 0 && !req.bundle)
    throw new PlanError('delivery sends the signed bundle: a delivered run needs a bundle');
  const live = req.live;
  if (live) {
    if (live.accounts.length === 0)
      throw new PlanError('live collection on the queue needs the accounts (scope.accounts or --accounts)');
    if (live.regions.length === 0)
      throw new PlanError('live collection on the queue needs the regions (scope.regions or --regions)');
    const unknown = live.collectors.filter((c) => !LIVE_COLLECTORS.some((l) => l.id === c));
    if (unknown.length) throw new PlanError(`unknown live collector(s) ${unknown.join(', ')}`);
  }
  const pinned = req.assessedAt !== undefined;
  const assessedAt = req.assessedAt ?? now.toISOString();
  const base = baseRunId(loaded, req);
  const triggerId = randomBytes(8).toString('hex');
  const window = { start: period.start, end: new Date(Math.min(Date.parse(period.end), now.getTime())).toISOString() };
  const accountNames = Object.fromEntries(
    loaded.config.scope.accounts.filter((a) => a.name).map((a) => [a.id, a.name as string]),
  );

  let parts: Promise<(readonly ExportDirPart[])[]> | undefined;
  const flow = async (runId: string): Promise<FlowJob> => {
    const outDir = req.out.perRun ? path.join(req.out.dir, runId) : req.out.dir;
    const split = req.split;
    parts ??= Promise.all(
      req.sources.map((s) => (split === false ? Promise.resolve(WHOLE_DIRECTORY) : splitExportDir(s, split))),
    );
    const children: FlowJobNode[] = (await parts).flatMap((dirParts, i) => {
      const source = req.sources[i]!;
      const digest = sha256Hex(source).slice(0, 10);
      return dirParts.map((p): FlowJobNode => {
        const data: CollectJobData = p.prefixes
          ? { kind: 'export-dir', runId, source, part: p.part, prefixes: p.prefixes }
          : { kind: 'export-dir', runId, source };
        return {
          name: 'collect',
          queueName: 'collect',
          data,
          opts: { ...opts.collect, jobId: exportCollectJobId(runId, i, digest, p.part) },
        };
      });
    });
    if (live) {
      for (const collectorId of live.collectors) {
        for (const unit of liveUnits(runId, collectorId, live, window)) {
          children.push({
            name: 'collect',
            queueName: 'collect',
            data: unit.data,
            opts: { ...opts.collect, jobId: unit.jobId },
          });
        }
      }
    }
    const packData: PackJobData = {
      kind: 'pack',
      runId,
      triggerId,
      trigger: req.trigger,
      pinned,
      assess: assessJobFrom(loaded, { runId, frameworks: req.frameworks, period: req.period, assessedAt }),
      render: { outDir, accountNames },
      bundle: req.bundle ? { path: path.join(outDir, `auditpack-${runId}.zip`) } : null,
      collect: { children: children.length },
      deliver: req.deliver,
    };
    const pack: FlowJob = {
      name: 'pack',
      queueName: 'pack',
      data: packData,
      opts: { ...opts.pack, jobId: packJobId(runId), ...(req.deliver.length ? { failParentOnFailure: true } : {}) },
      ...(children.length ? { children } : {}),
    };
    if (req.deliver.length === 0) return pack;
    const deliverData: DeliverJobData = { kind: 'deliver', runId, targets: req.deliver };
    return {
      name: 'deliver',
      queueName: 'deliver',
      data: deliverData,
      opts: { ...opts.deliver, jobId: deliverJobId(runId) },
      children: [pack],
    };
  };
  return { baseRunId: base, pinned, triggerId, flow };
}

/** Role ARN for an account from `collection.roleName` (a name, or an ARN template with {account}). */
export function roleArnFor(template: string | undefined, account: string): string | undefined {
  if (!template) return undefined;
  return template.startsWith('arn:')
    ? template.replace('{account}', account)
    : `arn:aws:iam::${account}:role/${template}`;
}

/** Live collection over the config's scope: its collectors (default all), accounts (with roles) and regions. */
export function liveScope(loaded: LoadedConfig): LivePlan {
  const c = loaded.config;
  return {
    collectors: c.collection.collectors ?? LIVE_COLLECTORS.map((l) => l.id),
    accounts: c.scope.accounts.map((a) => {
      const roleArn = roleArnFor(c.collection.roleName, a.id);
      return roleArn ? { id: a.id, roleArn } : { id: a.id };
    }),
    regions: c.scope.regions,
  };
}

/**
 * The collect units of one live collector over a scope: one per account × region (one per account, region
 * `global`, for an account-wide collector), each with its deterministic job id.
 */
export function liveUnits(
  runId: string,
  collectorId: string,
  scope: Pick<LivePlan, 'accounts' | 'regions'>,
  window: { readonly start: string; readonly end: string },
): { data: CollectJobData; jobId: string }[] {
  const collector = LIVE_COLLECTORS.find((c) => c.id === collectorId);
  if (!collector) throw new PlanError(`unknown live collector ${collectorId}`);
  const units: { data: CollectJobData; jobId: string }[] = [];
  for (const account of scope.accounts) {
    for (const region of collector.regional ? scope.regions : ['global']) {
      units.push({
        data: {
          kind: 'live',
          runId,
          collector: collector.id,
          account: account.id,
          region,
          ...(account.roleArn ? { roleArn: account.roleArn } : {}),
          window,
        },
        jobId: collectJobId(runId, collector.id, account.id, region),
      });
    }
  }
  return units;
}

/** The region a global collector's API calls go to (the runner ignores regions for account-wide collectors). */
export function apiRegionFor(region: string): string {
  return region === 'global' ? (process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? HOME_REGION) : region;
}
