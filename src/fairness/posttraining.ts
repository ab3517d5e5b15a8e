/**
 * Post-training bias metrics (smclarify `posttraining.py`, `common.DCO/DLR/DLA/GE`). Arguments are boolean
 * indexes: sensitive facet, positive observed label, positive predicted label. FT lives in `fliptest.ts`.
 */
import type { BoolIndex, Column } from './columns.js';
import { divide, facetCounts, type FacetCounts } from './counts.js';
import { FairnessError, valueError } from './errors.js';
import { CDD, differenceInPositiveProportions } from './pretraining.js';

/** Both groups must be non-empty; `prefix` reproduces the message spelling of each upstream helper. */
function nonEmpty(c: FacetCounts, prefix: string): void {
  if (c.d.n === 0) throw valueError(`${prefix}Facet set is empty`);
  if (c.a.n === 0) throw valueError(`${prefix}Negated Facet set is empty`);
}

/** `x - y`, except that two `+inf` give 0 (smclarify avoids `inf - inf`). */
function diff(x: number, y: number): number {
  return x === y && x === Infinity ? 0 : x - y;
}

/** Difference in Positive Proportions in Predicted Labels: `q̂_a - q̂_d`. */
export function DPPL(sensitive: BoolIndex, positivePredicted: BoolIndex): number {
  return differenceInPositiveProportions(sensitive, positivePredicted);
}

/** Disparate Impact: `q̂_d / q̂_a` (0/0 = 0, x/0 = +inf). */
export function DI(sensitive: BoolIndex, positivePredicted: BoolIndex): number {
  const { a, d } = facetCounts(sensitive, null, positivePredicted);
  if (a.n === 0) throw valueError('Negated facet set is empty');
  const qa = a.predPos / a.n;
  if (d.n === 0) throw valueError('Facet set is empty');
  const qd = d.predPos / d.n;
  return divide(qd, qa);
}

/** `common.DCO`: (DCA, DCR) from conditional acceptance `n^(1)/n̂^(1)` and rejection `n^(0)/n̂^(0)`. */
function DCO(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): [number, number] {
  const c = facetCounts(sensitive, label, predicted);
  nonEmpty(c, 'DCO: ');
  const { a, d } = c;
  const rrA = divide(a.n - a.labelPos, a.n - a.predPos);
  const rrD = divide(d.n - d.labelPos, d.n - d.predPos);
  const ca = divide(a.labelPos, a.predPos);
  const cd = divide(d.labelPos, d.predPos);
  return [diff(ca, cd), rrA === rrD && rrA === Infinity ? 0 : rrD - rrA];
}

/** Difference in Conditional Acceptance: `c_a - c_d`. */
export function DCA(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): number {
  return DCO(sensitive, label, predicted)[0];
}

/** Difference in Conditional Rejection: `r_d - r_a`. */
export function DCR(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): number {
  return DCO(sensitive, label, predicted)[1];
}

/** `common.DLR`: (DAR, DRR) from precision `TP/n̂^(1)` and rejection rate `TN/n̂^(0)`. */
function DLR(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): [number, number] {
  const c = facetCounts(sensitive, label, predicted);
  nonEmpty(c, 'DLR: ');
  const { a, d } = c;
  const arA = divide(a.tp, a.predPos);
  const arD = divide(d.tp, d.predPos);
  const rrA = divide(a.tn, a.n - a.predPos);
  const rrD = divide(d.tn, d.n - d.predPos);
  return [diff(arA, arD), rrA === rrD && rrA === Infinity ? 0 : rrD - rrA];
}

/** Difference in Acceptance Rates: `precision_a - precision_d`. */
export function DAR(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): number {
  return DLR(sensitive, label, predicted)[0];
}

/** Difference in Rejection Rates: `rejection_d - rejection_a`. */
export function DRR(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): number {
  return DLR(sensitive, label, predicted)[1];
}

/** `common.DLA`: (RD, SD) from recall and specificity. */
function DLA(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): [number, number] {
  const c = facetCounts(sensitive, label, predicted);
  nonEmpty(c, 'DLA: ');
  const { a, d } = c;
  const recA = divide(a.tp, a.tp + a.fn);
  const spA = divide(a.tn, a.tn + a.fp);
  const recD = divide(d.tp, d.tp + d.fn);
  const spD = divide(d.tn, d.tn + d.fp);
  return [diff(recA, recD), spA === spD && spA === Infinity ? 0 : spD - spA];
}

/** Recall Difference: `recall_a - recall_d`. */
export function RD(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): number {
  return DLA(sensitive, label, predicted)[0];
}

/** Specificity Difference: `specificity_d - specificity_a`. */
export function SD(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): number {
  return DLA(sensitive, label, predicted)[1];
}

/** Accuracy Difference: `accuracy_a - accuracy_d`. */
export function AD(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): number {
  const c = facetCounts(sensitive, label, predicted);
  nonEmpty(c, '');
  const { a, d } = c;
  const accA = divide(a.tp + a.tn, a.tp + a.tn + a.fp + a.fn);
  const accD = divide(d.tp + d.tn, d.tp + d.tn + d.fp + d.fn);
  return diff(accA, accD);
}

/** Treatment Equality: `FN_d/FP_d - FN_a/FP_a`. */
export function TE(sensitive: BoolIndex, label: BoolIndex, predicted: BoolIndex): number {
  const c = facetCounts(sensitive, label, predicted);
  nonEmpty(c, '');
  const tauA = divide(c.a.fn, c.a.fp);
  const tauD = divide(c.d.fn, c.d.fp);
  return tauA === tauD && tauA === Infinity ? 0 : tauD - tauA;
}

/** Conditional Demographic Disparity in Predicted Labels. */
export function CDDPL(sensitive: BoolIndex, predicted: BoolIndex, group: Column | null | undefined): number {
  return CDD(sensitive, predicted, group);
}

/**
 * `common.GE`: generalized entropy of the benefits `b = ŷ - y + 1` over all rows (no facet):
 * `Σ((b/μ)^α - 1) / (n·α·(α-1))`.
 */
export function generalizedEntropy(label: BoolIndex, predicted: BoolIndex, alpha: number): number {
  if (alpha === 0 || alpha === 1) throw new FairnessError('NotImplementedError', 'Not implemented for alpha 0 or 1.');
  const n = label.length;
  if (n === 0) throw valueError('dataset must be non-empty');
  const byBenefit = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const b = (predicted[i] ? 1 : 0) - (label[i] ? 1 : 0) + 1;
    byBenefit[b] = (byBenefit[b] ?? 0) + 1;
  }
  const [c0 = 0, c1 = 0, c2 = 0] = byBenefit;
  const mean = (c1 + 2 * c2) / n;
  if (mean === 0) {
    throw valueError(
      'All predicted labels are false negatives. There should be at least one prediction that is not false negative.',
    );
  }
  const term = (b: number): number => (b / mean) ** alpha - 1;
  return (c0 * term(0) + c1 * term(1) + c2 * term(2)) / (n * alpha * (alpha - 1));
}

/** Generalized Entropy with α = 2, as registered upstream. */
export function GE(label: BoolIndex, predicted: BoolIndex): number {
  return generalizedEntropy(label, predicted, 2);
}
