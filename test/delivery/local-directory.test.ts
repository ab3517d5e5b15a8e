import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, DeliveryError, DeliveryInputError, LocalDirectoryTarget } from '../../src/delivery/index.js';
import { makeBundle, tamperedCopy, type DeliveryFixture } from '../fixtures/delivery/bundle.js';

let fx: DeliveryFixture;
beforeAll(async () => {
  fx = await makeBundle();
});
afterAll(() => rmSync(fx.root, { recursive: true, force: true }));

describe('LocalDirectoryTarget', () => {
  it('copies the verified bundle atomically, with a sha256sum file; delivering it again changes nothing', async () => {
    const dir = path.join(fx.root, 'share', 'auditor');
    const t = new LocalDirectoryTarget(dir);
    const r = await deliver(t, fx.bundle.path, { now: () => new Date('2026-11-03T10:00:00.000Z') });
    expect(r).toMatchObject({
      kind: 'local-directory',
      path: path.join(dir, 'northwind-2026-10.zip'),
      alreadyPresent: false,
      checksumFile: path.join(dir, 'northwind-2026-10.zip.sha256'),
      bundle: { sha256: fx.bundle.sha256, size: fx.bundle.size, packId: fx.pack.assessment.packId },
      deliveredAt: '2026-11-03T10:00:00.000Z',
    });
    expect(readFileSync(r.path).equals(readFileSync(fx.bundle.path))).toBe(true);
    expect(readFileSync(r.checksumFile, 'utf8')).toBe(`${fx.bundle.sha256}  northwind-2026-10.zip\n`);
    // The auditor's own check.
    const check = spawnSync('sha256sum', ['-c', 'northwind-2026-10.zip.sha256'], { cwd: dir, encoding: 'utf8' });
    expect(check.status).toBe(0);
    const again = await deliver(t, fx.bundle.path);
    expect(again.alreadyPresent).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['northwind-2026-10.zip', 'northwind-2026-10.zip.sha256']);
  });

  it('never overwrites a different file of the same name, and leaves no partial file', async () => {
    const dir = path.join(fx.root, 'occupied');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'northwind-2026-10.zip'), 'something else');
    const err = await deliver(new LocalDirectoryTarget(dir), fx.bundle.path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).code).toBe('AlreadyExists');
    expect(readFileSync(path.join(dir, 'northwind-2026-10.zip'), 'utf8')).toBe('something else');
    expect(readdirSync(dir)).toEqual(['northwind-2026-10.zip']);
  });

  it('refuses a bundle that fails verification', async () => {
    const dir = path.join(fx.root, 'never');
    await expect(deliver(new LocalDirectoryTarget(dir), tamperedCopy(fx.bundle.path, fx.root))).rejects.toThrow(DeliveryInputError);
    expect(() => readdirSync(dir)).toThrow();
  });
});
