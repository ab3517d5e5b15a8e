import { statSync } from 'node:fs';
import type { Command } from 'commander';
import path from 'node:path';
import type { ControlStatus } from '../../mappers/types.js';
import { loadQueueAwareConfig } from '../../queue/config.js';
import { enqueuePack } from '../../queue/enqueue.js';
import { JobIdError } from '../../queue/names.js';
import { liveScope, planPack, PlanError, type LivePlan } from '../../queue/plan.js';
import { closeProducer, openProducer, RedisUnavailableError } from '../../queue/producer.js';
import { followPack, type PackStatus } from '../../queue/status.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { cliClock, parseFrameworkList, resolvePeriod } from '../environment.js';
import { progressReporter } from '../progress.js';
import { failOnStatuses, type AssessFlags } from './assess.js';

/** The options `pack` gets for queue mode (`--source` and `--out` are the command's own). */
export function addPackQueueOptions(cmd: Command): Command {
  return cmd
    .option('--queue', 'run on the queue workers (Redis) and follow progress; exit 0/1 by outcome')
    .option('--live', 'with --queue: also collect live, one job per collector × scope account × region')
    .option('--deliver <targets>', 'with --queue: deliver the signed bundle to these targets (comma-separated)')
    .option('--detach', 'with --queue: enqueue, print the run id and exit')
    .option(
      '--run-id <id>',
      'with --queue: the run id (default: derived from the request, so the same request is not queued twice)',
    );
}

export interface PackQueueFlags extends AssessFlags {
  queue?: boolean;
  source?: string;
  live?: boolean;
  deliver?: string;
  detach?: boolean;
  runId?: string;
}

function list(flag: string | undefined): string[] {
  return flag
    ? flag
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** Exit 1 when the run failed, a collection unit failed, or a --fail-on status is present without an accepted risk. */
export function queueExitCode(status: PackStatus, gate: readonly ControlStatus[]): number {
  if (status.state !== 'completed') return EXIT.findings;
  const r = status.result;
  if (!r || (r.collect?.failedUnits ?? 0) > 0) return EXIT.findings;
  const gated = (r.frameworks ?? []).some((f) => gate.some((s) => (f.unaccepted[s] ?? 0) > 0));
  return gated ? EXIT.findings : EXIT.ok;
}

export function formatQueueOutcome(s: PackStatus): string {
  const lines = [`Run ${s.id}: ${s.state}${s.result?.packId ? ` (pack ${s.result.packId})` : ''}`];
  for (const f of s.result?.frameworks ?? []) {
    lines.push(
      `  ${f.id.padEnd(8)} ${Object.entries(f.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  const c = s.result?.collect;
  if (c)
    lines.push(
      `  collected ${c.counts.collected}, not applicable ${c.counts.notApplicable}, errors ${c.counts.errors}, new ${c.counts.newItems}${c.failedUnits ? `; ${c.failedUnits} unit(s) failed` : ''}`,
    );
  for (const f of c?.failures ?? []) lines.push(`  failed: ${f}`);
  if (s.result?.bundle) lines.push(`  bundle ${s.result.bundle.path} (sha256 ${s.result.bundle.sha256})`);
  for (const r of s.delivery?.result?.receipts ?? []) lines.push(`  delivered to ${r.target}: ${r.location}`);
  if (s.error) lines.push(`  error: ${s.error}`);
  return lines.join('\n');
}

/**
 * `auditpack pack --queue`: plans the pack as a flow (collect children, then the pack job, then delivery),
 * enqueues it (the same request while it runs is not enqueued twice) and follows it with a progress bar on stderr.
 * Returns the exit code: 0 completed, 1 failed or findings (--fail-on), 2 bad input, 3 Redis unreachable (at the
 * start, or for longer than the grace period while following: the message says which).
 */
export async function runPackViaQueue(opts: PackQueueFlags): Promise<number> {
  try {
    return await packViaQueue(opts);
  } catch (err) {
    if (!(err instanceof RedisUnavailableError)) throw err;
    process.stderr.write(`auditpack: ${err.name}: ${err.message}\n`);
    return EXIT.internal;
  }
}

async function packViaQueue(opts: PackQueueFlags): Promise<number> {
  if (opts.store) throw new UsageError('--store: with --queue the workers use their own store (config store.path)');
  const cfg = loadQueueAwareConfig(opts.config);
  const loaded = cfg.loaded;
  const now = cliClock()();
  const gate = failOnStatuses(opts.failOn);
  const sources = list(opts.source).map((s) => path.resolve(s));
  for (const s of sources) {
    let dir = false;
    try {
      dir = statSync(s).isDirectory();
    } catch {
      dir = false;
    }
    if (!dir) throw new UsageError(`--source: ${s} is not a directory`);
  }
  const pinnedAt = opts.asOf ?? loaded.config.assessment.asOf;
  let assessedAt: string | undefined;
  if (pinnedAt !== undefined) {
    const t = Date.parse(pinnedAt);
    if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(pinnedAt))
      throw new UsageError(`--as-of: "${pinnedAt}" is not an ISO-8601 instant`);
    assessedAt = new Date(t).toISOString();
  }
  const live: LivePlan | null = opts.live ? liveScope(loaded) : null;
  const deliver = list(opts.deliver);
  const q = await openProducer(cfg);
  try {
    let plan;
    try {
      plan = planPack(
        loaded,
        q.jobOptions,
        {
          frameworks: parseFrameworkList(opts.framework, loaded),
          period: resolvePeriod(opts.period, loaded, now),
          ...(assessedAt ? { assessedAt } : {}),
          sources,
          live,
          out: opts.out
            ? { dir: path.resolve(opts.out), perRun: false }
            : { dir: path.resolve(loaded.baseDir, loaded.config.output.dir), perRun: true },
          bundle: cfg.signing !== null,
          deliver,
          trigger: { by: 'cli', name: process.env['USER'] ?? 'cli' },
          ...(opts.runId ? { runId: opts.runId } : {}),
        },
        now,
      );
    } catch (err) {
      if (err instanceof PlanError || err instanceof JobIdError) throw new UsageError(err.message);
      throw err;
    }
    const enq = await enqueuePack(q, plan);
    process.stderr.write(`run ${enq.runId}: ${enq.created ? 'queued' : `already ${enq.state} (not queued again)`}\n`);
    if (opts.detach) {
      process.stdout.write(opts.json ? JSON.stringify(enq, null, 2) + '\n' : `${enq.runId}\n`);
      return EXIT.ok;
    }
    const status = await followPack(q, enq.runId, { onProgress: progressReporter(process.stderr, false) });
    process.stdout.write(opts.json ? JSON.stringify(status, null, 2) + '\n' : formatQueueOutcome(status) + '\n');
    return queueExitCode(status, gate);
  } finally {
    await closeProducer(q);
  }
}
