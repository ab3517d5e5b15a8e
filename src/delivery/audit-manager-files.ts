import { evidencePath, observedEnd, observedStart } from '../bundle/layout.js';
import type { EvidenceItem } from '../evidence/model.js';
import type { ControlResult } from '../mappers/types.js';
import type { AssessmentResult } from '../pipeline/assess-stage.js';
import { csvRow } from '../reports/csv.js';
import { sha256Hex } from '../util/canonical-json.js';
import type { AuditManagerControlRef } from './types.js';

/**
 * The evidence file put on one Audit Manager control: the result of each auditpack control mapped to it and the
 * evidence it used, each item with its content and raw SHA-256 and, when delivered from a bundle, its path and
 * SHA-256 in the signed bundle manifest, so a reviewer can tie what Audit Manager shows back to the signed pack.
 * Deterministic: the same pack gives the same bytes, which is what makes the import ledger work.
 */

export const EVIDENCE_FILE_FORMAT = 'auditpack-audit-manager-evidence/1';
/** Audit Manager takes at most 100 MB per evidence file; this is the decimal reading, the stricter one. */
export const AUDIT_MANAGER_MAX_FILE_BYTES = 100_000_000;

export interface EvidenceEntry {
  readonly id: string;
  readonly kind: string;
  readonly collector: string;
  readonly account: string;
  readonly region: string;
  readonly resource: string | null;
  readonly status: string;
  readonly observedStart: string;
  readonly observedEnd: string;
  readonly contentSha256: string | null;
  readonly rawSha256: string | null;
  readonly bundlePath: string | null;
  readonly bundleSha256: string | null;
}

export interface BundleIndex {
  readonly name: string;
  readonly sha256: string;
  /** Path → SHA-256 of every file the signed manifest lists. */
  readonly files: ReadonlyMap<string, string>;
}

export function evidenceEntry(item: EvidenceItem, bundle: BundleIndex | null): EvidenceEntry {
  const p = evidencePath(item);
  const inBundle = bundle?.files.get(p) ?? null;
  const s = item.status;
  return {
    id: item.id,
    kind: item.kind,
    collector: item.collector,
    account: item.account,
    region: item.region,
    resource: item.resource,
    status: s.state === 'error' ? `error: ${s.code}` : s.state === 'not_applicable' ? `not_applicable: ${s.reason}` : s.state,
    observedStart: observedStart(item),
    observedEnd: observedEnd(item),
    contentSha256: item.content?.sha256 ?? null,
    rawSha256: item.raw?.sha256 ?? null,
    bundlePath: inBundle ? p : null,
    bundleSha256: inBundle,
  };
}

export interface EvidenceFile {
  readonly fileName: string;
  readonly body: Buffer;
  readonly sha256: string;
  readonly part: { readonly index: number; readonly count: number } | null;
}

export interface BuildInput {
  readonly assessment: AssessmentResult;
  readonly target: AuditManagerControlRef & { readonly assessmentId: string };
  readonly results: readonly ControlResult[];
  readonly evidence: readonly EvidenceEntry[];
  readonly bundle: BundleIndex | null;
  readonly format: 'json' | 'csv';
  readonly maxBytes: number;
}

export type BuildOutcome = { readonly ok: true; readonly files: readonly EvidenceFile[] } | { readonly ok: false; readonly detail: string };

function controlDoc(r: ControlResult): Record<string, unknown> {
  return {
    framework: r.framework,
    control: r.control,
    title: r.title,
    section: r.section,
    automation: r.automation,
    status: r.status,
    reasons: r.reasons,
    acceptedRisk: r.acceptedRisk ? { id: r.acceptedRisk.id, owner: r.acceptedRisk.owner, approver: r.acceptedRisk.approver, expires: r.acceptedRisk.expires } : null,
    manualRequest: r.manualRequest,
    evidenceIds: r.evidenceIds,
  };
}

const CSV_COLUMNS = [
  'pack_id',
  'bundle_sha256',
  'framework',
  'control',
  'title',
  'status',
  'reasons',
  'accepted_risk',
  'evidence_id',
  'kind',
  'account',
  'region',
  'resource',
  'evidence_status',
  'observed_start',
  'observed_end',
  'content_sha256',
  'raw_sha256',
  'bundle_path',
  'bundle_file_sha256',
] as const;

/** A file name Audit Manager accepts (1-300 characters, no slash) and S3 URLs allow: [A-Za-z0-9._-] only. */
export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '');
}

