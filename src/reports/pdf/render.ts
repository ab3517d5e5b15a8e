import PDFDocument from 'pdfkit';
import type { ReportModel } from '../model/types.js';
import { FontSet } from './fonts.js';
import { PdfWriter } from './layout.js';
import { compactPageContent, PdfBytes } from './output.js';
import {
  drawCloudTrail,
  drawConfig,
  drawControls,
  drawCover,
  drawEvidence,
  drawFairness,
  drawInherited,
  drawInventory,
  drawInvocations,
  drawLineage,
  drawModelCards,
  drawPageFurniture,
  drawScope,
  drawSummary,
  drawTocPages,
  type PageMap,
} from './sections.js';

export interface RenderPdfOptions {
  /**
   * Called after the last page is laid out, just before `doc.end()`: the place to add a signature placeholder
   * (`@signpdf/placeholder-pdfkit`). The document's current page is then the last page (earlier pages are
   * already written out).
   */
  readonly onBeforeEnd?: (doc: PDFKit.PDFDocument) => void;
}

/** Every section in order; `tocPages` null in the layout pass (the table of contents is then left empty). */
function drawPack(w: PdfWriter, model: ReportModel, pages: PageMap, tocPages: PageMap | null): void {
  drawCover(w, model);
  drawTocPages(w, model, tocPages);
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
}

/** A document that records nothing: every method is a no-op that returns it again (pdfkit's calls chain). */
function nullDocument(): PDFKit.PDFDocument {
  const target = (): void => undefined;
  const proxy: object = new Proxy(target, { get: () => proxy, apply: () => proxy });
  return proxy as PDFKit.PDFDocument;
}

/**
 * The layout pass: runs the same drawing code against a document that records nothing, measuring with the real
 * fonts, to learn what the drawing pass must know before it reaches the end: the number of pages ("page x of y")
 * and the page of every table-of-contents entry.
 */
function layoutPass(model: ReportModel): { pageCount: number; pages: PageMap } {
  const w = new PdfWriter(nullDocument(), { fonts: new FontSet(new PDFDocument({ autoFirstPage: false })) });
  const pages: PageMap = new Map();
  drawPack(w, model, pages, null);
  return { pageCount: w.page + 1, pages };
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
  const layout = layoutPass(model);
  // Pages are not buffered: pdfkit writes each page out when the next one starts, so memory does not grow with
  // the page count. Whatever needs the whole document (page totals, table-of-contents page numbers) comes from
  // the layout pass. No font layout cache either: the drawing uses a plain glyph mapping (fonts.ts), and the cache
  // would keep every distinct word of the pack (ids, hashes, ARNs) for the life of the document.
  const doc = new PDFDocument({
    autoFirstPage: false,
    bufferPages: false,
    fontLayoutCache: false,
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
  // The output is read as pages end and each page's content goes to one reused buffer (output.ts): neither grows
  // with the page count.
  const out = new PdfBytes();
  const scratch = { buf: Buffer.allocUnsafeSlow(256 * 1024), used: 0 };
  doc.on('pageAdded', () => compactPageContent(doc, scratch));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('readable', () => out.drain(doc));
    doc.on('end', () => resolve(out.toBuffer()));
    doc.on('error', reject);
  });

  try {
    const w: PdfWriter = new PdfWriter(doc, {
      onLeavePage: (i) => {
        drawPageFurniture(w, model, i, layout.pageCount);
        // pdfkit writes a page out when the next one starts: this takes the bytes of the page before this one.
        out.drain(doc);
      },
    });
    const pages: PageMap = new Map();
    drawPack(w, model, pages, layout.pages);
    w.finish();
    if (w.page + 1 !== layout.pageCount) throw new Error(`internal: the layout pass counted ${layout.pageCount} pages, the drawing ${w.page + 1}`);
    opts.onBeforeEnd?.(doc);
  } catch (err) {
    doc.end();
    await done.catch(() => undefined);
    throw err;
  }
  doc.end();
  out.drain(doc);
  return done;
}
