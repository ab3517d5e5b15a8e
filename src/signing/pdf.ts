import { SignPdf } from '@signpdf/signpdf';
import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { DEFAULT_BYTE_RANGE_PLACEHOLDER, SUBFILTER_ETSI_CADES_DETACHED, Signer as PdfSignerBase } from '@signpdf/utils';
import * as asn1js from 'asn1js';
import { digestOf, signDetachedCms, verifyDetachedCms, type CmsVerification } from './cms.js';
import {
  PdfSyntaxError,
  arrayItems,
  dictGet,
  objectDict,
  objectRaw,
  parseDict,
  parseRef,
  readXref,
  serializeDict,
  type PdfDict,
  type Ref,
  type XrefInfo,
} from './pdf-syntax.js';
import { SigningError, type Signer } from './types.js';

export interface PdfSignatureFields {
  /** Goes into the signature dictionary's /M. Fix it (e.g. the pack's generation time) for reproducible files. */
  readonly signingTime: Date;
  readonly reason?: string;
  readonly name?: string;
  readonly location?: string;
  readonly contactInfo?: string;
}

const BYTE_RANGE_PLACEHOLDER = `/ByteRange [0 /${DEFAULT_BYTE_RANGE_PLACEHOLDER} /${DEFAULT_BYTE_RANGE_PLACEHOLDER} /${DEFAULT_BYTE_RANGE_PLACEHOLDER}]`;

/** Bytes reserved for the CMS: the chain, the signature and attributes, with room to spare; same for the same chain. */
export function signatureSpace(signer: Signer): number {
  const chainBytes = signer.chain.reduce((n, c) => n + c.raw.length, 0);
  return Math.ceil((chainBytes + 4096) / 1024) * 1024;
}

export function hasSignaturePlaceholder(pdf: Buffer): boolean {
  return pdf.includes(BYTE_RANGE_PLACEHOLDER);
}

/** PDF date string: D:YYYYMMDDHHmmSSZ (UTC). */
export function pdfDate(d: Date): string {
  return `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** A PDF text string: a literal for printable ASCII, UTF-16BE hex otherwise. */
export function pdfText(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/([\\()])/g, '\\$1')})`;
  return `<FEFF${Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase()}>`;
}

/**
 * For a renderer that builds the PDF with pdfkit (its `onBeforeEnd` hook): adds the same signature field as
 * `addSignaturePlaceholder`, before `doc.end()`. Do not call `.end()` on what this returns (pdfkit 0.20 ends the
 * references itself; ending them twice means 'end' never fires).
 */
export function pdfkitSignaturePlaceholder(doc: object, fields: PdfSignatureFields, signatureBytes = 16384): void {
  pdfkitAddPlaceholder({
    pdf: doc,
    pdfBuffer: Buffer.alloc(0),
    reason: fields.reason ?? 'Evidence pack integrity',
    contactInfo: fields.contactInfo ?? '',
    name: fields.name ?? '',
    location: fields.location ?? '',
    signingTime: fields.signingTime,
    signatureLength: signatureBytes,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'auditpack',
  });
}

/**
 * Appends an incremental update to a finished PDF that adds an (invisible) signature field on the first page and
 * a signature dictionary with a zeroed /Contents of `signatureBytes` bytes. The original bytes are kept as they
 * are, so the document a reader shows is unchanged. Deterministic: the same input gives the same output.
 */
export function addSignaturePlaceholder(pdf: Buffer, fields: PdfSignatureFields, signatureBytes: number): Buffer {
  if (hasSignaturePlaceholder(pdf)) throw new SigningError('the PDF already has a signature placeholder');
  let xref: XrefInfo;
  try {
    xref = readXref(pdf);
  } catch (err) {
    throw new SigningError(`the PDF cannot be prepared for signing: ${(err as Error).message}`, { cause: err });
  }
  try {
    return appendUpdate(pdf, xref, fields, signatureBytes);
  } catch (err) {
    if (err instanceof PdfSyntaxError) throw new SigningError(`the PDF cannot be prepared for signing: ${err.message}`, { cause: err });
    throw err;
  }
}

