/**
 * smclarify's data-type deduction and categorical binarisation (`series_datatype`, `ensure_series_data_type`,
 * `convert_positive_label_values`, `_categorical_data_idx`). See FORMULAS.md §2.
 */
import {
  cellAt,
  columnLength,
  elementType,
  isMissing,
  type BoolIndex,
  type CategoriesDtype,
  type CategoryColumn,
  type Column,
  type NumericColumn,
} from './columns.js';
import { FairnessError, valueError } from './errors.js';
import {
  intCastable,
  numericValue,
  pyCast,
  pyEquals,
  pyFloat,
  pyIsInstance,
  type Cell,
  type Scalar,
} from './values.js';

/** smclarify `UNIQUENESS_THRESHOLD`: an integer column with at least 5% distinct values is continuous. */
export const UNIQUENESS_THRESHOLD = 0.05;

export type DataType = 'CATEGORICAL' | 'CONTINUOUS';

export type EnsuredColumn =
  | { readonly dataType: 'CATEGORICAL'; readonly column: CategoryColumn }
  | { readonly dataType: 'CONTINUOUS'; readonly column: NumericColumn };

function distinctKey(v: Cell): string | number {
  return typeof v === 'boolean' ? Number(v) : (v as string | number);
}

/** The values of a column whose cells are all numbers (numeric, bool and numeric-category columns), else null. */
function numericValues(c: Column): ArrayLike<number> | null {
  if (c.dtype === 'int64' || c.dtype === 'float64') return c.values;
  if (c.dtype === 'bool')
    return c.values instanceof Uint8Array ? c.values : Uint8Array.from(c.values, (b) => (b ? 1 : 0));
  if (c.dtype === 'category' && c.categories !== undefined && c.categories !== 'object') {
    const v = c.values;
    if (v instanceof Float64Array || v instanceof Uint8Array) return v;
  }
  return null;
}

/** `nunique / count >= UNIQUENESS_THRESHOLD`, stopping as soon as enough distinct values are seen. */
function uniqueEnough(c: Column): boolean {
  const n = columnLength(c);
  const nums = numericValues(c);
  let count = 0;
  if (nums) {
    for (let i = 0; i < n; i++) if (!Number.isNaN(nums[i] ?? NaN)) count++;
  } else {
    for (let i = 0; i < n; i++) if (!isMissing(cellAt(c, i))) count++;
  }
  if (count === 0) return false;
  const seen = new Set<string | number>();
  let last: string | number | null = null;
  for (let i = 0; i < n; i++) {
    let key: string | number;
    if (nums) {
      key = nums[i] ?? NaN;
      if (Number.isNaN(key)) continue;
    } else {
      const v = cellAt(c, i);
      if (isMissing(v)) continue;
      key = distinctKey(v);
    }
    if (key === last) continue;
    last = key;
    seen.add(key);
    if (seen.size / count >= UNIQUENESS_THRESHOLD) return true;
  }
  return false;
}

/** `series_datatype`: categorical or continuous, by dtype, uniqueness and the number of values given. */
export function seriesDatatype(c: Column, values?: readonly Scalar[] | null): DataType {
  if (c.dtype === 'category' || (values != null && values.length > 1)) return 'CATEGORICAL';
  switch (c.dtype) {
    case 'object': {
      for (let i = 0; i < c.values.length; i++) if (!intCastable(c.values[i] ?? null)) return 'CATEGORICAL';
      return uniqueEnough(c) ? 'CONTINUOUS' : 'CATEGORICAL';
    }
    case 'float64':
      return 'CONTINUOUS';
    case 'int64':
      return uniqueEnough(c) ? 'CONTINUOUS' : 'CATEGORICAL';
    case 'bool':
      return 'CATEGORICAL';
  }
}

function categoriesOf(c: Column): CategoriesDtype {
  if (c.dtype === 'category') return c.categories ?? 'object';
  return c.dtype;
}

/** `series.astype('category')`. */
export function toCategory(c: Column): CategoryColumn {
  if (c.dtype === 'category') return c;
  const values: ArrayLike<Cell> = c.values;
  return { dtype: 'category', values, categories: categoriesOf(c) };
}

