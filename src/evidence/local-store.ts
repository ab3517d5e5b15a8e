import { randomBytes } from 'node:crypto';
import fsCb, { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sha256Hex } from '../util/canonical-json.js';
import { blobLevel } from './blob-level.js';
import { monthsBetween } from '../util/time.js';
import { EvidenceItem, type BlobRef } from './model.js';
import {
  encodeSegment,
  parseSegmentHeader,
  parseSegmentPrefix,
  SEGMENT_PREFIX_MAX,
  segmentId,
  type SegmentIndex,
} from './segment-format.js';
import {
  StoreError,
  type EvidenceStore,
  type ItemBatch,
  type ItemQuery,
  type PutBlobOptions,
  type PutItemResult,
} from './store.js';

const LAYOUT_VERSION = 'auditpack-store 1';
/** Blob hashes remembered per store instance (about 100 bytes each). */
const KNOWN_BLOBS_MAX = 100_000;
/** Blobs at least this large in a batch are stored as blob files (gzipped) rather than inside the segment. */
const SEGMENT_BLOB_MAX = 1024 * 1024;
/** Index marker name of a segment: `@` and the segment id (item markers are bare ids). */
const SEGMENT_MARKER = /^@([a-f0-9]{64})$/;
const HEX64 = /^[a-f0-9]{64}$/;
const SEGMENT_IDS_CACHED = 200_000;

/** Where a record or blob lives inside a segment file: absolute offset and length. */
interface SegmentLocation {
  readonly segment: string;
  readonly offset: number;
  readonly length: number;
}

/**
 * Every segment's records and blobs by id, built when first needed and extended when a lookup misses and the
 * segments directory has changed since. Where several segments hold the same id, the smallest segment id wins
 * (the same rule as `listItems`).
 */
interface SegmentCatalog {
  readonly items: Map<string, SegmentLocation>;
  readonly blobs: Map<string, SegmentLocation>;
  readonly segments: Set<string>;
  dirMtimeMs: number;
}

/**
 * Evidence store on a local directory.
 *
 * ```
 * <root>/STORE                          layout version
 * <root>/blobs/<ab>/<sha256>.gz         content-addressed blobs (sha256 of the uncompressed bytes)
 * <root>/records/<ab>/<id>.json         one record per evidence item put on its own
 * <root>/segments/<segment id>.seg      records and blobs of a batch (src/evidence/segment-format.ts)
 * <root>/index/<month>/<collector>/<account>/<region>/<kind>/<id>   empty markers, for listing
 * <root>/index/<month>/<collector>/<account>/<region>/<kind>/@<segment id>   the same for a segment's items
 * <root>/state/<key>.json               checkpoints and run state
 * <root>/tmp/                           staging for atomic writes (same filesystem as the targets)
 * ```
 *
 * Records are created with link(2) from a fully written temp file, which fails if the target exists: readers
 * never see a partial record and two writers of the same id leave one. Index markers are written after the
 * record, so an interrupted put is finished by putting the same item again.
 *
 * A batch (`putBatch`, e.g. the kept events of one CloudTrail log file) is one segment per index partition: one
 * file, one fsync, one marker per month, created the same way (link(2) of a complete temp file, named by the hash
 * of its item ids, so a re-run stores nothing twice). An id held both by a record file and by segments resolves to
 * the record file, else to the segment with the smallest id: `getItem` and `listItems` agree.
 */
export class LocalDirectoryStore implements EvidenceStore {
  readonly description: string;
  private initialized = false;
  /**
   * Blobs this instance wrote or found stored: blobs are never removed by the store, so they need not be looked up
   * again (an ingest stores tens of thousands of items; every file-system round trip saved counts).
   */
  private readonly knownBlobs = new Set<string>();
  /**
   * Staging names: `<pid>-<8 random hex><8 hex counter>`, the 16 hex digits recovery's sweep expects
   * (src/queue/recovery.ts), unique per instance without drawing random bytes for each.
   */
  private readonly tempPrefix = randomBytes(4).toString('hex');
  private tempCounter = 0;
  private catalog: SegmentCatalog | null = null;
  /** Item ids of the segments `putItem` looked into (bounded by SEGMENT_IDS_CACHED ids in all). */
  private readonly segmentIds = new Map<string, Set<string>>();
  private segmentIdsHeld = 0;

  constructor(
    readonly root: string,
    private readonly options: { fsync?: boolean } = {},
  ) {
    this.description = `local directory ${root}`;
  }

