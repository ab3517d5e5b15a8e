import { csvRow } from '../reports/csv.js';
import type { AssessmentResult } from '../pipeline/assess-stage.js';
import type { BundledEvidence } from './layout.js';

/**
 * The three indexes of a bundle, each as CSV (cells through csvCell: formula-safe) and JSON with the same rows.
 * Every row points into `evidence/` (and to the raw payload or attachment when there is one).
 */

type Row = Record<string, string>;

export interface IndexFile {
  readonly name: 'by-control' | 'by-source' | 'by-date';
  readonly columns: readonly string[];
  /** Produced lazily (by-control has one row per control and evidence item, which can be large): iterate once per file. */
  rows(): Iterable<Row>;
}

const EVIDENCE_COLUMNS = ['evidence_id', 'kind', 'collector', 'account', 'region', 'resource', 'evidence_status', 'observed_start', 'observed_end', 'evidence_file', 'raw_file', 'raw_sha256', 'raw_note'] as const;

function evidenceCells(e: BundledEvidence | null): Row {
  if (!e) return Object.fromEntries(EVIDENCE_COLUMNS.map((c) => [c, '']));
  return {
    evidence_id: e.id,
    kind: e.kind,
    collector: e.collector,
    account: e.account,
    region: e.region,
    resource: e.resource ?? '',
    evidence_status: e.statusDetail ? `${e.status}: ${e.statusDetail}` : e.status,
    observed_start: e.observedStart,
    observed_end: e.observedEnd,
    evidence_file: e.path,
    raw_file: e.rawPath ?? '',
    raw_sha256: e.rawSha256 ?? '',
    raw_note: e.rawNote,
  };
}

export class MissingEvidenceError extends Error {
  constructor(readonly control: string, readonly evidenceId: string) {
    super(`control ${control} cites evidence ${evidenceId}, which is not in the bundle`);
    this.name = 'MissingEvidenceError';
  }
}

/** One row per (framework, control, evidence item); a control without evidence gets one row with empty evidence cells. */
export function byControl(a: AssessmentResult, evidence: ReadonlyMap<string, BundledEvidence>): IndexFile {
  // Fail before anything is written if a control cites evidence that is not bundled.
  for (const f of a.frameworks) for (const r of f.results) for (const id of r.evidenceIds) if (!evidence.has(id)) throw new MissingEvidenceError(`${f.id} ${r.control}`, id);
  const columns = ['framework', 'control', 'title', 'control_status', 'accepted_risk', ...EVIDENCE_COLUMNS];
  return {
    name: 'by-control',
    columns,
    *rows() {
      for (const f of a.frameworks) {
        for (const r of f.results) {
          const head = { framework: f.id, control: r.control, title: r.title, control_status: r.status, accepted_risk: r.acceptedRisk?.id ?? '' };
          if (r.evidenceIds.length === 0) yield { ...head, ...evidenceCells(null) };
          for (const id of r.evidenceIds) yield { ...head, ...evidenceCells(evidence.get(id)!) };
        }
      }
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function bySource(evidence: Iterable<BundledEvidence>): IndexFile {
  const sorted = [...evidence].sort(
    (x, y) =>
      cmp(x.collector, y.collector) || cmp(x.account, y.account) || cmp(x.region, y.region) || cmp(x.kind, y.kind) || cmp(x.observedStart, y.observedStart) || cmp(x.id, y.id),
  );
  const columns = ['collector', 'account', 'region', 'kind', 'source', ...EVIDENCE_COLUMNS.filter((c) => !['collector', 'account', 'region', 'kind'].includes(c))];
  return {
    name: 'by-source',
    columns,
    *rows() {
      for (const e of sorted) yield { ...evidenceCells(e), source: e.sources };
    },
  };
}

export function byDate(evidence: Iterable<BundledEvidence>): IndexFile {
  const sorted = [...evidence].sort((x, y) => cmp(x.observedStart, y.observedStart) || cmp(x.observedEnd, y.observedEnd) || cmp(x.id, y.id));
  const columns = ['date', ...EVIDENCE_COLUMNS];
  return {
    name: 'by-date',
    columns,
    *rows() {
      for (const e of sorted) yield { date: e.observedStart.slice(0, 10), ...evidenceCells(e) };
    },
  };
}

export function* indexCsv(index: IndexFile): Generator<string> {
  yield csvRow(index.columns);
  for (const row of index.rows()) yield csvRow(index.columns.map((c) => row[c] ?? ''));
}

/** `{"packId":…,"index":…,"columns":[…],"rows":[{…},…]}` with one row per line. */
export function* indexJson(index: IndexFile, packId: string): Generator<string> {
  yield `{"packId":${JSON.stringify(packId)},"index":${JSON.stringify(index.name)},"columns":${JSON.stringify(index.columns)},"rows":[`;
  let first = true;
  for (const row of index.rows()) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(Object.fromEntries(index.columns.map((c) => [c, row[c] ?? ''])))}`;
    first = false;
  }
  yield '\n]}\n';
}
