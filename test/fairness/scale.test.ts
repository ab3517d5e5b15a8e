import { describe, expect, it } from 'vitest';
import type { BiasDataset } from '../../src/fairness/dataset.js';
import { parsePredictions } from '../../src/fairness/predictions.js';
import { computeBiasReport } from '../../src/fairness/report.js';

const N = 1_000_000;

/** Deterministic pseudo-random bits (xorshift), so the test needs no fixture. */
function bits(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

// Correctness at scale only; time and memory are measured by `npm run bench -- --only fairness`.
describe('one million rows', () => {
  it('computes the full report from typed-array columns', () => {
    const r = bits(7);
    const facet = new Float64Array(N);
    const label = new Uint8Array(N);
    const prediction = new Uint8Array(N);
    const group = new Float64Array(N);
    const f1 = new Uint8Array(N);
    const f2 = new Uint8Array(N);
    let na = 0;
    let nd = 0;
    let posA = 0;
    let posD = 0;
    for (let i = 0; i < N; i++) {
      facet[i] = Math.floor(r() * 4);
      const d = facet[i] === 1;
      label[i] = r() < (d ? 0.3 : 0.4) ? 1 : 0;
      prediction[i] = r() < 0.8 ? (label[i] ?? 0) : 1 - (label[i] ?? 0);
      group[i] = Math.floor(r() * 10);
      f1[i] = r() < 0.5 ? 1 : 0;
      f2[i] = label[i] ?? 0;
      if (d) {
        nd++;
        posD += label[i] ?? 0;
      } else {
        na++;
        posA += label[i] ?? 0;
      }
    }
    const data: BiasDataset = {
      facet: { dtype: 'int64', values: facet },
      label: { dtype: 'bool', values: label },
      prediction: { dtype: 'bool', values: prediction },
      group: { dtype: 'int64', values: group },
      features: [
        { name: 'f1', column: { dtype: 'bool', values: f1 } },
        { name: 'f2', column: { dtype: 'bool', values: f2 } },
      ],
    };
    const rows = computeBiasReport(data, { facetName: 'f', facetValues: [1], labelValues: [true], groupVariable: 'g' });
    expect(rows).toHaveLength(21);
    expect(rows.filter((x) => x.error !== null)).toEqual([]);
    expect(rows.find((x) => x.name === 'DPL')?.value).toBeCloseTo(posA / na - posD / nd, 12);
    expect(rows.find((x) => x.name === 'CI')?.value).toBeCloseTo((na - nd) / N, 12);
  });

  it('parses a one-million-row CSV', () => {
    const r = bits(11);
    const parts: string[] = ['facet,label,prediction,group,score'];
    for (let i = 0; i < N; i++)
      parts.push(`${r() < 0.5 ? 'F' : 'M'},${r() < 0.4 ? 1 : 0},${r() < 0.5 ? 1 : 0},${i % 7},${r().toFixed(3)}`);
    const text = parts.join('\n');
    const data = parsePredictions(text, 'csv', 'big.csv');
    expect(data.rows).toBe(N);
    expect(data.label.dtype).toBe('int64');
    expect(data.label.values).toBeInstanceOf(Float64Array);
    expect(data.features.map((f) => [f.name, f.column.dtype])).toEqual([
      ['group', 'int64'],
      ['score', 'float64'],
    ]);
    const rows = computeBiasReport(data, {
      facetName: 'sex',
      facetValues: ['F'],
      labelValues: [1],
      groupVariable: 'group',
    });
    // int 0/1 label with 1M rows: uniqueness 2e-6 < 0.05, so categorical and [1] is a value (not a threshold)
    expect(rows.find((x) => x.name === 'DPL')?.error).toBeNull();
  });
});
