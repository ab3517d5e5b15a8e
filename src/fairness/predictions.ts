/**
 * `parsePredictions`: a labelled predictions file (CSV with a header, or JSON Lines) into a column-oriented
 * `BiasDataset`. Required columns/keys: `facet`, `label`, `prediction`; optional `group`; any other column is kept
 * as a feature for the flip test (as in Clarify, where FT sees every column except facet, label and prediction,
 * so `group` is a feature too).
 *
 * Typing follows pandas where it matters to smclarify: integers become `int64`, other numbers `float64`,
 * `true`/`false` (any case) `bool`, anything else text (`object`). A required column takes the kind of its first
 * value, and every later value must have that kind, so a typo in a numeric label column is an error, not a
 * silent switch to text.
 */
import { NormalizeError } from '../normalizers/types.js';
import type { Column, NamedColumn } from './columns.js';
import { readCsv } from './csv.js';
import type { BiasDataset } from './dataset.js';
import type { Cell } from './values.js';

export type PredictionsFormat = 'csv' | 'jsonl';

export const REQUIRED_COLUMNS = ['facet', 'label', 'prediction'] as const;

export interface ParsedPredictions extends BiasDataset {
  readonly rows: number;
  readonly prediction: Column;
  readonly features: readonly NamedColumn[];
}

type Kind = 'number' | 'bool' | 'string';
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const BOOL = /^(?:true|false)$/i;

function kindOfText(t: string): Kind {
  const s = t.trim();
  if (NUMBER.test(s)) return 'number';
  if (BOOL.test(s)) return 'bool';
  return 'string';
}

function kindOfJson(v: Cell): Kind {
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'string';
}

const KIND_TEXT: Record<Kind, string> = { number: 'numeric', bool: 'true or false', string: 'text' };

/** Builds a column from cells of one kind (missing cells allowed only in optional columns). */
function build(cells: readonly Cell[], kind: Kind): Column {
  if (kind === 'number') {
    const values = new Float64Array(cells.length);
    let integral = true;
    cells.forEach((c, i) => {
      const n = c === null ? NaN : Number(typeof c === 'string' ? c.trim() : c);
      values[i] = n;
      if (!Number.isInteger(n) || (typeof c === 'string' && !INTEGER.test(c.trim()))) integral = false;
    });
    return { dtype: integral ? 'int64' : 'float64', values };
  }
  if (kind === 'bool') {
    return {
      dtype: 'bool',
      values: Uint8Array.from(cells, (c) =>
        c === true || (typeof c === 'string' && c.trim().toLowerCase() === 'true') ? 1 : 0,
      ),
    };
  }
  return { dtype: 'object', values: cells };
}

/** An optional column: numeric if every present value is, bool if every value is, else text. */
function inferOptional(cells: readonly Cell[], kindOf: (c: Cell) => Kind): Column {
  const present = cells.filter((c) => c !== null);
  if (present.length > 0 && present.every((c) => kindOf(c) === 'number')) return build(cells, 'number');
  if (present.length === cells.length && present.every((c) => kindOf(c) === 'bool')) return build(cells, 'bool');
  return build(cells, 'string');
}

function checkRequired(
  input: string,
  name: string,
  cells: readonly Cell[],
  lines: readonly number[],
  kindOf: (c: Cell) => Kind,
): Kind {
  const first = cells[0] ?? null;
  const kind = first === null ? 'string' : kindOf(first);
  cells.forEach((c, i) => {
    const line = lines[i] ?? 0;
    if (c === null || c === '') throw new NormalizeError(input, `line ${line}: column "${name}" is empty`);
    const k = kindOf(c);
    if (k !== kind) {
      throw new NormalizeError(
        input,
        `line ${line}: column "${name}" must be ${KIND_TEXT[kind]} like its first value on line ${lines[0] ?? 0}, got ${JSON.stringify(c)}`,
      );
    }
  });
  return kind;
}