  private async init(): Promise<void> {
    if (this.initialized) return;
    const marker = path.join(this.root, 'STORE');
    try {
      const existing = await fs.readFile(marker, 'utf8');
      if (existing.trim() !== LAYOUT_VERSION) {
        throw new StoreError(
          `store layout "${existing.trim()}" is not supported (expected "${LAYOUT_VERSION}")`,
          marker,
        );
      }
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw wrap(err, marker, 'cannot read store marker');
      await mkdirp(path.join(this.root, 'tmp'));
      await this.createExclusive(marker, Buffer.from(`${LAYOUT_VERSION}\n`));
    }
    await mkdirp(path.join(this.root, 'tmp'));
    this.initialized = true;
  }

  async putBlob(data: Uint8Array, mediaType: string, options: PutBlobOptions = {}): Promise<BlobRef> {
    await this.init();
    const sha256 = sha256Hex(data);
    if (!this.knownBlobs.has(sha256)) {
      const target = this.blobPath(sha256);
      if (!(await exists(target)))
        await this.createExclusive(target, options.gzip ?? gzipSync(data, { level: blobLevel(mediaType) }));
      this.rememberBlob(sha256);
    }
    return { sha256, size: data.byteLength, mediaType };
  }

  async getBlob(sha256: string): Promise<Buffer> {
    const file = this.blobPath(sha256);
    let gz: Buffer;
    try {
      gz = await fs.readFile(file);
    } catch (err) {
      const inSegment = (err as NodeJS.ErrnoException).code === 'ENOENT' ? await this.locate('blobs', sha256) : null;
      if (!inSegment) throw wrap(err, file, `blob ${sha256} is missing`);
      const data = await this.readSegmentBytes(inSegment);
      if (sha256Hex(data) !== sha256)
        throw new StoreError(`blob ${sha256} is corrupt (hash mismatch)`, this.segmentPath(inSegment.segment));
      return data;
    }
    let data: Buffer;
    try {
      data = gunzipSync(gz);
    } catch (err) {
      throw wrap(err, file, `blob ${sha256} is corrupt (gzip)`);
    }
    if (sha256Hex(data) !== sha256) throw new StoreError(`blob ${sha256} is corrupt (hash mismatch)`, file);
    return data;
  }

  async hasBlob(sha256: string): Promise<boolean> {
    return (await exists(this.blobPath(sha256))) || (await this.locate('blobs', sha256)) !== null;
  }

  async putItem(candidate: EvidenceItem): Promise<PutItemResult> {
    await this.init();
    const item = EvidenceItem.parse(candidate);
    for (const ref of [item.content, item.raw]) {
      if (ref && !this.knownBlobs.has(ref.sha256) && !(await this.hasBlob(ref.sha256))) {
        throw new StoreError(
          `item ${item.id} references blob ${ref.sha256}, which is not stored`,
          this.blobPath(ref.sha256),
        );
      }
    }
    const inSegment = await this.segmentHolding(item);
    if (inSegment) {
      for (const marker of this.markerPaths(item))
        await this.createMarker(path.join(path.dirname(marker), `@${inSegment}`));
      return { stored: false, item: (await this.readSegment(inSegment)).get(item.id) ?? item };
    }
    const recordPath = this.recordPath(item.id);
    const stored = await this.createExclusive(recordPath, Buffer.from(JSON.stringify(item) + '\n'));
    const kept = stored ? item : ((await this.getItem(item.id)) ?? item);
    for (const marker of this.markerPaths(kept)) await this.createMarker(marker);
    return { stored, item: kept };
  }

