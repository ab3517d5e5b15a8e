/**
 * Fairness: every pre- and post-training bias metric (Clarify's 8 + 13, the flip test's exact k-NN included) on
 * N seeded labelled predictions, through the native path (parse the predictions CSV, compute the report, as
 * src/normalizers/clarify.ts normalizeNativeBias does), in its own process for its peak RSS. There is no peer to
 * run here (smclarify needs Python and pandas); the floor is one pass that only reads the file and counts the
 * confusion matrix per facet group, which every metric needs at least.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { peakRssMb, runChild } from '../lib/child.js';
import { timeSync } from '../lib/seed-random.js';
import { ratio, type Benchmark, type BenchContext, type BenchResult } from '../lib/types.js';

/** The floor: read the CSV and count TP/FP/FN/TN for the sensitive facet and the rest, in one scan of the text. */
function countingFloor(file: string): number {
  const text = readFileSync(file, 'latin1');
  const counts = new Float64Array(8);
  let i = text.indexOf('\n') + 1;
  while (i < text.length) {
    const eol = text.indexOf('\n', i);
    const end = eol < 0 ? text.length : eol;
    const c1 = text.indexOf(',', i);
    const d = text.charCodeAt(i) === 70 ? 4 : 0; // 'F'
    const y = text.charCodeAt(c1 + 1) === 49 ? 2 : 0;
    const p = text.charCodeAt(c1 + 3) === 49 ? 1 : 0;
    counts[d + y + p]! += 1;
    i = end + 1;
  }
  return counts.reduce((a, b) => a + b, 0);
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const rows = ctx.size === 'l' ? 1_000_000 : 50_000;
  const csv = path.join(ctx.workDir, `predictions-${rows}.csv`);
  const r = await runChild('child/fairness.ts', [String(rows), csv]);
  const floor = timeSync(() => countingFloor(csv));
  if (floor.value !== rows) throw new Error(`the floor counted ${floor.value} rows, expected ${rows}`);
  const num = (k: string): number => (typeof r[k] === 'number' ? r[k] : 0);
  ctx.log(`parse ${num('parseSeconds').toFixed(2)} s, metrics ${num('metricSeconds').toFixed(2)} s, basic stats ${num('statsSeconds').toFixed(2)} s, peak RSS ${Math.round(peakRssMb(r) ?? 0)} MB`);
  return {
    id: 'fairness',
    title: 'Fairness: all pre- and post-training bias metrics on labelled predictions',
    input: `${rows.toLocaleString('en-US')} seeded predictions (seed 7004: facet F/M/X, label, prediction, group, score, tenure; FT over 3 features)`,
    measurements: [
      { name: 'auditpack parse + 21 metrics + basic stats', seconds: r.seconds, peakRssMb: peakRssMb(r), items: rows },
      { name: '  of which: read + parse the CSV', seconds: num('parseSeconds'), items: rows },
      { name: '  of which: 8 pre- and 13 post-training metrics', seconds: num('metricSeconds'), items: rows },
      { name: '  of which: basic stats', seconds: num('statsSeconds'), items: rows },
      { name: 'floor: read + count confusion matrices in one scan', seconds: floor.seconds, items: rows },
    ],
    ratios: [ratio('seconds per million rows (whole native path)', r.seconds / (rows / 1e6), '<= 10')],
    notes: ['No target in the issue beyond time and memory; the <= 10 s per million rows bound is ours (an assessment runs it per model).'],
  };
}

export const fairnessBenchmark: Benchmark = {
  id: 'fairness',
  title: 'Fairness metrics on 1,000,000 labelled predictions (time and peak RSS)',
  run,
};
