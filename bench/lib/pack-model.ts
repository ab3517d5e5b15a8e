/** The pack fixture: the test estate's report model (every section filled) with N seeded evidence-index rows. */
import { createHash } from 'node:crypto';
import { buildReportModel, type ReportModel } from '../../src/reports/model/index.js';
import type { EvidenceIndexRow } from '../../src/reports/model/types.js';
import { estateAssessment, estateEvidence, reportOptions } from '../../test/fixtures/reports/estate.js';
import { pick, seededRandom } from './seed-random.js';

const SEED = 7_002;

function hex(r: () => number): string {
  return createHash('sha256').update(String(r())).digest('hex');
}

/** ITEMS evidence rows shaped like the estate's, with seeded ids, hashes, resources and sources. */
export function packModel(items: number): ReportModel {
  const ev = estateEvidence({});
  const base = buildReportModel(estateAssessment(ev, {}), ev, reportOptions());
  const r = seededRandom(SEED);
  const templates = base.evidence.items;
  const rows: EvidenceIndexRow[] = [];
  for (let i = 0; i < items; i++) {
    const t = templates[i % templates.length]!;
    const id = hex(r);
    const day = String(1 + (i % 28)).padStart(2, '0');
    const file = `AWSLogs/${t.location.account}/CloudTrail/${t.location.region}/2026/10/${day}/${t.location.account}_CloudTrail_${t.location.region}_202610${day}T${String(i % 24).padStart(2, '0')}05Z_${hex(r).slice(0, 16)}.json.gz`;
    const status = pick(r, ['collected', 'collected', 'collected', 'collected', 'error', 'not_applicable'] as const);
    rows.push({
      ...t,
      id,
      anchor: `ev-${id}`,
      resource: t.resource ? `${t.resource}-${i}` : null,
      contentSha256: status === 'collected' ? hex(r) : null,
      rawSha256: r() < 0.3 ? hex(r) : null,
      rawSensitive: r() < 0.1,
      sources: r() < 0.7 ? [`file ${file}#Records[${i % 500}] (sha256 ${hex(r).slice(0, 16)}…)`] : [`api ${t.collector}:Describe${t.kind.split('.')[1] ?? 'Thing'} (request id ${hex(r).slice(0, 8)}-${hex(r).slice(0, 4)})`],
      status,
      statusText: status === 'collected' ? 'collected' : status === 'error' ? 'error AccessDenied: not authorized to perform the action' : 'not applicable: service not offered in this region',
      tone: status === 'collected' ? 'good' : status === 'error' ? 'bad' : 'neutral',
    });
  }
  return { ...base, evidence: { ...base.evidence, total: rows.length, items: rows } };
}

