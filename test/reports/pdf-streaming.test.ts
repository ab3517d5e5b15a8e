/**
 * What keeps the PDF drawing pass from holding the whole document: rows produced as tables draw them, the output
 * read as pages end, page content in one reused buffer, glyphs looked up once per code point, fill colours written
 * without pdfkit's per-call conversion. Structural checks only (no timing or memory measurements).
 */
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/reports/model/index.js';
import { FontSet } from '../../src/reports/pdf/fonts.js';
import { PdfWriter, type Cell } from '../../src/reports/pdf/layout.js';
import { compactPageContent, PdfBytes } from '../../src/reports/pdf/output.js';
import { renderPdf } from '../../src/reports/pdf/render.js';
import { estateAssessment, estateEvidence, reportOptions } from '../fixtures/reports/estate.js';

const AT = new Date('2026-11-01T00:00:00Z');

function newDoc(): PDFKit.PDFDocument {
  return new PDFDocument({
    autoFirstPage: false,
    bufferPages: false,
    fontLayoutCache: false,
    size: 'A4',
    info: { CreationDate: AT, ModDate: AT },
  });
}

/** Ends the document and returns its bytes (read the ordinary way, with a 'data' listener). */
function bytesOf(doc: PDFKit.PDFDocument, draw: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  draw();
  doc.end();
  return done;
}

describe('PDF drawing without holding the document', () => {
  it('PdfWriter.table asks for each row only after the rows before it are drawn', () => {
    const w = new PdfWriter(newDoc());
    w.newPage();
    const started: number[] = [];
    const asked: { row: number; startedBefore: number; page: number }[] = [];
    function* rows(): Generator<readonly Cell[]> {
      for (let i = 0; i < 200; i++) {
        asked.push({ row: i, startedBefore: started.length, page: w.page });
        yield [`row ${i}`, `evidence ${i}\nsecond line`];
      }
    }
    w.table(
      [
        { header: 'A', width: 1 },
        { header: 'B', width: 2 },
      ],
      rows(),
      { onRowStart: (i) => started.push(i) },
    );
    expect(started).toEqual(asked.map((a) => a.row));
    // Row i is produced when rows 0..i-1 have been drawn, not all up front.
    for (const a of asked) expect(a.startedBefore).toBe(a.row);
    expect(w.page).toBeGreaterThan(0);
    expect(asked[asked.length - 1]!.page).toBeGreaterThan(0);
  });

  it('renderPdf reads the output as pages end: nothing written is left waiting in the stream when drawing is done', async () => {
    const ev = estateEvidence({});
    const model = buildReportModel(estateAssessment(ev, {}), ev, reportOptions());
    let waiting = -1;
    let pages = 0;
    const pdf = await renderPdf(model, {
      onBeforeEnd: (doc) => {
        waiting = doc.readableLength;
        pages = (doc as unknown as { _root: { data: { Pages: { data: { Count: number } } } } })._root.data.Pages.data
          .Count;
      },
    });
    expect(pages).toBeGreaterThan(10);
    // Every page but the last one is written out by then; without draining, all of them would still be queued.
    expect(waiting).toBe(0);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('page content in one reused buffer gives the same bytes as pdfkit on its own', async () => {
    const draw = (doc: PDFKit.PDFDocument): void => {
      doc.registerFont('body', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');
      for (let p = 0; p < 3; p++) {
        doc.addPage({ size: 'A4' });
        for (let i = 0; i < 120; i++) {
          doc
            .font(i % 2 ? 'body' : 'Helvetica')
            .fontSize(7)
            .fillColor('#1d3557')
            .text(`line ${p}.${i} ✓ ${'x'.repeat(i % 40)}`, 40, 40 + i * 6, { lineBreak: false });
          doc
            .moveTo(40, 42 + i * 6)
            .lineTo(500, 42 + i * 6)
            .lineWidth(0.5)
            .stroke('#dde2e8');
        }
      }
    };
    const a = newDoc();
    const expected = await bytesOf(a, () => draw(a));
    const b = newDoc();
    const scratch = { buf: Buffer.allocUnsafe(64), used: 0 };
    b.on('pageAdded', () => compactPageContent(b, scratch));
    const actual = await bytesOf(b, () => draw(b));
    expect(scratch.buf.length).toBeGreaterThan(64);
    expect(actual.equals(expected)).toBe(true);
  });

  it('PdfBytes keeps the bytes in order across its blocks', () => {
    const out = new PdfBytes();
    const parts = [
      Buffer.alloc(10, 1),
      Buffer.alloc(PdfBytes.BLOCK, 2),
      Buffer.alloc(PdfBytes.BLOCK - 5, 3),
      Buffer.alloc(7, 4),
    ];
    for (const p of parts) out.append(p);
    expect(out.length).toBe(2 * PdfBytes.BLOCK + 12);
    expect(out.toBuffer().equals(Buffer.concat(parts))).toBe(true);
  });

  it('looks each code point up in the font once, however often it is drawn', () => {
    const doc = newDoc();
    const fonts = new FontSet(doc);
    doc.addPage();
    fonts.use('body');
    const font = (doc as unknown as { _font: { font: { glyphForCodePoint(cp: number): unknown } } })._font.font;
    const calls = new Map<number, number>();
    const original = font.glyphForCodePoint.bind(font);
    font.glyphForCodePoint = (cp: number) => {
      calls.set(cp, (calls.get(cp) ?? 0) + 1);
      return original(cp);
    };
    for (let i = 0; i < 50; i++) doc.text('abc ✓ abc', 40, 40 + i * 10, { lineBreak: false });
    expect([...calls.keys()].sort()).toEqual([...new Set('abc ✓'.split('').map((c) => c.codePointAt(0)!))].sort());
    for (const n of calls.values()) expect(n).toBe(1);
  });

  it("writes a text colour with the same operators as pdfkit's fillColor", async () => {
    const render = (color: string): Promise<Buffer> => {
      const doc = newDoc();
      const w = new PdfWriter(doc);
      return bytesOf(doc, () => {
        w.newPage();
        w.line('coloured', 40, 40, { color });
        w.line('default', 40, 60);
        w.line('coloured again', 40, 80, { color });
      });
    };
    // 'red' goes through pdfkit's own fillColor (a named colour), '#ff0000' through the writer's.
    expect((await render('#ff0000')).equals(await render('red'))).toBe(true);
  });
});
