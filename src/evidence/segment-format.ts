import { sha256Hex } from '../util/canonical-json.js';

/**
 * A segment: many evidence records and their blobs in one immutable file, so that storing a CloudTrail log file's
 * thousands of kept events costs one file and one fsync instead of four files and three fsyncs per event.
 *
 * ```
 * auditpack-segment 1 <header length>\n
 * <header: JSON {"items":[[id, offset, length], ...], "blobs":[[sha256, offset, length], ...]}>\n
 * <body: the records (item JSON + "\n") and the blobs (uncompressed bytes), at the header's offsets>
 * ```
 *
 * Offsets count from the first body byte. Blobs are kept uncompressed: deflating each small blob would cost more
 * time than the whole ingest's other work, and readers verify every blob's SHA-256 as they read it.
 */
export const SEGMENT_MAGIC = 'auditpack-segment 1';
/** The first line is at most this long (magic, a space, a decimal length, a newline). */
export const SEGMENT_PREFIX_MAX = SEGMENT_MAGIC.length + 1 + 16 + 1;

/** [key, offset, length] */
export type SegmentEntry = readonly [string, number, number];

export interface SegmentIndex {
  readonly items: readonly SegmentEntry[];
  readonly blobs: readonly SegmentEntry[];
  /** File offset of the body (where entry offsets count from). */
  readonly bodyStart: number;
}

export interface SegmentInput {
  /** Records: item id and the record's bytes (its JSON and a newline). */
  readonly records: readonly { readonly id: string; readonly bytes: Uint8Array }[];
  readonly blobs: readonly { readonly sha256: string; readonly bytes: Uint8Array }[];
}

/**
 * The segment's name: the hash of its item ids, sorted. The same items give the same name whenever and by whomever
 * they are collected again (records differ only in collectedAt), so a re-run links onto the existing file and
 * stores nothing twice.
 */
export function segmentId(itemIds: readonly string[]): string {
  return sha256Hex(`${SEGMENT_MAGIC}\n${[...itemIds].sort().join('\n')}`);
}

/** The segment's bytes as a list of chunks (written with one writev, never concatenated). */
export function encodeSegment(input: SegmentInput): Uint8Array[] {
  const items: [string, number, number][] = [];
  const blobs: [string, number, number][] = [];
  const body: Uint8Array[] = [];
  let offset = 0;
  for (const r of input.records) {
    items.push([r.id, offset, r.bytes.byteLength]);
    body.push(r.bytes);
    offset += r.bytes.byteLength;
  }
  for (const b of input.blobs) {
    blobs.push([b.sha256, offset, b.bytes.byteLength]);
    body.push(b.bytes);
    offset += b.bytes.byteLength;
  }
  const header = Buffer.from(`${JSON.stringify({ items, blobs })}\n`);
  return [Buffer.from(`${SEGMENT_MAGIC} ${header.byteLength}\n`), header, ...body];
}

export class SegmentFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegmentFormatError';
  }
}

/** The length of the header announced by a segment's first line, and where the header starts. */
export function parseSegmentPrefix(prefix: Buffer): { headerStart: number; headerLength: number } {
  const nl = prefix.indexOf(0x0a);
  const m = nl > 0 ? new RegExp(`^${SEGMENT_MAGIC} (\\d{1,15})$`).exec(prefix.toString('latin1', 0, nl)) : null;
  if (!m) throw new SegmentFormatError(`not a segment (expected "${SEGMENT_MAGIC} <length>" on the first line)`);
  return { headerStart: nl + 1, headerLength: Number(m[1]) };
}

const HEX64 = /^[a-f0-9]{64}$/;

/** Parses and checks a segment header: entries well formed, inside `bodyLength`. */
export function parseSegmentHeader(header: Buffer, bodyStart: number, bodyLength: number): SegmentIndex {
  let doc: unknown;
  try {
    doc = JSON.parse(header.toString('utf8'));
  } catch {
    throw new SegmentFormatError('segment header is not JSON');
  }
  const entries = (name: 'items' | 'blobs'): SegmentEntry[] => {
    const list = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[name] : undefined;
    if (!Array.isArray(list)) throw new SegmentFormatError(`segment header has no ${name} list`);
    for (const e of list as unknown[]) {
      if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== 'string' || !HEX64.test(e[0]))
        throw new SegmentFormatError(`segment header: bad ${name} entry`);
      const [, off, len] = e as [string, unknown, unknown];
      if (
        !Number.isSafeInteger(off) ||
        !Number.isSafeInteger(len) ||
        (off as number) < 0 ||
        (len as number) < 0 ||
        (off as number) + (len as number) > bodyLength
      ) {
        throw new SegmentFormatError(`segment header: ${name} entry ${e[0]} points outside the segment`);
      }
    }
    return list as SegmentEntry[];
  };
  return { items: entries('items'), blobs: entries('blobs'), bodyStart };
}
