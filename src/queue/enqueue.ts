import { packJobId } from './names.js';
import type { PackPlan } from './plan.js';
import type { QueueHandles } from './queues.js';

export interface EnqueueResult {
  readonly runId: string;
  /** False: the same work was already queued or running (or finished, for a pinned run) and nothing was added. */
  readonly created: boolean;
  readonly state: string;
}

const UNFINISHED = new Set(['waiting', 'waiting-children', 'active', 'delayed', 'prioritized', 'paused', 'wait']);
const MAX_GENERATIONS = 1000;

/**
 * Adds the pack's flow unless the same work is already known:
 * - the run id is free: the flow is added (atomically, children and parents together);
 * - the run is queued or running: nothing is added (re-triggering the same work is a no-op);
 * - the run finished: a pinned run that completed is final (same inputs, same pack) and is returned; otherwise the
 *   next generation (`<runId>-r2`, `-r3`, ...) is tried, so a new trigger of finished work runs it again.
 * Two triggers racing for the same id both add the same flow; BullMQ keeps the first, and the trigger id in the
 * job data tells which one created it.
 */
export async function enqueuePack(q: QueueHandles, plan: PackPlan): Promise<EnqueueResult> {
  for (let gen = 1; gen <= MAX_GENERATIONS; gen++) {
    const runId = gen === 1 ? plan.baseRunId : `${plan.baseRunId}-r${gen}`;
    const existing = await q.pack.getJob(packJobId(runId));
    if (existing) {
      const state = await existing.getState();
      if (UNFINISHED.has(state)) return { runId, created: false, state };
      if (state === 'completed' && plan.pinned) return { runId, created: false, state };
      if (state !== 'unknown') continue;
    }
    await q.flows.add(await plan.flow(runId));
    const job = await q.pack.getJob(packJobId(runId));
    const data = job?.data;
    const created = data?.kind === 'pack' && data.triggerId === plan.triggerId;
    return { runId, created, state: job ? await job.getState() : 'unknown' };
  }
  throw new Error(`run ${plan.baseRunId}: more than ${MAX_GENERATIONS} generations; clean finished jobs`);
}
