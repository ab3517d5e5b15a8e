import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, openSync, promises as fs, readSync, statSync, writeSync, writevSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import zlib from 'node:zlib';
import { checkEntryName } from './entry-names.js';

/**
 * A minimal streaming zip writer on node's zlib, written for reproducible bundles:
 * - entries are written one at a time; each is hashed (SHA-256 of the uncompressed bytes) and CRC'd once, as it
 *   is written, and its data is never held beyond the current chunk (streams) or the current buffer;
 * - fixed DOS timestamps, fixed attributes (regular file 0644), no extra fields unless zip64 is needed, and a
 *   central directory sorted by name, so the same entries give the same bytes;
 * - already-compressed data (.gz, .pdf, .png, ...) is stored, everything else deflated (raw deflate, level 6);
 * - zip64 records when an entry, an offset or the entry count needs them.
 * The output goes to a temp file beside the target, renamed into place by `finish()`.
 */

export interface ZipEntryResult {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly compressedSize: number;
}

interface CentralEntry {
  readonly name: Buffer;
  readonly method: 0 | 8;
  readonly crc: number;
  readonly size: number;
  readonly compressedSize: number;
  readonly offset: number;
}

const STORED_EXTENSIONS = /\.(gz|tgz|zip|pdf|png|jpe?g|gif|webp|zst|bz2|xz|7z)$/i;
const U32 = 0xffffffff;
/** Above this many bytes an entry gets zip64 sizes in its local header (room for deflate's worst-case growth). */
const ZIP64_ENTRY_THRESHOLD = 0xf0000000;
const FLAG_UTF8 = 0x0800;
/** Files up to this size are zipped from one read (see `addFile`); the bound on the memory that costs. */
const WHOLE_FILE_LIMIT = 8 << 20;
const EXTERNAL_ATTRS = ((0o100644 << 16) >>> 0);

export function shouldStore(name: string): boolean {
  return STORED_EXTENSIONS.test(name);
}

