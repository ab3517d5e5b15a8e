/**
 * A JSON reader that keeps Python's int/float distinction: the vectors were written by Python's `json`, so `2.0`
 * is a float and `2` an int, and smclarify prints them differently (`(2.0, 3.0]` vs `(2, 3]`). Integral float
 * literals become `{ float: n }` (the `PyFloat` of `src/fairness/values.ts`); everything else is plain JSON.
 */
import type { PyFloat } from '../../src/fairness/values.js';

export type PyJson = null | boolean | number | string | PyFloat | PyJson[] | { [key: string]: PyJson };

export function parsePyJson(text: string): PyJson {
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length && ' \t\r\n'.includes(text[pos] ?? '')) pos++;
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${pos}`);
  };
  const value = (): PyJson => {
    ws();
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      const obj: { [key: string]: PyJson } = {};
      ws();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        ws();
        const key = value();
        if (typeof key !== 'string') fail('expected a key');
        ws();
        if (text[pos++] !== ':') fail('expected ":"');
        obj[key as string] = value();
        ws();
        const sep = text[pos++];
        if (sep === '}') return obj;
        if (sep !== ',') fail('expected "," or "}"');
      }
    }
    if (ch === '[') {
      pos++;
      const arr: PyJson[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[pos++];
        if (sep === ']') return arr;
        if (sep !== ',') fail('expected "," or "]"');
      }
    }
    if (ch === '"') {
      const start = pos;
      pos++;
      while (text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
      pos++;
      return JSON.parse(text.slice(start, pos)) as string;
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 64));
    if (!m) return fail('unexpected character');
    pos += m[0].length;
    const n = Number(m[0]);
    const isFloat = m[1] !== undefined || m[2] !== undefined;
    return isFloat && Number.isInteger(n) ? { float: n } : n;
  };
  const out = value();
  ws();
  if (pos !== text.length) fail('trailing characters');
  return out;
}
