/**
 * Default acceptance bands for the bias metrics and the verdict for one value. Clarify itself reports numbers
 * without verdicts; these defaults are ours, chosen so that every bound means the same thing across metrics
 * where possible: a gap of at most 10 percentage points between the sensitive group and the rest.
 * Every band is inclusive. A model's own thresholds are merged over these (`mergeThresholds`).
 */

export interface Threshold {
  readonly min?: number;
  readonly max?: number;
}

export type Thresholds = Readonly<Record<string, Threshold>>;

/** A per-model override: a number replaces a bound, `null` removes it, an absent key keeps the default. */
export interface ThresholdOverride {
  readonly min?: number | null;
  readonly max?: number | null;
}

/** Differences of two rates (proportions, accuracies, recalls...): a gap of at most 0.1 either way. */
const RATE_DIFFERENCE: Threshold = { min: -0.1, max: 0.1 };

export const DEFAULT_THRESHOLDS: Thresholds = {
  // Class imbalance (n_a - n_d)/n: |CI| <= 0.3 means the sensitive group is between 35% and 65% of the rows.
  // Representation, not outcome, so a wider band than for outcome gaps.
  CI: { min: -0.3, max: 0.3 },
  // Difference in positive proportions of observed labels: the 10-point outcome gap.
  DPL: RATE_DIFFERENCE,
  // KL(Pa || Pd) in nats. For a binary label at a 50% base rate, |DPL| = 0.14 gives KL = 0.040 (0.1 gives 0.020);
  // at a 15% base rate |DPL| = 0.1 gives about 0.04. No lower bound: smclarify's KL is negative only when a label
  // value is missing from one group, which DPL and CI already flag.
  KL: { max: 0.04 },
  // Jensen-Shannon in nats, about KL/4 for small gaps: |DPL| = 0.14 at a 50% base rate gives JS = 0.0098.
  JS: { max: 0.01 },
  // L2 norm of Pa - Pd. For a binary label LP = √2·|DPL|, so 0.1 × √2 ≈ 0.14 is the same 10-point gap.
  LP: { max: 0.14 },
  // Total variation distance ½Σ|Pa - Pd| equals |DPL| for a binary label: the same 10-point gap.
  TVD: { max: 0.1 },
  // smclarify's KS is the largest pointwise |Pa - Pd|, also |DPL| for a binary label.
  KS: { max: 0.1 },
  // Conditional demographic disparity: a size-weighted mean of differences of shares, bounded like them.
  CDDL: RATE_DIFFERENCE,
  // Difference in positive proportions of predicted labels.
  DPPL: RATE_DIFFERENCE,
  // Disparate impact q̂_d / q̂_a: the four-fifths rule (US EEOC Uniform Guidelines, 29 CFR 1607.4(D)),
  // and its reciprocal 1.25 for a model that favours the sensitive group by the same ratio.
  DI: { min: 0.8, max: 1.25 },
  // Differences of conditional acceptance / rejection, acceptance / rejection rates, recall, specificity and
  // accuracy between the groups: all rate differences.
  DCA: RATE_DIFFERENCE,
  DCR: RATE_DIFFERENCE,
  DAR: RATE_DIFFERENCE,
  DRR: RATE_DIFFERENCE,
  RD: RATE_DIFFERENCE,
  SD: RATE_DIFFERENCE,
  AD: RATE_DIFFERENCE,
  // Treatment equality (difference of FN/FP ratios): same band as the differences, as required by our spec;
  // ratios are unbounded, so a model with few false positives in one group will often fall outside.
  TE: RATE_DIFFERENCE,
  // Conditional demographic disparity of predicted labels.
  CDDPL: RATE_DIFFERENCE,
  // Flip test: net share of sensitive rows whose outcome flips against their advantaged neighbours.
  FT: RATE_DIFFERENCE,
  // Generalized entropy (α = 2) of the benefits ŷ - y + 1: half the squared coefficient of variation. With
  // errors split evenly between FP and FN, GE equals half the error rate, so 0.1 ≈ a 20% error rate.
  GE: { max: 0.1 },
};

function checkBound(name: string, key: 'min' | 'max', v: number | null | undefined): void {
  if (v !== null && v !== undefined && !Number.isFinite(v))
    throw new RangeError(`threshold ${name}.${key} must be a finite number`);
}

/** The defaults with a model's overrides merged over them, bound by bound. */
export function mergeThresholds(
  overrides: Readonly<Record<string, ThresholdOverride>> = {},
  defaults: Thresholds = DEFAULT_THRESHOLDS,
): Thresholds {
  const out: Record<string, Threshold> = { ...defaults };
  for (const [name, o] of Object.entries(overrides)) {
    checkBound(name, 'min', o.min);
    checkBound(name, 'max', o.max);
    const base = defaults[name] ?? {};
    const min = o.min === undefined ? base.min : o.min;
    const max = o.max === undefined ? base.max : o.max;
    if (min !== null && min !== undefined && max !== null && max !== undefined && min > max) {
      throw new RangeError(`threshold ${name}: min ${min} is greater than max ${max}`);
    }
    out[name] = {
      ...(min === null || min === undefined ? {} : { min }),
      ...(max === null || max === undefined ? {} : { max }),
    };
  }
  return out;
}

export type Verdict = 'within' | 'outside' | 'not_computed';

export interface Evaluation {
  readonly verdict: Verdict;
  readonly threshold: Threshold;
}

/**
 * The verdict for one metric value: `not_computed` for null or NaN, `outside` when a bound is crossed (±Infinity
 * crosses the bound on its side), else `within`. A metric without any bound is `within`.
 */
export function evaluateMetric(
  name: string,
  value: number | null,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Evaluation {
  const threshold = thresholds[name] ?? {};
  if (value === null || Number.isNaN(value)) return { verdict: 'not_computed', threshold };
  const below = threshold.min !== undefined && value < threshold.min;
  const above = threshold.max !== undefined && value > threshold.max;
  return { verdict: below || above ? 'outside' : 'within', threshold };
}

/**
 * Evidence content cannot hold ±Infinity or NaN (JSON has no such numbers), so a non-finite metric value is stored
 * as `value: null` with this error text. `decodeMetricValue` reverses it.
 */
export const NON_FINITE_PREFIX = 'non-finite value: ';

export function encodeMetricValue(
  value: number | null,
  error: string | null,
): { value: number | null; error: string | null } {
  if (value === null || Number.isFinite(value)) return { value, error };
  const text = Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  return { value: null, error: `${NON_FINITE_PREFIX}${text}` };
}

export function decodeMetricValue(value: number | null, error: string | null): number | null {
  if (value !== null || error === null || !error.startsWith(NON_FINITE_PREFIX)) return value;
  const text = error.slice(NON_FINITE_PREFIX.length);
  return text === 'Infinity' ? Infinity : text === '-Infinity' ? -Infinity : text === 'NaN' ? NaN : null;
}

/** `evaluateMetric` for a stored report entry (decodes the non-finite marker first). */
export function evaluateReportMetric(
  metric: { readonly name: string; readonly value: number | null; readonly error: string | null },
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Evaluation {
  return evaluateMetric(metric.name, decodeMetricValue(metric.value, metric.error), thresholds);
}
