/**
 * Fairness metrics on N labelled predictions, in its own process: `fairness.ts ROWS CSV_PATH`. Writes a seeded
 * predictions CSV (facet, label, prediction, group, score, tenure) if it is not there, then times the native
 * Clarify path (src/normalizers/clarify.ts normalizeNativeBias): reading + parsing the file, then every pre- and
 * post-training metric (the flip test's k-NN over the feature columns included), then the basic statistics.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parsePredictions } from '../../src/fairness/predictions.js';
import { biasBasicStats, computeBiasReport, METRIC_NAMES } from '../../src/fairness/report.js';
import type { BiasConfig } from '../../src/fairness/dataset.js';
import { report } from '../lib/child.js';
import { seededRandom } from '../lib/seed-random.js';

const SEED = 7_004;

function writeCsv(file: string, rows: number): void {
  const r = seededRandom(SEED);
  const parts: string[] = ['facet,label,prediction,group,score,tenure'];
  for (let i = 0; i < rows; i++) {
    const x = r();
    const facet = x < 0.45 ? 'F' : x < 0.97 ? 'M' : 'X';
    const group = Math.floor(r() * 10);
    const tenure = Math.floor(r() * 121);
    // The model's score depends on tenure and group, a little on the facet; the label on the score plus noise.
    const score = Math.min(1, Math.max(0, 0.25 + tenure / 300 + group / 60 - (facet === 'F' ? 0.04 : 0) + (r() - 0.5) * 0.4));
    const label = r() < score ? 1 : 0;
    const prediction = score > 0.5 ? 1 : 0;
    parts.push(`${facet},${label},${prediction},${group},${score.toFixed(3)},${tenure}`);
  }
  writeFileSync(file, parts.join('\n') + '\n');
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function main(): void {
  const [rowsArg, file] = process.argv.slice(2);
  const rows = Number(rowsArg);
  if (!file || !Number.isInteger(rows)) throw new Error('usage: fairness.ts ROWS CSV_PATH');
  if (!existsSync(file)) writeCsv(file, rows);
  const config: BiasConfig = { facetName: 'sex', facetValues: ['F'], labelValues: [1], groupVariable: 'group' };
  const t0 = process.hrtime.bigint();
  const data = parsePredictions(readFileSync(file, 'utf8'), 'csv', file);
  const parseSeconds = seconds(t0);
  const t1 = process.hrtime.bigint();
  const metrics = computeBiasReport(data, config);
  const metricSeconds = seconds(t1);
  const t2 = process.hrtime.bigint();
  const stats = biasBasicStats(data, config);
  const statsSeconds = seconds(t2);
  const failed = metrics.filter((m) => m.error !== null).map((m) => `${m.name}: ${m.error}`);
  const expected = METRIC_NAMES.pre_training.length + METRIC_NAMES.post_training.length;
  if (metrics.length !== expected || failed.length > 0) throw new Error(`expected ${expected} metrics without errors, got ${metrics.length}: ${failed.join('; ')}`);
  report(seconds(t0), {
    rows: data.rows,
    parseSeconds,
    metricSeconds,
    statsSeconds,
    metrics: metrics.length,
    stats: stats.length,
    values: Object.fromEntries(metrics.map((m) => [`${m.stage === 'pre_training' ? 'pre' : 'post'}.${m.name}`, m.value])),
  });
}

main();
