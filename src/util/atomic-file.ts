import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Writes a file so that readers see the old content or the whole new one, never a part (temp + rename). A failure
 * names the file (Node's write errors do not, e.g. "ENOSPC: no space left on device, write") and keeps the
 * error's `code`, so callers still tell a full disk (retried) from a permission problem (not).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, data, { flag: 'wx' });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw namedFileError(err, file);
  }
}

/** The error with `file` in its message (once), its code, errno, syscall and cause kept. */
export function namedFileError(err: unknown, file: string): Error {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || err.message.includes(file)) return err instanceof Error ? err : new Error(String(err));
  const named = new Error(`cannot write ${file}: ${e.message}`, { cause: err }) as NodeJS.ErrnoException;
  if (e.code !== undefined) named.code = e.code;
  if (e.errno !== undefined) named.errno = e.errno;
  if (e.syscall !== undefined) named.syscall = e.syscall;
  named.path = file;
  return named;
}
