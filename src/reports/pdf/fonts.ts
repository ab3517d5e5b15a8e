import { existsSync } from 'node:fs';

/**
 * Fonts embedded in the PDF. The standard PDF fonts are WinAnsi only (✓, CJK and most of Unicode vanish), so the
 * pack embeds DejaVu (Latin, Greek, Cyrillic, symbols such as ✓ ≥ →) and, for the characters DejaVu lacks, a
 * CJK-capable fallback (Droid Sans Fallback). pdfkit subsets each font to the glyphs used.
 */
export const FONT_FILES = {
  body: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  mono: '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  fallback: '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
} as const;

export type FontKey = 'body' | 'bold' | 'mono';
type AnyFont = FontKey | 'fallback';

/** The part of a fontkit font we use (pdfkit keeps it at `doc._font.font`). */
interface GlyphSource {
  readonly unitsPerEm: number;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): { readonly advanceWidth: number };
}

/** What pdfkit's EmbeddedFont exposes (pdfkit internals, stable across 0.1x). */
interface EmbeddedFontInternals {
  readonly font: GlyphSource & { glyphForCodePoint(cp: number): { readonly id: number; readonly advanceWidth: number; readonly codePoints: number[] } };
  readonly scale: number;
  layoutRun: (text: string, features?: unknown) => unknown;
  __auditpackSimple?: true;
}

/**
 * Replaces pdfkit's OpenType shaping (fontkit GSUB/GPOS: kerning, ligatures) for one embedded font with a direct
 * code point → glyph mapping at the glyph's advance. Shaping is most of the cost of drawing text (every distinct
 * word of an evidence index is a hash or an ARN), and without it the drawn width equals the width we measure, so
 * wrapping is exact. The scripts in a pack (Latin, Greek, Cyrillic, CJK, symbols, precomposed accents) need no
 * shaping; combining marks are drawn unpositioned.
 */
function simpleLayout(f: EmbeddedFontInternals): void {
  if (f.__auditpackSimple) return;
  f.__auditpackSimple = true;
  // fontkit keeps one glyph object per glyph id, but `glyphForCodePoint` allocates a small array on every call
  // (the code point list it passes along). Its first arrays are kept (by the glyphs they create), so V8 soon
  // allocates every later one directly in the old generation: hundreds of megabytes of old-generation garbage for
  // a long document, which V8 answers by growing the heap. Looking each code point up once avoids that.
  const glyphOf = new Map<number, { readonly advanceWidth: number }>();
  f.layoutRun = (text: string) => {
    const glyphs: unknown[] = [];
    const positions: { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number; advanceWidth: number }[] = [];
    let advanceWidth = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let g = glyphOf.get(cp);
      if (g === undefined) {
        g = f.font.glyphForCodePoint(cp);
        glyphOf.set(cp, g);
      }
      const w = g.advanceWidth * f.scale;
      glyphs.push(g);
      positions.push({ xAdvance: w, yAdvance: 0, xOffset: 0, yOffset: 0, advanceWidth: w });
      advanceWidth += w;
    }
    return { glyphs, positions, advanceWidth };
  };
}

export interface Run {
  readonly font: AnyFont;
  readonly text: string;
  readonly width: number;
}

export class MissingFontError extends Error {
  /** A host without the fonts stays without them: retrying the render cannot help. */
  readonly retryable = false;
  constructor(file: string) {
    super(
      `font file ${file} is missing: install the Debian packages fonts-dejavu-core and fonts-droid-fallback (they are in .ci/run)`,
    );
    this.name = 'MissingFontError';
  }
}

/**
 * Registers the fonts on a document and measures text with their real advance widths, choosing per character
 * between the primary font and the fallback. Widths are cached per code point, so measuring is a table lookup.
 * (Kerning is ignored when measuring; wrapping keeps a small margin for it.)
 */