function assemble(
  input: string,
  names: readonly string[],
  cellsOf: (name: string) => Cell[],
  lines: readonly number[],
  kindOf: (c: Cell) => Kind,
): ParsedPredictions {
  const required = new Map<string, Column>();
  for (const name of REQUIRED_COLUMNS) {
    const cells = cellsOf(name);
    required.set(name, build(cells, checkRequired(input, name, cells, lines, kindOf)));
  }
  const features: NamedColumn[] = names
    .filter((n) => !(REQUIRED_COLUMNS as readonly string[]).includes(n))
    .map((name) => ({ name, column: inferOptional(cellsOf(name), kindOf) }));
  const group = features.find((f) => f.name === 'group')?.column ?? null;
  const get = (name: string): Column => required.get(name) ?? { dtype: 'object', values: [] };
  return {
    rows: lines.length,
    facet: get('facet'),
    label: get('label'),
    prediction: get('prediction'),
    group,
    features,
  };
}

function parseCsv(text: string, input: string): ParsedPredictions {
  const table = readCsv(text, input);
  const seen = new Set<string>();
  table.header.forEach((name, i) => {
    if (name === '') throw new NormalizeError(input, `line 1: column ${i + 1} of the header has no name`);
    if (seen.has(name)) throw new NormalizeError(input, `line 1: duplicate column "${name}"`);
    seen.add(name);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !seen.has(c));
  if (missing.length > 0) {
    throw new NormalizeError(
      input,
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (header: ${table.header.join(',')})`,
    );
  }
  if (table.lines.length === 0) throw new NormalizeError(input, 'no data rows after the header');
  const cellsOf = (name: string): Cell[] => {
    const raw = table.columns[table.header.indexOf(name)] ?? [];
    return raw.map((t) => (t === '' ? null : t));
  };
  return assemble(input, table.header, cellsOf, table.lines, (c) =>
    typeof c === 'string' ? kindOfText(c) : kindOfJson(c),
  );
}

function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function parseJsonl(text: string, input: string): ParsedPredictions {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let keys: string[] | null = null;
  const cells = new Map<string, Cell[]>();
  const lines: number[] = [];
  const physical = src.split('\n');
  for (let i = 0; i < physical.length; i++) {
    const body = (physical[i] ?? '').trim();
    if (body === '') continue;
    const line = i + 1;
    let record: unknown;
    try {
      record = JSON.parse(body);
    } catch {
      throw new NormalizeError(input, `line ${line}: not valid JSON`);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new NormalizeError(input, `line ${line}: expected a JSON object, got ${describeJson(record)}`);
    }
    const obj = record as Record<string, unknown>;
    if (keys === null) {
      keys = Object.keys(obj);
      for (const k of REQUIRED_COLUMNS)
        if (!(k in obj)) throw new NormalizeError(input, `line ${line}: missing key "${k}"`);
      for (const k of keys) cells.set(k, []);
    }
    for (const k of keys)
      if (!(k in obj))
        throw new NormalizeError(input, `line ${line}: missing key "${k}" (present on line ${lines[0] ?? line})`);
    for (const [k, v] of Object.entries(obj)) {
      const col = cells.get(k);
      if (!col)
        throw new NormalizeError(input, `line ${line}: unexpected key "${k}" (not on line ${lines[0] ?? line})`);
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new NormalizeError(
          input,
          `line ${line}: key "${k}" must be a string, number, boolean or null, got ${describeJson(v)}`,
        );
      }
      col.push(v);
    }
    lines.push(line);
  }
  if (keys === null) throw new NormalizeError(input, 'file is empty');
  return assemble(input, keys, (name) => cells.get(name) ?? [], lines, kindOfJson);
}

/**
 * Parses a labelled predictions file. Throws `NormalizeError` naming `input`, the line and the problem (empty
 * file, missing column, ragged row, wrong kind of value, invalid JSON).
 */
export function parsePredictions(text: string, format: PredictionsFormat, input: string): ParsedPredictions {
  if (text.trim() === '') throw new NormalizeError(input, 'file is empty');
  return format === 'csv' ? parseCsv(text, input) : parseJsonl(text, input);
}
