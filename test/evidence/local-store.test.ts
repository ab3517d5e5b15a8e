import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { StoreError } from '../../src/evidence/store.js';
import { writeObservation, readContent } from '../../src/evidence/writer.js';
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
    const obs = { ...trailObs('w'), observedAt: { type: 'window' as const, start: '2026-10-31T00:00:00.000Z', end: '2026-11-02T00:00:00.000Z' } };
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
    await expect(store.putItem({ ...item, id: 'f'.repeat(64), content: { ...item.content!, sha256: 'e'.repeat(64) } })).rejects.toThrow(/not stored/);
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
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['id', 'observedAt', 'collectedAt', 'provenance', 'status', 'content', 'raw']));
    expect(schema.required).toContain('provenance');
  });

  it('two processes writing the same and different items at once leave exactly one record per id', async () => {
    const script = path.resolve('test/evidence/store-writer.fixture.ts');
    const tsx = path.resolve('node_modules/.bin/tsx');
    const run = (seed: string) =>
      new Promise<number>((resolve, reject) => {
        const p = spawn(tsx, [script, dir, seed], { stdio: ['ignore', 'inherit', 'inherit'] });
        p.on('error', reject);
        p.on('exit', (code) => resolve(code ?? 1));
      });
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
});
