/**
 * Fairness evidence (`clarify.bias_report`) from two sources:
 * - `normalizeClarifyAnalysis`: an existing SageMaker Clarify `analysis.json` (bias sections), origin `clarify`;
 * - `normalizeNativeBias`: a labelled predictions file, with the metrics computed natively by `src/fairness`
 *   (same semantics as Clarify's smclarify), origin `native`.
 *
 * Metric values that JSON cannot hold (±Infinity, which Clarify writes as the string "Infinity") are stored as
 * `value: null` with an `error` of `non-finite value: Infinity` (see `encodeMetricValue`).
 */
import type { ContentOf } from '../evidence/content.js';
import { collected, type Observation } from '../evidence/observation.js';
import { FairnessError } from '../fairness/errors.js';
import { labelValueOrThreshold } from '../fairness/intervals.js';
import { parsePredictions, type PredictionsFormat } from '../fairness/predictions.js';
import { computeBiasReport } from '../fairness/report.js';
import type { BiasConfig, Stage } from '../fairness/dataset.js';
import { encodeMetricValue } from '../fairness/thresholds.js';
import { NormalizeError, describe, type NormalizeMeta } from './types.js';

type BiasReport = ContentOf<'clarify.bias_report'>;
type BiasMetric = BiasReport['metrics'][number];

const SECTIONS: readonly (readonly [string, Stage])[] = [
  ['pre_training_bias_metrics', 'pre_training'],
  ['post_training_bias_metrics', 'post_training'],
];

/** The input named in errors: the source file, or the API operation, that the payload came from. */
function inputOf(meta: NormalizeMeta, fallback: string): string {
  const src = meta.sources[0];
  if (!src) return fallback;
  return src.type === 'file' ? src.path : src.operation;
}

function observation(subject: string, meta: NormalizeMeta, content: BiasReport): Observation<'clarify.bias_report'> {
  return collected(
    {
      collector: 'sagemaker',
      kind: 'clarify.bias_report',
      account: meta.account,
      region: meta.region,
      resource: subject,
      observedAt: { type: 'instant', at: meta.observedAt },
      raw: meta.raw,
      sources: meta.sources,
    },
    content,
  );
}