  async putBatch(batch: ItemBatch): Promise<PutItemResult[]> {
    await this.init();
    const items = batch.items.map((candidate) => EvidenceItem.parse(candidate));
    const inline = new Map<string, Uint8Array>();
    for (const b of batch.blobs) {
      if (b.data.byteLength >= SEGMENT_BLOB_MAX)
        await this.putBlob(b.data, b.mediaType, b.gzip ? { gzip: b.gzip } : undefined);
      else inline.set(b.sha256, b.data);
    }
    for (const item of items) {
      for (const ref of [item.content, item.raw]) {
        if (ref && !inline.has(ref.sha256) && !this.knownBlobs.has(ref.sha256) && !(await this.hasBlob(ref.sha256))) {
          throw new StoreError(
            `item ${item.id} references blob ${ref.sha256}, which is not stored`,
            this.blobPath(ref.sha256),
          );
        }
      }
    }

    // One segment per index partition (the same markers), items in id order, the first of a repeated id kept.
    const partitions = new Map<string, { markers: string[]; items: Map<string, EvidenceItem> }>();
    for (const item of items) {
      const markers = this.markerPaths(item).map((m) => path.dirname(m));
      const key = markers.join('\n');
      const p = partitions.get(key) ?? { markers, items: new Map<string, EvidenceItem>() };
      partitions.set(key, p);
      if (!p.items.has(item.id)) p.items.set(item.id, item);
    }
    const kept = new Map<string, PutItemResult>();
    for (const p of partitions.values()) {
      // Ids already stored as record files (put one by one, e.g. by a live collection of the same logs): those
      // records stay the ones that count. Ids in other segments are not looked for: listing and lookups resolve a
      // repeated id to one record, the same one each time.
      const onDisk = new Set((await listDir(p.markers[0]!)).filter((n) => HEX64.test(n) && p.items.has(n)));
      for (const id of onDisk) kept.set(id, { stored: false, item: (await this.getItem(id)) ?? p.items.get(id)! });
      const ids = [...p.items.keys()].filter((id) => !onDisk.has(id)).sort();
      if (ids.length === 0) continue;
      const segment = segmentId(ids);
      const records = ids.map((id) => ({ id, bytes: Buffer.from(JSON.stringify(p.items.get(id)) + '\n') }));
      const blobs = new Map<string, Uint8Array>();
      for (const id of ids) {
        const item = p.items.get(id)!;
        for (const ref of [item.content, item.raw]) {
          const data = ref ? inline.get(ref.sha256) : undefined;
          if (ref && data) blobs.set(ref.sha256, data);
        }
      }
      const file = this.segmentPath(segment);
      const stored = await this.createExclusive(
        file,
        Buffer.concat(encodeSegment({ records, blobs: [...blobs].map(([sha256, bytes]) => ({ sha256, bytes })) })),
      );
      for (const dir of p.markers) await this.createMarker(path.join(dir, `@${segment}`));
      // Stored before by an earlier run: its records (first record wins) are what the caller gets back.
      const existing = stored ? null : await this.readSegment(segment);
      for (const id of ids) kept.set(id, { stored, item: existing?.get(id) ?? p.items.get(id)! });
      for (const sha of blobs.keys()) this.rememberBlob(sha);
    }
    const first = new Set<string>();
    return items.map((item) => {
      const r = kept.get(item.id)!;
      const repeated = first.has(item.id);
      first.add(item.id);
      return repeated ? { stored: false, item: r.item } : r;
    });
  }

