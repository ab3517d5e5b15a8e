import type { AssessmentResult } from '../pipeline/assess-stage.js';

/**
 * One CSV cell, safe to open in a spreadsheet: quoted, quotes doubled, and a value that a spreadsheet would run
 * as a formula (leading = + - @, tab or carriage return) prefixed with an apostrophe. Control characters other
 * than tab and newline are dropped.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

export const CONTROL_CSV_HEADER = [
  'framework',
  'control',
  'section',
  'title',
  'automation',
  'status',
  'accepted_risk',
  'accepted_risk_owner',
  'accepted_risk_expires',
  'reasons',
  'manual_request',
  'evidence_ids',
] as const;

/** The control matrix of every framework, one row per control. */
export function renderControlsCsv(result: AssessmentResult): string {
  let out = csvRow(CONTROL_CSV_HEADER);
  for (const f of result.frameworks) {
    for (const r of f.results) {
      out += csvRow([
        f.id,
        r.control,
        r.section,
        r.title,
        r.automation,
        r.status,
        r.acceptedRisk?.id ?? '',
        r.acceptedRisk?.owner ?? '',
        r.acceptedRisk?.expires.slice(0, 10) ?? '',
        r.reasons.join(' | '),
        r.manualRequest ?? '',
        r.evidenceIds.join(' '),
      ]);
    }
  }
  return out;
}
