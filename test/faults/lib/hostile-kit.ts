/**
 * Shared helpers of the hostile-input, injection, secrets and HTTP API fault scenarios: temp directories, store
 * snapshots (what was stored before a hostile input must still be there, byte for byte), the real CLI as a child
 * process, a raw zip writer that can write what our own writer refuses (path escapes, symlinks), and the RSS of
 * a process.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const made: string[] = [];
export function hostileTemp(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `auditpack-${prefix}-`));
  made.push(dir);
  return dir;
}
export function removeHostileTemps(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function put(root: string, rel: string, data: string | Buffer): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

function walk(dir: string, out: string[]): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Every file under `dir` (recursively), absolute paths, sorted. */
export function filesUnder(dir: string): string[] {
  return walk(dir, []).sort();
}

export interface StoreSnapshot {
  /** Record file (relative) → sha256 of its bytes. */
  readonly records: ReadonlyMap<string, string>;
  readonly recordBytes: number;
  readonly blobs: number;
}

/** Records and blobs of a local store, by content. */
export function snapshotStore(storeDir: string): StoreSnapshot {
  const records = new Map<string, string>();
  let recordBytes = 0;
  // Segment files are immutable records too (many items each): a changed or vanished one is lost evidence.
  for (const f of [...filesUnder(path.join(storeDir, 'records')), ...filesUnder(path.join(storeDir, 'segments'))]) {
    const b = readFileSync(f);
    recordBytes += b.length;
    records.set(path.relative(storeDir, f), createHash('sha256').update(b).digest('hex'));
  }
  return { records, recordBytes, blobs: filesUnder(path.join(storeDir, 'blobs')).length };
}

/** Records of `before` that are missing or changed in `after` (0 = nothing already stored was lost). */
export function lostRecords(before: StoreSnapshot, after: StoreSnapshot): string[] {
  return [...before.records].filter(([k, v]) => after.records.get(k) !== v).map(([k]) => k);
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `auditpack ARGS` as a child process (node + tsx's loader), a clean environment plus `env`. */
export function runAuditpack(
  args: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/tmp',
        CI: 'true',
        LOG_LEVEL: 'warn',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...opts.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Several `auditpack` command lines in one child process (see hostile-cli-batch.ts): per case the exit code main()
 * returned, what it wrote, and `signal`/`code: null` for all of them if the process itself died.
 */
export async function runAuditpackBatch(
  cases: readonly (readonly string[])[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult[]> {
  const r = await new Promise<CliResult>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/faults/lib/hostile-cli-batch.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: process.env['HOME'] ?? '/tmp',
          CI: 'true',
          LOG_LEVEL: 'warn',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...opts.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(JSON.stringify({ cases }));
  });
  let parsed: { code: number | null; stdout: string; stderr: string; threw: string | null }[];
  try {
    parsed = JSON.parse(r.stdout) as typeof parsed;
  } catch {
    return cases.map(() => ({ code: null, signal: r.signal ?? 'SIGABRT', stdout: r.stdout, stderr: r.stderr }));
  }
  return parsed.map((p) => ({
    code: p.threw ? 3 : p.code,
    signal: null,
    stdout: p.stdout,
    stderr: p.threw ? `${p.stderr}\n${p.threw}` : p.stderr,
  }));
}

/** A crash: killed by a signal, exit 3 (unexpected failure) or a Node stack trace on stderr. */
export function crashed(r: CliResult): boolean {
  return (
    r.signal !== null ||
    r.code === 3 ||
    r.code === null ||
    /\n\s+at .+\(.+:\d+:\d+\)/.test(r.stderr) ||
    /Unhandled|uncaught/i.test(r.stderr)
  );
}

export interface RawZipEntry {
  readonly name: string;
  readonly data: Buffer;
  /** Unix mode (e.g. 0o120777 for a symlink); default a regular file. */
  readonly mode?: number;
}

/**
 * A minimal zip writer (stored entries) that writes any name, `../` and absolute ones included: what an attacker
 * would hand to `auditpack verify`.
 */
export function rawZip(entries: readonly RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = zlib.crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
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

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Peak resident set size of a process in bytes (Linux /proc: VmHWM). */
export function peakRssOf(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** A sparse file of `bytes` (no disk blocks, no memory): a "1 GB file" made in a millisecond. */
export function sparseFile(file: string, bytes: number, head: Buffer = Buffer.alloc(0)): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, head);
  // truncate extends with a hole.
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  if (statSync(file).size !== bytes) throw new Error(`sparse file ${file} has the wrong size`);
  return file;
}
