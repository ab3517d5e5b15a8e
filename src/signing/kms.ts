import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetPublicKeyCommand, KMSClient, SignCommand, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { hashFor, keyAlgorithmOf, orderChain, parsePemCertificates } from './keys.js';
import { SigningError, type HashName, type KeyAlgorithm, type KeySigner, type Signer } from './types.js';

const KMS_ALGORITHM: Record<KeyAlgorithm, SigningAlgorithmSpec> = {
  RSA: 'RSASSA_PKCS1_V1_5_SHA_256',
  EC_P256: 'ECDSA_SHA_256',
  EC_P384: 'ECDSA_SHA_384',
};

/**
 * An asymmetric AWS KMS key (KeyUsage SIGN_VERIFY). The private key never leaves KMS: this hashes locally and
 * sends only the digest (`MessageType: 'DIGEST'`). KMS returns PKCS#1 v1.5 signatures for RSA and DER-encoded
 * ECDSA signatures, which is what CMS expects.
 */
export class KmsKeySigner implements KeySigner {
  readonly hash: HashName;

  constructor(
    private readonly client: KMSClient,
    readonly keyId: string,
    readonly algorithm: KeyAlgorithm,
  ) {
    this.hash = hashFor(algorithm);
  }

  async sign(data: Uint8Array): Promise<Buffer> {
    const digest = createHash(this.hash).update(data).digest();
    let out;
    try {
      out = await this.client.send(
        new SignCommand({ KeyId: this.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: KMS_ALGORITHM[this.algorithm] }),
      );
    } catch (err) {
      throw new SigningError(`AWS KMS Sign with key ${this.keyId} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
    }
    if (!out.Signature || out.Signature.byteLength === 0) throw new SigningError(`AWS KMS Sign with key ${this.keyId} returned no signature`);
    return Buffer.from(out.Signature);
  }
}

export interface KmsSignerOptions {
  readonly keyId: string;
  readonly region?: string;
  /** PEM file with the certificate issued for the KMS key's public key, and its chain. */
  readonly certificatesFile: string;
  /** Injected in tests; otherwise a client for `region` with the SDK's default credential chain. */
  readonly client?: KMSClient;
}

/**
 * Loads a KMS signer: reads the key's public key with GetPublicKey and checks that the configured certificate
 * was issued for that key (so a certificate/key mix-up fails before anything is signed).
 */
export async function loadKmsSigner(opts: KmsSignerOptions): Promise<Signer> {
  const client = opts.client ?? new KMSClient(opts.region ? { region: opts.region } : {});
  let certsPem: string;
  try {
    certsPem = readFileSync(opts.certificatesFile, 'utf8');
  } catch (err) {
    throw new SigningError(`certificate chain ${opts.certificatesFile}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  const certs = parsePemCertificates(certsPem, opts.certificatesFile);
  let publicKey: KeyObject;
  try {
    const out = await client.send(new GetPublicKeyCommand({ KeyId: opts.keyId }));
    if (out.KeyUsage && out.KeyUsage !== 'SIGN_VERIFY') throw new SigningError(`AWS KMS key ${opts.keyId} has KeyUsage ${out.KeyUsage}, expected SIGN_VERIFY`);
    if (!out.PublicKey) throw new SigningError(`AWS KMS key ${opts.keyId}: GetPublicKey returned no public key`);
    publicKey = createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' });
  } catch (err) {
    if (err instanceof SigningError) throw err;
    throw new SigningError(`AWS KMS GetPublicKey for key ${opts.keyId} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  const algorithm = keyAlgorithmOf(publicKey);
  const chain = orderChain(certs, publicKey, `${opts.certificatesFile} (for AWS KMS key ${opts.keyId})`);
  return { description: `AWS KMS key ${opts.keyId}`, key: new KmsKeySigner(client, opts.keyId, algorithm), chain };
}
