/**
 * Runs one smclarify test vector (test/fixtures/clarify/test-vectors.json) at its `call_level`, calling exactly
 * what the upstream test called: a metric with boolean indexes, `metric_one_vs_all`, the full `bias_report`
 * pipeline, `bias_basic_stats`, the basic-stats helpers, `model_performance_report`, or a binarisation helper.
 */
import { expect } from 'vitest';
import * as basic from '../../src/fairness/basic-stats.js';
import { convertPositiveLabelValues, ensureSeriesDataType } from '../../src/fairness/binarize.js';
import type { BoolIndex, Column, NamedColumn } from '../../src/fairness/columns.js';
import { confusionQuadrants } from '../../src/fairness/counts.js';
import type { BiasConfig, BiasDataset } from '../../src/fairness/dataset.js';
import { FairnessError } from '../../src/fairness/errors.js';
import { FT } from '../../src/fairness/fliptest.js';
import { labelValueOrThreshold } from '../../src/fairness/intervals.js';
import * as post from '../../src/fairness/posttraining.js';
import * as pre from '../../src/fairness/pretraining.js';
import { biasBasicStats, computeBiasReport, metricOneVsAll } from '../../src/fairness/report.js';
import { isPyFloat, pyEquals, type Cell, type Scalar } from '../../src/fairness/values.js';
import type { PyJson } from './pyjson.js';

export interface Vector {
  id: string;
  metric: string;
  call_level: string;
  upstream_assert: string;
  tolerance: number | null;
  expected: unknown;
  inputs: Record<string, PyJson>;
  derived?: Record<string, PyJson>;
}

const list = (v: PyJson | undefined): PyJson[] => (Array.isArray(v) ? v : []);
const plain = (v: PyJson): Cell => (isPyFloat(v) ? v.float : (v as Cell));
const scalars = (v: PyJson | undefined): Scalar[] => list(v).map((x) => (isPyFloat(x) ? x : (x as Cell)));
const isBool = (xs: PyJson[]): boolean => xs.length > 0 && xs.every((x) => typeof x === 'boolean');
const isNum = (xs: PyJson[]): boolean => xs.length > 0 && xs.every((x) => typeof x === 'number' || isPyFloat(x));
const hasFloat = (xs: PyJson[]): boolean =>
  xs.some((x) => isPyFloat(x) || (typeof x === 'number' && !Number.isInteger(x)));

export function boolIndex(v: PyJson | undefined): BoolIndex {
  return Uint8Array.from(list(v).map((x) => (x === true || x === 'True' ? 1 : 0)));
}

/** A pandas column from literal values; without a dtype, pandas' inference (bool, int64, float64, object). */
export function column(values: PyJson | undefined, dtype?: PyJson): Column {
  const xs = list(values);
  const inferred = isBool(xs) ? 'bool' : isNum(xs) ? (hasFloat(xs) ? 'float64' : 'int64') : 'object';
  const d = typeof dtype === 'string' ? dtype : inferred;
  if (d === 'int64' || d === 'float64') return { dtype: d, values: Float64Array.from(xs.map((x) => Number(plain(x)))) };
  if (d === 'bool') return { dtype: 'bool', values: xs.map((x) => x === true) };
  if (d === 'category') {
    const categories = inferred === 'bool' ? 'bool' : inferred === 'object' ? 'object' : inferred;
    return { dtype: 'category', values: xs.map(plain), categories };
  }
  return { dtype: 'object', values: xs.map(plain) };
}

function featureColumns(other: PyJson | undefined): NamedColumn[] {
  if (!other || typeof other !== 'object' || Array.isArray(other) || isPyFloat(other)) return [];
  return Object.entries(other).map(([name, values]) => ({ name, column: column(values) }));
}

function expectNumber(actual: number, v: Vector, expected: unknown = v.expected): void {
  if (expected === 'Infinity') return void expect(actual).toBe(Infinity);
  if (expected === '-Infinity') return void expect(actual).toBe(-Infinity);
  if (expected === 'NaN') return void expect(actual).toBeNaN();
  expect(typeof expected).toBe('number');
  const e = expected as number;
  const tol = v.tolerance ?? 0;
  expect(Math.abs(actual - e), `${v.id}: got ${actual}, expected ${e} ± ${tol}`).toBeLessThanOrEqual(tol);
}

/** pytest.approx per element: rel 1e-6, abs 1e-12 (or exact for `==`). */
function expectNumbers(actual: readonly number[], v: Vector, expected = v.expected): void {
  const es = expected as number[];
  expect(actual).toHaveLength(es.length);
  es.forEach((e, i) => {
    const tol = v.upstream_assert.startsWith('pytest.approx') ? Math.max(1e-6 * Math.abs(e), 1e-12) : 0;
    expect(Math.abs((actual[i] ?? NaN) - e), `${v.id}[${i}]: got ${actual[i]}, expected ${e}`).toBeLessThanOrEqual(tol);
  });
}

