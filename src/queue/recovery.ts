/**
 * After a worker is killed (SIGKILL, OOM, power loss), temp files it was writing stay behind: the store stages
 * writes in `<store>/tmp/<pid>-<hex>` and atomic file writes use `.<name>.<pid>.<hex>.tmp` beside the target.
 * Nothing reads them (targets are created by link/rename of complete files), but they take space; a worker sweeps
 * the ones whose writer is gone when it starts and before it writes a run's files.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

const STORE_TMP = /^(\d+)-[a-f0-9]{16}$/;
const ATOMIC_TMP = /^\..+\.(\d+)\.[a-f0-9]{12}\.tmp$/;

export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SweepOptions {
  /**
   * Only files at least this old. Pids are local to a host: on storage shared between hosts a temp file of a live
   * writer elsewhere can look orphaned here, so keep a margin there (default one hour); 0 on a single host.
   */
  readonly minAgeMs?: number;
  readonly now?: () => number;
  readonly isAlive?: (pid: number) => boolean;
}

async function sweepDir(dir: string, pattern: RegExp, opts: SweepOptions): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const minAge = opts.minAgeMs ?? 3_600_000;
  const now = (opts.now ?? Date.now)();
  const alive = opts.isAlive ?? processAlive;
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const file = path.join(dir, name);
    try {
      const st = await fs.lstat(file);
      if (!st.isFile() || now - st.mtimeMs < minAge) continue;
      await fs.rm(file, { force: true });
      removed.push(file);
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}

/** Removes the store's orphaned staging files (`<root>/tmp`). */
export function sweepStoreTemp(storeRoot: string, opts: SweepOptions = {}): Promise<string[]> {
  return sweepDir(path.join(storeRoot, 'tmp'), STORE_TMP, opts);
}

/** Removes orphaned `.<name>.<pid>.<hex>.tmp` files of atomic writes in `dir` (not recursive). */
export function sweepAtomicTemp(dir: string, opts: SweepOptions = {}): Promise<string[]> {
  return sweepDir(dir, ATOMIC_TMP, opts);
}
