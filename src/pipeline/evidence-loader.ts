import { readContent } from '../evidence/writer.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { EvidenceRecord } from '../mappers/types.js';
import type { Period } from '../util/time.js';
import { monthsBetween } from '../util/time.js';

/**
 * Loads the evidence an assessment of `period` may use: everything observed during the period, plus state
 * observed up to `assessedAt` and as far back as the freshness window (older state would be stale anyway).
 */
export async function loadEvidence(
  store: EvidenceStore,
  opts: { period: Period; assessedAt: string; freshnessDays: number },
): Promise<EvidenceRecord[]> {
  const from = new Date(Math.min(Date.parse(opts.period.start), Date.parse(opts.assessedAt) - opts.freshnessDays * 86_400_000)).toISOString();
  const to = new Date(Math.max(Date.parse(opts.period.end), Date.parse(opts.assessedAt))).toISOString();
  const out: EvidenceRecord[] = [];
  for await (const item of store.listItems({ months: monthsBetween(from, to) })) {
    out.push({ item, content: await readContent(store, item) });
  }
  return out.sort((a, b) => (a.item.id < b.item.id ? -1 : 1));
}
