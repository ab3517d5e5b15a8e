import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createDevCa, type DevKeyType } from './certs.js';
import { toPem } from './keys.js';
import { SigningError } from './types.js';

export interface DevKeyFiles {
  readonly dir: string;
  /** The development CA certificate: the trust anchor for `auditpack verify --trust` and the README commands. */
  readonly caCertificate: string;
  readonly caKey: string;
  readonly signerKey: string;
  /** Signing certificate then CA, for `signing.certificates`. */
  readonly signerChain: string;
  readonly subject: string;
  readonly notAfter: string;
}

const NAMES = { caCertificate: 'dev-ca.pem', caKey: 'dev-ca.key', signerKey: 'signer.key', signerChain: 'signer-chain.pem' } as const;

async function writeFile(file: string, data: string, secret: boolean, force: boolean): Promise<void> {
  if (force) await fs.rm(file, { force: true });
  try {
    await fs.writeFile(file, data, { flag: 'wx', mode: secret ? 0o600 : 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new SigningError(`${file} already exists (use --force to replace the development keys)`);
    throw err;
  }
  // The mode given to open() is reduced by the umask; make sure a key file is exactly 0600.
  if (secret) await fs.chmod(file, 0o600);
}

/**
 * Creates a development CA and a signing certificate in `dir`. Key files are created with mode 0600 and never
 * overwritten without `force`. Nothing here is fit for real audits: see docs/bundle.md for company CAs and KMS.
 */
export async function writeDevKeys(opts: { dir: string; organisation: string; keyType?: DevKeyType; force?: boolean; now?: Date }): Promise<DevKeyFiles> {
  const dir = path.resolve(opts.dir);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const files = Object.fromEntries(Object.entries(NAMES).map(([k, v]) => [k, path.join(dir, v)])) as Record<keyof typeof NAMES, string>;
  if (!opts.force) {
    for (const f of Object.values(files)) {
      const exists = await fs.stat(f).then(
        () => true,
        () => false,
      );
      if (exists) throw new SigningError(`${f} already exists (use --force to replace the development keys)`);
    }
  }
  const ca = await createDevCa({ organisation: opts.organisation, keyType: opts.keyType, now: opts.now });
  const force = opts.force ?? false;
  await writeFile(files.caKey, ca.caKey.export({ type: 'pkcs8', format: 'pem' }) as string, true, force);
  await writeFile(files.signerKey, ca.signerKey.export({ type: 'pkcs8', format: 'pem' }) as string, true, force);
  await writeFile(files.caCertificate, toPem([ca.caCertificate]), false, force);
  await writeFile(files.signerChain, toPem(ca.signerChain), false, force);
  const leaf = ca.signerChain[0]!;
  return { dir, ...files, subject: leaf.subject.replace(/\n/g, ', '), notAfter: new Date(leaf.validTo).toISOString() };
}
