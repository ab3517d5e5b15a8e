import path from 'node:path';
import { z } from 'zod';
import type { KMSClient } from '@aws-sdk/client-kms';
import { loadPemSigner, loadPkcs12Signer } from './keys.js';
import { loadKmsSigner } from './kms.js';
import { SigningError, type Signer } from './types.js';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

/** What appears in the PDF signature dictionary (all optional). */
const PdfFields = z.strictObject({
  reason: z.string().optional(),
  location: z.string().optional(),
  contactInfo: z.string().optional(),
});

/**
 * `signing:` in auditpack.yaml. File paths are relative to the config file. Secrets never go in the file: a
 * passphrase is read from the environment variable named by `passphraseEnv`.
 */
export const SigningConfig = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('local'),
    /** PEM private key (PKCS#8, PKCS#1 or SEC1; RSA, EC P-256 or P-384), optionally encrypted. */
    key: z.string().min(1),
    /** PEM file: the signing certificate and its chain (any order). */
    certificates: z.string().min(1),
    passphraseEnv: envName.optional(),
    pdf: PdfFields.optional(),
  }),
  z.strictObject({
    type: z.literal('pkcs12'),
    /** .p12/.pfx with an RSA key, its certificate and chain. */
    file: z.string().min(1),
    passphraseEnv: envName.optional(),
    pdf: PdfFields.optional(),
  }),
  z.strictObject({
    type: z.literal('kms'),
    /** Key id, ARN or alias of an asymmetric SIGN_VERIFY key (RSA_2048/3072/4096, ECC_NIST_P256/P384). */
    keyId: z.string().min(1),
    region: z.string().optional(),
    /** PEM file: the certificate issued for the KMS key's public key, and its chain. */
    certificates: z.string().min(1),
    pdf: PdfFields.optional(),
  }),
]);
export type SignerConfig = z.infer<typeof SigningConfig>;

/** Resolves the file paths of a signing config against the directory of the config file. */
export function resolveSignerConfig(config: SignerConfig, baseDir: string): SignerConfig {
  const abs = (p: string): string => path.resolve(baseDir, p);
  switch (config.type) {
    case 'local':
      return { ...config, key: abs(config.key), certificates: abs(config.certificates) };
    case 'pkcs12':
      return { ...config, file: abs(config.file) };
    case 'kms':
      return { ...config, certificates: abs(config.certificates) };
  }
}

function passphrase(name: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (name === undefined) return undefined;
  const v = env[name];
  if (v === undefined) throw new SigningError(`signing: passphraseEnv names ${name}, which is not set`);
  return v;
}

export interface LoadSignerOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** For tests: the KMS client to use (otherwise one for the configured region). */
  readonly kmsClient?: KMSClient;
}

export async function loadSigner(config: SignerConfig, opts: LoadSignerOptions = {}): Promise<Signer> {
  const env = opts.env ?? process.env;
  switch (config.type) {
    case 'local':
      return loadPemSigner({ keyFile: config.key, certificatesFile: config.certificates, passphrase: passphrase(config.passphraseEnv, env) });
    case 'pkcs12':
      return loadPkcs12Signer({ file: config.file, passphrase: passphrase(config.passphraseEnv, env) });
    case 'kms':
      return loadKmsSigner({ keyId: config.keyId, region: config.region, certificatesFile: config.certificates, client: opts.kmsClient });
  }
}