/** `pd.to_numeric(series)` for a column already known to be continuous. */
export function toNumeric(c: Column): NumericColumn {
  if (c.dtype === 'int64' || c.dtype === 'float64') return c;
  const n = columnLength(c);
  const out = new Float64Array(n);
  let integral = true;
  for (let i = 0; i < n; i++) {
    const v = cellAt(c, i);
    const num = typeof v === 'string' ? Number(v.trim()) : (numericValue(v) ?? NaN);
    if (!Number.isInteger(num)) integral = false;
    out[i] = num;
  }
  return { dtype: integral ? 'int64' : 'float64', values: out };
}

export interface Ensured {
  readonly ensured: EnsuredColumn;
  /** The values after smclarify's in-place conversion of a non-numeric threshold to float. */
  readonly values: readonly Scalar[] | null;
}

/** `ensure_series_data_type`: deduce the type, convert the column, and make a single threshold numeric. */
export function ensureSeriesDataType(c: Column, values?: readonly Scalar[] | null): Ensured {
  const given = values ?? null;
  if (seriesDatatype(c, given) === 'CATEGORICAL')
    return { ensured: { dataType: 'CATEGORICAL', column: toCategory(c) }, values: given };
  let converted = given;
  if (given && given.length > 0) {
    const first = given[0] ?? null;
    if (!(pyIsInstance(first, 'int') || pyIsInstance(first, 'float'))) {
      try {
        converted = [pyFloat(first), ...given.slice(1)];
      } catch (e) {
        if (e instanceof FairnessError && e.kind === 'ValueError') {
          throw valueError('Facet/label value provided must be a single numeric threshold for continuous data');
        }
        throw e;
      }
    }
  }
  return { ensured: { dataType: 'CONTINUOUS', column: toNumeric(c) }, values: converted };
}

const NOT_POSITIVE =
  "'label' has not positive elements. Double-check if 'label' and 'positive_label_values'have correct data-types or values.";

/**
 * `convert_positive_label_values`: cast the values to the type of the column's first element. numpy element
 * types (int64, float64, bool columns and their categories) never match a Python value, so they always cast.
 */
export function convertPositiveLabelValues(c: Column, values: readonly Scalar[]): Scalar[] {
  if (values.length === 0) throw new FairnessError('IndexError', 'list index out of range');
  if (columnLength(c) === 0) throw new FairnessError('KeyError', '0');
  const type = elementType(c);
  const numpy = c.dtype !== 'object' && type !== 'str';
  if (!numpy && pyIsInstance(values[0] ?? null, type)) return [...values];
  try {
    return values.map((v) => pyCast(type, v));
  } catch (e) {
    if (e instanceof FairnessError && e.kind === 'ValueError') {
      if (e.message.includes('invalid literal for int() with base 10')) return values.map((v) => pyFloat(v));
      throw new FairnessError('Exception', NOT_POSITIVE);
    }
    throw e;
  }
}

function matchAny(c: Column, values: readonly Scalar[]): { index: BoolIndex; any: boolean } {
  const n = columnLength(c);
  const index = new Uint8Array(n);
  let any = false;
  const nums = numericValues(c);
  if (nums) {
    // numbers never equal strings or None in Python; bools compare as 0/1
    const targets = values.map(numericValue).filter((v): v is number => v !== null);
    for (let i = 0; i < n; i++) {
      const x = nums[i] ?? NaN;
      for (const t of targets) {
        if (x === t) {
          index[i] = 1;
          any = true;
          break;
        }
      }
    }
    return { index, any };
  }
  const texts = values.every((v): v is string => typeof v === 'string') ? values : null;
  for (let i = 0; i < n; i++) {
    const x = texts ? c.values[i] : cellAt(c, i);
    for (const v of texts ?? values) {
      if (texts ? x === v : pyEquals(x ?? null, v)) {
        index[i] = 1;
        any = true;
        break;
      }
    }
  }
  return { index, any };
}

/** `_categorical_data_idx`: rows equal to any value; when none match, retry with the values cast to the column type. */
export function categoricalIndex(c: Column, values: readonly Scalar[]): BoolIndex {
  const first = matchAny(c, values);
  if (first.any) return first.index;
  return matchAny(c, convertPositiveLabelValues(c, values)).index;
}
