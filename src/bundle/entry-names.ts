/**
 * Entry-name rules shared by the writer (refuses to write them) and the verifier (refuses bundles with them):
 * relative, forward slashes only, no `.`/`..`/empty segments, no drive letters, no control characters.
 */
export function checkEntryName(name: string): string | null {
  if (name.length === 0) return 'empty name';
  if (name.length > 1024) return 'name longer than 1024 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control character in the name';
  if (name.includes('\\')) return 'backslash in the name';
  if (name.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'drive-letter path';
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..')) return 'parent-directory (..) segment';
  if (segments.some((s) => s === '.' || s === '')) return 'empty or "." segment';
  return null;
}

/** The stricter shape of every path auditpack itself writes into a bundle (safe for the README's shell commands). */
export const BUNDLE_PATH = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