  async getItem(id: string): Promise<EvidenceItem | null> {
    if (!/^[a-f0-9]{64}$/.test(id)) return null;
    const file = this.recordPath(id);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw wrap(err, file, 'cannot read evidence record');
      const inSegment = await this.locate('items', id);
      return inSegment ? this.readSegmentItem(id, inSegment) : null;
    }
    return parseRecord(id, text, file);
  }

  async *listItems(query: ItemQuery): AsyncIterable<EvidenceItem> {
    const indexRoot = path.join(this.root, 'index');
    const seen = new Set<string>();
    const months = query.months ?? (await listDir(indexRoot));
    for (const month of [...months].sort()) {
      for (const collector of await filtered(path.join(indexRoot, month), query.collector)) {
        const cDir = path.join(indexRoot, month, collector);
        for (const account of await filtered(cDir, query.account)) {
          for (const region of await filtered(path.join(cDir, account), query.region)) {
            const rDir = path.join(cDir, account, region);
            const kinds = (await listDir(rDir)).filter(
              (k) => !query.kinds || (query.kinds as readonly string[]).includes(k),
            );
            for (const kind of kinds.sort()) {
              const names = (await listDir(path.join(rDir, kind))).sort();
              // Record files first (they win over segments), then each segment in id order, each in its own order.
              for (const id of names) {
                if (!HEX64.test(id) || seen.has(id)) continue;
                seen.add(id);
                const item = await this.getItem(id);
                if (!item)
                  throw new StoreError(`index lists ${id} but its record is missing`, path.join(rDir, kind, id));
                yield item;
              }
              for (const name of names) {
                const segment = SEGMENT_MARKER.exec(name)?.[1];
                if (segment) yield* this.segmentItems(segment, seen, path.join(rDir, kind, name));
              }
            }
          }
        }
      }
    }
  }

  async putState(key: string, value: unknown): Promise<void> {
    await this.init();
    const file = this.statePath(key);
    await mkdirp(path.dirname(file));
    const tmp = await this.writeTemp(Buffer.from(JSON.stringify(value, null, 2) + '\n'));
    try {
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw wrap(err, file, 'cannot write state');
    }
  }

  async getState(key: string): Promise<unknown> {
    const file = this.statePath(key);
    try {
      return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw wrap(err, file, 'cannot read state');
    }
  }

  private segmentPath(segment: string): string {
    return path.join(this.root, 'segments', `${segment}.seg`);
  }

  private rememberBlob(sha256: string): void {
    // A cache, not a record: bounded, so a long-lived worker's memory does not grow with what it stored.
    if (this.knownBlobs.size >= KNOWN_BLOBS_MAX) this.knownBlobs.clear();
    this.knownBlobs.add(sha256);
  }

  /**
   * The segment already holding `item`'s id, if any (the smallest such id). Every copy of an id is filed under the
   * same partitions (they derive from fields the id hashes), so the item's first partition directory is the only
   * place to look. Segment id lists are cached, bounded.
   */
  private async segmentHolding(item: EvidenceItem): Promise<string | null> {
    const dir = path.dirname(this.markerPaths(item)[0]!);
    const segments = (await listDir(dir))
      .map((n) => SEGMENT_MARKER.exec(n)?.[1])
      .filter((x): x is string => x !== undefined)
      .sort();
    for (const segment of segments) {
      let ids = this.segmentIds.get(segment);
      if (!ids) {
        ids = new Set((await this.readSegmentIndex(segment)).items.map(([id]) => id));
        this.segmentIdsHeld += ids.size;
        if (this.segmentIdsHeld > SEGMENT_IDS_CACHED) {
          this.segmentIds.clear();
          this.segmentIdsHeld = ids.size;
        }
        this.segmentIds.set(segment, ids);
      }
      if (ids.has(item.id)) return segment;
    }
    return null;
  }

  /** A segment's index (header), read and checked. */
  async readSegmentIndex(segment: string): Promise<SegmentIndex> {
    const file = this.segmentPath(segment);
    let fd: number | undefined;
    try {
      fd = await openFd(file, 'r');
      const size = (await fstatFd(fd)).size;
      const prefix = Buffer.alloc(Math.min(SEGMENT_PREFIX_MAX, size));
      await readFully(fd, prefix, 0);
      const { headerStart, headerLength } = parseSegmentPrefix(prefix);
      const header = Buffer.alloc(headerLength);
      if (headerStart + headerLength > size) throw new Error('segment header is cut short');
      await readFully(fd, header, headerStart);
      return parseSegmentHeader(header, headerStart + headerLength, size - headerStart - headerLength);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw wrap(err, file, `segment ${segment} is missing`);
      throw wrap(err, file, `segment ${segment} is corrupt`);
    } finally {
      if (fd !== undefined) await closeFd(fd).catch(() => undefined);
    }
  }

  /** Every item of a segment, by id (records region read at once). */
  private async readSegment(segment: string): Promise<Map<string, EvidenceItem>> {
    const index = await this.readSegmentIndex(segment);
    const out = new Map<string, EvidenceItem>();
    const region = await this.readRecordsRegion(segment, index);
    for (const [id, off, len] of index.items)
      out.set(
        id,
        parseRecord(
          id,
          region.bytes.toString('utf8', off - region.start, off - region.start + len),
          this.segmentPath(segment),
        ),
      );
    return out;
  }

  /** The bytes from the first to the end of the last record of a segment (records come before blobs). */
  private async readRecordsRegion(segment: string, index: SegmentIndex): Promise<{ start: number; bytes: Buffer }> {
    let start = Infinity;
    let end = 0;
    for (const [, off, len] of index.items) {
      start = Math.min(start, off);
      end = Math.max(end, off + len);
    }
    if (start === Infinity) return { start: 0, bytes: Buffer.alloc(0) };
    return {
      start,
      bytes: await this.readSegmentBytes({ segment, offset: index.bodyStart + start, length: end - start }),
    };
  }

  /** listItems' part for one segment marker: its items not yet seen, in the segment's (id) order. */
  private async *segmentItems(segment: string, seen: Set<string>, marker: string): AsyncIterable<EvidenceItem> {
    let index: SegmentIndex;
    try {
      index = await this.readSegmentIndex(segment);
    } catch (err) {
      throw new StoreError(`index lists segment ${segment} but it cannot be read: ${(err as Error).message}`, marker, {
        cause: err,
      });
    }
    if (index.items.every(([id]) => seen.has(id))) return;
    const region = await this.readRecordsRegion(segment, index);
    for (const [id, off, len] of index.items) {
      if (seen.has(id)) continue;
      seen.add(id);
      yield parseRecord(
        id,
        region.bytes.toString('utf8', off - region.start, off - region.start + len),
        this.segmentPath(segment),
      );
    }
  }

  private async readSegmentItem(id: string, at: SegmentLocation): Promise<EvidenceItem> {
    return parseRecord(id, (await this.readSegmentBytes(at)).toString('utf8'), this.segmentPath(at.segment));
  }

  private async readSegmentBytes(at: SegmentLocation): Promise<Buffer> {
    const file = this.segmentPath(at.segment);
    let fd: number | undefined;
    try {
      fd = await openFd(file, 'r');
      const out = Buffer.alloc(at.length);
      await readFully(fd, out, at.offset);
      return out;
    } catch (err) {
      throw wrap(err, file, `cannot read segment ${at.segment}`);
    } finally {
      if (fd !== undefined) await closeFd(fd).catch(() => undefined);
    }
  }

  /**
   * Where a record or blob lives among the segments, or null. The catalog is read on first use and read again (only
   * the new segments) when a lookup misses and the segments directory changed since.
   */
  private async locate(what: 'items' | 'blobs', key: string): Promise<SegmentLocation | null> {
    if (!HEX64.test(key)) return null;
    const hit = this.catalog?.[what].get(key);
    if (hit) return hit;
    const dir = path.join(this.root, 'segments');
    let mtimeMs: number;
    try {
      mtimeMs = (await fs.stat(dir)).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw wrap(err, dir, 'cannot read the segments directory');
    }
    if (this.catalog && this.catalog.dirMtimeMs === mtimeMs) return null;
    const catalog: SegmentCatalog = (this.catalog ??= {
      items: new Map<string, SegmentLocation>(),
      blobs: new Map<string, SegmentLocation>(),
      segments: new Set<string>(),
      dirMtimeMs: mtimeMs,
    });
    catalog.dirMtimeMs = mtimeMs;
    for (const name of await listDir(dir)) {
      const segment = /^([a-f0-9]{64})\.seg$/.exec(name)?.[1];
      if (!segment || catalog.segments.has(segment)) continue;
      const index = await this.readSegmentIndex(segment);
      catalog.segments.add(segment);
      addLocations(catalog.items, index.items, segment, index.bodyStart);
      addLocations(catalog.blobs, index.blobs, segment, index.bodyStart);
    }
    return catalog[what].get(key) ?? null;
  }

  private blobPath(sha256: string): string {
    if (!/^[a-f0-9]{64}$/.test(sha256)) throw new StoreError(`not a sha256: ${sha256.slice(0, 80)}`, this.root);
    return path.join(this.root, 'blobs', sha256.slice(0, 2), `${sha256}.gz`);
  }

  private recordPath(id: string): string {
    return path.join(this.root, 'records', id.slice(0, 2), `${id}.json`);
  }

  private statePath(key: string): string {
    if (
      !/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,200}){0,4}$/.test(key) ||
      key.includes('..')
    ) {
      throw new StoreError(`invalid state key "${key.slice(0, 80)}"`, this.root);
    }
    return path.join(this.root, 'state', `${key}.json`);
  }

  private markerPaths(item: EvidenceItem): string[] {
    const window =
      item.observedAt.type === 'instant'
        ? { start: item.observedAt.at, end: item.observedAt.at }
        : { start: item.observedAt.start, end: item.observedAt.end };
    return monthsBetween(window.start, window.end).map((month) =>
      path.join(this.root, 'index', month, item.collector, item.account, item.region, item.kind, item.id),
    );
  }

  /**
   * Writes `data` to a new file in the staging directory (`<pid>-<hex>`, the name recovery sweeps by). Plain file
   * descriptors rather than FileHandle objects, and a counter rather than fresh random bytes per name: an ingest
   * writes tens of thousands of small files, and both showed in its profile.
   */
  private async writeTemp(data: Uint8Array): Promise<string> {
    const tmp = path.join(
      this.root,
      'tmp',
      `${process.pid}-${this.tempPrefix}${(this.tempCounter = (this.tempCounter + 1) >>> 0).toString(16).padStart(8, '0')}`,
    );
    let fd: number | undefined;
    try {
      fd = await openFd(tmp, 'wx');
      for (let off = 0; off < data.byteLength;)
        off += (await writeFd(fd, data, off, data.byteLength - off)).bytesWritten;
      if (this.options.fsync !== false) await fsyncFd(fd);
      const closing = fd;
      fd = undefined;
      await closeFd(closing);
      return tmp;
    } catch (err) {
      if (fd !== undefined) await closeFd(fd).catch(() => undefined);
      await removeFile(tmp);
      throw wrap(err, tmp, 'cannot write to the store');
    }
  }

  /**
   * Creates `target` with `data` unless it exists. Returns whether this call created it. The target's directory is
   * created only when the link says it is missing: most writes go to directories that exist, and a mkdir round trip
   * per write was a large part of an ingest's time.
   */
  private async createExclusive(target: string, data: Uint8Array): Promise<boolean> {
    const tmp = await this.writeTemp(data);
    try {
      await linkCreatingDir(tmp, target);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw wrap(err, target, 'cannot write to the store');
    } finally {
      await removeFile(tmp);
    }
  }

  /**
   * An index marker: an empty file, so it is created in place (`wx`) rather than through a temp file; there is no
   * content a reader could see half written.
   */
  private async createMarker(target: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await closeFd(await openFd(target, 'wx'));
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return;
        if (code === 'ENOENT' && attempt === 0) {
          await mkdirp(path.dirname(target));
          continue;
        }
        throw wrap(err, target, 'cannot write to the store');
      }
    }
  }
}

