import { FontSet, type FontKey } from './fonts.js';

/**
 * A small layout engine over pdfkit: explicit positions, our own line wrapping (measured with cached glyph
 * advances), page breaks we decide, tables whose rows break across pages with the header repeated. Text is drawn
 * with `lineBreak: false` at computed positions, so pdfkit never wraps, measures twice or adds pages by itself.
 */

export const PAGE = { width: 595.28, height: 841.89, left: 44, right: 44, top: 58, bottom: 54 } as const;
export const CONTENT_WIDTH = PAGE.width - PAGE.left - PAGE.right;
const BOTTOM = PAGE.height - PAGE.bottom;
const LINE_OPTIONS = { lineBreak: false } as const;
/** Wrapping keeps this share of the width free: measuring ignores kerning. */
const WRAP_SLACK = 0.985;

export interface TextStyle {
  readonly font?: FontKey;
  readonly size?: number;
  readonly color?: string;
}

export interface CellSpec {
  readonly text: string;
  readonly font?: FontKey;
  readonly color?: string;
  /** Draw the first paragraph as a coloured pill (status, verdict); it is never wrapped. */
  readonly badge?: string;
  /** Draw the first paragraph in bold (an id or title above details). */
  readonly boldFirst?: boolean;
  /** Named destination to link the cell to. */
  readonly link?: string;
  /** Named destination placed at this row (a row others link to). */
  readonly anchor?: string;
}

export type Cell = string | CellSpec;

export interface Column {
  readonly header: string;
  /** Share of the table width left after fixed columns (the shares are normalized). */
  readonly width: number;
  /** A fixed width in points instead of a share. */
  readonly pt?: number;
  readonly align?: 'left' | 'right';
  readonly font?: FontKey;
}

export interface TableOptions {
  readonly size?: number;
  readonly header?: boolean;
  /** Background colour per row, e.g. to mark failed attempts. */
  readonly rowFill?: (index: number) => string | null;
  readonly zebra?: boolean;
  /** Called once per row, when its first line is about to be drawn (cursor and page are the row's). */
  readonly onRowStart?: (index: number) => void;
}

export interface Heading {
  readonly title: string;
  readonly level: 1 | 2 | 3;
  readonly page: number;
}

interface LaidLine {
  readonly text: string;
  readonly font: FontKey;
  readonly badge: boolean;
}

interface LaidCell {
  readonly lines: LaidLine[];
  readonly spec: CellSpec;
}

export class PdfWriter {
  readonly fonts: FontSet;
  y: number = PAGE.top;
  /** Page index → running-header title. */
  readonly pageTitles: string[] = [];
  currentTitle = '';
  private pageCount = 0;

  private readonly onLeavePage: ((page: number) => void) | null;
  private readonly fillOps = new Map<string, string>();

  /**
   * `fonts`: measure with these instead of fonts registered on `doc` (a layout-only pass draws on a document that
   * records nothing). `onLeavePage`: called with a page's index when the writer is done with it (before the next
   * page starts, and from `finish()`), the last moment to draw on it when pdfkit writes pages out as they end.
   */
  constructor(
    readonly doc: PDFKit.PDFDocument,
    opts: { readonly fonts?: FontSet; readonly onLeavePage?: (page: number) => void } = {},
  ) {
    this.fonts = opts.fonts ?? new FontSet(doc);
    this.onLeavePage = opts.onLeavePage ?? null;
  }

  get page(): number {
    return this.pageCount - 1;
  }

  get bottom(): number {
    return BOTTOM;
  }

  /** Starts a new page (documents are created with `autoFirstPage: false`). */
  newPage(): void {
    if (this.pageCount > 0) this.onLeavePage?.(this.page);
    this.doc.addPage({ size: 'A4', margins: { top: PAGE.top, bottom: PAGE.bottom, left: PAGE.left, right: PAGE.right } });
    this.pageCount += 1;
    this.pageTitles.push(this.currentTitle);
    this.y = PAGE.top;
  }

  /** Done with the last page (see `onLeavePage`). */
  finish(): void {
    if (this.pageCount > 0) this.onLeavePage?.(this.page);
  }

