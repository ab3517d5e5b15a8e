import type { SourceRef } from '../evidence/model.js';
import type { RawPayload } from '../evidence/observation.js';

/**
 * What every normalizer is told about the payload it normalizes. The export-directory source builds it from a
 * file (path, sha256, mtime); the live collectors build it from the API call (operation, request id, call time).
 * Normalizers are pure: given the same response and meta they return the same observations.
 */
export interface NormalizeMeta {
  readonly account: string;
  readonly region: string;
  /** ISO instant at which the state was observed (API call time, or the CLI output file's mtime). */
  readonly observedAt: string;
  readonly sources: readonly SourceRef[];
  /** The raw payload as received, for chain of custody; null when the caller keeps it elsewhere. */
  readonly raw: RawPayload | null;
}

/**
 * A payload that cannot be normalized: wrong shape, missing required field, bad time format. The caller turns
 * it into an `error` evidence item that names the input and the problem; it is never retried.
 */
export class NormalizeError extends Error {
  constructor(
    /** The input that was wrong: a file path relative to the export root, or `service:Operation`. */
    readonly input: string,
    readonly problem: string,
    /** Evidence error code recorded on the error item. */
    readonly code: string = 'MalformedInput',
  ) {
    super(`${input}: ${problem}`);
    this.name = 'NormalizeError';
  }
}

/** Reads a property path from an unknown JSON value, for shape checks with precise error messages. */
export function field(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return (value as Record<string, unknown>)[key];
  return undefined;
}

export function asRecord(value: unknown, input: string, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new NormalizeError(input, `${what} must be a JSON object, got ${describe(value)}`, 'UnknownShape');
  }
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, input: string, what: string): unknown[] {
  if (!Array.isArray(value)) throw new NormalizeError(input, `${what} must be an array, got ${describe(value)}`, 'UnknownShape');
  return value;
}

export function requireString(obj: Record<string, unknown>, key: string, input: string, what: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.length === 0) {
    throw new NormalizeError(input, `${what}.${key} is required and must be a non-empty string, got ${describe(v)}`, 'MissingField');
  }
  return v;
}

export function optString(obj: Record<string, unknown>, key: string): string | null {
  const v = obj[key];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

export function optBool(obj: Record<string, unknown>, key: string): boolean | null {
  const v = obj[key];
  return typeof v === 'boolean' ? v : null;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  return typeof value;
}
