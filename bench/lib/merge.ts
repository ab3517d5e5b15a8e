import type { BenchResult, BenchSize, Benchmark } from './types.js';

export interface MergedResults {
  readonly results: BenchResult[];
  /** The earlier run and the suites taken from it. */
  readonly from: { readonly generatedAt: string; readonly ids: string[] };
}

/**
 * `--merge`: this run's results plus the suites of an earlier results file (`earlierJson`, same size) that this run
 * did not run, in the registry's order, so that rerunning one suite after a change still gives one table.
 */
export function mergeEarlier(
  earlierJson: string,
  size: BenchSize,
  results: readonly BenchResult[],
  registry: readonly Pick<Benchmark, 'id'>[],
): MergedResults {
  const earlier = JSON.parse(earlierJson) as { generatedAt?: unknown; size?: unknown; results?: unknown };
  if (
    earlier === null ||
    typeof earlier !== 'object' ||
    typeof earlier.generatedAt !== 'string' ||
    !Array.isArray(earlier.results)
  ) {
    throw new Error('not a results file (no generatedAt and results)');
  }
  if (earlier.size !== size) throw new Error(`its size is ${String(earlier.size)}, this run's is ${size}`);
  const kept = (earlier.results as BenchResult[]).filter(
    (r) => registry.some((b) => b.id === r.id) && !results.some((x) => x.id === r.id),
  );
  const order = (r: BenchResult): number => registry.findIndex((b) => b.id === r.id);
  return {
    results: [...results, ...kept].sort((a, b) => order(a) - order(b)),
    from: { generatedAt: earlier.generatedAt, ids: kept.map((r) => r.id) },
  };
}
