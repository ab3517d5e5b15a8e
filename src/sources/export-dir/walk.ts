import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface WalkResult {
  /** Regular files, as paths relative to the root with forward slashes, sorted. */
  readonly files: string[];
  /** Entries refused for safety (symlinks, special files), with the reason. */
  readonly refused: { path: string; reason: string }[];
  /** Directories (relative), so empty service directories still prove "collected, nothing there". */
  readonly dirs: string[];
}

/**
 * Lists an export directory without following links: a symlink could point outside the directory (or at
 * /dev/zero), and an auditor must be able to say that everything read came from the directory given.
 * `prefixes`: directories that can hold nothing under any of them are not entered (a collect job for one
 * account/region/day need not list the whole directory); the caller still filters what it gets by the prefixes.
 */
export async function walkExportDir(root: string, prefixes?: readonly string[]): Promise<WalkResult> {
  const enter = (dir: string): boolean =>
    !prefixes || prefixes.some((p) => p.startsWith(`${dir}/`) || dir.startsWith(p) || `${dir}/`.startsWith(p));
  const files: string[] = [];
  const dirs: string[] = [];
  const refused: { path: string; reason: string }[] = [];
  const rootStat = await fs.lstat(root).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`export directory ${root}: ${err.code === 'ENOENT' ? 'does not exist' : err.message}`);
  });
  if (!rootStat.isDirectory()) throw new Error(`export directory ${root}: is not a directory`);

  const visit = async (rel: string, depth: number): Promise<void> => {
    if (depth > 16) {
      refused.push({ path: rel, reason: 'nested deeper than 16 levels' });
      return;
    }
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) refused.push({ path: childRel, reason: 'is a symbolic link (not followed)' });
      else if (e.isDirectory()) {
        dirs.push(childRel);
        if (enter(childRel)) await visit(childRel, depth + 1);
      } else if (e.isFile()) files.push(childRel);
      else refused.push({ path: childRel, reason: 'is not a regular file' });
    }
  };
  await visit('', 0);
  return { files, dirs, refused };
}
