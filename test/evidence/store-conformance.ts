// The behaviour every EvidenceStore must have (see the guarantees in src/evidence/store.ts), as one suite run
// against each implementation: the local directory store and the S3 store on a fake S3.
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EvidenceItem } from '../../src/evidence/model.js';
import { collected, failed } from '../../src/evidence/observation.js';
import { StoreError, type EvidenceStore, type ItemQuery } from '../../src/evidence/store.js';
import { readContent, writeObservation, writeObservations } from '../../src/evidence/writer.js';
import { sha256Hex } from '../../src/util/canonical-json.js';

export interface StoreHarness {
  /** A new store instance over the same storage (as another process would open it). */
  open(): EvidenceStore;
  /** Replaces the stored bytes of a blob, as a stray writer or a bad disk would. */
  tamperBlob(sha256: string, bytes: Buffer): Promise<void>;
  /** Replaces the stored bytes of a record. */
  tamperRecord(id: string, bytes: Buffer): Promise<void>;
  dispose(): Promise<void>;
}

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';

export function ctx(store: EvidenceStore, at = '2026-11-01T00:00:00.000Z') {
  return { store, now: () => new Date(at), collectorVersion: 'test/1', callerIdentity: null };
}

export function trail(name: string, at = '2026-10-31T12:00:00.000Z', over: { account?: string; region?: string } = {}) {
  const account = over.account ?? ACCOUNT;
  const region = over.region ?? 'eu-west-1';
  return collected(
    {
      collector: 'cloudtrail',
      kind: 'cloudtrail.trail' as const,
      account,
      region,
      resource: `arn:aws:cloudtrail:${region}:${account}:trail/${name}`,
      observedAt: { type: 'instant', at },
      raw: { bytes: Buffer.from(`{"Name":"${name}"}`), mediaType: 'application/json', sensitive: false },
      sources: [{ type: 'file', path: 'cli/x.json', sha256: 'a'.repeat(64) }],
    },
    { name, isMultiRegion: true },
  );
}

export function recorder(name: string, at = '2026-10-31T00:00:00.000Z') {
  return collected(
    {
      collector: 'config',
      kind: 'config.recorder' as const,
      account: ACCOUNT,
      region: 'eu-west-1',
      resource: `config-recorder/${name}`,
      observedAt: { type: 'instant', at },
      raw: null,
      sources: [{ type: 'api', operation: 'config:DescribeConfigurationRecorderStatus', requestId: null }],
    },
    { name, recording: true, lastStatus: 'SUCCESS', allSupported: true, includeGlobalResourceTypes: true },
  );
}

export async function ids(store: EvidenceStore, q: ItemQuery = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const i of store.listItems(q)) out.push(i.id);
  return out;
}

