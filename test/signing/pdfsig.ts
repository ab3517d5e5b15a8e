import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** `pdfsig` output (poppler), optionally with an NSS database that trusts `caPems`. */
export function pdfsig(file: string, nssDir?: string): { code: number | null; out: string } {
  const args = nssDir ? ['-nssdir', `sql:${nssDir}`, file] : [file];
  const r = spawnSync('pdfsig', args, { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** A scratch NSS database trusting the given CA certificates (PEM files), as an auditor would set up. */
export function nssDbTrusting(dir: string, caPems: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  const run = (args: string[]): void => {
    const r = spawnSync('certutil', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`certutil ${args.join(' ')}: ${r.stderr}`);
  };
  run(['-N', '-d', `sql:${dir}`, '--empty-password']);
  caPems.forEach((pem, i) => run(['-A', '-d', `sql:${dir}`, '-n', `ca-${i}`, '-t', 'CT,C,C', '-i', pem]));
  return dir;
}

export function writeTemp(dir: string, name: string, data: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
}
