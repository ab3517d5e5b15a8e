import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { StoreError } from '../../src/evidence/store.js';
import { writeObservation, writeObservations, readContent } from '../../src/evidence/writer.js';
import { segmentId } from '../../src/evidence/segment-format.js';
import { collected } from '../../src/evidence/observation.js';
import { evidenceItemJsonSchema } from '../../src/evidence/model.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'auditpack-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ctx = (store: LocalDirectoryStore, at = '2026-11-01T00:00:00.000Z') => ({
  store,
  now: () => new Date(at),
  collectorVersion: 'test/1',
  callerIdentity: null,
});

function trailObs(name: string, at = '2026-10-31T12:00:00.000Z') {
  return collected(
    {
      collector: 'cloudtrail',
      kind: 'cloudtrail.trail' as const,
      account: '111122223333',
      region: 'eu-west-1',
      resource: `arn:aws:cloudtrail:eu-west-1:111122223333:trail/${name}`,
      observedAt: { type: 'instant', at },
      raw: { bytes: Buffer.from(`{"Name":"${name}"}`), mediaType: 'application/json', sensitive: false },
      sources: [{ type: 'file', path: 'cli/x.json', sha256: 'a'.repeat(64) }],
    },
    { name, isMultiRegion: true },
  );
}

describe('LocalDirectoryStore', () => {
  it('stores an observation once, whatever the number of puts (idempotent, first record wins)', async () => {
    const store = new LocalDirectoryStore(dir, { fsync: false });
    const first = await writeObservation(ctx(store, '2026-11-01T00:00:00.000Z'), trailObs('a'));
    const second = await writeObservation(ctx(store, '2026-11-05T00:00:00.000Z'), trailObs('a'));
    expect(first.stored).toBe(true);
    expect(second.stored).toBe(false);
    expect(second.item.id).toBe(first.item.id);
    expect(second.item.collectedAt).toBe('2026-11-01T00:00:00.000Z');
    const listed = [];
    for await (const i of store.listItems({})) listed.push(i);
    expect(listed.map((i) => i.id)).toEqual([first.item.id]);
    expect(await readContent(store, first.item)).toEqual({ name: 'a', isMultiRegion: true });
  });

  it('lists by month, collector, account, region and kind without reading other partitions', async () => {
    const store = new LocalDirectoryStore(dir, { fsync: false });
    const a = await writeObservation(ctx(store), trailObs('a', '2026-10-15T00:00:00.000Z'));
    const b = await writeObservation(ctx(store), trailObs('b', '2026-11-15T00:00:00.000Z'));
    const ids = async (q: Parameters<typeof store.listItems>[0]) => {
      const out: string[] = [];
      for await (const i of store.listItems(q)) out.push(i.id);
      return out;
    };
    expect(await ids({ months: ['2026-10'] })).toEqual([a.item.id]);
    expect(await ids({ months: ['2026-11'], kinds: ['cloudtrail.trail'] })).toEqual([b.item.id]);
    expect(await ids({ account: '444455556666' })).toEqual([]);
    expect(await ids({ region: 'eu-west-1', collector: 'cloudtrail' })).toHaveLength(2);
  });

  it('indexes a window in every month it overlaps, and lists it once', async () => {
    const store = new LocalDirectoryStore(dir, { fsync: false });
    const obs = {
      ...trailObs('w'),
      observedAt: { type: 'window' as const, start: '2026-10-31T00:00:00.000Z', end: '2026-11-02T00:00:00.000Z' },
    };
    const w = await writeObservation(ctx(store), obs);
    const out: string[] = [];
    for await (const i of store.listItems({ months: ['2026-10', '2026-11'] })) out.push(i.id);
    expect(out).toEqual([w.item.id]);
  });

  it('detects a corrupted blob instead of returning wrong content', async () => {
    const store = new LocalDirectoryStore(dir, { fsync: false });
    const { item } = await writeObservation(ctx(store), trailObs('c'));
    const sha = item.content!.sha256;
    const blobFile = path.join(dir, 'blobs', sha.slice(0, 2), `${sha}.gz`);
    const bytes = readFileSync(blobFile);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(blobFile, bytes);
    await expect(store.getBlob(sha)).rejects.toThrow(StoreError);
    await expect(store.getBlob(sha)).rejects.toThrow(/corrupt/);
  });

  it('refuses an item whose blobs are not stored, and a record that fails the schema', async () => {
    const store = new LocalDirectoryStore(dir, { fsync: false });
    const { item } = await writeObservation(ctx(store), trailObs('d'));
    await expect(
      store.putItem({ ...item, id: 'f'.repeat(64), content: { ...item.content!, sha256: 'e'.repeat(64) } }),
    ).rejects.toThrow(/not stored/);
    await expect(store.putItem({ ...item, account: '../../etc' })).rejects.toThrow(/12-digit/);
  });

  it('leaves no temp files behind and keeps state documents atomic', async () => {
    const store = new LocalDirectoryStore(dir, { fsync: false });
    await writeObservation(ctx(store), trailObs('e'));
    await store.putState('runs/r1/collect', { ok: 1 });
    await store.putState('runs/r1/collect', { ok: 2 });
    expect(await store.getState('runs/r1/collect')).toEqual({ ok: 2 });
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    await expect(store.putState('../escape', {})).rejects.toThrow(/invalid state key/);
  });

  it('exports the evidence item schema as JSON Schema', () => {
    const schema = evidenceItemJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['id', 'observedAt', 'collectedAt', 'provenance', 'status', 'content', 'raw']),
    );
    expect(schema.required).toContain('provenance');
  });

  const runWriter = (seed: string, mode = 'single') =>
    new Promise<number>((resolve, reject) => {
      const p = spawn(
        path.resolve('node_modules/.bin/tsx'),
        [path.resolve('test/evidence/store-writer.fixture.ts'), dir, seed, mode],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      p.on('error', reject);
      p.on('exit', (code) => resolve(code ?? 1));
    });

  it('two processes writing the same and different items at once leave exactly one record per id', async () => {
    const run = (seed: string) => runWriter(seed);
    const codes = await Promise.all([run('p1'), run('p2'), run('p3')]);
    expect(codes).toEqual([0, 0, 0]);
    const store = new LocalDirectoryStore(dir);
    const ids: string[] = [];
    for await (const i of store.listItems({})) ids.push(i.id);
    // Each writer puts 40 shared observations and 10 of its own.
    expect(ids.length).toBe(40 + 3 * 10);
    expect(new Set(ids).size).toBe(ids.length);
    const records = readdirSync(path.join(dir, 'records')).flatMap((d) => readdirSync(path.join(dir, 'records', d)));
    expect(records.length).toBe(70);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('three processes writing the same batch at once leave one segment, and their own items beside it', async () => {
    expect(await Promise.all([runWriter('p1', 'batch'), runWriter('p2', 'batch'), runWriter('p3', 'batch')])).toEqual([
      0, 0, 0,
    ]);
    const store = new LocalDirectoryStore(dir);
    const ids: string[] = [];
    for await (const i of store.listItems({})) ids.push(i.id);
    expect(ids.length).toBe(40 + 3 * 10);
    expect(new Set(ids).size).toBe(ids.length);
    expect(readdirSync(path.join(dir, 'segments'))).toHaveLength(1);
    expect(
      readdirSync(path.join(dir, 'records')).flatMap((d) => readdirSync(path.join(dir, 'records', d))),
    ).toHaveLength(30);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  describe('segments (putBatch)', () => {
    const batch = (names: string[], at = '2026-10-31T12:00:00.000Z') => names.map((n) => trailObs(n, at));

    it('writes a batch as one segment file per partition with one marker each, and no record or blob files', async () => {
      const store = new LocalDirectoryStore(dir, { fsync: false });
      const out = await writeObservations(ctx(store), [
        ...batch(['a', 'b', 'c']),
        ...batch(['d'], '2026-11-02T00:00:00.000Z'),
      ]);
      expect(out.every((o) => o.stored)).toBe(true);
      const segments = readdirSync(path.join(dir, 'segments'));
      expect(segments).toHaveLength(2);
      expect(existsSync(path.join(dir, 'records'))).toBe(false);
      expect(existsSync(path.join(dir, 'blobs'))).toBe(false);
      const octMarkers = readdirSync(
        path.join(dir, 'index/2026-10/cloudtrail/111122223333/eu-west-1/cloudtrail.trail'),
      );
      expect(octMarkers).toHaveLength(1);
      expect(octMarkers[0]).toMatch(/^@[a-f0-9]{64}$/);
      expect(segments).toContain(`${octMarkers[0]!.slice(1)}.seg`);
      expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
      // The segment is named by its item ids: the same items from anywhere give the same file.
      const ids = out.slice(0, 3).map((o) => o.item.id);
      expect(octMarkers[0]!.slice(1)).toBe(segmentId(ids));
    });

    it('keeps a large blob of a batch as a blob file (gzip), the rest inside the segment', async () => {
      const store = new LocalDirectoryStore(dir, { fsync: false });
      const big = Buffer.from(JSON.stringify({ Records: Array.from({ length: 200_000 }, (_, i) => ({ i })) }));
      const obs = { ...trailObs('big'), raw: { bytes: big, mediaType: 'application/json', sensitive: false } };
      const [o] = await writeObservations(ctx(store), [obs, trailObs('small')]);
      expect(readdirSync(path.join(dir, 'blobs')).flatMap((d) => readdirSync(path.join(dir, 'blobs', d)))).toEqual([`${o!.item.raw!.sha256}.gz`]);
      expect((await new LocalDirectoryStore(dir).getBlob(o!.item.raw!.sha256)).equals(big)).toBe(true);
    });

    it('detects a corrupted or truncated segment instead of returning wrong evidence', async () => {
      const store = new LocalDirectoryStore(dir, { fsync: false });
      const out = await writeObservations(ctx(store), batch(['x', 'y']));
      const [seg] = readdirSync(path.join(dir, 'segments'));
      const file = path.join(dir, 'segments', seg!);
      const original = readFileSync(file);
      // A blob's bytes changed: its hash no longer matches.
      const rawAt = original.lastIndexOf(Buffer.from('{"Name":"y"}'));
      writeFileSync(
        file,
        Buffer.concat([original.subarray(0, rawAt), Buffer.from('{"Name":"z"}'), original.subarray(rawAt + 12)]),
      );
      await expect(new LocalDirectoryStore(dir).getBlob(out[1]!.item.raw!.sha256)).rejects.toThrow(
        /corrupt \(hash mismatch\)/,
      );
      // A record's bytes changed.
      const recAt = original.indexOf(Buffer.from('"schemaVersion"'));
      writeFileSync(
        file,
        Buffer.concat([original.subarray(0, recAt), Buffer.from('"schemaVersioX"'), original.subarray(recAt + 15)]),
      );
      await expect(new LocalDirectoryStore(dir).getItem(out.map((o) => o.item.id).sort()[0]!)).rejects.toThrow(
        /corrupt/,
      );
      // Cut short: listing names the segment.
      writeFileSync(file, original.subarray(0, 60));
      const list = async () => {
        for await (const _ of new LocalDirectoryStore(dir).listItems({})) void _;
      };
      await expect(list()).rejects.toThrow(StoreError);
      await expect(list()).rejects.toThrow(new RegExp(seg!.replace('.seg', '')));
      writeFileSync(file, 'not a segment');
      await expect(list()).rejects.toThrow(/not a segment/);
    });

    it('a put interrupted after the segment and before its markers is finished by putting the batch again', async () => {
      const store = new LocalDirectoryStore(dir, { fsync: false });
      const first = await writeObservations(ctx(store), batch(['m', 'n']));
      rmSync(path.join(dir, 'index'), { recursive: true });
      const listed = async () => {
        const ids: string[] = [];
        for await (const i of new LocalDirectoryStore(dir).listItems({})) ids.push(i.id);
        return ids;
      };
      expect(await listed()).toEqual([]);
      const again = await writeObservations(
        ctx(new LocalDirectoryStore(dir), '2026-11-07T00:00:00.000Z'),
        batch(['m', 'n']),
      );
      expect(again.map((o) => o.stored)).toEqual([false, false]);
      expect(again.map((o) => o.item)).toEqual(first.map((o) => o.item));
      expect((await listed()).sort()).toEqual(first.map((o) => o.item.id).sort());
    });
  });
});
