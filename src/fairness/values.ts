/**
 * Python scalar semantics that smclarify's results depend on: `str()` of a value (it becomes the
 * `value_or_threshold` key), `==` between values of different types (facet and label matching), and the casts
 * `int()`, `float()`, `bool()`, `str()` used when positive label values do not match the column's type.
 *
 * A JS `number` stands for a Python `int` when it is integral and for a `float` otherwise. A Python float with an
 * integral value (`2.0`) is written `{ float: 2 }`, because `str(2.0)` is `'2.0'` and not `'2'`.
 */
import { FairnessError, valueError } from './errors.js';

export interface PyFloat {
  readonly float: number;
}
/** A value given by the user (positive label values, facet values, thresholds). */
export type Scalar = string | number | boolean | null | PyFloat;
/** A cell of an object or category column. */
export type Cell = string | number | boolean | null;
export type PyType = 'int' | 'float' | 'bool' | 'str' | 'NoneType';

export function isPyFloat(v: unknown): v is PyFloat {
  return typeof v === 'object' && v !== null && typeof (v as { float?: unknown }).float === 'number';
}

/** A float result: tagged when integral so that it keeps printing as a float. */
export function pyFloatValue(n: number): number | PyFloat {
  return Number.isInteger(n) ? { float: n } : n;
}

export function pyTypeOf(v: Scalar): PyType {
  if (v === null) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'float';
}

/** The numeric value of a number, bool or float; null for strings and None. */
export function numericValue(v: Scalar): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isPyFloat(v)) return v.float;
  return null;
}

/** Python `a == b` for scalars: `1 == 1.0 == True`, `'1' != 1`, `nan != nan`, `None == None`. */
export function pyEquals(a: Scalar, b: Scalar): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === null || b === null) return a === b;
  return numericValue(a) === numericValue(b);
}

/** Python `repr(float)` / numpy `str(float64)`: shortest round-trip digits, exponent outside [-4, 16). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa = '', expText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const intLen = exp + 1;
    if (digits.length <= intLen) return `${sign}${digits}${'0'.repeat(intLen - digits.length)}.0`;
    return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  }
  const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const e = Math.abs(exp);
  return `${sign}${digits[0] ?? ''}${frac}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
}

function intRepr(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

/** Python `str(v)`. */
export function pyStr(v: Scalar): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? intRepr(v) : pyFloatRepr(v);
  return pyFloatRepr(v.float);
}

/** Python `repr(v)` for error messages that quote a value (`invalid literal for int() with base 10: '1.0'`). */
export function pyRepr(v: Scalar): string {
  return typeof v === 'string' ? `'${v}'` : pyStr(v);
}

const INT_LITERAL = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
const FLOAT_LITERAL =
  /^\s*[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+)?|\d+(?:_\d+)*\.(?:[eE][+-]?\d+)?|inf|infinity|nan)\s*$/i;

/** Python `int(v)`. */
export function pyInt(v: Scalar): number {
  if (v === null) {
    throw new FairnessError(
      'TypeError',
      "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'",
    );
  }
  if (typeof v === 'string') {
    if (!INT_LITERAL.test(v)) throw valueError(`invalid literal for int() with base 10: ${pyRepr(v)}`);
    return Number(v.replace(/_/g, '').trim());
  }
  const n = numericValue(v) ?? NaN;
  if (Number.isNaN(n)) throw valueError('cannot convert float NaN to integer');
  if (!Number.isFinite(n)) throw new FairnessError('OverflowError', 'cannot convert float infinity to integer');
  return Math.trunc(n) + 0;
}

/** Python `float(v)`. */
export function pyFloat(v: Scalar): number | PyFloat {
  if (v === null)
    throw new FairnessError('TypeError', "float() argument must be a string or a real number, not 'NoneType'");
  if (typeof v === 'string') {
    if (!FLOAT_LITERAL.test(v)) throw valueError(`could not convert string to float: ${pyRepr(v)}`);
    const t = v.replace(/_/g, '').trim().toLowerCase();
    const unsigned = t.replace(/^[+-]/, '');
    const neg = t.startsWith('-');
    if (unsigned === 'inf' || unsigned === 'infinity') return neg ? -Infinity : Infinity;
    if (unsigned === 'nan') return NaN;
    return pyFloatValue(Number(t));
  }
  return pyFloatValue(numericValue(v) ?? NaN);
}

/** Python `bool(v)` (truthiness: `bool('False')` is True). */
export function pyBool(v: Scalar): boolean {
  if (v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'boolean') return v;
  const n = numericValue(v) ?? 0;
  return n !== 0;
}

/** Python `type(t)(v)` for the four scalar types that occur in a column. */
export function pyCast(type: PyType, v: Scalar): Scalar {
  switch (type) {
    case 'int':
      return pyInt(v);
    case 'float':
      return pyFloat(v);
    case 'bool':
      return pyBool(v);
    case 'str':
      return pyStr(v);
    case 'NoneType':
      throw new FairnessError('TypeError', 'NoneType takes no arguments');
  }
}

/** Python `isinstance(v, t)`; a bool is an instance of int, as in Python. */
export function pyIsInstance(v: Scalar, type: PyType): boolean {
  const own = pyTypeOf(v);
  return own === type || (own === 'bool' && type === 'int');
}

/** Can numpy cast this object-column cell to int64 (`astype('int64')`)? */
export function intCastable(v: Cell): boolean {
  if (v === null) return false;
  if (typeof v === 'string') return INT_LITERAL.test(v);
  if (typeof v === 'boolean') return true;
  return Number.isFinite(v);
}
