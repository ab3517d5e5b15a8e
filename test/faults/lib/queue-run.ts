/**
 * Running a pack on the queue for the fault scenarios: a pool of real worker processes (the queue tests'
 * spawnWorker) where the test can find and SIGKILL the worker that holds a job, a pack enqueued from an export
 * directory, waiting for its end, and checks of what the run wrote (no partial file under a final name).
 */
import { readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../../../src/config/load.js';
import { enqueuePack } from '../../../src/queue/enqueue.js';
import { planPack } from '../../../src/queue/plan.js';
import type { QueueHandles } from '../../../src/queue/queues.js';
import { packStatus, type PackStatus } from '../../../src/queue/status.js';
import { processAlive } from '../../../src/queue/recovery.js';
import { ASSESSED_AT, FIXED_NOW, spawnWorker, waitFor, type SpawnedWorker } from '../../queue/helpers.js';
import { filesUnder } from './store-audit.js';

/** Worker processes of one scenario; every one of them is killed in afterAll (`killAll(pool.all)`). */
export class WorkerPool {
  readonly all: SpawnedWorker[] = [];
  kills = 0;

  constructor(
    private readonly args: readonly string[],
    private readonly env: Record<string, string>,
  ) {}

  start(): SpawnedWorker {
    const w = spawnWorker(this.args, this.env);
    this.all.push(w);
    return w;
  }

  async startReady(n = 1): Promise<SpawnedWorker[]> {
    const ws = Array.from({ length: n }, () => this.start());
    await Promise.all(ws.map((w) => w.waitForLog((l) => l.event === 'worker_ready')));
    return ws;
  }

  alive(): SpawnedWorker[] {
    return this.all.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  }

  /** The live worker that started `jobId` last (its latest job_active line), if any. */
  holder(jobId: string): SpawnedWorker | undefined {
    let best: { w: SpawnedWorker; time: number } | undefined;
    for (const w of this.alive()) {
      for (const l of w.lines) {
        if (l.event !== 'job_active' || l['jobId'] !== jobId) continue;
        const time = typeof l['time'] === 'number' ? l['time'] : 0;
        if (!best || time >= best.time) best = { w, time };
      }
    }
    return best?.w;
  }

  /** Number of job_active lines for `jobId` over every worker, dead or alive (attempts started). */
  starts(jobId: string): number {
    return this.all.reduce((n, w) => n + w.lines.filter((l) => l.event === 'job_active' && l['jobId'] === jobId).length, 0);
  }

  async kill(w: SpawnedWorker): Promise<void> {
    w.child.kill('SIGKILL');
    await w.exited;
    this.kills += 1;
  }

  /** Log lines of every worker with this event. */
  events(event: string): { worker: SpawnedWorker; line: SpawnedWorker['lines'][number] }[] {
    return this.all.flatMap((w) => w.lines.filter((l) => l.event === event).map((line) => ({ worker: w, line })));
  }
}

export interface ExportPackOptions {
  readonly exportDir: string;
  readonly outDir: string;
  readonly frameworks?: readonly string[];
  readonly bundle?: boolean;
  readonly deliver?: readonly string[];
  readonly assessedAt?: string;
}

/** Plans and enqueues a pack of one export directory (as `pack --queue` does); returns the run id. */
export async function enqueueExportPack(queues: QueueHandles, loaded: LoadedConfig, o: ExportPackOptions): Promise<string> {
  const plan = planPack(
    loaded,
    queues.jobOptions,
    {
      frameworks: [...(o.frameworks ?? ['soc2', 'hipaa', 'gdpr'])],
      period: '2026-10',
      assessedAt: o.assessedAt ?? ASSESSED_AT,
      sources: [o.exportDir],
      live: null,
      out: { dir: o.outDir, perRun: false },
      bundle: o.bundle ?? false,
      deliver: [...(o.deliver ?? [])],
      trigger: { by: 'cli' },
    },
    new Date(FIXED_NOW),
  );
  return (await enqueuePack(queues, plan)).runId;
}

/** Polls the run until it is completed or failed (and its delivery too, when it has one). */
export function waitForPackEnd(queues: QueueHandles, runId: string, timeoutMs = 420_000): Promise<PackStatus> {
  return waitFor(
    async () => {
      const s = await packStatus(queues, runId);
      return s && (s.state === 'completed' || s.state === 'failed') ? s : undefined;
    },
    `run ${runId} to finish`,
    timeoutMs,
    500,
  );
}

const ATOMIC_TMP = /^\..+\.(\d+)\.[a-f0-9]{12}\.tmp$/;

export interface OutputCheck {
  /** Files under their final names. */
  readonly files: readonly string[];
  /** Files under a final name that are not whole (JSON that does not parse, a PDF without %%EOF, HTML without </html>). */
  readonly partial: readonly string[];
  /** Hidden temp files of atomic writes whose writer is dead (swept by the next pack once an hour old). */
  readonly orphanedTemp: readonly string[];
  /** Temp files of a writer that is still alive (there should be none once every job has finished). */
  readonly liveTemp: readonly string[];
}

/** Every file the run wrote into `dir` is whole; temp files are hidden, named as such, and from dead writers. */
export async function checkOutputDir(dir: string): Promise<OutputCheck> {
  const files: string[] = [];
  const partial: string[] = [];
  const orphanedTemp: string[] = [];
  const liveTemp: string[] = [];
  for (const rel of await filesUnder(dir)) {
    const name = path.basename(rel);
    const m = ATOMIC_TMP.exec(name);
    if (m) {
      (processAlive(Number(m[1])) ? liveTemp : orphanedTemp).push(rel);
      continue;
    }
    files.push(rel);
    const file = path.join(dir, rel);
    const ext = path.extname(name);
    try {
      if (ext === '.json') JSON.parse(readFileSync(file, 'utf8'));
      else if (ext === '.pdf' && !readFileSync(file).subarray(-1024).toString('latin1').includes('%%EOF'))
        throw new Error('no %%EOF');
      else if (ext === '.html' && !readFileSync(file, 'utf8').trimEnd().endsWith('</html>')) throw new Error('no </html>');
      else if ((await fs.stat(file)).size === 0) throw new Error('empty');
    } catch (err) {
      partial.push(`${rel}: ${(err as Error).message}`);
    }
  }
  return { files, partial, orphanedTemp, liveTemp };
}
