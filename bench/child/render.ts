/**
 * One render measurement in its own process (peak RSS is this process's): `render.ts MODE ITEMS OUT` with MODE
 * pdf | pdf-floor | html | html-floor. The report model is the test estate's (every section filled) with its
 * evidence index replaced by ITEMS seeded rows; only the rendering is timed (HTML: best of three), not building
 * the model, compiling the templates or writing the file.
 */
import { writeFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import PDFDocument from 'pdfkit';
import type { ReportModel } from '../../src/reports/model/index.js';
import { createHtmlRenderer } from '../../src/reports/html/render.js';
import { FONT_FILES } from '../../src/reports/pdf/fonts.js';
import { CONTENT_WIDTH, PAGE, PdfWriter } from '../../src/reports/pdf/layout.js';
import { renderPdf } from '../../src/reports/pdf/render.js';
import { report } from '../lib/child.js';
import { packModel } from '../lib/pack-model.js';

type FloorLine = { readonly text: string; readonly font: 'body' | 'bold' | 'mono' };

/**
 * The lines the pack prints for each evidence row, per column, wrapped by our layout to the pack's column widths.
 * Computed before the floor is timed: the floor only draws them.
 */
function floorRows(model: ReportModel): FloorLine[][][] {
  const w = new PdfWriter(new PDFDocument({ autoFirstPage: false }));
  const size = 5.8;
  const shares = [1.45, 3.45, 2.2];
  const widths = shares.map((x) => (x / 7.1) * CONTENT_WIDTH - 7);
  const wrap = (text: string, i: number, font: FloorLine['font']): FloorLine[] => w.wrap(text, widths[i]!, font, size).map((t) => ({ text: t, font }));
  return model.evidence.items.map((it) => {
    const [first = '', ...rest] = `${it.kind}\n${it.location.label}${it.resource ? `\n${it.resource}` : ''}\n${it.statusText}`.split('\n');
    return [
      [...wrap(first, 0, 'bold'), ...wrap(rest.join('\n'), 0, 'body')],
      wrap(`${it.id}\n${it.contentSha256 ?? 'no content'}${it.rawSha256 ? `\n${it.rawSha256}\n(raw payload${it.rawSensitive ? ', sensitive: kept in the store only' : ''})` : ''}`, 1, 'mono'),
      wrap(`${it.sources.join('\n')}\n${it.provenance}\nobserved ${it.observed}\ncollected ${it.collectedAt}`, 2, 'body'),
    ];
  });
}

/** The floor: raw pdfkit, the same fonts, the same lines at the same positions (no layer, links, fills or furniture). */
async function pdfFloor(rows: readonly FloorLine[][][]): Promise<{ bytes: Buffer; pages: number }> {
  const doc = new PDFDocument({ autoFirstPage: false, size: 'A4' });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', FONT_FILES.body);
  doc.registerFont('bold', FONT_FILES.bold);
  doc.registerFont('mono', FONT_FILES.mono);
  const size = 5.8;
  const lh = size * 1.3;
  const shares = [1.45, 3.45, 2.2];
  const xs = shares.map((_, i) => PAGE.left + 3.5 + (shares.slice(0, i).reduce((a, b) => a + b, 0) / 7.1) * CONTENT_WIDTH);
  let pages = 0;
  let y = Infinity;
  for (const cells of rows) {
    const n = Math.max(1, ...cells.map((c) => c.length));
    if (y + n * lh + 6 > PAGE.height - PAGE.bottom) {
      doc.addPage({ size: 'A4', margin: 0 });
      pages++;
      y = PAGE.top;
    }
    cells.forEach((lines, i) => {
      lines.forEach((l, k) => {
        doc.font(l.font).fontSize(size).fillColor('#1f2933');
        doc.text(l.text, xs[i] ?? PAGE.left, y + 3 + k * lh, { lineBreak: false });
      });
    });
    y += n * lh + 6;
  }
  doc.end();
  return { bytes: await done, pages };
}

/** The HTML floor: the evidence rows (most of the document) built as one string with Handlebars' own escaping. */
function htmlFloor(model: ReportModel): string {
  const e = Handlebars.escapeExpression;
  const parts: string[] = ['<!doctype html><html><body><table><tbody>'];
  for (const it of model.evidence.items) {
    parts.push(
      `<tr id="${e(it.anchor)}"><td><span class="mono small wrap">${e(it.id)}</span><br><strong class="small">${e(it.kind)}</strong> <span class="small">${e(it.location.label)}</span>`,
      it.resource ? `<br><span class="mono small wrap muted">${e(it.resource)}</span>` : '',
      `</td><td class="mono small wrap">${it.contentSha256 ? e(it.contentSha256) : 'no content'}`,
      it.rawSha256 ? `<br>raw ${e(it.rawSha256)}${it.rawSensitive ? ' (sensitive, kept in the store)' : ''}` : '',
      `</td><td class="small wrap">${it.sources.map((s) => `${e(s)}<br>`).join('')}<span class="muted">${e(it.provenance)}</span></td>`,
      `<td class="small">${e(it.observed)}<br><span class="muted">collected ${e(it.collectedAt)}</span></td>`,
      `<td class="small"><span class="badge tone-${e(it.tone)}">${e(it.status)}</span>${it.contentSha256 ? '' : `<br>${e(it.statusText)}`}</td></tr>\n`,
    );
  }
  parts.push('</tbody></table></body></html>');
  return parts.join('');
}

function countPages(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;
}

async function main(): Promise<void> {
  const [mode, itemsArg, out] = process.argv.slice(2);
  const items = Number(itemsArg);
  if (!mode || !out || !Number.isInteger(items)) throw new Error('usage: render.ts pdf|pdf-floor|html|html-floor ITEMS OUT');
  const model = packModel(items);
  // What the process holds before rendering (runtime, fonts not yet loaded, the model): peak RSS minus this is
  // what rendering itself costs in memory.
  const baselineRssKb = Math.round(process.memoryUsage().rss / 1024);
  const rows = mode === 'pdf-floor' ? floorRows(model) : [];
  // Template compilation happens once per process (renderHtml caches the renderer; Handlebars compiles on the
  // first call): timed apart, by a first render of the same pack with one evidence item.
  const c0 = process.hrtime.bigint();
  const renderer = mode === 'html' ? createHtmlRenderer() : null;
  renderer?.({ ...model, evidence: { ...model.evidence, items: model.evidence.items.slice(0, 1) } });
  const compileSeconds = Number(process.hrtime.bigint() - c0) / 1e9;
  // Only rendering is timed (into memory); writing the file is the same for every mode.
  let output: Buffer | string = '';
  let pages: number | undefined;
  let seconds = Infinity;
  // HTML renders take a fraction of a second, where a busy shared machine adds noise: best of three.
  const repeat = mode.startsWith('html') ? 3 : 1;
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    if (mode === 'pdf') output = await renderPdf(model);
    else if (mode === 'pdf-floor') ({ bytes: output, pages } = await pdfFloor(rows));
    else if (renderer) output = renderer(model);
    else if (mode === 'html-floor') output = htmlFloor(model);
    else throw new Error(`unknown mode ${mode}`);
    seconds = Math.min(seconds, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  writeFileSync(out, output);
  if (mode === 'pdf' && typeof output !== 'string') pages = countPages(output);
  report(seconds, { bytes: Buffer.byteLength(output), pages, baselineRssKb, ...(renderer ? { compileSeconds } : {}) });
}

await main();
