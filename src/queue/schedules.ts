/**
 * Schedules are BullMQ job schedulers: continuous collection on the collect queue (`scheduled-collect` jobs) and
 * monthly packs on the pack queue (`scheduled-pack` jobs, which plan and enqueue the pack of the previous month).
 * Scheduler ids are unique across both queues.
 */
import path from 'node:path';
import type { Queue } from 'bullmq';
import type { QueueHandles } from './queues.js';
import type { CollectSchedule, PackSchedule, SchedulesSettings } from './settings.js';
import type {
  CollectJobData,
  CollectJobResult,
  PackJobResult,
  PackQueueData,
  ScheduledCollectData,
  ScheduledPackData,
} from './types.js';

export interface ScheduleInfo {
  readonly id: string;
  readonly kind: 'collect' | 'pack';
  readonly pattern: string | null;
  readonly every: number | null;
  readonly tz: string | null;
  /** The next firing (ISO), null when the scheduler has no pending job. */
  readonly next: string | null;
  readonly data: ScheduledCollectData | ScheduledPackData | null;
}

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

// BullMQ types a scheduler id as the queue's job-name type; ours are free-form ids (checked by the config schema),
// so the queues are used through their string-named supertype here.
type SchedulerQueue<D, R> = Queue<D, R, string>;
const collectSchedulers = (q: QueueHandles): SchedulerQueue<CollectJobData, CollectJobResult> => q.collect;
const packSchedulers = (q: QueueHandles): SchedulerQueue<PackQueueData, PackJobResult> => q.pack;

async function assertFree(q: QueueHandles, id: string, kind: 'collect' | 'pack'): Promise<void> {
  const other =
    kind === 'collect' ? await packSchedulers(q).getJobScheduler(id) : await collectSchedulers(q).getJobScheduler(id);
  if (other)
    throw new ScheduleError(
      `schedule id ${id} is already used by a ${kind === 'collect' ? 'pack' : 'collect'} schedule`,
    );
}

export async function upsertCollectSchedule(
  q: QueueHandles,
  s: CollectSchedule,
  opts: { baseDir: string; tz: string },
): Promise<ScheduleInfo> {
  await assertFree(q, s.id, 'collect');
  const lookbackMs = s.lookback ?? (s.every ? 2 * s.every : 86_400_000);
  const data: ScheduledCollectData = {
    kind: 'schedule',
    schedule: s.id,
    ...(s.collector ? { collector: s.collector } : {}),
    ...(s.source ? { source: path.resolve(opts.baseDir, s.source) } : {}),
    lookbackMs,
  };
  const repeat = s.every ? { every: s.every } : { pattern: s.pattern!, tz: s.tz ?? opts.tz };
  await collectSchedulers(q).upsertJobScheduler(s.id, repeat, {
    name: 'scheduled-collect',
    data,
    opts: q.jobOptions.trigger,
  });
  return (await scheduleInfo(q, s.id))!;
}

export async function upsertPackSchedule(
  q: QueueHandles,
  s: PackSchedule,
  opts: { baseDir: string; tz: string },
): Promise<ScheduleInfo> {
  await assertFree(q, s.id, 'pack');
  const tz = s.tz ?? opts.tz;
  const data: ScheduledPackData = {
    kind: 'schedule',
    schedule: s.id,
    frameworks: s.frameworks,
    tz,
    sources: s.sources.map((d) => path.resolve(opts.baseDir, d)),
    live: s.live,
    deliver: s.deliver,
    bundle: s.bundle,
  };
  await packSchedulers(q).upsertJobScheduler(
    s.id,
    { pattern: s.pattern, tz },
    { name: 'scheduled-pack', data, opts: q.jobOptions.trigger },
  );
  return (await scheduleInfo(q, s.id))!;
}

export async function scheduleInfo(q: QueueHandles, id: string): Promise<ScheduleInfo | null> {
  const c = await collectSchedulers(q).getJobScheduler(id);
  const p = c ? undefined : await packSchedulers(q).getJobScheduler(id);
  const s = c ?? p;
  if (!s) return null;
  return {
    id,
    kind: c ? 'collect' : 'pack',
    pattern: s.pattern ?? null,
    every: s.every ? Number(s.every) : null,
    tz: s.tz ?? null,
    next: s.next ? new Date(s.next).toISOString() : null,
    data: (s.template?.data as ScheduledCollectData | ScheduledPackData | undefined) ?? null,
  };
}

export async function listSchedules(q: QueueHandles): Promise<ScheduleInfo[]> {
  const ids = [
    ...(await collectSchedulers(q).getJobSchedulers(0, -1, true)),
    ...(await packSchedulers(q).getJobSchedulers(0, -1, true)),
  ].map((s) => s.key);
  const out: ScheduleInfo[] = [];
  for (const id of ids) {
    const info = await scheduleInfo(q, id);
    if (info) out.push(info);
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** True when a scheduler was removed (from whichever queue holds it). */
export async function removeSchedule(q: QueueHandles, id: string): Promise<boolean> {
  const a = await collectSchedulers(q).removeJobScheduler(id);
  const b = await packSchedulers(q).removeJobScheduler(id);
  return a || b;
}

/** Upserts every schedule of the config; with `prune`, removes schedulers the config no longer lists. */
export async function syncSchedules(
  q: QueueHandles,
  section: SchedulesSettings,
  opts: { baseDir: string; prune: boolean },
): Promise<{ upserted: string[]; removed: string[] }> {
  const ids = [...section.collect.map((s) => s.id), ...section.packs.map((s) => s.id)];
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new ScheduleError(`schedule id ${dup} is used twice`);
  const removed: string[] = [];
  if (opts.prune) {
    for (const s of await listSchedules(q)) {
      if (!ids.includes(s.id) && (await removeSchedule(q, s.id))) removed.push(s.id);
    }
  }
  // A schedule that moved between kinds: remove the old one first.
  for (const s of section.collect) if ((await scheduleInfo(q, s.id))?.kind === 'pack') await removeSchedule(q, s.id);
  for (const s of section.packs) if ((await scheduleInfo(q, s.id))?.kind === 'collect') await removeSchedule(q, s.id);
  for (const s of section.collect) await upsertCollectSchedule(q, s, { baseDir: opts.baseDir, tz: section.tz });
  for (const s of section.packs) await upsertPackSchedule(q, s, { baseDir: opts.baseDir, tz: section.tz });
  return { upserted: ids, removed };
}
