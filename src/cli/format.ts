import type { AssessmentResult } from '../pipeline/assess-stage.js';
import type { ExportDirSummary } from '../sources/export-dir/index.js';

export function formatCollectSummary(s: ExportDirSummary): string {
  const lines = [`Collected from ${s.root} (${s.files} files)`];
  lines.push(`  ${'collector'.padEnd(12)} ${'collected'.padStart(9)} ${'n/a'.padStart(5)} ${'errors'.padStart(6)} ${'new'.padStart(6)}`);
  for (const [id, t] of Object.entries(s.byCollector).sort()) {
    lines.push(`  ${id.padEnd(12)} ${String(t.collected).padStart(9)} ${String(t.notApplicable).padStart(5)} ${String(t.errors).padStart(6)} ${String(t.newItems).padStart(6)}`);
  }
  if (s.skipped.length) lines.push(`  skipped ${s.skipped.length} file(s) that match no known layout (first: ${s.skipped[0]})`);
  for (const r of s.refused) lines.push(`  refused ${r.path}: ${r.reason}`);
  for (const e of s.errors.slice(0, 20)) lines.push(`  error: ${e}`);
  if (s.errors.length > 20) lines.push(`  … and ${s.errors.length - 20} more errors (see --json)`);
  return lines.join('\n');
}

export function formatAssessmentSummary(a: AssessmentResult): string {
  const lines = [
    `${a.organisation}: ${a.period.label} (assessed ${a.assessedAt}), ${a.evidence.total} evidence items, pack ${a.packId}`,
    `  ${'framework'.padEnd(10)} ${'controls'.padStart(8)} ${'satisfied'.padStart(9)} ${'exception'.padStart(9)} ${'gap'.padStart(5)} ${'manual'.padStart(6)} ${'n/a'.padStart(5)} ${'accepted'.padStart(8)}`,
  ];
  for (const f of a.frameworks) {
    const c = f.counts;
    lines.push(
      `  ${f.id.padEnd(10)} ${String(c.total).padStart(8)} ${String(c.satisfied).padStart(9)} ${String(c.exception).padStart(9)} ${String(c.gap).padStart(5)} ${String(c.manual).padStart(6)} ${String(c.not_applicable).padStart(5)} ${String(c.acceptedRisk).padStart(8)}`,
    );
  }
  for (const f of a.frameworks) {
    const top = f.results.filter((r) => r.status === 'exception' && !r.acceptedRisk).slice(0, 3);
    for (const r of top) lines.push(`  ${f.id} ${r.control} exception: ${(r.reasons[0] ?? '').replace(/^\[[a-z_]+\] /, '')}`);
  }
  return lines.join('\n');
}
