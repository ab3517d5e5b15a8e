import { X509Certificate, createPrivateKey, createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { SigningError, type HashName, type KeyAlgorithm, type KeySigner, type Signer } from './types.js';

/** The key family of a public (or private) key; anything else (Ed25519, P-521, DSA) is refused. */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RSA';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'EC_P256';
    if (curve === 'secp384r1' || curve === 'P-384') return 'EC_P384';
    throw new SigningError(`EC curve ${curve ?? 'unknown'} is not supported (use P-256 or P-384)`);
  }
  throw new SigningError(`key type ${key.asymmetricKeyType ?? 'unknown'} is not supported (use RSA, EC P-256 or EC P-384)`);
}

export function hashFor(algorithm: KeyAlgorithm): HashName {
  return algorithm === 'EC_P384' ? 'sha384' : 'sha256';
}

/** A private key held in this process. */
export class LocalKeySigner implements KeySigner {
  readonly algorithm: KeyAlgorithm;
  readonly hash: HashName;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.type !== 'private') throw new SigningError('a private key is required');
    this.algorithm = keyAlgorithmOf(privateKey);
    this.hash = hashFor(this.algorithm);
  }

  sign(data: Uint8Array): Promise<Buffer> {
    return Promise.resolve(cryptoSign(this.hash, data, { key: this.privateKey, dsaEncoding: 'der' }));
  }

  publicKey(): KeyObject {
    return createPublicKey(this.privateKey);
  }
}

export function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** Parses every certificate in a PEM text (a chain file). */
export function parsePemCertificates(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new SigningError(`${what}: no PEM certificate found`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new SigningError(`${what}: certificate ${i + 1} cannot be parsed (${(err as Error).message})`, { cause: err });
    }
  });
}

/**
 * Orders certificates leaf first: the leaf is the one whose public key is `publicKey`; then each issuer in turn.
 * Certificates that are not part of the leaf's path are dropped.
 */
export function orderChain(certs: readonly X509Certificate[], publicKey: KeyObject, what: string): X509Certificate[] {
  const spki = spkiDer(publicKey);
  const leaf = certs.find((c) => spkiDer(c.publicKey).equals(spki));
  if (!leaf) throw new SigningError(`${what}: no certificate matches the signing key`);
  const chain = [leaf];
  let current = leaf;
  while (current.issuer !== current.subject) {
    const issuer = certs.find((c) => !chain.includes(c) && current.checkIssued(c) && current.verify(c.publicKey));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}

export function toPem(chain: readonly X509Certificate[]): string {
  return chain.map((c) => c.toString().trim() + '\n').join('');
}

function readSecretFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new SigningError(`${what} ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}

/** A PEM private key (PKCS#8, PKCS#1 or SEC1, optionally encrypted) with a PEM certificate chain file. */
export function loadPemSigner(opts: { keyFile: string; certificatesFile: string; passphrase?: string }): Signer {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: readSecretFile(opts.keyFile, 'signing key'), format: 'pem', passphrase: opts.passphrase });
  } catch (err) {
    if (err instanceof SigningError) throw err;
    // The message of a failed parse never contains key bytes; keep it short anyway.
    throw new SigningError(`signing key ${opts.keyFile}: cannot be loaded (${(err as { code?: string }).code ?? 'invalid key'})`, { cause: err });
  }
  const key = new LocalKeySigner(privateKey);
  const certs = parsePemCertificates(readSecretFile(opts.certificatesFile, 'certificate chain').toString('utf8'), opts.certificatesFile);
  return { description: `local key ${opts.keyFile}`, key, chain: orderChain(certs, key.publicKey(), opts.certificatesFile) };
}

/** A PKCS#12 file (.p12/.pfx) with an RSA key and its chain (node-forge reads OpenSSL 3 default, legacy and 3DES files). */
export function loadPkcs12Signer(opts: { file: string; passphrase?: string }): Signer {
  const der = readSecretFile(opts.file, 'PKCS#12 file');
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))), opts.passphrase ?? '');
  } catch (err) {
    throw new SigningError(`PKCS#12 file ${opts.file}: cannot be opened (wrong passphrase, or not an RSA PKCS#12 file): ${(err as Error).message}`, { cause: err });
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids['pkcs8ShroudedKeyBag']! })[forge.pki.oids['pkcs8ShroudedKeyBag']!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids['keyBag']! })[forge.pki.oids['keyBag']!] ?? []),
  ];
  const forgeKey = keyBags.find((b) => b.key)?.key;
  if (!forgeKey) throw new SigningError(`PKCS#12 file ${opts.file}: no RSA private key inside (EC keys: use a PEM key file)`);
  const privateKey = createPrivateKey(forge.pki.privateKeyToPem(forgeKey));
  const certBags = p12.getBags({ bagType: forge.pki.oids['certBag']! })[forge.pki.oids['certBag']!] ?? [];
  // forge parses RSA certificates only; others come back as raw ASN.1, which node parses.
  const certs = certBags.flatMap((b) => {
    if (b.cert) return [new X509Certificate(forge.pki.certificateToPem(b.cert))];
    if (b.asn1) return [new X509Certificate(Buffer.from(forge.asn1.toDer(b.asn1).getBytes(), 'binary'))];
    return [];
  });
  const key = new LocalKeySigner(privateKey);
  return { description: `PKCS#12 ${opts.file}`, key, chain: orderChain(certs, key.publicKey(), opts.file) };
}
