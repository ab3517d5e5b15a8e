import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  DeliveryError,
  type DeliveryContext,
  type DeliveryHandler,
  type DeliveryReceipt,
  type DeliveryRequest,
} from './types.js';

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * The built-in delivery: copies the bundle into a directory per target (`queue.directoryTargets`), atomically
 * (temp file + rename) and checked (the copy's sha256 must equal the original's). Delivering again replaces the
 * file with identical bytes, so a repeated deliver job is harmless.
 */
export class DirectoryDelivery implements DeliveryHandler {
  readonly targets: readonly string[];

  constructor(private readonly dirs: Readonly<Record<string, string>>) {
    this.targets = Object.keys(dirs).sort();
  }

  async deliver(ctx: DeliveryContext, request: DeliveryRequest): Promise<readonly DeliveryReceipt[]> {
    const source = await sha256File(request.bundlePath).catch((err: NodeJS.ErrnoException) => {
      throw new DeliveryError(
        `bundle ${request.bundlePath}: ${err.code ?? err.message}`,
        err.code !== 'ENOENT' && err.code !== 'EACCES',
        { cause: err },
      );
    });
    const { size } = await fs.stat(request.bundlePath);
    const receipts: DeliveryReceipt[] = [];
    for (const [i, target] of request.targets.entries()) {
      ctx.signal?.throwIfAborted();
      const dir = this.dirs[target];
      if (!dir) throw new DeliveryError(`unknown delivery target ${target}`, false);
      ctx.onProgress?.(i, request.targets.length, target);
      const dest = path.join(dir, path.basename(request.bundlePath));
      const tmp = path.join(dir, `.${path.basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await fs.mkdir(dir, { recursive: true });
        await fs.copyFile(request.bundlePath, tmp);
        const copied = await sha256File(tmp);
        if (copied !== source)
          throw new DeliveryError(`copy to ${target} has sha256 ${copied}, expected ${source}`, true);
        await fs.rename(tmp, dest);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        if (err instanceof DeliveryError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        throw new DeliveryError(
          `delivery to ${target} (${dir}): ${code ?? (err as Error).message}`,
          !['EACCES', 'EPERM', 'EROFS', 'ENOTDIR'].includes(code ?? ''),
          { cause: err },
        );
      }
      receipts.push({ target, location: dest, sha256: source, bytes: size });
    }
    ctx.onProgress?.(request.targets.length, request.targets.length, 'done');
    return receipts;
  }
}
