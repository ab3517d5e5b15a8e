import { statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/bundle/manifest.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { bundleStage } from '../../src/pipeline/bundle-stage.js';
import type { BundleResult } from '../../src/bundle/build.js';
import { verifyPdfSignature } from '../../src/signing/pdf.js';
import { devSigner, makePack, type DevSigner, type Pack } from '../fixtures/bundle/pack.js';
import { readZip, runCli, runReadmeCommands, tempDir } from './helpers.js';
import { rmSync } from 'node:fs';

const tmp = tempDir('auditpack-bundle-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let pack: Pack;
let signer: DevSigner;
let result: BundleResult;
let entries: Map<string, Buffer>;
const NAME = 'northwind-2026-10.zip';

beforeAll(async () => {
  pack = await makePack(path.join(tmp, 'pack'));
  signer = await devSigner(path.join(tmp, 'keys'));
  result = await bundleStage(pack.ctx, { runId: pack.runId, outDir: pack.outDir, bundlePath: path.join(tmp, 'a', NAME), signer: signer.config });
  entries = await readZip(result.path);
});

describe('bundle layout', () => {
  it('has the README, signed manifest, report, evidence, indexes, exports and attachments', () => {
    const names = [...entries.keys()];
    expect(names).toEqual([...names].sort()); // central directory sorted
    for (const p of ['README.txt', 'manifest.json', 'manifest.json.p7s', 'signer-chain.pem', 'report/pack.pdf', 'report/pack.html', 'report/report-model.json']) expect(names).toContain(p);
    for (const p of ['exports/controls.csv', 'exports/ocsf-compliance-findings.json', 'exports/oscal-assessment-results.json']) expect(names).toContain(p);
    for (const n of ['by-control', 'by-source', 'by-date']) for (const ext of ['csv', 'json']) expect(names).toContain(`indexes/${n}.${ext}`);
    expect(names.filter((n) => n.startsWith('frameworks/'))).toEqual(['frameworks/gdpr.yaml', 'frameworks/hipaa.yaml', 'frameworks/soc2.yaml']);
    expect(names.filter((n) => n.startsWith('attachments/aws-artifact/') && n.endsWith('.pdf'))).toHaveLength(1);
    const ev = names.filter((n) => /^evidence\/[a-z_]+\/\d{4}-\d{2}-\d{2}\/[a-f0-9]{64}\.json\.gz$/.test(n));
    expect(ev).toHaveLength(pack.assessment.evidence.ids.length);
  });

  it('each evidence file is gzip of {item, content}; raw payloads sit beside it unless sensitive, whose bytes never enter the bundle', () => {
    let sensitive = 0;
    for (const id of pack.assessment.evidence.ids) {
      const [name, gz] = [...entries].find(([n]) => n.endsWith(`/${id}.json.gz`))!;
      const doc = JSON.parse(gunzipSync(gz).toString('utf8')) as { item: { id: string; collector: string; raw: { sensitive: boolean; sha256: string } | null; status: { state: string } }; content: unknown };
      expect(doc.item.id).toBe(id);
      expect(name.startsWith(`evidence/${doc.item.collector}/`)).toBe(true);
      if (doc.item.status.state === 'collected') expect(doc.content).not.toBeNull();
      const raws = [...entries.keys()].filter((n) => n.includes(id) && !n.endsWith('.json.gz'));
      if (doc.item.raw?.sensitive) {
        sensitive++;
        expect(raws).toEqual([]);
        expect(doc.item.raw.sha256).toMatch(/^[a-f0-9]{64}$/);
      } else if (doc.item.raw) expect(raws).toHaveLength(1);
    }
    expect(sensitive).toBe(1);
    for (const data of entries.values()) expect(data.includes('123-45-6789')).toBe(false);
    // ...not even inside the gzip members
    for (const [n, data] of entries) if (n.endsWith('.gz')) expect(gunzipSync(data).includes('123-45-6789')).toBe(false);
  });

  it('indexes point at files that exist in the bundle; CSV cells are formula-safe', () => {
    for (const n of ['by-control', 'by-source', 'by-date']) {
      const idx = JSON.parse(entries.get(`indexes/${n}.json`)!.toString('utf8')) as { rows: Record<string, string>[] };
      expect(idx.rows.length).toBeGreaterThan(0);
      for (const row of idx.rows) {
        if (row['evidence_file']) expect(entries.has(row['evidence_file'])).toBe(true);
        if (row['raw_file']) expect(entries.has(row['raw_file'])).toBe(true);
      }
    }
    const byControl = JSON.parse(entries.get('indexes/by-control.json')!.toString('utf8')) as { rows: Record<string, string>[] };
    const controls = new Set(byControl.rows.map((r) => `${r['framework']}/${r['control']}`));
    expect(controls.size).toBe(pack.assessment.frameworks.reduce((n, f) => n + f.results.length, 0));
    const csv = entries.get('indexes/by-source.csv')!.toString('utf8');
    expect(csv).not.toMatch(/(^|,)"=/m);
    const controlsCsv = entries.get('exports/controls.csv')!.toString('utf8');
    expect(controlsCsv.split('\r\n')[0]).toMatch(/^"framework","control"/);
  });

  it('the manifest lists every other file with its hash and size, pack metadata and framework hashes', () => {
    const m = parseManifest(entries.get('manifest.json')!);
    expect(m.pack).toMatchObject({ id: pack.assessment.packId, organisation: 'Northwind Health AI', generatedAt: pack.assessment.assessedAt, period: { label: '2026-10' } });
    expect(m.frameworks.map((f) => [f.id, f.sha256])).toEqual(pack.assessment.frameworks.map((f) => [f.id, f.sha256]));
    expect(m.files.map((f) => f.path).sort()).toEqual([...entries.keys()].filter((n) => n !== 'manifest.json' && n !== 'manifest.json.p7s').sort());
    expect(m.evidence).toEqual({ items: pack.assessment.evidence.ids.length, withheldRaw: 1 });
  });

  it('auditpack verify: valid with --trust (exit 0), not trusted without it (exit 1), JSON report', async () => {
    const report = await verifyBundle(result.path, { trust: [signer.ca.caCertificate] });
    expect(report.problems).toEqual([]);
    expect(report.status).toBe('valid');
    const ok = runCli(['verify', result.path, '--trust', signer.caPem], tmp);
    expect(ok.stdout).toMatch(/^VALID/);
    expect(ok.code).toBe(0);
    const noTrust = runCli(['verify', result.path, '--json'], tmp);
    expect(noTrust.code).toBe(1);
    const r = JSON.parse(noTrust.stdout) as { status: string; problems: string[]; files: { verified: number } };
    expect(r.status).toBe('invalid');
    expect(r.problems).toEqual([expect.stringMatching(/no trust anchor given/)]);
    expect(r.files.verified).toBeGreaterThan(20);
    expect(runCli(['verify', path.join(tmp, 'missing.zip')], tmp).code).toBe(2);
    expect(runCli(['verify', result.path, '--trust', path.join(tmp, 'nope.pem')], tmp).code).toBe(2);
  });

  it('README.txt commands, pasted verbatim into bash: VERIFIED, and pdfsig trusts the signer with the CA in NSS', () => {
    const readme = entries.get('README.txt')!.toString('utf8');
    expect(readme).toContain(`BUNDLE=${NAME}`);
    const r = runReadmeCommands({ readme, bundle: result.path, bundleName: NAME, caPem: signer.caPem, trust: true });
    expect(r.stderr).toMatch(/CMS Verification successful/);
    expect(r.stdout).toMatch(/Signature is Valid\./);
    expect(r.stdout).toMatch(/VERIFIED: manifest signature, \d+ file hashes/);
    expect(r.stdout).toMatch(/TRUSTED: the PDF signer chains to your CA/);
    expect(r.code).toBe(0);
    rmSync(r.dir, { recursive: true, force: true });
  });

  it('is deterministic: building again gives the same bytes for every entry but the signature', async () => {
    const again = await bundleStage({ ...pack.ctx, now: () => new Date('2026-12-01T00:00:00Z') }, { runId: pack.runId, outDir: pack.outDir, bundlePath: path.join(tmp, 'b', NAME), signer: signer.config });
    const second = await readZip(again.path);
    expect([...second.keys()]).toEqual([...entries.keys()]);
    for (const [name, data] of entries) {
      if (name === 'manifest.json.p7s') continue;
      expect(second.get(name)!.equals(data), name).toBe(true);
    }
    // The manifest signature carries the signing time, so it differs; both verify.
    expect(second.get('manifest.json.p7s')!.equals(entries.get('manifest.json.p7s')!)).toBe(false);
    expect(verifyPdfSignature(second.get('report/pack.pdf')!).signer.subject).toMatch(/evidence signer/);
  });

  it('refuses to bundle when a rendered file is missing, and writes nothing', async () => {
    const target = path.join(tmp, 'c', NAME);
    await expect(
      bundleStage(pack.ctx, { runId: pack.runId, outDir: path.join(tmp, 'nowhere'), bundlePath: target, signer: signer.config }),
    ).rejects.toThrow(/report PDF .* does not exist/);
    expect(() => statSync(target)).toThrow();
  });
});
