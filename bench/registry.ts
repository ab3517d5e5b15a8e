import type { Benchmark } from './lib/types.js';
import { mappingBenchmark } from './suites/mapping.js';
import { bundleBenchmark } from './suites/bundle.js';
import { renderBenchmark } from './suites/render.js';
import { fairnessBenchmark } from './suites/fairness.js';
import { ingest } from './suites/ingest.js';
import { queue } from './suites/queue.js';

/**
 * Every suite `npm run bench` runs, in this order (explicit: no directory scanning). `--only id,id` picks some.
 * Suites are added here as they are written.
 */
export const BENCHMARKS: readonly Benchmark[] = [
  ingest,
  queue,
  mappingBenchmark,
  renderBenchmark,
  bundleBenchmark,
  fairnessBenchmark,
];
