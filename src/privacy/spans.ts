import { PII_TYPES } from './types.js';
import type { Detection, PiiType } from './types.js';

/** Counts detections per type; `result()` lists types in the canonical `PII_TYPES` order. */
export class Counter {
  private readonly counts = new Map<PiiType, number>();

  add(type: PiiType, n = 1): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + n);
  }

  result(): Partial<Record<PiiType, number>> {
    const out: Partial<Record<PiiType, number>> = {};
    for (const t of PII_TYPES) {
      const n = this.counts.get(t);
      if (n !== undefined) out[t] = n;
    }
    return out;
  }
}

/**
 * Adds the occurrences of known-sensitive literal strings (raw guardrail matches) to detector output.
 * A literal lying entirely inside one detection keeps that detection's type; otherwise the literal and every
 * detection it touches become one `GUARDRAIL_MATCH` span, so no part of either survives redaction.
 * Input detections must be non-overlapping and sorted; so is the output.
 */
export function mergeLiteralSpans(
  text: string,
  detections: readonly Detection[],
  literals: readonly string[],
): Detection[] {
  if (literals.length === 0) return [...detections];
  const items: { start: number; end: number; det: Detection | null }[] = detections.map((d) => ({
    start: d.start,
    end: d.end,
    det: d,
  }));
  let hasLiteral = false;
  for (const lit of literals) {
    if (lit.length === 0) continue;
    for (let i = text.indexOf(lit); i >= 0; i = text.indexOf(lit, i + 1)) {
      items.push({ start: i, end: i + lit.length, det: null });
      hasLiteral = true;
    }
  }
  if (!hasLiteral) return [...detections];
  items.sort((a, b) => a.start - b.start || b.end - a.end);

  const out: Detection[] = [];
  let i = 0;
  while (i < items.length) {
    const first = items[i]!;
    let end = first.end;
    const dets: Detection[] = [];
    let literalCount = 0;
    let j = i;
    for (; j < items.length && items[j]!.start < end; j++) {
      const it = items[j]!;
      end = Math.max(end, it.end);
      if (it.det) dets.push(it.det);
      else literalCount++;
    }
    if (literalCount === 0) out.push(...dets);
    else if (dets.length === 1 && dets[0]!.start === first.start && dets[0]!.end === end) out.push(dets[0]!);
    else out.push({ type: 'GUARDRAIL_MATCH', start: first.start, end });
    i = j;
  }
  return out;
}