function checkSubject(subject: string, input: string): void {
  if (subject.length === 0)
    throw new NormalizeError(input, 'subject (model or job name) must not be empty', 'MissingField');
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const at = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

class Shape {
  constructor(readonly input: string) {}

  fail(path: string, problem: string): never {
    throw new NormalizeError(this.input, `${path}: ${problem}`, 'UnknownShape');
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      this.fail(path, `expected a JSON object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `expected an array, got ${describe(v)}`);
    return v as unknown[];
  }

  /** A string; numbers are accepted and printed (`value_or_threshold` of a numeric category). */
  text(v: unknown, path: string, required: boolean): string | null {
    if (v === undefined && !required) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    return this.fail(path, `expected a string, got ${v === undefined ? 'nothing' : describe(v)}`);
  }

  /** A string, strictly (metric names and error messages). */
  string(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    return this.fail(path, `expected a string, got ${v === undefined ? 'nothing' : describe(v)}`);
  }

  metricValue(v: unknown, path: string): number | null {
    if (v === null || (typeof v === 'number' && Number.isFinite(v))) return v;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (v === 'NaN') return NaN;
    return this.fail(
      path,
      `expected a number, null, "Infinity" or "-Infinity", got ${v === undefined ? 'nothing' : describe(v)}`,
    );
  }
}

function parseMetric(
  s: Shape,
  raw: unknown,
  path: string,
  stage: Stage,
  facet: string,
  facetValue: string,
): BiasMetric {
  const m = s.object(raw, path);
  const name = s.string(m.name, at(path, 'name'));
  if (name.length === 0) s.fail(at(path, 'name'), 'expected a metric name, got ""');
  const value = s.metricValue(m.value, at(path, 'value'));
  const error = m.error === undefined || m.error === null ? null : s.string(m.error, at(path, 'error'));
  return { stage, facet, facetValue, name, ...encodeMetricValue(value, error) };
}

interface Section {
  readonly label: string | null;
  readonly labelValueOrThreshold: string | null;
  readonly metrics: BiasMetric[];
}

function parseSection(s: Shape, raw: unknown, path: string, stage: Stage): Section {
  const sec = s.object(raw, path);
  const label = s.text(sec.label, at(path, 'label'), false);
  const labelValueOrThreshold = s.text(sec.label_value_or_threshold, at(path, 'label_value_or_threshold'), false);
  const facetsPath = at(path, 'facets');
  const facets = s.object(sec.facets, facetsPath);
  const metrics: BiasMetric[] = [];
  for (const [facet, entries] of Object.entries(facets)) {
    const facetPath = at(facetsPath, facet);
    s.array(entries, facetPath).forEach((entry, i) => {
      const entryPath = at(facetPath, i);
      const e = s.object(entry, entryPath);
      const facetValue = s.text(e.value_or_threshold, at(entryPath, 'value_or_threshold'), true) ?? '';
      const metricsPath = at(entryPath, 'metrics');
      s.array(e.metrics, metricsPath).forEach((m, k) =>
        metrics.push(parseMetric(s, m, at(metricsPath, k), stage, facet, facetValue)),
      );
    });
  }
  return { label, labelValueOrThreshold, metrics };
}

/** Both sections name the label; when both do, they must agree. */
function agree(s: Shape, first: string | null, second: string | null, path: string): string | null {
  if (first !== null && second !== null && first !== second) {
    s.fail(path, `"${second}" differs from the pre-training section's "${first}"`);
  }
  return first ?? second;
}

/**
 * Normalizes a Clarify bias `analysis.json` (already parsed from JSON). Handles pre-training only, post-training
 * only or both sections, several `value_or_threshold` entries per facet, and `value: null` with `error`.
 * Throws `NormalizeError` (code `UnknownShape`) naming the input and the JSON path of the first problem.
 */
export function normalizeClarifyAnalysis(
  json: unknown,
  subject: string,
  meta: NormalizeMeta,
): Observation<'clarify.bias_report'> {
  const input = inputOf(meta, 'analysis.json');
  checkSubject(subject, input);
  const s = new Shape(input);
  const root = s.object(json, '$');
  const present = SECTIONS.filter(([key]) => root[key] !== undefined);
  if (present.length === 0) {
    s.fail('$', 'no pre_training_bias_metrics or post_training_bias_metrics section (not a Clarify bias analysis)');
  }
  let label: string | null = null;
  let lvt: string | null = null;
  const metrics: BiasMetric[] = [];
  present.forEach(([key, stage], i) => {
    const path = at('$', key);
    const sec = parseSection(s, root[key], path, stage);
    label = i === 0 ? sec.label : agree(s, label, sec.label, at(path, 'label'));
    lvt =
      i === 0
        ? sec.labelValueOrThreshold
        : agree(s, lvt, sec.labelValueOrThreshold, at(path, 'label_value_or_threshold'));
    metrics.push(...sec.metrics);
  });
  return observation(subject, meta, { subject, label, labelValueOrThreshold: lvt, metrics, origin: 'clarify' });
}

/**
 * Computes the bias report natively from a labelled predictions file (`facet,label,prediction[,group,...]`) with
 * Clarify's semantics. Throws `NormalizeError`: for a malformed file (code `MalformedInput`, with the line), or
 * when the data cannot be binarised at all, as Clarify's job would fail (code `BiasNotComputable`).
 */
export function normalizeNativeBias(
  predictionsText: string,
  format: PredictionsFormat,
  subject: string,
  config: BiasConfig,
  meta: NormalizeMeta,
): Observation<'clarify.bias_report'> {
  const input = inputOf(meta, `predictions.${format}`);
  checkSubject(subject, input);
  const dataset = parsePredictions(predictionsText, format, input);
  try {
    const results = computeBiasReport(dataset, config);
    const labelValue = labelValueOrThreshold(dataset.label, config.labelValues);
    const metrics = results.map((r) => ({
      stage: r.stage,
      facet: r.facet,
      facetValue: r.facetValue,
      name: r.name,
      ...encodeMetricValue(r.value, r.error),
    }));
    return observation(subject, meta, {
      subject,
      label: config.label ?? 'label',
      labelValueOrThreshold: labelValue,
      metrics,
      origin: 'native',
    });
  } catch (e) {
    if (e instanceof FairnessError)
      throw new NormalizeError(input, `bias metrics cannot be computed: ${e.message}`, 'BiasNotComputable');
    throw e;
  }
}
