import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClarifyBiasReport } from '../../src/evidence/content.js';
import { evaluateReportMetric } from '../../src/fairness/thresholds.js';
import { normalizeClarifyAnalysis, normalizeNativeBias } from '../../src/normalizers/clarify.js';
import { NormalizeError, type NormalizeMeta } from '../../src/normalizers/types.js';

const PATH = 'clarify/123456789012/us-east-1/fraud-model/analysis.json';
const meta = (path = PATH): NormalizeMeta => ({
  account: '123456789012',
  region: 'us-east-1',
  observedAt: '2026-11-20T10:00:00.000Z',
  sources: [{ type: 'file', path, sha256: 'a'.repeat(64) }],
  raw: null,
});
const load = (p: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/clarify/${p}`, import.meta.url), 'utf8'));
const clone = (v: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

function content(json: unknown, subject = 'fraud-model') {
  const obs = normalizeClarifyAnalysis(json, subject, meta());
  expect(obs.status).toEqual({ state: 'collected' });
  const c = ClarifyBiasReport.parse(obs.content);
  return {
    obs,
    c,
    metric: (stage: string, name: string) => c.metrics.find((m) => m.stage === stage && m.name === name),
  };
}

describe('normalizeClarifyAnalysis on real Clarify outputs', () => {
  it('fraud_detection bias_1: pre- and post-training sections', () => {
    const { obs, c, metric } = content(load('fraud_detection/bias_1/analysis.json'));
    expect(obs).toMatchObject({
      collector: 'sagemaker',
      kind: 'clarify.bias_report',
      account: '123456789012',
      region: 'us-east-1',
      resource: 'fraud-model',
      observedAt: { type: 'instant', at: '2026-11-20T10:00:00.000Z' },
      sources: meta().sources,
      raw: null,
    });
    expect(c).toMatchObject({ subject: 'fraud-model', label: 'fraud', labelValueOrThreshold: '0', origin: 'clarify' });
    expect(c.metrics).toHaveLength(19);
    expect(c.metrics.filter((m) => m.stage === 'pre_training')).toHaveLength(8);
    expect(metric('pre_training', 'CI')).toEqual({
      stage: 'pre_training',
      facet: 'customer_gender_female',
      facetValue: '1',
      name: 'CI',
      value: 0.398,
      error: null,
    });
    expect(metric('pre_training', 'CDDL')).toMatchObject({
      value: null,
      error: 'Group variable is empty or not provided',
    });
    expect(metric('pre_training', 'KL')?.value).toBe(0.008323488560379871);
    expect(metric('post_training', 'AD')?.value).toBe(-0.017711586081682884);
    expect(metric('post_training', 'DCR')?.value).toBe(0);
    expect(metric('post_training', 'DI')?.value).toBe(1);
    expect(metric('post_training', 'CDDPL')).toMatchObject({
      value: null,
      error: 'Group variable is empty or not provided',
    });
  });

  it('fraud_detection bias_2', () => {
    const { c, metric } = content(load('fraud_detection/bias_2/analysis.json'));
    expect(c.metrics).toHaveLength(19);
    expect(metric('pre_training', 'CI')?.value).toBe(0);
    expect(metric('post_training', 'DCR')?.value).toBe(-72);
    expect(metric('post_training', 'FT')?.value).toBe(-0.000357653791130186);
    expect(metric('post_training', 'DAR')?.value).toBe(-0.025760286225402607);
  });

  it('clarify_check_step good_cases: pre-training only, continuous facet', () => {
    const { c, metric } = content(load('clarify_check_step/good_cases/analysis.json'), 'check-step');
    expect(c).toMatchObject({ label: 'Label', labelValueOrThreshold: '1' });
    expect(c.metrics).toHaveLength(8);
    expect(
      c.metrics.every(
        (m) => m.stage === 'pre_training' && m.facet === 'F1' && m.facetValue === '(0.5, 0.9936148802477393]',
      ),
    ).toBe(true);
    expect(metric('pre_training', 'CDDL')?.value).toBe(0.04);
    expect(metric('pre_training', 'CI')?.value).toBe(-0.08);
    expect(metric('pre_training', 'KS')?.value).toBe(0.015297906602254496);
    expect(evaluateReportMetric(metric('pre_training', 'KS')!).verdict).toBe('within');
  });

  it('clarify_check_step bad_cases: differs from good_cases only in KS', () => {
    const good = content(load('clarify_check_step/good_cases/analysis.json')).c.metrics;
    const bad = content(load('clarify_check_step/bad_cases/analysis.json')).c.metrics;
    expect(bad.find((m) => m.name === 'KS')?.value).toBe(7.906602254496e-6);
    expect(bad.filter((m, i) => m.value !== good[i]?.value).map((m) => m.name)).toEqual(['KS']);
  });

  it('post-training only', () => {
    const json = clone(load('fraud_detection/bias_1/analysis.json'));
    delete json.pre_training_bias_metrics;
    const { c } = content(json);
    expect(c.metrics).toHaveLength(11);
    expect(c.metrics.every((m) => m.stage === 'post_training')).toBe(true);
    expect(c.label).toBe('fraud');
  });

  it('several value_or_threshold entries per facet, and Infinity', () => {
    const json = {
      post_training_bias_metrics: {
        label: 'approved',
        label_value_or_threshold: 'yes',
        facets: {
          race: [
            {
              value_or_threshold: 'a',
              metrics: [{ name: 'DI', description: 'Disparate Impact (DI)', value: 'Infinity' }],
            },
            {
              value_or_threshold: 'b',
              metrics: [
                { name: 'DI', value: 0.5 },
                { name: 'TE', value: '-Infinity' },
              ],
            },
          ],
          age: [
            { value_or_threshold: '(40, 90]', metrics: [{ name: 'DI', value: null, error: 'Facet set is empty' }] },
          ],
        },
      },
    };
    const { c } = content(json);
    expect(c.metrics.map((m) => [m.facet, m.facetValue, m.name, m.value, m.error])).toEqual([
      ['race', 'a', 'DI', null, 'non-finite value: Infinity'],
      ['race', 'b', 'DI', 0.5, null],
      ['race', 'b', 'TE', null, 'non-finite value: -Infinity'],
      ['age', '(40, 90]', 'DI', null, 'Facet set is empty'],
    ]);
    expect(evaluateReportMetric(c.metrics[0]!).verdict).toBe('outside');
    expect(evaluateReportMetric(c.metrics[3]!).verdict).toBe('not_computed');
  });
});

describe('normalizeClarifyAnalysis rejects unknown shapes', () => {
  const base = (): Record<string, unknown> => clone(load('fraud_detection/bias_1/analysis.json'));
  const cases: [string, () => unknown, string][] = [
    ['a non-object', () => [1], '$: expected a JSON object, got an array'],
    [
      'no bias section',
      () => ({ version: '1.0', explanations: {} }),
      '$: no pre_training_bias_metrics or post_training_bias_metrics section (not a Clarify bias analysis)',
    ],
    [
      'a non-object section',
      () => ({ ...base(), pre_training_bias_metrics: 'x' }),
      '$.pre_training_bias_metrics: expected a JSON object, got "x"',
    ],
    [
      'facets missing',
      () => ({ post_training_bias_metrics: { label: 'y' } }),
      '$.post_training_bias_metrics.facets: expected a JSON object, got undefined',
    ],
    [
      'a facet that is not a list',
      () => ({ pre_training_bias_metrics: { facets: { 'gender f': {} } } }),
      '$.pre_training_bias_metrics.facets["gender f"]: expected an array, got object',
    ],
    [
      'an entry without value_or_threshold',
      () => ({ pre_training_bias_metrics: { facets: { g: [{ metrics: [] }] } } }),
      '$.pre_training_bias_metrics.facets.g[0].value_or_threshold: expected a string, got nothing',
    ],
    [
      'metrics that are not a list',
      () => ({ pre_training_bias_metrics: { facets: { g: [{ value_or_threshold: '1', metrics: null }] } } }),
      '$.pre_training_bias_metrics.facets.g[0].metrics: expected an array, got null',
    ],
    [
      'a metric without a name',
      () => ({ pre_training_bias_metrics: { facets: { g: [{ value_or_threshold: '1', metrics: [{ value: 1 }] }] } } }),
      '$.pre_training_bias_metrics.facets.g[0].metrics[0].name: expected a string, got nothing',
    ],
    [
      'a non-numeric value',
      () => {
        const j = base() as {
          post_training_bias_metrics: { facets: { customer_gender_female: { metrics: { value: unknown }[] }[] } };
        };
        const m = j.post_training_bias_metrics.facets.customer_gender_female[0]!.metrics[5]!;
        m.value = 'high';
        return j;
      },
      '$.post_training_bias_metrics.facets.customer_gender_female[0].metrics[5].value: expected a number, null, "Infinity" or "-Infinity", got "high"',
    ],
    [
      'a non-string error',
      () => ({
        pre_training_bias_metrics: {
          facets: { g: [{ value_or_threshold: '1', metrics: [{ name: 'CI', value: null, error: 3 }] }] },
        },
      }),
      '$.pre_training_bias_metrics.facets.g[0].metrics[0].error: expected a string, got number',
    ],
    [
      'sections that disagree on the label',
      () => {
        const j = base() as { post_training_bias_metrics: { label: string } };
        j.post_training_bias_metrics.label = 'other';
        return j;
      },
      '$.post_training_bias_metrics.label: "other" differs from the pre-training section\'s "fraud"',
    ],
  ];
  for (const [name, make, problem] of cases) {
    it(name, () => {
      let caught: unknown;
      try {
        normalizeClarifyAnalysis(make(), 'fraud-model', meta());
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(NormalizeError);
      const e = caught as NormalizeError;
      expect(e.input).toBe(PATH);
      expect(e.code).toBe('UnknownShape');
      expect(e.message).toBe(`${PATH}: ${problem}`);
    });
  }

  it('names the API operation when the payload came from an API', () => {
    const m: NormalizeMeta = { ...meta(), sources: [{ type: 'api', operation: 's3:GetObject', requestId: null }] };
    expect(() => normalizeClarifyAnalysis(null, 'm', m)).toThrow('s3:GetObject: $: expected a JSON object, got null');
  });
});

describe('normalizeNativeBias', () => {
  const csv = [
    'facet,label,prediction,group',
    'F,yes,yes,1',
    'M,yes,yes,1',
    'M,yes,no,2',
    'M,no,yes,2',
    'M,no,no,2',
    'F,no,yes,2',
    'F,no,no,2',
    'M,yes,yes,1',
  ].join('\n');
  const config = {
    facetName: 'sex',
    facetValues: ['F'],
    labelValues: ['yes'],
    label: 'approved',
    groupVariable: 'group',
  };
  const path = 'clarify/123456789012/us-east-1/loan-model/predictions.csv';

  it('computes the metrics natively', () => {
    const obs = normalizeNativeBias(csv, 'csv', 'loan-model', config, meta(path));
    const c = ClarifyBiasReport.parse(obs.content);
    expect(obs).toMatchObject({
      collector: 'sagemaker',
      kind: 'clarify.bias_report',
      resource: 'loan-model',
      status: { state: 'collected' },
    });
    expect(c).toMatchObject({
      subject: 'loan-model',
      label: 'approved',
      labelValueOrThreshold: 'yes',
      origin: 'native',
    });
    expect(c.metrics).toHaveLength(21);
    // a = M: 5 rows, 3 positive labels, 3 positive predictions; d = F: 3 rows, 1 positive label, 2 positive predictions
    const m = (name: string) => c.metrics.find((x) => x.name === name);
    expect(m('DPL')?.value).toBeCloseTo(3 / 5 - 1 / 3, 15);
    expect(m('DI')?.value).toBeCloseTo(2 / 3 / (3 / 5), 15);
    expect(m('CDDL')?.error).toBeNull();
    // The numeric group column is the flip test's only feature (Clarify drops only facet, label and prediction).
    // 5 advantaged rows -> k = 1, ties to the lowest row: F row 2 (group 2, predicted yes) gets M row 3's "no":
    // one flip in favour of the sensitive group out of 3.
    expect(m('FT')).toEqual({
      stage: 'post_training',
      facet: 'sex',
      facetValue: 'F',
      name: 'FT',
      value: 1 / 3,
      error: null,
    });
  });

  it('reports malformed files with the line', () => {
    expect(() => normalizeNativeBias('facet,label\nF,1\n', 'csv', 'loan-model', config, meta(path))).toThrow(
      `${path}: missing required column "prediction" (header: facet,label)`,
    );
  });

  it('reports data that cannot be binarised', () => {
    const noPositive = csv
      .replace(/,yes,1|,yes,2/g, (s) => s.replace('yes', 'no'))
      .replace(/yes,yes/g, 'no,no')
      .replace(/no,yes/g, 'no,no');
    let caught: unknown;
    try {
      normalizeNativeBias(noPositive, 'csv', 'loan-model', config, meta(path));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NormalizeError);
    expect((caught as NormalizeError).code).toBe('BiasNotComputable');
    expect((caught as NormalizeError).message).toBe(
      `${path}: bias metrics cannot be computed: No Label values are present in the predicted Label Column,Positive Predicted Index Series contains all False values`,
    );
  });
});
