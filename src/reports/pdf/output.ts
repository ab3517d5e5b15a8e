/**
 * Memory of the drawing pass: what pdfkit would otherwise hold while a long document is drawn.
 *
 * - The document's output: pdfkit pushes every object it writes into its readable side. The drawing is synchronous,
 *   so a 'data' listener would only see the chunks once the whole document is drawn: every chunk (many of them small
 *   views that keep a 16 KiB zlib output buffer alive) would be held to the end. `PdfBytes` takes the bytes as each
 *   page ends, copied into compact blocks.
 * - A page's content stream: pdfkit turns every content operator into its own small byte array and keeps them
 *   all until the page ends. They live long enough for V8 to move them to the old generation, so a long document
 *   churns through the old generation and V8 grows its heap in proportion. `compactPageContent` copies the
 *   operators of the page being drawn into one reused buffer instead.
 */

/** The document's bytes as they are written: copied into blocks of 1 MiB, joined once at the end. */
export class PdfBytes {
  static readonly BLOCK = 1 << 20;
  private readonly full: Buffer[] = [];
  private block: Buffer = Buffer.allocUnsafeSlow(PdfBytes.BLOCK);
  private used = 0;

  get length(): number {
    return this.full.length * PdfBytes.BLOCK + this.used;
  }

  append(chunk: Uint8Array): void {
    let from = 0;
    while (from < chunk.length) {
      const n = Math.min(chunk.length - from, PdfBytes.BLOCK - this.used);
      this.block.set(chunk.subarray(from, from + n), this.used);
      this.used += n;
      from += n;
      if (this.used === PdfBytes.BLOCK) {
        this.full.push(this.block);
        this.block = Buffer.allocUnsafeSlow(PdfBytes.BLOCK);
        this.used = 0;
      }
    }
  }

  /** Reads everything the document has written so far (its readable side, in paused mode). */
  drain(doc: PDFKit.PDFDocument): void {
    for (let c = doc.read() as Uint8Array | null; c !== null; c = doc.read() as Uint8Array | null) this.append(c);
  }

  toBuffer(): Buffer {
    return Buffer.concat([...this.full, this.block.subarray(0, this.used)], this.length);
  }
}

/** The parts of pdfkit's PDFReference (a page's content stream) this relies on (pdfkit 0.20 internals). */
interface ContentStream {
  buffer: Uint8Array[];
  write: (this: ContentStream, chunk: string | Uint8Array) => void;
  finalize: (this: ContentStream) => void;
}

/**
 * Redirects the content stream of `doc`'s current page into one growing buffer shared by all pages (pages are
 * written one at a time: `bufferPages: false`), handed to pdfkit as a single chunk when the page is written. The
 * bytes are the same as pdfkit's own (`write` appends `chunk + '\n'` as Latin-1, `finalize` deflates the lot). Call
 * it once per page, right after `addPage` (pdfkit's 'pageAdded' event). Once the page is written the stream gets
 * pdfkit's own methods back: pdfkit keeps every page's objects to the end, and they must not keep these closures.
 */
export function compactPageContent(doc: PDFKit.PDFDocument, scratch: { buf: Buffer; used: number }): void {
  const content = (doc as unknown as { page: { content: ContentStream } }).page.content;
  const proto = Object.getPrototypeOf(content) as ContentStream;
  const reserve = (n: number): void => {
    if (scratch.used + n <= scratch.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(scratch.buf.length * 2, scratch.used + n));
    scratch.buf.copy(next, 0, 0, scratch.used);
    scratch.buf = next;
  };
  const append = (bytes: Uint8Array): void => {
    reserve(bytes.length);
    scratch.buf.set(bytes, scratch.used);
    scratch.used += bytes.length;
  };
  // What pdfkit wrote before the page was handed over (its initial transform) stays first.
  scratch.used = 0;
  for (const c of content.buffer) append(c);
  content.buffer = [];
  content.write = (chunk: string | Uint8Array): void => {
    if (typeof chunk !== 'string') return append(chunk);
    reserve(chunk.length + 1);
    scratch.used += scratch.buf.write(chunk, scratch.used, 'latin1');
    scratch.buf[scratch.used++] = 0x0a;
  };
  content.finalize = (): void => {
    content.write = proto.write;
    content.finalize = proto.finalize;
    // pdfkit's own write keeps Length and Filter up to date: one write of the whole page does the same.
    if (scratch.used > 0) content.write(new Uint8Array(scratch.buf.subarray(0, scratch.used)));
    scratch.used = 0;
    content.finalize();
  };
}
