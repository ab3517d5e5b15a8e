import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand, type SignCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/verify.js';
import { bundleStage } from '../../src/pipeline/bundle-stage.js';
import { createDevCa, issueCertificate, type DevCa } from '../../src/signing/certs.js';
import { digestOf, signDetachedCms, verifyDetachedCms } from '../../src/signing/cms.js';
import { loadSigner } from '../../src/signing/config.js';
import { LocalKeySigner, toPem } from '../../src/signing/keys.js';
import { signPdf } from '../../src/signing/pdf.js';
import { SigningError } from '../../src/signing/types.js';
import { makePack } from '../fixtures/bundle/pack.js';
import { nssDbTrusting, pdfsig, writeTemp } from './pdfsig.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'auditpack-kms-'));
const kms = mockClient(KMSClient);
afterAll(() => {
  kms.restore();
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => kms.reset());

const KEY_ID = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

let ca: DevCa;
let caPem: string;
let nss: string;
beforeAll(async () => {
  ca = await createDevCa({ organisation: 'Northwind Health AI', keyType: 'rsa' });
  caPem = writeTemp(tmp, 'ca.pem', toPem([ca.caCertificate]));
  nss = nssDbTrusting(path.join(tmp, 'nss'), [caPem]);
});

/**
 * Fakes KMS with a local key of the same type: GetPublicKey returns its SPKI, Sign signs the digest it is sent
 * (openssl pkeyutl signs a precomputed digest, as KMS does with MessageType DIGEST), so signatures are real.
 */
function fakeKms(kind: 'rsa' | 'ec'): { privateKey: KeyObject; publicKey: KeyObject; keyFile: string } {
  const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 3072 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = writeTemp(tmp, `kms-${kind}.key`, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  kms.on(GetPublicKeyCommand, { KeyId: KEY_ID }).resolves({
    KeyId: KEY_ID,
    PublicKey: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })),
    KeyUsage: 'SIGN_VERIFY',
    KeySpec: kind === 'rsa' ? 'RSA_3072' : 'ECC_NIST_P256',
  });
  kms.on(SignCommand).callsFake((input: SignCommandInput) => {
    if (input.MessageType !== 'DIGEST' || input.KeyId !== KEY_ID) throw Object.assign(new Error('unexpected request'), { name: 'ValidationException' });
    const r = spawnSync('openssl', ['pkeyutl', '-sign', '-inkey', keyFile, '-pkeyopt', 'digest:sha256'], { input: Buffer.from(input.Message!) });
    if (r.status !== 0) throw new Error(r.stderr.toString());
    return { KeyId: KEY_ID, Signature: new Uint8Array(r.stdout), SigningAlgorithm: input.SigningAlgorithm };
  });
  return { ...pair, keyFile };
}

/** The certificate "configured for" the KMS key: issued by the CA for the key's public key. */
async function certFor(publicKey: KeyObject, name: string): Promise<string> {
  const leaf = await issueCertificate({
    subject: { commonName: 'Northwind evidence signer (KMS)', organization: 'Northwind Health AI' },
    subjectPublicKey: publicKey,
    issuerCertificate: ca.caCertificate,
    issuerKey: new LocalKeySigner(ca.caKey),
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    ca: false,
  });
  return writeTemp(tmp, name, toPem([leaf, ca.caCertificate]));
}

describe('AWS KMS signer', () => {
  it.each([
    ['rsa', 'RSASSA_PKCS1_V1_5_SHA_256'],
    ['ec', 'ECDSA_SHA_256'],
  ] as const)('%s key: manifest CMS verifies with openssl; PDF is Valid and Trusted in pdfsig; only digests go to KMS', async (kind, algorithm) => {
    const key = fakeKms(kind);
    const certificates = await certFor(key.publicKey, `kms-${kind}-chain.pem`);
    const signer = await loadSigner({ type: 'kms', keyId: KEY_ID, region: 'eu-west-1', certificates });
    expect(signer.description).toBe(`AWS KMS key ${KEY_ID}`);
    expect(kms).toHaveReceivedCommandWith(GetPublicKeyCommand, { KeyId: KEY_ID });

    const manifest = Buffer.from('{"files":[]}\n');
    const der = await signDetachedCms({ contentDigest: digestOf(signer.key.hash, manifest), key: signer.key, chain: signer.chain, signingTime: new Date() });
    writeTemp(tmp, 'manifest.json', manifest);
    writeTemp(tmp, 'manifest.json.p7s', der);
    const r = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'manifest.json.p7s', '-content', 'manifest.json', '-CAfile', caPem, '-purpose', 'any', '-out', '/dev/null'], { cwd: tmp, encoding: 'utf8' });
    expect(r.stderr).toMatch(/CMS Verification successful/);
    expect(verifyDetachedCms(der, [manifest]).signer.subject).toMatch(/KMS/);

    const pdfFile = writeTemp(tmp, `kms-${kind}.pdf`, await signPdf(readFileSync(path.resolve('test/fixtures/artifact/get-report.report-abcdef0123456789.pdf')), signer, { signingTime: new Date('2026-11-02T00:00:00Z') }));
    const out = pdfsig(pdfFile, nss).out;
    expect(out).toMatch(/Signature is Valid\./);
    expect(out).toMatch(/Certificate is Trusted\./);

    expect(kms).toHaveReceivedCommandWith(SignCommand, { KeyId: KEY_ID, MessageType: 'DIGEST', SigningAlgorithm: algorithm });
    for (const call of kms.commandCalls(SignCommand)) expect(call.args[0].input.Message).toHaveLength(32);
  });

  it('a certificate for another key is refused before anything is signed; KMS errors name the key', async () => {
    fakeKms('rsa');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const wrongCert = await certFor(other.publicKey, 'wrong-chain.pem');
    await expect(loadSigner({ type: 'kms', keyId: KEY_ID, region: 'eu-west-1', certificates: wrongCert })).rejects.toThrow(/no certificate matches the signing key/);
    expect(kms).toHaveReceivedCommandTimes(SignCommand, 0);

    kms.reset();
    const key = fakeKms('rsa');
    const certificates = await certFor(key.publicKey, 'ok-chain.pem');
    const signer = await loadSigner({ type: 'kms', keyId: KEY_ID, region: 'eu-west-1', certificates });
    kms.on(SignCommand).rejects(Object.assign(new Error('User is not authorized to perform kms:Sign'), { name: 'AccessDeniedException' }));
    await expect(signer.key.sign(Buffer.from('x'))).rejects.toThrow(SigningError);
    await expect(signer.key.sign(Buffer.from('x'))).rejects.toThrow(/AWS KMS Sign with key arn:aws:kms:.*AccessDeniedException/);
  });

  it('bundleStage with a KMS signer writes a bundle that verifies against the CA', async () => {
    const key = fakeKms('ec');
    const certificates = await certFor(key.publicKey, 'bundle-chain.pem');
    const pack = await makePack(path.join(tmp, 'pack'));
    const result = await bundleStage(pack.ctx, {
      runId: pack.runId,
      outDir: pack.outDir,
      bundlePath: path.join(tmp, 'kms-bundle.zip'),
      signer: { type: 'kms', keyId: KEY_ID, region: 'eu-west-1', certificates },
    });
    const report = await verifyBundle(result.path, { trust: [ca.caCertificate] });
    expect(report.problems).toEqual([]);
    expect(report.status).toBe('valid');
    expect(report.signer?.subject).toMatch(/KMS/);
  });
});
