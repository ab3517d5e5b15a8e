/**
 * Just enough PDF syntax to append an incremental update to a finished file: find the cross-reference table,
 * read a few dictionaries (trailer, catalog, page) as raw key/value text, and write new versions of them.
 * Handles files with classic xref tables (pdfkit, most generators). Cross-reference streams are refused.
 */

export class PdfSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfSyntaxError';
  }
}

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

export function skipWs(buf: Buffer, pos: number): number {
  let p = pos;
  while (p < buf.length) {
    const c = buf[p]!;
    if (WS.has(c)) p++;
    else if (c === 0x25) {
      while (p < buf.length && buf[p] !== 0x0a && buf[p] !== 0x0d) p++;
    } else break;
  }
  return p;
}

function regularEnd(buf: Buffer, pos: number): number {
  let p = pos;
  while (p < buf.length && !WS.has(buf[p]!) && !DELIM.has(buf[p]!)) p++;
  return p;
}

/** End (exclusive) of the object that starts at `pos` (after whitespace). A reference `n g R` is one value. */
export function valueEnd(buf: Buffer, pos: number, depth = 0): number {
  if (depth > 64) throw new PdfSyntaxError('objects nested too deeply');
  const p = skipWs(buf, pos);
  if (p >= buf.length) throw new PdfSyntaxError('unexpected end of file');
  const c = buf[p]!;
  if (c === 0x3c && buf[p + 1] === 0x3c) return dictEnd(buf, p, depth);
  if (c === 0x3c) {
    const e = buf.indexOf(0x3e, p);
    if (e < 0) throw new PdfSyntaxError('unterminated hex string');
    return e + 1;
  }
  if (c === 0x28) return stringEnd(buf, p);
  if (c === 0x5b) {
    let q = p + 1;
    for (;;) {
      q = skipWs(buf, q);
      if (q >= buf.length) throw new PdfSyntaxError('unterminated array');
      if (buf[q] === 0x5d) return q + 1;
      q = valueEnd(buf, q, depth + 1);
    }
  }
  if (c === 0x2f) return regularEnd(buf, p + 1);
  const end = regularEnd(buf, p);
  if (end === p) throw new PdfSyntaxError(`unexpected character 0x${c.toString(16)} at ${p}`);
  // `n g R`: an indirect reference.
  const token = buf.toString('latin1', p, end);
  if (/^\d+$/.test(token)) {
    const m = /^\s+(\d+)\s+R(?=[\s/<>[\]()%]|$)/.exec(buf.toString('latin1', end, Math.min(buf.length, end + 32)));
    if (m) return end + m[0].length;
  }
  return end;
}

function stringEnd(buf: Buffer, pos: number): number {
  let depth = 0;
  for (let p = pos; p < buf.length; p++) {
    const c = buf[p];
    if (c === 0x5c) p++;
    else if (c === 0x28) depth++;
    else if (c === 0x29) {
      depth--;
      if (depth === 0) return p + 1;
    }
  }
  throw new PdfSyntaxError('unterminated string');
}

function dictEnd(buf: Buffer, pos: number, depth: number): number {
  return parseDict(buf, pos, depth).end;
}

export interface PdfDict {
  /** Keys without the slash, values as raw PDF text, in file order. */
  readonly entries: { key: string; raw: string }[];
  readonly start: number;
  readonly end: number;
}

export function parseDict(buf: Buffer, pos: number, depth = 0): PdfDict {
  const start = skipWs(buf, pos);
  if (buf[start] !== 0x3c || buf[start + 1] !== 0x3c) throw new PdfSyntaxError(`expected a dictionary at ${start}`);
  const entries: { key: string; raw: string }[] = [];
  let p = start + 2;
  for (;;) {
    p = skipWs(buf, p);
    if (p >= buf.length) throw new PdfSyntaxError('unterminated dictionary');
    if (buf[p] === 0x3e && buf[p + 1] === 0x3e) return { entries, start, end: p + 2 };
    if (buf[p] !== 0x2f) throw new PdfSyntaxError(`expected a name key at ${p}`);
    const keyEnd = regularEnd(buf, p + 1);
    const key = buf.toString('latin1', p + 1, keyEnd);
    const vStart = skipWs(buf, keyEnd);
    const vEnd = valueEnd(buf, vStart, depth + 1);
    entries.push({ key, raw: buf.toString('latin1', vStart, vEnd) });
    p = vEnd;
  }
}

export function dictGet(d: PdfDict, key: string): string | undefined {
  return d.entries.find((e) => e.key === key)?.raw;
}

