/**
 * Continuous binarisation (`_interval_index`, `_continuous_data_idx`) and the label / predicted-label indexes built
 * on it (`_positive_label_index`, `_positive_predicted_index`, `label_value_or_threshold`). See FORMULAS.md §2.3-2.4.
 */
import { categoricalIndex, ensureSeriesDataType, type EnsuredColumn } from './binarize.js';
import type { BoolIndex, Column, NumericColumn } from './columns.js';
import { FairnessError, valueError } from './errors.js';
import { isPyFloat, numericValue, pyEquals, pyFloatRepr, pyStr, type Scalar } from './values.js';

/** A right-closed interval `(left, right]`; `float` tells how pandas prints it (`(2, 4]` or `(2.0, 4.0]`). */
export interface Interval {
  readonly left: number;
  readonly right: number;
  readonly float: boolean;
}

function maxOf(columns: readonly NumericColumn[]): number {
  let max = NaN;
  for (const c of columns) {
    for (let i = 0; i < c.values.length; i++) {
      const v = c.values[i] ?? NaN;
      if (!Number.isNaN(v) && (Number.isNaN(max) || v > max)) max = v;
    }
  }
  return max;
}

function thresholdNumber(t: Scalar): number {
  const n = numericValue(t);
  if (n === null) {
    throw new FairnessError(
      'TypeError',
      `'<' not supported between instances of '${t === null ? 'NoneType' : 'str'}' and 'float'`,
    );
  }
  return n;
}

/**
 * `_interval_index`: breaks are the thresholds plus the maximum of the data (only when `abs(max)` is not already
 * a threshold), sorted; intervals join consecutive breaks. `data` holds several columns when smclarify
 * concatenates them (label and predicted label).
 */
export function intervalIndex(
  data: readonly NumericColumn[],
  thresholds: readonly Scalar[] | null | undefined,
): Interval[] {
  if (!thresholds || thresholds.length === 0)
    throw valueError('Threshold values must be provided for continuous features');
  const max = maxOf(data);
  const breaks: number[] = thresholds.map(thresholdNumber);
  let float =
    data.some((c) => c.dtype === 'float64') ||
    thresholds.some((t) => isPyFloat(t) || (typeof t === 'number' && !Number.isInteger(t)));
  if (!thresholds.some((t) => pyEquals(Math.abs(max), t))) {
    breaks.push(max);
    if (Number.isNaN(max)) float = true;
  }
  breaks.sort((a, b) => a - b);
  const out: Interval[] = [];
  for (let i = 0; i + 1 < breaks.length; i++) out.push({ left: breaks[i] ?? NaN, right: breaks[i + 1] ?? NaN, float });
  return out;
}

function breakText(n: number, float: boolean): string {
  return float ? pyFloatRepr(n) : pyStr(n);
}

/** `str(pd.Interval)`, e.g. `(2, 4]`. */
export function intervalText(iv: Interval): string {
  return `(${breakText(iv.left, iv.float)}, ${breakText(iv.right, iv.float)}]`;
}

/** The report key for intervals: `",".join(map(str, intervals))`. */
export function intervalsText(intervals: readonly Interval[]): string {
  return intervals.map(intervalText).join(',');
}

/** `_continuous_data_idx`: a row is in the index when it lies in any interval. */
export function continuousIndex(c: NumericColumn, intervals: readonly Interval[]): BoolIndex {
  const n = c.values.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = c.values[i] ?? NaN;
    for (const iv of intervals) {
      if (iv.left < v && v <= iv.right) {
        out[i] = 1;
        break;
      }
    }
  }
  return out;
}

export interface LabelIndex {
  readonly index: BoolIndex;
  /** What Clarify reports as `label_value_or_threshold` (or the facet's `value_or_threshold`). */
  readonly valueOrThreshold: string;
}

/** `_positive_label_index`. */
export function positiveLabelIndex(ensured: EnsuredColumn, values: readonly Scalar[] | null): LabelIndex {
  if (ensured.dataType === 'CONTINUOUS') {
    const intervals = intervalIndex([ensured.column], values);
    return { index: continuousIndex(ensured.column, intervals), valueOrThreshold: intervalsText(intervals) };
  }
  if (values && values.length > 0) {
    return { index: categoricalIndex(ensured.column, values), valueOrThreshold: values.map(pyStr).join(',') };
  }
  throw new FairnessError('RuntimeError', "Label_column data is invalid or can't be classified");
}

/** `series.astype(label.dtype)` for predictions: to int64 truncates toward zero, as numpy does. */
function castLike(pred: NumericColumn, label: NumericColumn): NumericColumn {
  if (label.dtype === 'float64' || pred.dtype === 'int64') return { dtype: label.dtype, values: pred.values };
  const out = new Float64Array(pred.values.length);
  for (let i = 0; i < out.length; i++) {
    const v = pred.values[i] ?? NaN;
    if (!Number.isFinite(v)) throw valueError('Cannot convert non-finite values (NA or inf) to integer');
    out[i] = Math.trunc(v) + 0;
  }
  return { dtype: 'int64', values: out };
}

/**
 * `_positive_predicted_index`: predictions use the label's positive values; for continuous labels the interval's
 * upper end is the maximum over labels and predictions together.
 */
export function positivePredictedIndex(
  predicted: EnsuredColumn,
  label: EnsuredColumn,
  values: readonly Scalar[] | null,
): BoolIndex {
  if (predicted.dataType !== label.dataType) {
    throw valueError('Predicted Label Column series datatype is not the same as Label Column series');
  }
  let index: BoolIndex;
  if (predicted.dataType === 'CONTINUOUS' && label.dataType === 'CONTINUOUS') {
    const cast = castLike(predicted.column, label.column);
    index = continuousIndex(cast, intervalIndex([label.column, cast], values));
  } else if (predicted.dataType === 'CATEGORICAL' && values && values.length > 0) {
    index = categoricalIndex(predicted.column, values);
  } else {
    throw new FairnessError('RuntimeError', "Predicted Label_column data is invalid or can't be classified");
  }
  if (!index.includes(1)) {
    throw valueError(
      'No Label values are present in the predicted Label Column,Positive Predicted Index Series contains all False values',
    );
  }
  return index;
}

/** `label_value_or_threshold`: the string Clarify writes as `label_value_or_threshold`. */
export function labelValueOrThreshold(label: Column, values: readonly Scalar[] | null | undefined): string {
  if (!values || values.length === 0)
    throw valueError('Positive label values or thresholds are empty for Label column');
  const { ensured, values: converted } = ensureSeriesDataType(label, values);
  return positiveLabelIndex(ensured, converted).valueOrThreshold;
}