export class FontSet {
  private readonly sources = new Map<AnyFont, GlyphSource>();
  private readonly advance = new Map<AnyFont, Map<number, number>>();
  private readonly covered = new Map<AnyFont, Map<number, boolean>>();

  constructor(private readonly doc: PDFKit.PDFDocument) {
    for (const [key, file] of Object.entries(FONT_FILES)) {
      if (!existsSync(file)) throw new MissingFontError(file);
      doc.registerFont(key, file);
    }
  }

  /** The fontkit font behind a registered name. Selecting a font is what makes pdfkit embed it. */
  private source(font: AnyFont): GlyphSource {
    let s = this.sources.get(font);
    if (!s) {
      const doc = this.doc as unknown as { _font: EmbeddedFontInternals };
      const previous = doc._font;
      this.doc.font(font);
      simpleLayout(doc._font);
      s = doc._font.font;
      this.sources.set(font, s);
      this.advance.set(font, new Map());
      this.covered.set(font, new Map());
      doc._font = previous;
    }
    return s;
  }

  /** Selects a font on the document, making sure it lays out text the simple way (see `simpleLayout`). */
  use(font: AnyFont): void {
    this.source(font);
    this.doc.font(font);
  }

  private has(font: AnyFont, cp: number): boolean {
    const src = this.source(font);
    const cache = this.covered.get(font)!;
    let v = cache.get(cp);
    if (v === undefined) {
      v = src.hasGlyphForCodePoint(cp);
      cache.set(cp, v);
    }
    return v;
  }

  /** Advance width of one code point at size 1. */
  private width1(font: AnyFont, cp: number): number {
    const src = this.source(font);
    const cache = this.advance.get(font)!;
    let w = cache.get(cp);
    if (w === undefined) {
      w = src.glyphForCodePoint(cp).advanceWidth / src.unitsPerEm;
      cache.set(cp, w);
    }
    return w;
  }

  /** The font a code point is drawn with: the primary font when it has the glyph, else the fallback when that has it. */
  fontFor(primary: FontKey, cp: number): AnyFont {
    if (cp <= 0x7e || this.has(primary, cp)) return primary;
    return this.has('fallback', cp) ? 'fallback' : primary;
  }

  /** Per primary font: the advance (size 1) each BMP code point is drawn with, fallback included; NaN = not yet known. */
  private readonly effective = new Map<FontKey, Float64Array>();

  private table(font: FontKey): Float64Array {
    let t = this.effective.get(font);
    if (!t) {
      t = new Float64Array(0x10000).fill(NaN);
      this.effective.set(font, t);
    }
    return t;
  }

  /** Width of `text` in points. */
  measure(text: string, font: FontKey, size: number): number {
    const t = this.table(font);
    let w = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const cp = text.codePointAt(i)!;
        i += 1;
        w += this.width1(this.fontFor(font, cp), cp);
        continue;
      }
      let a = t[c]!;
      if (Number.isNaN(a)) {
        a = this.width1(this.fontFor(font, c), c);
        t[c] = a;
      }
      w += a;
    }
    return w * size;
  }

  /** Splits text into runs of one font each, with their widths. */
  runs(text: string, font: FontKey, size: number): Run[] {
    const out: Run[] = [];
    let cur: AnyFont | null = null;
    let buf = '';
    let w = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const f = this.fontFor(font, cp);
      if (f !== cur && buf) {
        out.push({ font: cur!, text: buf, width: w * size });
        buf = '';
        w = 0;
      }
      cur = f;
      buf += ch;
      w += this.width1(f, cp);
    }
    if (buf) out.push({ font: cur!, text: buf, width: w * size });
    return out;
  }

  /** True when every character of `text` is drawn with `font` itself (the common, fast case). */
  plain(text: string, font: FontKey): boolean {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c <= 0x7e) continue;
      if (this.fontFor(font, text.codePointAt(i)!) !== font) return false;
      if (c >= 0xd800 && c <= 0xdbff) i += 1;
    }
    return true;
  }
}
