/**
 * One ingest measurement, in its own process (bench/lib/child.ts): prints one JSON report line.
 *
 *   ingest.ts gunzip  CORPUS            read + gunzip every file (node zlib): the physical floor
 *   ingest.ts parse   CORPUS            read + gunzip + JSON.parse of every file: the naive floor
 *   ingest.ts ours    CORPUS STORE|none [--workers N] [--passes P]
 *       auditpack's own path: collectExportDir (read, gunzip, scan/parse, filter, aggregate, store the evidence)
 *       into a fresh local store. N > 1: N worker threads, each collecting its share of the account/region/day
 *       folders (`prefixes`) into the same store. P > 1: the corpus P times over, each pass into a fresh store
 *       (removed after the pass), for the memory-flatness check: memory must not grow with the data read.
 *       STORE `none`: items are built, hashed and validated but not written (what the store's writes cost).
 *   ingest.ts ours    CORPUS STORE --procs N
 *       the same with N worker processes (as N queue workers would run); peak RSS = the largest worker's.
 *   ingest.ts share   CORPUS STORE PREFIXES-JSON   (internal: one worker process's share)
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { EvidenceItem, type BlobRef } from '../../src/evidence/model.js';
import type { EvidenceStore, PutItemResult } from '../../src/evidence/store.js';
import { sha256Hex } from '../../src/util/canonical-json.js';
import { collectExportDir, type ExportDirSummary } from '../../src/sources/export-dir/index.js';
import { dayFolders, type CorpusManifest } from '../generate/cloudtrail.js';
import { report } from '../lib/child.js';

/** Worker threads do not inherit the tsx loader: register it, then load this file in the worker. */
const TSX_WORKER = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;

const FIXED_NOW = new Date('2026-11-01T00:00:00.000Z');

function manifestOf(corpus: string): CorpusManifest {
  return JSON.parse(readFileSync(path.join(corpus, 'manifest.json'), 'utf8')) as CorpusManifest;
}

interface Counts {
  collected: number;
  errors: number;
  newItems: number;
}

function countsOf(s: ExportDirSummary): Counts {
  const t = s.byCollector['cloudtrail'] ?? { collected: 0, notApplicable: 0, errors: 0, newItems: 0 };
  return { collected: t.collected, errors: t.errors, newItems: t.newItems };
}

/**
 * A store that writes nothing: blobs are hashed (their address) and items validated by the writer as usual, then
 * dropped. It isolates what the local store's file-per-item writes cost from the ingest itself.
 */
class DiscardingStore implements EvidenceStore {
  readonly description = 'discarding store (bench)';
  putBlob(data: Uint8Array, mediaType: string): Promise<BlobRef> {
    return Promise.resolve({ sha256: sha256Hex(data), size: data.byteLength, mediaType });
  }
  putItem(item: EvidenceItem): Promise<PutItemResult> {
    return Promise.resolve({ stored: true, item: EvidenceItem.parse(item) });
  }
  getBlob(): Promise<Buffer> {
    return Promise.reject(new Error('discarding store'));
  }
  hasBlob(): Promise<boolean> {
    return Promise.resolve(false);
  }
  getItem(): Promise<EvidenceItem | null> {
    return Promise.resolve(null);
  }
  async *listItems(): AsyncIterable<EvidenceItem> {}
  putState(): Promise<void> {
    return Promise.resolve();
  }
  getState(): Promise<unknown> {
    return Promise.resolve(undefined);
  }
}

async function collect(corpus: string, store: string, prefixes?: readonly string[]): Promise<Counts> {
  const ctx = { store: store === 'none' ? new DiscardingStore() : new LocalDirectoryStore(store), now: () => FIXED_NOW, collectorVersion: 'bench', callerIdentity: null };
  return countsOf(await collectExportDir(ctx, corpus, prefixes ? { prefixes } : {}));
}

/**
 * Shares the folders out round-robin to N worker threads. Timed from the moment every worker has loaded the code
 * (workers are long-lived; their start is not per-ingest cost) to the last one's result.
 */
