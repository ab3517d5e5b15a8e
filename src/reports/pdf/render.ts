import PDFDocument from 'pdfkit';
import type { ReportModel } from '../model/types.js';
import { PdfWriter } from './layout.js';
import {
  drawCloudTrail,
  drawConfig,
  drawControls,
  drawCover,
  drawEvidence,
  drawFairness,
  drawFurniture,
  drawInherited,
  drawInventory,
  drawInvocations,
  drawLineage,
  drawModelCards,
  drawScope,
  drawSummary,
  drawToc,
  reserveToc,
  type PageMap,
} from './sections.js';

export interface RenderPdfOptions {
  /**
   * Called after the last page is laid out, just before `doc.end()`: the place to add a signature placeholder
   * (`@signpdf/placeholder-pdfkit`). The document's current page is then the cover.
   */
  readonly onBeforeEnd?: (doc: PDFKit.PDFDocument) => void;
}

/**
 * Renders the pack as a PDF: embedded fonts (DejaVu with a CJK fallback), cover, table of contents with page
 * numbers and links, bookmarks per section, framework and control, running header and "page x of y" footer,
 * tables that break across pages with their header repeated, vector charts and lineage diagrams.
 *
 * Deterministic: the document dates are the model's `generatedAt` and pdfkit derives the file ID from the
 * document info, so the same model gives the same bytes. Written with pdfkit's defaults (classic xref table),
 * which incremental-update signing (@signpdf) relies on.
 */
export async function renderPdf(model: ReportModel, opts: RenderPdfOptions = {}): Promise<Buffer> {
  const at = new Date(model.cover.generatedAt);
  if (Number.isNaN(at.getTime())) throw new Error(`report model generatedAt is not a date: ${model.cover.generatedAt}`);
  const doc = new PDFDocument({
    autoFirstPage: false,
    bufferPages: true,
    size: 'A4',
    lang: 'en',
    displayTitle: true,
    info: {
      Title: `${model.cover.organisation}: ${model.cover.title}, ${model.cover.period.label}`,
      Author: model.cover.organisation,
      Subject: `Evidence pack ${model.packId} (${model.cover.frameworks.map((f) => f.name).join(', ')})`,
      Keywords: [model.packId, model.cover.period.label, ...model.cover.frameworks.map((f) => f.id)].join(' '),
      Creator: model.cover.generator.text,
      Producer: `${model.cover.generator.text} (pdfkit)`,
      CreationDate: at,
      ModDate: at,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  try {
    const w = new PdfWriter(doc);
    const pages: PageMap = new Map();
    drawCover(w, model);
    const tocPages = reserveToc(w, model);
    drawSummary(w, model, pages);
    drawScope(w, model, pages);
    drawControls(w, model, pages);
    drawCloudTrail(w, model, pages);
    drawConfig(w, model, pages);
    drawInventory(w, model, pages);
    drawModelCards(w, model, pages);
    drawFairness(w, model, pages);
    drawLineage(w, model, pages);
    drawInvocations(w, model, pages);
    drawInherited(w, model, pages);
    drawEvidence(w, model, pages);
    drawToc(w, model, tocPages, pages);
    drawFurniture(w, model);
    doc.switchToPage(0);
    opts.onBeforeEnd?.(doc);
  } catch (err) {
    doc.end();
    await done.catch(() => undefined);
    throw err;
  }
  doc.end();
  return done;
}
