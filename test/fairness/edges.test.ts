import { describe, expect, it } from 'vitest';
import { toBoolIndex } from '../../src/fairness/columns.js';
import { FairnessError } from '../../src/fairness/errors.js';
import { intervalIndex, intervalsText } from '../../src/fairness/intervals.js';
import { DCA, DCR, TE, generalizedEntropy, GE } from '../../src/fairness/posttraining.js';
import { computeBiasReport } from '../../src/fairness/report.js';
import { pyFloat, pyFloatRepr, pyInt, pyStr } from '../../src/fairness/values.js';

const b = (...xs: number[]): Uint8Array => toBoolIndex(xs);

describe('edge cases beyond the upstream vectors', () => {
  it('DCA/DCR/TE: both groups infinite give 0, one infinite gives ±inf', () => {
    const s = b(0, 0, 1, 1);
    // no predicted positives anywhere, observed positives in both groups: c_a = c_d = inf
    expect(DCA(s, b(1, 0, 1, 0), b(0, 0, 0, 0))).toBe(0);
    // c_d = inf only
    expect(DCA(s, b(1, 0, 1, 0), b(1, 0, 0, 0))).toBe(-Infinity);
    // no predicted negatives: r_a = r_d = inf
    expect(DCR(s, b(0, 1, 0, 1), b(1, 1, 1, 1))).toBe(0);
    // FP = 0 < FN in both groups: tau = inf twice
    expect(TE(s, b(1, 0, 1, 0), b(0, 0, 0, 0))).toBe(0);
  });

  it('GE: alpha 0/1 and all-false-negative data raise like smclarify', () => {
    expect(() => generalizedEntropy(b(1), b(1), 1)).toThrow(
      new FairnessError('NotImplementedError', 'Not implemented for alpha 0 or 1.'),
    );
    expect(() => GE(b(1, 1), b(0, 0))).toThrow(
      'All predicted labels are false negatives. There should be at least one prediction that is not false negative.',
    );
    expect(GE(b(1, 0), b(1, 0))).toBe(0);
    // b = [2, 0]: mu = 1, ((4 - 1) + (0 - 1)) / (2 * 3 * 2)
    expect(generalizedEntropy(b(0, 1), b(1, 0), 3)).toBeCloseTo((8 - 1 + (0 - 1)) / 12, 15);
  });

  it('interval keys print like pandas', () => {
    const ints = { dtype: 'int64', values: Float64Array.of(1, 5, 9) } as const;
    expect(intervalsText(intervalIndex([ints], [2]))).toBe('(2, 9]');
    expect(intervalsText(intervalIndex([ints], [{ float: 2 }]))).toBe('(2.0, 9.0]');
    expect(intervalsText(intervalIndex([ints], [9]))).toBe('');
    // abs(max) is compared: a negative maximum equal to minus the threshold adds no break
    expect(intervalsText(intervalIndex([{ dtype: 'int64', values: Float64Array.of(-7, -3) }], [3]))).toBe('');
    expect(intervalsText(intervalIndex([ints], [12.5]))).toBe('(9.0, 12.5]');
  });

  it('Python number printing and casts', () => {
    expect([1e16, 1e15, 1e-5, 0.0001, 2, -0, 0.1 + 0.2, 1.5e300, NaN, -Infinity].map(pyFloatRepr)).toEqual([
      '1e+16',
      '1000000000000000.0',
      '1e-05',
      '0.0001',
      '2.0',
      '-0.0',
      '0.30000000000000004',
      '1.5e+300',
      'nan',
      '-inf',
    ]);
    expect([pyStr(true), pyStr(null), pyStr(3), pyStr({ float: 3 }), pyStr(0.5)]).toEqual([
      'True',
      'None',
      '3',
      '3.0',
      '0.5',
    ]);
    expect(pyInt(' 42 ')).toBe(42);
    expect(pyInt(2.9)).toBe(2);
    expect(() => pyInt('1.0')).toThrow("invalid literal for int() with base 10: '1.0'");
    expect(pyFloat('1.0')).toEqual({ float: 1 });
    expect(pyFloat('1e-3')).toBe(0.001);
    expect(() => pyFloat('abc')).toThrow("could not convert string to float: 'abc'");
  });

  it('rejects columns of different lengths', () => {
    const facet = { dtype: 'object', values: ['a', 'b', 'a'] } as const;
    const label = { dtype: 'object', values: ['y', 'n'] } as const;
    expect(() => computeBiasReport({ facet, label }, { facetName: 'f', labelValues: ['y'] })).toThrow(
      'Column label has 2 rows, the facet has 3',
    );
  });

  it('prints one-vs-all keys of float categories as floats', () => {
    const facet = { dtype: 'category', values: [1, 2, 1, 2], categories: 'float64' } as const;
    const label = { dtype: 'object', values: ['y', 'n', 'n', 'y'] } as const;
    const rows = computeBiasReport({ facet, label }, { facetName: 'f', labelValues: ['y'], metrics: ['CI'] });
    expect(rows.map((r) => [r.facetValue, r.value])).toEqual([
      ['1.0', 0],
      ['2.0', 0],
    ]);
  });
});