export function describeStoreConformance(name: string, setup: () => Promise<StoreHarness>): void {
  describe(`EvidenceStore conformance: ${name}`, () => {
    let h: StoreHarness;
    let store: EvidenceStore;
    beforeEach(async () => {
      h = await setup();
      store = h.open();
    });
    afterEach(async () => h.dispose());

    it('blobs: content-addressed by the SHA-256 of the uncompressed bytes, written once, read back verified', async () => {
      const data = Buffer.from('{"hello":"world"}');
      const ref = await store.putBlob(data, 'application/json');
      expect(ref).toEqual({ sha256: sha256Hex(data), size: data.length, mediaType: 'application/json' });
      expect(await store.putBlob(data, 'application/json')).toEqual(ref);
      expect(await store.hasBlob(ref.sha256)).toBe(true);
      expect(await h.open().hasBlob(ref.sha256)).toBe(true);
      expect(await h.open().getBlob(ref.sha256)).toEqual(data);
      expect(await store.hasBlob('0'.repeat(64))).toBe(false);
      await expect(store.getBlob('0'.repeat(64))).rejects.toThrow(StoreError);
      await expect(store.getBlob('0'.repeat(64))).rejects.toThrow(/missing/);
      await expect(store.getBlob('../../etc/passwd')).rejects.toThrow(/not a sha256/);
      const empty = await store.putBlob(new Uint8Array(0), 'text/plain');
      expect((await store.getBlob(empty.sha256)).length).toBe(0);
    });

    it('items: put, get and read content; unknown and malformed ids are null', async () => {
      const { item, stored } = await writeObservation(ctx(store), trail('a'));
      expect(stored).toBe(true);
      const again = await h.open().getItem(item.id);
      expect(again).toEqual(item);
      expect(await readContent(h.open(), item)).toEqual({ name: 'a', isMultiRegion: true });
      expect(await store.getItem('f'.repeat(64))).toBeNull();
      expect(await store.getItem('not-an-id')).toBeNull();
      expect(await store.getItem('../' + 'a'.repeat(61))).toBeNull();
    });

    it('is idempotent: the same observation twice stores one record, and the first one wins', async () => {
      const first = await writeObservation(ctx(store, '2026-11-01T00:00:00.000Z'), trail('a'));
      const second = await writeObservation(ctx(h.open(), '2026-11-05T00:00:00.000Z'), trail('a'));
      expect(first.stored).toBe(true);
      expect(second.stored).toBe(false);
      expect(second.item).toEqual(first.item);
      expect(second.item.collectedAt).toBe('2026-11-01T00:00:00.000Z');
      expect(await ids(store)).toEqual([first.item.id]);
    });

    it('an error item (no content) is stored and listed like any other', async () => {
      const obs = failed(
        {
          collector: 'sagemaker',
          kind: 'sagemaker.model_card',
          account: ACCOUNT,
          region: 'eu-west-1',
          resource: null,
          observedAt: { type: 'instant', at: '2026-10-02T00:00:00.000Z' },
          raw: null,
          sources: [{ type: 'api', operation: 'sagemaker:ListModelCards', requestId: null }],
        },
        'AccessDeniedException',
        'not authorized',
      );
      const { item } = await writeObservation(ctx(store), obs);
      expect(item.content).toBeNull();
      expect(await ids(store, { kinds: ['sagemaker.model_card'] })).toEqual([item.id]);
      expect(await readContent(store, item)).toBeNull();
    });

    it('lists by month, collector, account, region and kind; a window in every month it overlaps, once', async () => {
      const oct = await writeObservation(ctx(store), trail('oct', '2026-10-15T00:00:00.000Z'));
      const nov = await writeObservation(ctx(store), trail('nov', '2026-11-15T00:00:00.000Z'));
      const other = await writeObservation(
        ctx(store),
        trail('other', '2026-10-15T00:00:00.000Z', { account: OTHER_ACCOUNT, region: 'us-east-1' }),
      );
      const rec = await writeObservation(ctx(store), recorder('r'));
      const win = await writeObservation(ctx(store), {
        ...trail('w'),
        observedAt: { type: 'window' as const, start: '2026-10-31T00:00:00.000Z', end: '2026-12-02T00:00:00.000Z' },
      });
      const s = h.open();
      const sorted = (a: string[]) => [...a].sort();
      expect(sorted(await ids(s))).toEqual(sorted([oct, nov, other, rec, win].map((x) => x.item.id)));
      expect(sorted(await ids(s, { months: ['2026-10'] }))).toEqual(
        sorted([oct, other, rec, win].map((x) => x.item.id)),
      );
      expect(sorted(await ids(s, { months: ['2026-11'], kinds: ['cloudtrail.trail'] }))).toEqual(
        sorted([nov, win].map((x) => x.item.id)),
      );
      expect(await ids(s, { months: ['2026-12'] })).toEqual([win.item.id]);
      expect(sorted(await ids(s, { months: ['2026-10', '2026-11', '2026-12'] }))).toEqual(
        sorted([oct, nov, other, rec, win].map((x) => x.item.id)),
      );
      expect(await ids(s, { account: OTHER_ACCOUNT })).toEqual([other.item.id]);
      expect(await ids(s, { region: 'us-east-1', collector: 'cloudtrail' })).toEqual([other.item.id]);
      expect(await ids(s, { collector: 'config' })).toEqual([rec.item.id]);
      expect(await ids(s, { kinds: ['config.recorder', 'sagemaker.endpoint'] })).toEqual([rec.item.id]);
      expect(
        sorted(
          await ids(s, {
            account: ACCOUNT,
            region: 'eu-west-1',
            collector: 'cloudtrail',
            kinds: ['cloudtrail.trail'],
            months: ['2026-10', '2026-11'],
          }),
        ),
      ).toEqual(sorted([oct, nov, win].map((x) => x.item.id)));
      // Narrowing to nothing.
      expect(await ids(s, { account: '999999999999' })).toEqual([]);
      expect(await ids(s, { months: [] })).toEqual([]);
      expect(await ids(s, { kinds: [] })).toEqual([]);
      expect(await ids(s, { months: ['2025-01'] })).toEqual([]);
    });

    it('lists every item exactly once, however many there are', async () => {
      const written = new Set<string>();
      for (let i = 0; i < 23; i++)
        written.add(
          (
            await writeObservation(
              ctx(store),
              recorder(`r${i}`, `2026-10-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000Z`),
            )
          ).item.id,
        );
      const listed = await ids(h.open(), { months: ['2026-10'] });
      expect(listed).toHaveLength(23);
      expect(new Set(listed)).toEqual(written);
    });

    it('concurrent puts of the same id through separate store instances leave exactly one record', async () => {
      // The blobs first (content-addressed: every writer would write the same ones), then the race on one new id.
      const { item: base } = await writeObservation(ctx(store), trail('race'));
      const id = sha256Hex('race');
      const racers: EvidenceItem[] = Array.from({ length: 8 }, (_, i) => ({
        ...base,
        id,
        collectedAt: `2026-11-0${i + 1}T00:00:00.000Z`,
      }));
      // Open and warm up the writers first (layout check, blob lookups), so that their record writes overlap.
      const writers = await Promise.all(
        racers.map(async () => {
          const w = h.open();
          await w.putBlob(Buffer.from('warm-up'), 'text/plain');
          for (const ref of [base.content, base.raw]) if (ref) expect(await w.hasBlob(ref.sha256)).toBe(true);
          return w;
        }),
      );
      const results = await Promise.all(racers.map((r, i) => writers[i]!.putItem(r)));
      expect(results.filter((r) => r.stored)).toHaveLength(1);
      const winner = results.find((r) => r.stored)!.item;
      for (const r of results) expect(r.item).toEqual(winner);
      expect(await h.open().getItem(id)).toEqual(winner);
      expect((await ids(h.open())).filter((x) => x === id)).toHaveLength(1);

      // Different observations at once, from several instances, some shared: one record per id.
      const names = Array.from({ length: 12 }, (_, i) => `shared-${i % 6}`);
      const outcomes = await Promise.all(names.map((n) => writeObservation(ctx(h.open()), recorder(n))));
      const perId = new Map<string, number>();
      for (const o of outcomes) if (o.stored) perId.set(o.item.id, (perId.get(o.item.id) ?? 0) + 1);
      expect(perId.size).toBe(6);
      expect([...perId.values()].every((n) => n === 1)).toBe(true);
      expect(await ids(h.open(), { collector: 'config' })).toHaveLength(6);
    });

    it('detects a corrupted blob instead of returning wrong content', async () => {
      const { item } = await writeObservation(ctx(store), trail('c'));
      const sha = item.content!.sha256;
      await h.tamperBlob(sha, gzipSync(Buffer.from('{"name":"not what was stored"}')));
      await expect(h.open().getBlob(sha)).rejects.toThrow(StoreError);
      await expect(h.open().getBlob(sha)).rejects.toThrow(/corrupt \(hash mismatch\)/);
      await h.tamperBlob(sha, Buffer.from('not gzip at all'));
      await expect(h.open().getBlob(sha)).rejects.toThrow(/corrupt/);
      await expect(readContent(h.open(), item)).rejects.toThrow(StoreError);
    });

    it('detects a corrupted record', async () => {
      const { item } = await writeObservation(ctx(store), trail('d'));
      await h.tamperRecord(item.id, Buffer.from('{"schemaVersion":1,"id":"oops"}'));
      await expect(h.open().getItem(item.id)).rejects.toThrow(/corrupt/);
    });

    it('refuses an item whose blobs are not stored, and a record that fails the schema', async () => {
      const { item } = await writeObservation(ctx(store), trail('e'));
      await expect(
        store.putItem({ ...item, id: 'f'.repeat(64), content: { ...item.content!, sha256: 'e'.repeat(64) } }),
      ).rejects.toThrow(/not stored/);
      await expect(store.putItem({ ...item, account: '../../etc' })).rejects.toThrow(/12-digit/);
      expect(await store.getItem('f'.repeat(64))).toBeNull();
    });

    it('batches: many observations at once are stored, listed and read like single puts; a re-run stores nothing', async () => {
      const list = [
        ...Array.from({ length: 30 }, (_, i) =>
          trail(`b${i}`, `2026-10-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000Z`),
        ),
        trail('nov', '2026-11-03T00:00:00.000Z'),
        trail('other', '2026-10-03T00:00:00.000Z', { account: OTHER_ACCOUNT, region: 'us-east-1' }),
        recorder('r'),
        trail('b0', '2026-10-01T00:00:00.000Z'), // the same observation again in the same batch
      ];
      const first = await writeObservations(ctx(store, '2026-11-01T00:00:00.000Z'), list);
      expect(first).toHaveLength(list.length);
      expect(first.slice(0, -1).every((o) => o.stored)).toBe(true);
      expect(first.at(-1)).toEqual({ stored: false, item: first[0]!.item });
      const unique = [...new Set(first.map((o) => o.item.id))].sort();
      expect(unique).toHaveLength(list.length - 1);

      const s = h.open();
      expect((await ids(s)).sort()).toEqual(unique);
      expect(await ids(s, { months: ['2026-11'] })).toEqual([first[30]!.item.id]);
      expect(await ids(s, { account: OTHER_ACCOUNT })).toEqual([first[31]!.item.id]);
      expect(await ids(s, { collector: 'config' })).toEqual([first[32]!.item.id]);
      for (const o of first) {
        expect(await s.getItem(o.item.id)).toEqual(first.find((f) => f.item.id === o.item.id)!.item);
        for (const ref of [o.item.content, o.item.raw]) if (ref) expect(await s.hasBlob(ref.sha256)).toBe(true);
      }
      expect(await readContent(h.open(), first[5]!.item)).toEqual({ name: 'b5', isMultiRegion: true });
      expect((await h.open().getBlob(first[5]!.item.raw!.sha256)).toString()).toBe('{"Name":"b5"}');

      // Again later, from another instance: nothing new, and the first records win.
      const again = await writeObservations(ctx(h.open(), '2026-11-09T00:00:00.000Z'), list);
      expect(again.every((o) => !o.stored)).toBe(true);
      expect(again.map((o) => o.item)).toEqual(first.map((o) => o.item));
      expect((await ids(h.open())).sort()).toEqual(unique);
    });

    it('batches and single puts of the same observation leave one item, the first one stored', async () => {
      const single = await writeObservation(ctx(store, '2026-11-01T00:00:00.000Z'), trail('both'));
      const batch = await writeObservations(ctx(h.open(), '2026-11-02T00:00:00.000Z'), [
        trail('both'),
        trail('batch-only'),
      ]);
      expect(batch[1]!.stored).toBe(true);
      expect(await h.open().getItem(single.item.id)).toEqual(single.item);
      const later = await writeObservation(ctx(h.open(), '2026-11-03T00:00:00.000Z'), trail('batch-only'));
      expect(later.stored).toBe(false);
      expect(await h.open().getItem(later.item.id)).toEqual(batch[1]!.item);
      const listed: EvidenceItem[] = [];
      for await (const i of h.open().listItems({})) listed.push(i);
      expect(listed.map((i) => i.id).sort()).toEqual([single.item.id, batch[1]!.item.id].sort());
      expect(listed.find((i) => i.id === single.item.id)).toEqual(single.item);
      expect(batch[0]).toEqual({ stored: false, item: single.item });
    });

    it('refuses a batch with an item whose blob is neither in the batch nor stored, and stores none of it', async () => {
      const { item } = await writeObservation(ctx(store), trail('base'));
      const orphan = { ...item, id: 'c'.repeat(64), content: { ...item.content!, sha256: 'd'.repeat(64) } };
      const fine = { ...item, id: 'e'.repeat(64) };
      const put = store.putBatch ? store.putBatch({ items: [fine, orphan], blobs: [] }) : store.putItem(orphan);
      await expect(put).rejects.toThrow(/not stored/);
      expect(await h.open().getItem('c'.repeat(64))).toBeNull();
      if (store.putBatch) expect(await h.open().getItem('e'.repeat(64))).toBeNull();
    });

    it('state: atomic replace, last writer wins, nested keys, safe key names only', async () => {
      expect(await store.getState('runs/r1/collect')).toBeUndefined();
      await store.putState('runs/r1/collect', { ok: 1 });
      await h.open().putState('runs/r1/collect', { ok: 2, list: [1, 2, 3] });
      expect(await h.open().getState('runs/r1/collect')).toEqual({ ok: 2, list: [1, 2, 3] });
      await store.putState('a/b/c/d/e', 'deep');
      expect(await store.getState('a/b/c/d/e')).toBe('deep');
      for (const bad of ['../escape', '/abs', '', 'a/../b', 'a//b', 'a/b/c/d/e/f', '.hidden', 'sp ace']) {
        await expect(store.putState(bad, {})).rejects.toThrow(/invalid state key/);
        await expect(store.getState(bad)).rejects.toThrow(/invalid state key/);
      }
    });
  });
}