function expectRaises(run: () => unknown, v: Vector): void {
  const exp = v.expected as { raises: string; message: string };
  let caught: unknown = null;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(FairnessError);
  expect((caught as FairnessError).kind).toBe(exp.raises);
  expect((caught as FairnessError).message).toBe(exp.message);
}

function labelArgument(v: PyJson | undefined): BoolIndex | Column {
  return isBool(list(v)) ? boolIndex(v) : column(v);
}

function callMetric(v: Vector): number {
  const d = v.derived ?? {};
  const s = boolIndex(d.sensitive_facet_index);
  const y = boolIndex(d.positive_label_index);
  const p = boolIndex(d.positive_predicted_label_index);
  const fns: Record<string, () => number> = {
    CI: () => pre.CI(s),
    KL: () => pre.KL(labelArgument(d.label_argument), s),
    JS: () => pre.JS(labelArgument(d.label_argument), s),
    LP: () => pre.LP(labelArgument(d.label_argument), s),
    TVD: () => pre.TVD(labelArgument(d.label_argument), s),
    KS: () => pre.KS(labelArgument(d.label_argument), s),
    DI: () => post.DI(s, p),
    DCA: () => post.DCA(s, y, p),
    DCR: () => post.DCR(s, y, p),
    RD: () => post.RD(s, y, p),
    SD: () => post.SD(s, y, p),
    DAR: () => post.DAR(s, y, p),
    DRR: () => post.DRR(s, y, p),
    AD: () => post.AD(s, y, p),
    TE: () => post.TE(s, y, p),
    GE: () => post.GE(y, p),
    FT: () => {
      const rows = list(v.inputs.features).map(list);
      const nonNumeric = v.inputs.non_numeric_column;
      const cols: Column[] = (rows[0] ?? []).map((_, j) =>
        j === nonNumeric
          ? { dtype: 'object', values: rows.map(() => 'a') }
          : column(
              rows.map((r) => r[j] ?? null),
              'int64',
            ),
      );
      return FT(cols, s, p);
    },
  };
  const fn = fns[v.metric];
  if (!fn) throw new Error(`${v.id}: no metric function ${v.metric}`);
  return fn();
}

function callOneVsAll(v: Vector): number {
  const i = v.inputs;
  const d = v.derived ?? {};
  const y = boolIndex(d.positive_label_index);
  const metric: (s: BoolIndex) => number =
    v.metric === 'CI'
      ? (s) => pre.CI(s)
      : v.metric === 'DPL'
        ? (s) => pre.DPL(s, y)
        : (s) => pre.CDDL(s, y, column(i.group));
  const entries = metricOneVsAll(column(i.facet, i.facet_dtype), metric);
  const want = scalars(i.sensitive_facet_values)[0] ?? null;
  const entry = entries.find((e) => pyEquals(e.value, want));
  if (!entry) throw new Error(`${v.id}: no one-vs-all entry for ${JSON.stringify(want)}`);
  return entry.result;
}

function dataset(i: Record<string, PyJson>): { data: BiasDataset; config: BiasConfig } {
  const data: BiasDataset = {
    facet: column(i.facet, i.facet_dtype),
    label: column(i.label, i.label_dtype),
    prediction: i.predicted_label !== undefined ? column(i.predicted_label, i.predicted_label_dtype) : null,
    group: i.group ? column(i.group) : null,
    features: featureColumns(i.other_columns),
  };
  const config: BiasConfig = {
    facetName: 'x',
    facetValues: i.sensitive_facet_values === null ? null : scalars(i.sensitive_facet_values),
    labelValues: scalars(i.positive_label_values),
    groupVariable: i.group ? 'z' : null,
    stages: [i.stage === 'post' ? 'post_training' : 'pre_training'],
  };
  return { data, config };
}

function facetKey(v: Vector): string {
  const key = v.derived?.value_or_threshold ?? v.inputs.one_vs_all_value;
  if (typeof key !== 'string') throw new Error(`${v.id}: no facet value to select`);
  return key;
}

function runBiasReport(v: Vector): void {
  const { data, config } = dataset(v.inputs);
  const entry = computeBiasReport(data, config).find((r) => r.facetValue === facetKey(v) && r.name === v.metric);
  if (!entry) throw new Error(`${v.id}: metric ${v.metric} missing for facet value ${facetKey(v)}`);
  const exp = v.expected;
  if (exp !== null && typeof exp === 'object' && 'error' in exp) {
    expect({ value: entry.value, error: entry.error }).toEqual(exp);
    return;
  }
  expect(entry.error).toBeNull();
  expectNumber(entry.value ?? NaN, v);
}

