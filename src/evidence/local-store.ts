import { randomBytes } from 'node:crypto';
import fsCb, { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sha256Hex } from '../util/canonical-json.js';
import { monthsBetween } from '../util/time.js';
import { EvidenceItem, type BlobRef } from './model.js';
import { StoreError, type EvidenceStore, type ItemQuery, type PutBlobOptions, type PutItemResult } from './store.js';

const LAYOUT_VERSION = 'auditpack-store 1';
/** Blob hashes remembered per store instance (about 100 bytes each). */
const KNOWN_BLOBS_MAX = 100_000;

/**
 * Evidence store on a local directory.
 *
 * ```
 * <root>/STORE                          layout version
 * <root>/blobs/<ab>/<sha256>.gz         content-addressed blobs (sha256 of the uncompressed bytes)
 * <root>/records/<ab>/<id>.json         one record per evidence item
 * <root>/index/<month>/<collector>/<account>/<region>/<kind>/<id>   empty markers, for listing
 * <root>/state/<key>.json               checkpoints and run state
 * <root>/tmp/                           staging for atomic writes (same filesystem as the targets)
 * ```
 *
 * Records are created with link(2) from a fully written temp file, which fails if the target exists: readers
 * never see a partial record and two writers of the same id leave one. Index markers are written after the
 * record, so an interrupted put is finished by putting the same item again.
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
        throw new StoreError(`store layout "${existing.trim()}" is not supported (expected "${LAYOUT_VERSION}")`, marker);
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
      if (!(await exists(target))) await this.createExclusive(target, options.gzip ?? gzipSync(data, { level: 6 }));
      // A cache, not a record: bounded, so a long-lived worker's memory does not grow with what it stored.
      if (this.knownBlobs.size >= KNOWN_BLOBS_MAX) this.knownBlobs.clear();
      this.knownBlobs.add(sha256);
    }
    return { sha256, size: data.byteLength, mediaType };
  }

  async getBlob(sha256: string): Promise<Buffer> {
    const file = this.blobPath(sha256);
    let gz: Buffer;
    try {
      gz = await fs.readFile(file);
    } catch (err) {
      throw wrap(err, file, `blob ${sha256} is missing`);
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
    return exists(this.blobPath(sha256));
  }

  async putItem(candidate: EvidenceItem): Promise<PutItemResult> {
    await this.init();
    const item = EvidenceItem.parse(candidate);
    for (const ref of [item.content, item.raw]) {
      if (ref && !this.knownBlobs.has(ref.sha256) && !(await this.hasBlob(ref.sha256))) {
        throw new StoreError(`item ${item.id} references blob ${ref.sha256}, which is not stored`, this.blobPath(ref.sha256));
      }
    }
    const recordPath = this.recordPath(item.id);
    const stored = await this.createExclusive(recordPath, Buffer.from(JSON.stringify(item) + '\n'));
    const kept = stored ? item : ((await this.getItem(item.id)) ?? item);
    for (const marker of this.markerPaths(kept)) await this.createMarker(marker);
    return { stored, item: kept };
  }

  async getItem(id: string): Promise<EvidenceItem | null> {
    if (!/^[a-f0-9]{64}$/.test(id)) return null;
    const file = this.recordPath(id);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw wrap(err, file, 'cannot read evidence record');
    }
    try {
      return EvidenceItem.parse(JSON.parse(text));
    } catch (err) {
      throw wrap(err, file, 'evidence record is corrupt');
    }
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
            const kinds = (await listDir(rDir)).filter((k) => !query.kinds || (query.kinds as readonly string[]).includes(k));
            for (const kind of kinds.sort()) {
              for (const id of (await listDir(path.join(rDir, kind))).sort()) {
                if (seen.has(id)) continue;
                seen.add(id);
                const item = await this.getItem(id);
                if (!item) throw new StoreError(`index lists ${id} but its record is missing`, path.join(rDir, kind, id));
                yield item;
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

  private blobPath(sha256: string): string {
    if (!/^[a-f0-9]{64}$/.test(sha256)) throw new StoreError(`not a sha256: ${sha256.slice(0, 80)}`, this.root);
    return path.join(this.root, 'blobs', sha256.slice(0, 2), `${sha256}.gz`);
  }

  private recordPath(id: string): string {
    return path.join(this.root, 'records', id.slice(0, 2), `${id}.json`);
  }

  private statePath(key: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,200}){0,4}$/.test(key) || key.includes('..')) {
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
    const tmp = path.join(this.root, 'tmp', `${process.pid}-${this.tempPrefix}${(this.tempCounter = (this.tempCounter + 1) >>> 0).toString(16).padStart(8, '0')}`);
    let fd: number | undefined;
    try {
      fd = await openFd(tmp, 'wx');
      for (let off = 0; off < data.byteLength; ) off += (await writeFd(fd, data, off, data.byteLength - off)).bytesWritten;
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
const writeFd = promisify(fsCb.write) as (fd: number, data: Uint8Array, offset: number, length: number) => Promise<{ bytesWritten: number }>;
const fsyncFd = promisify(fsCb.fsync);
const closeFd = promisify(fsCb.close);

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
