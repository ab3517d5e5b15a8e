// packStatus reads a job, then its state: a job that finishes in between must not be reported "completed" with the
// result of before (none). Fake queue handles stand in for Redis, so the interleaving is exact.
import { describe, expect, it } from 'vitest';
import type { QueueHandles } from '../../src/queue/queues.js';
import { packStatus } from '../../src/queue/status.js';

const data = {
  kind: 'pack',
  trigger: 'manual',
  collect: { children: 1 },
  assess: { period: '2026-10', frameworks: ['soc2'], assessedAt: '2026-11-01T00:00:00.000Z' },
  bundle: null,
  deliver: [],
};

function job(finished: boolean) {
  return {
    data,
    progress: null,
    timestamp: Date.parse('2026-11-01T00:00:00.000Z'),
    finishedOn: finished ? Date.parse('2026-11-01T00:05:00.000Z') : undefined,
    attemptsMade: 1,
    opts: { attempts: 3 },
    returnvalue: finished ? { kind: 'pack', evidenceItems: 782 } : null,
    failedReason: undefined,
    // The state is read after the job: by then it has finished.
    getState: () => Promise.resolve('completed'),
    getDependenciesCount: () => Promise.resolve({ processed: 1 }),
  };
}

describe('packStatus', () => {
  it('reads the job again when it finished between reading it and reading its state', async () => {
    const reads = [job(false), job(true)];
    const q = { pack: { getJob: () => Promise.resolve(reads.shift() ?? job(true)) } } as unknown as QueueHandles;
    const s = await packStatus(q, 'run-1');
    expect(s?.state).toBe('completed');
    expect(s?.result).toEqual({ kind: 'pack', evidenceItems: 782 });
    expect(s?.finishedAt).toBe('2026-11-01T00:05:00.000Z');
    expect(reads).toEqual([]);
  });
});
