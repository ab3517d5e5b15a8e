import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createReadStream } from 'node:fs';
import { fileSha256 } from './bundle.js';
import { DeliveryError, type DeliverOptions, type DeliveryTarget, type DirectoryReceipt, type InspectedBundle } from './types.js';

/**
 * Copies bundles into a directory (a mounted share, a sync folder). The copy is written to a temp file in the
 * target directory, flushed, checked against the bundle's SHA-256 and then linked into place, which fails if the
 * name exists: a reader never sees half a bundle, and an existing file is never overwritten. Delivering the same
 * bytes again is a no-op; a different file under the same name is an error. A `<name>.sha256` file in
 * `sha256sum -c` format sits beside each bundle.
 */
export class LocalDirectoryTarget implements DeliveryTarget<DirectoryReceipt> {
  readonly kind = 'local-directory' as const;
  readonly description: string;

  constructor(readonly dir: string) {
    this.description = `directory ${dir}`;
  }

  async deliver(bundle: InspectedBundle, options: DeliverOptions = {}): Promise<DirectoryReceipt> {
    const now = options.now ?? (() => new Date());
    const dir = path.resolve(this.dir);
    const target = path.join(dir, bundle.name);
    const checksumFile = `${target}.sha256`;
    const fail = (what: string, err: unknown): DeliveryError =>
      new DeliveryError(`${what} (${target}): ${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`.trim(), 'local-directory', (err as NodeJS.ErrnoException).code ?? 'IOError', { cause: err });
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (err) {
      throw fail('cannot create the delivery directory', err);
    }
    let alreadyPresent = false;
    const tmp = path.join(dir, `.${bundle.name}.${process.pid}-${randomBytes(6).toString('hex')}.partial`);
    try {
      await pipeline(createReadStream(bundle.path), (await fs.open(tmp, 'wx')).createWriteStream());
      const handle = await fs.open(tmp, 'r+');
      await handle.sync();
      await handle.close();
      const copied = await fileSha256(tmp);
      if (copied !== bundle.sha256) throw new DeliveryError(`the copy at ${tmp} does not have the bundle's SHA-256 (${copied})`, 'local-directory', 'ChecksumMismatch');
      options.signal?.throwIfAborted();
      try {
        await fs.link(tmp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fail('cannot place the bundle', err);
        const existing = await fileSha256(target);
        if (existing !== bundle.sha256) {
          throw new DeliveryError(`${target} already exists with different content (SHA-256 ${existing}); not overwriting it`, 'local-directory', 'AlreadyExists');
        }
        alreadyPresent = true;
      }
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw fail('cannot copy the bundle', err);
    } finally {
      await fs.rm(tmp, { force: true });
    }
    try {
      await fs.writeFile(checksumFile, `${bundle.sha256}  ${bundle.name}\n`);
    } catch (err) {
      throw fail('cannot write the checksum file', err);
    }
    return {
      kind: 'local-directory',
      bundle: { name: bundle.name, sha256: bundle.sha256, size: bundle.size, packId: bundle.packId },
      deliveredAt: now().toISOString(),
      path: target,
      alreadyPresent,
      checksumFile,
    };
  }
}
