/**
 * Strict ISO-8601 handling. CloudTrail, Config and Bedrock all emit `YYYY-MM-DDTHH:mm:ss(.fff)Z`; anything else
 * (for example the `2025-03-26 16:43:57.000000000` some tools rewrite events to) is rejected rather than guessed.
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export class InvalidTimeError extends Error {
  constructor(readonly value: unknown) {
    super(`not an ISO-8601 instant with a time zone: ${JSON.stringify(value)?.slice(0, 80)}`);
    this.name = 'InvalidTimeError';
  }
}

/** Normalizes an ISO-8601 instant to `YYYY-MM-DDTHH:mm:ss.sssZ` (UTC). */
export function toIsoInstant(value: unknown): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidTimeError(String(value));
    return value.toISOString();
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Epoch seconds, as the AWS CLI prints some timestamps; milliseconds beyond year 2286 are not a concern.
    const ms = value > 1e11 ? value : value * 1000;
    return new Date(ms).toISOString();
  }
  if (typeof value !== 'string') throw new InvalidTimeError(value);
  const m = ISO_INSTANT.exec(value);
  if (!m) throw new InvalidTimeError(value);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidTimeError(value);
  return d.toISOString();
}

export function isIsoInstant(value: unknown): boolean {
  try {
    toIsoInstant(value);
    return true;
  } catch {
    return false;
  }
}

/** `2026-10` → [2026-10-01T00:00:00.000Z, 2026-11-01T00:00:00.000Z) */
export interface Period {
  readonly label: string;
  readonly start: string;
  readonly end: string;
}

export function parsePeriod(label: string): Period {
  const month = /^(\d{4})-(\d{2})$/.exec(label);
  if (month) {
    const y = Number(month[1]);
    const mo = Number(month[2]);
    if (mo < 1 || mo > 12) throw new Error(`period "${label}": month must be 01-12`);
    return { label, start: new Date(Date.UTC(y, mo - 1, 1)).toISOString(), end: new Date(Date.UTC(y, mo, 1)).toISOString() };
  }
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(label);
  if (range) {
    const start = new Date(`${range[1]}T00:00:00.000Z`);
    const endInclusive = new Date(`${range[2]}T00:00:00.000Z`);
    if (Number.isNaN(start.getTime()) || Number.isNaN(endInclusive.getTime()) || endInclusive < start) {
      throw new Error(`period "${label}": expected START..END with START <= END`);
    }
    const end = new Date(endInclusive.getTime() + 86_400_000);
    return { label, start: start.toISOString(), end: end.toISOString() };
  }
  throw new Error(`period "${label}": expected YYYY-MM (a month) or YYYY-MM-DD..YYYY-MM-DD (inclusive days)`);
}

/** The months (YYYY-MM) a [start, end) window touches. */
export function monthsBetween(start: string, end: string): string[] {
  const out: string[] = [];
  const s = new Date(start);
  const e = new Date(end);
  let y = s.getUTCFullYear();
  let m = s.getUTCMonth();
  for (;;) {
    const monthStart = Date.UTC(y, m, 1);
    if (monthStart >= e.getTime() && out.length > 0) break;
    out.push(`${y}-${String(m + 1).padStart(2, '0')}`);
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
    if (out.length > 120) break;
  }
  return out;
}