  /** Makes sure `h` points fit below the cursor, else breaks the page. Returns true when it broke. */
  ensure(h: number): boolean {
    if (this.y + h > BOTTOM) {
      this.newPage();
      return true;
    }
    return false;
  }

  // Text ------------------------------------------------------------------------------------------------------

  /** Draws one line of text (no wrapping) at x, y, switching to the fallback font where needed. Returns its width. */
  line(text: string, x: number, y: number, style: TextStyle = {}): number {
    const font = style.font ?? 'body';
    const size = style.size ?? 9;
    const doc = this.doc;
    this.fillColor(style.color ?? '#1f2933');
    doc.fontSize(size);
    if (this.fonts.plain(text, font)) {
      this.fonts.use(font);
      doc.text(text, x, y, LINE_OPTIONS);
      return this.fonts.measure(text, font, size);
    }
    let cx = x;
    for (const run of this.fonts.runs(text, font, size)) {
      this.fonts.use(run.font);
      doc.text(run.text, cx, y, LINE_OPTIONS);
      cx += run.width;
    }
    return cx - x;
  }

  /**
   * Sets the fill colour for text: the operators pdfkit's `fillColor` writes for a `#rrggbb` colour, built once
   * per colour. (pdfkit converts the three components to strings on every call, garbage that V8 allocates in
   * the old generation: a large part of what a long document churns through.)
   */
  private fillColor(color: string): void {
    let op = this.fillOps.get(color);
    if (op === undefined) {
      if (!/^#[0-9a-f]{6}$/i.test(color)) {
        this.doc.fillColor(color);
        return;
      }
      const hex = parseInt(color.slice(1), 16);
      op = `/DeviceRGB cs\n${[hex >> 16, (hex >> 8) & 0xff, hex & 0xff].map((part) => part / 255).join(' ')} scn`;
      this.fillOps.set(color, op);
    }
    this.doc.addContent(op);
  }

  /** Splits text into lines no wider than `width` (breaking long words such as ARNs and hashes where it must). */
  wrap(text: string, width: number, font: FontKey = 'body', size = 9): string[] {
    const limit = width * WRAP_SLACK;
    const out: string[] = [];
    // eslint-disable-next-line no-control-regex
    const clean = text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
    const space = this.fonts.measure(' ', font, size);
    for (const para of clean.split('\n')) {
      let line = '';
      let lineW = 0;
      for (const word of para.split(' ')) {
        if (word === '') continue;
        const w = this.fonts.measure(word, font, size);
        const sep = line ? space : 0;
        if (lineW + sep + w <= limit) {
          line += (line ? ' ' : '') + word;
          lineW += sep + w;
          continue;
        }
        if (line) {
          out.push(line);
          line = '';
          lineW = 0;
        }
        if (w <= limit) {
          line = word;
          lineW = w;
          continue;
        }
        // A word wider than the column: cut it, preferring a cut after / : | , . - _ = &
        let chunk = '';
        let chunkW = 0;
        let soft = -1;
        for (const ch of word) {
          const cw = this.fonts.measure(ch, font, size);
          if (chunkW + cw > limit && chunk) {
            if (soft > 0 && soft < chunk.length) {
              out.push(chunk.slice(0, soft));
              chunk = chunk.slice(soft);
              chunkW = this.fonts.measure(chunk, font, size);
            } else {
              out.push(chunk);
              chunk = '';
              chunkW = 0;
            }
            soft = -1;
          }
          chunk += ch;
          chunkW += cw;
          if ('/:|,.-_=&'.includes(ch)) soft = chunk.length;
        }
        line = chunk;
        lineW = chunkW;
      }
      out.push(line);
    }
    return out;
  }

  /** Cuts text to one line of `width`, with an ellipsis. */
  fit(text: string, width: number, font: FontKey = 'body', size = 9): string {
    if (this.fonts.measure(text, font, size) <= width) return text;
    const ell = this.fonts.measure('…', font, size);
    let out = '';
    let w = 0;
    for (const ch of text) {
      const cw = this.fonts.measure(ch, font, size);
      if (w + cw + ell > width) break;
      out += ch;
      w += cw;
    }
    return `${out}…`;
  }

