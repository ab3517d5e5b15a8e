/**
 * Issue 7, part 1: CloudTrail ingest. On the same generated corpus in the same run, each measurement in its own
 * process (bench/child/ingest.ts): auditpack's own path (read + gunzip + scan/parse + filter + aggregate + store the
 * evidence in a fresh local store) with 1 and 2 workers, and the floors: gunzip only (node zlib), gunzip +
 * JSON.parse of each file, and `zcat | jq` doing the same filter and group-by. Then the corpus 10 times over in one
 * process, for memory flatness.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { corpusDir, ensureCloudTrailCorpus, DEFAULT_SEED } from '../generate/cloudtrail.js';
import { peakRssMb, runChild, timeShell, type ChildReport } from '../lib/child.js';
import { ratio, type Benchmark, type Measurement } from '../lib/types.js';

/** Count by eventSource|eventName and keep the write calls: jq's version of the aggregate and the filter. */
const JQ_PROGRAM =
  'reduce (inputs | .Records[]) as $r ({ops: {}, kept: 0}; .ops["\\($r.eventSource)|\\($r.eventName)"] += 1 | if $r.readOnly == false then .kept += 1 else . end) | {kept, operations: (.ops | length)}';

export const ingest: Benchmark = {
  id: 'ingest',
  title: 'CloudTrail ingest: read + gunzip + parse + filter + aggregate + store evidence',
  async run(ctx) {
    const dir = corpusDir(ctx.workDir);
    const manifest = ensureCloudTrailCorpus(dir, ctx.size, DEFAULT_SEED, (line) => ctx.log(line));
    const events = manifest.events;
    const bytes = manifest.inflatedBytes;
    ctx.log(`corpus: ${manifest.files.length} files, ${events} events, ${(manifest.bytes / 2 ** 20).toFixed(1)} MiB gzip, ${(bytes / 2 ** 20).toFixed(1)} MiB JSON`);
    const store = path.join(ctx.workDir, 'ingest-store');
    const m = (name: string, r: ChildReport, n = 1): Measurement => ({ name, seconds: r.seconds, peakRssMb: peakRssMb(r), events: events * n, bytes: bytes * n });

    const step = async (what: string, script: string, args: string[]): Promise<ChildReport> => {
      ctx.log(`${what} …`);
      const r = await runChild(script, args);
      ctx.log(`${what}: ${r.seconds.toFixed(2)} s, peak RSS ${Math.round(peakRssMb(r) ?? 0)} MB`);
      return r;
    };
    const gunzip = await step('gunzip only', 'child/ingest.ts', ['gunzip', dir]);
    const parse = await step('gunzip + JSON.parse', 'child/ingest.ts', ['parse', dir]);
    const ours1 = await step('auditpack, 1 worker', 'child/ingest.ts', ['ours', dir, store, '--workers', '1']);
    // Two worker processes, as two queue workers run (worker threads would share one heap and one RSS figure).
    const ours2 = await step('auditpack, 2 worker processes', 'child/ingest.ts', ['ours', dir, store, '--procs', '2']);
    const unstored = await step('auditpack, 1 worker, evidence not written', 'child/ingest.ts', ['ours', dir, 'none', '--workers', '1']);
    rmSync(store, { recursive: true, force: true });

    const list = path.join(ctx.workDir, 'ingest-files.txt');
    writeFileSync(list, manifest.files.map((f) => path.join(dir, f.rel)).join('\n') + '\n');
    ctx.log('zcat | jq …');
    const jq = await timeShell(`xargs -a ${JSON.stringify(list)} zcat | jq -n -c '${JQ_PROGRAM}'`, ctx.workDir);
    ctx.log(`zcat | jq: ${jq.seconds.toFixed(2)} s (${jq.stdout.trim()})`);

    // Memory flatness: the corpus 10 times over in one process.
    const passes = 10;
    const ten = await step(`auditpack, 1 worker, corpus x${passes}, evidence not written`, 'child/ingest.ts', ['ours', dir, 'none', '--workers', '1', '--passes', String(passes)]);

    const rss1 = peakRssMb(ours1) ?? Infinity;
    const rss2 = peakRssMb(ours2) ?? Infinity;
    const rss10 = peakRssMb(ten) ?? Infinity;
    const kept = typeof ours1['collected'] === 'number' ? ours1['collected'] - manifest.files.length : null;
    return {
      id: 'ingest',
      title: this.title,
      input: `${manifest.files.length} CloudTrail log files, ${events.toLocaleString('en-US')} events, ${(manifest.bytes / 2 ** 20).toFixed(1)} MiB gzip / ${(bytes / 2 ** 20).toFixed(1)} MiB JSON (seed ${manifest.seed}, bench/generate/cloudtrail.ts)`,
      measurements: [
        m('auditpack ingest (1 worker)', ours1),
        m('auditpack ingest (2 worker processes, RSS of the larger)', ours2),
        m('auditpack ingest, evidence not written (1 worker)', unstored),
        m('gunzip only (node zlib)', gunzip),
        m('gunzip + JSON.parse', parse),
        { name: 'zcat | jq (same filter, group-by)', seconds: jq.seconds, events, bytes },
        m(`auditpack ingest, corpus x${passes}, evidence not written (1 worker)`, ten, passes),
      ],
      ratios: [
        ratio('ingest (1 worker) / (gunzip + JSON.parse), speed', parse.seconds / ours1.seconds, '>= 1.0'),
        ratio('ingest (1 worker) / gunzip only, speed (goal)', gunzip.seconds / ours1.seconds, '>= 0.5'),
        ratio('ingest (1 worker) / zcat | jq, speed', jq.seconds / ours1.seconds, '>= 6'),
        ratio('ingest 2 workers / 1 worker, speed', ours1.seconds / ours2.seconds, '>= 1.8'),
        ratio('ingest without the store writes / (gunzip + JSON.parse), speed', parse.seconds / unstored.seconds, '>= 1.0'),
        ratio('ingest without the store writes / gunzip only, speed (goal)', gunzip.seconds / unstored.seconds, '>= 0.5'),
        ratio('ingest peak RSS MB (1 worker)', rss1, '<= 300'),
        ratio('ingest peak RSS MB (2 workers, each)', rss2, '<= 300'),
        ratio(`ingest peak RSS MB, corpus x${passes}`, rss10, '<= 300'),
      ],
      notes: [
        `${kept ?? '?'} events kept as evidence items (${kept === null ? '?' : ((kept / events) * 100).toFixed(1)} %) plus ${manifest.files.length} activity aggregates, the kept events of each log file stored as one segment (records and blobs, one fsync), each aggregate as its record, content blob and raw blob (the log file as delivered) (fsync on, the store's default).`,
        `corpus x${passes}: the same files read ${passes} times in one process (items built, hashed and validated, not written: the store keeps no per-item state in memory, and writing ${passes}x the evidence would take most of the run); memory must not grow with the data read.`,
        `2 workers: two processes sharing the account/region/day folders round-robin, writing to the same store; together they peaked at ${Math.round(Number(ours2['sumRssKb'] ?? 0) / 1024)} MB.`,
        `jq: ${jq.stdout.trim()}`,
      ],
    };
  },
};
