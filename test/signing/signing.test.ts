import { spawnSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateChain } from '../../src/signing/chain.js';
import { createDevCa, issueCertificate, type DevCa } from '../../src/signing/certs.js';
import { digestOf, signDetachedCms, verifyDetachedCms } from '../../src/signing/cms.js';
import { loadSigner } from '../../src/signing/config.js';
import { writeDevKeys } from '../../src/signing/dev-keys.js';
import { LocalKeySigner, toPem } from '../../src/signing/keys.js';
import { SigningError, type Signer } from '../../src/signing/types.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'auditpack-signing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function openssl(args: string[], cwd = tmp): { code: number | null; out: string } {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const cas: Record<'rsa' | 'ec', DevCa> = {} as Record<'rsa' | 'ec', DevCa>;
beforeAll(async () => {
  cas.rsa = await createDevCa({ organisation: 'Acme Audit', keyType: 'rsa' });
  cas.ec = await createDevCa({ organisation: 'Acme Audit', keyType: 'ec' });
});

function signerOf(ca: DevCa): Signer {
  return { description: 'test', key: new LocalKeySigner(ca.signerKey), chain: ca.signerChain };
}

describe('detached CMS signatures', () => {
  it.each(['rsa', 'ec'] as const)('%s: openssl cms -verify accepts it with the CA; a changed byte fails both openssl and our verifier', async (kt) => {
    const ca = cas[kt];
    const signer = signerOf(ca);
    const content = Buffer.from('{"format":"auditpack-bundle/1"}\n');
    const der = await signDetachedCms({ contentDigest: digestOf(signer.key.hash, content), key: signer.key, chain: signer.chain, signingTime: new Date('2026-11-03T10:00:00Z') });
    writeFileSync(path.join(tmp, `${kt}.json`), content);
    writeFileSync(path.join(tmp, `${kt}.p7s`), der);
    writeFileSync(path.join(tmp, `${kt}-ca.pem`), toPem([ca.caCertificate]));
    const ok = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', `${kt}.p7s`, '-content', `${kt}.json`, '-CAfile', `${kt}-ca.pem`, '-purpose', 'any', '-out', '/dev/null']);
    expect(ok.out).toMatch(/CMS Verification successful/);
    expect(ok.code).toBe(0);
    const v = verifyDetachedCms(der, [content]);
    expect(v.signer.raw.equals(ca.signerChain[0]!.raw)).toBe(true);
    expect(v.signingTime?.toISOString()).toBe('2026-11-03T10:00:00.000Z');
    expect(validateChain(v.signer, v.certificates, [ca.caCertificate], new Date()).trusted).toBe(true);

    const changed = Buffer.from(content);
    changed[3] = changed[3]! ^ 1;
    writeFileSync(path.join(tmp, `${kt}.json`), changed);
    const bad = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', `${kt}.p7s`, '-content', `${kt}.json`, '-CAfile', `${kt}-ca.pem`, '-purpose', 'any', '-out', '/dev/null']);
    expect(bad.code).not.toBe(0);
    expect(() => verifyDetachedCms(der, [changed])).toThrow(/message digest mismatch/);
  });

  it('a signature by another key, or a certificate swapped in, does not verify; another CA is not trusted', async () => {
    const content = Buffer.from('manifest');
    const rsa = signerOf(cas.rsa);
    const der = await signDetachedCms({ contentDigest: digestOf('sha256', content), key: rsa.key, chain: rsa.chain });
    // Same issuer and serial, different key: the sid still matches but the signature cannot.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const leaf = cas.rsa.signerChain[0]!;
    const impostor = await issueCertificate({
      subject: { commonName: 'auditpack evidence signer (DEVELOPMENT ONLY)', organization: 'Acme Audit' },
      subjectPublicKey: other.publicKey,
      issuerCertificate: cas.rsa.caCertificate,
      issuerKey: new LocalKeySigner(cas.rsa.caKey),
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 86_400_000),
      ca: false,
      serial: Buffer.from(leaf.serialNumber, 'hex'),
    });
    const swapped = await signDetachedCms({ contentDigest: digestOf('sha256', content), key: rsa.key, chain: [impostor, cas.rsa.caCertificate] });
    expect(() => verifyDetachedCms(swapped, [content])).toThrow(/does not verify|signing-certificate-v2/);
    const v = verifyDetachedCms(der, [content]);
    const untrusted = validateChain(v.signer, v.certificates, [cas.ec.caCertificate], new Date());
    expect(untrusted.trusted).toBe(false);
    expect(untrusted.problems.join()).toMatch(/does not chain to the trust anchor/);
    const expired = validateChain(v.signer, v.certificates, [cas.rsa.caCertificate], new Date(Date.now() + 900 * 86_400_000));
    expect(expired.trusted).toBe(false);
    expect(expired.problems.join()).toMatch(/expired/);
    // The self-signed root inside the signature is not a trust anchor by itself.
    expect(validateChain(v.signer, v.certificates, [], new Date()).trusted).toBe(false);
  });
});

