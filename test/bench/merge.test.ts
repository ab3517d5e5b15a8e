// The benchmark harness's --merge (bench/lib/merge.ts) and the docs table it feeds: no timing here, only data.
import { describe, expect, it } from 'vitest';
import { mergeEarlier } from '../../bench/lib/merge.js';
import { formatDocsTable } from '../../bench/lib/table.js';
import type { BenchResult } from '../../bench/lib/types.js';

const registry = [{ id: 'ingest' }, { id: 'queue' }, { id: 'mapping' }, { id: 'render' }];
const result = (id: string, seconds: number): BenchResult => ({
  id,
  title: `${id} title`,
  input: `${id} input`,
  measurements: [{ name: `${id} m`, seconds }],
  ratios: [],
});
const earlier = JSON.stringify({
  generatedAt: '2026-11-22T09:00:00.000Z',
  size: 'l',
  results: [result('ingest', 9), result('mapping', 1), result('render', 2), result('gone', 3)],
});

describe('bench --merge', () => {
  it("keeps this run's suites and takes the others from the earlier run, in the registry's order", () => {
    const merged = mergeEarlier(earlier, 'l', [result('queue', 5), result('ingest', 7)], registry);
    expect(merged.results.map((r) => [r.id, r.measurements[0]!.seconds])).toEqual([
      ['ingest', 7],
      ['queue', 5],
      ['mapping', 1],
      ['render', 2],
    ]);
    expect(merged.from).toEqual({ generatedAt: '2026-11-22T09:00:00.000Z', ids: ['mapping', 'render'] });
    const table = formatDocsTable({
      generatedAt: '2026-11-22T10:00:00.000Z',
      size: 'l',
      machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 24, node: 'v20', platform: 'linux' },
      results: merged.results,
      merged: merged.from,
    });
    expect(table).toContain('Suites mapping, render: from the run of 2026-11-22T09:00:00.000Z');
    expect(table).toContain('| ingest | ingest m | 7.000 |');
  });

  it('refuses a file of another size or that is not a results file', () => {
    expect(() => mergeEarlier(earlier, 's', [], registry)).toThrow(/size is l, this run's is s/);
    expect(() => mergeEarlier('{"hello":1}', 'l', [], registry)).toThrow(/not a results file/);
    expect(() => mergeEarlier('not json', 'l', [], registry)).toThrow(SyntaxError);
  });
});
