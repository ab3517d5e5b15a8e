/** Counting helpers shared by the metrics: smclarify's `divide` and per-group confusion counts. */
import type { BoolIndex } from './columns.js';

/**
 * smclarify `divide(a, b)`: `0/0 = 0`, `x/0 = ±inf` by the sign of x, else `a / b`.
 */
export function divide(a: number, b: number): number {
  if (b === 0 && a === 0) return 0;
  if (b === 0) return a < 0 ? -Infinity : Infinity;
  return a / b;
}

/** Counts within one group (a = advantaged = not sensitive, d = sensitive). */
export interface GroupCounts {
  n: number;
  /** rows whose observed label is positive */
  labelPos: number;
  /** rows whose predicted label is positive */
  predPos: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

function empty(): GroupCounts {
  return { n: 0, labelPos: 0, predPos: 0, tp: 0, fp: 0, fn: 0, tn: 0 };
}

export interface FacetCounts {
  readonly a: GroupCounts;
  readonly d: GroupCounts;
}

/**
 * One pass over the rows. `label` or `predicted` may be null when a metric does not use them (their counts
 * then stay 0). The confusion counts use both indexes and are only meaningful when both are given.
 */
export function facetCounts(sensitive: BoolIndex, label: BoolIndex | null, predicted: BoolIndex | null): FacetCounts {
  const a = empty();
  const d = empty();
  const n = sensitive.length;
  for (let i = 0; i < n; i++) {
    const g = sensitive[i] ? d : a;
    g.n++;
    const y = label ? (label[i] ?? 0) : 0;
    const p = predicted ? (predicted[i] ?? 0) : 0;
    g.labelPos += y;
    g.predPos += p;
    if (y && p) g.tp++;
    else if (!y && p) g.fp++;
    else if (y && !p) g.fn++;
    else g.tn++;
  }
  return { a, d };
}

/** `calc_confusion_matrix_quadrants`: (TP, TN, FP, FN) over all rows. */
export function confusionQuadrants(label: BoolIndex, predicted: BoolIndex): [number, number, number, number] {
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < label.length; i++) {
    const y = label[i] ?? 0;
    const p = predicted[i] ?? 0;
    if (y && p) tp++;
    else if (!y && !p) tn++;
    else if (p) fp++;
    else fn++;
  }
  return [tp, tn, fp, fn];
}
