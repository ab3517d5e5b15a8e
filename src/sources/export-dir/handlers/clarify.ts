import type { BiasConfig } from '../../../fairness/dataset.js';
import { normalizeClarifyAnalysis, normalizeNativeBias } from '../../../normalizers/clarify.js';
import { NormalizeError } from '../../../normalizers/types.js';
import { errorObservation, fileMeta, type Emit } from '../emit.js';
import { decodeUtf8, parseJson, type FileInput, type ReadLimits } from '../read.js';
import type { Route } from '../routes.js';

type ClarifyEntry = { route: Extract<Route, { type: 'clarify' }>; file: FileInput };

/**
 * Defaults for computing bias natively when no `bias-config.json` sits beside the predictions: the facet column
 * is named `facet`, value 1 marks the sensitive group and label 1 is the positive outcome.
 */
const DEFAULT_NATIVE: BiasConfig = { facetName: 'facet', facetValues: [1], labelValues: [1] };

/**
 * One model's Clarify directory: its `analysis.json` when Clarify ran, otherwise its labelled predictions,
 * computed natively with Clarify's formulas. When both exist, the Clarify report is the evidence.
 */
export async function handleClarify(entries: readonly ClarifyEntry[], limits: ReadLimits, emit: Emit): Promise<void> {
  const analysis = entries.find((e) => e.route.file === 'analysis.json');
  const predictions = entries.find((e) => e.route.file !== 'analysis.json' && e.route.file !== 'bias-config.json');
  const configEntry = entries.find((e) => e.route.file === 'bias-config.json');
  const main = analysis ?? predictions;
  if (!main) return;
  const { account, region, subject } = main.route;
  const where = { account, region, observedAt: { type: 'instant' as const, at: main.file.mtime } };
  try {
    if (analysis) {
      const doc = parseJson(decodeUtf8(analysis.file.bytes, analysis.file.rel), analysis.file.rel, limits);
      const meta = fileMeta(analysis.file, account, region, { bytes: analysis.file.bytes, mediaType: 'application/json', sensitive: false });
      await emit(normalizeClarifyAnalysis(doc, subject, meta));
      return;
    }
    const p = predictions!;
    let config = DEFAULT_NATIVE;
    if (configEntry) config = readBiasConfig(configEntry.file, limits);
    const format = p.route.file === 'predictions.csv' ? 'csv' : 'jsonl';
    const meta = fileMeta(p.file, account, region, { bytes: p.file.bytes, mediaType: format === 'csv' ? 'text/csv' : 'application/x-ndjson', sensitive: false });
    await emit(normalizeNativeBias(decodeUtf8(p.file.bytes, p.file.rel), format, subject, config, meta));
  } catch (err) {
    await emit(errorObservation('clarify.bias_report', 'sagemaker', where, main.file, err));
  }
}

function readBiasConfig(file: FileInput, limits: ReadLimits): BiasConfig {
  const doc = parseJson(decodeUtf8(file.bytes, file.rel), file.rel, limits) as Record<string, unknown> | null;
  const facetName = doc?.['facetName'];
  const labelValues = doc?.['labelValues'];
  if (typeof facetName !== 'string' || !Array.isArray(labelValues)) {
    throw new NormalizeError(file.rel, 'bias-config.json needs "facetName" (string) and "labelValues" (array)', 'UnknownShape');
  }
  const facetValues = doc?.['facetValues'];
  return {
    facetName,
    labelValues: labelValues as BiasConfig['labelValues'],
    facetValues: Array.isArray(facetValues) ? (facetValues as BiasConfig['labelValues']) : null,
    groupVariable: typeof doc?.['groupVariable'] === 'string' ? doc['groupVariable'] : null,
  };
}