const openFd = promisify(fsCb.open);
const writeFd = promisify(fsCb.write) as (
  fd: number,
  data: Uint8Array,
  offset: number,
  length: number,
) => Promise<{ bytesWritten: number }>;
const fsyncFd = promisify(fsCb.fsync);
const closeFd = promisify(fsCb.close);
const fstatFd = promisify(fsCb.fstat);
const readFd = promisify(fsCb.read) as (
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
) => Promise<{ bytesRead: number }>;

/** Fills `buffer` from `position`; a file shorter than that is corrupt. */
async function readFully(fd: number, buffer: Buffer, position: number): Promise<void> {
  for (let off = 0; off < buffer.byteLength;) {
    const { bytesRead } = await readFd(fd, buffer, off, buffer.byteLength - off, position + off);
    if (bytesRead === 0) throw new Error(`unexpected end of file at ${position + off}`);
    off += bytesRead;
  }
}

/** Files a segment's entries in a catalog map; an id already filed from a smaller segment id stays. */
function addLocations(
  map: Map<string, SegmentLocation>,
  entries: SegmentIndex['items'],
  segment: string,
  bodyStart: number,
): void {
  for (const [key, off, length] of entries) {
    const prev = map.get(key);
    if (!prev || segment < prev.segment) map.set(key, { segment, offset: bodyStart + off, length });
  }
}

