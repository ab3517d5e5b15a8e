import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/verify.js';
import { bundleStage } from '../../src/pipeline/bundle-stage.js';
import { createDevCa, issueCertificate } from '../../src/signing/certs.js';
import { digestOf, signDetachedCms } from '../../src/signing/cms.js';
import { LocalKeySigner, toPem } from '../../src/signing/keys.js';
import { generateDevKey } from '../../src/signing/certs.js';
import { devSigner, makePack, type DevSigner } from '../fixtures/bundle/pack.js';
import { flipByte, readZip, rewriteZip, runCli, runReadmeCommands, tempDir } from './helpers.js';

/**
 * The tamper suite: every change is made at the content level (the zip is rebuilt with correct CRCs, as an
 * attacker would), and each must be caught by `auditpack verify` (in process and as the CLI, exit 1) and by the
 * README's shell commands.
 */

const tmp = tempDir('auditpack-tamper-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const NAME = 'northwind-2026-10.zip';
let original: string;
let readme: string;
let signer: DevSigner;

beforeAll(async () => {
  const pack = await makePack(path.join(tmp, 'pack'));
  signer = await devSigner(path.join(tmp, 'keys'));
  original = (await bundleStage(pack.ctx, { runId: pack.runId, outDir: pack.outDir, bundlePath: path.join(tmp, NAME), signer: signer.config })).path;
  readme = (await readZip(original)).get('README.txt')!.toString('utf8');
});

type Mutation = (entries: Map<string, Buffer>) => void | Promise<void>;
const firstEvidence = (e: Map<string, Buffer>): string => [...e.keys()].find((n) => n.startsWith('evidence/') && n.endsWith('.json.gz'))!;

/** Re-signs manifest.json with a key from another CA (a forger with their own key). */
async function resignWithOtherKey(e: Map<string, Buffer>, replaceChain: boolean): Promise<void> {
  const other = await createDevCa({ organisation: 'Northwind Health AI', keyType: 'ec' });
  const key = new LocalKeySigner(other.signerKey);
  const manifest = flipByte(e.get('manifest.json')!, e.get('manifest.json')!.indexOf('"generatedAt"') + 20);
  e.set('manifest.json', manifest);
  e.set('manifest.json.p7s', await signDetachedCms({ contentDigest: digestOf(key.hash, manifest), key, chain: other.signerChain, signingTime: new Date() }));
  if (replaceChain) e.set('signer-chain.pem', Buffer.from(toPem(other.signerChain)));
}

/** Swaps the signer certificate for one from the same CA with the same serial but another key. */
async function swapCertificate(e: Map<string, Buffer>): Promise<void> {
  const leaf = signer.ca.signerChain[0]!;
  const impostorKey = generateDevKey('rsa');
  const impostor = await issueCertificate({
    subject: { commonName: 'auditpack evidence signer (DEVELOPMENT ONLY)', organization: 'Northwind Health AI' },
    subjectPublicKey: impostorKey.publicKey,
    issuerCertificate: signer.ca.caCertificate,
    issuerKey: new LocalKeySigner(signer.ca.caKey),
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    ca: false,
    serial: Buffer.from(leaf.serialNumber, 'hex'),
  });
  // The real key's signature over the real manifest, presented with the impostor's certificate.
  const realKey = new LocalKeySigner(signer.ca.signerKey);
  const manifest = e.get('manifest.json')!;
  e.set('manifest.json.p7s', await signDetachedCms({ contentDigest: digestOf('sha256', manifest), key: realKey, chain: [impostor, signer.ca.caCertificate] }));
}

const CASES: [string, Mutation, RegExp][] = [
  ['a flipped byte in the PDF', (e) => void e.set('report/pack.pdf', flipByte(e.get('report/pack.pdf')!, 200)), /changed file: report\/pack\.pdf/],
  ['a flipped byte in the HTML', (e) => void e.set('report/pack.html', flipByte(e.get('report/pack.html')!, 20)), /changed file: report\/pack\.html/],
  ['a flipped byte in the report model', (e) => void e.set('report/report-model.json', flipByte(e.get('report/report-model.json')!, 5)), /changed file: report\/report-model\.json/],
  ['a flipped byte in an evidence file', (e) => void e.set(firstEvidence(e), flipByte(e.get(firstEvidence(e))!, 40)), /changed file: evidence\//],
  ['a flipped byte in an index', (e) => void e.set('indexes/by-control.csv', flipByte(e.get('indexes/by-control.csv')!, 300)), /changed file: indexes\/by-control\.csv/],
  // Another hex digit (a flipped bit could turn `a` or `f` into a non-hex character: a manifest that no longer reads).
  ['a changed hex digit in the manifest', (e) => void e.set('manifest.json', otherHexDigit(e.get('manifest.json')!, e.get('manifest.json')!.indexOf('"sha256":"') + 12)), /manifest signature is invalid/],
  ['an added file', (e) => void e.set('evidence/cloudtrail/2026-10-05/extra.json.gz', Buffer.from('not evidence')), /extra file not in the manifest: evidence\/cloudtrail\/2026-10-05\/extra\.json\.gz/],
  ['a removed file', (e) => void e.delete(firstEvidence(e)), /missing file: evidence\//],
  ['a manifest re-signed with another key', (e) => resignWithOtherKey(e, false), /does not chain to the trust anchor/],
  ['a manifest re-signed with another key and its chain', (e) => resignWithOtherKey(e, true), /does not chain to the trust anchor/],
  ['a swapped signer certificate', swapCertificate, /manifest signature is invalid: .*(does not verify|signing-certificate-v2)/],
  ['a swapped signer-chain.pem', (e) => void e.set('signer-chain.pem', Buffer.from(toPem([signer.ca.caCertificate]))), /changed file: signer-chain\.pem|does not start with the certificate/],
];

/** `data` with the hex digit at `at` replaced by another one (0 by 1, anything else by 0). */
function otherHexDigit(data: Buffer, at: number): Buffer {
  const copy = Buffer.from(data);
  copy[at] = copy[at] === 0x30 ? 0x31 : 0x30;
  return copy;
}

describe('tamper suite', () => {
  it('the untampered bundle passes all three ways (control)', async () => {
    expect((await verifyBundle(original, { trust: [signer.ca.caCertificate] })).status).toBe('valid');
    const r = runReadmeCommands({ readme, bundle: original, bundleName: NAME, caPem: signer.caPem });
    expect(r.code).toBe(0);
    rmSync(r.dir, { recursive: true, force: true });
  });

  it.each(CASES)('%s is detected by auditpack verify and by the README commands', async (label, mutate, expected) => {
    const tampered = path.join(tmp, `${label.replace(/\W+/g, '-')}.zip`);
    await rewriteZip(original, tampered, mutate);
    const report = await verifyBundle(tampered, { trust: [signer.ca.caCertificate] });
    expect(report.status).toBe('invalid');
    expect(report.problems.join('\n')).toMatch(expected);
    const cli = runCli(['verify', tampered, '--trust', signer.caPem], tmp);
    expect(cli.stdout).toMatch(/^INVALID/);
    expect(cli.code).toBe(1);
    const shell = runReadmeCommands({ readme, bundle: tampered, bundleName: NAME, caPem: signer.caPem });
    expect(shell.stdout).not.toMatch(/VERIFIED/);
    expect(shell.code).not.toBe(0);
    rmSync(shell.dir, { recursive: true, force: true });
  });

  it('a byte flipped in the zip file itself (compressed data) is detected too', async () => {
    const { readFileSync } = await import('node:fs');
    const raw = readFileSync(original);
    const at = raw.indexOf(Buffer.from('report/pack.html')) + 'report/pack.html'.length + 5;
    const broken = path.join(tmp, 'raw-flip.zip');
    writeFileSync(broken, flipByte(raw, at));
    const report = await verifyBundle(broken, { trust: [signer.ca.caCertificate] });
    expect(report.status).not.toBe('valid');
    const shell = runReadmeCommands({ readme, bundle: broken, bundleName: NAME, caPem: signer.caPem });
    expect(shell.code).not.toBe(0);
    rmSync(shell.dir, { recursive: true, force: true });
  });
});