function runBasicStats(v: Vector): void {
  const i = v.inputs;
  const s = boolIndex(i.sensitive_facet_index);
  const y = boolIndex(i.positive_label_index);
  const p = boolIndex(i.positive_predicted_label_index);
  switch (v.metric) {
    case 'basic_stats.proportion':
      return expectNumber(basic.proportion(s), v);
    case 'basic_stats.confusion_matrix':
      return expectNumbers(basic.confusionMatrix(s, y, p), v);
    case 'basic_stats.observed_label_distribution':
      return expectNumbers(basic.observedLabelDistribution(s, y), v);
    case 'basic_stats.performance_metrics': {
      const c = { TP: Number(i.TP), FP: Number(i.FP), TN: Number(i.TN), FN: Number(i.FN) };
      const got = basic.performanceMetrics(c);
      for (const [k, e] of Object.entries(v.expected as Record<string, number>)) {
        expectNumber(got[k as keyof basic.PerformanceMetrics], v, e);
      }
      return;
    }
    case 'basic_stats.multicategory_confusion_matrix':
      return void expect(basic.multicategoryConfusionMatrix(column(i.label), column(i.predicted_label))).toEqual(
        v.expected,
      );
  }
  throw new Error(`${v.id}: unknown basic stat`);
}

function runBiasBasicStats(v: Vector): void {
  const { data, config } = dataset(v.inputs);
  const name = v.metric.replace('basic_stats.', '');
  const entry = biasBasicStats(data, config).find((r) => r.facetValue === facetKey(v) && r.name === name);
  if (!entry) throw new Error(`${v.id}: ${name} missing`);
  expect(entry.error).toBeNull();
  if (Array.isArray(entry.value)) expectNumbers(entry.value, v);
  else expectNumber(entry.value ?? NaN, v);
}

function runModelPerformance(v: Vector): void {
  const i = v.inputs;
  const exp = v.expected as basic.ModelPerformanceReport;
  // The label column's name is an opaque pass-through that the vector records only in its expected output.
  const got = basic.modelPerformanceReport(
    exp.label,
    column(i.label),
    column(i.predicted_label),
    scalars(i.positive_label_values),
  );
  expect(got.label).toBe(exp.label);
  for (const [k, e] of Object.entries(exp.model_performance_metrics))
    expectNumber(got.model_performance_metrics[k] ?? NaN, v, e);
  expectNumbers(got.binary_confusion_matrix, v, exp.binary_confusion_matrix);
  expect(got.confusion_matrix).toEqual(exp.confusion_matrix);
}

function runBinarisation(v: Vector): void {
  const i = v.inputs;
  const col = column(i.data, i.dtype);
  const values = i.values === null ? null : scalars(i.values);
  if (v.metric === 'report.label_value_or_threshold')
    return void expect(labelValueOrThreshold(col, values)).toBe(v.expected);
  if (v.metric === 'common.ensure_series_data_type') {
    const { ensured } = ensureSeriesDataType(col, values);
    const converted =
      ensured.column === col ? 'unchanged' : ensured.dataType === 'CATEGORICAL' ? 'to_category' : 'to_numeric';
    return void expect({ data_type: ensured.dataType, converted }).toEqual(v.expected);
  }
  const got = convertPositiveLabelValues(col, values ?? []);
  const exp = v.expected as Cell[];
  expect(got).toHaveLength(exp.length);
  // Python list equality (1 == 1.0 == True), as the upstream assert.
  exp.forEach((e, k) =>
    expect(pyEquals(got[k] ?? null, e), `${v.id}[${k}]: ${JSON.stringify(got[k])} vs ${JSON.stringify(e)}`).toBe(true),
  );
}

export function runVector(v: Vector): void {
  const isRaise = v.expected !== null && typeof v.expected === 'object' && 'raises' in v.expected;
  switch (v.call_level) {
    case 'metric_function':
      return isRaise ? expectRaises(() => callMetric(v), v) : expectNumber(callMetric(v), v);
    case 'metric_one_vs_all':
      return expectNumber(callOneVsAll(v), v);
    case 'bias_report':
      return runBiasReport(v);
    case 'basic_stats':
      return runBasicStats(v);
    case 'bias_basic_stats':
      return runBiasBasicStats(v);
    case 'helper':
      return void expect(
        confusionQuadrants(
          boolIndex(v.inputs.positive_label_index),
          boolIndex(v.inputs.positive_predicted_label_index),
        ),
      ).toEqual(v.expected);
    case 'model_performance_report':
      return runModelPerformance(v);
    case 'binarisation':
      return runBinarisation(v);
  }
  throw new Error(`${v.id}: unknown call_level ${v.call_level}`);
}
