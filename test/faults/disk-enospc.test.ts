// Disk: the evidence store and the output directory live on small tmpfs mounts, so writes fail with ENOSPC.
// 1. `auditpack collect --source` into the full store: it fails with an error naming the path and ENOSPC, and
//    what it stored is whole (every record parses, every blob matches its sha256, no staging or stray file).
// 2. A queued, signed pack into the same store and a tiny output directory: the collect job and then the pack job
//    fail with ENOSPC and are retried; the test grows each mount after the first failure it sees, the retries
//    complete the run, and the store equals an in-process baseline: 0 items lost, 0 duplicated.
// The mounts are removed in afterAll, whatever happened. Without root the scenario fails (it never passes silently).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/verify.js';
import { loadConfigFile } from '../../src/config/load.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { runCli } from '../e2e/helpers.js';
import { devSigner } from '../fixtures/bundle/pack.js';
import {
  cleanupPrefix,
  exampleExport,
  FIXED_NOW,
  killAll,
  REDIS_URL,
  removeTempDirs,
  ROOT,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  waitFor,
  writeExampleWorkerConfig,
} from '../queue/helpers.js';
import { recordOutcome } from './outcomes.js';
import { checkOutputDir, enqueueExportPack, waitForPackEnd, WorkerPool } from './lib/queue-run.js';
import { auditStore, baselineCollection, compareWithBaseline } from './lib/store-audit.js';
import { TmpfsMount } from './lib/tmpfs.js';

const prefix = uniquePrefix();
const tmp = tempDir('auditpack-fault-disk-');
const storeDisk = new TmpfsMount(path.join(tmp, 'store-disk'), 2048);
const outDisk = new TmpfsMount(path.join(tmp, 'out-disk'), 128);
let pool: WorkerPool | undefined;
let queues: QueueHandles | undefined;

beforeAll(() => {
  storeDisk.mount();
  outDisk.mount();
});

afterAll(async () => {
  if (pool) await killAll(pool.all);
  await queues?.close();
  await cleanupPrefix(prefix);
  const errors: string[] = [];
  for (const m of [storeDisk, outDisk]) {
    try {
      m.unmount();
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  removeTempDirs();
  if (errors.length) throw new Error(errors.join('; '));
});

describe('Disk full (ENOSPC) under the store and the output directory', () => {
  it('fails with ENOSPC and the path, keeps the store whole, and completes once there is space: 0 lost, 0 duplicated', async () => {
    const exportDir = await exampleExport();
    const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
    const baseline = await baselineCollection(exportDir, path.join(tmp, 'baseline'), FIXED_NOW);
    const n = baseline.ids.length;
    const storeRoot = path.join(storeDisk.dir, 'store');
    const outDir = path.join(outDisk.dir, 'pack');

    // 1. The in-process CLI: the store fills up.
    const cli = await runCli(['collect', '--source', exportDir, '--store', storeRoot, '--json'], { AUDITPACK_FIXED_NOW: FIXED_NOW });
    expect(cli.code, cli.stderr).not.toBe(0);
    const message = `${cli.stderr}\n${cli.stdout}`;
    expect(message).toMatch(/ENOSPC/);
    expect(message).toContain(storeRoot);
    const afterCli = await auditStore(storeRoot);
    expect(afterCli.corrupt).toEqual([]);
    expect(afterCli.stray).toEqual([]);
    expect(afterCli.tmpFiles).toEqual([]);
    expect(afterCli.ids.length).toBeGreaterThan(0);
    expect(afterCli.ids.length).toBeLessThan(n);

    // 2. The queue: the collect job and the pack job hit ENOSPC and are retried until the disks have room.
    const signer = await devSigner(path.join(tmp, 'keys'));
    const queueSection = {
      prefix,
      attempts: 8,
      backoffMs: 1000,
      lockDurationMs: 30_000,
      stalledIntervalMs: 2000,
      concurrency: { collect: 1, pack: 1, deliver: 1 },
    };
    const config = writeExampleWorkerConfig(tmp, loaded, {
      storeRoot: storeRoot,
      queue: queueSection,
      signing: signer.config,
    });
    pool = new WorkerPool(['--config', config, '--queues', 'collect,pack', '--no-health'], { AUDITPACK_REDIS_URL: REDIS_URL });
    await pool.startReady(1);
    queues = openQueues(testTarget(prefix), testSettings(prefix, queueSection));
    const q = queues;
    const runId = await enqueueExportPack(q, loaded, { exportDir, outDir, bundle: true });
    const p = pool;
    const retryOn = (queue: string) => () =>
      p.events('job_retry').find((e) => e.line['queue'] === queue && /ENOSPC/.test(String(e.line['error'])));

    const collectRetry = await waitFor(retryOn('collect'), 'a collect job retried after ENOSPC', 300_000);
    expect(String(collectRetry.line['error'])).toContain(storeRoot);
    const midway = await auditStore(storeRoot);
    expect(midway.corrupt).toEqual([]);
    expect(midway.tmpFiles).toEqual([]);
    storeDisk.resize(131_072);

    const packRetry = await waitFor(retryOn('pack'), 'a pack job retried after ENOSPC', 300_000);
    expect(String(packRetry.line['error'])).toContain(outDir);
    outDisk.resize(131_072);

    const status = await waitForPackEnd(q, runId);
    expect(status.error).toBeNull();
    expect(status.state).toBe('completed');
    expect(p.events('job_failed')).toEqual([]);

    const audit = await auditStore(storeRoot);
    const diff = compareWithBaseline(baseline, audit);
    expect(audit.corrupt).toEqual([]);
    expect(audit.stray).toEqual([]);
    expect(audit.tmpFiles).toEqual([]);
    expect({ lost: diff.lostIds, extra: diff.extraIds }).toEqual({ lost: [], extra: [] });
    expect({ lost: diff.lost, duplicated: diff.duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(status.result?.evidenceItems).toBe(n);
    const out = await checkOutputDir(outDir);
    expect(out.partial).toEqual([]);
    expect(out.liveTemp).toEqual([]);
    expect(out.orphanedTemp).toEqual([]);
    expect((await verifyBundle(status.result!.bundle!.path, { trust: [signer.ca.caCertificate] })).status).toBe('valid');
    const retries = p.events('job_retry').filter((e) => /ENOSPC/.test(String(e.line['error'])));
    process.stderr.write(`disk-enospc: cli: ${message.match(/[^\n]*ENOSPC[^\n]*/)?.[0] ?? ''}\ncollect retry: ${String(collectRetry.line['error'])}\npack retry: ${String(packRetry.line['error'])}\n`);

    recordOutcome({
      id: 'disk/enospc-store-and-output',
      group: 'Disk',
      scenario: `The store on a 2 MB tmpfs and the output directory on a 128 KB tmpfs; the example estate (${n} items) collected by the CLI, then packed (signed) on the queue; each mount grown to 128 MB after the first ENOSPC the test sees.`,
      expected: 'The CLI fails naming the store path and ENOSPC; collect and pack jobs are retried on ENOSPC (never failed for good); no corrupt record or blob, no staging or stray file at any point; once there is space the run completes, the store equals the in-process baseline, output files are whole and the bundle verifies.',
      runs: 2,
      lost: diff.lost,
      duplicated: diff.duplicated,
      crashes: 0,
      leaks: 0,
      extra: {
        'ENOSPC retries': retries.length,
        'records kept by the failed CLI run': afterCli.ids.length,
        'evidence items': n,
      },
    });
  }, 600_000);
});