/** A record's text as an item: it must parse, pass the schema and carry the id it is filed under. */
function parseRecord(id: string, text: string, file: string): EvidenceItem {
  let item: EvidenceItem;
  try {
    item = EvidenceItem.parse(JSON.parse(text));
  } catch (err) {
    throw wrap(err, file, 'evidence record is corrupt');
  }
  if (item.id !== id)
    throw new StoreError(`evidence record is corrupt (${file}): filed as ${id}, holds ${item.id}`, file);
  return item;
}

/** unlink(2) that ignores a missing file (fs.rm with force also lstat()s first). */
async function removeFile(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** link(2), creating the target's directory when it is missing. */
async function linkCreatingDir(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdirp(path.dirname(to));
    await fs.link(from, to);
  }
}

function wrap(err: unknown, file: string, what: string): StoreError {
  const code = (err as NodeJS.ErrnoException).code;
  const detail = code ? `${code}: ${(err as Error).message}` : err instanceof Error ? err.message : String(err);
  return new StoreError(`${what} (${file}): ${detail}`, file, { cause: err });
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function mkdirp(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw wrap(err, dir, 'cannot create store directory');
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((name) => !name.startsWith('.'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw wrap(err, dir, 'cannot list store directory');
  }
}

async function filtered(dir: string, only: string | undefined): Promise<string[]> {
  const names = await listDir(dir);
  return (only === undefined ? names : names.filter((n) => n === only)).sort();
}
