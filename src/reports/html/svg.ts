import type { FrameworkSummary, LineageGraph } from '../model/types.js';
import { INK, LINEAGE_FILLS, MUTED, RULE, STATUS_COLORS } from './palette.js';

/**
 * Inline SVG built from numbers and escaped text only. These strings are the only unescaped output of the HTML
 * templates, so every piece of text that goes in passes through `escapeXml` here.
 */

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** Cuts text to about `max` characters with an ellipsis (CJK counted double: they are twice as wide). */
export function fit(text: string, max: number): string {
  let w = 0;
  let out = '';
  for (const ch of text) {
    const cw = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
    if (w + cw > max) return `${out}…`;
    out += ch;
    w += cw;
  }
  return out;
}

const n = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** One stacked horizontal bar per framework: satisfied, exception, gap, manual, n/a. */
export function statusBarsSvg(frameworks: readonly FrameworkSummary[]): string {
  const width = 760;
  const labelW = 250;
  const barW = width - labelW - 60;
  const rowH = 34;
  const legendH = 30;
  const height = legendH + frameworks.length * rowH + 6;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-label="Control status per framework">`,
  );
  let lx = labelW;
  const statuses = frameworks[0]?.counts ?? [];
  for (const c of statuses) {
    parts.push(`<rect x="${lx}" y="6" width="12" height="12" rx="2" fill="${STATUS_COLORS[c.status]}"/>`);
    parts.push(`<text x="${lx + 17}" y="16" font-size="12" fill="${INK}">${escapeXml(c.label)}</text>`);
    lx += 20 + c.label.length * 7.5 + 14;
  }
  frameworks.forEach((f, i) => {
    const y = legendH + i * rowH;
    parts.push(`<text x="${labelW - 10}" y="${y + 19}" font-size="12" text-anchor="end" fill="${INK}">${escapeXml(fit(f.name, 34))}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 4}" width="${barW}" height="22" fill="#f2f4f7" stroke="${RULE}"/>`);
    let x = labelW;
    for (const c of f.counts) {
      if (c.count === 0 || f.total === 0) continue;
      const w = (c.count / f.total) * barW;
      parts.push(`<rect x="${n(x)}" y="${y + 4}" width="${n(w)}" height="22" fill="${STATUS_COLORS[c.status]}"><title>${escapeXml(`${f.name}: ${c.count} ${c.label}`)}</title></rect>`);
      if (w >= 22) parts.push(`<text x="${n(x + w / 2)}" y="${y + 19}" font-size="11" text-anchor="middle" fill="#ffffff">${c.count}</text>`);
      x += w;
    }
    parts.push(`<text x="${labelW + barW + 8}" y="${y + 19}" font-size="12" fill="${MUTED}">${f.total}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Geometry of a lineage diagram, in SVG user units. */
export const LINEAGE_GEOMETRY = { colW: 168, boxW: 142, boxH: 50, rowH: 66, pad: 8 } as const;

/** The lineage graph, layered left to right: typed boxes and arrows (dashed for missing stages). */
export function lineageSvg(g: LineageGraph): string {
  const { colW, boxW, boxH, rowH, pad } = LINEAGE_GEOMETRY;
  const width = pad * 2 + g.columns * colW - (colW - boxW);
  const height = pad + g.rows * rowH + 10;
  const pos = new Map<string, { x: number; y: number }>();
  for (const node of g.nodes) pos.set(node.key, { x: pad + node.col * colW, y: pad + node.row * rowH });
  const marker = `arrow-${g.anchor}`;
  const p: string[] = [];
  p.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="lineage" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-label="${escapeXml(`Lineage of ${g.title}`)}">`,
  );
  p.push(
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${MUTED}"/></marker></defs>`,
  );
  for (const e of g.edges) {
    const d = edgePath(e, pos);
    if (!d) continue;
    const dash = e.missing ? ' stroke-dasharray="4 3"' : '';
    const title = e.label ? `<title>${escapeXml(e.label)}</title>` : '';
    p.push(`<path d="${d}" fill="none" stroke="${MUTED}" stroke-width="1.3"${dash} marker-end="url(#${marker})">${title}</path>`);
  }
  for (const node of g.nodes) {
    const { x, y } = pos.get(node.key)!;
    const fill = node.missing ? '#fff5f5' : (LINEAGE_FILLS[node.type] ?? LINEAGE_FILLS['Other']!);
    const stroke = node.missing ? '#c62828' : '#8a96a3';
    const dash = node.missing ? ' stroke-dasharray="5 3"' : '';
    const tip = [node.type, node.label, node.arn, node.detail].filter((s): s is string => !!s).join('\n');
    p.push(`<g class="node${node.missing ? ' missing' : ''}"><title>${escapeXml(tip)}</title>`);
    p.push(`<rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="6" fill="${fill}" stroke="${stroke}"${dash}/>`);
    p.push(`<text x="${x + 8}" y="${y + 14}" font-size="10" fill="${MUTED}">${escapeXml(fit(node.type, 24))}</text>`);
    const lines = twoLines(node.label, 18);
    lines.forEach((l, k) => {
      p.push(`<text x="${x + 8}" y="${y + 30 + k * 14}" font-size="12" font-weight="bold" fill="${node.missing ? '#c62828' : INK}">${escapeXml(l)}</text>`);
    });
    p.push('</g>');
  }
  p.push('</svg>');
  return p.join('');
}

/** Up to two lines of about `max` characters, the second cut with an ellipsis. */
function twoLines(text: string, max: number): string[] {
  const chars = [...text];
  if (chars.length <= max) return [text];
  const first = chars.slice(0, max).join('');
  return [first, fit(chars.slice(max).join(''), max)];
}

/**
 * An edge to the next column runs from the right side of one box to the left side of the next; one that skips
 * columns, stays in its column or goes back loops below the boxes, from bottom to bottom.
 */
function edgePath(e: LineageGraph['edges'][number], pos: ReadonlyMap<string, { x: number; y: number }>): string | null {
  const { boxW, boxH, rowH, colW } = LINEAGE_GEOMETRY;
  const a = pos.get(e.from);
  const b = pos.get(e.to);
  if (!a || !b) return null;
  if (b.x > a.x && b.x - a.x <= colW * 1.01) {
    const x1 = a.x + boxW;
    const y1 = a.y + boxH / 2;
    const x2 = b.x - 2;
    const y2 = b.y + boxH / 2;
    const dx = Math.max(12, (x2 - x1) / 2);
    return `M${n(x1)},${n(y1)} C${n(x1 + dx)},${n(y1)} ${n(x2 - dx)},${n(y2)} ${n(x2)},${n(y2)}`;
  }
  const x1 = a.x + boxW * 0.7;
  const y1 = a.y + boxH;
  const x2 = b.x + boxW * 0.3;
  const y2 = b.y + boxH + 2;
  const low = Math.max(y1, y2) + (rowH - boxH) * 0.8;
  return `M${n(x1)},${n(y1)} C${n(x1)},${n(low)} ${n(x2)},${n(low)} ${n(x2)},${n(y2)}`;
}