/** DOS date and time (local fields, taken from the UTC components so a date gives the same bytes everywhere). */
export function dosDateTime(d: Date): { date: number; time: number } {
  const year = d.getUTCFullYear();
  if (year < 1980) return { date: (0 << 9) | (1 << 5) | 1, time: 0 };
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export class ZipWriter {
  private position = 0;
  private readonly entries: CentralEntry[] = [];
  private readonly names = new Set<string>();
  private busy = false;
  private closed = false;
  private readonly dos: { date: number; time: number };
  /** One read buffer for every whole-file entry (entries are added one at a time), so reading makes no garbage. */
  private readBuffer: Buffer = Buffer.alloc(0);
  private lastYield = performance.now();

  private constructor(
    private readonly handle: fs.FileHandle,
    private readonly tmpPath: string,
    readonly targetPath: string,
    date: Date,
    private readonly level: number,
  ) {
    this.dos = dosDateTime(date);
  }

  static async create(target: string, opts: { date: Date; level?: number }): Promise<ZipWriter> {
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(tmp, 'wx', 0o644);
    return new ZipWriter(handle, tmp, target, opts.date, opts.level ?? 6);
  }

  get entryCount(): number {
    return this.entries.length;
  }

  private async write(data: Uint8Array, at?: number): Promise<void> {
    let done = 0;
    while (done < data.byteLength) {
      const { bytesWritten } = await this.handle.write(data, done, data.byteLength - done, (at ?? this.position) + done);
      done += bytesWritten;
    }
    if (at === undefined) this.position += data.byteLength;
  }

  /**
   * Header and data in one positioned writev (no concatenated copy of the data), synchronous: a bundle is thousands
   * of small entries, and a round trip through libuv's thread pool per write cost more than the write
   * (`yieldNow` keeps the event loop turning between entries).
   */
  private writeBoth(header: Uint8Array, data: Uint8Array): void {
    const total = header.byteLength + data.byteLength;
    let done = writevSync(this.handle.fd, [header, data], this.position);
    if (done < total) {
      // A short writev (rare: signals, quotas): finish with plain positioned writes.
      const rest = Buffer.concat([header, data]);
      while (done < total) done += writeSync(this.handle.fd, rest, done, total - done, this.position + done);
    }
    this.position += total;
  }

  /**
   * Lets timers and I/O callbacks run (a queue worker's lock renewal, progress) when this writer has kept the thread
   * for more than 20 ms with synchronous reads, deflates and writes.
   */
  private async yieldNow(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < 20) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
  }

  private begin(name: string): Buffer {
    if (this.closed) throw new ZipError('the zip is already finished');
    if (this.busy) throw new ZipError('entries must be added one at a time');
    const problem = checkEntryName(name);
    if (problem) throw new ZipError(`unsafe entry name "${name}": ${problem}`);
    if (this.names.has(name)) throw new ZipError(`duplicate entry name "${name}"`);
    this.names.add(name);
    this.busy = true;
    return Buffer.from(name, 'utf8');
  }

  private localHeader(name: Buffer, method: 0 | 8, zip64: boolean): Buffer {
    const extraLen = zip64 ? 20 : 0;
    const h = Buffer.alloc(30 + name.length + extraLen);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(zip64 ? 45 : method === 8 ? 20 : 10, 4);
    h.writeUInt16LE(FLAG_UTF8, 6);
    h.writeUInt16LE(method, 8);
    h.writeUInt16LE(this.dos.time, 10);
    h.writeUInt16LE(this.dos.date, 12);
    // crc and sizes are patched in once the data is written
    if (zip64) {
      h.writeUInt32LE(U32, 18);
      h.writeUInt32LE(U32, 22);
    }
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(extraLen, 28);
    name.copy(h, 30);
    if (zip64) {
      h.writeUInt16LE(0x0001, 30 + name.length);
      h.writeUInt16LE(16, 32 + name.length);
    }
    return h;
  }

  private async patch(headerAt: number, nameLen: number, zip64: boolean, crc: number, size: number, compressed: number): Promise<void> {
    const crcBuf = Buffer.alloc(4);
    crcBuf.writeUInt32LE(crc >>> 0, 0);
    await this.write(crcBuf, headerAt + 14);
    if (zip64) {
      const sizes = Buffer.alloc(16);
      sizes.writeBigUInt64LE(BigInt(size), 0);
      sizes.writeBigUInt64LE(BigInt(compressed), 8);
      await this.write(sizes, headerAt + 30 + nameLen + 4);
    } else {
      if (size > U32 || compressed > U32) throw new ZipError('entry grew past 4 GiB without zip64');
      const sizes = Buffer.alloc(8);
      sizes.writeUInt32LE(compressed, 0);
      sizes.writeUInt32LE(size, 4);
      await this.write(sizes, headerAt + 18);
    }
  }

  /** Adds an entry from bytes already in memory (header and data in one write: sizes and CRC are known up front). */
  async addBuffer(name: string, data: Uint8Array, opts: { store?: boolean } = {}): Promise<ZipEntryResult> {
    await this.yieldNow();
    const nameBuf = this.begin(name);
    try {
      const method: 0 | 8 = opts.store ?? shouldStore(name) ? 0 : 8;
      const zip64 = data.byteLength >= ZIP64_ENTRY_THRESHOLD;
      const headerAt = this.position;
      const payload = method === 8 ? zlib.deflateRawSync(data, { level: this.level }) : data;
      const crc = zlib.crc32(data);
      const sha256 = createHash('sha256').update(data).digest('hex');
      const header = this.localHeader(nameBuf, method, zip64);
      header.writeUInt32LE(crc >>> 0, 14);
      if (zip64) {
        header.writeBigUInt64LE(BigInt(data.byteLength), 30 + nameBuf.length + 4);
        header.writeBigUInt64LE(BigInt(payload.byteLength), 30 + nameBuf.length + 12);
      } else {
        header.writeUInt32LE(payload.byteLength, 18);
        header.writeUInt32LE(data.byteLength, 22);
      }
      this.writeBoth(header, payload);
      this.entries.push({ name: nameBuf, method, crc, size: data.byteLength, compressedSize: payload.byteLength, offset: headerAt });
      return { name, size: data.byteLength, sha256, compressedSize: payload.byteLength };
    } finally {
      this.busy = false;
    }
  }

  /**
   * Adds an entry from a stream of chunks, hashing and compressing as it goes. `sizeHint` (e.g. from stat) lets a
   * small entry skip the zip64 extra field; without it the entry is written with zip64 sizes.
   */
  async addStream(name: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { store?: boolean; sizeHint?: number } = {}): Promise<ZipEntryResult> {
    const nameBuf = this.begin(name);
    try {
      const method: 0 | 8 = opts.store ?? shouldStore(name) ? 0 : 8;
      const zip64 = opts.sizeHint === undefined || opts.sizeHint >= ZIP64_ENTRY_THRESHOLD;
      const headerAt = this.position;
      await this.write(this.localHeader(nameBuf, method, zip64));
      const hash = createHash('sha256');
      let crc = 0;
      let size = 0;
      let compressed = 0;
      if (method === 0) {
        for await (const chunk of source) {
          hash.update(chunk);
          crc = zlib.crc32(chunk, crc);
          size += chunk.byteLength;
          await this.write(chunk);
          compressed += chunk.byteLength;
        }
      } else {
        const deflate = zlib.createDeflateRaw({ level: this.level });
        const feed = (async () => {
          try {
            for await (const chunk of source) {
              hash.update(chunk);
              crc = zlib.crc32(chunk, crc);
              size += chunk.byteLength;
              if (!deflate.write(chunk)) await once(deflate, 'drain');
            }
            deflate.end();
          } catch (err) {
            deflate.destroy(err as Error);
            throw err;
          }
        })();
        try {
          for await (const out of deflate as AsyncIterable<Buffer>) {
            await this.write(out);
            compressed += out.byteLength;
          }
        } finally {
          await feed;
        }
      }
      await this.patch(headerAt, nameBuf.length, zip64, crc, size, compressed);
      this.entries.push({ name: nameBuf, method, crc, size, compressedSize: compressed, offset: headerAt });
      return { name, size, sha256: hash.digest('hex'), compressedSize: compressed };
    } finally {
      this.busy = false;
    }
  }

  /**
   * The file's bytes in the shared read buffer (valid until the next entry), or null when it outgrew `size`. Read
   * synchronously: open, read and close are three thread-pool round trips per file otherwise.
   */
  private readWhole(file: string, size: number): Buffer | null {
    // One byte more than expected, so a file that grew after stat is noticed rather than cut.
    if (this.readBuffer.length <= size) this.readBuffer = Buffer.allocUnsafe(Math.min(WHOLE_FILE_LIMIT + 1, Math.max(size + 1, this.readBuffer.length * 2, 64 << 10)));
    const fd = openSync(file, 'r');
    try {
      let off = 0;
      for (;;) {
        const bytesRead = readSync(fd, this.readBuffer, off, this.readBuffer.length - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
        if (off === this.readBuffer.length) return null;
      }
      return this.readBuffer.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Adds a file from disk. Up to WHOLE_FILE_LIMIT bytes it is read in one go and written like a buffer (one
   * deflateRawSync, one write, no header patch): per file, a stream, an async deflate stream and two patch writes
   * cost more than the data for the small and mid-sized files a bundle is made of. Larger files are streamed,
   * so memory stays bounded whatever the file size.
   */
  async addFile(name: string, file: string, opts: { store?: boolean } = {}): Promise<ZipEntryResult> {
    await this.yieldNow();
    const st = statSync(file);
    if (!st.isFile()) throw new ZipError(`${file} is not a regular file`);
    const whole = st.size <= WHOLE_FILE_LIMIT ? this.readWhole(file, st.size) : null;
    if (whole) return this.addBuffer(name, whole, opts);
    return this.addStream(name, createReadStream(file, { highWaterMark: 1 << 20 }), { ...opts, sizeHint: st.size });
  }

  /** Writes the central directory (sorted by name) and moves the file into place. */
  async finish(): Promise<{ path: string; size: number }> {
    if (this.busy) throw new ZipError('an entry is still being written');
    if (this.closed) throw new ZipError('the zip is already finished');
    this.closed = true;
    try {
      const sorted = [...this.entries].sort((a, b) => Buffer.compare(a.name, b.name));
      const cdStart = this.position;
      for (const e of sorted) await this.write(this.centralHeader(e));
      const cdSize = this.position - cdStart;
      const count = sorted.length;
      const needZip64 = count >= 0xffff || cdStart >= U32 || cdSize >= U32;
      if (needZip64) {
        const z64At = this.position;
        const rec = Buffer.alloc(56);
        rec.writeUInt32LE(0x06064b50, 0);
        rec.writeBigUInt64LE(44n, 4);
        rec.writeUInt16LE((3 << 8) | 45, 12);
        rec.writeUInt16LE(45, 14);
        rec.writeBigUInt64LE(BigInt(count), 24);
        rec.writeBigUInt64LE(BigInt(count), 32);
        rec.writeBigUInt64LE(BigInt(cdSize), 40);
        rec.writeBigUInt64LE(BigInt(cdStart), 48);
        const loc = Buffer.alloc(20);
        loc.writeUInt32LE(0x07064b50, 0);
        loc.writeBigUInt64LE(BigInt(z64At), 8);
        loc.writeUInt32LE(1, 16);
        await this.write(Buffer.concat([rec, loc]));
      }
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(needZip64 ? 0xffff : count, 8);
      end.writeUInt16LE(needZip64 ? 0xffff : count, 10);
      end.writeUInt32LE(needZip64 ? U32 : cdSize, 12);
      end.writeUInt32LE(needZip64 ? U32 : cdStart, 16);
      await this.write(end);
      await this.handle.sync();
      await this.handle.close();
      await fs.rename(this.tmpPath, this.targetPath);
      return { path: this.targetPath, size: this.position };
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  private centralHeader(e: CentralEntry): Buffer {
    const big: bigint[] = [];
    if (e.size >= U32) big.push(BigInt(e.size));
    if (e.compressedSize >= U32) big.push(BigInt(e.compressedSize));
    if (e.offset >= U32) big.push(BigInt(e.offset));
    const zip64 = big.length > 0;
    const extraLen = zip64 ? 4 + 8 * big.length : 0;
    const h = Buffer.alloc(46 + e.name.length + extraLen);
    h.writeUInt32LE(0x02014b50, 0);
    h.writeUInt16LE((3 << 8) | (zip64 ? 45 : 20), 4); // made by: unix, so the external attributes are a mode
    h.writeUInt16LE(zip64 ? 45 : e.method === 8 ? 20 : 10, 6);
    h.writeUInt16LE(FLAG_UTF8, 8);
    h.writeUInt16LE(e.method, 10);
    h.writeUInt16LE(this.dos.time, 12);
    h.writeUInt16LE(this.dos.date, 14);
    h.writeUInt32LE(e.crc >>> 0, 16);
    h.writeUInt32LE(e.compressedSize >= U32 ? U32 : e.compressedSize, 20);
    h.writeUInt32LE(e.size >= U32 ? U32 : e.size, 24);
    h.writeUInt16LE(e.name.length, 28);
    h.writeUInt16LE(extraLen, 30);
    h.writeUInt32LE(EXTERNAL_ATTRS, 38);
    h.writeUInt32LE(e.offset >= U32 ? U32 : e.offset, 42);
    e.name.copy(h, 46);
    if (zip64) {
      let p = 46 + e.name.length;
      h.writeUInt16LE(0x0001, p);
      h.writeUInt16LE(8 * big.length, p + 2);
      p += 4;
      for (const v of big) {
        h.writeBigUInt64LE(v, p);
        p += 8;
      }
    }
    return h;
  }

  /** Closes and deletes the partial file. */
  async abort(): Promise<void> {
    this.closed = true;
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.tmpPath, { force: true });
  }
}
