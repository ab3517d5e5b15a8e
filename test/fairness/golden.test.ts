import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runVector, type Vector } from './harness.js';
import { parsePyJson, type PyJson } from './pyjson.js';

/**
 * One `it` per smclarify test vector (all 255). Inputs are read with Python's int/float distinction kept; the
 * expected values are compared with the vector's own tolerance, and NaN / Infinity / errors exactly.
 */
const text = readFileSync(new URL('../fixtures/clarify/test-vectors.json', import.meta.url), 'utf8');
const plain = JSON.parse(text) as Vector[];
const typed = parsePyJson(text) as PyJson[];
const vectors: Vector[] = plain.map((v, i) => {
  const t = typed[i] as { inputs: Record<string, PyJson>; derived?: Record<string, PyJson> };
  return { ...v, inputs: t.inputs, ...(t.derived ? { derived: t.derived } : {}) };
});

describe('smclarify test vectors', () => {
  it('has all 255 cases', () => {
    expect(vectors).toHaveLength(255);
    expect(new Set(vectors.map((v) => v.id)).size).toBe(255);
  });
  for (const v of vectors) {
    it(`${v.id} (${v.call_level})`, () => {
      expect.hasAssertions();
      runVector(v);
    });
  }
});
