import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sha256Hex } from '../util/canonical-json.js';
import { monthsBetween } from '../util/time.js';
import { EvidenceItem, type BlobRef } from './model.js';
import { StoreError, type EvidenceStore, type ItemQuery, type PutItemResult } from './store.js';

const LAYOUT_VERSION = 'auditpack-store 1';

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

  async putBlob(data: Uint8Array, mediaType: string): Promise<BlobRef> {
    await this.init();
    const sha256 = sha256Hex(data);
    const target = this.blobPath(sha256);
    if (!(await exists(target))) {
      await mkdirp(path.dirname(target));
      await this.createExclusive(target, gzipSync(data, { level: 6 }));
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
      if (ref && !(await this.hasBlob(ref.sha256))) {
        throw new StoreError(`item ${item.id} references blob ${ref.sha256}, which is not stored`, this.blobPath(ref.sha256));
      }
    }
    const recordPath = this.recordPath(item.id);
    await mkdirp(path.dirname(recordPath));
    const stored = await this.createExclusive(recordPath, Buffer.from(JSON.stringify(item) + '\n'));
    const kept = stored ? item : ((await this.getItem(item.id)) ?? item);
    for (const marker of this.markerPaths(kept)) {
      await mkdirp(path.dirname(marker));
      await this.createExclusive(marker, Buffer.alloc(0));
    }
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

  private async writeTemp(data: Uint8Array): Promise<string> {
    const tmp = path.join(this.root, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(tmp, 'wx');
      await handle.writeFile(data);
      if (this.options.fsync !== false) await handle.sync();
      await handle.close();
      handle = undefined;
      return tmp;
    } catch (err) {
      await handle?.close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
      throw wrap(err, tmp, 'cannot write to the store');
    }
  }

  /** Creates `target` with `data` unless it exists. Returns whether this call created it. */
  private async createExclusive(target: string, data: Uint8Array): Promise<boolean> {
    const tmp = await this.writeTemp(data);
    try {
      await fs.link(tmp, target);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw wrap(err, target, 'cannot write to the store');
    } finally {
      await fs.rm(tmp, { force: true });
    }
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
