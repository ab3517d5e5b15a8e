import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { checkEntryName } from './entry-names.js';

/**
 * Reads a zip without extracting anything: yauzl streams each entry's data from the central directory's offsets,
 * and this module checks every entry name before any data is read. Nothing is ever written to disk.
 */

export interface ZipEntryView {
  readonly name: string;
  readonly size: number;
  readonly isDirectory: boolean;
  /** Why this entry is unsafe (a path escape, a symlink, a duplicate, an odd name); null when it is fine. */
  readonly unsafe: string | null;
  /** Opens the entry's data (decompressed); only for safe, non-directory entries. */
  open(): Promise<Readable>;
}

export class ZipReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ZipReadError';
  }
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(new ZipReadError(`not a readable zip file: ${err?.message ?? 'unknown error'}`, { cause: err }));
      else resolve(zip);
    });
  });
}

function decodeName(entry: yauzl.Entry): { name: string; problem: string | null } {
  const raw = entry.fileNameRaw;
  const utf8 = (entry.generalPurposeBitFlag & 0x0800) !== 0;
  if (!utf8 && raw.some((b) => b > 0x7f)) return { name: raw.toString('latin1'), problem: 'non-ASCII name without the UTF-8 flag' };
  const name = raw.toString('utf8');
  if (utf8 && !Buffer.from(name, 'utf8').equals(raw)) return { name, problem: 'name is not valid UTF-8' };
  return { name, problem: null };
}

/**
 * Visits every central-directory entry in order. `visit` may call `entry.open()` (once) for a safe file entry and
 * must consume the stream before returning. Throws ZipReadError when the file is not a zip at all.
 */
export async function scanZip(file: string, visit: (entry: ZipEntryView) => Promise<void>): Promise<void> {
  const zip = await openZip(file);
  const seen = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      zip.close();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    zip.on('error', (err: Error) => fail(new ZipReadError(`the zip is damaged: ${err.message}`, { cause: err })));
    zip.on('end', () => {
      if (!failed) resolve();
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      const { name, problem: encodingProblem } = decodeName(entry);
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      const madeByUnix = entry.versionMadeBy >>> 8 === 3;
      const isDirectory = name.endsWith('/') || (madeByUnix && mode === S_IFDIR);
      let unsafe = encodingProblem ?? checkEntryName(name);
      if (!unsafe && mode === S_IFLNK) unsafe = 'symbolic link';
      else if (!unsafe && mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) unsafe = `special file (mode ${mode.toString(8)})`;
      else if (!unsafe && entry.isEncrypted()) unsafe = 'encrypted entry';
      const key = name.replace(/\/$/, '');
      if (!unsafe && seen.has(key)) unsafe = 'duplicate name';
      seen.add(key);
      let opened = false;
      const view: ZipEntryView = {
        name,
        size: entry.uncompressedSize,
        isDirectory,
        unsafe,
        open: () => {
          if (unsafe) return Promise.reject(new ZipReadError(`refusing to read unsafe entry "${name}": ${unsafe}`));
          if (isDirectory) return Promise.reject(new ZipReadError(`"${name}" is a directory`));
          if (opened) return Promise.reject(new ZipReadError(`"${name}" was already opened`));
          opened = true;
          return new Promise<Readable>((res, rej) => {
            zip.openReadStream(entry, (err, stream) => {
              if (err || !stream) rej(new ZipReadError(`entry "${name}" cannot be read: ${err?.message ?? 'unknown error'}`, { cause: err }));
              else res(stream);
            });
          });
        },
      };
      visit(view).then(
        () => zip.readEntry(),
        (err: unknown) => fail(err),
      );
    });
    zip.readEntry();
  });
}

/** Reads a whole (small) entry into memory, refusing more than `limit` bytes. */
export async function readAll(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > limit) {
      stream.destroy();
      throw new ZipReadError(`${what} is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
