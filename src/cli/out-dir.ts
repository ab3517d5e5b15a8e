import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from './exit-codes.js';

/**
 * Checks (and creates) an output directory given on the command line before any work is done, so a bad one is
 * bad input (exit 2, nothing changed) rather than an unexpected failure after collection and assessment. The
 * missing segments are created one by one: `mkdir -p` semantics without Node's recursive mkdir, which never
 * returns on some pseudo filesystems (a directory under /proc).
 */
export async function prepareOutDir(flag: string, dir: string): Promise<string> {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const st = await fs.stat(cur);
      if (!st.isDirectory()) throw new UsageError(`${flag}: ${cur} is not a directory`);
      break;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new UsageError(`${flag}: cannot use ${abs}: ${code ?? (err as Error).message}`);
      const parent = path.dirname(cur);
      if (parent === cur) break;
      missing.push(cur);
      cur = parent;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await fs.mkdir(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UsageError(`${flag}: cannot create ${abs}: ${code ?? (err as Error).message}`);
    }
  }
  try {
    await fs.access(abs, constants.W_OK);
  } catch {
    throw new UsageError(`${flag}: ${abs} is not writable`);
  }
  return abs;
}
