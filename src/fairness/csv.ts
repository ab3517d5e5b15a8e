/**
 * A small RFC 4180 reader that writes fields straight into per-column arrays (no array per row), with the line
 * number of every problem. Quoted fields may hold commas, doubled quotes and newlines; blank lines are skipped.
 */
import { NormalizeError } from '../normalizers/types.js';

export interface CsvTable {
  readonly header: readonly string[];
  /** One array of raw field texts per header column. */
  readonly columns: readonly string[][];
  /** The line on which each data record starts. */
  readonly lines: readonly number[];
}

export function readCsv(text: string, input: string): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let pos = 0;
  let line = 1;
  let header: string[] | null = null;
  let columns: string[][] = [];
  const lines: number[] = [];
  const fail = (at: number, problem: string): never => {
    throw new NormalizeError(input, `line ${at}: ${problem}`);
  };
  const fieldsOfHeader: string[] = [];
  while (pos < src.length) {
    const start = line;
    let field = 0;
    let blank = true;
    for (;;) {
      let value: string;
      if (src[pos] === '"') {
        blank = false;
        pos++;
        let out = '';
        for (;;) {
          const q = src.indexOf('"', pos);
          if (q < 0) return fail(start, 'unterminated quoted field');
          const chunk = src.slice(pos, q);
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          out += chunk;
          pos = q + 1;
          if (src[pos] === '"') {
            out += '"';
            pos++;
            continue;
          }
          break;
        }
        value = out;
        const next = src[pos];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          fail(line, `unexpected character ${JSON.stringify(next)} after a closing quote`);
        }
      } else {
        let end = pos;
        while (end < src.length && src[end] !== ',' && src[end] !== '\n' && src[end] !== '\r') end++;
        value = src.slice(pos, end);
        if (value.length > 0) blank = false;
        pos = end;
      }
      if (header === null) fieldsOfHeader.push(value);
      else {
        columns[field]?.push(value);
      }
      field++;
      if (src[pos] === ',') {
        blank = false;
        pos++;
        continue;
      }
      break;
    }
    if (src[pos] === '\r') pos++;
    if (src[pos] === '\n') {
      pos++;
      line++;
    }
    if (header === null) {
      if (blank) {
        fieldsOfHeader.length = 0;
        continue;
      }
      header = fieldsOfHeader.map((h) => h.trim());
      columns = header.map(() => []);
      continue;
    }
    if (blank && field === 1) {
      columns[0]?.pop();
      continue;
    }
    if (field !== header.length) fail(start, `expected ${header.length} fields as in the header, got ${field}`);
    lines.push(start);
  }
  if (header === null) throw new NormalizeError(input, 'file is empty');
  return { header, columns, lines };
}
