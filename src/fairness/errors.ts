/**
 * The Python exception classes smclarify raises, kept as a tag so that callers (and the golden tests) can tell a
 * `ValueError` from a `NotImplementedError`. `message` is exactly what Python's `str(exc)` gives upstream, because
 * Clarify copies that string into the `error` field of `analysis.json`.
 */
export type PythonErrorKind =
  | 'ValueError'
  | 'TypeError'
  | 'NotImplementedError'
  | 'RuntimeError'
  | 'OverflowError'
  | 'IndexError'
  | 'KeyError'
  | 'Exception';

export class FairnessError extends Error {
  constructor(
    readonly kind: PythonErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'FairnessError';
  }
}

export function valueError(message: string): FairnessError {
  return new FairnessError('ValueError', message);
}

/** smclarify's `require(condition, message)`: a ValueError when the condition does not hold. */
export function require(condition: boolean, message: string): void {
  if (!condition) throw valueError(message);
}
