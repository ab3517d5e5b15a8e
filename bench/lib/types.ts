/**
 * The benchmark harness's contract. A suite measures the project's path and its floors (references) on the same
 * input in the same run, and reports ratios: absolute times on a shared machine are noise, ratios are not.
 */
export type BenchSize = 's' | 'l';

export interface BenchContext {
  readonly size: BenchSize;
  /** Scratch directory for corpora and outputs of this run (generated, never committed). */
  readonly workDir: string;
  /** Progress lines for the operator (stderr). */
  log(line: string): void;
}

export interface Measurement {
  /** e.g. "auditpack ingest (1 worker)", "gunzip only (node zlib)", "zcat | jq". */
  readonly name: string;
  readonly seconds: number;
  /** Peak resident set of the process that did the work, when it ran in its own process. */
  readonly peakRssMb?: number;
  /** What was processed, for throughput columns (events/s, MB/s, items/s, pages). */
  readonly events?: number;
  readonly bytes?: number;
  readonly items?: number;
  readonly pages?: number;
}

export interface Ratio {
  /** e.g. "ingest / (gunzip + JSON.parse)": > 1 means ours is faster when `higherIsBetter`. */
  readonly name: string;
  readonly value: number;
  /** The target, as text, e.g. ">= 1.0", "<= 2.0". */
  readonly target: string;
  readonly met: boolean;
}

export interface BenchResult {
  readonly id: string;
  readonly title: string;
  /** Corpus or fixture description (sizes, counts, seed). */
  readonly input: string;
  readonly measurements: readonly Measurement[];
  readonly ratios: readonly Ratio[];
  /** What bounds a missed target, profile findings, caveats. */
  readonly notes?: readonly string[];
}

export interface Benchmark {
  readonly id: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

/** `value` against a target written as ">= x" or "<= x". */
export function ratio(name: string, value: number, target: `>= ${number}` | `<= ${number}` | `< ${number}`): Ratio {
  const [op, num] = target.split(' ') as [string, string];
  const bound = Number(num);
  const met = op === '>=' ? value >= bound : op === '<=' ? value <= bound : value < bound;
  return { name, value: Math.round(value * 1000) / 1000, target, met };
}
