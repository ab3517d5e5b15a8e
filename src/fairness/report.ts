/**
 * The `bias_report` pipeline: binarise facet, label and predictions as smclarify does, then compute each
 * registered metric per facet value. A metric that fails yields `value: null` and its error, like Clarify; a
 * failure of the binarisation itself fails the whole report (a `FairnessError` is thrown), like Clarify's job.
 */
import { observedLabelDistribution, proportion, confusionMatrix } from './basic-stats.js';
import { categoricalIndex, ensureSeriesDataType } from './binarize.js';
import { cellAt, columnLength, isMissing, scalarAt, type BoolIndex, type Column } from './columns.js';
import type { BiasConfig, BiasDataset, BiasMetricResult, Stage } from './dataset.js';
import { FairnessError, valueError } from './errors.js';
import { FT } from './fliptest.js';
import {
  continuousIndex,
  intervalIndex,
  intervalsText,
  positiveLabelIndex,
  positivePredictedIndex,
} from './intervals.js';
import { AD, CDDPL, DAR, DCA, DCR, DI, DPPL, DRR, GE, RD, SD, TE } from './posttraining.js';
import { CDDL, CI, DPL, JS, KL, KS, LP, TVD } from './pretraining.js';
import { pyEquals, pyStr, type Scalar } from './values.js';

/** What a metric sees: the three boolean indexes and the extra columns. */
export interface MetricContext {
  readonly sensitive: BoolIndex;
  readonly label: BoolIndex;
  /** Empty for the pre-training stage. */
  readonly predicted: BoolIndex;
  readonly group: Column | null;
  readonly features: readonly Column[];
}

type Method<T> = (ctx: MetricContext) => T;

export const PRE_TRAINING_METRICS: Readonly<Record<string, Method<number>>> = {
  CDDL: (c) => CDDL(c.sensitive, c.label, c.group),
  CI: (c) => CI(c.sensitive),
  DPL: (c) => DPL(c.sensitive, c.label),
  JS: (c) => JS(c.label, c.sensitive),
  KL: (c) => KL(c.label, c.sensitive),
  KS: (c) => KS(c.label, c.sensitive),
  LP: (c) => LP(c.label, c.sensitive),
  TVD: (c) => TVD(c.label, c.sensitive),
};

export const POST_TRAINING_METRICS: Readonly<Record<string, Method<number>>> = {
  AD: (c) => AD(c.sensitive, c.label, c.predicted),
  CDDPL: (c) => CDDPL(c.sensitive, c.predicted, c.group),
  DAR: (c) => DAR(c.sensitive, c.label, c.predicted),
  DCA: (c) => DCA(c.sensitive, c.label, c.predicted),
  DCR: (c) => DCR(c.sensitive, c.label, c.predicted),
  DI: (c) => DI(c.sensitive, c.predicted),
  DPPL: (c) => DPPL(c.sensitive, c.predicted),
  DRR: (c) => DRR(c.sensitive, c.label, c.predicted),
  FT: (c) => FT(c.features, c.sensitive, c.predicted),
  GE: (c) => GE(c.label, c.predicted),
  RD: (c) => RD(c.sensitive, c.label, c.predicted),
  SD: (c) => SD(c.sensitive, c.label, c.predicted),
  TE: (c) => TE(c.sensitive, c.label, c.predicted),
};

export const METRIC_NAMES = {
  pre_training: Object.keys(PRE_TRAINING_METRICS).sort(),
  post_training: Object.keys(POST_TRAINING_METRICS).sort(),
} as const;

/** `series.unique()`: distinct values in order of first appearance (missing values count once, as NaN). */
export function uniqueValues(c: Column): Scalar[] {
  const seen = new Set<string | number>();
  const out: Scalar[] = [];
  let missing = false;
  for (let i = 0; i < columnLength(c); i++) {
    const v = cellAt(c, i);
    if (isMissing(v)) {
      if (!missing) out.push(NaN);
      missing = true;
      continue;
    }
    const key = typeof v === 'boolean' ? Number(v) : (v as string | number);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(scalarAt(c, i));
    }
  }
  return out;
}

/** `metric_one_vs_all`: the metric for `facet == value`, for every distinct facet value. Errors propagate. */
export function metricOneVsAll<T>(facet: Column, metric: (sensitive: BoolIndex) => T): { value: Scalar; result: T }[] {
  return uniqueValues(facet).map((value) => {
    const sensitive = new Uint8Array(columnLength(facet));
    for (let i = 0; i < sensitive.length; i++) sensitive[i] = pyEquals(cellAt(facet, i), value) ? 1 : 0;
    return { value, result: metric(sensitive) };
  });
}

function sameValues(a: readonly Scalar[], b: readonly Scalar[]): boolean {
  return a.length === b.length && a.every((v, i) => pyEquals(v, b[i] ?? null));
}

interface FacetGroup {
  readonly key: string;
  readonly sensitive: BoolIndex;
}

interface Prepared {
  readonly groups: FacetGroup[];
  readonly label: BoolIndex;
  readonly predicted: BoolIndex;
}

/** Every column must have one value per row (pandas would align on the index; we have none). */
function checkLengths(dataset: BiasDataset): void {
  const n = columnLength(dataset.facet);
  const others: [string, Column | null | undefined][] = [
    ['label', dataset.label],
    ['prediction', dataset.prediction],
    ['group', dataset.group],
    ...(dataset.features ?? []).map((f): [string, Column] => [f.name, f.column]),
  ];
  for (const [name, c] of others) {
    if (c && columnLength(c) !== n) throw valueError(`Column ${name} has ${columnLength(c)} rows, the facet has ${n}`);
  }
}

