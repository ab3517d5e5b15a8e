/**
 * Column-oriented data, shaped like the pandas dtypes smclarify reasons about. A column is one array of
 * primitives (or a typed array), never an array of row objects, so a million rows cost a few megabytes.
 *
 * - `int64` / `float64`: numbers (`Float64Array` recommended). The dtype decides how values print (`2` vs `2.0`)
 *   and how smclarify classifies the column (floats are always continuous).
 * - `bool`: booleans, or 0/1 in a `Uint8Array`.
 * - `object`: strings (or mixed primitives), as pandas reads a text column.
 * - `category`: a pandas categorical; `categories` names the dtype of the categories when it matters for
 *   printing and casting (`'float64'` for categories `1.0, 2.0`).
 */
import { isPyFloat, pyFloatValue, pyTypeOf, type Cell, type PyType, type Scalar } from './values.js';

/** A boolean index (pandas boolean Series): one byte per row, 1 = true. */
export type BoolIndex = Uint8Array;

export type NumericDtype = 'int64' | 'float64';
export type CategoriesDtype = 'int64' | 'float64' | 'bool' | 'object';

export interface NumericColumn {
  readonly dtype: NumericDtype;
  readonly values: ArrayLike<number>;
}
export interface BoolColumn {
  readonly dtype: 'bool';
  readonly values: ArrayLike<boolean> | Uint8Array;
}
export interface ObjectColumn {
  readonly dtype: 'object';
  readonly values: ArrayLike<Cell>;
}
export interface CategoryColumn {
  readonly dtype: 'category';
  readonly values: ArrayLike<Cell>;
  readonly categories?: CategoriesDtype;
}
export type Column = NumericColumn | BoolColumn | ObjectColumn | CategoryColumn;
export type Dtype = Column['dtype'];

/** A feature column for the flip test, with its name. */
export interface NamedColumn {
  readonly name: string;
  readonly column: Column;
}

export function columnLength(c: Column): number {
  return c.values.length;
}

function categoryCell(c: CategoryColumn, v: Cell | undefined): Cell {
  if (v === undefined) return null;
  if (c.categories === 'bool' && typeof v === 'number') return v !== 0;
  return v;
}

/** The value of row i as a plain primitive. */
export function cellAt(c: Column, i: number): Cell {
  switch (c.dtype) {
    case 'int64':
    case 'float64':
      return c.values[i] ?? NaN;
    case 'bool':
      return Boolean(c.values[i]);
    case 'object':
      return c.values[i] ?? null;
    case 'category':
      return categoryCell(c, c.values[i]);
  }
}

/** The value of row i with its Python type (floats of a float column stay floats: `2.0`). */
export function scalarAt(c: Column, i: number): Scalar {
  const v = cellAt(c, i);
  const floaty = c.dtype === 'float64' || (c.dtype === 'category' && c.categories === 'float64');
  return floaty && typeof v === 'number' ? pyFloatValue(v) : v;
}

/** `type(series[0])`: the Python type of the column's elements. */
export function elementType(c: Column): PyType {
  switch (c.dtype) {
    case 'int64':
      return 'int';
    case 'float64':
      return 'float';
    case 'bool':
      return 'bool';
    case 'object':
      return pyTypeOf(c.values.length > 0 ? (c.values[0] ?? null) : null);
    case 'category':
      if (c.categories === 'int64') return 'int';
      if (c.categories === 'float64') return 'float';
      if (c.categories === 'bool') return 'bool';
      return pyTypeOf(c.values.length > 0 ? (c.values[0] ?? null) : null);
  }
}

/** numpy `select_dtypes([np.number, bool])`: numeric and bool columns. */
export function isNumericDtype(c: Column): c is NumericColumn | BoolColumn {
  return c.dtype === 'int64' || c.dtype === 'float64' || c.dtype === 'bool';
}

/** Numeric value of row i of a numeric or bool column. */
export function numberAt(c: NumericColumn | BoolColumn, i: number): number {
  return Number(c.values[i] ?? NaN);
}

export function isMissing(v: Cell): boolean {
  return v === null || (typeof v === 'number' && Number.isNaN(v));
}

export function countTrue(index: BoolIndex): number {
  let n = 0;
  for (let i = 0; i < index.length; i++) n += index[i] ?? 0;
  return n;
}

/** Converts a boolean array (or 0/1 numbers) to a `BoolIndex`. */
export function toBoolIndex(values: ArrayLike<boolean | number>): BoolIndex {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  return out;
}

/** Keeps the float tag of a user-given value when re-reading it (for printing thresholds). */
export function isFloatScalar(v: Scalar): boolean {
  return isPyFloat(v) || (typeof v === 'number' && !Number.isInteger(v));
}
