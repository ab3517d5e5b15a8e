import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** gzip with a fixed level and a normalised header (mtime 0, OS = Unix), so equal input gives equal bytes. */
export function gzipDeterministic(data: string | Uint8Array): Buffer {
  const buf = gzipSync(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { level: 9 });
  // Header bytes 4..7 are MTIME (zlib writes 0), byte 9 is OS; the header carries no CRC, so patching is safe.
  buf.writeUInt32LE(0, 4);
  buf[9] = 3;
  return buf;
}

/** How the AWS CLI prints JSON output: 4-space indentation, trailing newline. */
export function cliJson(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

/**
 * Writes the export tree. Files are written in call order; every file gets an explicit mtime so that the tree is
 * the same whenever it is generated.
 */
export class TreeWriter {
  files = 0;
  bytes = 0;
  private readonly dirs = new Set<string>();

  constructor(readonly root: string) {}

  async write(rel: string, data: string | Uint8Array, mtimeMs: number): Promise<void> {
    if (rel.startsWith('/') || rel.split('/').includes('..')) throw new Error(`unsafe path ${rel}`);
    const abs = join(this.root, rel);
    const dir = dirname(abs);
    if (!this.dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.dirs.add(dir);
    }
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await writeFile(abs, buf);
    const t = new Date(mtimeMs);
    await utimes(abs, t, t);
    this.files += 1;
    this.bytes += buf.length;
  }

  /** An AWS CLI JSON output. */
  async cli(rel: string, value: unknown, mtimeMs: number): Promise<void> {
    await this.write(rel, cliJson(value), mtimeMs);
  }

  /** An empty directory that must exist (e.g. `sagemaker/` with no models proves "not applicable"). */
  async dir(rel: string, mtimeMs: number): Promise<void> {
    const abs = join(this.root, rel);
    await mkdir(abs, { recursive: true });
    this.dirs.add(abs);
    const t = new Date(mtimeMs);
    await utimes(abs, t, t);
  }
}