  /** A wrapped paragraph at the cursor; breaks pages between lines. */
  paragraph(text: string, style: TextStyle & { indent?: number; gap?: number; width?: number } = {}): void {
    const size = style.size ?? 9;
    const lh = size * 1.32;
    const x = PAGE.left + (style.indent ?? 0);
    const width = style.width ?? CONTENT_WIDTH - (style.indent ?? 0);
    for (const l of this.wrap(text, width, style.font ?? 'body', size)) {
      this.ensure(lh);
      this.line(l, x, this.y, style);
      this.y += lh;
    }
    this.y += style.gap ?? 4;
  }

  /** Label/value pairs in two columns (both wrap; a pair may continue on the next page). */
  keyValues(pairs: readonly { label: string; value: string; color?: string }[], opts: { labelWidth?: number; size?: number } = {}): void {
    const size = opts.size ?? 9;
    const lh = size * 1.35;
    const lw = opts.labelWidth ?? 120;
    for (const p of pairs) {
      const labels = this.wrap(p.label, lw - 8, 'bold', size);
      const values = this.wrap(p.value, CONTENT_WIDTH - lw, 'body', size);
      const n = Math.max(labels.length, values.length);
      this.ensure(lh * Math.min(n, 3));
      for (let k = 0; k < n; k++) {
        this.ensure(lh);
        if (k < labels.length) this.line(labels[k]!, PAGE.left, this.y, { font: 'bold', size, color: '#5f6b7a' });
        if (k < values.length) this.line(values[k]!, PAGE.left + lw, this.y, { size, color: p.color });
        this.y += lh;
      }
      this.y += 1.5;
    }
    this.y += 4;
  }

  // Tables ----------------------------------------------------------------------------------------------------

  /**
   * A table. `rows` may be any iterable and is read one row at a time, each row drawn before the next is asked
   * for: a long table (the evidence index) can produce its rows as it goes instead of holding all of them.
   */
  table(columns: readonly Column[], rows: Iterable<readonly Cell[]>, opts: TableOptions = {}): void {
    const size = opts.size ?? 7.5;
    const lh = size * 1.3;
    const padX = 3.5;
    const padY = 3;
    const widths = this.columnWidths(columns, size, padX);
    const xs: number[] = [];
    let acc = PAGE.left;
    for (const w of widths) {
      xs.push(acc);
      acc += w;
    }
    const showHeader = opts.header !== false;
    const headerLines = columns.map((c, i) => this.wrap(c.header, widths[i]! - 2 * padX, 'bold', size));
    const headerH = showHeader ? Math.max(...headerLines.map((l) => l.length)) * lh + 2 * padY : 0;
    const drawHeader = (): void => {
      if (!showHeader) return;
      this.doc.rect(PAGE.left, this.y, CONTENT_WIDTH, headerH).fill('#eef1f5');
      columns.forEach((c, i) => {
        headerLines[i]!.forEach((l, k) => {
          const x = c.align === 'right' ? xs[i]! + widths[i]! - padX - this.fonts.measure(l, 'bold', size) : xs[i]! + padX;
          this.line(l, x, this.y + padY + k * lh, { font: 'bold', size, color: '#3b4754' });
        });
      });
      this.y += headerH;
      this.rule(this.y, '#9aa5b1');
    };
    this.ensure(headerH + lh + 2 * padY);
    drawHeader();

    let ri = -1;
    for (const row of rows) {
      ri += 1;
      const cells: LaidCell[] = columns.map((c, i) => {
        const raw = row[i] ?? '';
        const spec: CellSpec = typeof raw === 'string' ? { text: raw } : raw;
        const font = spec.font ?? c.font ?? 'body';
        return { lines: this.layCell(spec, font, widths[i]! - 2 * padX, size), spec: { ...spec, font } };
      });
      const nLines = Math.max(1, ...cells.map((c) => c.lines.length));
      const fill = opts.rowFill?.(ri) ?? (opts.zebra && ri % 2 === 1 ? '#f8f9fb' : null);
      let from = 0;
      while (from < nLines) {
        const avail = Math.floor((BOTTOM - this.y - 2 * padY) / lh);
        if (avail < 1 || (from === 0 && avail < nLines && nLines * lh + 2 * padY <= BOTTOM - PAGE.top - headerH)) {
          this.newPage();
          drawHeader();
          continue;
        }
        if (from === 0) opts.onRowStart?.(ri);
        const to = Math.min(nLines, from + avail);
        const h = (to - from) * lh + 2 * padY;
        if (fill) this.doc.rect(PAGE.left, this.y, CONTENT_WIDTH, h).fill(fill);
        cells.forEach((cell, i) => {
          const spec = cell.spec;
          if (from === 0 && spec.anchor) this.anchor(spec.anchor, this.y);
          for (let k = from; k < Math.min(to, cell.lines.length); k++) {
            const l = cell.lines[k]!;
            const ly = this.y + padY + (k - from) * lh;
            const w = this.fonts.measure(l.text, l.font, size) + (l.badge ? 8 : 0);
            let x = columns[i]!.align === 'right' ? xs[i]! + widths[i]! - padX - w : xs[i]! + padX;
            if (l.badge) {
              this.doc.roundedRect(x, ly - 0.8, w, lh, lh / 2).fill(spec.badge);
              x += 4;
            }
            this.line(l.text, x, ly, { font: l.font, size, color: l.badge ? '#ffffff' : (spec.color ?? (spec.link ? '#1d3557' : undefined)) });
            if (spec.link) this.doc.goTo(x, ly, w, lh, spec.link);
          }
        });
        this.y += h;
        this.rule(this.y, '#dde2e8');
        from = to;
      }
    }
    this.y += 8;
  }

