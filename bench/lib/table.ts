import type { BenchResult, Measurement } from './types.js';

function throughput(m: Measurement): string {
  const parts: string[] = [];
  if (m.events) parts.push(`${Math.round(m.events / m.seconds).toLocaleString('en-US')} events/s`);
  if (m.bytes) parts.push(`${(m.bytes / 2 ** 20 / m.seconds).toFixed(1)} MB/s`);
  if (m.items) parts.push(`${Math.round(m.items / m.seconds).toLocaleString('en-US')} items/s`);
  if (m.pages) parts.push(`${m.pages} pages`);
  return parts.join(', ');
}

function rows(results: readonly BenchResult[]): string[][] {
  const out: string[][] = [];
  for (const r of results) {
    for (const m of r.measurements)
      out.push([r.id, m.name, m.seconds.toFixed(3), m.peakRssMb === undefined ? '' : String(Math.round(m.peakRssMb)), throughput(m)]);
    for (const q of r.ratios) out.push([r.id, `ratio: ${q.name}`, q.value.toFixed(3), '', `target ${q.target}: ${q.met ? 'met' : 'MISSED'}`]);
  }
  return out;
}

const HEAD = ['suite', 'measurement', 'seconds', 'peak RSS MB', 'throughput / target'];

/** Plain aligned columns for the terminal and CI logs. */
export function formatTable(results: readonly BenchResult[]): string {
  const all = [HEAD, ...rows(results)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** The Markdown block docs/benchmarks.md carries between its markers. */
export function formatDocsTable(report: {
  generatedAt: string;
  size: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  results: readonly BenchResult[];
  /** Suites taken from an earlier run (`--merge`). */
  merged?: { generatedAt: string; ids: readonly string[] };
}): string {
  const m = report.machine;
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const from = report.merged?.ids.length ? ` Suites ${report.merged.ids.join(', ')}: from the run of ${report.merged.generatedAt} on the same machine (\`--merge\`).` : '';
  const lines = [
    `Run ${report.generatedAt}, size \`${report.size}\`, on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.${from}`,
    '',
    ...report.results.map((r) => `- **${r.id}**: ${esc(r.title)}. Input: ${esc(r.input)}.`),
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rows(report.results).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
  const notes = report.results.flatMap((r) => (r.notes ?? []).map((n) => `- ${r.id}: ${esc(n)}`));
  if (notes.length) lines.push('', 'Notes:', '', ...notes);
  return lines.join('\n');
}
