/**
 * Audits a local evidence store after a fault: every record parses and every blob it references is there and
 * matches its sha256; no staging (tmp) file is left; no stray file (a half-written record, segment, blob or marker)
 * is visible under records/, segments/, blobs/ or index/. Compares the records and index markers with a baseline store
 * collected in process from the same source: items lost and items duplicated.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LocalDirectoryStore } from '../../../src/evidence/local-store.js';
import { segmentId } from '../../../src/evidence/segment-format.js';
import { FRAMEWORKS_DIR } from '../../../src/frameworks/load.js';
import { collectStage } from '../../../src/pipeline/collect-stage.js';

export interface StoreAudit {
  readonly root: string;
  /** Ids of the stored items: record files (records/<ab>/<id>.json) and the items of segments, each once. */
  readonly ids: readonly string[];
  /** Index markers, as paths relative to index/. */
  readonly markers: readonly string[];
  /** Records that do not parse, or whose blobs are missing or do not match their sha256 (with the reason). */
  readonly corrupt: readonly string[];
  /** Files left in the staging area <root>/tmp. */
  readonly tmpFiles: readonly string[];
  /** Files under records/, blobs/ or index/ that are not a complete record, blob or marker. */
  readonly stray: readonly string[];
  readonly blobs: number;
  /** Items per status (collected, not_applicable, error). */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Ids of the items whose status is not `error`. */
  readonly okIds: readonly string[];
}

const HEX64 = /^[a-f0-9]{64}$/;

async function walk(dir: string, rel = ''): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const r = rel ? path.join(rel, e.name) : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, r)));
    else out.push(r);
  }
  return out.sort();
}

export async function auditStore(root: string): Promise<StoreAudit> {
  const store = new LocalDirectoryStore(root);
  const corrupt: string[] = [];
  const stray: string[] = [];
  const ids: string[] = [];
  const okIds: string[] = [];
  const byStatus: Record<string, number> = {};
  for (const rel of await walk(path.join(root, 'records'))) {
    const m = /^([a-f0-9]{2})\/([a-f0-9]{64})\.json$/.exec(rel);
    if (!m || !m[2]!.startsWith(m[1]!)) {
      stray.push(`records/${rel}`);
      continue;
    }
    const id = m[2]!;
    ids.push(id);
    try {
      const item = await store.getItem(id);
      if (!item) throw new Error('record vanished');
      if (item.id !== id) throw new Error(`record ${id} holds item ${item.id}`);
      for (const ref of [item.content, item.raw]) if (ref) await store.getBlob(ref.sha256);
      byStatus[item.status.state] = (byStatus[item.status.state] ?? 0) + 1;
      if (item.status.state !== 'error') okIds.push(id);
    } catch (err) {
      corrupt.push(`${id}: ${(err as Error).message}`);
    }
  }
  const segments = new Set<string>();
  const listed = new Set(ids);
  for (const rel of await walk(path.join(root, 'segments'))) {
    const seg = /^([a-f0-9]{64})\.seg$/.exec(rel)?.[1];
    if (!seg) {
      stray.push(`segments/${rel}`);
      continue;
    }
    segments.add(seg);
    try {
      const index = await store.readSegmentIndex(seg);
      const segIds = index.items.map(([id]) => id);
      if (segmentId(segIds) !== seg) throw new Error('named for other items');
      for (const [sha] of index.blobs) await store.getBlob(sha);
      for (const id of segIds) {
        if (listed.has(id)) continue;
        listed.add(id);
        const item = await store.getItem(id);
        if (!item) throw new Error(`item ${id} vanished`);
        for (const ref of [item.content, item.raw]) if (ref) await store.getBlob(ref.sha256);
        ids.push(id);
        byStatus[item.status.state] = (byStatus[item.status.state] ?? 0) + 1;
        if (item.status.state !== 'error') okIds.push(id);
      }
    } catch (err) {
      corrupt.push(`segment ${seg}: ${(err as Error).message}`);
    }
  }
  let blobs = 0;
  for (const rel of await walk(path.join(root, 'blobs'))) {
    const m = /^([a-f0-9]{2})\/([a-f0-9]{64})\.gz$/.exec(rel);
    if (!m || !m[2]!.startsWith(m[1]!)) {
      stray.push(`blobs/${rel}`);
      continue;
    }
    blobs += 1;
    try {
      await store.getBlob(m[2]!);
    } catch (err) {
      corrupt.push(`blob ${m[2]}: ${(err as Error).message}`);
    }
  }
  const idSet = new Set(ids);
  const markers: string[] = [];
  for (const rel of await walk(path.join(root, 'index'))) {
    const name = path.basename(rel);
    const st = await fs.stat(path.join(root, 'index', rel));
    const seg = /^@([a-f0-9]{64})$/.exec(name)?.[1];
    if ((!HEX64.test(name) && !seg) || st.size !== 0 || rel.split(path.sep).length !== 6) stray.push(`index/${rel}`);
    else if (seg ? !segments.has(seg) : !idSet.has(name)) corrupt.push(`index/${rel}: marker without a record`);
    else markers.push(rel);
  }
  const tmpFiles = await walk(path.join(root, 'tmp'));
  return { root, ids: ids.sort(), markers, corrupt, tmpFiles, stray, blobs, byStatus, okIds: okIds.sort() };
}

export interface EvidenceDiff {
  /** Baseline records or index markers missing from the store. */
  readonly lost: number;
  /** Records or markers the baseline does not have (the same evidence stored twice, under another id). */
  readonly duplicated: number;
  readonly lostIds: readonly string[];
  readonly extraIds: readonly string[];
}

function minus(a: readonly string[], b: readonly string[]): string[] {
  const s = new Set(b);
  return a.filter((x) => !s.has(x));
}

/** Records and index markers of `actual` against `baseline`. */
export function compareWithBaseline(baseline: StoreAudit, actual: StoreAudit): EvidenceDiff {
  const lostIds = minus(baseline.ids, actual.ids);
  const extraIds = minus(actual.ids, baseline.ids);
  const lostMarkers = minus(baseline.markers, actual.markers).length;
  const extraMarkers = minus(actual.markers, baseline.markers).length;
  return {
    lost: lostIds.length + lostMarkers,
    duplicated: extraIds.length + extraMarkers,
    lostIds: lostIds.slice(0, 20),
    extraIds: extraIds.slice(0, 20),
  };
}

/** The reference: `exportDir` collected once, in process, into a fresh store at `root`. */
export async function baselineCollection(exportDir: string, root: string, now: string): Promise<StoreAudit> {
  await collectStage(
    {
      store: new LocalDirectoryStore(root, { fsync: false }),
      now: () => new Date(now),
      generator: { name: 'auditpack', version: '0.1.0' },
      callerIdentity: null,
      frameworksDir: FRAMEWORKS_DIR,
    },
    { runId: 'baseline', source: { type: 'export-dir', path: exportDir } },
  );
  return auditStore(root);
}

/** Every file under `dir` (relative paths), recursively; [] when it does not exist. */
export function filesUnder(dir: string): Promise<string[]> {
  return walk(dir);
}