async function collectParallel(corpus: string, store: string, workers: number, folders: readonly string[]): Promise<{ counts: Counts; seconds: number }> {
  const shares = Array.from({ length: workers }, (_, w) => folders.filter((_, i) => i % workers === w));
  const started = shares.map((prefixes) => {
    const worker = new Worker(TSX_WORKER, { eval: true, workerData: { corpus, store, prefixes } });
    const failed = new Promise<never>((_, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worker exited ${code} before reporting`)));
    });
    const message = (): Promise<unknown> => Promise.race([new Promise((resolve) => worker.once('message', resolve)), failed]);
    return { worker, message };
  });
  await Promise.all(started.map((w) => w.message()));
  const t0 = process.hrtime.bigint();
  const results = await Promise.all(
    started.map(async (w) => {
      const done = w.message();
      w.worker.postMessage('go');
      return (await done) as Counts;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.all(started.map((w) => w.worker.terminate()));
  return { counts: results.reduce((a, b) => ({ collected: a.collected + b.collected, errors: a.errors + b.errors, newItems: a.newItems + b.newItems })), seconds };
}

/**
 * The same with N worker processes (how queue workers run): timed from all of them ready to the last result;
 * the peak RSS reported is the largest of one process, the sum is reported too.
 */
async function collectInProcesses(corpus: string, store: string, workers: number, folders: readonly string[]): Promise<{ counts: Counts; seconds: number; maxRssKb: number; sumRssKb: number }> {
  const shares = Array.from({ length: workers }, (_, w) => folders.filter((_, i) => i % workers === w));
  const procs = shares.map((prefixes) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'share', corpus, store, JSON.stringify(prefixes)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    const waiters: ((line: string) => void)[] = [];
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const w = waiters.shift();
        if (w) w(line);
        else lines.push(line);
      }
    });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`worker process exited ${code}`))));
    const next = (): Promise<string> => Promise.race([lines.length ? Promise.resolve(lines.shift()!) : new Promise<string>((r) => waiters.push(r)), exited]);
    return { child, next };
  });
  for (const p of procs) if ((await p.next()) !== 'ready') throw new Error('worker process did not get ready');
  const t0 = process.hrtime.bigint();
  const reports = await Promise.all(
    procs.map(async (p) => {
      const done = p.next();
      p.child.stdin.end('go\n');
      return JSON.parse(await done) as Counts & { maxRssKb: number };
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const counts = reports.reduce<Counts>((a, b) => ({ collected: a.collected + b.collected, errors: a.errors + b.errors, newItems: a.newItems + b.newItems }), { collected: 0, errors: 0, newItems: 0 });
  return { counts, seconds, maxRssKb: Math.max(...reports.map((r) => r.maxRssKb)), sumRssKb: reports.reduce((n, r) => n + r.maxRssKb, 0) };
}

async function main(): Promise<void> {
  if (!isMainThread) {
    const d = workerData as { corpus: string; store: string; prefixes: string[] };
    const port = parentPort!;
    port.once('message', () => {
      void collect(d.corpus, d.store, d.prefixes).then((counts) => port.postMessage(counts));
    });
    port.postMessage('ready');
    return;
  }
  const [mode, corpus, store, ...rest] = process.argv.slice(2);
  if (mode === 'share' && corpus && store && rest[0]) {
    // One worker process of `--procs`: ready, wait for go, collect its share, report.
    const prefixes = JSON.parse(rest[0]) as string[];
    process.stdout.write('ready\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    const counts = await collect(corpus, store, prefixes);
    process.stdout.write(JSON.stringify({ ...counts, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
    process.stdin.destroy();
    return;
  }
  if (!mode || !corpus) throw new Error('usage: ingest.ts gunzip|parse|ours CORPUS [STORE] [--workers N] [--passes P]');
  const manifest = manifestOf(corpus);
  const opt = (name: string, dflt: number): number => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : dflt;
  };

  if (mode === 'gunzip' || mode === 'parse') {
    const t0 = process.hrtime.bigint();
    let records = 0;
    for (const f of manifest.files) {
      const inflated = gunzipSync(readFileSync(path.join(corpus, f.rel)));
      if (mode === 'parse') records += (JSON.parse(inflated.toString('utf8')) as { Records: unknown[] }).Records.length;
    }
    report(Number(process.hrtime.bigint() - t0) / 1e9, { records });
    return;
  }
  if (mode !== 'ours' || !store) throw new Error(`unknown mode ${mode}`);
  const procs = opt('--procs', 0);
  if (procs > 0) {
    rmSync(store, { recursive: true, force: true });
    const r = await collectInProcesses(corpus, store, procs, dayFolders(manifest));
    // Not report(): this coordinating process's RSS is not the workers'.
    process.stdout.write(JSON.stringify({ seconds: r.seconds, maxRssKb: r.maxRssKb, sumRssKb: r.sumRssKb, ...r.counts, procs }) + '\n');
    return;
  }
  const workers = opt('--workers', 1);
  const passes = opt('--passes', 1);
  const folders = dayFolders(manifest);
  let seconds = 0;
  let counts: Counts | null = null;
  for (let p = 0; p < passes; p++) {
    const dir = passes > 1 && store !== 'none' ? `${store}-${p}` : store;
    if (dir !== 'none') rmSync(dir, { recursive: true, force: true });
    if (workers > 1) {
      const r = await collectParallel(corpus, dir, workers, folders);
      counts = r.counts;
      seconds += r.seconds;
    } else {
      const t0 = process.hrtime.bigint();
      counts = await collect(corpus, dir);
      seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    }
    if (passes > 1 && dir !== 'none') rmSync(dir, { recursive: true, force: true });
  }
  report(seconds, { ...counts, passes, workers });
}

await main();
