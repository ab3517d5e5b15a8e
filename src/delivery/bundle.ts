import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { verifyBundle } from '../bundle/verify.js';
import { DeliveryInputError, type InspectedBundle } from './types.js';

export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Hashes a bundle and (unless `verify: false`) verifies it the way an auditor would, except for trust: the zip is
 * safe to read, the manifest signature is intact and matches signer-chain.pem, every listed file has its hash
 * and nothing else is in the zip. A bundle that fails is not delivered: sending an auditor a broken pack helps
 * nobody. Trust (which CA) is the auditor's decision and is not checked here.
 */
export async function inspectBundle(bundlePath: string, options: { verify?: boolean } = {}): Promise<InspectedBundle> {
  const file = path.resolve(bundlePath);
  let size: number;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new DeliveryInputError(`bundle ${bundlePath} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof DeliveryInputError) throw err;
    throw new DeliveryInputError(`bundle ${bundlePath} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  const sha256 = await fileSha256(file);
  if (options.verify === false) return { path: file, name: path.basename(file), size, sha256, packId: null, verified: false };
  const report = await verifyBundle(file);
  const problems = report.checks.filter((c) => !c.ok && c.name !== 'trust').map((c) => `${c.name}: ${c.detail}`);
  if (report.status === 'unreadable' || problems.length > 0) {
    throw new DeliveryInputError(`bundle ${bundlePath} fails verification, so it is not delivered: ${(problems.length ? problems : report.problems).join('; ').slice(0, 2000)}`);
  }
  return { path: file, name: path.basename(file), size, sha256, packId: report.pack?.id ?? null, verified: true };
}