function appendUpdate(pdf: Buffer, xref: XrefInfo, fields: PdfSignatureFields, signatureBytes: number): Buffer {
  const size = Number(dictGet(xref.trailer, 'Size'));
  if (!Number.isInteger(size) || size <= 0) throw new PdfSyntaxError('trailer has no valid /Size');
  const rootRef = parseRef(dictGet(xref.trailer, 'Root'));
  if (!rootRef) throw new PdfSyntaxError('trailer has no /Root reference');
  if (dictGet(xref.trailer, 'Encrypt') !== undefined) throw new PdfSyntaxError('encrypted PDFs are not supported');
  const catalog = objectDict(pdf, xref, rootRef);
  const pageRef = firstPage(pdf, xref, catalog);
  const page = objectDict(pdf, xref, pageRef);

  const sigNum = size;
  const widgetNum = size + 1;
  const newSize = size + 2;
  const widgetRef = `${widgetNum} 0 R`;
  const updated = new Map<number, { gen: number; body: string }>();

  const sigDict = [
    { key: 'Type', raw: '/Sig' },
    { key: 'Filter', raw: '/Adobe.PPKLite' },
    { key: 'SubFilter', raw: `/${SUBFILTER_ETSI_CADES_DETACHED}` },
    { key: 'ByteRange', raw: BYTE_RANGE_PLACEHOLDER.slice('/ByteRange '.length) },
    { key: 'Contents', raw: `<${'0'.repeat(signatureBytes * 2)}>` },
    { key: 'M', raw: pdfText(pdfDate(fields.signingTime)) },
    { key: 'Reason', raw: pdfText(fields.reason ?? 'Evidence pack integrity') },
    ...(fields.name ? [{ key: 'Name', raw: pdfText(fields.name) }] : []),
    ...(fields.location ? [{ key: 'Location', raw: pdfText(fields.location) }] : []),
    ...(fields.contactInfo ? [{ key: 'ContactInfo', raw: pdfText(fields.contactInfo) }] : []),
    { key: 'Prop_Build', raw: '<< /App << /Name /auditpack >> >>' },
  ];
  updated.set(sigNum, { gen: 0, body: serializeDict(sigDict) });
  updated.set(widgetNum, {
    gen: 0,
    body: serializeDict([
      { key: 'Type', raw: '/Annot' },
      { key: 'Subtype', raw: '/Widget' },
      { key: 'FT', raw: '/Sig' },
      { key: 'T', raw: pdfText('auditpack signature') },
      { key: 'V', raw: `${sigNum} 0 R` },
      { key: 'F', raw: '132' },
      { key: 'Rect', raw: '[0 0 0 0]' },
      { key: 'P', raw: `${pageRef.num} ${pageRef.gen} R` },
    ]),
  });

  // Catalog /AcroForm: add the field, set SigFlags 3 (signatures exist, append only).
  const acroRaw = dictGet(catalog, 'AcroForm');
  const acroRef = parseRef(acroRaw);
  const acro: PdfDict = acroRef
    ? objectDict(pdf, xref, acroRef)
    : acroRaw !== undefined
      ? parseDict(Buffer.from(acroRaw, 'latin1'), 0)
      : { entries: [], start: 0, end: 0 };
  const fieldsRaw = dictGet(acro, 'Fields');
  const fieldsRef = parseRef(fieldsRaw);
  const acroEntries = acro.entries.filter((e) => e.key !== 'Fields' && e.key !== 'SigFlags');
  if (fieldsRef) {
    updated.set(fieldsRef.num, { gen: fieldsRef.gen, body: appendItem(objectRaw(pdf, xref, fieldsRef), widgetRef) });
    acroEntries.unshift({ key: 'Fields', raw: fieldsRaw! });
  } else acroEntries.unshift({ key: 'Fields', raw: appendItem(fieldsRaw ?? '[]', widgetRef) });
  acroEntries.push({ key: 'SigFlags', raw: '3' });
  if (acroRef) updated.set(acroRef.num, { gen: acroRef.gen, body: serializeDict(acroEntries) });
  else {
    const entries = catalog.entries.filter((e) => e.key !== 'AcroForm');
    entries.push({ key: 'AcroForm', raw: serializeDict(acroEntries) });
    updated.set(rootRef.num, { gen: rootRef.gen, body: serializeDict(entries) });
  }

  // First page /Annots: add the widget.
  const annotsRaw = dictGet(page, 'Annots');
  const annotsRef = parseRef(annotsRaw);
  if (annotsRef) updated.set(annotsRef.num, { gen: annotsRef.gen, body: appendItem(objectRaw(pdf, xref, annotsRef), widgetRef) });
  else {
    const entries = page.entries.filter((e) => e.key !== 'Annots');
    entries.push({ key: 'Annots', raw: appendItem(annotsRaw ?? '[]', widgetRef) });
    updated.set(pageRef.num, { gen: pageRef.gen, body: serializeDict(entries) });
  }

  // Write the objects, then a classic xref section with one subsection per run of consecutive numbers.
  const chunks: string[] = [];
  const base = pdf.length + (pdf[pdf.length - 1] === 0x0a ? 0 : 1);
  if (base !== pdf.length) chunks.push('\n');
  let offset = base;
  const offsets = new Map<number, { offset: number; gen: number }>();
  for (const num of [...updated.keys()].sort((a, b) => a - b)) {
    const { gen, body } = updated.get(num)!;
    const text = `${num} ${gen} obj\n${body}\nendobj\n`;
    offsets.set(num, { offset, gen });
    chunks.push(text);
    offset += Buffer.byteLength(text, 'latin1');
  }
  const xrefOffset = offset;
  let xrefText = 'xref\n0 1\n0000000000 65535 f \n';
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    xrefText += `${nums[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) {
      const o = offsets.get(nums[k]!)!;
      xrefText += `${String(o.offset).padStart(10, '0')} ${String(o.gen).padStart(5, '0')} n \n`;
    }
    i = j + 1;
  }
  const trailer = [
    { key: 'Size', raw: String(newSize) },
    { key: 'Root', raw: `${rootRef.num} ${rootRef.gen} R` },
    ...['Info', 'ID'].flatMap((k) => {
      const v = dictGet(xref.trailer, k);
      return v === undefined ? [] : [{ key: k, raw: v }];
    }),
    { key: 'Prev', raw: String(xref.startxref) },
  ];
  chunks.push(`${xrefText}trailer\n${serializeDict(trailer)}\nstartxref\n${xrefOffset}\n%%EOF\n`);
  return Buffer.concat([pdf, Buffer.from(chunks.join(''), 'latin1')]);
}

function appendItem(arrayRaw: string, item: string): string {
  return `[${[...arrayItems(arrayRaw.trim()), item].join(' ')}]`;
}

function firstPage(pdf: Buffer, xref: XrefInfo, catalog: PdfDict): Ref {
  let ref = parseRef(dictGet(catalog, 'Pages'));
  for (let depth = 0; ref && depth < 32; depth++) {
    const node = objectDict(pdf, xref, ref);
    const type = dictGet(node, 'Type')?.trim();
    if (type === '/Page') return ref;
    const kids = dictGet(node, 'Kids');
    if (kids === undefined) break;
    ref = parseRef(arrayItems(kids.trim())[0]);
  }
  throw new PdfSyntaxError('the document has no page to attach the signature field to');
}

/** Signs through our CMS builder (one code path for local and KMS keys), as @signpdf expects of a signer. */
class CmsPdfSigner extends PdfSignerBase {
  constructor(private readonly signer: Signer) {
    super();
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    // PAdES: no signingTime attribute in the CMS; the dictionary's /M carries the time.
    return signDetachedCms({ contentDigest: digestOf(this.signer.key.hash, pdfBuffer), key: this.signer.key, chain: this.signer.chain });
  }
}

/**
 * Signs a PDF: adds a signature field by incremental update unless the renderer already put a placeholder in
 * (see `pdfkitSignaturePlaceholder`), then fills /ByteRange and /Contents with a detached CAdES signature.
 */
export async function signPdf(pdf: Buffer, signer: Signer, fields: PdfSignatureFields): Promise<Buffer> {
  const prepared = hasSignaturePlaceholder(pdf) ? pdf : addSignaturePlaceholder(pdf, fields, signatureSpace(signer));
  try {
    return await new SignPdf().sign(prepared, new CmsPdfSigner(signer));
  } catch (err) {
    if (err instanceof SigningError) throw err;
    throw new SigningError(`the PDF cannot be signed: ${(err as Error).message}`, { cause: err });
  }
}

export interface PdfSignatureCheck extends CmsVerification {
  readonly byteRange: readonly [number, number, number, number];
}

/**
 * Verifies the one signature of a PDF ourselves (independently of pdfsig): the /ByteRange starts at 0, leaves out
 * exactly the /Contents hex string and runs to the end of the file (so nothing was appended after signing), and
 * the CMS in /Contents verifies over those bytes. Throws SigningError with the reason.
 */
export function verifyPdfSignature(pdf: Buffer): PdfSignatureCheck {
  const ranges: [number, number, number, number][] = [];
  let from = 0;
  for (;;) {
    const at = pdf.indexOf('/ByteRange', from);
    if (at < 0) break;
    const m = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.toString('latin1', at, at + 120));
    if (!m) throw new SigningError('the PDF has a /ByteRange that is not four numbers (an unsigned placeholder?)');
    ranges.push([Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]);
    from = at + 10;
  }
  if (ranges.length === 0) throw new SigningError('the PDF is not signed (no /ByteRange)');
  if (ranges.length > 1) throw new SigningError(`the PDF has ${ranges.length} signatures; expected exactly one`);
  const [a, b, c, d] = ranges[0]!;
  if (a !== 0 || b <= 0 || c <= b || c + d !== pdf.length) {
    throw new SigningError(`the signature's /ByteRange [${a} ${b} ${c} ${d}] does not cover the whole file (${pdf.length} bytes) except the signature`);
  }
  if (pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e || !/\/Contents\s*$/.test(pdf.toString('latin1', Math.max(0, b - 16), b))) {
    throw new SigningError('the gap in /ByteRange is not exactly the /Contents hex string');
  }
  const hex = pdf.toString('latin1', b + 1, c - 1);
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw new SigningError('/Contents is not a hex string');
  const padded = Buffer.from(hex, 'hex');
  const parsed = asn1js.fromBER(padded.buffer.slice(padded.byteOffset, padded.byteOffset + padded.byteLength));
  if (parsed.offset === -1) throw new SigningError('/Contents does not hold a DER signature');
  const cms = padded.subarray(0, parsed.offset);
  const check = verifyDetachedCms(cms, [pdf.subarray(0, b), pdf.subarray(c, c + d)]);
  return { ...check, byteRange: [a, b, c, d] };
}
