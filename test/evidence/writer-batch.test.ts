// writeObservations on a store without putBatch (the S3 store): bounded concurrent single writes, results in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { EvidenceItem } from '../../src/evidence/model.js';
import type { EvidenceStore, PutItemResult } from '../../src/evidence/store.js';
import { writeObservations } from '../../src/evidence/writer.js';
import { ctx, recorder } from './store-conformance.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'auditpack-writer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The local store without its batch write, counting the single puts in flight (each held for a moment). */
function oneByOne(failOn?: string) {
  const inner = new LocalDirectoryStore(dir, { fsync: false });
  const stats = { inFlight: 0, maxInFlight: 0 };
  const store: EvidenceStore = {
    description: 'one by one',
    putBlob: (d, m, o) => inner.putBlob(d, m, o),
    getBlob: (s) => inner.getBlob(s),
    hasBlob: (s) => inner.hasBlob(s),
    getItem: (id) => inner.getItem(id),
    listItems: (q) => inner.listItems(q),
    putState: (k, v) => inner.putState(k, v),
    getState: (k) => inner.getState(k),
    async putItem(item: EvidenceItem): Promise<PutItemResult> {
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        await new Promise((r) => setTimeout(r, 5));
        if (failOn && item.resource === failOn) throw new Error(`refused ${failOn}`);
        return await inner.putItem(item);
      } finally {
        stats.inFlight--;
      }
    },
  };
  return { store, stats };
}

describe('writeObservations without putBatch', () => {
  it('writes up to 16 at a time and returns the outcomes in the order given', async () => {
    const { store, stats } = oneByOne();
    const list = Array.from({ length: 40 }, (_, i) => recorder(`r${i}`));
    const out = await writeObservations(ctx(store), list);
    expect(out.map((o) => o.item.resource)).toEqual(list.map((o) => o.resource));
    expect(out.every((o) => o.stored)).toBe(true);
    expect(stats.maxInFlight).toBeGreaterThan(1);
    expect(stats.maxInFlight).toBeLessThanOrEqual(16);
  });

  it('rethrows the first failure after every write in flight has finished', async () => {
    const { store, stats } = oneByOne('config-recorder/r3');
    const list = Array.from({ length: 40 }, (_, i) => recorder(`r${i}`));
    await expect(writeObservations(ctx(store), list)).rejects.toThrow(/refused config-recorder\/r3/);
    expect(stats.inFlight).toBe(0);
  });
});
