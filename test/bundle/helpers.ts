import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { TRUST_BEGIN, TRUST_END, VERIFY_BEGIN, VERIFY_END } from '../../src/bundle/readme.js';
import { ZipWriter } from '../../src/bundle/zip-writer.js';
import { readAll, scanZip } from '../../src/bundle/zip-reader.js';

export const TSX = path.resolve('node_modules/.bin/tsx');
export const CLI = path.resolve('test/fixtures/bundle/cli.ts');

export function runCli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [CLI, ...args], { encoding: 'utf8', cwd, env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every entry of a (small) zip, in central-directory order. */
export async function readZip(file: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await scanZip(file, async (e) => {
    out.set(e.name, await readAll(await e.open(), 1 << 30, e.name));
  });
  return out;
}

/** Rewrites a zip with our writer after `mutate` (content-level tampering: CRCs are recomputed). */
export async function rewriteZip(src: string, dst: string, mutate: (entries: Map<string, Buffer>) => void | Promise<void>): Promise<void> {
  const entries = await readZip(src);
  await mutate(entries);
  const zip = await ZipWriter.create(dst, { date: new Date('2026-11-02T00:00:00Z') });
  for (const [name, data] of entries) await zip.addBuffer(name, data);
  await zip.finish();
}

export function flipByte(data: Buffer, at: number): Buffer {
  const copy = Buffer.from(data);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

/** The verification block of README.txt, verbatim. */
export function readmeBlock(readme: string, which: 'verify' | 'trust'): string {
  const [begin, end] = which === 'verify' ? [VERIFY_BEGIN, VERIFY_END] : [TRUST_BEGIN, TRUST_END];
  const start = readme.indexOf(begin);
  const stop = readme.indexOf(end);
  if (start < 0 || stop < 0) throw new Error(`README has no ${which} block`);
  return readme.slice(start, stop + end.length) + '\n';
}

/**
 * Runs README commands the way an auditor would: a fresh directory holding only the bundle (under the name the
 * README uses) and the CA as trusted-ca.pem, then `bash` with the block pasted in verbatim.
 */
export function runReadmeCommands(opts: { readme: string; bundle: string; bundleName: string; caPem: string; trust?: boolean }): { code: number | null; stdout: string; stderr: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'auditor-'));
  copyFileSync(opts.bundle, path.join(dir, opts.bundleName));
  copyFileSync(opts.caPem, path.join(dir, 'trusted-ca.pem'));
  // Each block is pasted into its own shell in the auditor's directory, as README.txt says.
  const r = spawnSync('bash', ['-c', readmeBlock(opts.readme, 'verify')], { cwd: dir, encoding: 'utf8' });
  if (!opts.trust || r.status !== 0) return { code: r.status, stdout: r.stdout, stderr: r.stderr, dir };
  const t = spawnSync('bash', ['-c', readmeBlock(opts.readme, 'trust')], { cwd: dir, encoding: 'utf8' });
  return { code: t.status, stdout: r.stdout + t.stdout, stderr: r.stderr + t.stderr, dir };
}

export interface RawEntry {
  readonly name: string;
  readonly data: Buffer;
  /** Unix mode for the external attributes (e.g. 0o120777 for a symlink). */
  readonly mode?: number;
}

/** A hand-made stored zip that allows anything (for hostile-archive tests): no name checks at all. */
export function craftZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = zlib.crc32(e.data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(10, 4);
    lh.writeUInt16LE(0x0800, 6);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(e.data.length, 18);
    lh.writeUInt32LE(e.data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    locals.push(lh, name, e.data);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4);
    ch.writeUInt16LE(10, 6);
    ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(e.data.length, 20);
    ch.writeUInt32LE(e.data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    centrals.push(ch, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  mkdirSync(d, { recursive: true });
  return d;
}

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}
