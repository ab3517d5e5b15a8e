/** The column-oriented input of a native bias report and its configuration (the Clarify analysis config). */
import type { Column, NamedColumn } from './columns.js';
import type { Scalar } from './values.js';

export type Stage = 'pre_training' | 'post_training';

/**
 * A labelled dataset, one array per column (no per-row objects). All columns have the same length.
 * `features` are the columns the flip test (FT) uses: in Clarify, every dataset column except facet, label and
 * predicted label (so a group-variable column is a feature too).
 */
export interface BiasDataset {
  readonly facet: Column;
  readonly label: Column;
  readonly prediction?: Column | null;
  readonly group?: Column | null;
  readonly features?: readonly NamedColumn[];
}

export interface BiasConfig {
  /** Name of the facet (the sensitive attribute), reported as `facet`. */
  readonly facetName: string;
  /**
   * Sensitive facet values for a categorical facet (pooled into one group), or a single threshold for a
   * continuous facet (sensitive = `(threshold, max]`). Omitted or empty: one entry per facet value (one-vs-all).
   */
  readonly facetValues?: readonly Scalar[] | null;
  /** Name of the label column, reported as `label`. Default `label`. */
  readonly label?: string;
  /** Positive label values, or a single threshold for a continuous label (positive = `(threshold, max]`). */
  readonly labelValues: readonly Scalar[];
  /** Clarify's predicted-label values: must be omitted, empty or equal to `labelValues`. */
  readonly predictedLabelValues?: readonly Scalar[] | null;
  /** Name of the group-variable column. CDDL and CDDPL use `dataset.group` only when this is set. */
  readonly groupVariable?: string | null;
  /** Stages to compute. Default: pre-training, plus post-training when the dataset has predictions. */
  readonly stages?: readonly Stage[];
  /** Metric names to compute (Clarify's `methods`); default all. */
  readonly metrics?: readonly string[];
}

/** One metric of one facet value, as Clarify writes it in `analysis.json`. */
export interface BiasMetricResult {
  readonly stage: Stage;
  readonly facet: string;
  readonly facetValue: string;
  readonly name: string;
  /** The metric value (±Infinity where smclarify returns inf); null when it could not be computed. */
  readonly value: number | null;
  /** smclarify's error message when the metric could not be computed. */
  readonly error: string | null;
}