/** `_report` up to `_do_report`: validation and binarisation for one stage. */
function prepare(dataset: BiasDataset, config: BiasConfig, stage: Stage): Prepared {
  checkLengths(dataset);
  const labelValues = config.labelValues;
  if (labelValues.length === 0) throw valueError('Positive label values or thresholds are empty for Label column');
  const predictedValues = config.predictedLabelValues;
  if (predictedValues && predictedValues.length > 0 && !sameValues(predictedValues, labelValues)) {
    throw valueError(
      'Positive predicted label values or threshold should be empty or same as label values or thresholds',
    );
  }
  if (stage === 'post_training' && !dataset.prediction) {
    throw valueError('predicted_label_column has to be provided for Post training metrics');
  }
  const facet = ensureSeriesDataType(dataset.facet, config.facetValues ?? null);
  const label = ensureSeriesDataType(dataset.label, labelValues);
  const pli = positiveLabelIndex(label.ensured, label.values).index;
  let ppli: BoolIndex = new Uint8Array(0);
  if (stage === 'post_training' && dataset.prediction) {
    const predicted = ensureSeriesDataType(dataset.prediction, label.values);
    ppli = positivePredictedIndex(predicted.ensured, label.ensured, label.values);
  }
  const groups: FacetGroup[] = [];
  if (facet.ensured.dataType === 'CATEGORICAL') {
    const column = facet.ensured.column;
    const given = facet.values;
    const valueLists: Scalar[][] = given && given.length > 0 ? [[...given]] : uniqueValues(column).map((v) => [v]);
    for (const values of valueLists) {
      groups.push({ key: values.map(pyStr).join(','), sensitive: categoricalIndex(column, values) });
    }
  } else {
    const intervals = intervalIndex([facet.ensured.column], facet.values);
    groups.push({ key: intervalsText(intervals), sensitive: continuousIndex(facet.ensured.column, intervals) });
  }
  return { groups, label: pli, predicted: ppli };
}

function methodsFor<T>(
  registry: Readonly<Record<string, Method<T>>>,
  requested: readonly string[] | undefined,
): [string, Method<T>][] {
  return Object.entries(registry)
    .filter(([name]) => !requested || requested.includes(name))
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

function stagesOf(dataset: BiasDataset, config: BiasConfig): Stage[] {
  if (config.stages) return [...config.stages];
  return dataset.prediction ? ['pre_training', 'post_training'] : ['pre_training'];
}

/** Generic `_report`: run `methods` for every facet group of every stage, catching per-method failures. */
function runReport<T>(
  dataset: BiasDataset,
  config: BiasConfig,
  methods: (stage: Stage) => [string, Method<T>][],
): { stage: Stage; facetValue: string; name: string; value: T | null; error: string | null }[] {
  const group = config.groupVariable ? (dataset.group ?? null) : null;
  const features = (dataset.features ?? []).map((f) => f.column);
  const out: { stage: Stage; facetValue: string; name: string; value: T | null; error: string | null }[] = [];
  for (const stage of stagesOf(dataset, config)) {
    const prepared = prepare(dataset, config, stage);
    for (const g of prepared.groups) {
      const ctx: MetricContext = {
        sensitive: g.sensitive,
        label: prepared.label,
        predicted: prepared.predicted,
        group,
        features,
      };
      for (const [name, method] of methods(stage)) {
        try {
          out.push({ stage, facetValue: g.key, name, value: method(ctx), error: null });
        } catch (e) {
          if (!(e instanceof FairnessError)) throw e;
          out.push({ stage, facetValue: g.key, name, value: null, error: e.message });
        }
      }
    }
  }
  return out;
}

/**
 * Computes Clarify's bias metrics natively: pre-training metrics from observed labels and, when the dataset
 * has predictions, post-training metrics. Entries are ordered by stage, facet value, then metric name (Clarify's
 * order). Throws `FairnessError` when the data cannot be binarised at all.
 */
export function computeBiasReport(dataset: BiasDataset, config: BiasConfig): BiasMetricResult[] {
  const requested = config.metrics;
  if (requested) {
    const known = new Set([...METRIC_NAMES.pre_training, ...METRIC_NAMES.post_training]);
    const unknown = requested.filter((m) => !known.has(m));
    if (unknown.length > 0) {
      throw valueError(
        `Invalid metric_name: metrics should be one of the registered metrics${JSON.stringify([...known])}`,
      );
    }
  }
  const rows = runReport(dataset, config, (stage) =>
    methodsFor(stage === 'pre_training' ? PRE_TRAINING_METRICS : POST_TRAINING_METRICS, requested),
  );
  return rows.map((r) => ({ ...r, facet: config.facetName }));
}

export type BasicStatValue = number | number[];

/** `bias_basic_stats`: facet proportion and observed label distribution, plus the confusion matrix after training. */
export function biasBasicStats(dataset: BiasDataset, config: BiasConfig): BiasBasicStat[] {
  const pre: [string, Method<BasicStatValue>][] = [
    ['proportion', (c) => proportion(c.sensitive)],
    ['observed_label_distribution', (c) => observedLabelDistribution(c.sensitive, c.label)],
  ];
  const post: [string, Method<BasicStatValue>][] = [
    ...pre,
    ['confusion_matrix', (c) => confusionMatrix(c.sensitive, c.label, c.predicted)],
  ];
  return runReport(dataset, config, (stage) => (stage === 'pre_training' ? pre : post)).map((r) => ({
    ...r,
    facet: config.facetName,
  }));
}

export interface BiasBasicStat {
  readonly stage: Stage;
  readonly facet: string;
  readonly facetValue: string;
  readonly name: string;
  readonly value: BasicStatValue | null;
  readonly error: string | null;
}
