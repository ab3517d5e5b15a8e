import { detectPii } from './redact.js';
import { PII_TYPES } from './types.js';
import type { Detection, PiiType } from './types.js';

/** One labelled corpus record (test/fixtures/privacy/pii-corpus.jsonl). */
export interface LabelledRecord {
  id: string;
  text: string;
  entities: readonly Detection[];
}

export interface TypeMetrics {
  /** Labelled entities of this type. */
  gold: number;
  /** Detections of this type. */
  predicted: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** truePositives / gold; null when there is no labelled entity of this type. */
  recall: number | null;
  /** truePositives / predicted; null when nothing of this type was detected. */
  precision: number | null;
}

/** A miss or a spurious detection, by position only (the corpus text is synthetic, but reports stay text-free). */
export interface EvaluationError {
  recordId: string;
  kind: 'missed' | 'spurious';
  type: PiiType;
  start: number;
  end: number;
}

export interface CorpusEvaluation {
  records: number;
  /** Exact span match, or the same type with overlap ≥ this fraction of the longer span. */
  overlapThreshold: number;
  perType: Partial<Record<PiiType, TypeMetrics>>;
  overall: TypeMetrics;
  errors: EvaluationError[];
}

export const OVERLAP_THRESHOLD = 0.9;

function overlapRatio(a: Detection, b: Detection): number {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  if (inter <= 0) return 0;
  return inter / Math.max(a.end - a.start, b.end - b.start);
}

function metrics(tp: number, gold: number, predicted: number): TypeMetrics {
  return {
    gold,
    predicted,
    truePositives: tp,
    falsePositives: predicted - tp,
    falseNegatives: gold - tp,
    recall: gold === 0 ? null : tp / gold,
    precision: predicted === 0 ? null : tp / predicted,
  };
}

/**
 * Runs `detect` (default `detectPii`) over every record and scores it against the labels, per type and overall
 * (micro-averaged). A detection matches a label of the same type when the spans are equal or overlap by at least
 * 90% of the longer one; each label and each detection is matched at most once.
 */
export function evaluateCorpus(
  records: readonly LabelledRecord[],
  detect: (text: string) => Detection[] = detectPii,
): CorpusEvaluation {
  const gold = new Map<PiiType, number>();
  const predicted = new Map<PiiType, number>();
  const tp = new Map<PiiType, number>();
  const inc = (m: Map<PiiType, number>, t: PiiType): void => void m.set(t, (m.get(t) ?? 0) + 1);
  const errors: EvaluationError[] = [];

  for (const rec of records) {
    const found = detect(rec.text);
    const used = new Array<boolean>(found.length).fill(false);
    for (const p of found) inc(predicted, p.type);
    for (const g of rec.entities) {
      inc(gold, g.type);
      let best = -1;
      let bestRatio = 0;
      for (let i = 0; i < found.length; i++) {
        const p = found[i]!;
        if (used[i] || p.type !== g.type) continue;
        const ratio = p.start === g.start && p.end === g.end ? 1 : overlapRatio(p, g);
        if (ratio >= OVERLAP_THRESHOLD && ratio > bestRatio) {
          best = i;
          bestRatio = ratio;
        }
      }
      if (best >= 0) {
        used[best] = true;
        inc(tp, g.type);
      } else errors.push({ recordId: rec.id, kind: 'missed', type: g.type, start: g.start, end: g.end });
    }
    found.forEach((p, i) => {
      if (!used[i]) errors.push({ recordId: rec.id, kind: 'spurious', type: p.type, start: p.start, end: p.end });
    });
  }

  const perType: Partial<Record<PiiType, TypeMetrics>> = {};
  let tpAll = 0;
  let goldAll = 0;
  let predAll = 0;
  for (const t of PII_TYPES) {
    const g = gold.get(t) ?? 0;
    const p = predicted.get(t) ?? 0;
    if (g === 0 && p === 0) continue;
    const k = tp.get(t) ?? 0;
    perType[t] = metrics(k, g, p);
    tpAll += k;
    goldAll += g;
    predAll += p;
  }
  return {
    records: records.length,
    overlapThreshold: OVERLAP_THRESHOLD,
    perType,
    overall: metrics(tpAll, goldAll, predAll),
    errors,
  };
}
