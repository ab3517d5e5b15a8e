import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../src/fairness/report.js';
import {
  DEFAULT_THRESHOLDS,
  decodeMetricValue,
  encodeMetricValue,
  evaluateMetric,
  evaluateReportMetric,
  mergeThresholds,
} from '../../src/fairness/thresholds.js';

describe('thresholds', () => {
  it('has a default for every registered metric', () => {
    expect(Object.keys(DEFAULT_THRESHOLDS).sort()).toEqual(
      [...METRIC_NAMES.pre_training, ...METRIC_NAMES.post_training].sort(),
    );
    expect(DEFAULT_THRESHOLDS.DI).toEqual({ min: 0.8, max: 1.25 });
    expect(DEFAULT_THRESHOLDS.CI).toEqual({ min: -0.3, max: 0.3 });
    for (const m of ['DPL', 'DPPL', 'AD', 'DCA', 'DCR', 'DAR', 'DRR', 'RD', 'SD', 'TE']) {
      expect(DEFAULT_THRESHOLDS[m]).toEqual({ min: -0.1, max: 0.1 });
    }
  });

  it('gives verdicts with inclusive bounds', () => {
    expect(evaluateMetric('DI', 0.8)).toEqual({ verdict: 'within', threshold: { min: 0.8, max: 1.25 } });
    expect(evaluateMetric('DI', 0.79).verdict).toBe('outside');
    expect(evaluateMetric('DI', Infinity).verdict).toBe('outside');
    expect(evaluateMetric('DPL', -0.1).verdict).toBe('within');
    expect(evaluateMetric('DPL', -0.1000001).verdict).toBe('outside');
    expect(evaluateMetric('KL', -0.5).verdict).toBe('within');
    expect(evaluateMetric('KL', 0.05).verdict).toBe('outside');
    expect(evaluateMetric('CDDL', null)).toEqual({ verdict: 'not_computed', threshold: { min: -0.1, max: 0.1 } });
    expect(evaluateMetric('DI', NaN).verdict).toBe('not_computed');
    expect(evaluateMetric('UNKNOWN', 42)).toEqual({ verdict: 'within', threshold: {} });
  });

  it('merges per-model overrides bound by bound', () => {
    const t = mergeThresholds({ DI: { min: 0.9 }, DPL: { max: null }, CUSTOM: { max: 1 } });
    expect(t.DI).toEqual({ min: 0.9, max: 1.25 });
    expect(t.DPL).toEqual({ min: -0.1 });
    expect(t.CUSTOM).toEqual({ max: 1 });
    expect(t.CI).toEqual(DEFAULT_THRESHOLDS.CI);
    expect(evaluateMetric('DI', 0.85, t).verdict).toBe('outside');
    expect(evaluateMetric('DPL', 5, t).verdict).toBe('within');
    expect(DEFAULT_THRESHOLDS.DI).toEqual({ min: 0.8, max: 1.25 });
  });

  it('rejects inconsistent overrides', () => {
    expect(() => mergeThresholds({ DI: { min: 2 } })).toThrow('threshold DI: min 2 is greater than max 1.25');
    expect(() => mergeThresholds({ DI: { max: NaN } })).toThrow('threshold DI.max must be a finite number');
  });

  it('stores non-finite values as null with a marker, and reads them back', () => {
    expect(encodeMetricValue(Infinity, null)).toEqual({ value: null, error: 'non-finite value: Infinity' });
    expect(encodeMetricValue(-Infinity, null)).toEqual({ value: null, error: 'non-finite value: -Infinity' });
    expect(encodeMetricValue(0.5, null)).toEqual({ value: 0.5, error: null });
    expect(encodeMetricValue(null, 'Facet set is empty')).toEqual({ value: null, error: 'Facet set is empty' });
    expect(decodeMetricValue(null, 'non-finite value: Infinity')).toBe(Infinity);
    expect(decodeMetricValue(null, 'Facet set is empty')).toBeNull();
    expect(evaluateReportMetric({ name: 'DI', value: null, error: 'non-finite value: Infinity' }).verdict).toBe(
      'outside',
    );
    expect(evaluateReportMetric({ name: 'DI', value: null, error: 'Facet set is empty' }).verdict).toBe('not_computed');
  });
});
