/**
 * smclarify `basic_stats.py` and `report.model_performance_report`: facet proportion, observed label
 * distribution, confusion matrices and model performance from whole-dataset counts. See FORMULAS.md §5.
 */
import { ensureSeriesDataType } from './binarize.js';
import { cellAt, columnLength, elementType, isMissing, type BoolIndex, type Column } from './columns.js';
import { confusionQuadrants, divide, facetCounts } from './counts.js';
import { FairnessError } from './errors.js';
import { positiveLabelIndex, positivePredictedIndex } from './intervals.js';
import { pyCast, pyEquals, pyStr, pyTypeOf, type Cell, type Scalar } from './values.js';

/** Share of rows in the sensitive facet. */
export function proportion(sensitive: BoolIndex): number {
  if (sensitive.length === 0) throw new FairnessError('Exception', 'division by zero');
  let s = 0;
  for (let i = 0; i < sensitive.length; i++) s += sensitive[i] ?? 0;
  return s / sensitive.length;
}

/** `[n_d^(1)/n_d, 1 - n_d^(1)/n_d]`. */
export function observedLabelDistribution(sensitive: BoolIndex, label: BoolIndex): [number, number] {
  const { d } = facetCounts(sensitive, label, null);
  const p = divide(d.labelPos, d.n);
  return [p, 1 - p];
}

/** `[TP, FP, FN, TN] / n` over all rows. */
export function binaryConfusionMatrix(label: BoolIndex, predicted: BoolIndex): [number, number, number, number] {
  const [tp, tn, fp, fn] = confusionQuadrants(label, predicted);
  const n = label.length;
  return [divide(tp, n), divide(fp, n), divide(fn, n), divide(tn, n)];
}

/** `[TP, FP, FN, TN] / n_d`, counted within the sensitive facet only. */
export function confusionMatrix(
  sensitive: BoolIndex,
  label: BoolIndex,
  predicted: BoolIndex,
): [number, number, number, number] {
  const { d } = facetCounts(sensitive, label, predicted);
  return [divide(d.tp, d.n), divide(d.fp, d.n), divide(d.fn, d.n), divide(d.tn, d.n)];
}

export interface PerformanceMetrics {
  readonly accuracy: number;
  readonly PPL: number;
  readonly PNL: number;
  readonly recall: number;
  readonly specificity: number;
  readonly precision: number;
  readonly rejection_rate: number;
  readonly conditional_acceptance: number;
  readonly conditional_rejection: number;
  readonly f1_score: number;
}

/** The model-performance helpers of `basic_stats.py`, from confusion counts. */
export function performanceMetrics(c: { TP: number; FP: number; TN: number; FN: number }): PerformanceMetrics {
  const { TP, FP, TN, FN } = c;
  const n = TN + FP + FN + TP;
  const precision = divide(TP, FP + TP);
  const recall = divide(TP, TP + FN);
  return {
    accuracy: divide(TN + TP, n),
    PPL: divide(TP + FP, n),
    PNL: divide(TN + FN, n),
    recall,
    specificity: divide(TN, TN + FP),
    precision,
    rejection_rate: divide(TN, TN + FN),
    conditional_acceptance: divide(FN + TP, FP + TP),
    conditional_rejection: divide(TN + FP, TN + FN),
    f1_score: 2 * divide(precision * recall, precision + recall),
  };
}

function sortValues(a: Cell, b: Cell): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string') return 1;
  if (typeof b === 'string') return -1;
  return Number(a) - Number(b);
}

/**
 * `multicategory_confusion_matrix`: rows are true labels, columns predicted labels, keys `str(value)`, values
 * sorted. Returns null (as upstream) when the predictions cannot be cast to the label's type.
 */
export function multicategoryConfusionMatrix(
  label: Column,
  predicted: Column,
): Record<string, Record<string, number>> | null {
  const n = columnLength(label);
  const type = elementType(label);
  const preds: Cell[] = [];
  for (let i = 0; i < columnLength(predicted); i++) {
    const v = cellAt(predicted, i);
    try {
      preds.push(isMissing(v) || pyTypeOf(v) === type ? v : (pyCast(type, v) as Cell));
    } catch {
      return null;
    }
  }
  const unique: Cell[] = [];
  const add = (v: Cell): void => {
    if (!isMissing(v) && !unique.some((u) => pyEquals(u, v))) unique.push(v);
  };
  for (let i = 0; i < n; i++) add(cellAt(label, i));
  preds.forEach(add);
  unique.sort(sortValues);
  const keys = unique.map((u) => pyStr(u as Scalar));
  const counts = unique.map(() => unique.map(() => 0));
  const position = (v: Cell): number => unique.findIndex((u) => pyEquals(u, v));
  for (let i = 0; i < n; i++) {
    const r = position(cellAt(label, i));
    const c = position(preds[i] ?? null);
    const row = counts[r];
    if (row && c >= 0) row[c] = (row[c] ?? 0) + 1;
  }
  const out: Record<string, Record<string, number>> = {};
  keys.forEach((k, r) => {
    const row: Record<string, number> = {};
    keys.forEach((k2, c) => (row[k2] = counts[r]?.[c] ?? 0));
    out[k] = row;
  });
  return out;
}

export const PERFORMANCE_METRIC_NAMES = {
  accuracy: 'Accuracy',
  PPL: 'Proportion of Positive Predictions in Labels',
  PNL: 'Proportion of Negative Predictions in Labels',
  recall: 'True Positive Rate / Recall',
  specificity: 'True Negative Rate / Specificity',
  precision: 'Acceptance Rate / Precision',
  rejection_rate: 'Rejection Rate',
  conditional_acceptance: 'Conditional Acceptance',
  conditional_rejection: 'Conditional Rejection',
  f1_score: 'F1 Score',
} as const satisfies Record<keyof PerformanceMetrics, string>;

export interface ModelPerformanceReport {
  readonly label: string;
  readonly model_performance_metrics: Record<string, number>;
  readonly binary_confusion_matrix: [number, number, number, number];
  /** Only for categorical labels; null when upstream could not compute it. */
  readonly confusion_matrix?: Record<string, Record<string, number>> | null;
}

/** `report.model_performance_report`: label binarisation as in `bias_report`, then whole-dataset performance. */
export function modelPerformanceReport(
  labelName: string,
  label: Column,
  predicted: Column,
  positiveLabelValues: readonly Scalar[],
): ModelPerformanceReport {
  const l = ensureSeriesDataType(label, positiveLabelValues);
  const pli = positiveLabelIndex(l.ensured, l.values).index;
  const p = ensureSeriesDataType(predicted, l.values);
  const ppli = positivePredictedIndex(p.ensured, l.ensured, l.values);
  const [TP, TN, FP, FN] = confusionQuadrants(pli, ppli);
  const perf = performanceMetrics({ TP, FP, TN, FN });
  const metrics: Record<string, number> = {};
  for (const [key, name] of Object.entries(PERFORMANCE_METRIC_NAMES))
    metrics[name] = perf[key as keyof PerformanceMetrics];
  const base = {
    label: labelName,
    model_performance_metrics: metrics,
    binary_confusion_matrix: binaryConfusionMatrix(pli, ppli),
  };
  if (l.ensured.dataType !== 'CATEGORICAL') return base;
  return { ...base, confusion_matrix: multicategoryConfusionMatrix(l.ensured.column, p.ensured.column) };
}
