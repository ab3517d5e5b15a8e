import type { X509Certificate } from 'node:crypto';

/** The hash the signature algorithm of a key uses (RSA and P-256: SHA-256; P-384: SHA-384). */
export type HashName = 'sha256' | 'sha384';

/** Key families a signer supports. RSA signs with RSASSA-PKCS1-v1_5; EC keys with ECDSA (DER signatures). */
export type KeyAlgorithm = 'RSA' | 'EC_P256' | 'EC_P384';

/**
 * The private-key operation and nothing else: `sign(data)` returns a signature over HASH(data) with the key's
 * algorithm. A local key signs in process; a KMS key sends the digest to KMS (the key never leaves it).
 */
export interface KeySigner {
  readonly algorithm: KeyAlgorithm;
  readonly hash: HashName;
  sign(data: Uint8Array): Promise<Buffer>;
}

/**
 * A signing identity: a key and the X.509 chain that names it (leaf first, then intermediates and usually the
 * root). Everything auditpack signs (the manifest, the PDF) goes through one of these.
 */
export interface Signer {
  /** For logs and the bundle README, never key material: e.g. `local key /path/signer.key`, `AWS KMS key arn:...`. */
  readonly description: string;
  readonly key: KeySigner;
  /** Leaf first. */
  readonly chain: readonly X509Certificate[];
}

export class SigningError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningError';
  }
}
