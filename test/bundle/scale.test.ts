import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/verify.js';
import { loadTrustAnchors } from '../../src/signing/chain.js';
import { TSX, tempDir } from './helpers.js';

const tmp = tempDir('auditpack-scale-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bundle scale', () => {
  it('streams thousands of evidence files: live memory stays far below the payload size, and the result verifies', { timeout: 300_000 }, async () => {
    const items = 1500;
    const rawBytes = 48 * 1024;
    const r = spawnSync(TSX, [path.resolve('test/fixtures/bundle/scale-child.ts'), tmp, String(items), String(rawBytes)], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '--expose-gc' },
      maxBuffer: 1 << 20,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { base: number; peak: number; files: number; size: number; path: string; items: number; ca: string };
    expect(out.files).toBeGreaterThan(2 * items); // record + raw payload per item, plus the rest
    const payload = items * rawBytes;
    // Holding the evidence would need at least the payload (~70 MB) of live memory; streaming holds a few MB.
    expect(out.peak - out.base).toBeLessThan(payload / 2);
    const report = await verifyBundle(out.path, { trust: loadTrustAnchors(readFileSync(out.ca, 'utf8'), 'ca') });
    expect(report.problems).toEqual([]);
    expect(report.files.verified).toBe(out.files - 2);
  });
});
