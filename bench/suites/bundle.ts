/**
 * Bundle: zip + SHA-256 manifest of the bundle fixture with the project's writer (ZipWriter.addFile, as
 * buildBundle uses it), against the peer a user would run on the same files: `zip -r -n .gz:.pdf:.png` (store
 * what is already compressed, deflate the rest at zip's default level 6) and then `sha256sum` of every file.
 * Memory: the writer's peak RSS on the whole fixture against every tenth file of it (flat when about equal).
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleFixture } from '../lib/bundle-fixture.js';
import { peakRssMb, runChild, timeShell } from '../lib/child.js';
import { ratio, type Benchmark, type BenchContext, type BenchResult } from '../lib/types.js';

async function run(ctx: BenchContext): Promise<BenchResult> {
  const fx = bundleFixture(ctx.workDir, ctx.size, (line) => ctx.log(line));
  const list = path.join(ctx.workDir, 'bundle-files.json');
  writeFileSync(list, JSON.stringify(fx.files));
  writeFileSync(path.join(ctx.workDir, 'bundle-files.txt'), fx.files.join('\n') + '\n');
  const ours = path.join(ctx.workDir, 'bundle-ours.zip');
  const peer = path.join(ctx.workDir, 'bundle-peer.zip');
  // Warm the page cache for both sides alike (the fixture was just written or read by an earlier run).
  await timeShell(`cat $(cat ${JSON.stringify(path.join(ctx.workDir, 'bundle-files.txt'))}) > /dev/null`, fx.dir);

  const small = await runChild('child/bundle.ts', [fx.dir, list, ours, '10']);
  const tenth = Number(small['files']);
  const mine = await runChild('child/bundle.ts', [fx.dir, list, ours]);
  ctx.log(`auditpack: ${mine.seconds.toFixed(2)} s, zip ${(Number(mine['zipBytes']) / 2 ** 20).toFixed(1)} MiB`);

  rmSync(peer, { force: true });
  const listTxt = JSON.stringify(path.join(ctx.workDir, 'bundle-files.txt'));
  const zipCli = await timeShell(`zip -q -r -n .gz:.pdf:.png ${JSON.stringify(peer)} . `, fx.dir);
  const sums = await timeShell(`xargs -d '\\n' -a ${listTxt} sha256sum > /dev/null`, fx.dir);
  const peerSeconds = zipCli.seconds + sums.seconds;
  ctx.log(`zip -r -n: ${zipCli.seconds.toFixed(2)} s, sha256sum: ${sums.seconds.toFixed(2)} s`);
  rmSync(peer, { force: true });
  rmSync(ours, { force: true });

  const rssAll = peakRssMb(mine) ?? 0;
  const rssTenth = peakRssMb(small) ?? 1;
  return {
    id: 'bundle',
    title: 'Bundle: zip + SHA-256 manifest (ZipWriter) vs zip -r -n .gz:.pdf:.png + sha256sum',
    input: `${fx.files.length.toLocaleString('en-US')} files, ${(fx.bytes / 2 ** 20).toFixed(0)} MiB (seed 7003: .html/.json deflated, .json.gz/.pdf/.png stored)`,
    measurements: [
      { name: 'auditpack ZipWriter.addFile + manifest', seconds: mine.seconds, peakRssMb: rssAll, bytes: fx.bytes, items: fx.files.length },
      { name: `auditpack, every tenth file (${tenth} files)`, seconds: small.seconds, peakRssMb: rssTenth, items: tenth },
      { name: 'zip -q -r -n .gz:.pdf:.png', seconds: zipCli.seconds, bytes: fx.bytes },
      { name: 'sha256sum of every file', seconds: sums.seconds, bytes: fx.bytes },
      { name: 'peer total (zip + sha256sum)', seconds: peerSeconds, bytes: fx.bytes, items: fx.files.length },
    ],
    ratios: [
      ratio('speed: peer seconds / auditpack seconds', peerSeconds / mine.seconds, '>= 0.8'),
      ratio('peak RSS: whole fixture / every tenth file (flat)', rssAll / rssTenth, '<= 1.25'),
    ],
    notes: [`zip output: auditpack ${(Number(mine['zipBytes']) / 2 ** 20).toFixed(1)} MiB (entries sorted, fixed dates, no extra fields).`],
  };
}

export const bundleBenchmark: Benchmark = {
  id: 'bundle',
  title: 'Bundle: zip + SHA-256 manifest of ~300 MB in 5,000 files, against zip -r -n + sha256sum',
  run,
};
