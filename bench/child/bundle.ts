/**
 * The project's bundle writer on the bundle fixture, in its own process: `bundle.ts FIXTURE_DIR LIST_FILE OUT.zip
 * [STRIDE]` (STRIDE n: every n-th file only, the same mix of kinds and sizes on a smaller scale). Every file goes into the zip through ZipWriter.addFile (deflated or stored by extension, hashed and
 * CRC'd once while written), then a manifest of their SHA-256s, as buildBundle does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serializeManifest, type Manifest, type ManifestFile } from '../../src/bundle/manifest.js';
import { ZipWriter } from '../../src/bundle/zip-writer.js';
import { report } from '../lib/child.js';

async function main(): Promise<void> {
  const [dir, list, out, stride] = process.argv.slice(2);
  if (!dir || !list || !out) throw new Error('usage: bundle.ts FIXTURE_DIR LIST_FILE OUT.zip [STRIDE]');
  const all = JSON.parse(readFileSync(list, 'utf8')) as string[];
  const step = stride ? Number(stride) : 1;
  const files = all.filter((_, i) => i % step === 0);
  const t0 = process.hrtime.bigint();
  const zip = await ZipWriter.create(out, { date: new Date('2026-11-01T00:00:00Z') });
  const listed: ManifestFile[] = [];
  let bytes = 0;
  for (const rel of files) {
    const r = await zip.addFile(rel, path.join(dir, rel));
    listed.push({ path: rel, sha256: r.sha256, size: r.size });
    bytes += r.size;
  }
  const manifest: Manifest = {
    format: 'auditpack-bundle/1',
    pack: {
      id: 'bench',
      organisation: 'bench',
      period: { label: '2026-10', start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' },
      generatedAt: '2026-11-01T00:00:00.000Z',
      generator: { name: 'auditpack', version: 'bench' },
      scope: { accounts: [], regions: [] },
    },
    frameworks: [],
    evidence: { items: files.length, withheldRaw: 0 },
    hashAlgorithm: 'sha256',
    files: listed,
  };
  await zip.addBuffer('manifest.json', serializeManifest(manifest));
  const done = await zip.finish();
  report(Number(process.hrtime.bigint() - t0) / 1e9, { bytes, files: files.length, zipBytes: done.size });
}

await main();