function fileName(input: BuildInput, sha: string, part: { index: number; count: number } | null): string {
  const refs = input.results.map((r) => `${r.framework}-${r.control}`);
  const subject = refs.length === 1 ? refs[0]! : `${refs[0]}-and-${refs.length - 1}-more`;
  const ext = input.format === 'json' ? 'json' : 'csv';
  const suffix = `${part ? `_part-${part.index}-of-${part.count}` : ''}_${sha.slice(0, 12)}.${ext}`;
  return safeName(`auditpack_${input.assessment.packId}_${subject}`).slice(0, 300 - suffix.length) + suffix;
}

/**
 * Renders the evidence file(s) for one Audit Manager control. When one file would exceed `maxBytes`, the evidence
 * list is split over several parts, each carrying the full control results; when even one evidence entry does not
 * fit, nothing is produced and the reason says so.
 */
export function buildEvidenceFiles(input: BuildInput): BuildOutcome {
  const a = input.assessment;
  const entries = input.evidence.map((e) => (input.format === 'json' ? JSON.stringify(e) : null));
  // Every part repeats the header; the part numbers are reserved at their widest.
  const widest = { index: Math.max(1, input.evidence.length), count: Math.max(1, input.evidence.length) };
  const head = (part: { index: number; count: number } | null): string =>
    input.format === 'json'
      ? JSON.stringify(
          {
            format: EVIDENCE_FILE_FORMAT,
            pack: {
              id: a.packId,
              organisation: a.organisation,
              period: { label: a.period.label, start: a.period.start, end: a.period.end },
              assessedAt: a.assessedAt,
              generator: a.generator,
              bundle: input.bundle ? { name: input.bundle.name, sha256: input.bundle.sha256 } : null,
            },
            auditManager: input.target,
            part,
            controls: input.results.map(controlDoc),
          },
          null,
          1,
        ).slice(0, -2) + ',\n "evidence": ['
      : csvRow(CSV_COLUMNS);
  const tail = input.format === 'json' ? '\n ]\n}\n' : '';
  const rows = input.format === 'csv' ? csvRows(input) : null;
  const units = input.format === 'json' ? entries.map((e) => `\n${e!}`) : rows!;
  const unitBytes = units.map((u) => Buffer.byteLength(u, 'utf8') + 1);
  const budget = input.maxBytes - Buffer.byteLength(head(widest), 'utf8') - Buffer.byteLength(tail, 'utf8');
  const tooBig = unitBytes.findIndex((b) => b > budget);
  if (budget <= 0 || tooBig >= 0) {
    return {
      ok: false,
      detail: `the evidence summary does not fit Audit Manager's ${input.maxBytes}-byte file limit even split into parts (${budget <= 0 ? 'the control results alone' : `evidence ${input.evidence[tooBig]?.id ?? ''}`} is too large); deliver the bundle to S3 instead`,
    };
  }
  const groups: string[][] = [];
  let current: string[] = [];
  let size = 0;
  units.forEach((u, i) => {
    if (current.length && size + unitBytes[i]! > budget) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(u);
    size += unitBytes[i]!;
  });
  groups.push(current);
  const files = groups.map((g, i) => {
    const part = groups.length > 1 ? { index: i + 1, count: groups.length } : null;
    const text = input.format === 'json' ? head(part) + g.join(',') + tail : head(part) + g.join('');
    const body = Buffer.from(text, 'utf8');
    const sha = sha256Hex(body);
    return { fileName: fileName(input, sha, part), body, sha256: sha, part };
  });
  return { ok: true, files };
}

function csvRows(input: BuildInput): string[] {
  const a = input.assessment;
  const byId = new Map(input.evidence.map((e) => [e.id, e]));
  const out: string[] = [];
  for (const r of input.results) {
    const base = [a.packId, input.bundle?.sha256 ?? '', r.framework, r.control, r.title, r.status, r.reasons.join(' | '), r.acceptedRisk?.id ?? ''];
    if (r.evidenceIds.length === 0) out.push(csvRow([...base, ...Array<string>(CSV_COLUMNS.length - base.length).fill('')]));
    for (const id of r.evidenceIds) {
      const e = byId.get(id);
      out.push(
        csvRow([
          ...base,
          id,
          e?.kind ?? '',
          e?.account ?? '',
          e?.region ?? '',
          e?.resource ?? '',
          e?.status ?? '',
          e?.observedStart ?? '',
          e?.observedEnd ?? '',
          e?.contentSha256 ?? '',
          e?.rawSha256 ?? '',
          e?.bundlePath ?? '',
          e?.bundleSha256 ?? '',
        ]),
      );
    }
  }
  return out;
}