describe('signers from configuration', () => {
  it('loads a PEM key (also encrypted, passphrase from the environment) and a PKCS#12 file; refuses a key that does not match the certificate', async () => {
    const ca = cas.rsa;
    const chainFile = path.join(tmp, 'chain.pem');
    writeFileSync(chainFile, toPem([...ca.signerChain].reverse())); // any order
    const keyFile = path.join(tmp, 'signer.key');
    writeFileSync(keyFile, ca.signerKey.export({ type: 'pkcs8', format: 'pem' }));
    const s1 = await loadSigner({ type: 'local', key: keyFile, certificates: chainFile });
    expect(s1.chain.map((c) => c.subject)).toEqual(ca.signerChain.map((c) => c.subject));

    const encFile = path.join(tmp, 'signer-enc.key');
    writeFileSync(encFile, ca.signerKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 's3cret-pass' }));
    const s2 = await loadSigner({ type: 'local', key: encFile, certificates: chainFile, passphraseEnv: 'SIGNING_PASS' }, { env: { SIGNING_PASS: 's3cret-pass' } });
    expect(s2.key.algorithm).toBe('RSA');
    const wrong = loadSigner({ type: 'local', key: encFile, certificates: chainFile, passphraseEnv: 'SIGNING_PASS' }, { env: { SIGNING_PASS: 'nope' } });
    await expect(wrong).rejects.toThrow(SigningError);
    await expect(wrong).rejects.not.toThrow(/BEGIN|PRIVATE KEY|s3cret/);
    await expect(loadSigner({ type: 'local', key: encFile, certificates: chainFile, passphraseEnv: 'UNSET_VAR_X' }, { env: {} })).rejects.toThrow(/UNSET_VAR_X, which is not set/);

    const otherKey = path.join(tmp, 'other.key');
    writeFileSync(otherKey, cas.ec.signerKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(loadSigner({ type: 'local', key: otherKey, certificates: chainFile })).rejects.toThrow(/no certificate matches the signing key/);

    // PKCS#12 as OpenSSL 3 writes it by default.
    writeFileSync(path.join(tmp, 'ca-only.pem'), toPem([ca.caCertificate]));
    writeFileSync(path.join(tmp, 'leaf.pem'), toPem([ca.signerChain[0]!]));
    const p12 = openssl(['pkcs12', '-export', '-inkey', 'signer.key', '-in', 'leaf.pem', '-certfile', 'ca-only.pem', '-out', 'signer.p12', '-passout', 'pass:p12-pass', '-name', 'signer']);
    expect(p12.code).toBe(0);
    const s3 = await loadSigner({ type: 'pkcs12', file: path.join(tmp, 'signer.p12'), passphraseEnv: 'P12_PASS' }, { env: { P12_PASS: 'p12-pass' } });
    expect(s3.chain).toHaveLength(2);
    const content = Buffer.from('x');
    const der = await signDetachedCms({ contentDigest: digestOf('sha256', content), key: s3.key, chain: s3.chain });
    expect(verifyDetachedCms(der, [content]).signer.raw.equals(ca.signerChain[0]!.raw)).toBe(true);
  });

  it('writeDevKeys: key files are 0600, certificates say DEVELOPMENT ONLY, existing keys are not overwritten', async () => {
    const dir = path.join(tmp, 'dev-keys');
    const files = await writeDevKeys({ dir, organisation: 'Acme', keyType: 'ec' });
    expect(statSync(files.signerKey).mode & 0o777).toBe(0o600);
    expect(statSync(files.caKey).mode & 0o777).toBe(0o600);
    const leaf = new X509Certificate(readFileSync(files.signerChain));
    expect(leaf.subject).toMatch(/DEVELOPMENT ONLY/);
    expect(leaf.checkIssued(new X509Certificate(readFileSync(files.caCertificate)))).toBe(true);
    const before = readFileSync(files.signerKey, 'utf8');
    await expect(writeDevKeys({ dir, organisation: 'Acme' })).rejects.toThrow(/already exists/);
    expect(readFileSync(files.signerKey, 'utf8')).toBe(before);
    const again = await writeDevKeys({ dir, organisation: 'Acme', force: true });
    expect(readFileSync(again.signerKey, 'utf8')).not.toBe(before);
    const signer = await loadSigner({ type: 'local', key: again.signerKey, certificates: again.signerChain });
    expect(signer.chain).toHaveLength(2);
  });
});
