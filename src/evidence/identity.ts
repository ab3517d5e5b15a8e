import { canonicalJson, sha256Hex } from '../util/canonical-json.js';
import type { CollectionStatus, ObservedAt } from './model.js';

/**
 * The id of an evidence item is the hash of what was observed, not of how or when it was fetched: provenance,
 * collectedAt and the raw payload are left out. So the live API collector and the export-directory source give
 * the same id for the same fact, and collecting it twice stores it once.
 */
export function evidenceId(parts: {
  collector: string;
  kind: string;
  account: string;
  region: string;
  resource: string | null;
  observedAt: ObservedAt;
  status: CollectionStatus;
  contentSha256: string | null;
}): string {
  return sha256Hex(canonicalJson(parts));
}