export function serializeDict(entries: readonly { key: string; raw: string }[]): string {
  return `<<\n${entries.map((e) => `/${e.key} ${e.raw}`).join('\n')}\n>>`;
}

export interface Ref {
  readonly num: number;
  readonly gen: number;
}

export function parseRef(raw: string | undefined): Ref | null {
  const m = raw === undefined ? null : /^(\d+)\s+(\d+)\s+R$/.exec(raw.trim());
  return m ? { num: Number(m[1]), gen: Number(m[2]) } : null;
}

/** Items of an inline array, as raw text. */
export function arrayItems(raw: string): string[] {
  const buf = Buffer.from(raw, 'latin1');
  if (buf[0] !== 0x5b) throw new PdfSyntaxError('expected an array');
  const out: string[] = [];
  let p = 1;
  for (;;) {
    p = skipWs(buf, p);
    if (p >= buf.length) throw new PdfSyntaxError('unterminated array');
    if (buf[p] === 0x5d) return out;
    const e = valueEnd(buf, p);
    out.push(buf.toString('latin1', p, e));
    p = e;
  }
}

export interface XrefInfo {
  /** Object number → byte offset of `n g obj`, newest section first wins. */
  readonly offsets: Map<number, { offset: number; gen: number }>;
  readonly trailer: PdfDict;
  /** Offset of the newest xref section (the /Prev of an update). */
  readonly startxref: number;
}

export function readXref(buf: Buffer): XrefInfo {
  const tail = buf.toString('latin1', Math.max(0, buf.length - 1024));
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!m) throw new PdfSyntaxError('no startxref/%%EOF at the end of the file');
  const startxref = Number(m[1]);
  const offsets = new Map<number, { offset: number; gen: number }>();
  let trailer: PdfDict | null = null;
  let at: number | null = startxref;
  const seen = new Set<number>();
  while (at !== null) {
    if (seen.has(at) || at >= buf.length) throw new PdfSyntaxError(`bad xref offset ${at}`);
    seen.add(at);
    if (buf.toString('latin1', at, at + 4) !== 'xref') throw new PdfSyntaxError('the file uses a cross-reference stream (not supported): expected "xref"');
    let p = at + 4;
    for (;;) {
      p = skipWs(buf, p);
      if (buf.toString('latin1', p, p + 7) === 'trailer') break;
      const head = /^(\d+)\s+(\d+)/.exec(buf.toString('latin1', p, p + 40));
      if (!head) throw new PdfSyntaxError(`bad xref subsection at ${p}`);
      const first = Number(head[1]);
      const count = Number(head[2]);
      p = skipWs(buf, p + head[0].length);
      for (let i = 0; i < count; i++) {
        const entry = /^(\d{10}) (\d{5}) ([nf])/.exec(buf.toString('latin1', p, p + 18));
        if (!entry) throw new PdfSyntaxError(`bad xref entry at ${p}`);
        const num = first + i;
        if (entry[3] === 'n' && !offsets.has(num)) offsets.set(num, { offset: Number(entry[1]), gen: Number(entry[2]) });
        p += 20;
      }
    }
    const t = parseDict(buf, p + 7);
    trailer ??= t;
    const prev = dictGet(t, 'Prev');
    at = prev === undefined ? null : Number(prev);
  }
  if (!trailer) throw new PdfSyntaxError('no trailer');
  return { offsets, trailer, startxref };
}

/** The dictionary of object `ref` (a plain `n g obj << ... >>` object). */
export function objectDict(buf: Buffer, xref: XrefInfo, ref: Ref): PdfDict {
  const where = xref.offsets.get(ref.num);
  if (!where) throw new PdfSyntaxError(`object ${ref.num} is not in the cross-reference table`);
  const head = new RegExp(`^${ref.num}\\s+${ref.gen}\\s+obj`).exec(buf.toString('latin1', where.offset, where.offset + 40));
  if (!head) throw new PdfSyntaxError(`object ${ref.num} is not at its xref offset`);
  return parseDict(buf, where.offset + head[0].length);
}

/** The raw value of object `ref` (for arrays kept as separate objects). */
export function objectRaw(buf: Buffer, xref: XrefInfo, ref: Ref): string {
  const where = xref.offsets.get(ref.num);
  if (!where) throw new PdfSyntaxError(`object ${ref.num} is not in the cross-reference table`);
  const head = new RegExp(`^${ref.num}\\s+${ref.gen}\\s+obj`).exec(buf.toString('latin1', where.offset, where.offset + 40));
  if (!head) throw new PdfSyntaxError(`object ${ref.num} is not at its xref offset`);
  const s = skipWs(buf, where.offset + head[0].length);
  return buf.toString('latin1', s, valueEnd(buf, s));
}
