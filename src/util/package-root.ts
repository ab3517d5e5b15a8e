import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/**
 * The directory holding auditpack's package.json, found by walking up from this module. The same code then
 * finds `frameworks/` and `templates/` whether it runs from `src/` (tsx) or from `dist/src/` (the image).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'auditpack') return (cached = dir);
      } catch {
        // an unreadable package.json above us is not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the auditpack package root (package.json with "name": "auditpack")');
    dir = parent;
  }
}
