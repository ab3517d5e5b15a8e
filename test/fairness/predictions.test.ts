import { describe, expect, it } from 'vitest';
import { parsePredictions } from '../../src/fairness/predictions.js';
import { NormalizeError } from '../../src/normalizers/types.js';

function error(run: () => unknown): NormalizeError {
  try {
    run();
  } catch (e) {
    if (e instanceof NormalizeError) return e;
    throw e;
  }
  throw new Error('expected a NormalizeError');
}

describe('parsePredictions: CSV', () => {
  it('reads typed columns, the group and extra columns', () => {
    const text =
      'facet,label,prediction,group,score,note\r\nF,1,0,a,0.5,x\r\nM,0,1,b,1.5,"y, with ""quotes"""\r\n\r\nF,1,1,a,,\r\n';
    const d = parsePredictions(text, 'csv', 'p.csv');
    expect(d.rows).toBe(3);
    expect(d.facet).toEqual({ dtype: 'object', values: ['F', 'M', 'F'] });
    expect(d.label).toEqual({ dtype: 'int64', values: Float64Array.of(1, 0, 1) });
    expect(d.prediction).toEqual({ dtype: 'int64', values: Float64Array.of(0, 1, 1) });
    expect(d.group).toEqual({ dtype: 'object', values: ['a', 'b', 'a'] });
    expect(d.features.map((f) => f.name)).toEqual(['group', 'score', 'note']);
    expect(d.features[1]?.column).toEqual({ dtype: 'float64', values: Float64Array.of(0.5, 1.5, NaN) });
    expect(d.features[2]?.column).toEqual({ dtype: 'object', values: ['x', 'y, with "quotes"', null] });
  });

  it('reads booleans and float labels', () => {
    const d = parsePredictions('label,facet,prediction\nTrue,1.5,false\nfalse,2,TRUE\n', 'csv', 'p.csv');
    expect(d.label).toEqual({ dtype: 'bool', values: Uint8Array.of(1, 0) });
    expect(d.facet).toEqual({ dtype: 'float64', values: Float64Array.of(1.5, 2) });
    expect(d.prediction).toEqual({ dtype: 'bool', values: Uint8Array.of(0, 1) });
  });

  const cases: [string, string, string][] = [
    ['empty file', '', 'p.csv: file is empty'],
    ['blank file', ' \n\n', 'p.csv: file is empty'],
    ['header only', 'facet,label,prediction\n', 'p.csv: no data rows after the header'],
    ['missing column', 'facet,label\nF,1\n', 'p.csv: missing required column "prediction" (header: facet,label)'],
    ['missing columns', 'facet\nF\n', 'p.csv: missing required columns "label", "prediction" (header: facet)'],
    [
      'ragged row (short)',
      'facet,label,prediction\nF,1,0\nM,1\n',
      'p.csv: line 3: expected 3 fields as in the header, got 2',
    ],
    [
      'ragged row (long)',
      'facet,label,prediction\nF,1,0,9\n',
      'p.csv: line 2: expected 3 fields as in the header, got 4',
    ],
    [
      'non-numeric label',
      'facet,label,prediction\nF,1,0\nM,0,1\nF,yes,1\n',
      'p.csv: line 4: column "label" must be numeric like its first value on line 2, got "yes"',
    ],
    [
      'non-numeric prediction',
      'facet,label,prediction\nF,1,0.7\nM,0,NaN\n',
      'p.csv: line 3: column "prediction" must be numeric like its first value on line 2, got "NaN"',
    ],
    [
      'non-boolean label',
      'facet,label,prediction\nF,true,1\nM,1,1\n',
      'p.csv: line 3: column "label" must be true or false like its first value on line 2, got "1"',
    ],
    ['empty value', 'facet,label,prediction\nF,1,0\n,0,1\n', 'p.csv: line 3: column "facet" is empty'],
    ['duplicate column', 'facet,label,prediction,label\nF,1,0,1\n', 'p.csv: line 1: duplicate column "label"'],
    ['unnamed column', 'facet,,label,prediction\nF,1,1,0\n', 'p.csv: line 1: column 2 of the header has no name'],
    ['unterminated quote', 'facet,label,prediction\n"F,1,0\nM,0,1\n', 'p.csv: line 2: unterminated quoted field'],
    [
      'text after a quote',
      'facet,label,prediction\n"F"x,1,0\n',
      'p.csv: line 2: unexpected character "x" after a closing quote',
    ],
  ];
  for (const [name, text, message] of cases) {
    it(`rejects: ${name}`, () => {
      const e = error(() => parsePredictions(text, 'csv', 'p.csv'));
      expect(e.message).toBe(message);
      expect(e.input).toBe('p.csv');
    });
  }

  it('counts lines across quoted newlines', () => {
    const e = error(() => parsePredictions('facet,label,prediction\n"F\nG",1,0\nM,x,1\n', 'csv', 'p.csv'));
    expect(e.message).toBe('p.csv: line 4: column "label" must be numeric like its first value on line 2, got "x"');
  });
});

describe('parsePredictions: JSON Lines', () => {
  it('reads typed keys, nulls in optional keys and skips blank lines', () => {
    const text =
      '{"facet":"F","label":1,"prediction":0.2,"group":3,"f":true}\n\n{"facet":"M","label":0,"prediction":1,"group":null,"f":false}\n';
    const d = parsePredictions(text, 'jsonl', 'p.jsonl');
    expect(d.rows).toBe(2);
    expect(d.label).toEqual({ dtype: 'int64', values: Float64Array.of(1, 0) });
    expect(d.prediction).toEqual({ dtype: 'float64', values: Float64Array.of(0.2, 1) });
    expect(d.group).toEqual({ dtype: 'float64', values: Float64Array.of(3, NaN) });
    expect(d.features[1]).toEqual({ name: 'f', column: { dtype: 'bool', values: Uint8Array.of(1, 0) } });
  });

  const cases: [string, string, string][] = [
    ['empty file', '\n', 'p.jsonl: file is empty'],
    ['invalid JSON', '{"facet":"F","label":1,"prediction":0}\n{"facet":\n', 'p.jsonl: line 2: not valid JSON'],
    ['not an object', '[1,2,3]\n', 'p.jsonl: line 1: expected a JSON object, got an array'],
    ['missing key', '{"facet":"F","label":1}\n', 'p.jsonl: line 1: missing key "prediction"'],
    [
      'ragged record (missing)',
      '{"facet":"F","label":1,"prediction":0,"g":1}\n{"facet":"M","label":0,"prediction":1}\n',
      'p.jsonl: line 2: missing key "g" (present on line 1)',
    ],
    [
      'ragged record (extra)',
      '{"facet":"F","label":1,"prediction":0}\n\n{"facet":"M","label":0,"prediction":1,"x":2}\n',
      'p.jsonl: line 3: unexpected key "x" (not on line 1)',
    ],
    [
      'non-numeric label',
      '{"facet":"F","label":1,"prediction":0}\n{"facet":"M","label":"1","prediction":1}\n',
      'p.jsonl: line 2: column "label" must be numeric like its first value on line 1, got "1"',
    ],
    ['null label', '{"facet":"F","label":null,"prediction":0}\n', 'p.jsonl: line 1: column "label" is empty'],
    [
      'nested value',
      '{"facet":"F","label":1,"prediction":{"p":1}}\n',
      'p.jsonl: line 1: key "prediction" must be a string, number, boolean or null, got an object',
    ],
  ];
  for (const [name, text, message] of cases) {
    it(`rejects: ${name}`, () => expect(error(() => parsePredictions(text, 'jsonl', 'p.jsonl')).message).toBe(message));
  }
});