  /**
   * Column widths in points: fixed ones as given, the rest by share; a column narrower than the longest word of
   * its header is widened (taking the room from the others), so headers never break inside a word.
   */
  private columnWidths(columns: readonly Column[], size: number, padX: number): number[] {
    const min = columns.map((c) => Math.max(0, ...c.header.split(' ').map((word) => this.fonts.measure(word, 'bold', size))) / WRAP_SLACK + 2 * padX + 0.5);
    const fixed: (number | null)[] = columns.map((c) => c.pt ?? null);
    for (let round = 0; round < columns.length; round++) {
      const room = CONTENT_WIDTH - fixed.reduce<number>((s, w) => s + (w ?? 0), 0);
      const shares = columns.reduce((s, c, i) => s + (fixed[i] === null ? c.width : 0), 0);
      const widths = columns.map((c, i) => fixed[i] ?? (shares > 0 ? (c.width / shares) * room : 0));
      const narrow = widths.findIndex((w, i) => fixed[i] === null && w < min[i]!);
      if (narrow < 0) return widths;
      fixed[narrow] = min[narrow]!;
    }
    return columns.map((c, i) => fixed[i] ?? 0);
  }

  /** Lines of one table cell: the first paragraph may be a pill or bold, the rest wrap in the cell's font. */
  private layCell(spec: CellSpec, font: FontKey, width: number, size: number): LaidLine[] {
    if (spec.text === '') return [];
    if (!spec.badge && !spec.boldFirst) return this.wrap(spec.text, width, font, size).map((text) => ({ text, font, badge: false }));
    const nl = spec.text.indexOf('\n');
    const first = nl < 0 ? spec.text : spec.text.slice(0, nl);
    const rest = nl < 0 ? null : spec.text.slice(nl + 1);
    const out: LaidLine[] = spec.badge
      ? [{ text: this.fit(first, width - 8, 'bold', size), font: 'bold', badge: true }]
      : this.wrap(first, width, 'bold', size).map((text) => ({ text, font: 'bold', badge: false }));
    if (rest !== null) for (const text of this.wrap(rest, width, font, size)) out.push({ text, font, badge: false });
    return out;
  }

  rule(y: number, color = '#d0d7de', x1: number = PAGE.left, x2: number = PAGE.left + CONTENT_WIDTH): void {
    this.doc.moveTo(x1, y).lineTo(x2, y).lineWidth(0.5).stroke(color);
  }

  /** A named destination at `y` on the current page. */
  anchor(name: string, y: number = this.y): void {
    (this.doc.addNamedDestination as (name: string, fit: string, ...args: (number | null)[]) => void).call(this.doc, name, 'XYZ', 0, Math.max(0, y - 6), 0);
  }
}
